// TlsClientHelloAccumulator / parse_tls_client_hello tests: fields of a real
// ClientHello (CPython ssl, OpenSSL 3), every split position, hellos spread
// over many records, one table row per anomaly, SSLv2 and the probe.

#include "dataplane/l7/tls/tls_client_hello.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rampart::dp {
namespace {

using namespace tls_anomaly;
using Bytes = std::vector<uint8_t>;
using Status = TlsClientHelloAccumulator::Status;

// ClientHello from CPython ssl (OpenSSL 3.0): SNI www.example.com, ALPN h2,
// http/1.1, supported_versions 1.3 and 1.2, 18 cipher suites, padding.
constexpr const char* kRealHelloHex = "1603010200010001fc030307533f6b8e130de3855760ac06b0fdbd1d72da8b5e2aae06dfe2c5dd084f66e920e1897c30956ee57e1823d7ed34e058b992d24599c22b292f71128c37b621c10c0024130213031301c02cc030c02bc02fcca9cca8c024c028c023c027009f009e006b006700ff0100018f00000014001200000f7777772e6578616d706c652e636f6d000b000403000102000a00160014001d0017001e0019001801000101010201030104002300000010000e000c02683208687474702f312e310016000000170000000d002a0028040305030603080708080809080a080b080408050806040105010601030303010302040205020602002b00050403040303002d00020101003300260024001d0020ab10478e0e262a1bd1c9ad5d553ee9843bfa5243d3a5934f80e87a38c69a031a001500cc000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

Bytes from_hex(const char* s) {
  Bytes b;
  for (; s[0] != 0 && s[1] != 0; s += 2) b.push_back(static_cast<uint8_t>(std::stoi(std::string(s, 2), nullptr, 16)));
  return b;
}
void put16(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes str(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes ext(uint16_t type, const Bytes& body) {
  Bytes b;
  put16(b, type);
  put16(b, body.size());
  return cat({b, body});
}
Bytes sni_ext(const std::string& host) {
  Bytes entry{0};
  put16(entry, host.size());
  entry = cat({entry, str(host)});
  Bytes list;
  put16(list, entry.size());
  return ext(0, cat({list, entry}));
}
Bytes alpn_ext(std::initializer_list<std::string> protos) {
  Bytes l;
  for (const auto& p : protos) {
    l.push_back(static_cast<uint8_t>(p.size()));
    l = cat({l, str(p)});
  }
  Bytes b;
  put16(b, l.size());
  return ext(16, cat({b, l}));
}
// Handshake message: ClientHello with the given extensions (none: no block).
Bytes hello(const std::vector<Bytes>* exts, uint16_t version = 0x0303, size_t ncipher = 2) {
  Bytes body;
  put16(body, version);
  body.insert(body.end(), 32, 0x11);
  body.push_back(0);  // session id
  put16(body, ncipher * 2);
  for (size_t i = 0; i < ncipher; ++i) put16(body, 0x1301 + i);
  body.push_back(1);
  body.push_back(0);
  if (exts != nullptr) {
    Bytes e;
    for (const Bytes& x : *exts) e = cat({e, x});
    put16(body, e.size());
    body = cat({body, e});
  }
  Bytes h{1, static_cast<uint8_t>(body.size() >> 16)};
  put16(h, body.size() & 0xffff);
  return cat({h, body});
}
Bytes hello(std::vector<Bytes> exts) { return hello(&exts); }
// Wraps a handshake stream in records of at most `max_record` bytes.
Bytes records(const Bytes& hs, size_t max_record = 16384) {
  Bytes out;
  for (size_t i = 0; i < hs.size(); i += max_record) {
    const size_t n = std::min(max_record, hs.size() - i);
    Bytes h{22, 3, 1};
    put16(h, n);
    out = cat({out, h, Bytes(hs.begin() + static_cast<long>(i), hs.begin() + static_cast<long>(i + n))});
  }
  return out;
}

struct Fed {
  std::unique_ptr<TlsClientHelloAccumulator> acc = std::make_unique<TlsClientHelloAccumulator>();
  Status status = Status::kNeedMore;
};
Fed feed_all(const Bytes& b) {
  Fed f;
  f.status = f.acc->feed(b.data(), b.size());
  return f;
}

std::string summary(const TlsClientHelloAccumulator& a) {
  const TlsClientHello& h = a.hello();
  std::string s = std::to_string(static_cast<int>(a.status())) + "|" + std::to_string(h.legacy_version) + "|" +
                  std::to_string(h.supported_version) + "|" + std::to_string(h.cipher_count) + "|" +
                  std::to_string(h.extension_count) + "|" + std::string(h.sni) + "|" + std::to_string(h.anomalies);
  for (uint32_t i = 0; i < h.stored_alpn(); ++i) s += "|" + std::string(h.alpn[i]);
  return s;
}

TEST(TlsClientHello, RealHelloFields) {
  const Bytes b = from_hex(kRealHelloHex);
  Fed f = feed_all(b);
  ASSERT_EQ(f.status, Status::kDone);
  const TlsClientHello& h = f.acc->hello();
  EXPECT_EQ(h.legacy_version, 0x0303);
  EXPECT_EQ(h.supported_version, 0x0304);
  EXPECT_EQ(h.version(), 0x0304);
  EXPECT_TRUE(h.has_sni);
  EXPECT_EQ(h.sni, "www.example.com");
  ASSERT_EQ(h.alpn_count, 2u);
  EXPECT_EQ(h.alpn[0], "h2");
  EXPECT_EQ(h.alpn[1], "http/1.1");
  EXPECT_EQ(h.cipher_count, 18u);
  EXPECT_GT(h.extension_count, 8u);
  EXPECT_EQ(h.anomalies, 0u);
  EXPECT_FALSE(h.sslv2);
  EXPECT_EQ(f.acc->bytes_ignored(), 0u);
}

TEST(TlsClientHello, EverySplitPositionGivesTheSameResult) {
  const Bytes b = from_hex(kRealHelloHex);
  const std::string want = summary(*feed_all(b).acc);
  for (size_t i = 1; i < b.size(); ++i) {
    TlsClientHelloAccumulator acc;
    EXPECT_EQ(acc.feed(b.data(), i), Status::kNeedMore) << i;
    EXPECT_EQ(acc.feed(b.data() + i, b.size() - i), Status::kDone) << i;
    EXPECT_EQ(summary(acc), want) << "split at " << i;
  }
}

TEST(TlsClientHello, ByteAtATimeOverOneByteRecords) {
  const Bytes hs = hello({sni_ext("split.example.net"), alpn_ext({"h2", "a", "b", "c", "d"})});
  for (size_t rec : {size_t{1}, size_t{3}, size_t{40}, size_t{16384}}) {
    const Bytes b = records(hs, rec);
    TlsClientHelloAccumulator acc;
    for (size_t i = 0; i < b.size(); ++i) acc.feed(&b[i], 1);
    ASSERT_EQ(acc.status(), Status::kDone) << rec;
    EXPECT_EQ(acc.hello().sni, "split.example.net");
    EXPECT_EQ(acc.hello().alpn_count, 5u);
    EXPECT_EQ(acc.hello().stored_alpn(), TlsClientHello::kMaxAlpn);
    EXPECT_EQ(acc.hello().alpn[3], "c");
    EXPECT_EQ(acc.hello().anomalies, 0u);
  }
}

TEST(TlsClientHello, EverySplitOfAMultiRecordHello) {
  const Bytes b = records(hello({sni_ext("m.example"), alpn_ext({"h2"})}), 7);
  const std::string want = summary(*feed_all(b).acc);
  for (size_t i = 1; i < b.size(); ++i) {
    for (size_t j = i; j < b.size(); j += 13) {
      TlsClientHelloAccumulator acc;
      acc.feed(b.data(), i);
      acc.feed(b.data() + i, j - i);
      acc.feed(b.data() + j, b.size() - j);
      ASSERT_EQ(summary(acc), want) << i << "," << j;
    }
  }
}

TEST(TlsClientHello, BytesAfterTheHelloAreIgnored) {
  Bytes b = from_hex(kRealHelloHex);
  const Bytes ccs{20, 3, 3, 0, 1, 1};
  b = cat({b, ccs});
  Fed f = feed_all(b);
  EXPECT_EQ(f.status, Status::kDone);
  EXPECT_EQ(f.acc->bytes_ignored(), ccs.size());
  EXPECT_EQ(f.acc->feed(ccs.data(), ccs.size()), Status::kDone);
  EXPECT_EQ(f.acc->bytes_ignored(), 2 * ccs.size());
}

TEST(TlsClientHello, NoExtensionsAndGreaseVersions) {
  Fed f = feed_all(records(hello(nullptr, 0x0301, 5)));
  ASSERT_EQ(f.status, Status::kDone);
  EXPECT_EQ(f.acc->hello().legacy_version, 0x0301);
  EXPECT_EQ(f.acc->hello().supported_version, 0);
  EXPECT_EQ(f.acc->hello().version(), 0x0301);
  EXPECT_EQ(f.acc->hello().cipher_count, 5u);
  EXPECT_FALSE(f.acc->hello().has_sni);
  EXPECT_EQ(f.acc->anomalies(), 0u);

  // GREASE 0x7a7a is the highest value but not a version.
  Fed g = feed_all(records(hello({ext(0x0a0a, {}), ext(43, {6, 0x7a, 0x7a, 3, 4, 3, 3})})));
  ASSERT_EQ(g.status, Status::kDone);
  EXPECT_EQ(g.acc->hello().supported_version, 0x0304);
  EXPECT_EQ(g.acc->anomalies(), 0u);
}

TEST(TlsClientHello, EndOfStreamAndReset) {
  const Bytes b = from_hex(kRealHelloHex);
  TlsClientHelloAccumulator acc;
  acc.feed(b.data(), 100);
  EXPECT_EQ(acc.end_of_stream(), Status::kFailed);
  EXPECT_EQ(acc.anomalies(), kIncomplete);
  acc.reset();
  EXPECT_EQ(acc.feed(b.data(), b.size()), Status::kDone);
  EXPECT_EQ(acc.end_of_stream(), Status::kDone);
  EXPECT_EQ(acc.hello().sni, "www.example.com");
}

struct AnomalyCase {
  const char* name;
  Bytes input;
  Status status;
  uint32_t anomalies;  // exact set
};

std::vector<AnomalyCase> anomaly_cases() {
  Bytes bad_list = sni_ext("abc");
  bad_list[5] = 9;  // server_name_list length larger than the extension
  Bytes big_name(300, 'a');
  Bytes two_names = ext(0, {0, 12, 0, 0, 3, 'a', '.', 'b', 0, 0, 3, 'c', '.', 'd'});
  Bytes trailing = hello({sni_ext("t.example")});
  trailing.push_back(0);
  trailing[3] = static_cast<uint8_t>(trailing[3] + 1);
  Bytes ext_overrun = hello({sni_ext("o.example")});
  ext_overrun[4 + 2 + 32 + 1 + 2 + 4 + 2 + 1] += 1;  // extensions length (high byte is before it)
  Bytes many;
  for (int i = 0; i < 70; ++i) many = cat({many, ext(static_cast<uint16_t>(100 + i), {})});
  std::vector<Bytes> many_exts{many};
  Bytes sslv2{0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
  for (int i = 0; i < 21; ++i) sslv2.push_back(static_cast<uint8_t>(i));
  sslv2.insert(sslv2.end(), 16, 'C');
  Bytes sslv2_bad = sslv2;
  sslv2_bad[6] = 0x14;  // cipher_spec_length 20: not a multiple of 3, sum off
  Bytes rec_v2 = records(hello({sni_ext("v.example")}));
  rec_v2[1] = 2;
  Bytes empty_rec = cat({Bytes{22, 3, 1, 0, 0}, records(hello({sni_ext("e.example")}))});
  Bytes bad_sid = hello({sni_ext("s.example")});
  bad_sid[4 + 34] = 40;  // session id length over 32 (the bytes then eat the rest)
  return {
      {"sni_nul", records(hello({sni_ext(std::string("evil.com\0good.com", 17))})), Status::kDone, kSniNul},
      {"sni_bad_char", records(hello({sni_ext("ev il/..com")})), Status::kDone, kSniBadChar},
      {"sni_utf8", records(hello({sni_ext("b\xc3\xbc" "cher.de")})), Status::kDone, kSniBadChar},
      {"sni_empty", records(hello({sni_ext("")})), Status::kDone, kSniEmpty},
      {"sni_too_long", records(hello({sni_ext(std::string(300, 'a'))})), Status::kDone, kSniTooLong},
      {"sni_multiple", records(hello({two_names})), Status::kDone, kSniMultipleNames},
      {"sni_list_length", records(hello({bad_list})), Status::kDone, kBadLength},
      {"duplicate_sni_ext", records(hello({sni_ext("a.com"), sni_ext("b.com")})), Status::kDone,
       kDuplicateExtension},
      {"duplicate_other_ext", records(hello({ext(23, {}), ext(23, {})})), Status::kDone, kDuplicateExtension},
      {"duplicate_alpn", records(hello({alpn_ext({"h2"}), alpn_ext({"x"})})), Status::kDone, kDuplicateExtension},
      {"trailing", records(trailing), Status::kDone, kTrailingBytes},
      {"ext_overrun", records(ext_overrun), Status::kDone, kBadLength},
      {"empty_alpn", records(hello({alpn_ext({"h2", ""})})), Status::kDone, kEmptyAlpn},
      {"alpn_overrun", records(hello({ext(16, {0, 4, 5, 'h', '2'})})), Status::kDone, kBadLength},
      {"versions_odd", records(hello({ext(43, {3, 3, 4, 3})})), Status::kDone, kBadLength},
      {"many_extensions", records(hello(many_exts)), Status::kDone, kManyExtensions},
      {"sslv2", sslv2, Status::kDone, kSslv2Hello},
      {"sslv2_bad_lengths", sslv2_bad, Status::kDone, kSslv2Hello | kBadLength},
      {"sslv2_too_short", Bytes{0x80, 0x03, 0x01, 0x03, 0x01}, Status::kFailed, kNotTls | kBadLength},
      {"sslv2_server_hello", Bytes{0x80, 0x20, 0x04, 0, 0, 0, 0, 0, 0, 0, 0}, Status::kFailed,
       kNotTls | kNotClientHello},
      {"record_version", rec_v2, Status::kDone, kBadRecordVersion},
      {"empty_record", empty_rec, Status::kDone, kBadRecordLength},
      {"record_over_2_14", records(hello({ext(21, Bytes(16400, 0))}), 16500), Status::kFailed,
       kBadRecordLength | kOversizedHello},
      {"oversized_hello", Bytes{22, 3, 1, 0, 4, 1, 0, 0x50, 0}, Status::kFailed, kOversizedHello},
      {"server_hello", records(Bytes{2, 0, 0, 2, 3, 3}), Status::kFailed, kNotClientHello},
      {"alert_interleaved", Bytes{22, 3, 1, 0, 2, 1, 0, 21, 3, 1, 0, 2, 2, 40}, Status::kFailed,
       kInterleavedRecord},
      {"http", str("GET / HTTP/1.1\r\n"), Status::kFailed, kNotTls},
      {"fixed_part_cut", records(Bytes{1, 0, 0, 10, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8}), Status::kFailed, kBadLength},
      {"session_id_over_32", records(bad_sid), Status::kFailed, kBadLength},
  };
}

TEST(TlsClientHello, EveryAnomaly) {
  uint32_t seen = 0;
  for (const AnomalyCase& c : anomaly_cases()) {
    Fed f = feed_all(c.input);
    EXPECT_EQ(f.status, c.status) << c.name;
    EXPECT_EQ(f.acc->anomalies(), c.anomalies) << c.name;
    seen |= c.anomalies;
    // The same bytes one at a time give the same answer.
    TlsClientHelloAccumulator slow;
    for (uint8_t byte : c.input) slow.feed(&byte, 1);
    EXPECT_EQ(summary(slow), summary(*f.acc)) << c.name;
  }
  // kIncomplete is covered by EndOfStreamAndReset.
  EXPECT_EQ(seen | kIncomplete, (kIncomplete << 1) - 1);
}

TEST(TlsClientHello, SniCharactersAreKeptAsSent) {
  Fed f = feed_all(records(hello({sni_ext(std::string("a\0b", 3))})));
  EXPECT_EQ(f.acc->hello().sni, std::string_view("a\0b", 3));
  Fed g = feed_all(records(hello({sni_ext("Under_Score-1.Example.COM")})));
  EXPECT_EQ(g.acc->hello().sni, "Under_Score-1.Example.COM");
  EXPECT_EQ(g.acc->anomalies(), 0u);
}

TEST(TlsClientHello, AnomalyNames) {
  for (uint32_t bit = 1; bit <= kIncomplete; bit <<= 1) EXPECT_STRNE(tls_anomaly_name(bit), "unknown") << bit;
  EXPECT_STREQ(tls_anomaly_name(kSniNul), "sni_nul");
  EXPECT_STREQ(tls_anomaly_name(kIncomplete << 1), "unknown");
}

TEST(TlsProbe, RealHelloAndPrefixes) {
  const Bytes b = from_hex(kRealHelloHex);
  EXPECT_EQ(probe_tls_client_hello(b.data(), b.size()), TlsProbe::kYes);
  EXPECT_TRUE(looks_like_tls_client_hello(b.data(), 11));
  for (size_t n = 0; n < 11; ++n) EXPECT_EQ(probe_tls_client_hello(b.data(), n), TlsProbe::kNeedMore) << n;
}

TEST(TlsProbe, Rejects) {
  const Bytes b = from_hex(kRealHelloHex);
  auto with = [&b](size_t i, uint8_t v) {
    Bytes c = b;
    c[i] = v;
    return probe_tls_client_hello(c.data(), c.size());
  };
  EXPECT_EQ(with(0, 0x17), TlsProbe::kNo);  // application data
  EXPECT_EQ(with(1, 2), TlsProbe::kNo);
  EXPECT_EQ(with(2, 9), TlsProbe::kNo);
  EXPECT_EQ(with(3, 0x70), TlsProbe::kNo);  // record length
  EXPECT_EQ(with(5, 2), TlsProbe::kNo);     // ServerHello
  EXPECT_EQ(with(6, 1), TlsProbe::kNo);     // hello > 64 KiB
  EXPECT_EQ(with(9, 1), TlsProbe::kNo);
  EXPECT_EQ(with(10, 7), TlsProbe::kNo);
  const Bytes http = str("GET / HTTP/1.1\r\n");
  EXPECT_EQ(probe_tls_client_hello(http.data(), http.size()), TlsProbe::kNo);
  const Bytes ssh = str("SSH-2.0-OpenSSH_9.0\r\n");
  EXPECT_EQ(probe_tls_client_hello(ssh.data(), ssh.size()), TlsProbe::kNo);
}

TEST(TlsProbe, Sslv2) {
  const Bytes v2{0x80, 0x2e, 0x01, 0x03, 0x01};
  EXPECT_EQ(probe_tls_client_hello(v2.data(), v2.size()), TlsProbe::kYes);
  EXPECT_EQ(probe_tls_client_hello(v2.data(), 4), TlsProbe::kNeedMore);
  const Bytes v2_odd{0x80, 0x2e, 0x01, 0x05, 0x01};
  EXPECT_EQ(probe_tls_client_hello(v2_odd.data(), v2_odd.size()), TlsProbe::kNo);
  const Bytes v2_short{0x80, 0x05, 0x01, 0x03, 0x01};
  EXPECT_EQ(probe_tls_client_hello(v2_short.data(), v2_short.size()), TlsProbe::kNo);
}

}  // namespace
}  // namespace rampart::dp
