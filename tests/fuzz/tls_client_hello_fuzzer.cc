// libFuzzer target for the TLS ClientHello accumulator, the hello parser and
// the probe. The first input byte seeds the chunk sizes; the rest is the
// client byte stream. It is fed twice, whole and in chunks: status,
// anomalies and every field must agree (split invariance), and every view
// must lie inside the accumulator. ASan/UBSan in tools/fuzz.sh.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "dataplane/l7/tls/tls_client_hello.h"

namespace {

using rampart::dp::TlsClientHello;
using rampart::dp::TlsClientHelloAccumulator;

bool inside(std::string_view v, const TlsClientHelloAccumulator& a) {
  const auto* lo = reinterpret_cast<const char*>(&a);
  const auto* hi = lo + sizeof(a);
  return v.empty() || (v.data() >= lo && v.data() + v.size() <= hi);
}

bool same(const TlsClientHello& x, const TlsClientHello& y) {
  if (x.legacy_version != y.legacy_version || x.supported_version != y.supported_version ||
      x.cipher_count != y.cipher_count || x.extension_count != y.extension_count || x.sni != y.sni ||
      x.alpn_count != y.alpn_count || x.anomalies != y.anomalies || x.has_sni != y.has_sni || x.sslv2 != y.sslv2)
    return false;
  for (uint32_t i = 0; i < x.stored_alpn(); ++i)
    if (x.alpn[i] != y.alpn[i]) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 1 << 17) return 0;
  const uint8_t seed = data[0];
  ++data;
  --size;

  // Heap, not stack: each accumulator is ~16.5 KiB.
  auto whole = std::make_unique<TlsClientHelloAccumulator>();
  whole->feed(data, size);
  whole->end_of_stream();

  auto chunked = std::make_unique<TlsClientHelloAccumulator>();
  rampart::fuzz::feed_in_chunks(data, size, uint32_t{seed} << 8 | 0x5bu, (seed & 0x80) ? size_t{3} : size_t{700},
                                [&](const uint8_t* d, size_t n) { chunked->feed(d, n); });
  chunked->end_of_stream();

  if (whole->status() != chunked->status()) std::abort();
  if (whole->status() == TlsClientHelloAccumulator::Status::kNeedMore) std::abort();
  if (!same(whole->hello(), chunked->hello())) std::abort();
  const TlsClientHello& h = whole->hello();
  if (!inside(h.sni, *whole)) std::abort();
  for (uint32_t i = 0; i < h.stored_alpn(); ++i)
    if (!inside(h.alpn[i], *whole)) std::abort();

  // The probe must be monotone: once kYes or kNo on a prefix, same on the whole.
  const auto full = rampart::dp::probe_tls_client_hello(data, size);
  const auto part = rampart::dp::probe_tls_client_hello(data, std::min<size_t>(size, seed & 15));
  if (part != rampart::dp::TlsProbe::kNeedMore && part != full) std::abort();

  // The parser alone on the raw bytes.
  TlsClientHello direct;
  (void)rampart::dp::parse_tls_client_hello(data, size, direct);
  if (direct.stored_alpn() > TlsClientHello::kMaxAlpn) std::abort();
  return 0;
}
