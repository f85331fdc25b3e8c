#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sanity-checks a TestService peer with grpc-core's own client.

Used by the interop scripts before the libmilvus client runs, so that a
broken peer is reported as such and not blamed on the libmilvus transport.
Exits 0 when every check passes, else prints "FAIL <check>: <reason>".
"""

import argparse
import os
import shutil
import sys
import tempfile

import grpc

# No __pycache__ in the source tree (read-only under distcheck anyway).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import generate_stubs  # noqa: E402

SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def run_checks(channel, messages_pb2, empty_pb2, test_pb2_grpc):
    stub = test_pb2_grpc.TestServiceStub(channel)

    def check(name, cond, why):
        if not cond:
            raise AssertionError("%s: %s" % (name, why))

    r = stub.EmptyCall(empty_pb2.Empty(), timeout=10)
    check("empty_unary", r.ByteSize() == 0, "non-empty response")

    r = stub.UnaryCall(messages_pb2.SimpleRequest(
        response_size=314159, payload=messages_pb2.Payload(body=b"\0" * 271828)), timeout=10)
    check("large_unary", r.payload.body == b"\0" * 314159, "wrong payload")

    sizes = [31415, 9, 2653, 58979]
    req = messages_pb2.StreamingOutputCallRequest(response_parameters=[
        messages_pb2.ResponseParameters(size=s) for s in sizes])
    got = [len(m.payload.body) for m in stub.StreamingOutputCall(req, timeout=10)]
    check("server_streaming", got == sizes, "sizes %r" % got)

    md = (("x-grpc-test-echo-initial", "test_initial_metadata_value"),
          ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"))
    _, call = stub.UnaryCall.with_call(messages_pb2.SimpleRequest(response_size=1),
                                       metadata=md, timeout=10)
    check("custom_metadata", md[0] in call.initial_metadata(), "initial %r" % (call.initial_metadata(),))
    check("custom_metadata", md[1] in call.trailing_metadata(), "trailing %r" % (call.trailing_metadata(),))

    for name, code, msg in (("status_code_and_message", 2, "test status message"),
                            ("special_status_message", 2, SPECIAL)):
        try:
            stub.UnaryCall(messages_pb2.SimpleRequest(
                response_status=messages_pb2.EchoStatus(code=code, message=msg)), timeout=10)
            check(name, False, "call succeeded")
        except grpc.RpcError as e:
            check(name, e.code() == grpc.StatusCode.UNKNOWN and e.details() == msg,
                  "got %s %r" % (e.code(), e.details()))

    for name, path in (("unimplemented_method", "/grpc.testing.TestService/UnimplementedCall"),
                       ("unimplemented_service", "/grpc.testing.UnimplementedService/UnimplementedCall")):
        try:
            channel.unary_unary(path)(b"", timeout=10)
            check(name, False, "call succeeded")
        except grpc.RpcError as e:
            check(name, e.code() == grpc.StatusCode.UNIMPLEMENTED, "got %s" % e.code())

    try:
        req = messages_pb2.StreamingOutputCallRequest(response_parameters=[
            messages_pb2.ResponseParameters(size=1, interval_us=2000000)])
        list(stub.StreamingOutputCall(req, timeout=0.05))
        check("timeout_on_sleeping_server", False, "call succeeded")
    except grpc.RpcError as e:
        check("timeout_on_sleeping_server", e.code() == grpc.StatusCode.DEADLINE_EXCEEDED,
              "got %s" % e.code())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server_host", default="127.0.0.1")
    ap.add_argument("--server_port", type=int, required=True)
    ap.add_argument("--use_tls", default="false")
    ap.add_argument("--server_host_override")
    ap.add_argument("--ca_file")
    ap.add_argument("--client_cert")
    ap.add_argument("--client_key")
    args = ap.parse_args()

    def read(path):
        if not path:
            return None
        with open(path, "rb") as f:
            return f.read()

    gen = tempfile.mkdtemp(prefix="core-check-")
    try:
        generate_stubs("/usr/share/grpc-proto", gen)
        import empty_pb2
        import messages_pb2
        import test_pb2_grpc

        target = "%s:%d" % (args.server_host, args.server_port)
        if args.use_tls == "true":
            creds = grpc.ssl_channel_credentials(read(args.ca_file), read(args.client_key),
                                                 read(args.client_cert))
            opts = []
            if args.server_host_override:
                opts.append(("grpc.ssl_target_name_override", args.server_host_override))
            channel = grpc.secure_channel(target, creds, options=opts)
        else:
            channel = grpc.insecure_channel(target)
        with channel:
            run_checks(channel, messages_pb2, empty_pb2, test_pb2_grpc)
    except (AssertionError, grpc.RpcError) as e:
        print("FAIL %s" % e)
        return 1
    finally:
        shutil.rmtree(gen, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
