#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A grpc-core (grpcio) grpc.testing.TestService server.

Stubs are generated at start-up from Debian's grpc-proto files with the
protoc of grpcio-tools (grpc_tools.protoc) into a temporary directory.  The generated modules
would be called grpc.testing.*_pb2, which collides with the installed
`grpc` package, so the three .proto files are first copied flat (imports
rewritten to "empty.proto"/"messages.proto"); the proto package stays
grpc.testing, so method paths are unchanged.

Prints "PORT <n>" on stdout once it listens.  Run it with the test suite's
Python (the virtual environment made from tests/requirements.txt).
"""

import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from concurrent import futures

import grpc

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
PROTOS = ("empty.proto", "messages.proto", "test.proto")


def generate_stubs(proto_root, out_dir):
    src = os.path.join(out_dir, "proto")
    os.makedirs(src)
    for name in PROTOS:
        with open(os.path.join(proto_root, "grpc", "testing", name)) as f:
            text = f.read()
        text = re.sub(r'import "grpc/testing/([a-z_]+\.proto)";', r'import "\1";', text)
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    from grpc_tools import protoc
    if protoc.main(["grpc_tools.protoc", "-I" + src, "--python_out=" + out_dir,
                    "--grpc_python_out=" + out_dir] + [os.path.join(src, n) for n in PROTOS]) != 0:
        raise RuntimeError("grpc_tools.protoc failed on " + src)
    sys.path.insert(0, out_dir)


def status_code(code):
    for sc in grpc.StatusCode:
        if sc.value[0] == code:
            return sc
    return grpc.StatusCode.UNKNOWN


def echo_metadata(context):
    initial, trailing = [], []
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL:
            initial.append((key, value))
        elif key == ECHO_TRAILING:
            trailing.append((key, value))
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def sleep_us(context, us):
    """Sleeps, but returns early (False) once the call has ended."""
    end = time.monotonic() + us / 1e6
    while context.is_active():
        left = end - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(left, 0.01))
    return False


def make_servicer(messages_pb2, empty_pb2, test_pb2_grpc):
    def payload(size):
        return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=b"\0" * size)

    class TestService(test_pb2_grpc.TestServiceServicer):
        def EmptyCall(self, request, context):
            echo_metadata(context)
            return empty_pb2.Empty()

        def UnaryCall(self, request, context):
            echo_metadata(context)
            if request.response_status.code != 0:
                context.abort(status_code(request.response_status.code),
                              request.response_status.message)
            if request.response_size < 0:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "negative response size")
            return messages_pb2.SimpleResponse(payload=payload(request.response_size))

        def StreamingOutputCall(self, request, context):
            echo_metadata(context)
            for p in request.response_parameters:
                if p.interval_us > 0 and not sleep_us(context, p.interval_us):
                    return
                yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))
            if request.response_status.code != 0:
                context.abort(status_code(request.response_status.code),
                              request.response_status.message)

    return TestService()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", help="server certificate (PEM); enables TLS")
    ap.add_argument("--key", help="server private key (PEM)")
    ap.add_argument("--client_ca", help="CA for client certificates (mutual TLS)")
    ap.add_argument("--proto_root", default="/usr/share/grpc-proto")
    args = ap.parse_args()

    # Turn SIGTERM into a normal exit so that the stub directory is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    gen = tempfile.mkdtemp(prefix="core-peer-")
    try:
        generate_stubs(args.proto_root, gen)
        import empty_pb2
        import messages_pb2
        import test_pb2_grpc

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=32),
                             options=[("grpc.max_receive_message_length", 64 << 20)])
        test_pb2_grpc.add_TestServiceServicer_to_server(
            make_servicer(messages_pb2, empty_pb2, test_pb2_grpc), server)
        addr = "%s:%d" % (args.host, args.port)
        if args.cert:
            def read(path):
                with open(path, "rb") as f:
                    return f.read()
            creds = grpc.ssl_server_credentials(
                [(read(args.key), read(args.cert))],
                root_certificates=read(args.client_ca) if args.client_ca else None,
                require_client_auth=bool(args.client_ca))
            port = server.add_secure_port(addr, creds)
        else:
            port = server.add_insecure_port(addr)
        if port == 0:
            sys.exit("core-peer: cannot listen on " + addr)
        server.start()
        print("PORT %d" % port, flush=True)
        server.wait_for_termination()
    finally:
        shutil.rmtree(gen, ignore_errors=True)


if __name__ == "__main__":
    main()
