// Table-driven parser tests: each case is a crafted frame and the expected
// outcome (a DropReason, or kNone plus the fields that must have been read).

#include "dataplane/parse/packet_parser.h"

#include <gtest/gtest.h>

#include <functional>

#include "dataplane/parse/l4_checksum.h"
#include "tests/unit/packet_builder.h"

namespace rampart::dp {
namespace {

using test::Bytes;
using test::Frame;

struct Case {
  const char* name;
  std::function<Bytes()> make;
  DropReason expect;
};

Bytes tcp_syn() { return Frame{}.build(); }

Bytes with(Bytes b, std::function<void(Bytes&)> f) {
  f(b);
  return b;
}

// Offset of the IPv4 header in an untagged frame.
constexpr std::size_t kL3 = 14;

const Case kMalformed[] = {
    {"empty frame", [] { return Bytes{}; }, DropReason::kEthTruncated},
    {"13-byte frame", [] { return Bytes(13, 0); }, DropReason::kEthTruncated},
    {"vlan tag cut", [] { return with(Frame{.vlans = {10}}.build(), [](Bytes& b) { b.resize(16); }); },
     DropReason::kVlanTruncated},
    {"three vlan tags",
     [] {
       Bytes b = Frame{.vlans = {10, 20}}.build();
       // Insert a third 802.1Q tag after the second.
       const uint8_t tag[] = {0x81, 0x00, 0x00, 0x1e};
       b.insert(b.begin() + 20, tag, tag + 4);
       return b;
     },
     DropReason::kVlanTooDeep},
    {"ipv4 header cut", [] { return with(tcp_syn(), [](Bytes& b) { b.resize(kL3 + 10); }); },
     DropReason::kIpv4Truncated},
    {"ipv4 version 5", [] { return with(tcp_syn(), [](Bytes& b) { b[kL3] = 0x55; }); },
     DropReason::kIpv4BadVersion},
    {"ipv4 ihl 4", [] { return with(tcp_syn(), [](Bytes& b) { b[kL3] = 0x44; }); },
     DropReason::kIpv4BadHeaderLength},
    {"ipv4 total length below header",
     [] { return with(tcp_syn(), [](Bytes& b) { test::put16(b, kL3 + 2, 19); }); }, DropReason::kIpv4BadTotalLength},
    {"ipv4 total length past frame",
     [] { return with(tcp_syn(), [](Bytes& b) { test::put16(b, kL3 + 2, 400); }); }, DropReason::kIpv4Truncated},
    {"ipv4 bad checksum", [] { return with(tcp_syn(), [](Bytes& b) { b[kL3 + 10] ^= 0xff; }); },
     DropReason::kIpv4BadChecksum},
    {"ipv4 option length zero", [] { return Frame{.ipv4_options = {0x07, 0x00, 0x00, 0x00}}.build(); },
     DropReason::kIpv4BadOptions},
    {"ipv4 option runs past header", [] { return Frame{.ipv4_options = {0x07, 0x09, 0x04, 0x00}}.build(); },
     DropReason::kIpv4BadOptions},
    {"tcp header cut", [] { return Frame{.l4_override = Bytes(12, 0)}.build(); }, DropReason::kTcpTruncated},
    {"tcp data offset 4",
     [] { return with(tcp_syn(), [](Bytes& b) { b[kL3 + 20 + 12] = 4 << 4; }); }, DropReason::kTcpBadHeaderLength},
    {"tcp data offset past segment",
     [] { return with(tcp_syn(), [](Bytes& b) { b[kL3 + 20 + 12] = 15 << 4; }); }, DropReason::kTcpBadHeaderLength},
    {"tcp syn+fin", [] { return Frame{.tcp_flags = 0x03}.build(); }, DropReason::kTcpBadFlags},
    {"tcp syn+rst", [] { return Frame{.tcp_flags = 0x06}.build(); }, DropReason::kTcpBadFlags},
    {"tcp null flags", [] { return Frame{.tcp_flags = 0x00}.build(); }, DropReason::kTcpBadFlags},
    {"tcp xmas (fin psh urg)", [] { return Frame{.tcp_flags = 0x29}.build(); }, DropReason::kTcpBadFlags},
    {"udp header cut", [] { return Frame{.proto = 17, .l4_override = Bytes(6, 0)}.build(); },
     DropReason::kUdpTruncated},
    {"udp length 4",
     [] { return with(Frame{.proto = 17}.build(), [](Bytes& b) { test::put16(b, kL3 + 20 + 4, 4); }); },
     DropReason::kUdpBadLength},
    {"udp length past datagram",
     [] { return with(Frame{.proto = 17}.build(), [](Bytes& b) { test::put16(b, kL3 + 20 + 4, 99); }); },
     DropReason::kUdpBadLength},
    {"icmp cut", [] { return Frame{.proto = 1, .l4_override = Bytes(4, 0)}.build(); }, DropReason::kIcmpTruncated},
    {"sctp cut", [] { return Frame{.proto = 132, .l4_override = Bytes(8, 0)}.build(); },
     DropReason::kSctpTruncated},
    {"ipv6 header cut",
     [] { return with(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2"}.build(), [](Bytes& b) {
            b.resize(kL3 + 30);
          }); },
     DropReason::kIpv6Truncated},
    {"ipv6 version 4 in v6 ethertype",
     [] { return with(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2"}.build(), [](Bytes& b) {
            b[kL3] = 0x40;
          }); },
     DropReason::kIpv6BadVersion},
    {"ipv6 payload length past frame",
     [] { return with(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2"}.build(), [](Bytes& b) {
            test::put16(b, kL3 + 4, 500);
          }); },
     DropReason::kIpv6Truncated},
    {"ipv6 hop-by-hop not first",
     [] { return Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .v6_ext = {60, 0}}.build(); },
     DropReason::kIpv6BadExtHeader},
    {"ipv6 nine extension headers",
     [] {
       return Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .v6_ext = {0, 60, 60, 60, 60, 60, 60, 60, 60}}
           .build();
     },
     DropReason::kIpv6TooManyExtHeaders},
    {"ipv6 extension header runs past payload",
     [] { return with(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .v6_ext = {60}}.build(),
                      [](Bytes& b) { b[kL3 + 40 + 1] = 20; }); },
     DropReason::kIpv6BadExtHeader},
    {"ipv4 fragment of odd length with more fragments",
     [] { return Frame{.proto = 17, .more_fragments = true, .payload = Bytes(13, 1)}.build(); },
     DropReason::kFragBadLength},
    {"ipv4 fragment past 65535",
     [] { return Frame{.proto = 17, .frag_offset = 65528, .payload = Bytes(16, 1)}.build(); },
     DropReason::kFragBadLength},
};

