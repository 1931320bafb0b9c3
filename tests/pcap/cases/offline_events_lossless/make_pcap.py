#!/usr/bin/python3
"""An offline run loses no record: 60,000 UDP datagrams, each its own flow
and each matching an alert signature, give 60,000 alerts and 60,000 flow
records (120,000, several times the rings' size: the worker waits for the
writer instead of dropping). The capture is written directly (no scapy per
packet) to keep the case fast.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import BASE_TS  # noqa: E402

N = 60000


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i):
    src = bytes([198, 18, 0, 10 + i // 60000])
    dst = bytes([198, 18, 1, 20])
    sport = 1024 + i % 60000
    payload = b"rampart-marker %06d" % i
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, 5353, udp_len, 0) + payload
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, i & 0xFFFF, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + udp


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_pcap.py OUT.pcap")
    base = int(BASE_TS)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(N):
            fr = frame(i)
            f.write(struct.pack("<IIII", base + i // 1000, (i % 1000) * 1000, len(fr), len(fr)) + fr)


main()
