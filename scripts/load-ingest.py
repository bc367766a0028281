#!/usr/bin/env python3
"""Closed-loop ingest load over HTTP/1.1 or h2c (prior knowledge), for scripts/bench-ingest-h2.sh.

POSTs unique Nonstopay payin callbacks (a `signature = "none"` source) to http://ADDR/hooks/SOURCE
for SECONDS and prints `acks=N seconds=S rate=R errors=E`. Every answer must be `200` and not a
duplicate (bodies are unique per run through TAG), so each ack is a durable one.

Why a script and not h2load: h2load posts the same body every time (`-d`), and a repeated body is a
duplicate, answered without the disk. The same client drives both protocols with the same number of
requests in flight (HTTP/1.1: CONNS connections, one request each, as wrk does; h2c: CONNS/STREAMS
connections with STREAMS streams each), so the client's own cost is alike on both sides.
Frames are written by hand: HEADERS with an HPACK block encoded once (literal fields, no dynamic
table), DATA with the body; only the answer's :status is decoded.

Usage: load-ingest.py {http1|h2c} ADDR SOURCE --seconds 5 --inflight 64 [--streams 16] [--tag T]
"""
import argparse, selectors, socket, struct, sys, time

from hpack import Decoder, Encoder, NeverIndexedHeaderTuple


def body(tag, n):
    return ('{"status":"invoice:paid","id":"%s-%d","amount":"12.34","devise":"EUR"}' % (tag, n)).encode()


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


class H1:
    def __init__(self, addr, source, gen):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = "POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " % source
        self.gen, self.buf = gen, b""

    def send_one(self):
        b = self.gen()
        self.s.sendall(self.head.encode() + str(len(b)).encode() + b"\r\n\r\n" + b)

    def start(self):
        self.send_one()

    def readable(self):
        data = self.s.recv(65536)
        if not data:
            raise SystemExit("connection closed")
        self.buf += data
        done = []
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buf[:end].decode("latin-1")
            length = int(next(l.split(":", 1)[1] for l in head.split("\r\n") if l.lower().startswith("content-length:")))
            if len(self.buf) < end + 4 + length:
                break
            payload = self.buf[end + 4 : end + 4 + length]
            done.append(head[9:12] == "200" and b'"duplicate":false' in payload)
            self.buf = self.buf[end + 4 + length :]
        for _ in done:
            self.send_one()
        return done


class H2:
    def __init__(self, addr, source, gen, streams):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        fields = [(":method", "POST"), (":scheme", "http"), (":path", "/hooks/" + source), (":authority", "x"),
                  ("content-type", "application/json")]
        # Never-indexed literals add nothing to the dynamic table: the block can be sent again
        # on every stream.
        self.block = Encoder().encode([NeverIndexedHeaderTuple(k, v) for k, v in fields])
        self.gen, self.streams, self.next_id, self.buf = gen, streams, 1, b""
        self.dec = Decoder()
        self.status, self.payload = {}, {}

    def request(self):
        sid = self.next_id
        self.next_id += 2
        return frame(1, 0x4, sid, self.block) + frame(0, 0x1, sid, self.gen())

    def start(self):
        # Preface, SETTINGS (big stream window), and a connection window for the answers.
        out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, struct.pack(">HI", 4, 1 << 30))
        out += frame(8, 0, 0, struct.pack(">I", (1 << 30)))
        self.s.sendall(out + b"".join(self.request() for _ in range(self.streams)))

    def readable(self):
        data = self.s.recv(262144)
        if not data:
            raise SystemExit("connection closed")
        self.buf += data
        done, out = [], b""
        while len(self.buf) >= 9:
            n = int.from_bytes(self.buf[0:3], "big")
            if len(self.buf) < 9 + n:
                break
            ftype, flags, sid = self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
            p = self.buf[9 : 9 + n]
            self.buf = self.buf[9 + n :]
            if ftype == 1:  # HEADERS: the status (the block must be decoded: the table changes)
                self.status[sid] = dict(self.dec.decode(p)).get(":status")
            elif ftype == 0:
                self.payload[sid] = self.payload.get(sid, b"") + p
            elif ftype == 4 and not flags & 1:
                out += frame(4, 1, 0)
            elif ftype == 7:
                raise SystemExit("GOAWAY %s" % p[4:8].hex())
            elif ftype == 3:
                done.append(False)
                self.status.pop(sid, None)
                continue
            if ftype in (0, 1) and flags & 1:
                done.append(self.status.pop(sid, None) == "200" and b'"duplicate":false' in self.payload.pop(sid, b""))
        out += b"".join(self.request() for _ in done)
        if out:
            self.s.sendall(out)
        return done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["http1", "h2c"])
    ap.add_argument("addr")
    ap.add_argument("source")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--inflight", type=int, default=64)
    ap.add_argument("--streams", type=int, default=16)
    ap.add_argument("--tag", default="run")
    a = ap.parse_args()
    counter = [0]

    def gen():
        counter[0] += 1
        return body(a.tag, counter[0])

    if a.proto == "http1":
        conns = [H1(a.addr, a.source, gen) for _ in range(a.inflight)]
    else:
        conns = [H2(a.addr, a.source, gen, a.streams) for _ in range(max(1, a.inflight // a.streams))]
    sel = selectors.DefaultSelector()
    for c in conns:
        sel.register(c.s, selectors.EVENT_READ, c)
    start = time.monotonic()
    for c in conns:
        c.start()
    acks = errors = 0
    end = start + a.seconds
    while time.monotonic() < end:
        for key, _ in sel.select(0.1):
            for ok in key.data.readable():
                acks += ok
                errors += not ok
    took = time.monotonic() - start
    print("acks=%d seconds=%.2f rate=%.0f errors=%d" % (acks, took, acks / took, errors))


if __name__ == "__main__":
    main()
