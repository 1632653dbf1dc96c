#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A fake Engine API server on a real unix socket, for faults a real daemon cannot be made to show.
"""Usage: fake-engine.py SOCKET MODE [ARG...]

SOCKET is a unix socket path, or tcp:HOST:PORT for a TCP listener (tcp:127.0.0.1:0 picks a free
port; "ready PORT" then names it).

Modes:
  hang             accept connections, never answer
  unbound          bind the socket path but never listen (connect gets ECONNREFUSED)
  answer STATUS FILE
                   answer every request with HTTP STATUS and FILE's bytes as JSON
  survey LIST INSPECT
                   a lying engine for --listeners: GET /containers/json (the running list)
                   answers 200 with LIST's bytes, GET .../containers/NAME/json 200 with
                   INSPECT's, any other path 404
  inspect ID PID   answer GET .../containers/NAME/json with 200 and an inspect body for a
                   running container: Id ID, Name /NAME, State.Pid PID; any other path 404
  inspect-vanishing ID
                   like inspect, with the PID of a child (sleep 1000) that is spawned at start
                   and killed and reaped on each request before the answer: the container
                   "stopped between the answer and the entry". Prints "child PID" first.
  versioned MIN MAX ID PID
                   an engine speaking API versions MIN to MAX (e.g. 1.24 1.40): answers
                   GET /vX.Y/containers/NAME/json like inspect when MIN <= X.Y <= MAX (or when
                   the path has no version), else HTTP 400 with Docker's message "client version
                   X.Y is too new. Maximum supported API version is MAX" (or "too old. Minimum
                   supported API version is MIN"); GET /_ping answers 200 "OK". Every answer
                   carries "Api-Version: MAX". Each request line is logged to stderr.
  rewrite UNIXSOCKET KEY=VALUE...
                   ask the real engine at UNIXSOCKET the same GET (HTTP/1.0) and answer with its
                   status and body, each top-level KEY of a JSON object answer set to the
                   string VALUE: a real running container (its PID passes the proof) whose
                   engine names other files, e.g. ResolvConfPath=/proc/version. GET /events
                   answers 404: an engine without an event stream. With no KEY=VALUE, a
                   plain, sequential relay of the real engine's answers.
  forward UNIXSOCKET
                   relay each connection, both ways, to the unix socket UNIXSOCKET (a real
                   engine): with SOCKET tcp:127.0.0.1:0, a loopback TCP endpoint for a daemon
                   that listens only on a unix socket.
  fault KIND [ID PID]
                   a broken engine; each connection is served in its own thread. KIND:
                   close         read the request, close without a byte
                   garbage       answer a line that is not HTTP
                   cut           200 with Content-Length 4096, send 100 bytes, close
                   stall         200 headers (Content-Length 4096), then nothing, kept open
                   drip          200 headers, then one body byte every 0.2 s, forever
                   huge          200 with Content-Length 100 MiB, streamed 64 KiB at a time
                                 (never built in memory) until the client hangs up
                   huge-chunked  the same 100 MiB chunked, with no length announced
                   chunked ID PID
                                 a correct inspect answer (as for inspect) in chunked
                                 encoding: many small chunks, one with an extension
                   chunked-bad   chunked, with a chunk size that is not hexadecimal
                   chunked-cut   chunked, closed before the last (zero) chunk
                   reset         wait for the request, then close without reading it: on a
                                 unix socket the client's read fails with ECONNRESET (on tcp:
                                 SO_LINGER 0 sends an RST)
                   reset-mid     200 headers and part of the body, then the same reset

Prints "ready" on stdout once the socket exists ("ready PORT" for tcp:); runs until killed.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

INSPECT_PATH = re.compile(r"^(?:/v[0-9.]+)?/containers/([^/?#]+)/json(?:\?.*)?$")
VERSIONED_PATH = re.compile(r"^/v([0-9]+)\.([0-9]+)(/.*)$")


def read_request(conn):
    """The request head (up to the blank line), or what arrived before EOF."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def send(conn, status, body, headers=(), content_type="application/json"):
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers)
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    try:
        conn.sendall(head.encode() + body)
    except OSError:
        pass
    conn.close()


def inspect_body(name, cid, pid):
    return json.dumps({
        "Id": cid,
        "Name": "/" + name.lstrip("/"),
        "State": {"Status": "running", "Running": True, "Paused": False,
                  "Restarting": False, "Dead": False, "Pid": pid},
    }).encode()