class MalformedTest : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedTest, DropsWithNamedReason) {
  const Case& c = GetParam();
  const Bytes b = c.make();
  PacketMeta m;
  const DropReason r = parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m);
  EXPECT_EQ(drop_reason_name(r), drop_reason_name(c.expect)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Parser, MalformedTest, ::testing::ValuesIn(kMalformed),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string s = i.param.name;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

PacketMeta parse_ok(const Bytes& b) {
  PacketMeta m;
  const DropReason r = parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m);
  EXPECT_EQ(drop_reason_name(r), "none");
  return m;
}

TEST(Parser, TcpSynFields) {
  const PacketMeta m = parse_ok(Frame{.sport = 1234, .dport = 443, .tcp_flags = 0x02, .seq = 77}.build());
  EXPECT_EQ(m.l3, L3::kIpv4);
  EXPECT_EQ(m.proto, 6);
  EXPECT_EQ(m.src_port, 1234);
  EXPECT_EQ(m.dst_port, 443);
  EXPECT_EQ(m.tcp_flags, 0x02);
  EXPECT_EQ(m.tcp_seq, 77u);
  EXPECT_EQ(m.l2_len, 14);
  EXPECT_EQ(m.l3_hdr_len, 20);
  EXPECT_EQ(m.src[0], 198);
  EXPECT_EQ(m.src[3], 1);
  EXPECT_FALSE(m.is_fragment);
}

TEST(Parser, Ipv4ChecksumCheckCanBeTurnedOff) {
  Bytes b = Frame{.sport = 1234, .dport = 443, .tcp_flags = 0x02}.build();
  b[kL3 + 10] ^= 0xff;
  PacketMeta m{};
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kIpv4BadChecksum);
  ParseOptions off;
  off.ipv4_checksum = false;
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m, off),
            DropReason::kNone);
  EXPECT_EQ(m.dst_port, 443);
  // Every other check still applies.
  b[kL3] = 0x44;
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m, off),
            DropReason::kIpv4BadHeaderLength);
}

