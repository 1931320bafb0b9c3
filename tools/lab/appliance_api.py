"""Python access to rampartd's appliance API (proto/rampart/dataplane/v1)
and the controller's (proto/rampart/v1) for tests and benchmarks: the
message classes are generated with protoc into a temporary directory at
first use (Debian's python3-protobuf and python3-grpcio; no generated code
is committed)."""

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_modules = {}


def _generated(proto_subdir, name):
    """The protoc-generated module NAME_pb2 of proto/PROTO_SUBDIR/NAME.proto."""
    if name not in _modules:
        tmp = tempfile.mkdtemp(prefix="rampart-%s-pb2-" % name)
        proto_dir = os.path.join(ROOT, "proto", *proto_subdir.split("/"))
        subprocess.run(["protoc", "--proto_path=" + proto_dir, "--python_out=" + tmp,
                        os.path.join(proto_dir, name + ".proto")], check=True)
        sys.path.insert(0, tmp)
        _modules[name] = __import__(name + "_pb2")
    return _modules[name]


def appliance_pb2():
    return _generated("rampart/dataplane/v1", "appliance")


def controller_pb2():
    """The controller's public API (proto/rampart/v1/controller.proto)."""
    return _generated("rampart/v1", "controller")


def unary(channel, method, response_type, service="rampart.dataplane.v1.Appliance"):
    """A callable for SERVICE/<method> (default: the appliance's):
    call(request, timeout=...)."""
    return channel.unary_unary("/%s/%s" % (service, method),
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=response_type.FromString)


def group_policy(pb, groups, members=1, version=1, origin="groups"):
    """A policy of `groups` groups with `members` host addresses each (all
    distinct, in 10.0.0.0/8), alternating monitor and discover mode, and no
    rules: what an appliance builds its group-mode table from."""
    p = pb.Policy(version=version, default_action=pb.ACTION_ALLOW, non_ip_action=pb.ACTION_ALLOW, origin=origin)
    k = 0
    for i in range(groups):
        g = p.groups.add(name="g%d" % i, mode=pb.GROUP_MODE_MONITOR if i % 2 else pb.GROUP_MODE_DISCOVER)
        for _ in range(members):
            g.members.add(prefix="10.%d.%d.%d" % ((k >> 16) & 255, (k >> 8) & 255, k & 255))
            k += 1
    return p


def _main(argv):
    """appliance_api.py apply ADDRESS POLICY.json | status ADDRESS

    apply: sends ApplyPolicy with the policy given as the JSON form of
    rampart.dataplane.v1.Policy (protobuf's JSON mapping; "version": "next"
    means the applied version + 1); prints the response as JSON, or
    "CODE: message" on stderr and exits 1. status: prints GetStatus."""
    import json
    import grpc
    from google.protobuf import json_format
    pb = appliance_pb2()
    if len(argv) < 2 or argv[0] not in ("apply", "status"):
        print(_main.__doc__, file=sys.stderr)
        return 2
    ch = grpc.insecure_channel(argv[1])
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    try:
        if argv[0] == "status":
            print(json_format.MessageToJson(status(pb.GetStatusRequest(), timeout=10),
                                            preserving_proto_field_name=True))
            return 0
        with open(argv[2]) as f:
            doc = json.load(f)
        if doc.get("version") == "next":
            doc["version"] = str(status(pb.GetStatusRequest(), timeout=10).applied_version + 1)
        policy = json_format.ParseDict(doc, pb.Policy())
        apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
        r = apply(pb.ApplyPolicyRequest(policy=policy), timeout=120)
        print(json_format.MessageToJson(r, preserving_proto_field_name=True))
        return 0
    except grpc.RpcError as e:
        print(f"{e.code().name}: {e.details()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