def answer_inspect(conn, cid, pid, line=None, headers=()):
    """Answers an inspect request for any name with a running container CID whose PID is PID."""
    if line is None:
        line = read_request(conn).split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    m = INSPECT_PATH.match(parts[1]) if len(parts) == 3 and parts[0] == "GET" else None
    if not m:
        send(conn, 404, json.dumps({"message": "page not found"}).encode(), headers)
        return
    send(conn, 200, inspect_body(urllib.parse.unquote(m.group(1)), cid, pid), headers)


LIST_PATH = re.compile(r"^(?:/v[0-9.]+)?/containers/json(?:\?.*)?$")


def answer_survey(conn, list_file, inspect_file):
    """The list from one file, every inspect from another: what --listeners asks."""
    parts = read_request(conn).split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    path = parts[1] if len(parts) == 3 and parts[0] == "GET" else ""
    if LIST_PATH.match(path):
        send(conn, 200, open(list_file, "rb").read())
    elif INSPECT_PATH.match(path):
        send(conn, 200, open(inspect_file, "rb").read())
    else:
        send(conn, 404, json.dumps({"message": "page not found"}).encode())


def version_tuple(text):
    major, minor = text.split(".")
    return int(major), int(minor)


def answer_versioned(conn, vmin, vmax, cid, pid):
    """An engine that speaks API versions vmin..vmax, with dockerd's words for the others."""
    line = read_request(conn).split(b"\r\n", 1)[0].decode("latin-1")
    print(line, file=sys.stderr, flush=True)
    headers = [("Api-Version", vmax), ("Server", "fake-engine")]
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
        send(conn, 404, json.dumps({"message": "page not found"}).encode(), headers)
        return
    path = parts[1]
    m = VERSIONED_PATH.match(path)
    if m:
        asked = (int(m.group(1)), int(m.group(2)))
        text = f"{asked[0]}.{asked[1]}"
        if asked > version_tuple(vmax):
            msg = f"client version {text} is too new. Maximum supported API version is {vmax}"
            send(conn, 400, json.dumps({"message": msg}).encode(), headers)
            return
        if asked < version_tuple(vmin):
            msg = (f"client version {text} is too old. Minimum supported API version is {vmin}, "
                   "please upgrade your client to a newer version")
            send(conn, 400, json.dumps({"message": msg}).encode(), headers)
            return
        path = m.group(3)
    if path.split("?", 1)[0] == "/_ping":
        send(conn, 200, b"OK", headers, content_type="text/plain; charset=utf-8")
        return
    answer_inspect(conn, cid, pid, f"GET {path} {parts[2]}", headers)


