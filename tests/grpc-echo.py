#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A real gRPC server (Debian's python3-grpcio) on a unix socket, for engine_grpc_call's unit tests.
"""Usage: grpc-echo.py SOCKET [http1]

Serves, with no generated code (raw bytes in and out), the methods of /nsx.test.Echo/:
  Echo    answers OK with the request's bytes
  Empty   answers OK with an empty message
  Big     answers OK with 1 MiB of "y"
  Huge    answers OK with 9 MiB of "z" (more than ENGINE_BODY_MAX)
  Fail    answers NOT_FOUND (5) with a message that needs percent-encoding, and no message
          (trailers-only)
  Hang    never answers (sleeps an hour)
Any other method is UNIMPLEMENTED (12), as for any gRPC server.

With "http1", a plain HTTP/1.1 server instead, answering every connection "200 OK": not gRPC.

Prints "ready" on stdout once it listens; runs until killed.
"""
import os
import socket
import sys
import time
from concurrent import futures


def ready():
    """One write, then stdout is gone: the test stops reading once it has the line."""
    try:
        os.write(1, b"ready\n")
    except BrokenPipeError:
        pass
    os.close(1)


def http1(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    ready()
    while True:
        c, _ = s.accept()
        # As an HTTP/1.1 engine (dockerd) does: an answer, and the connection kept open until
        # the client closes it.
        try:
            c.settimeout(10)
            c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n")
            while c.recv(65536):
                pass
        except OSError:
            pass
        c.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    if sys.argv[2:] == ["http1"]:
        http1(path)
        return

    import grpc

    def unary(fn):
        return grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=lambda b: b, response_serializer=lambda b: b)

    def fail(request, context):
        context.abort(grpc.StatusCode.NOT_FOUND, 'container "web" 100% gone:\nü\x1b[31m')

    def hang(request, context):
        time.sleep(3600)
        return b""

    handler = grpc.method_handlers_generic_handler("nsx.test.Echo", {
        "Echo": unary(lambda request, context: request),
        "Empty": unary(lambda request, context: b""),
        "Big": unary(lambda request, context: b"y" * (1 << 20)),
        "Huge": unary(lambda request, context: b"z" * (9 << 20)),
        "Fail": unary(fail),
        "Hang": unary(hang),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_send_message_length", 64 << 20),
                                  ("grpc.max_receive_message_length", 64 << 20)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port("unix:" + path)
    server.start()
    ready()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
