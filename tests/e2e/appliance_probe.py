#!/usr/bin/python3
"""Checks of rampartd's appliance API that need a raw gRPC client, for
tests/e2e/control_plane_test.sh. Prints one JSON object.

  appliance_probe.py invalid unix:PATH
      sends invalid ApplyPolicy requests (host bits set, a negative
      prefix length, inverted port
      range, unknown action, an unnamed duplicate, a version that is not
      newer, no policy at all) and reports each status code and message,
      and the applied version / generation before and after.
  appliance_probe.py reflect unix:PATH
      asks the server reflection service (grpc.reflection.v1alpha) to list
      the services; reports their names. The request and response are
      encoded by hand (Debian ships no reflection proto for Python): a
      ServerReflectionRequest with list_services = "" is the two bytes
      0x3a 0x00.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "lab"))
from appliance_api import appliance_pb2, unary  # noqa: E402


def cmd_invalid(address):
    import grpc
    pb = appliance_pb2()
    ch = grpc.insecure_channel(address)
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
    before = status(pb.GetStatusRequest(), timeout=10)
    v = before.applied_version + 1

    def policy(version):
        return pb.Policy(version=version, default_action=pb.ACTION_DENY, non_ip_action=pb.ACTION_ALLOW)

    cases = []
    p = policy(v)
    r = p.rules.add(name="x", action=pb.ACTION_ALLOW, protocol=6)
    r.dst.add(prefix="198.18.1.1/24")
    cases.append(("host bits set", pb.ApplyPolicyRequest(policy=p)))
    p = policy(v)
    r = p.rules.add(name="x", action=pb.ACTION_DENY, protocol=6)
    r.src.add(prefix="198.18.0.0/-16")  # was accepted as the host 198.18.0.0
    cases.append(("negative prefix", pb.ApplyPolicyRequest(policy=p)))
    p = policy(v)
    r = p.rules.add(name="x", action=pb.ACTION_ALLOW, protocol=6)
    r.dst_ports.add(first=90, last=80)
    cases.append(("inverted port range", pb.ApplyPolicyRequest(policy=p)))
    p = policy(v)
    p.rules.add(name="x", action=pb.ACTION_UNSPECIFIED, protocol=6)
    cases.append(("action unspecified", pb.ApplyPolicyRequest(policy=p)))
    p = policy(v)
    p.rules.add(name="dup", action=pb.ACTION_ALLOW, protocol=6)
    p.rules.add(name="dup", action=pb.ACTION_DENY, protocol=17)
    cases.append(("duplicate rule name", pb.ApplyPolicyRequest(policy=p)))
    p = policy(v)
    r = p.rules.add(name="x", action=pb.ACTION_ALLOW, protocol=1)
    r.dst_ports.add(first=80, last=80)
    cases.append(("ports without tcp/udp/sctp", pb.ApplyPolicyRequest(policy=p)))
    cases.append(("version not newer", pb.ApplyPolicyRequest(policy=policy(before.applied_version))))
    cases.append(("no policy", pb.ApplyPolicyRequest()))
    results = []
    for name, req in cases:
        try:
            apply(req, timeout=10)
            results.append({"case": name, "code": "OK", "message": ""})
        except grpc.RpcError as e:
            results.append({"case": name, "code": e.code().name, "message": e.details()})
    after = status(pb.GetStatusRequest(), timeout=10)
    print(json.dumps({"results": results,
                      "before": {"version": before.applied_version, "generation": before.generation},
                      "after": {"version": after.applied_version, "generation": after.generation}}))


def read_varint(b, i):
    shift = value = 0
    while True:
        c = b[i]
        i += 1
        value |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return value, i


def fields(b):
    """(field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = read_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            n, i = read_varint(b, i)
            v = b[i:i + n]
            i += n
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


def cmd_reflect(address):
    import grpc
    ch = grpc.insecure_channel(address)
    call = ch.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                            request_serializer=lambda b: b, response_deserializer=lambda b: b)
    names = []
    for resp in call(iter([b"\x3a\x00"]), timeout=10):
        # ServerReflectionResponse.list_services_response = 6
        #   ListServiceResponse.service = 1 (repeated) -> ServiceResponse.name = 1
        for num, _, v in fields(resp):
            if num == 6:
                for n2, _, svc in fields(v):
                    if n2 == 1:
                        for n3, _, name in fields(svc):
                            if n3 == 1:
                                names.append(name.decode())
        break
    print(json.dumps({"services": sorted(names)}))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("invalid", "reflect"):
        sys.exit(__doc__)
    {"invalid": cmd_invalid, "reflect": cmd_reflect}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