def rewrite(conn, target, pairs):
    """Relays one GET to the engine at target, with top-level keys of its answer replaced."""
    line = read_request(conn).split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    # An engine without an event stream: GET /events is unknown to it.
    if len(parts) != 3 or parts[0] != "GET" or re.match(r"^(/v[0-9.]+)?/events", parts[1]):
        send(conn, 404, json.dumps({"message": "page not found"}).encode())
        return
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    up.connect(target)
    up.sendall(f"GET {parts[1]} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
    data = b""
    while True:
        chunk_ = up.recv(65536)
        if not chunk_:
            break
        data += chunk_
    up.close()
    head_, _, body = data.partition(b"\r\n\r\n")
    status = int(head_.split(b" ", 2)[1])
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for pair in pairs:
            key, _, value = pair.partition("=")
            doc[key] = value
        body = json.dumps(doc).encode()
    send(conn, status, body)


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def forward(conn, target):
    """Relays one connection both ways to the unix socket target."""
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        up.connect(target)
    except OSError as e:
        print(f"forward: cannot connect to {target}: {e}", file=sys.stderr, flush=True)
        conn.close()
        return
    back = threading.Thread(target=relay, args=(up, conn), daemon=True)
    back.start()
    relay(conn, up)
    back.join()
    up.close()
    conn.close()


HUGE = 100 << 20
BLOCK = 64 << 10


def wait_request(conn):
    """Waits until the request has arrived, without reading it (see fault reset)."""
    conn.recv(1, socket.MSG_PEEK)


def reset(conn):
    """Closes so that the client sees a reset: SO_LINGER 0 (an RST on TCP), and the request
    left unread (a unix socket closed with unread data gives its peer ECONNRESET)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def head(status, headers):
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers)
    return f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}\r\n".encode()


def chunk(data, ext=""):
    return f"{len(data):x}{ext}\r\n".encode() + data + b"\r\n"


def answer_fault(conn, kind, args):
    """One connection of a broken engine (mode fault)."""
    body = b'{"Id":"' + b"a" * 64 + b'","Name":"/x","State":{"Status":"running","Running":true,"Pid":1}}'
    try:
        if kind == "reset":
            wait_request(conn)
            reset(conn)
            return
        if kind == "reset-mid":
            wait_request(conn)
            conn.sendall(head(200, [("Content-Length", 4096)]) + body[:40])
            time.sleep(0.2)  # let the client read what was sent before the reset
            reset(conn)
            return
        read_request(conn)
        if kind == "close":
            pass
        elif kind == "garbage":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        elif kind == "cut":
            conn.sendall(head(200, [("Content-Length", 4096)]) + body[:100])
        elif kind == "stall":
            conn.sendall(head(200, [("Content-Length", 4096)]))
            time.sleep(3600)
        elif kind == "drip":
            conn.sendall(head(200, [("Content-Length", 4096)]))
            for _ in range(4096):
                conn.sendall(b" ")
                time.sleep(0.2)
        elif kind == "huge":
            conn.sendall(head(200, [("Content-Length", HUGE)]))
            block = b" " * BLOCK
            for _ in range(HUGE // BLOCK):  # exactly HUGE bytes of (valid JSON) blanks
                conn.sendall(block)
        elif kind == "huge-chunked":
            conn.sendall(head(200, [("Transfer-Encoding", "chunked")]) + chunk(b"["))
            block = chunk(b" " * BLOCK)
            for _ in range(HUGE // BLOCK):
                conn.sendall(block)
            conn.sendall(chunk(b"]") + b"0\r\n\r\n")
        elif kind == "chunked":
            name = "x"
            whole = inspect_body(name, args[0], int(args[1]))
            out = head(200, [("Transfer-Encoding", "chunked")])
            for i in range(0, len(whole), 7):
                out += chunk(whole[i:i + 7], ";ext=1" if i == 7 else "")
            conn.sendall(out + b"0\r\n\r\n")
        elif kind == "chunked-bad":
            conn.sendall(head(200, [("Transfer-Encoding", "chunked")]) + chunk(body[:10]) +
                         b"zz\r\n" + body[10:] + b"\r\n0\r\n\r\n")
        elif kind == "chunked-cut":
            conn.sendall(head(200, [("Transfer-Encoding", "chunked")]) + chunk(body[:50]))
    except OSError:
        pass  # the client hung up: what it does then is what is being tested
    conn.close()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, mode = sys.argv[1], sys.argv[2]
    if mode not in ("hang", "unbound", "answer", "survey", "inspect", "inspect-vanishing",
                    "versioned", "rewrite", "forward", "fault"):
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
    if path.startswith("tcp:"):
        host, port = path[len("tcp:"):].rsplit(":", 1)
        host = host.strip("[]")
        srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, int(port)))
        ready = f"ready {srv.getsockname()[1]}"
    else:
        if os.path.exists(path):
            os.unlink(path)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        ready = "ready"
    if mode == "unbound":
        print(ready, flush=True)
        while True:
            signal.pause()
    srv.listen(64)
    print(ready, flush=True)

    held = []
    while True:
        conn, _ = srv.accept()
        if mode == "hang":
            held.append(conn)  # keep it open, say nothing
        elif mode == "answer":
            status, body = int(sys.argv[3]), open(sys.argv[4], "rb").read()
            read_request(conn)
            send(conn, status, body)
        elif mode == "survey":
            answer_survey(conn, sys.argv[3], sys.argv[4])
        elif mode == "inspect":
            answer_inspect(conn, sys.argv[3], int(sys.argv[4]))
        elif mode == "inspect-vanishing":
            if child.returncode is None:
                child.kill()
                child.wait()  # reaped: the PID names no process any more
            answer_inspect(conn, sys.argv[3], child.pid)
        elif mode == "versioned":
            answer_versioned(conn, sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
        elif mode == "rewrite":
            rewrite(conn, sys.argv[3], sys.argv[4:])
        elif mode == "forward":
            threading.Thread(target=forward, args=(conn, sys.argv[3]), daemon=True).start()
        elif mode == "fault":
            threading.Thread(target=answer_fault, args=(conn, sys.argv[3], sys.argv[4:]),
                             daemon=True).start()


if __name__ == "__main__":
    main()
