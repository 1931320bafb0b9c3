#!/usr/bin/python3
"""Group build benchmark: how long rampartd takes to apply a policy with
many groups (the group-mode table every new flow is looked up in).

rampartd runs with one lcore on two net_null ports (no traffic: this is
the control side only) and its appliance API on a unix socket. For each
size of --groups (default 1000,4000,10000,50000) it applies --applies
policies of that many groups, one host member each, alternating monitor
and discover mode (tools/lab/appliance_api.py group_policy), and prints,
as medians:

  rpc_s     the ApplyPolicy call, client side (transfer, check, build,
            publish)
  build_s   check + rule set build on rampartd's gRPC thread

An apply that does not answer within --deadline seconds is reported as
such and ends the run (the appliance gives the build up).

usage: tools/bench/group_build.py [--groups 1000,4000,10000,50000] [--applies 3]
                                  [--deadline 120] [--rampartd PATH]
Run as root (DPDK); with /usr/bin/python3 (grpcio from Debian).
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "lab"))
from appliance_api import appliance_pb2, group_policy  # noqa: E402
from swap import Appliance, stop_process  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", default="1000,4000,10000,50000")
    ap.add_argument("--applies", type=int, default=3)
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    a = ap.parse_args()
    pb = appliance_pb2()
    tmp = tempfile.mkdtemp(prefix="rampart-groups-")
    sock = os.path.join(tmp, "rampartd.sock")
    log = open(os.path.join(tmp, "rampartd.log"), "w")
    prefix = "rgroups-%d" % os.getpid()
    proc = subprocess.Popen([a.rampartd, "-l", "0", "--no-huge", "-m", "1024", "--file-prefix", prefix, "--no-pci",
                             "--vdev", "net_null0", "--vdev", "net_null1",
                             "--", "--grpc-socket", sock], stdout=log, stderr=subprocess.STDOUT)
    try:
        app = Appliance(pb, "unix:" + sock)
        version = app.wait_ready(60).applied_version + 1
        print("%8s %10s %10s" % ("groups", "rpc_s", "build_s"))
        for n in [int(x) for x in a.groups.split(",") if x]:
            rpc, build = [], []
            for _ in range(a.applies):
                req = pb.ApplyPolicyRequest(policy=group_policy(pb, n, version=version, origin="bench-%d" % n))
                t0 = time.monotonic()
                try:
                    r = app.call("ApplyPolicy", req, pb.ApplyPolicyResponse, timeout=a.deadline)
                except app.grpc.RpcError as e:
                    print("%8d no answer within %.0f s (%s)" % (n, a.deadline, e.code().name))
                    return 1
                rpc.append(time.monotonic() - t0)
                build.append(r.build_seconds)
                version += 1
            print("%8d %10.3f %10.3f" % (n, statistics.median(rpc), statistics.median(build)))
            sys.stdout.flush()
        return 0
    finally:
        stop_process(proc, signal.SIGTERM, 30)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)  # left behind when it had to be killed


if __name__ == "__main__":
    sys.exit(main())
