#!/usr/bin/python3
"""One malformed packet per decoder check, each must be dropped under its own
reason; a well-formed UDP packet at the end is still forwarded.

Everything else in each packet is valid (checksums right, lengths agreeing),
so only the one defect can be the reason.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403
from scapy.utils import checksum  # noqa: E402

E4 = lambda: Ether(src=MAC_C, dst=MAC_S, type=0x0800)  # noqa: E731
E6 = lambda: Ether(src=MAC_C, dst=MAC_S, type=0x86DD)  # noqa: E731


def ip4(**kw):
    return IP(src=C4, dst=S4, **kw)


def ip6(**kw):
    return IPv6(src=C6, dst=S6, **kw)


valid_ip_udp = raw(ip4() / UDP(sport=40000, dport=53) / Raw(b"x" * 20))

# Hop-by-hop header announcing 88 bytes (hdr ext len 10) while the packet
# (and its payload length) only holds 16 of them.
bad_hbh = bytes([17, 10]) + bytes([1, 4, 0, 0, 0, 0]) + b"\x00" * 8

def ip4_bad_options():
    """IPv4 header with IHL 6 whose option (LSRR, 0x83) claims length 1 (< 2)."""
    hdr = IP(src=C4, dst=S4, ihl=6, options=[], proto=17, len=24 + 8)
    b = bytearray(raw(hdr)[:20]) + bytearray(b"\x83\x01\x00\x00")
    b[0] = 0x46
    b[10:12] = b"\x00\x00"
    ck = checksum(bytes(b))
    b[10:12] = ck.to_bytes(2, "big")
    return bytes(b) + raw(UDP(sport=40000, dport=53, len=8, chksum=0))


def ip6_jumbo():
    """Payload length 0 with a hop-by-hop header: a jumbogram (RFC 2675)."""
    jumbo_opt = bytes([0xC2, 4]) + (70000).to_bytes(4, "big")
    hbh = bytes([17, 0]) + jumbo_opt
    return raw(IPv6(src=C6, dst=S6, nh=0, plen=0)) + hbh + raw(UDP(sport=40000, dport=53, len=8, chksum=0))


pkts = [
    # 0 eth_truncated: 10 bytes, not even a full Ethernet header
    Raw(raw(Ether(src=MAC_C, dst=MAC_S))[:10]),
    # 1 vlan_truncated: TPID 0x8100 then only 2 of the 4 tag bytes
    Raw(raw(Ether(src=MAC_C, dst=MAC_S, type=0x8100)) + b"\x00\x64"),
    # 2 vlan_too_deep: three stacked tags
    Ether(src=MAC_C, dst=MAC_S) / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ip4() / UDP(sport=40000, dport=53),
    # 3 ipv4_truncated: 12 bytes of a 20-byte IPv4 header
    E4() / Raw(valid_ip_udp[:12]),
    # 4 ipv4_truncated: total length 200 in a 62-byte frame
    E4() / ip4(len=200) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 5 ipv4_bad_version: version 6 behind ethertype IPv4
    E4() / ip4(version=6) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 6 ipv4_bad_header_length: IHL 4 (16 bytes) < 20
    E4() / ip4(ihl=4) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 7 ipv4_bad_total_length: total length 16, shorter than the header
    E4() / ip4(len=16) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 8 ipv4_bad_checksum
    E4() / ip4(chksum=0x1234) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 9 ipv4_bad_options: an option with length 1
    E4() / Raw(ip4_bad_options()),
    # 10 tcp_truncated: protocol 6 with 10 bytes of TCP header
    E4() / ip4(proto=6) / Raw(raw(TCP(sport=40000, dport=80, flags="S"))[:10]),
    # 11 tcp_bad_header_length: data offset 4 (16 bytes) < 20
    E4() / ip4() / TCP(sport=40000, dport=80, flags="S", dataofs=4),
    # 12-15 tcp_bad_flags: SYN+FIN, SYN+RST, no flags (null scan), FIN+PSH+URG without ACK (xmas)
    E4() / ip4() / TCP(sport=40000, dport=80, flags="SF"),
    E4() / ip4() / TCP(sport=40000, dport=80, flags="SR"),
    E4() / ip4() / TCP(sport=40000, dport=80, flags=0),
    E4() / ip4() / TCP(sport=40000, dport=80, flags="FPU"),
    # 16 udp_truncated: protocol 17 with 4 bytes of UDP header
    E4() / ip4(proto=17) / Raw(b"\x9c\x40\x00\x35"),
    # 17 udp_bad_length: UDP length 100 but 18 bytes of UDP in the packet
    E4() / ip4() / UDP(sport=40000, dport=53, len=100) / Raw(b"x" * 10),
    # 18 udp_bad_length: UDP length 4 (< 8)
    E4() / ip4() / UDP(sport=40000, dport=53, len=4) / Raw(b"x" * 10),
    # 19 icmp_truncated: protocol 1 with 2 bytes of ICMP
    E4() / ip4(proto=1) / Raw(b"\x08\x00"),
    # 20 ipv6_truncated: 20 of the 40 bytes of an IPv6 header
    E6() / Raw(raw(ip6() / UDP(sport=40000, dport=53))[:20]),
    # 21 ipv6_truncated: payload length 200, 28 bytes present
    E6() / ip6(plen=200) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 22 ipv6_bad_version: version 4 behind ethertype IPv6
    E6() / ip6(version=4) / UDP(sport=40000, dport=53) / Raw(b"x" * 20),
    # 23 ipv6_bad_payload_length: payload length 0 with hop-by-hop (jumbogram)
    E6() / Raw(ip6_jumbo()),
    # 24 ipv6_bad_ext_header: hop-by-hop header longer than the packet
    E6() / ip6(nh=0) / Raw(bad_hbh),
    # 25 ipv6_bad_ext_header: hop-by-hop header after a destination options header
    E6() / ip6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / UDP(sport=40000, dport=53),
    # 26 ipv6_too_many_ext_headers: nine destination options headers
    E6() / ip6() / (IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()
                    / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()
                    / IPv6ExtHdrDestOpt()) / UDP(sport=40000, dport=53),
    # 27 icmp_truncated: ICMPv6 with 4 bytes
    E6() / ip6(nh=58) / Raw(b"\x80\x00\x00\x00"),
    # 28 a valid packet: forwarded
    E4() / Raw(valid_ip_udp),
]
main_write(pkts)
