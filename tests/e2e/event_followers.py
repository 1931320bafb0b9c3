#!/usr/bin/python3
"""Idle event followers of rampart-controller, for
tests/e2e/controller_events_test.sh.

  event_followers.py unix:PATH N
      opens N StreamEvents(follow=true, types=[DROP]) calls, each on its
      own connection; each reads until it has one event (proof that it is
      subscribed), then stops reading and keeps its call open. Prints
      "subscribed K" on stdout each time one more has its event. Runs
      until stdin is closed or it is signalled; then cancels its calls.
"""

import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "lab"))
from appliance_api import controller_pb2  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    import grpc
    pb = controller_pb2()
    address, n = sys.argv[1], int(sys.argv[2])
    lock = threading.Lock()
    subscribed = [0]
    calls = []

    def follow(i):
        ch = grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1), ("rampart.follower", i)])
        call = ch.unary_stream("/rampart.v1.TelemetryService/StreamEvents",
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=pb.Event.FromString)(
            pb.StreamEventsRequest(types=[pb.EVENT_TYPE_DROP], follow=True))
        with lock:
            calls.append(call)
        try:
            next(call)
        except grpc.RpcError:
            return
        with lock:
            subscribed[0] += 1
            print("subscribed %d" % subscribed[0], flush=True)
        # From here on this follower reads nothing.

    for i in range(n):
        threading.Thread(target=follow, args=(i,), daemon=True).start()
    sys.stdin.read()
    with lock:
        for c in calls:
            c.cancel()


if __name__ == "__main__":
    main()
