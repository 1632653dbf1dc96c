#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Both ends of forward.bats's traffic: the servers it runs in a container's network namespace
# (through docker-nsexec) and the clients it runs on the host, against a docker-nsexec --forward.
#
#   serve DATA                 TCP on 127.0.0.1 (and ::1 when it has it):
#                                7000 echo, line by line
#                                7001 reads to EOF, then answers "SHA256 LENGTH\n" and closes
#                                7002 reads one byte, then resets the connection (SO_LINGER 0)
#                                7003 sends the file DATA, then closes
#                                7004 echo, on ::1 only
#                              UDP on 127.0.0.1:7000: answers each datagram with
#                                "PEERPORT:" + the datagram
#                              prints "ready" once every socket listens
#   greet PORT                 TCP on 127.0.0.1:PORT: "hello PORT\n" to each connection; prints "ready"
#   many PORT N                N connections open at once, then a line on each, each answered
#   seq PORT N                 N connections one after another, each a line and its echo
#   hold PORT N SECONDS        N connections at once, a line on each; prints how many were answered
#                              within SECONDS, then closes them all
#   read PORT                  prints what one connection reads until EOF
#   upload PORT FILE           sends FILE, shuts down its writing side, prints the answer (to 7001)
#   download PORT              prints "SHA256 LENGTH" of everything read until EOF (from 7003)
#   halfclose PORT             a request, shutdown(SHUT_WR), then the whole reply (to 7001)
#   reset PORT                 prints "reset" (ECONNRESET), "eof" or "data" (to 7002)
#   udp PORT FLOWS             FLOWS sockets at once, datagrams of several sizes on each
#
# Clients connect to 127.0.0.1 unless NSX_PEER_HOST says otherwise; they print what went wrong and
# exit 1 when an answer is missing or wrong.
import asyncio
import hashlib
import os
import socket
import struct
import sys

HOST = os.environ.get("NSX_PEER_HOST", "127.0.0.1")
TIMEOUT = 20


async def echo(reader, writer):
    try:
        while line := await reader.readline():
            writer.write(line)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def digest(reader, writer):
    h, n = hashlib.sha256(), 0
    try:
        while chunk := await reader.read(1 << 18):
            h.update(chunk)
            n += len(chunk)
        writer.write(b"%s %d\n" % (h.hexdigest().encode(), n))
        await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def reset(reader, writer):
    await reader.read(1)
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def source(path):
    async def send(reader, writer):
        try:
            with open(path, "rb") as f:
                await asyncio.get_running_loop().sendfile(writer.transport, f)
            await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    return send


