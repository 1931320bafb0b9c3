#!/usr/bin/python3
"""Oversized fields sent to both gRPC APIs, for tests/e2e/api_limits_test.sh.
Prints one JSON object: {"CASE": "CODE: message", ...}.

  api_limits.py unix:RAMPARTD_SOCKET unix:CONTROLLER_SOCKET
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "lab"))
from appliance_api import appliance_pb2, controller_pb2, unary  # noqa: E402

BIG = 50 << 20  # the 50 MB origin of the report; the messages stay under the 64 MiB limit


def outcome(call, request):
    import grpc
    try:
        call(request, timeout=60)
        return "OK"
    except grpc.RpcError as e:
        return "%s: %s" % (e.code().name, e.details())


def first_of_stream(ch, service, method, request, response_type):
    """The status of a server stream that is refused before its first message."""
    import grpc
    call = ch.unary_stream("/%s/%s" % (service, method), request_serializer=lambda m: m.SerializeToString(),
                           response_deserializer=response_type.FromString)(request, timeout=5)
    try:
        for _ in call:
            return "OK"
        return "OK"
    except grpc.RpcError as e:
        return "%s: %s" % (e.code().name, e.details())


def main():
    import grpc
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    opts = [("grpc.max_send_message_length", 64 << 20)]
    a, c = grpc.insecure_channel(sys.argv[1], options=opts), grpc.insecure_channel(sys.argv[2], options=opts)
    apb, cpb = appliance_pb2(), controller_pb2()
    out = {}
    status = unary(a, "GetStatus", apb.GetStatusResponse)
    before = status(apb.GetStatusRequest(), timeout=10).applied_version
    p = apb.Policy(version=before + 1, default_action=apb.ACTION_DENY, non_ip_action=apb.ACTION_ALLOW,
                   origin="x" * BIG)
    out["appliance origin"] = outcome(unary(a, "ApplyPolicy", apb.ApplyPolicyResponse), apb.ApplyPolicyRequest(policy=p))
    out["appliance version after"] = status(apb.GetStatusRequest(), timeout=10).applied_version - before
    b = apb.IdentityBinding(ip="198.18.0.5", identity=apb.Identity(workload="w", labels={"app": "v" * 2048}))
    out["appliance label"] = outcome(unary(a, "UpdateIdentities", apb.UpdateIdentitiesResponse),
                                     apb.UpdateIdentitiesRequest(upsert=[b]))
    out["appliance event types"] = first_of_stream(a, "rampart.dataplane.v1.Appliance", "StreamEvents",
                                                   apb.StreamEventsRequest(types=[1] * 17), apb.Event)
    svc = "rampart.v1.PolicyService"
    doc = cpb.PolicyDocument(name="n" * BIG, yaml="default_action: deny\n")
    out["controller document name"] = outcome(unary(c, "ApplyPolicy", cpb.ApplyPolicyResponse, svc),
                                              cpb.ApplyPolicyRequest(document=doc))
    out["controller get name"] = outcome(unary(c, "GetPolicy", cpb.PolicyDocument, svc),
                                         cpb.GetPolicyRequest(name="n" * 4096))
    w = cpb.Workload(ip="198.18.0.5", workload="w" * BIG)
    out["controller workload"] = outcome(
        unary(c, "UpsertWorkloads", cpb.UpsertWorkloadsResponse, "rampart.v1.InventoryService"),
        cpb.UpsertWorkloadsRequest(workloads=[w]))
    out["controller counters appliance"] = outcome(
        unary(c, "GetCounters", cpb.GetCountersResponse, "rampart.v1.TelemetryService"),
        cpb.GetCountersRequest(appliance="a" * 4096))
    out["controller events appliance"] = first_of_stream(c, "rampart.v1.TelemetryService", "StreamEvents",
                                                         cpb.StreamEventsRequest(appliance="a" * 4096), cpb.Event)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
