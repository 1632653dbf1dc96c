#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A fake Engine API server on a real unix socket, for faults a real daemon cannot be made to show.
"""Usage: fake-engine.py SOCKET MODE [ARG]

Modes:
  hang             accept connections, never answer
  unbound          bind the socket path but never listen (connect gets ECONNREFUSED)
  answer STATUS FILE
                   answer every request with HTTP STATUS and FILE's bytes as JSON

Prints "ready" on stdout once the socket exists; runs until killed.
"""
import os
import socket
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, mode = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    if mode == "unbound":
        print("ready", flush=True)
        while True:
            os.pause()
    srv.listen(64)
    print("ready", flush=True)

    held = []
    while True:
        conn, _ = srv.accept()
        if mode == "hang":
            held.append(conn)  # keep it open, say nothing
            continue
        if mode == "answer":
            status, body = int(sys.argv[3]), open(sys.argv[4], "rb").read()
            conn.recv(65536)
            head = (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
            conn.sendall(head.encode() + body)
            conn.close()
            continue
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
