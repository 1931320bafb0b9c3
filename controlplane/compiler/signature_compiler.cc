#include "controlplane/compiler/signature_compiler.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "controlplane/compiler/bounded_file.h"

namespace rampart::cp {
namespace {

// A cache file is a serialized database: tens of MB for the largest sets.
// One above this is not read (a miss), whatever made it.
constexpr std::size_t kMaxCacheFileBytes = std::size_t{1} << 30;

struct Pattern {
  std::string expression;
  unsigned flags;
  uint32_t sig;
  bool literal = false;  // from a content: every byte escaped, always a valid expression
};

unsigned pcre_flags(const SigPcre& re) {
  unsigned f = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
  if (re.caseless) f |= HS_FLAG_CASELESS;
  if (re.dotall) f |= HS_FLAG_DOTALL;
  if (re.multiline) f |= HS_FLAG_MULTILINE;
  return f;
}

// The signature's fast pattern, or nullopt-like empty expression if it has
// nothing Hyperscan can prefilter on.
bool fast_pattern(const Signature& s, Pattern& p, SigBuffer& buffer, std::string* why) {
  const SigContent* best = nullptr;
  for (const auto& c : s.contents) {
    if (c.negated) continue;
    if (c.fast_pattern) {
      best = &c;
      break;
    }
    if (best == nullptr || c.bytes.size() > best->bytes.size()) best = &c;
  }
  if (best != nullptr) {
    p.expression = hs_literal(best->bytes);
    p.flags = HS_FLAG_SINGLEMATCH | (best->nocase ? HS_FLAG_CASELESS : 0u);
    p.literal = true;
    buffer = best->buffer;
    return true;
  }
  for (const auto& re : s.pcres) {
    if (re.negated) continue;
    if (re.extended) {
      *why = "pcre flag 'x' (extended) is not supported by Hyperscan";
      return false;
    }
    p.expression = prefilter_expression(re.pattern);
    p.flags = pcre_flags(re);
    buffer = re.buffer;
    return true;
  }
  *why = "only negated contents and pcres: nothing to prefilter on";
  return false;
}

// Checks one expression without compiling a database.
bool hs_accepts(const Pattern& p, std::string* why) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(p.expression.c_str(), p.flags, &info, &err) != HS_SUCCESS) {
    *why = err != nullptr && err->message != nullptr ? err->message : "rejected by Hyperscan";
    hs_free_compile_error(err);
    return false;
  }
  std::free(info);
  return true;
}

std::string cache_key_text(const std::vector<Pattern>& pats, unsigned mode) {
  std::string k = fmt::format("rampart-hs-cache v2 hs={} mode={}\n", hs_version(), mode);
  for (const auto& p : pats) k += fmt::format("{} {} {}\n", p.flags, p.sig, p.expression.size()) + p.expression + "\n";
  return k;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

Result<std::string> compile_database(const std::vector<Pattern>& pats, unsigned mode,
                                     const SignatureCompileOptions& opt, bool* cache_hit) {
  *cache_hit = false;
  const std::string key = cache_key_text(pats, mode);
  std::string cache_file;
  if (!opt.cache_dir.empty()) {
    cache_file = fmt::format("{}/{:016x}.hsdb", opt.cache_dir, fnv1a(key));
    // Anything that cannot be read within the limit is a miss.
    if (auto cached = read_bounded_file(cache_file, kMaxCacheFileBytes, "a Hyperscan cache file")) {
      const std::string& all = *cached;
      // The file holds its own inputs: use it only if they are exactly ours.
      if (all.size() > key.size() && all.compare(0, key.size(), key) == 0) {
        *cache_hit = true;
        return all.substr(key.size());
      }
    }
  }
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (std::size_t i = 0; i < pats.size(); ++i) {
    exprs.push_back(pats[i].expression.c_str());
    flags.push_back(pats[i].flags);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(pats.size()), mode,
                       nullptr, &db, &err) != HS_SUCCESS) {
    std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown error";
    const int at = err != nullptr ? err->expression : -1;
    hs_free_compile_error(err);
    return Error{fmt::format("Hyperscan compile failed{}: {}", at >= 0 ? fmt::format(" at pattern {}", at) : "", msg)};
  }
  char* bytes = nullptr;
  size_t len = 0;
  const hs_error_t rc = hs_serialize_database(db, &bytes, &len);
  hs_free_database(db);
  if (rc != HS_SUCCESS) return Error{"hs_serialize_database failed"};
  std::string out(bytes, len);
  std::free(bytes);
  if (!cache_file.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt.cache_dir, ec);
    // Write then rename, so a reader never sees half a file; a write that
    // failed (a full disk) leaves no cache entry, never a truncated one.
    const std::string tmp = cache_file + ".tmp";
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << key << out;
    o.close();
    if (o) {
      std::filesystem::rename(tmp, cache_file, ec);
    } else {
      std::filesystem::remove(tmp, ec);
    }
  }
  return out;
}

}  // namespace

