#include "controlplane/compiler/signature_parser.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/signature_header_check.h"

namespace rampart::cp {

SignatureVars SignatureVars::defaults() {
  SignatureVars v;
  for (const char* a : {"HOME_NET", "EXTERNAL_NET", "HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS",
                        "TELNET_SERVERS", "AIM_SERVERS", "DC_SERVERS", "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_CLIENT",
                        "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER"}) {
    v.addresses[a] = "any";
  }
  v.ports = {{"HTTP_PORTS", "[80,81,311,383,591,593,901,1220,1414,1741,1830,2301,2381,2809,3037,3128,3702,4343,4848,"
                            "5250,6988,7000,7001,7144,7145,7510,7777,7779,8000,8008,8014,8028,8080,8085,8088,8090,"
                            "8118,8123,8180,8181,8243,8280,8300,8800,8888,8899,9000,9060,9080,9090,9091,9443,9999,"
                            "11371,34443,34444,41080,50002,55555]"},
             {"SHELLCODE_PORTS", "!80"},
             {"ORACLE_PORTS", "1521"},
             {"SSH_PORTS", "22"},
             {"DNP3_PORTS", "20000"},
             {"MODBUS_PORTS", "502"},
             {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
             {"FTP_PORTS", "21"},
             {"GENEVE_PORTS", "6081"},
             {"VXLAN_PORTS", "4789"},
             {"TEREDO_PORTS", "3544"}};
  return v;
}

namespace {

// A rule that cannot be loaded: either not valid syntax, or valid but
// outside the supported subset.
struct Problem {
  bool unsupported;
  std::string message;
};

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool parse_uint(std::string_view s, uint32_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool parse_int(std::string_view s, int32_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Brackets nest properly: never closed before opened, all closed.
bool balanced(std::string_view s) {
  int depth = 0;
  for (const char c : s) {
    if (c == '[') ++depth;
    if (c == ']' && --depth < 0) return false;
  }
  return depth == 0;
}

// Splits "[a,[b,c],d]" or "a" into top-level items; "[]" into none. Null
// when the brackets are not one list around the whole text ("[a]b", "[a][b]").
std::optional<std::vector<std::string>> split_list(std::string_view s) {
  std::string t = trim(s);
  if (!t.empty() && t.front() == '[') {
    if (t.back() != ']') return std::nullopt;
    std::vector<std::string> items;
    if (trim(std::string_view(t).substr(1, t.size() - 2)).empty()) return items;
    int depth = 0;
    std::string cur;
    for (std::size_t i = 1; i + 1 < t.size(); ++i) {
      const char c = t[i];
      if (c == '[') ++depth;
      if (c == ']') --depth;
      if (depth < 0) return std::nullopt;
      if (c == ',' && depth == 0) {
        items.push_back(trim(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (depth != 0) return std::nullopt;
    items.push_back(trim(cur));
    return items;
  }
  // A single item, possibly a negated list ("![a,b]"): the caller strips the
  // '!' and recurses into the brackets.
  return std::vector<std::string>{t};
}

constexpr int kMaxListDepth = 8;

// One item of a list after its '!'s: the negation, and the item, or a
// problem for an empty one. `kind` is "address" or "port".
std::optional<Problem> strip_negation(std::string* item, bool* neg, std::string_view text, std::string_view kind) {
  const bool had_bang = !item->empty() && (*item)[0] == '!';
  while (!item->empty() && (*item)[0] == '!') {
    *neg = !*neg;
    *item = trim(item->substr(1));
  }
  if (!item->empty()) return std::nullopt;
  if (had_bang) {
    const char* list = kind == "port" ? "ports" : "addresses";
    return Problem{false, fmt::format("a '!' negates nothing in {} '{}'", list, text)};
  }
  return Problem{false, fmt::format("an empty {} in '{}' (a stray ',')", kind, text)};
}

// A positive `any` among other items makes the positives everything
// (`[198.18.0.1,any]` is any): it is kept as items covering everything,
// so that the other positives cannot narrow the list.
std::optional<Problem> expand_addresses(std::string_view text, const SignatureVars& vars, bool negate, int depth,
                                        SigAddressList& out, bool* positive_any) {
  if (depth > kMaxListDepth) {
    return Problem{false, "address lists or variables nest too deep (more than 8 levels, or a variable that refers "
                          "to itself)"};
  }
  auto items = split_list(text);
  if (!items) return Problem{false, fmt::format("misplaced brackets in addresses '{}'", text)};
  if (items->empty()) return Problem{false, fmt::format("an empty address list '{}' matches nothing", text)};
  for (std::string item : *items) {
    bool neg = negate;
    if (auto p = strip_negation(&item, &neg, text, "address")) return p;
    if (item == "any") {
      if (neg) return Problem{false, "'!any' matches nothing"};
      *positive_any = true;
      continue;
    }
    if (item[0] == '$') {
      auto it = vars.addresses.find(item.substr(1));
      if (it == vars.addresses.end()) return Problem{false, fmt::format("unknown address variable '{}'", item)};
      if (auto p = expand_addresses(it->second, vars, neg, depth + 1, out, positive_any)) return p;
      continue;
    }
    if (item[0] == '[') {
      if (auto p = expand_addresses(item, vars, neg, depth + 1, out, positive_any)) return p;
      continue;
    }
    // Suricata accepts CIDRs with host bits set and masks them.
    std::string why;
    auto c = parse_cidr(item, &why, HostBits::kMask);
    if (!c) return Problem{false, fmt::format("bad address: {}", why)};
    out.any = false;
    out.items.emplace_back(neg, *c);
  }
  return std::nullopt;
}

std::optional<Problem> parse_port_item(const std::string& item, SigPortRange* r) {
  uint32_t lo = 0, hi = 65535;
  const auto colon = item.find(':');
  if (colon == std::string::npos) {
    if (!parse_uint(item, &lo)) return Problem{false, fmt::format("bad port '{}': not a number", item)};
    hi = lo;
  } else {
    const std::string a = item.substr(0, colon), b = item.substr(colon + 1);
    if (a.empty() && b.empty()) return Problem{false, "bad port range ':': give at least one bound (1024:, :1023)"};
    if ((!a.empty() && !parse_uint(a, &lo)) || (!b.empty() && !parse_uint(b, &hi))) {
      return Problem{false, fmt::format("bad port range '{}': the bounds are numbers (lo:hi, lo:, :hi)", item)};
    }
  }
  if (lo > 65535 || hi > 65535) return Problem{false, fmt::format("port '{}' is out of range 0-65535", item)};
  if (lo > hi) return Problem{false, fmt::format("port range '{}' is reversed: it matches no port", item)};
  r->lo = static_cast<uint16_t>(lo);
  r->hi = static_cast<uint16_t>(hi);
  return std::nullopt;
}

std::optional<Problem> expand_ports(std::string_view text, const SignatureVars& vars, bool negate, int depth,
                                    SigPortList& out, bool* positive_any) {
  if (depth > kMaxListDepth) {
    return Problem{false, "port lists or variables nest too deep (more than 8 levels, or a variable that refers to "
                          "itself)"};
  }
  auto items = split_list(text);
  if (!items) return Problem{false, fmt::format("misplaced brackets in ports '{}'", text)};
  if (items->empty()) return Problem{false, fmt::format("an empty port list '{}' matches nothing", text)};
  for (std::string item : *items) {
    bool neg = negate;
    if (auto p = strip_negation(&item, &neg, text, "port")) return p;
    if (item == "any") {
      if (neg) return Problem{false, "'!any' matches no port"};
      *positive_any = true;
      continue;
    }
    if (item[0] == '$') {
      auto it = vars.ports.find(item.substr(1));
      if (it == vars.ports.end()) return Problem{false, fmt::format("unknown port variable '{}'", item)};
      if (auto p = expand_ports(it->second, vars, neg, depth + 1, out, positive_any)) return p;
      continue;
    }
    if (item[0] == '[') {
      if (auto p = expand_ports(item, vars, neg, depth + 1, out, positive_any)) return p;
      continue;
    }
    SigPortRange r;
    r.negated = neg;
    if (auto p = parse_port_item(item, &r)) return p;
    out.any = false;
    out.items.push_back(r);
  }
  return std::nullopt;
}

// A header field (its brackets are balanced: parse_rule checked the whole
// header): expanded, then refused if it can match nothing. `what` names the
// field ("source addresses").
std::optional<Problem> header_addresses(std::string_view text, const SignatureVars& vars, const char* what,
                                        SigAddressList& out) {
  bool positive_any = false;
  if (auto p = expand_addresses(text, vars, false, 0, out, &positive_any)) return p;
  if (positive_any && !out.items.empty()) {
    Cidr all4, all6;  // 0.0.0.0/0, ::/0
    all6.family = 6;
    out.items.emplace_back(false, all4);
    out.items.emplace_back(false, all6);
  }
  if (address_list_matches_nothing(out)) {
    return Problem{false, fmt::format("{} '{}' match no address: its negations exclude every address it allows",
                                      what, text)};
  }
  return std::nullopt;
}

std::optional<Problem> header_ports(std::string_view text, const SignatureVars& vars, const char* what,
                                    SigPortList& out) {
  bool positive_any = false;
  if (auto p = expand_ports(text, vars, false, 0, out, &positive_any)) return p;
  if (positive_any && !out.items.empty()) out.items.push_back(SigPortRange{false, 0, 65535});
  if (port_list_matches_nothing(out)) {
    return Problem{false, fmt::format("{} '{}' match no port: its negations exclude every port it allows", what,
                                      text)};
  }
  return std::nullopt;
}

// Content strings: "abc|41 42|def" with \" \\ \; escapes.
std::optional<std::string> decode_content(std::string_view v, std::string* why) {
  std::string out;
  bool hex = false;
  std::string hexbuf;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (hex) {
      if (c == '|') {
        hex = false;
        continue;
      }
      if (c == ' ') continue;
      if (!std::isxdigit(static_cast<unsigned char>(c))) {
        *why = fmt::format("'{}' is not a hex digit in |...|", c);
        return std::nullopt;
      }
      hexbuf += c;
      if (hexbuf.size() == 2) {
        out += static_cast<char>(std::stoi(hexbuf, nullptr, 16));
        hexbuf.clear();
      }
      continue;
    }
    if (c == '|') {
      hex = true;
      continue;
    }
    if (c == '\\' && i + 1 < v.size()) {
      out += v[++i];
      continue;
    }
    if (c == '"' || c == ';') {
      *why = fmt::format("unescaped '{}' in content", c);
      return std::nullopt;
    }
    out += c;
  }
  if (hex || !hexbuf.empty()) {
    *why = "unterminated or odd-length |hex| block";
    return std::nullopt;
  }
  if (out.empty()) {
    *why = "empty content";
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> unquote(std::string_view v) {
  std::string t = trim(v);
  if (t.size() < 2 || t.front() != '"' || t.back() != '"') return std::nullopt;
  return t.substr(1, t.size() - 2);
}

// option name -> sticky buffer, and legacy content modifier -> buffer.
const std::unordered_map<std::string, SigBuffer>& sticky_buffers() {
  static const std::unordered_map<std::string, SigBuffer> m = {
      {"http.uri", SigBuffer::kHttpUri},
      {"http.uri.raw", SigBuffer::kHttpUriRaw},
      {"http.method", SigBuffer::kHttpMethod},
      {"http.header", SigBuffer::kHttpHeader},
      {"http.host", SigBuffer::kHttpHost},
      {"http.user_agent", SigBuffer::kHttpUserAgent},
      {"http.cookie", SigBuffer::kHttpCookie},
      {"http.request_body", SigBuffer::kHttpRequestBody},
      {"http_client_body", SigBuffer::kHttpRequestBody},
      {"tls.sni", SigBuffer::kTlsSni},
      {"tls_sni", SigBuffer::kTlsSni},
      {"dns.query", SigBuffer::kDnsQuery},
      {"dns_query", SigBuffer::kDnsQuery},
      {"pkt_data", SigBuffer::kStream},
  };
  return m;
}
const std::unordered_map<std::string, SigBuffer>& legacy_modifiers() {
  static const std::unordered_map<std::string, SigBuffer> m = {
      {"http_uri", SigBuffer::kHttpUri},         {"http_raw_uri", SigBuffer::kHttpUriRaw},
      {"http_method", SigBuffer::kHttpMethod},   {"http_header", SigBuffer::kHttpHeader},
      {"http_host", SigBuffer::kHttpHost},       {"http_user_agent", SigBuffer::kHttpUserAgent},
      {"http_cookie", SigBuffer::kHttpCookie},   {"http_client_body", SigBuffer::kHttpRequestBody},
  };
  return m;
}

SigBuffer pcre_buffer_flag(char f, bool* known) {
  *known = true;
  switch (f) {
    case 'U': return SigBuffer::kHttpUri;
    case 'I': return SigBuffer::kHttpUriRaw;
    case 'M': return SigBuffer::kHttpMethod;
    case 'H': return SigBuffer::kHttpHeader;
    case 'W': return SigBuffer::kHttpHost;
    case 'V': return SigBuffer::kHttpUserAgent;
    case 'C': return SigBuffer::kHttpCookie;
    case 'P': return SigBuffer::kHttpRequestBody;
    default: *known = false; return SigBuffer::kStream;
  }
}

// Splits the option block at ';' outside quotes; honours backslash escapes.
std::optional<std::vector<std::pair<std::string, std::string>>> split_options(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      cur += c;
      cur += body[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      std::string opt = trim(cur);
      cur.clear();
      if (opt.empty()) continue;
      const auto colon = opt.find(':');
      if (colon == std::string::npos) {
        out.emplace_back(opt, "");
      } else {
        out.emplace_back(trim(opt.substr(0, colon)), trim(opt.substr(colon + 1)));
      }
      continue;
    }
    cur += c;
  }
  if (quoted) return std::nullopt;
  if (!trim(cur).empty()) return std::nullopt;  // the last option lacks its ';'
  return out;
}

std::optional<Problem> parse_options(std::string_view body, Signature& sig) {
  auto opts = split_options(body);
  if (!opts) return Problem{false, "options are not ';'-terminated or a quote is unbalanced"};
  SigBuffer sticky = SigBuffer::kStream;
  // A sticky buffer applies to the contents and pcres after it; one that
  // nothing follows is a rule written in the legacy order by mistake
  // ("content:...; http.uri;"): it would match the raw stream instead.
  std::string unused_sticky;
  bool have_sid = false;
  for (const auto& option : *opts) {
    // Named references, not a structured binding: lambdas below capture them
    // (clang before 16 cannot capture structured bindings).
    const std::string& name = option.first;
    const std::string& value = option.second;
    SigContent* last = sig.contents.empty() ? nullptr : &sig.contents.back();
    auto need_content = [&]() -> std::optional<Problem> {
      if (last == nullptr) return Problem{false, fmt::format("'{}' without a preceding content", name)};
      return std::nullopt;
    };
    auto int_value = [&](int32_t* out) -> std::optional<Problem> {
      if (!parse_int(value, out)) return Problem{false, fmt::format("'{}' needs a number, got '{}'", name, value)};
      return std::nullopt;
    };
    if (name == "msg") {
      auto q = unquote(value);
      if (!q) return Problem{false, "msg must be a quoted string"};
      for (std::size_t i = 0; i < q->size(); ++i) {
        if ((*q)[i] == '\\' && i + 1 < q->size()) ++i;
        sig.msg += (*q)[i];
      }
    } else if (name == "sid" || name == "rev" || name == "gid" || name == "priority") {
      uint32_t v = 0;
      if (!parse_uint(value, &v)) return Problem{false, fmt::format("'{}' needs a number, got '{}'", name, value)};
      if (name == "sid") {
        sig.sid = v;
        have_sid = true;
      } else if (name == "rev") {
        sig.rev = v;
      } else if (name == "gid") {
        sig.gid = v;
      } else {
        sig.priority = static_cast<int>(v);
      }
    } else if (name == "classtype") {
      sig.classtype = value;
    } else if (name == "reference") {
      sig.references.push_back(value);
    } else if (name == "metadata") {
      sig.metadata = value;
    } else if (name == "flow") {
      std::stringstream ss(value);
      std::string f;
      while (std::getline(ss, f, ',')) {
        f = trim(f);
        if (f == "established") {
          sig.flow_established = true;
        } else if (f == "to_server" || f == "from_client") {
          sig.flow_to_server = true;
        } else if (f == "to_client" || f == "from_server") {
          sig.flow_to_client = true;
        } else if (f == "stateless" || f == "not_established" || f == "only_stream" || f == "no_stream" ||
                   f == "only_frag" || f == "no_frag") {
          return Problem{true, fmt::format("flow:{} is not supported", f)};
        } else {
          return Problem{false, fmt::format("unknown flow keyword '{}'", f)};
        }
      }
      if (sig.flow_to_server && sig.flow_to_client) return Problem{false, "flow: to_server and to_client together"};
    } else if (name == "content") {
      SigContent c;
      std::string v = trim(value);
      if (!v.empty() && v[0] == '!') {
        c.negated = true;
        v = trim(v.substr(1));
      }
      auto q = unquote(v);
      if (!q) return Problem{false, "content must be a quoted string"};
      std::string why;
      auto bytes = decode_content(*q, &why);
      if (!bytes) return Problem{false, fmt::format("content: {}", why)};
      c.bytes = *bytes;
      c.buffer = sticky;
      unused_sticky.clear();
      sig.contents.push_back(std::move(c));
    } else if (name == "nocase") {
      if (auto p = need_content()) return p;
      last->nocase = true;
    } else if (name == "fast_pattern") {
      if (auto p = need_content()) return p;
      last->fast_pattern = true;
    } else if (name == "startswith") {
      if (auto p = need_content()) return p;
      last->startswith = true;
    } else if (name == "endswith") {
      if (auto p = need_content()) return p;
      last->endswith = true;
    } else if (name == "offset" || name == "depth" || name == "distance" || name == "within") {
      if (auto p = need_content()) return p;
      int32_t v;
      if (auto p = int_value(&v)) return p;
      const bool relative = name == "distance" || name == "within";
      const bool has_abs = last->offset >= 0 || last->depth >= 0;
      const bool has_rel = last->distance != INT32_MIN || last->within >= 0;
      if ((relative && has_abs) || (!relative && has_rel)) {
        return Problem{false, fmt::format("'{}' mixes relative (distance/within) and absolute (offset/depth) "
                                          "modifiers on one content", name)};
      }
      if (name != "distance" && v < 0) return Problem{false, fmt::format("'{}' must not be negative", name)};
      if (name == "offset") last->offset = v;
      if (name == "depth") last->depth = v;
      if (name == "distance") last->distance = v;
      if (name == "within") last->within = v;
      if ((name == "depth" || name == "within") && v < static_cast<int32_t>(last->bytes.size())) {
        return Problem{false, fmt::format("'{}:{}' is shorter than its content ({} bytes)", name, v,
                                          last->bytes.size())};
      }
    } else if (sticky_buffers().count(name) != 0 && value.empty()) {
      sticky = sticky_buffers().at(name);
      unused_sticky = name;
    } else if (legacy_modifiers().count(name) != 0 && value.empty()) {
      if (auto p = need_content()) return p;
      last->buffer = legacy_modifiers().at(name);
    } else if (name == "pcre") {
      SigPcre re;
      std::string v = trim(value);
      if (!v.empty() && v[0] == '!') {
        re.negated = true;
        v = trim(v.substr(1));
      }
      auto q = unquote(v);
      if (!q || q->size() < 2 || (*q)[0] != '/') return Problem{false, "pcre must be \"/regex/flags\""};
      const auto end = q->rfind('/');
      if (end == 0) return Problem{false, "pcre has no closing '/'"};
      re.pattern = q->substr(1, end - 1);
      re.buffer = sticky;
      unused_sticky.clear();
      for (const char f : q->substr(end + 1)) {
        bool known;
        const SigBuffer b = pcre_buffer_flag(f, &known);
        if (known) {
          re.buffer = b;
        } else if (f == 'i') {
          re.caseless = true;
        } else if (f == 's') {
          re.dotall = true;
        } else if (f == 'm') {
          re.multiline = true;
        } else if (f == 'x') {
          re.extended = true;
        } else if (f == 'R') {
          re.relative = true;
        } else {
          return Problem{true, fmt::format("pcre flag '{}' is not supported", f)};
        }
      }
      sig.pcres.push_back(std::move(re));
    } else if (name == "noalert" || name == "target" || name == "threshold" || name == "tag") {
      // Accepted and ignored: they change reporting, never what matches.
      // (threshold is documented in rules/README.md as ignored.)
    } else {
      return Problem{true, fmt::format("option '{}' is not supported", name)};
    }
  }
  if (!have_sid) return Problem{false, "no sid"};
  if (!unused_sticky.empty()) {
    return Problem{false, fmt::format("sticky buffer '{0}' is followed by no content or pcre: it applies to what "
                                      "comes after it (write '{0}; content:...')",
                                      unused_sticky)};
  }
  if (sig.contents.empty() && sig.pcres.empty()) {
    return Problem{true, "no content or pcre: header-only signatures are not supported"};
  }
  return std::nullopt;
}

std::optional<Problem> parse_rule(std::string_view line, const SignatureVars& vars, Signature& sig) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Problem{false, "expected 'action proto src sport -> dst dport (options)'"};
  }
  if (!trim(line.substr(close + 1)).empty()) return Problem{false, "text after the closing ')'"};
  // The header, split on spaces outside brackets.
  if (!balanced(line.substr(0, open))) {
    return Problem{false, fmt::format("unbalanced brackets in the header '{}'", trim(line.substr(0, open)))};
  }
  std::vector<std::string> h;
  {
    std::string cur;
    int depth = 0;
    for (const char c : line.substr(0, open)) {
      if (c == '[') ++depth;
      if (c == ']') --depth;
      if ((c == ' ' || c == '\t') && depth == 0) {
        if (!cur.empty()) h.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) h.push_back(cur);
  }
  if (h.size() != 7) return Problem{false, fmt::format("the header has {} fields, expected 7", h.size())};
  const std::string& action = h[0];
  if (action == "alert") {
    sig.action = SigAction::kAlert;
  } else if (action == "drop") {
    sig.action = SigAction::kDrop;
  } else if (action == "reject" || action == "rejectsrc" || action == "rejectdst" || action == "rejectboth") {
    sig.action = SigAction::kReject;
  } else if (action == "pass") {
    sig.action = SigAction::kPass;
  } else {
    return Problem{false, fmt::format("unknown action '{}'", action)};
  }
  static const std::map<std::string, SigProto> protos = {
      {"ip", SigProto::kIp},     {"tcp", SigProto::kTcp},   {"udp", SigProto::kUdp}, {"icmp", SigProto::kIcmp},
      {"http", SigProto::kHttp}, {"http1", SigProto::kHttp}, {"tls", SigProto::kTls}, {"dns", SigProto::kDns}};
  auto p = protos.find(h[1]);
  if (p == protos.end()) return Problem{true, fmt::format("protocol '{}' is not supported", h[1])};
  sig.proto = p->second;
  if (auto e = header_addresses(h[2], vars, "source addresses", sig.src)) return e;
  if (auto e = header_ports(h[3], vars, "source ports", sig.src_ports)) return e;
  if (h[4] == "<>") {
    sig.bidirectional = true;
  } else if (h[4] != "->") {
    return Problem{false, fmt::format("direction must be '->' or '<>', got '{}'", h[4])};
  }
  if (auto e = header_addresses(h[5], vars, "destination addresses", sig.dst)) return e;
  if (auto e = header_ports(h[6], vars, "destination ports", sig.dst_ports)) return e;
  return parse_options(line.substr(open + 1, close - open - 1), sig);
}

}  // namespace

void parse_signatures(std::string_view text, const std::string& origin, const SignatureVars& vars,
                      SignatureSet& out) {
  std::unordered_map<uint64_t, std::string> seen;  // gid:sid -> where
  for (const auto& s : out.signatures) seen.emplace((uint64_t{s.gid} << 32) | s.sid, s.source);
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    // One logical rule: physical lines joined where they end in '\'.
    std::string rule;
    const int first_line = line_no + 1;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (!l.empty() && l.back() == '\\') {
        rule.append(l.substr(0, l.size() - 1));
        continue;
      }
      rule.append(l);
      break;
    }
    const std::string t = trim(rule);
    if (t.empty() || t[0] == '#') continue;
    ++out.rule_lines;
    const std::string where = fmt::format("{}:{}", origin, first_line);
    Signature sig;
    sig.source = where;
    if (auto problem = parse_rule(t, vars, sig)) {
      const std::string sid = sig.sid != 0 ? fmt::format(" (sid {})", sig.sid) : "";
      if (problem->unsupported) {
        out.unsupported.push_back(fmt::format("{}: unsupported: {}{}", where, problem->message, sid));
      } else {
        out.errors.push_back(fmt::format("{}: error: {}{}", where, problem->message, sid));
      }
      continue;
    }
    const uint64_t id = (uint64_t{sig.gid} << 32) | sig.sid;
    if (auto [it, fresh] = seen.emplace(id, where); !fresh) {
      out.errors.push_back(fmt::format("{}: error: duplicate sid {} (first at {})", where, sig.sid, it->second));
      continue;
    }
    out.signatures.push_back(std::move(sig));
  }
}

bool load_signatures(const std::string& file_or_dir, const SignatureVars& vars, SignatureSet& out) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(file_or_dir, ec)) {
    for (const auto& e : fs::directory_iterator(file_or_dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".rules") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      out.errors.push_back(fmt::format("{}: error: no *.rules files in this directory", file_or_dir));
      return false;
    }
  } else {
    files.emplace_back(file_or_dir);
  }
  for (const auto& f : files) {
    auto text = read_bounded_file(f.string(), kMaxRulesFileBytes, "a signature rules file");
    if (!text) {
      out.errors.push_back(fmt::format("{}: error: cannot read: {}", f.string(), text.error().message));
      return false;
    }
    parse_signatures(*text, f.string(), vars, out);
  }
  return true;
}

}  // namespace rampart::cp
