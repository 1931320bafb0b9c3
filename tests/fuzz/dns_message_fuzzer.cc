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

#include "tests/fuzz/fuzz_support.h"
#include "dataplane/l7/dns/dns_message.h"

namespace {

using rampart::dp::DnsMessage;
using rampart::dp::DnsTcpParser;

using Digest = rampart::fuzz::OutputDigest;

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
  rampart::fuzz::feed_in_chunks(data, size, uint32_t{seed} << 8 | 0x33u, (seed & 0x80) ? size_t{3} : size_t{300},
                                [&](const uint8_t* d, size_t n) { p2->feed(d, n); });
  p2->end_of_stream();
  if (!(whole == chunked)) std::abort();

  using rampart::dp::DnsProbe;
  using rampart::dp::DnsTransport;
  const DnsProbe full = rampart::dp::probe_dns_query(data, size, DnsTransport::kTcp);
  const DnsProbe part = rampart::dp::probe_dns_query(data, std::min<size_t>(size, seed), DnsTransport::kTcp);
  if (part != DnsProbe::kNeedMore && part != full) std::abort();
  return 0;
}