class UdpEcho(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(b"%d:" % addr[1] + data, addr)


async def serve(path):
    loop = asyncio.get_running_loop()
    hosts = ["127.0.0.1"]
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        hosts.append("::1")
    except OSError:
        pass
    servers = []
    for port, handler in ((7000, echo), (7001, digest), (7002, reset), (7003, source(path))):
        servers.append(await asyncio.start_server(handler, hosts, port, backlog=4096, reuse_address=True))
    if "::1" in hosts:
        servers.append(await asyncio.start_server(echo, "::1", 7004, reuse_address=True))
    await loop.create_datagram_endpoint(UdpEcho, local_addr=("127.0.0.1", 7000))
    print("ready", flush=True)
    await asyncio.Event().wait()


async def greet(port):
    async def hello(reader, writer):
        writer.write(b"hello %d\n" % port)
        await writer.drain()
        writer.close()

    await asyncio.start_server(hello, "127.0.0.1", port, reuse_address=True)
    print("ready", flush=True)
    await asyncio.Event().wait()


def connect(port):
    return socket.create_connection((HOST, port), timeout=TIMEOUT)


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def read_all(s):
    chunks = []
    while chunk := s.recv(1 << 18):
        chunks.append(chunk)
    return b"".join(chunks)


async def many(port, n):
    conns = await asyncio.gather(*(asyncio.open_connection(HOST, port) for _ in range(n)))
    # Every connection is open, end to end, before any is answered.
    for i, (_, w) in enumerate(conns):
        w.write(b"connection %d\n" % i)
    answers = await asyncio.wait_for(asyncio.gather(*(r.readline() for r, _ in conns)), TIMEOUT)
    bad = [i for i, a in enumerate(answers) if a != b"connection %d\n" % i]
    for _, w in conns:
        w.close()
    if bad:
        fail("%d of %d connections answered wrongly or not at all (first: %d: %r)" % (
            len(bad), n, bad[0], answers[bad[0]]))
    print("%d answered" % n)


async def hold(port, n, seconds):
    conns = await asyncio.gather(*(asyncio.open_connection(HOST, port) for _ in range(n)))
    for i, (_, w) in enumerate(conns):
        w.write(b"connection %d\n" % i)
    done, _ = await asyncio.wait([asyncio.ensure_future(r.readline()) for r, _ in conns], timeout=seconds)
    answered = sum(1 for t in done if not t.exception() and t.result().startswith(b"connection "))
    for _, w in conns:
        w.close()
    print(answered, flush=True)
    # Leave while some reads are still pending: their tasks are abandoned with the loop.
    os._exit(0)


def seq(port, n):
    for i in range(n):
        with connect(port) as s:
            s.sendall(b"connection %d\n" % i)
            s.shutdown(socket.SHUT_WR)
            got = read_all(s)
            if got != b"connection %d\n" % i:
                fail("connection %d: answered %r" % (i, got))
    print("%d answered" % n)


def upload(port, path):
    with connect(port) as s, open(path, "rb") as f:
        s.sendfile(f)
        s.shutdown(socket.SHUT_WR)
        sys.stdout.write(read_all(s).decode())


def download(port):
    h, n = hashlib.sha256(), 0
    with connect(port) as s:
        while chunk := s.recv(1 << 18):
            h.update(chunk)
            n += len(chunk)
    print(h.hexdigest(), n)


def halfclose(port):
    request = b"GET / HTTP/1.0\r\n\r\n" * 1000
    with connect(port) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        got = read_all(s)
    want = b"%s %d\n" % (hashlib.sha256(request).hexdigest().encode(), len(request))
    if got != want:
        fail("after shutdown(SHUT_WR): answered %r, not %r" % (got, want))
    print("answered after half-close")


def reset_client(port):
    with connect(port) as s:
        s.settimeout(5)
        s.sendall(b"x")
        try:
            got = s.recv(100)
        except ConnectionResetError:
            print("reset")
            return
        print("data" if got else "eof")


def udp_ask(s, payload):
    """Sends payload and returns (source port in the container, what came back); UDP may drop one."""
    for _ in range(3):
        s.send(payload)
        try:
            peer, _, echoed = s.recv(1 << 17).partition(b":")
            return peer, echoed
        except socket.timeout:
            continue
    fail("no answer to a datagram of %d bytes" % len(payload))


def udp(port, flows):
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
    for s in socks:
        s.settimeout(5)
        s.connect((HOST, port))
    # Every flow at once: a small datagram from each client, then the answers.
    for i, s in enumerate(socks):
        s.send(b"flow %d" % i)
    seen = {}
    for i, s in enumerate(socks):
        try:
            peer, _, echoed = s.recv(1 << 17).partition(b":")
        except socket.timeout:
            peer, echoed = udp_ask(s, b"flow %d" % i)
        if echoed != b"flow %d" % i:
            fail("flow %d: answered %r" % (i, echoed))
        seen[i] = peer
    if len(set(seen.values())) != flows:
        fail("%d flows shared %d source ports in the container" % (flows, len(set(seen.values()))))
    # Then datagrams of several sizes on each, one flow at a time (the server's one socket would
    # overflow with 200 flows of 60 kB at once): each comes back whole, from the flow's own socket.
    for i, s in enumerate(socks):
        for size in (1, 1400, 9000, 60000) if i < 20 else (1,):
            payload = (b"%d/%d:" % (i, size)).ljust(size, b"u")[:size]
            peer, echoed = udp_ask(s, payload)
            if echoed != payload:
                fail("flow %d: a datagram of %d bytes came back as %d bytes: %r..." % (
                    i, size, len(echoed), echoed[:40]))
            if peer != seen[i]:
                fail("flow %d: answered from source ports %s and %s" % (i, seen[i].decode(), peer.decode()))
    for s in socks:
        s.close()
    print("%d flows answered" % flows)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "serve":
        asyncio.run(serve(args[0]))
    elif cmd == "greet":
        asyncio.run(greet(int(args[0])))
    elif cmd == "read":
        with connect(int(args[0])) as s:
            sys.stdout.write(read_all(s).decode())
    elif cmd == "many":
        asyncio.run(many(int(args[0]), int(args[1])))
    elif cmd == "hold":
        sys.stdout.flush()
        asyncio.run(hold(int(args[0]), int(args[1]), float(args[2])))
    elif cmd == "seq":
        seq(int(args[0]), int(args[1]))
    elif cmd == "upload":
        upload(int(args[0]), args[1])
    elif cmd == "download":
        download(int(args[0]))
    elif cmd == "halfclose":
        halfclose(int(args[0]))
    elif cmd == "reset":
        reset_client(int(args[0]))
    elif cmd == "udp":
        udp(int(args[0]), int(args[1]))
    else:
        fail("forward-peer.py: unknown command %r" % cmd)


if __name__ == "__main__":
    main()
