// libFuzzer target for the DNS message parser, the TCP stream parser and the
// probes. The first input byte seeds the chunk sizes; the rest is parsed as
// a UDP payload and as a TCP stream, whole and in chunks: both TCP runs must
// deliver the same messages (split invariance), names must stay within
// bounds, and nothing may read or write out of bounds (ASan/UBSan in
// tools/fuzz.sh).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "dataplane/l7/dns/dns_message.h"

namespace {

using rampart::dp::DnsMessage;
using rampart::dp::DnsTcpParser;

struct Digest {
  uint64_t h = 1469598103934665603ull;
  uint64_t count = 0;
  void add(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
};

void check(const DnsMessage& m) {
  if (m.qname_len > 254) std::abort();  // 253 text chars, or "."
  if (m.has_question && m.qname_len == 0) std::abort();
}

void sink(void* ctx, const DnsMessage& m) {
  check(m);
  auto* d = static_cast<Digest*>(ctx);
  ++d->count;
  const uint16_t f[] = {m.id, m.flags, m.qdcount, m.ancount, m.nscount, m.arcount, m.qtype, m.qclass, m.qname_len};
  d->add(f, sizeof(f));
  d->add(&m.anomalies, sizeof(m.anomalies));
  d->add(m.qname_buf, m.qname_len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 1 << 17) return 0;
  const uint8_t seed = data[0];
  ++data;
  --size;

  DnsMessage udp;
  const bool ok = rampart::dp::parse_dns_message(data, size, udp);
  check(udp);
  if (ok && udp.qdcount > 0 && !udp.has_question) std::abort();
  const bool probe_yes = rampart::dp::looks_like_dns_query(data, size);
  // A query the probe accepts must parse cleanly.
  if (probe_yes && (!ok || !udp.has_question || udp.qr())) std::abort();

  Digest whole;
  auto p1 = std::make_unique<DnsTcpParser>(&sink, &whole);
  p1->feed(data, size);
  p1->end_of_stream();

  Digest chunked;
  auto p2 = std::make_unique<DnsTcpParser>(&sink, &chunked);
  uint32_t x = uint32_t{seed} << 8 | 0x33u;
  size_t at = 0;
  while (at < size) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const size_t max_chunk = (seed & 0x80) ? 3 : 300;
    const size_t n = std::min(size - at, size_t{1} + x % max_chunk);
    p2->feed(data + at, n);
    at += n;
  }
  p2->end_of_stream();
  if (whole.count != chunked.count || whole.h != chunked.h) std::abort();

  using rampart::dp::DnsProbe;
  using rampart::dp::DnsTransport;
  const DnsProbe full = rampart::dp::probe_dns_query(data, size, DnsTransport::kTcp);
  const DnsProbe part = rampart::dp::probe_dns_query(data, std::min<size_t>(size, seed), DnsTransport::kTcp);
  if (part != DnsProbe::kNeedMore && part != full) std::abort();
  return 0;
}
