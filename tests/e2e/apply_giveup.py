#!/usr/bin/python3
"""Giving up on a large apply, for tests/e2e/apply_giveup_test.sh. Prints
one JSON object.

  apply_giveup.py whole unix:PATH
      applies that large policy (below) with a 60 s deadline; reports the
      status code, the call's seconds and rampartd's build_seconds.
  apply_giveup.py cancel unix:PATH
      starts a large ApplyPolicy (tools/lab/appliance_api.py group_policy:
      65,536 groups, 1,048,576 members), waits until rampartd is working
      on it (GetStatus.applying_version), cancels the call, then applies
      a small policy with a 10 s deadline and reports how it went and how
      long it took.
  apply_giveup.py sigterm unix:PATH PID
      the same large apply; once rampartd is working on it, SIGTERM to
      PID; reports the large call's status code.

A large apply that rampartd finishes before it was seen in progress is
sent again (new version), up to 5 times; "attempts" says how many. One
not seen in progress within 60 s is cancelled and counts as not seen.
"""

import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "lab"))
from appliance_api import appliance_pb2, group_policy, unary  # noqa: E402

GROUPS = 65536
MEMBERS = 16


def start_large_apply(grpc, pb, ch):
    """Sends the large apply; returns (its future, True) once rampartd
    reports it in progress, (None, True) when it ended before that was
    seen (try again), (None, False) when it was not seen within 60 s."""
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
    version = status(pb.GetStatusRequest(), timeout=10).applied_version + 1
    req = pb.ApplyPolicyRequest(policy=group_policy(pb, GROUPS, MEMBERS, version=version, origin="large"))
    future = apply.future(req, timeout=300)
    give_up = time.monotonic() + 60
    while not future.done() and time.monotonic() < give_up:
        if status(pb.GetStatusRequest(), timeout=10).applying_version == version:
            return future, True
        time.sleep(0.005)
    ended = future.done()
    future.cancel()
    return None, ended


def large_apply_in_progress(grpc, pb, ch):
    for attempt in range(1, 6):
        future, retry = start_large_apply(grpc, pb, ch)
        if future is not None or not retry:
            return future, attempt
    return None, 5


def code_of(grpc, future):
    try:
        future.result()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name
    except grpc.FutureCancelledError:
        return "CANCELLED"


def cmd_whole():
    import grpc
    pb = appliance_pb2()
    ch = grpc.insecure_channel(sys.argv[2], options=[("grpc.max_send_message_length", 64 << 20)])
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
    version = status(pb.GetStatusRequest(), timeout=10).applied_version + 1
    req = pb.ApplyPolicyRequest(policy=group_policy(pb, GROUPS, MEMBERS, version=version, origin="whole"))
    t0 = time.monotonic()
    try:
        r = apply(req, timeout=60)
        report = {"code": "OK", "build_seconds": round(r.build_seconds, 3)}
    except grpc.RpcError as e:
        report = {"code": e.code().name}
    report["seconds"] = round(time.monotonic() - t0, 3)
    print(json.dumps(report))


def connect_and_start():
    """(grpc, pb, channel, future, report): the large apply in progress, or
    future None when it was never seen so (report says so)."""
    import grpc
    pb = appliance_pb2()
    ch = grpc.insecure_channel(sys.argv[2], options=[("grpc.max_send_message_length", 64 << 20)])
    future, attempts = large_apply_in_progress(grpc, pb, ch)
    return grpc, pb, ch, future, {"attempts": attempts, "in_progress_seen": future is not None}


def cmd_cancel():
    grpc, pb, ch, future, report = connect_and_start()
    if future is None:
        print(json.dumps(report))
        return
    future.cancel()
    large = code_of(grpc, future)
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
    version = status(pb.GetStatusRequest(), timeout=10).applied_version + 1
    small = pb.Policy(version=version, default_action=pb.ACTION_ALLOW, non_ip_action=pb.ACTION_ALLOW, origin="small")
    t0 = time.monotonic()
    try:
        apply(pb.ApplyPolicyRequest(policy=small), timeout=10)
        next_code = "OK"
    except grpc.RpcError as e:
        next_code = e.code().name
    seconds = time.monotonic() - t0
    after = status(pb.GetStatusRequest(), timeout=10)
    report.update(large=large, next=next_code, next_seconds=round(seconds, 3), origin_after=after.policy_origin)
    print(json.dumps(report))


def cmd_sigterm():
    grpc, _, _, future, report = connect_and_start()
    if future is not None:
        os.kill(int(sys.argv[3]), signal.SIGTERM)
        report["large"] = code_of(grpc, future)
    print(json.dumps(report))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "whole":
        cmd_whole()
    elif len(sys.argv) == 3 and sys.argv[1] == "cancel":
        cmd_cancel()
    elif len(sys.argv) == 4 and sys.argv[1] == "sigterm":
        cmd_sigterm()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
