#!/usr/bin/env python3
"""Open-loop load generator for scripts/bench-ingest.sh (Python 3 stdlib only).

Posts unique Nonstopay payin callbacks to http://ADDR/hooks/SOURCE at a fixed rate, whatever
the answers' latency (unlike wrk, which waits for each answer before sending the next). Request i
is due at start + i/rate; it leaves on a free keep-alive connection (one request in flight per
connection) as soon as it is due, or waits in a queue when every connection is busy.

Latency is reported two ways, in milliseconds:
  - from the due time (open-loop, includes queueing and this generator's own lateness; epoll
    wakes with 1 ms granularity, so up to ~1 ms of it is the generator's), and
  - from the moment the request was written to the socket (what the daemon and kernel took).
Every answer must be `200` with `"duplicate":false` (or the `--expect` status); anything else is
counted and reported.

Usage: load-open.py ADDR SOURCE --rate 2000 --connections 64 --seconds 10 [--tag T]
Prints one line of `key=value` pairs (parsed by bench-ingest.sh).
"""
import argparse
import collections
import math
import os
import select
import socket
import sys
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = b""
        self.due = None  # due time of the request in flight
        self.sent = None  # time it was written


def request_bytes(source, tag, n):
    body = ('{"status":"invoice:paid","id":"%s-%d","amount":"12.34","devise":"EUR"}' % (tag, n)).encode()
    head = ("POST /hooks/%s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (source, len(body))).encode()
    return head + body


def parse_answer(buf):
    """(status, body, rest) when buf holds a whole answer, else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1")
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if len(buf) < end + 4 + length:
        return None
    status = int(head.split(" ", 2)[1])
    return status, buf[end + 4:end + 4 + length], buf[end + 4 + length:]


class FsyncProbe(threading.Thread):
    """Appends 512 bytes to PATH and fdatasyncs it every 10 ms, timing each fdatasync: what the
    filesystem did meanwhile (an fdatasync waits for the journal, shared with every writer)."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.lat, self.stop = path, [], threading.Event()

    def run(self):
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        while not self.stop.wait(0.01):
            os.write(fd, b"p" * 512)
            t = time.monotonic()
            os.fdatasync(fd)
            self.lat.append((time.monotonic() - t) * 1000.0)
        os.close(fd)
        os.unlink(self.path)


def run(args):
    host, port = args.addr.rsplit(":", 1)
    conns = [Conn(host, int(port)) for _ in range(args.connections)]
    by_fd = {c.sock.fileno(): c for c in conns}
    ep = select.epoll()
    for c in conns:
        ep.register(c.sock.fileno(), select.EPOLLIN)
    free = collections.deque(conns)
    queue = collections.deque()  # due times of requests waiting for a connection
    total = int(args.rate * args.seconds)
    interval = 1.0 / args.rate
    from_due, from_send = [], []
    errors = collections.Counter()
    issued = 0
    sent_log = [] if args.sent_log else None
    probe = FsyncProbe(args.fsync_probe) if args.fsync_probe else None
    if probe:
        probe.start()
    start = time.monotonic() + 0.05
    deadline = start + args.seconds + 10.0  # answers still outstanding after that are failures
    while (issued < total or len(free) < len(conns) or queue) and time.monotonic() < deadline:
        now = time.monotonic()
        while issued < total and start + issued * interval <= now:
            queue.append((start + issued * interval, issued))
            issued += 1
        while queue and free:
            due, n = queue.popleft()
            c = free.popleft()
            c.due, c.sent = due, time.monotonic()
            c.sock.sendall(request_bytes(args.source, args.tag, n))
            if sent_log is not None:
                sent_log.append((n, c.sent))
        timeout = max(0.0, start + issued * interval - time.monotonic()) if issued < total else 0.1
        for fd, _ in ep.poll(timeout):
            c = by_fd[fd]
            data = c.sock.recv(65536)
            if not data:
                errors["connection closed"] += 1
                ep.unregister(fd)
                continue
            c.buf += data
            answer = parse_answer(c.buf)
            if answer is None:
                continue
            status, body, c.buf = answer
            done = time.monotonic()
            from_due.append((done - c.due) * 1000.0)
            from_send.append((done - c.sent) * 1000.0)
            if status != args.expect or (status == 200 and b'"duplicate":false' not in body):
                errors["%d %s" % (status, body[:60].decode("latin-1"))] += 1
            free.append(c)
    elapsed = time.monotonic() - start
    if probe:
        probe.stop.set()
        probe.join()
    outstanding = len(conns) - len(free)
    if sent_log is not None:
        with open(args.sent_log, "w") as f:
            for n, t in sent_log:
                f.write("%s-%d %.6f\n" % (args.tag, n, t))
    from_due.sort()
    from_send.sort()
    fields = {
        "sent": issued, "answered": len(from_due), "outstanding": outstanding,
        "rate": "%.0f" % (len(from_due) / elapsed),
        "p50": "%.2f" % percentile(from_due, 50), "p90": "%.2f" % percentile(from_due, 90),
        "p99": "%.2f" % percentile(from_due, 99), "p999": "%.2f" % percentile(from_due, 99.9),
        "max": "%.2f" % (from_due[-1] if from_due else float("nan")),
        "send_p50": "%.2f" % percentile(from_send, 50), "send_p99": "%.2f" % percentile(from_send, 99),
        "send_max": "%.2f" % (from_send[-1] if from_send else float("nan")),
        "errors": sum(errors.values()),
    }
    if probe:
        probe.lat.sort()
        fields["fsync_p50"] = "%.2f" % percentile(probe.lat, 50)
        fields["fsync_p99"] = "%.2f" % percentile(probe.lat, 99)
        fields["fsync_max"] = "%.2f" % (probe.lat[-1] if probe.lat else float("nan"))
    print(" ".join("%s=%s" % kv for kv in fields.items()))
    for what, count in errors.most_common(5):
        print("error %dx: %s" % (count, what), file=sys.stderr)
    return 0 if not errors and outstanding == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("addr", help="HOST:PORT of the ingest listener")
    p.add_argument("source", help="source name (POST /hooks/SOURCE), signature = \"none\"")
    p.add_argument("--rate", type=float, default=2000.0, help="requests per second (default 2000)")
    p.add_argument("--connections", type=int, default=64, help="keep-alive connections (default 64)")
    p.add_argument("--seconds", type=float, default=10.0, help="duration (default 10)")
    p.add_argument("--tag", default="open", help="prefix of the payment ids, unique per run")
    p.add_argument("--expect", type=int, default=200,
                   help="expected status (default 200, then also \"duplicate\":false); 404 with an unknown "
                        "source measures the same path without the disk")
    p.add_argument("--fsync-probe", metavar="PATH",
                   help="meanwhile time an fdatasync of PATH every 10 ms (on the log's filesystem)")
    p.add_argument("--sent-log", metavar="PATH",
                   help="write \"payment_id monotonic_seconds\" per request, when it was written (bench-hooks.sh)")
    sys.exit(run(p.parse_args()))


if __name__ == "__main__":
    main()
