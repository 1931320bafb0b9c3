#!/usr/bin/python3
"""An HTTP client whose request leaves as IP fragments, for the lab.

The kernel's TCP never fragments, so this speaks TCP itself with scapy from
an address the client namespace's kernel does not own (the lab gives the
server a static neighbour entry for it, so replies come back to the client
interface and the kernel ignores them instead of resetting the connection).
Handshake, then the request as IPv4 (or IPv6) fragments of --fragsize bytes
(in order or reversed), then it waits for the server's answer or a reset.

Prints one JSON line: {"result": "response" | "reset" | "timeout",
"status": <HTTP status line or null>, "fragments": N}.

usage: frag_http_client.py --iface IF --src ADDR --dst ADDR --dst-mac MAC
         --port N --request TEXT [--fragsize 64] [--reverse] [--timeout 5]
Run inside the client namespace (root).
"""
import argparse
import json
import logging
import random
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (IP, TCP, AsyncSniffer, Ether, IPv6, IPv6ExtHdrFragment, Raw,  # noqa: E402
                       conf, fragment, fragment6, get_if_hwaddr, sendp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--request", required=True)
    ap.add_argument("--fragsize", type=int, default=64)
    ap.add_argument("--reverse", action="store_true")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    conf.verb = 0
    v6 = ":" in a.dst
    L3 = IPv6 if v6 else IP
    eth = Ether(src=get_if_hwaddr(a.iface), dst=a.dst_mac)
    sport = random.randint(20000, 60000)
    isn = random.randint(0, 2**31)
    request = a.request.encode().decode("unicode_escape").encode("latin-1")

    seen = []
    sniffer = AsyncSniffer(iface=a.iface, store=False,
                           lfilter=lambda p: TCP in p and p[TCP].dport == sport and p[TCP].sport == a.port,
                           prn=seen.append)
    sniffer.start()
    time.sleep(0.3)

    def wait_for(pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            for p in list(seen):
                if pred(p):
                    return p
            time.sleep(0.02)
        return None

    out = {"result": "timeout", "status": None, "fragments": 0}
    try:
        sendp(eth / L3(src=a.src, dst=a.dst) / TCP(sport=sport, dport=a.port, flags="S", seq=isn, window=65535),
              iface=a.iface)
        synack = wait_for(lambda p: p[TCP].flags & 0x12 == 0x12, a.timeout)
        if synack is None:
            out["result"] = "no-handshake"
            return out
        srv_seq = synack[TCP].seq + 1
        sendp(eth / L3(src=a.src, dst=a.dst) / TCP(sport=sport, dport=a.port, flags="A", seq=isn + 1, ack=srv_seq,
                                                   window=65535), iface=a.iface)
        pkt = L3(src=a.src, dst=a.dst) / TCP(sport=sport, dport=a.port, flags="PA", seq=isn + 1, ack=srv_seq,
                                            window=65535) / Raw(request)
        if v6:
            pkt = IPv6(src=a.src, dst=a.dst) / IPv6ExtHdrFragment(id=random.randint(1, 2**31)) / pkt[TCP]
            frags = fragment6(pkt, a.fragsize + 48)
        else:
            pkt[IP].id = random.randint(1, 65535)
            frags = fragment(pkt, fragsize=a.fragsize)
        if a.reverse:
            frags = list(reversed(frags))
        out["fragments"] = len(frags)
        for f in frags:
            sendp(eth / f, iface=a.iface)
        got = wait_for(lambda p: p[TCP].flags & 0x04 or len(p[TCP].payload) > 0, a.timeout)
        if got is None:
            return out
        if got[TCP].flags & 0x04:
            out["result"] = "reset"
        else:
            out["result"] = "response"
            out["status"] = bytes(got[TCP].payload).split(b"\r\n", 1)[0].decode(errors="replace")
        # Close: RST from our side (the test is done with the connection).
        sendp(eth / L3(src=a.src, dst=a.dst) / TCP(sport=sport, dport=a.port, flags="R",
                                                   seq=isn + 1 + len(request)), iface=a.iface)
        return out
    finally:
        sniffer.stop()


if __name__ == "__main__":
    print(json.dumps(main()))
    sys.stdout.flush()