TEST(Parser, QinQCarriesOuterVlan) {
  const PacketMeta m = parse_ok(Frame{.vlans = {100, 200}}.build());
  EXPECT_EQ(m.vlan_count, 2);
  EXPECT_EQ(m.vlan_outer, 100);
  EXPECT_EQ(m.l2_len, 22);
  EXPECT_EQ(m.dst_port, 80);
}

TEST(Parser, Ipv4OptionsAreSkipped) {
  // Router alert (4 bytes).
  const PacketMeta m = parse_ok(Frame{.dport = 22, .ipv4_options = {0x94, 0x04, 0x00, 0x00}}.build());
  EXPECT_EQ(m.l3_hdr_len, 24);
  EXPECT_EQ(m.dst_port, 22);
}

TEST(Parser, Ipv6ExtensionHeadersReachTheTransport) {
  const PacketMeta m = parse_ok(
      Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17, .dport = 53, .v6_ext = {0, 60}}
          .build());
  EXPECT_EQ(m.l3, L3::kIpv6);
  EXPECT_EQ(m.proto, 17);
  EXPECT_EQ(m.dst_port, 53);
  EXPECT_EQ(m.l3_hdr_len, 56);
}

TEST(Parser, Ipv6FirstFragmentHasPortsLaterOneDoesNot) {
  const PacketMeta first = parse_ok(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17,
                                          .dport = 53, .v6_fragment = true, .more_fragments = true,
                                          .payload = Bytes(16, 0)}
                                        .build());
  EXPECT_TRUE(first.is_fragment);
  EXPECT_TRUE(first.l4_parsed);
  EXPECT_EQ(first.dst_port, 53);
  const PacketMeta later = parse_ok(Frame{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17,
                                          .v6_fragment = true, .frag_offset = 24, .frag_id = 9,
                                          .l4_override = Bytes(8, 0xaa)}
                                        .build());
  EXPECT_TRUE(later.is_fragment);
  EXPECT_FALSE(later.l4_parsed);
  EXPECT_EQ(later.frag_offset, 24);
  EXPECT_EQ(later.frag_id, 9u);
}

TEST(Parser, TinyFirstFragmentIsParsedWithoutL4) {
  // 8 bytes of TCP header in the first fragment: not a malformed packet by
  // itself, but the tracker must refuse the datagram (RFC 1858).
  const PacketMeta m = parse_ok(Frame{.more_fragments = true, .l4_override = Bytes(8, 0)}.build());
  EXPECT_TRUE(m.is_fragment);
  EXPECT_FALSE(m.l4_parsed);
}

TEST(Parser, IcmpEchoUsesIdentifierAsPorts) {
  const PacketMeta m = parse_ok(Frame{.proto = 1, .sport = 0x4242, .icmp_type = 8}.build());
  EXPECT_EQ(m.src_port, 0x4242);
  EXPECT_EQ(m.dst_port, 0x4242);
  EXPECT_FALSE(m.icmp_error);
}

TEST(Parser, IcmpErrorQuotesTheOffendingFlow) {
  // Port unreachable for 198.18.0.1:5000 -> 198.18.0.2:53/udp, sent back by .2.
  Bytes inner = Frame{.proto = 17, .sport = 5000, .dport = 53}.build();
  inner.erase(inner.begin(), inner.begin() + 14);
  Bytes l4(8, 0);
  l4[0] = 3;
  l4[1] = 3;
  l4.insert(l4.end(), inner.begin(), inner.end());
  const PacketMeta m = parse_ok(Frame{.src = "198.18.0.2", .dst = "198.18.0.1", .proto = 1, .l4_override = l4}.build());
  ASSERT_TRUE(m.icmp_error);
  EXPECT_EQ(m.inner_proto, 17);
  EXPECT_EQ(m.inner_src_port, 5000);
  EXPECT_EQ(m.inner_dst_port, 53);
  EXPECT_EQ(m.inner_src[3], 1);
  EXPECT_EQ(m.inner_dst[3], 2);
}

