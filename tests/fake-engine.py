#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A fake Engine API server on a real unix socket, for faults a real daemon cannot be made to show.
"""Usage: fake-engine.py SOCKET MODE [ARG...]

Modes:
  hang             accept connections, never answer
  unbound          bind the socket path but never listen (connect gets ECONNREFUSED)
  answer STATUS FILE
                   answer every request with HTTP STATUS and FILE's bytes as JSON
  inspect ID PID   answer GET .../containers/NAME/json with 200 and an inspect body for a
                   running container: Id ID, Name /NAME, State.Pid PID; any other path 404
  inspect-vanishing ID
                   like inspect, with the PID of a child (sleep 1000) that is spawned at start
                   and killed and reaped on each request before the answer: the container
                   "stopped between the answer and the entry". Prints "child PID" first.

Prints "ready" on stdout once the socket exists; runs until killed.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse

INSPECT_PATH = re.compile(r"^(?:/v[0-9.]+)?/containers/([^/?#]+)/json(?:\?.*)?$")


def read_request(conn):
    """The request head (up to the blank line), or what arrived before EOF."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def send(conn, status, body):
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    try:
        conn.sendall(head.encode() + body)
    except OSError:
        pass
    conn.close()


def answer_inspect(conn, cid, pid):
    """Answers an inspect request for any name with a running container CID whose PID is PID."""
    line = read_request(conn).split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    m = INSPECT_PATH.match(parts[1]) if len(parts) == 3 and parts[0] == "GET" else None
    if not m:
        send(conn, 404, json.dumps({"message": "page not found"}).encode())
        return
    name = urllib.parse.unquote(m.group(1))
    body = {
        "Id": cid,
        "Name": "/" + name.lstrip("/"),
        "State": {"Status": "running", "Running": True, "Paused": False,
                  "Restarting": False, "Dead": False, "Pid": pid},
    }
    send(conn, 200, json.dumps(body).encode())


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, mode = sys.argv[1], sys.argv[2]
    if mode not in ("hang", "unbound", "answer", "inspect", "inspect-vanishing"):
        sys.exit(f"unknown mode {mode}")
    child = None
    if mode == "inspect-vanishing":
        child = subprocess.Popen(["sleep", "1000"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"child {child.pid}", flush=True)

        def stop(signum, frame):
            if child.returncode is None:
                child.kill()
                child.wait()
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    if mode == "unbound":
        print("ready", flush=True)
        while True:
            signal.pause()
    srv.listen(64)
    print("ready", flush=True)

    held = []
    while True:
        conn, _ = srv.accept()
        if mode == "hang":
            held.append(conn)  # keep it open, say nothing
        elif mode == "answer":
            status, body = int(sys.argv[3]), open(sys.argv[4], "rb").read()
            read_request(conn)
            send(conn, status, body)
        elif mode == "inspect":
            answer_inspect(conn, sys.argv[3], int(sys.argv[4]))
        elif mode == "inspect-vanishing":
            if child.returncode is None:
                child.kill()
                child.wait()  # reaped: the PID names no process any more
            answer_inspect(conn, sys.argv[3], child.pid)


if __name__ == "__main__":
    main()
