// rampart-detect: runs HTTP requests through the same parser, URI
// normalisation and signature matcher the dataplane uses, without DPDK.
// For measuring signature sets against attack corpora (tools/detect/eval.py)
// and for rule authors.
//
//   rampart-detect --rules FILE_OR_DIR [--rules ...] [--hs-cache DIR] --requests-jsonl FILE
//
// Input: JSON lines {"id": ..., "raw": base64 of the request bytes}.
// Output: one JSON line per input: {"id", "sids": [...], "anomalies": [...]}.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"
#include "dataplane/l7/http/http_request_parser.h"
#include "dataplane/l7/match/signature_matcher.h"

namespace {

using rampart::policy::SigBuffer;

std::string base64_decode(const std::string& in, bool* ok) {
  static int8_t table[256];
  static bool init = false;
  if (!init) {
    std::fill(std::begin(table), std::end(table), int8_t{-1});
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(a[i])] = static_cast<int8_t>(i);
    init = true;
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  *ok = true;
  for (const unsigned char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    if (table[c] < 0) {
      *ok = false;
      return {};
    }
    acc = (acc << 6) | static_cast<uint32_t>(table[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

struct Run {
  const rampart::dp::SignatureMatcher* matcher;
  rampart::dp::SignatureMatcher::Scratch* scratch;
  hs_stream_t* stream = nullptr;  // raw-stream signatures, when loaded
  std::string_view raw;
  std::vector<uint32_t> sids;
  uint32_t anomalies = 0;
};

void on_request(void* ctx, const rampart::dp::HttpRequest& r) {
  auto* run = static_cast<Run*>(ctx);
  std::string headers;
  for (const auto& h : r.headers) headers += fmt::format("{}: {}\r\n", h.name, h.value);
  rampart::dp::InspectionBuffers b;
  b[SigBuffer::kStream] = run->raw;
  b[SigBuffer::kHttpMethod] = r.method;
  b[SigBuffer::kHttpUri] = r.uri_norm;
  b[SigBuffer::kHttpUriRaw] = r.uri_raw;
  b[SigBuffer::kHttpHeader] = headers;
  b[SigBuffer::kHttpHost] = r.host;
  b[SigBuffer::kHttpUserAgent] = r.user_agent;
  b[SigBuffer::kHttpCookie] = r.cookie;
  b[SigBuffer::kHttpRequestBody] = r.body;
  // Client 198.18.0.1:40000 to server 198.18.0.2:80, TCP, identified as HTTP.
  static const uint8_t client[16] = {198, 18, 0, 1};
  static const uint8_t server[16] = {198, 18, 0, 2};
  rampart::dp::MatchFlow flow;
  flow.client = client;
  flow.server = server;
  flow.client_port = 40000;
  flow.server_port = 80;
  flow.app = rampart::dp::AppLayer::kHttp;
  uint32_t out[64];
  uint32_t n = run->matcher->match(b, flow, *run->scratch, out, 64);
  for (uint32_t i = 0; i < n; ++i) run->sids.push_back(run->matcher->signature(out[i]).sid);
  // Raw-stream signatures: the whole request as one stream.
  if (run->stream != nullptr) {
    run->matcher->reset_stream(run->stream);
    const auto* raw = reinterpret_cast<const uint8_t*>(run->raw.data());
    if (run->matcher->scan_stream(run->stream, raw, static_cast<uint32_t>(run->raw.size()), *run->scratch) != 0) {
      n = run->matcher->verify_candidates(b, flow, *run->scratch, out, 64);
      for (uint32_t i = 0; i < n; ++i) run->sids.push_back(run->matcher->signature(out[i]).sid);
    }
  }
  run->anomalies |= r.anomalies;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> rules;
  std::string cache, requests;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--rules" || a == "--hs-cache" || a == "--requests-jsonl") && i + 1 < argc) {
      (a == "--rules" ? rules.emplace_back() : a == "--hs-cache" ? cache : requests) = argv[++i];
    } else {
      fmt::print(stderr, "usage: rampart-detect --rules FILE_OR_DIR [--hs-cache DIR] --requests-jsonl FILE\n");
      return 2;
    }
  }
  if (rules.empty() || requests.empty()) {
    fmt::print(stderr, "rampart-detect: --rules and --requests-jsonl are required\n");
    return 2;
  }
  rampart::cp::SignatureSet set;
  for (const auto& r : rules) {
    if (!rampart::cp::load_signatures(r, rampart::cp::SignatureVars::defaults(), set)) {
      for (const auto& e : set.errors) fmt::print(stderr, "{}\n", e);
      return 1;
    }
  }
  for (const auto& e : set.errors) fmt::print(stderr, "{}\n", e);
  for (const auto& u : set.unsupported) fmt::print(stderr, "{}\n", u);
  rampart::cp::SignatureCompileOptions opt;
  opt.cache_dir = cache;
  auto compiled = rampart::cp::compile_signatures(std::move(set.signatures), opt);
  if (!compiled) {
    fmt::print(stderr, "rampart-detect: {}\n", compiled.error().message);
    return 1;
  }
  for (const auto& u : compiled->unsupported) fmt::print(stderr, "{}\n", u);
  auto matcher = rampart::dp::SignatureMatcher::build(std::move(*compiled));
  if (!matcher) {
    fmt::print(stderr, "rampart-detect: {}\n", matcher.error().message);
    return 1;
  }
  auto scratch = (*matcher)->make_scratch();
  if (!scratch) {
    fmt::print(stderr, "rampart-detect: {}\n", scratch.error().message);
    return 1;
  }
  hs_stream_t* stream = nullptr;
  if ((*matcher)->has_stream_signatures()) {
    auto st = (*matcher)->open_stream();
    if (!st) {
      fmt::print(stderr, "rampart-detect: {}\n", st.error().message);
      return 1;
    }
    stream = *st;
  }
  std::ifstream in(requests);
  if (!in) {
    fmt::print(stderr, "rampart-detect: cannot open {}\n", requests);
    return 1;
  }
  rampart::dp::HttpParserConfig pc;
  pc.max_body = 65536;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("raw") || !j["raw"].is_string()) {
      fmt::print(stderr, "rampart-detect: {}:{}: not a JSON object with a base64 \"raw\"\n", requests, line_no);
      return 1;
    }
    bool ok = false;
    const std::string raw = base64_decode(j["raw"].get<std::string>(), &ok);
    if (!ok) {
      fmt::print(stderr, "rampart-detect: {}:{}: \"raw\" is not base64\n", requests, line_no);
      return 1;
    }
    Run run{matcher->get(), scratch->get(), stream, raw, {}, 0};
    rampart::dp::HttpRequestParser parser(pc, on_request, &run);
    parser.feed(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    parser.end_of_stream();
    run.anomalies |= parser.stream_anomalies();
    nlohmann::json o;
    o["id"] = j.value("id", nlohmann::json());
    o["sids"] = run.sids;
    auto anomalies = nlohmann::json::array();
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (run.anomalies & bit) anomalies.push_back(rampart::dp::http_anomaly_name(bit));
    }
    o["anomalies"] = anomalies;
    std::cout << o.dump() << '\n';
  }
  rampart::dp::SignatureMatcher::close_stream(stream);
  return 0;
}