TEST(Parser, NonIpIsNotAnError) {
  Bytes b(60, 0);
  b[12] = 0x08;
  b[13] = 0x06;  // ARP
  const PacketMeta m = parse_ok(b);
  EXPECT_EQ(m.l3, L3::kNone);
  EXPECT_EQ(m.ether_type, 0x0806);
}

TEST(Parser, EthernetPaddingIsAllowed) {
  Bytes b = Frame{}.build();
  b.resize(b.size() + 6, 0);  // padded to the minimum frame size
  const PacketMeta m = parse_ok(b);
  EXPECT_EQ(m.l3_len, 40);
}

TEST(Parser, HeadOnlyBufferReportsHeadersTooLongNotGarbage) {
  // Only 30 bytes of a 54-byte frame were linearised: the parser must not
  // read past them.
  const Bytes b = Frame{}.build();
  PacketMeta m;
  EXPECT_EQ(parse_packet(b.data(), 30, static_cast<uint32_t>(b.size()), m), DropReason::kHeadersTooLong);
}

}  // namespace
}  // namespace rampart::dp

namespace rampart::dp {
namespace {

// l4_checksum_ok over a frame: the parser's meta, the head, the payload.
bool checksum_ok(const test::Bytes& b) {
  PacketMeta m;
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kNone);
  const uint8_t* payload = b.data() + m.l2_len + m.l3_hdr_len + m.l4_len;
  return l4_checksum_ok(m, b.data(), payload, m.payload_len);
}

TEST(L4Checksum, RightChecksumsPassAndOneFlippedByteFails) {
  for (const int family : {4, 6}) {
    for (const uint8_t proto : {uint8_t{6}, uint8_t{17}}) {
      test::Frame f{.family = family, .src = family == 4 ? "198.18.0.1" : "2001:db8::1",
                    .dst = family == 4 ? "198.18.0.2" : "2001:db8::2", .proto = proto, .tcp_flags = 0x18,
                    .payload = test::Bytes{'a', 'b', 'c', 'd', 'e'}};  // odd length
      test::Bytes b = f.build();
      EXPECT_TRUE(checksum_ok(b)) << "family " << family << " proto " << int{proto};
      b.back() ^= 0x20;
      EXPECT_FALSE(checksum_ok(b)) << "family " << family << " proto " << int{proto};
    }
  }
}

TEST(L4Checksum, Ipv4UdpWithoutChecksumPasses) {
  test::Frame f{.proto = 17, .payload = test::Bytes(9, 'x')};
  test::Bytes b = f.build();
  const std::size_t at = 14 + 20 + 6;
  b[at] = b[at + 1] = 0;
  EXPECT_TRUE(checksum_ok(b));
}

}  // namespace
}  // namespace rampart::dp

namespace rampart::dp {
namespace {

// A Home Address option (RFC 6275) makes the pseudo-header's source the
// home address: the parser says so, and the checksum is not judged against
// the base header's addresses.
TEST(Parser, HomeAddressOptionIsFlaggedForTheChecksum) {
  test::Frame f{.family = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17,
                .payload = test::Bytes(4, 'x')};
  test::Bytes b = f.build();
  const std::size_t ip = 14;
  // Destination options, 24 bytes: Pad1 x2, Home Address (0xc9, 16 bytes), PadN 2.
  test::Bytes opts = {17, 2, 0, 0, 0xc9, 16};
  for (int i = 0; i < 16; ++i) opts.push_back(static_cast<uint8_t>(0x20 + i));
  opts.push_back(1);
  opts.push_back(0);
  ASSERT_EQ(opts.size(), 24u);
  b.insert(b.begin() + ip + 40, opts.begin(), opts.end());
  b[ip + 6] = 60;
  test::put16(b, ip + 4, static_cast<uint16_t>(((b[ip + 4] << 8) | b[ip + 5]) + 24));
  PacketMeta m;
  ASSERT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kNone);
  EXPECT_TRUE(m.ipv6_other_pseudo_addr);
  EXPECT_EQ(m.proto, 17);
  b[ip + 40 + 4] = 1;  // the same header with PadN instead: an ordinary packet
  ASSERT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kNone);
  EXPECT_FALSE(m.ipv6_other_pseudo_addr);
}

}  // namespace
}  // namespace rampart::dp
