#!/usr/bin/env python3
"""A hook receiver for scripts/bench-hooks.sh (Python 3 stdlib only): listens on 127.0.0.1:PORT,
answers every HTTP/1.1 request `204` on keep-alive connections, and records for each request the
event's `payment_id` and the CLOCK_MONOTONIC time its last byte was read (time.monotonic() is
system-wide, so it compares with load-open.py's --sent-log times). On SIGTERM it writes
"payment_id seconds" lines to OUT and exits.

Usage: hook-receiver.py PORT OUT
"""
import re
import select
import signal
import socket
import sys
import time

PAYMENT = re.compile(rb'"payment_id":"([^"]*)"')


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    ls.setblocking(False)
    ep = select.epoll()
    ep.register(ls.fileno(), select.EPOLLIN)
    conns, bufs, seen = {}, {}, []
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        try:
            events = ep.poll(0.2)
        except InterruptedError:
            continue
        for fd, _ in events:
            if fd == ls.fileno():
                c, _ = ls.accept()
                c.setblocking(False)
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conns[c.fileno()], bufs[c.fileno()] = c, b""
                ep.register(c.fileno(), select.EPOLLIN)
                continue
            c = conns[fd]
            try:
                data = c.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                ep.unregister(fd)
                c.close()
                del conns[fd], bufs[fd]
                continue
            buf = bufs[fd] + data
            while True:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    break
                m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", buf[:end + 2])
                length = int(m.group(1)) if m else 0
                if len(buf) < end + 4 + length:
                    break
                body, buf = buf[end + 4:end + 4 + length], buf[end + 4 + length:]
                now = time.monotonic()
                p = PAYMENT.search(body)
                seen.append((p.group(1).decode() if p else "-", now))
                c.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
            bufs[fd] = buf
    with open(out, "w") as f:
        for pid, t in seen:
            f.write("%s %.6f\n" % (pid, t))


if __name__ == "__main__":
    main()
