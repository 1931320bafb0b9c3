// DNS dissector tests: header and first-question fields, compression, every
// split position of a TCP stream of two messages, one table row per anomaly,
// and the UDP / TCP probes.

#include "dataplane/l7/dns/dns_message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rampart::dp {
namespace {

using namespace dns_anomaly;
using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
  Bytes b;
  for (uint16_t v : {id, flags, qd, an, ns, ar}) put16(b, v);
  return b;
}
Bytes name(const std::string& dotted) {
  Bytes b;
  size_t at = 0;
  while (at < dotted.size()) {
    size_t dot = dotted.find('.', at);
    if (dot == std::string::npos) dot = dotted.size();
    b.push_back(static_cast<uint8_t>(dot - at));
    b.insert(b.end(), dotted.begin() + static_cast<long>(at), dotted.begin() + static_cast<long>(dot));
    at = dot + 1;
  }
  b.push_back(0);
  return b;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes qtail(uint16_t qtype = 1, uint16_t qclass = 1) {
  Bytes b;
  put16(b, qtype);
  put16(b, qclass);
  return b;
}
Bytes query(uint16_t id, const std::string& n, uint16_t qtype = 1) {
  return cat({header(id, 0x0100, 1), name(n), qtail(qtype)});
}
const Bytes kOpt{0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
// dig-style response: www.example.com A, answer name compressed to offset 12.
Bytes response() {
  return cat({header(0x1234, 0x8180, 1, 1), name("www.example.com"), qtail(),
              Bytes{0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34}});
}
Bytes tcp(std::initializer_list<Bytes> msgs) {
  Bytes out;
  for (const Bytes& m : msgs) {
    put16(out, m.size());
    out = cat({out, m});
  }
  return out;
}

DnsMessage parse(const Bytes& b, bool* ok = nullptr) {
  DnsMessage m;
  const bool r = parse_dns_message(b.data(), b.size(), m);
  if (ok != nullptr) *ok = r;
  return m;
}

TEST(DnsMessage, QueryFields) {
  bool ok = false;
  const DnsMessage m = parse(query(0xabcd, "www.Example.com", 28), &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(m.id, 0xabcd);
  EXPECT_FALSE(m.qr());
  EXPECT_EQ(m.opcode(), 0);
  EXPECT_EQ(m.rcode(), 0);
  EXPECT_TRUE(m.rd());
  EXPECT_FALSE(m.tc());
  EXPECT_TRUE(m.has_question);
  EXPECT_EQ(m.qname(), "www.Example.com");
  EXPECT_EQ(m.qtype, 28);
  EXPECT_EQ(m.qclass, 1);
  EXPECT_EQ(m.qdcount, 1);
  EXPECT_EQ(m.anomalies, 0u);
}

TEST(DnsMessage, ResponseFields) {
  Bytes r = response();
  r[3] = 0x83;  // NXDOMAIN
  r[2] |= 0x20;  // opcode 4 (NOTIFY)
  const DnsMessage m = parse(r);
  EXPECT_TRUE(m.qr());
  EXPECT_EQ(m.opcode(), 4);
  EXPECT_EQ(m.rcode(), 3);
  EXPECT_EQ(m.ancount, 1);
  EXPECT_EQ(m.qname(), "www.example.com");
  EXPECT_EQ(m.anomalies, 0u);
}

TEST(DnsMessage, RootNameAndEdns) {
  const DnsMessage root = parse(cat({header(1, 0, 1), name(""), qtail(2)}));
  EXPECT_EQ(root.qname(), ".");
  EXPECT_EQ(root.qtype, 2);
  const DnsMessage e = parse(cat({header(2, 0x0120, 1, 0, 0, 1), name("_sip._tcp.example.org"), qtail(33), kOpt}));
  EXPECT_EQ(e.qname(), "_sip._tcp.example.org");
  EXPECT_EQ(e.arcount, 1);
  EXPECT_EQ(e.anomalies, 0u);
}

TEST(DnsMessage, PointerIntoHeaderIsDecodedAndForwardFlagged) {
  // A pointer in the first question can only go forward or into the header.
  const Bytes fwd = cat({header(1, 0x0100, 1), Bytes{0xc0, 18, 0, 1, 0, 1}, name("x.example")});
  const DnsMessage m = parse(fwd);
  EXPECT_TRUE(m.has_question);
  EXPECT_EQ(m.qname(), "x.example");
  EXPECT_EQ(m.qtype, 1);
  EXPECT_EQ(m.anomalies, kForwardPointer);
}

TEST(DnsTcpParser, EverySplitPositionOfTwoMessages) {
  const Bytes stream = tcp({query(1, "a.example"), response()});
  std::vector<std::string> want;
  struct Col {
    std::vector<std::string> got;
    static void sink(void* ctx, const DnsMessage& m) {
      static_cast<Col*>(ctx)->got.push_back(std::to_string(m.id) + "|" + std::string(m.qname()) + "|" +
                                            std::to_string(m.flags) + "|" + std::to_string(m.anomalies));
    }
  };
  Col whole;
  DnsTcpParser p(&Col::sink, &whole);
  p.feed(stream.data(), stream.size());
  p.end_of_stream();
  ASSERT_EQ(whole.got.size(), 2u);
  EXPECT_EQ(whole.got[0], "1|a.example|256|0");
  EXPECT_EQ(whole.got[1], "4660|www.example.com|33152|0");
  EXPECT_EQ(p.messages(), 2u);
  for (size_t i = 0; i <= stream.size(); ++i) {
    Col c;
    DnsTcpParser q(&Col::sink, &c);
    q.feed(stream.data(), i);
    q.feed(stream.data() + i, stream.size() - i);
    q.end_of_stream();
    EXPECT_EQ(c.got, whole.got) << i;
  }
  Col slow;
  DnsTcpParser s(&Col::sink, &slow);
  for (uint8_t b : stream) s.feed(&b, 1);
  EXPECT_EQ(slow.got, whole.got);
}

struct Last {
  DnsMessage m;
  int n = 0;
  static void sink(void* ctx, const DnsMessage& m) {
    static_cast<Last*>(ctx)->m = m;
    ++static_cast<Last*>(ctx)->n;
  }
};

TEST(DnsTcpParser, ResetForgetsAHalfMessage) {
  const Bytes first = tcp({query(7, "p.example")});
  const Bytes second = tcp({query(8, "q.example")});
  Last l;
  DnsTcpParser p(&Last::sink, &l);
  p.feed(first.data(), first.size() - 3);  // inside the first message
  p.reset();                                // a parser reused for another flow
  p.feed(second.data(), second.size());
  ASSERT_EQ(l.n, 1);
  EXPECT_EQ(l.m.id, 8);
  EXPECT_EQ(l.m.qname(), "q.example");
  EXPECT_EQ(l.m.anomalies, 0u);
  EXPECT_EQ(p.messages(), 1u);
}

TEST(DnsTcpParser, IncompleteCutAndEmpty) {
  const Bytes stream = tcp({query(7, "p.example")});
  Last l;
  DnsTcpParser p(&Last::sink, &l);
  p.feed(stream.data(), stream.size() - 3);
  EXPECT_EQ(l.n, 0);
  p.end_of_stream();
  ASSERT_EQ(l.n, 1);
  EXPECT_EQ(l.m.anomalies, kTcpIncomplete | kTruncated);
  EXPECT_EQ(l.m.id, 7);

  Last one;
  DnsTcpParser q(&Last::sink, &one);
  q.feed(stream.data(), 1);
  q.end_of_stream();
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.m.anomalies, kTcpIncomplete | kTruncated);

  // Longer than the buffer: the prefix is parsed, the rest skipped, the next message still found.
  Bytes big = cat({header(9, 0x0100, 1, 0, 0, 1), name("big.example"), qtail(), Bytes(5000, 0)});
  const Bytes two = tcp({big, query(10, "next.example")});
  Last b;
  DnsTcpParser r(&Last::sink, &b);
  r.feed(two.data(), 2 + big.size());
  EXPECT_EQ(b.n, 1);
  EXPECT_EQ(b.m.qname(), "big.example");
  EXPECT_EQ(b.m.anomalies, kTcpMessageCut);
  r.feed(two.data() + 2 + big.size(), two.size() - 2 - big.size());
  EXPECT_EQ(b.n, 2);
  EXPECT_EQ(b.m.qname(), "next.example");

  Last z;
  DnsTcpParser e(&Last::sink, &z);
  const Bytes zero{0, 0};
  e.feed(zero.data(), 2);
  EXPECT_EQ(z.n, 1);
  EXPECT_EQ(z.m.anomalies, kTruncated);
}

struct AnomalyCase {
  const char* name;
  Bytes input;
  bool ok;
  uint32_t anomalies;  // exact set
};

std::vector<AnomalyCase> anomaly_cases() {
  Bytes label64 = cat({header(1, 0x0100, 1), Bytes{64}, Bytes(64, 'a'), Bytes{0}, qtail()});
  Bytes long_name;
  for (int i = 0; i < 4; ++i) long_name = cat({long_name, Bytes{63}, Bytes(63, 'a')});
  long_name = cat({header(1, 0x0100, 1), long_name, Bytes{1, 'b', 0}, qtail()});  // 256 wire bytes
  Bytes max_name;
  for (int i = 0; i < 3; ++i) max_name = cat({max_name, Bytes{63}, Bytes(63, 'a')});
  max_name = cat({header(1, 0x0100, 1), max_name, Bytes{61}, Bytes(61, 'b'), Bytes{0}, qtail()});  // 255
  // Response whose answer name loops: c0 1d points at itself.
  Bytes self_loop = cat({header(1, 0x0100, 1), Bytes{0xc0, 12}, qtail()});
  Bytes two_loop = cat({header(1, 0x0100, 1), Bytes{0xc0, 14, 0xc0, 12}, qtail()});
  Bytes chain = cat({header(1, 0x0100, 1)});
  // 17 pointers, each to the next one: no revisit, but over kMaxPointers.
  for (int i = 0; i < 17; ++i) chain = cat({chain, Bytes{0xc0, static_cast<uint8_t>(12 + 2 * (i + 1))}});
  chain = cat({chain, Bytes{0}, qtail()});
  return {
      {"short_header", Bytes{1, 2, 3}, false, kTruncated},
      {"name_cut", cat({header(1, 0x0100, 1), Bytes{7, 'e', 'x'}}), false, kTruncated | kCountMismatch},
      {"no_root", cat({header(1, 0x0100, 1), Bytes{1, 'a'}}), false, kTruncated | kCountMismatch},
      {"qtype_cut", cat({header(1, 0x0100, 1), name("a.b"), Bytes{0, 1}}), false, kTruncated},
      {"pointer_cut", cat({header(1, 0x0100, 1), Bytes{0xc0}}), false, kTruncated | kCountMismatch},
      {"self_loop", self_loop, false, kCompressionLoop | kForwardPointer},
      {"two_loop", two_loop, false, kCompressionLoop | kForwardPointer},
      {"pointer_chain", chain, false, kCompressionLoop | kForwardPointer},
      {"bad_pointer", cat({header(1, 0x0100, 1), Bytes{0xc1, 0}, qtail()}), false, kBadPointer},
      {"label_64", label64, false, kLabelTooLong},
      {"label_type_0x80", cat({header(1, 0x0100, 1), Bytes{0x80, 0}, qtail()}), false, kLabelTooLong},
      {"name_256", long_name, false, kNameTooLong},
      {"name_255_ok", max_name, true, 0},
      {"no_question", header(1, 0x0100, 0), true, kNoQuestion},
      {"no_question_response", header(1, 0x8180, 0), true, 0},
      {"two_questions", cat({header(1, 0x0100, 2), name("x.y"), qtail(), name("z"), qtail()}), true,
       kMultipleQuestions},
      {"qtype_cut_no_count_mismatch", cat({header(1, 0x0100, 1), name("a.bc"), Bytes{0}}), false, kTruncated},
      {"non_hostname", query(1, std::string("a\0b.c d", 7)), true, kNameNonHostname},
      {"dot_in_label", cat({header(1, 0x0100, 1), Bytes{3, 'a', '.', 'b', 0}, qtail()}), true, kNameNonHostname},
      {"count_mismatch", cat({header(1, 0x0100, 1, 0, 0, 100), name("a.b"), qtail()}), true, kCountMismatch},
      {"answers_in_query",
       cat({header(1, 0x0100, 1, 1), name("a.b"), qtail(), Bytes{0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0}}), true,
       kResponseAsQuery},
  };
}

TEST(DnsMessage, EveryAnomaly) {
  uint32_t seen = 0;
  for (const AnomalyCase& c : anomaly_cases()) {
    bool ok = false;
    const DnsMessage m = parse(c.input, &ok);
    EXPECT_EQ(ok, c.ok) << c.name;
    EXPECT_EQ(m.anomalies, c.anomalies) << c.name;
    if (!ok) {
      EXPECT_EQ(m.qname(), "") << c.name;
    }
    seen |= c.anomalies;
  }
  // The TCP-only bits are covered by DnsTcpParser.IncompleteCutAndEmpty.
  EXPECT_EQ(seen | kTcpMessageCut | kTcpIncomplete, (kResponseAsQuery << 1) - 1);
}

TEST(DnsMessage, LongestNameFitsTheTextBuffer) {
  Bytes n;
  for (int i = 0; i < 127; ++i) n = cat({n, Bytes{1, 'x'}});
  const DnsMessage m = parse(cat({header(1, 0x0100, 1), n, Bytes{0}, qtail()}));
  EXPECT_EQ(m.anomalies, 0u);
  EXPECT_EQ(m.qname().size(), 253u);
}

TEST(DnsMessage, AnomalyNames) {
  for (uint32_t bit = 1; bit <= kResponseAsQuery; bit <<= 1) EXPECT_STRNE(dns_anomaly_name(bit), "unknown") << bit;
  EXPECT_STREQ(dns_anomaly_name(kCompressionLoop), "compression_loop");
  EXPECT_STREQ(dns_anomaly_name(kResponseAsQuery << 1), "unknown");
}

TEST(DnsProbe, Udp) {
  const Bytes q = query(1, "www.example.com");
  EXPECT_TRUE(looks_like_dns_query(q.data(), q.size()));
  const Bytes e = cat({header(2, 0x0120, 1, 0, 0, 1), name("example.org"), qtail(1), kOpt});
  EXPECT_TRUE(looks_like_dns_query(e.data(), e.size()));
  const Bytes root = cat({header(1, 0, 1), name(""), qtail(2)});
  EXPECT_TRUE(looks_like_dns_query(root.data(), root.size()));
  const Bytes r = response();
  EXPECT_FALSE(looks_like_dns_query(r.data(), r.size()));  // QR set
  EXPECT_FALSE(looks_like_dns_query(q.data(), q.size() - 1));
  Bytes trailing = cat({q, Bytes{0}});
  EXPECT_FALSE(looks_like_dns_query(trailing.data(), trailing.size()));
  const Bytes two = cat({header(1, 0x0100, 2), name("x.y"), qtail(), name("z"), qtail()});
  EXPECT_FALSE(looks_like_dns_query(two.data(), two.size()));
  const Bytes bad_class = cat({header(1, 0x0100, 1), name("a.b"), qtail(1, 77)});
  EXPECT_FALSE(looks_like_dns_query(bad_class.data(), bad_class.size()));
  const Bytes space = query(1, "a b.c");
  EXPECT_FALSE(looks_like_dns_query(space.data(), space.size()));
  const Bytes ptr = cat({header(1, 0x0100, 1), Bytes{0xc0, 12}, qtail()});
  EXPECT_FALSE(looks_like_dns_query(ptr.data(), ptr.size()));
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_FALSE(looks_like_dns_query(reinterpret_cast<const uint8_t*>(http.data()), http.size()));
}

TEST(DnsProbe, TcpPrefixes) {
  const Bytes s = tcp({query(1, "www.example.com")});
  EXPECT_EQ(probe_dns_query(s.data(), s.size(), DnsTransport::kTcp), DnsProbe::kYes);
  for (size_t n = 0; n < s.size(); ++n)
    EXPECT_EQ(probe_dns_query(s.data(), n, DnsTransport::kTcp), DnsProbe::kNeedMore) << n;
  // Extra bytes after the first message (a second query) do not matter.
  const Bytes two = tcp({query(1, "a.b"), query(2, "c.d")});
  EXPECT_EQ(probe_dns_query(two.data(), two.size(), DnsTransport::kTcp), DnsProbe::kYes);
  // A response is rejected as soon as the flags arrive.
  const Bytes r = tcp({response()});
  EXPECT_EQ(probe_dns_query(r.data(), 6, DnsTransport::kTcp), DnsProbe::kNo);
  const Bytes tls{22, 3, 1, 2, 0, 1, 0, 1, 0xfc};
  EXPECT_EQ(probe_dns_query(tls.data(), tls.size(), DnsTransport::kTcp), DnsProbe::kNo);
}

}  // namespace
}  // namespace rampart::dp