std::string hs_literal(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size() * 4);
  for (const unsigned char c : bytes) out += fmt::format("\\x{:02x}", c);
  return out;
}

// Bounded repeats whose upper bound is at least this are widened in the
// prefilter copy of a pcre (see prefilter_expression).
constexpr unsigned long kWidenRepeatsFrom = 16;

// Prefilter mode only promises a superset of the
// pcre's matches and every candidate is verified by PCRE2 against the
// original pcre, so a wider expression changes no result; but Hyperscan
// unrolls a bounded repeat of a sub-pattern into n copies, and a few
// `(?:...){0,30}` chains were most of the compile time (docs/performance.md,
// "Signature compile time"). Exact counts ({n}) and small ranges stay: they
// keep the prefilter selective. Escapes (\cX included), \Q...\E (also in
// classes), classes and comments are copied as they are, so only real
// quantifiers change; a possessive {m,n}+ becomes *+ or ++, which
// Hyperscan's prefilter mode treats as greedy (a superset again). A
// widened copy Hyperscan refuses falls back to the pcre as written.
std::string prefilter_expression(const std::string& re) {
  // Inline extended mode makes whitespace and '#' comments syntax this
  // scanner does not follow: left as written.
  for (std::size_t at = re.find("(?"); at != std::string::npos; at = re.find("(?", at + 2)) {
    std::size_t k = at + 2;
    while (k < re.size() && (std::isalpha(static_cast<unsigned char>(re[k])) || re[k] == '-')) {
      if (re[k] == 'x') return re;  // (?x), (?ix), (?-x), (?x:...)
      ++k;
    }
  }
  std::string out;
  out.reserve(re.size());
  const std::size_t n = re.size();
  std::size_t i = 0;
  auto digits = [&](std::size_t& j, unsigned long& v) {
    const std::size_t from = j;
    v = 0;
    while (j < n && re[j] >= '0' && re[j] <= '9' && j - from < 6) v = v * 10 + static_cast<unsigned long>(re[j++] - '0');
    return j > from && (j == n || re[j] < '0' || re[j] > '9');
  };
  while (i < n) {
    const char c = re[i];
    if (c == '\\' && i + 1 < n) {
      std::size_t j = i + 2;
      if (re[i + 1] == 'c') {  // \cX: a control character, X included
        j = std::min(n, i + 3);
      } else if (re[i + 1] == 'Q') {  // quoted up to \E (or the end)
        const std::size_t e = re.find("\\E", j);
        j = e == std::string::npos ? n : e + 2;
      } else if (j < n && re[j] == '{' && std::string_view("xopPNgk").find(re[i + 1]) != std::string_view::npos) {
        const std::size_t e = re.find('}', j);
        j = e == std::string::npos ? n : e + 1;
      }
      out.append(re, i, j - i);
      i = j;
      continue;
    }
    if (c == '[') {  // a class: up to its closing ']' (a leading ']' and [:name:] are members)
      std::size_t j = i + 1;
      if (j < n && re[j] == '^') ++j;
      if (j < n && re[j] == ']') ++j;
      while (j < n && re[j] != ']') {
        if (re[j] == '\\' && j + 1 < n && re[j + 1] == 'Q') {  // \Q...\E inside a class
          const std::size_t e = re.find("\\E", j + 2);
          j = e == std::string::npos ? n : e + 2;
        } else if (re[j] == '\\') {
          j += 2;
        } else if (re[j] == '[' && j + 1 < n && re[j + 1] == ':') {
          const std::size_t e = re.find(":]", j + 2);
          j = e == std::string::npos ? j + 1 : e + 2;
        } else {
          ++j;
        }
      }
      j = std::min(n, j + 1);
      out.append(re, i, j - i);
      i = j;
      continue;
    }
    if (c == '(' && re.compare(i, 3, "(?#") == 0) {  // comment
      const std::size_t e = re.find(')', i);
      const std::size_t j = e == std::string::npos ? n : e + 1;
      out.append(re, i, j - i);
      i = j;
      continue;
    }
    if (c == '{') {
      std::size_t j = i + 1;
      unsigned long lo = 0, hi = 0;
      if (digits(j, lo) && j < n && re[j] == ',') {
        ++j;
        if (digits(j, hi) && j < n && re[j] == '}' && hi > lo && hi >= kWidenRepeatsFrom) {
          out += lo == 0 ? std::string("*") : lo == 1 ? std::string("+") : fmt::format("{{{},}}", lo);
          i = j + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

Result<CompiledSignatures> compile_signatures(std::vector<Signature> sigs, const SignatureCompileOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  CompiledSignatures out;
  std::array<std::vector<Pattern>, kSigBufferCount> per_buffer;
  std::vector<Pattern> tcp_stream;
  for (auto& s : sigs) {
    Pattern p;
    SigBuffer buffer = SigBuffer::kStream;
    std::string why;
    bool ok = fast_pattern(s, p, buffer, &why);
    // Asking Hyperscan about a literal (hs_expression_info) costs as much
    // as about a regex and cannot fail: only pcre patterns are checked.
    if (ok && !p.literal && !hs_accepts(p, &why)) {
      // A widened prefilter copy Hyperscan refuses must not cost the
      // signature: fall back to the pcre as written.
      const SigPcre* re = nullptr;
      for (const auto& x : s.pcres) {
        if (!x.negated) {
          re = &x;
          break;
        }
      }
      ok = s.contents.end() == std::find_if(s.contents.begin(), s.contents.end(),
                                             [](const SigContent& c) { return !c.negated; }) &&
           re != nullptr && p.expression != re->pattern;
      if (ok) {
        p.expression = re->pattern;
        ok = hs_accepts(p, &why);
      }
    }
    if (!ok) {
      out.unsupported.push_back(fmt::format("{}: unsupported: {} (sid {})", s.source, why, s.sid));
      continue;
    }
    if (s.proto == SigProto::kIcmp) {
      out.unsupported.push_back(
          fmt::format("{}: unsupported: content on ICMP payloads is not inspected (sid {})", s.source, s.sid));
      continue;
    }
    p.sig = static_cast<uint32_t>(out.signatures.size());
    if (buffer == SigBuffer::kStream) {
      // Raw payload: the TCP stream (streaming mode, every match: the first
      // occurrence may fail verification and a later one pass) and/or UDP
      // datagrams, by the signature's protocol.
      const bool tcp = s.proto != SigProto::kUdp;
      const bool udp = s.proto == SigProto::kUdp || s.proto == SigProto::kDns || s.proto == SigProto::kIp;
      if (udp) per_buffer[static_cast<std::size_t>(buffer)].push_back(p);
      if (tcp) {
        p.flags &= ~static_cast<unsigned>(HS_FLAG_SINGLEMATCH);
        tcp_stream.push_back(std::move(p));
      }
    } else {
      per_buffer[static_cast<std::size_t>(buffer)].push_back(std::move(p));
    }
    out.signatures.push_back(std::move(s));
  }
  // One job per database; each is compiled (or read from the cache) on its
  // own, so they run in parallel and the output does not depend on the
  // order they finish in. Errors are reported in buffer order.
  struct Job {
    const std::vector<Pattern>* pats;
    unsigned mode;
    BufferDatabase* db;
    std::optional<Error> error;
    bool hit = false;
  };
  std::vector<Job> jobs;
  for (std::size_t b = 0; b < kSigBufferCount; ++b) {
    out.databases[b].buffer = static_cast<SigBuffer>(b);
    jobs.push_back(Job{&per_buffer[b], HS_MODE_BLOCK, &out.databases[b], std::nullopt});
  }
  out.tcp_stream.buffer = SigBuffer::kStream;
  jobs.push_back(Job{&tcp_stream, HS_MODE_STREAM, &out.tcp_stream, std::nullopt});
  auto build = [&](Job& j) {
    j.db->patterns = j.pats->size();
    if (j.pats->empty()) return;
    auto bytes = compile_database(*j.pats, j.mode, opt, &j.hit);
    if (!bytes) {
      j.error = Error{fmt::format("buffer {}{}: {}", sig_buffer_name(j.db->buffer),
                                  j.mode == HS_MODE_STREAM ? " (tcp stream)" : "", bytes.error().message)};
      return;
    }
    j.db->serialized = std::move(*bytes);
    for (const auto& p : *j.pats) j.db->sig_index.push_back(p.sig);
  };
  // Largest first, so the longest compile starts at once.
  std::vector<std::size_t> order(jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return jobs[a].pats->size() > jobs[b].pats->size(); });
  const std::size_t busy = static_cast<std::size_t>(
      std::count_if(jobs.begin(), jobs.end(), [](const Job& j) { return !j.pats->empty(); }));
  const std::size_t nthreads =
      std::max<std::size_t>(1, std::min<std::size_t>(opt.threads != 0 ? opt.threads : std::thread::hardware_concurrency(), busy));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k = next++; k < order.size(); k = next++) build(jobs[order[k]]);
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < nthreads; ++t) pool.emplace_back(worker);
    worker();
  }
  for (auto& j : jobs) {
    if (j.error) return *j.error;
    if (j.hit) ++out.cache_hits;
  }
  out.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace rampart::cp
