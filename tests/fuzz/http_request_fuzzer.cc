// libFuzzer target for the HTTP request parser and the URI normaliser. The
// first two input bytes seed the chunk sizes and pick the limits; the rest is
// the client byte stream. The stream is parsed twice, whole and in chunks:
// both runs must deliver exactly the same requests (split invariance), every
// view must lie inside what the parser could have produced, and nothing may
// read or write out of bounds (ASan/UBSan in tools/fuzz.sh).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "tests/fuzz/fuzz_support.h"
#include "dataplane/l7/http/http_request_parser.h"
#include "dataplane/l7/http/uri_normalizer.h"

namespace {

using rampart::dp::HttpHeader;
using rampart::dp::HttpParserConfig;
using rampart::dp::HttpRequest;
using rampart::dp::HttpRequestParser;

using Digest = rampart::fuzz::OutputDigest;

void sink(void* ctx, const HttpRequest& r) {
  auto* d = static_cast<Digest*>(ctx);
  ++d->count;
  for (std::string_view s : {r.method, r.uri_raw, r.uri_norm, r.host, r.user_agent, r.cookie, r.content_type, r.body})
    d->add(s);
  for (const HttpHeader& h : r.headers) {
    d->add(h.name);
    d->add(h.value);
  }
  d->add_u64(r.content_length);
  d->add_u64(r.index);
  d->add_u64(uint64_t{r.anomalies} << 32 | r.uri_flags);
  d->add_u64(uint64_t{r.version_major} << 24 | uint64_t{r.version_minor} << 16 | uint64_t{r.has_content_length} << 2 |
             uint64_t{r.chunked} << 1 | uint64_t{r.body_truncated});
  if (r.uri_norm.size() > r.uri_raw.size() + 1) std::abort();
}

// A request whose body is still to come: no body yet, marked as such.
void headers_sink(void* ctx, const HttpRequest& r) {
  if (!r.headers_only || !r.body.empty()) std::abort();
  auto* d = static_cast<Digest*>(ctx);
  d->add_u64(0x4845414445525321ull);  // "HEADERS!": keeps the two sinks apart in the digest
  sink(ctx, r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 1 << 20) return 0;
  const uint8_t seed_a = data[0];
  const uint8_t seed_b = data[1];
  data += 2;
  size -= 2;

  // Tiny limits half the time, so the fuzzer reaches every limit path.
  HttpParserConfig cfg;
  if (seed_a & 1) {
    cfg.max_request_line = 16 + (seed_a >> 4) * 4;
    cfg.max_header_line = 8 + (seed_b & 0x3f);
    cfg.max_headers = seed_b >> 6;
    cfg.header_store = 24 + (seed_a >> 1 & 0x7) * 16;
    cfg.max_body = seed_b & 0x0f;
  }

  // Both sinks feed one digest per parser: the headers-only deliveries must
  // not depend on the split either.
  Digest whole;
  HttpRequestParser p1(cfg, &sink, &whole);
  p1.set_headers_sink(&headers_sink);
  p1.feed(data, size);
  p1.end_of_stream();

  Digest chunked;
  HttpRequestParser p2(cfg, &sink, &chunked);
  p2.set_headers_sink(&headers_sink);
  const size_t max_chunk = (seed_b & 0x80) ? 4 : 64;
  rampart::fuzz::feed_in_chunks(data, size, (uint32_t{seed_a} << 8 | seed_b) | 1u, max_chunk,
                                [&](const uint8_t* d, size_t n) { p2.feed(d, n); });
  p2.end_of_stream();

  if (!(whole == chunked)) std::abort();
  if (p1.stream_anomalies() != p2.stream_anomalies()) std::abort();

  // The normaliser alone, with a buffer that may be too small.
  uint8_t out[512];
  const uint32_t cap = (seed_a & 2) ? 16 : static_cast<uint32_t>(sizeof(out));
  const auto raw_len = static_cast<uint32_t>(std::min<size_t>(size, 4096));
  const rampart::dp::UriNormResult r = rampart::dp::normalize_uri(data, raw_len, out, cap);
  if (r.len > cap || r.len > raw_len + 1) std::abort();
  return 0;
}
