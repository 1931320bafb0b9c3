"""Python access to rampartd's appliance API (proto/rampart/dataplane/v1)
for tests and benchmarks: the message classes are generated with protoc
into a temporary directory at first use (Debian's python3-protobuf and
python3-grpcio; no generated code is committed)."""

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_pb2 = None


def appliance_pb2():
    global _pb2
    if _pb2 is None:
        tmp = tempfile.mkdtemp(prefix="rampart-appliance-pb2-")
        proto_dir = os.path.join(ROOT, "proto", "rampart", "dataplane", "v1")
        subprocess.run(["protoc", "--proto_path=" + proto_dir, "--python_out=" + tmp,
                        os.path.join(proto_dir, "appliance.proto")], check=True)
        sys.path.insert(0, tmp)
        import appliance_pb2 as pb  # noqa: E402
        _pb2 = pb
    return _pb2


def unary(channel, method, response_type):
    """A callable for Appliance/<method>: call(request, timeout=...)."""
    return channel.unary_unary("/rampart.dataplane.v1.Appliance/" + method,
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=response_type.FromString)
