"""Helpers shared by the tests/pcap/cases/*/make_pcap.py scripts.

Every make_pcap.py does:

    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    from caselib import *
    ...
    write(sys.argv[1], packets)

Timestamps are fixed (BASE_TS plus a step per packet, or the time each packet
already carries when it was set with at()), so the capture is byte-for-byte the
same on every run and flow timeouts never fire by accident.

Addresses: only 198.18.0.0/15 and 2001:db8::/32 (documentation / benchmark
ranges).
"""

import logging
import sys
from decimal import Decimal

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import (  # noqa: E402,F401  (re-exported for the case scripts)
    ARP,
    ICMP,
    IP,
    TCP,
    UDP,
    Dot1AD,
    Dot1Q,
    Ether,
    ICMPv6DestUnreach,
    ICMPv6EchoReply,
    ICMPv6EchoRequest,
    IPerror,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting,
    Packet,
    PcapWriter,
    Raw,
    UDPerror,
    conf,
    fragment,
    fragment6,
    raw,
)
from scapy.utils import EDecimal  # noqa: E402

BASE_TS = Decimal("1700000000")  # 2023-11-14T22:13:20Z
STEP = Decimal("0.001")

# MAC addresses: locally administered.
MAC_C = "02:00:00:00:00:01"  # "client" side
MAC_S = "02:00:00:00:00:02"  # "server" side

# IPv4 from 198.18.0.0/15, IPv6 from 2001:db8::/32.
C4 = "198.18.0.10"
C4B = "198.18.0.11"
S4 = "198.18.1.20"
S4B = "198.18.1.53"
C6 = "2001:db8:0::10"
S6 = "2001:db8:1::20"


def eth(src=MAC_C, dst=MAC_S):
    return Ether(src=src, dst=dst)


def c2s4():
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4)


def s2c4():
    return Ether(src=MAC_S, dst=MAC_C) / IP(src=S4, dst=C4)


def c2s6():
    return Ether(src=MAC_C, dst=MAC_S) / IPv6(src=C6, dst=S6)


def s2c6():
    return Ether(src=MAC_S, dst=MAC_C) / IPv6(src=S6, dst=C6)


def at(pkt, t):
    """Give pkt an absolute time offset t (seconds after BASE_TS)."""
    pkt.time = EDecimal(BASE_TS + Decimal(str(t)))
    return pkt


def tcp_session(cli, srv, sport, dport, data_c=b"", data_s=b"", close=True,
                cli_mac=MAC_C, srv_mac=MAC_S, v6=False, isn_c=1000, isn_s=5000):
    """A complete TCP conversation: handshake, optional data each way, FIN/FIN/ACK.

    Returns the list of packets (Ethernet frames) in wire order.
    """
    L3 = IPv6 if v6 else IP

    def c(flags, seq, ack, payload=b""):
        p = Ether(src=cli_mac, dst=srv_mac) / L3(src=cli, dst=srv) / TCP(
            sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
        return p / Raw(payload) if payload else p

    def s(flags, seq, ack, payload=b""):
        p = Ether(src=srv_mac, dst=cli_mac) / L3(src=srv, dst=cli) / TCP(
            sport=dport, dport=sport, flags=flags, seq=seq, ack=ack, window=65535)
        return p / Raw(payload) if payload else p

    sc, ss = isn_c, isn_s
    pkts = [c("S", sc, 0), s("SA", ss, sc + 1), c("A", sc + 1, ss + 1)]
    sc += 1
    ss += 1
    if data_c:
        pkts.append(c("PA", sc, ss, data_c))
        sc += len(data_c)
        pkts.append(s("A", ss, sc))
    if data_s:
        pkts.append(s("PA", ss, sc, data_s))
        ss += len(data_s)
        pkts.append(c("A", sc, ss))
    if close:
        pkts.append(c("FA", sc, ss))
        sc += 1
        pkts.append(s("FA", ss, sc))
        ss += 1
        pkts.append(c("A", sc, ss))
    return pkts


def tcp_client_segments(cli, srv, sport, dport, chunks, close=True, isn_c=1000, isn_s=5000):
    """Handshake, then each of the client's chunks in its own segment (the
    server ACKs each), then FIN/FIN/ACK if close. Returns the frames."""
    def c(flags, seq, ack, payload=b""):
        p = Ether(src=MAC_C, dst=MAC_S) / IP(src=cli, dst=srv) / TCP(
            sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
        return p / Raw(payload) if payload else p

    def s(flags, seq, ack):
        return Ether(src=MAC_S, dst=MAC_C) / IP(src=srv, dst=cli) / TCP(
            sport=dport, dport=sport, flags=flags, seq=seq, ack=ack, window=65535)

    sc, ss = isn_c + 1, isn_s + 1
    pkts = [c("S", isn_c, 0), s("SA", isn_s, sc), c("A", sc, ss)]
    for chunk in chunks:
        pkts.append(c("PA", sc, ss, chunk))
        sc += len(chunk)
        pkts.append(s("A", ss, sc))
    if close:
        pkts += [c("FA", sc, ss), s("FA", ss, sc + 1), c("A", sc + 1, ss + 1)]
    return pkts


def write(path, pkts, base=BASE_TS, step=STEP):
    """Write pkts as an Ethernet (DLT_EN10MB) pcap with deterministic timestamps.

    A packet whose time was set with at() keeps it; any other packet gets the
    previous packet's time plus step (the first one gets base).  Timestamps
    must not go backwards.
    """
    w = PcapWriter(path, linktype=1, sync=True)
    last = None
    for i, p in enumerate(pkts):
        if not isinstance(p, Packet):
            p = Raw(bytes(p))
        t = Decimal(str(p.time))
        if not (BASE_TS <= t < BASE_TS + 1000000):
            # scapy stamps new packets with the wall clock: replace it.
            t = base if last is None else last + step
        if last is not None and t < last:
            raise SystemExit("caselib.write: timestamps go backwards at packet %d" % i)
        p.time = EDecimal(t)
        last = t
        w.write(p)
    w.close()


def main_write(pkts):
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_pcap.py OUT.pcap")
    write(sys.argv[1], pkts)


# rampartd handles packets in bursts (32 in this version) and offline mode
# reads the capture in bursts of that size. Cases that want two packets in
# different bursts (so that the first has been fully handled before the
# second is read) put at least BURST_GAP packets between them.
BURST_GAP = 64


def arp_fillers(n, vlan=None):
    """n ARP requests (non-IP: forwarded by the default non_ip: allow)."""
    out = []
    for i in range(n):
        p = Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff")
        if vlan is not None:
            p = p / Dot1Q(vlan=vlan)
        out.append(p / ARP(op=1, hwsrc=MAC_C, psrc=C4, pdst="198.18.0.%d" % (100 + i % 100)))
    return out
