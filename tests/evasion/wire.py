"""Byte-level packet building for the evasion matrix: Ethernet, IPv4 (with
fragmentation), IPv6 (with fragment headers), TCP and UDP with correct
checksums, and pcap writing. Plain struct packing instead of scapy: the
matrix writes hundreds of thousands of packets and must stay fast.

Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
"""

import ipaddress
import struct

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return ipaddress.ip_address(a).packed


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """The TCP header + payload, checksummed for src/dst (packed addresses)."""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(payload)) if len(src) == 4 else \
        src + dst + struct.pack("!IxxxB", len(hdr) + len(payload), 6)
    c = checksum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp_datagram(src, dst, sport, dport, payload):
    n = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, n, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, n) if len(src) == 4 else src + dst + struct.pack("!IxxxB", n, 17)
    c = checksum(pseudo + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ipv4(src, dst, proto, l4, ident=0, frag_off=0, more=False):
    flags = (0x2000 if more else 0) | (frag_off // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, flags, 64, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + l4


def ipv6(src, dst, proto, l4):
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), proto, 64, src, dst) + l4


def ipv6_fragment(src, dst, proto, part, ident, frag_off, more):
    fh = struct.pack("!BBHI", proto, 0, (frag_off & 0xFFF8) | (1 if more else 0), ident)
    return struct.pack("!IHBB16s16s", 0x60000000, len(fh) + len(part), 44, 64, src, dst) + fh + part


def ether(ip_packet, to_server=True):
    et = b"\x08\x00" if (ip_packet[0] >> 4) == 4 else b"\x86\xdd"
    return (MAC_S + MAC_C if to_server else MAC_C + MAC_S) + et + ip_packet


def fragments_v4(src, dst, proto, l4, ident, size):
    """IPv4 packets carrying l4 in fragments of `size` bytes (a multiple of 8)."""
    out = []
    for off in range(0, len(l4), size):
        part = l4[off:off + size]
        out.append(ipv4(src, dst, proto, part, ident, off, off + size < len(l4)))
    return out


def fragments_v6(src, dst, proto, l4, ident, size):
    out = []
    for off in range(0, len(l4), size):
        part = l4[off:off + size]
        out.append(ipv6_fragment(src, dst, proto, part, ident, off, off + size < len(l4)))
    return out


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1700000000.0

    def write(self, frame, t=None):
        if t is not None:
            self.t = max(self.t, t)
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
        self.t += 0.00001

    def close(self):
        self.f.close()
