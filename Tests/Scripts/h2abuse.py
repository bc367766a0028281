#!/usr/bin/env python3
"""HTTP/2 abuse against payhookd, for Tests/IntegrationTests/HTTP2IntegrationTests.swift.

Usage: h2abuse.py CASE HOST:PORT [N]. Prints one JSON object: the GOAWAY error code seen (or
null), whether the server closed the connection, the statuses and resets per stream, and how
many abusive frames were sent. Uses the `h2` package (PyPI) for well-formed conversations and
raw frames for floods no well-behaved library would send."""
import json, socket, struct, sys, time

import h2.config, h2.connection, h2.events, h2.exceptions, h2.settings
from hpack import Encoder

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
result = {"goaway": None, "closed": False, "statuses": {}, "resets": {}, "sent": 0}


def connect(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def send_all(s, data):
    try:
        s.sendall(data)
        return True
    except OSError:
        result["closed"] = True
        return False


def read_raw(s, seconds):
    """Reads raw frames until the server closes or `seconds` pass; records GOAWAY and RST."""
    buf, end = b"", time.time() + seconds
    s.settimeout(0.5)
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            result["closed"] = True
            break
        if not chunk:
            result["closed"] = True
            break
        buf += chunk
        while len(buf) >= 9:
            n = int.from_bytes(buf[0:3], "big")
            if len(buf) < 9 + n:
                break
            ftype, sid, payload = buf[3], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF, buf[9 : 9 + n]
            if ftype == 7:
                result["goaway"] = int.from_bytes(payload[4:8], "big")
            if ftype == 3:
                result["resets"][str(sid)] = int.from_bytes(payload[0:4], "big")
            buf = buf[9 + n :]


def raw_start(addr):
    s = connect(addr)
    s.sendall(PREFACE + frame(4, 0, 0))
    return s


def flood(addr, ftype, payload, flags, n):
    s = raw_start(addr)
    one = frame(ftype, flags, 0, payload)
    while result["sent"] < n:
        k = min(100, n - result["sent"])
        if not send_all(s, one * k):
            break
        result["sent"] += k
    read_raw(s, 5)


def continuation(addr, n):
    s = raw_start(addr)
    enc = Encoder()
    block = enc.encode([(":method", "GET"), (":scheme", "http"), (":path", "/healthz"), (":authority", "x")])
    send_all(s, frame(1, 0x1, 1, block))  # END_STREAM, no END_HEADERS
    for i in range(n):
        if not send_all(s, frame(9, 0, 1, enc.encode([("x-c%d" % i, "v")]))):
            break
        result["sent"] += 1
    read_raw(s, 5)


class Client:
    def __init__(self, addr):
        self.s = connect(addr)
        self.c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.c.initiate_connection()
        self.flush()

    def flush(self):
        data = self.c.data_to_send()
        return send_all(self.s, data) if data else True

    def request(self, method, path, headers=(), end=True):
        sid = self.c.get_next_available_stream_id()
        h = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")] + list(headers)
        self.c.send_headers(sid, h, end_stream=end)
        self.flush()
        return sid

    def pump(self, seconds, until=lambda: False):
        end = time.time() + seconds
        self.s.settimeout(0.2)
        while time.time() < end and not until():
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                result["closed"] = True
                return
            if not data:
                result["closed"] = True
                return
            for e in self.c.receive_data(data):
                if isinstance(e, h2.events.ResponseReceived):
                    result["statuses"][str(e.stream_id)] = int(dict(e.headers)[":status"])
                elif isinstance(e, h2.events.DataReceived):
                    self.c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
                elif isinstance(e, h2.events.StreamReset):
                    result["resets"][str(e.stream_id)] = int(e.error_code)
                elif isinstance(e, h2.events.ConnectionTerminated):
                    result["goaway"] = int(e.error_code)
            self.flush()


def rapid_reset(addr, n):
    cl = Client(addr)
    try:
        for i in range(n):
            sid = cl.c.get_next_available_stream_id()
            cl.c.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":path", "/healthz"), (":authority", "x")])
            cl.c.reset_stream(sid, 8)  # CANCEL
            result["sent"] += 1
            if i % 50 == 49 and not cl.flush():
                break
            if i % 200 == 199:
                cl.pump(0.01)
                if result["goaway"] is not None or result["closed"]:
                    break
        cl.flush()
    except h2.exceptions.ProtocolError:
        pass
    cl.pump(5, lambda: result["closed"])


def status_of(sid):
    return result["statuses"].get(str(sid))


def big_headers(addr):
    cl = Client(addr)
    a = cl.request("GET", "/healthz", [("x-big-%d" % i, "v" * 4000) for i in range(6)])
    cl.pump(5, lambda: status_of(a))
    b = cl.request("GET", "/healthz")
    cl.pump(5, lambda: status_of(b))


def big_body(addr, n):
    cl = Client(addr)
    a = cl.request("POST", "/hooks/noventiq", [("content-type", "application/json")], end=False)
    sent = 0
    try:
        while sent < n and status_of(a) is None:
            room = min(cl.c.local_flow_control_window(a), cl.c.max_outbound_frame_size, n - sent)
            if room <= 0:
                cl.pump(0.2)
                continue
            cl.c.send_data(a, b"x" * room)
            sent += room
            cl.flush()
    except h2.exceptions.StreamClosedError:
        pass
    result["sent"] = sent
    cl.pump(5, lambda: status_of(a))
    b = cl.request("GET", "/healthz")
    cl.pump(5, lambda: status_of(b))


def stalled(addr):
    cl = Client(addr)
    a = cl.request("POST", "/hooks/noventiq", [("content-type", "application/json"), ("content-length", "100")], end=False)
    cl.c.send_data(a, b"{" * 10)
    cl.flush()
    b = cl.request("GET", "/healthz")
    cl.pump(10, lambda: status_of(a) and status_of(b))


def ignore_peer_stream_limit(cl):
    """Lets the `h2` client open streams past the server's SETTINGS_MAX_CONCURRENT_STREAMS (it
    refuses to by itself), as an abusive client would."""
    cl.c.remote_settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = 1 << 30
    cl.c.remote_settings.acknowledge()


def concurrent(addr, n, acked):
    """N long polls held open on one connection (each holds its stream), then one more stream:
    records the statuses and resets of all N+1. `acked`: the settings are exchanged first (the
    server's limit is in force); otherwise all N+1 leave before the client has read them."""
    cl = Client(addr)
    if acked:
        cl.pump(0.5)
    ignore_peer_stream_limit(cl)
    polls = [cl.request("GET", "/v1/events?after=1000000&wait=2") for _ in range(n)]
    if acked:
        cl.pump(0.5)
    extra = cl.request("GET", "/healthz")
    result["sent"] = len(polls) + 1
    cl.pump(6, lambda: all(status_of(s) or str(s) in result["resets"] for s in polls + [extra]))


def stream_window(addr):
    """The stream window the client was given (after the settings exchange), and whether a body
    of exactly that many bytes, sent without waiting for any WINDOW_UPDATE, is answered."""
    cl = Client(addr)
    cl.pump(0.5)
    sid = cl.request("POST", "/healthz", end=False)
    window = cl.c.local_flow_control_window(sid)
    result["window"] = window
    sent = 0
    while sent < window:
        k = min(window - sent, cl.c.max_outbound_frame_size)
        cl.c.send_data(sid, b"x" * k)
        sent += k
    cl.c.end_stream(sid)
    cl.flush()
    result["sent"] = sent
    cl.pump(5, lambda: status_of(sid) or str(sid) in result["resets"])


def connection_window(addr, n):
    """Sends N body bytes on streams left open (their bodies stay buffered in the server), waits
    for any WINDOW_UPDATE, then writes one more DATA byte regardless of the window it was given:
    records the connection window the client saw and whether the server called it an error."""
    cl = Client(addr)
    cl.pump(0.5)
    ignore_peer_stream_limit(cl)
    sent = 0
    while sent < n:
        sid = cl.request("POST", "/healthz", end=False)
        k = min(n - sent, cl.c.local_flow_control_window(sid), cl.c.max_outbound_frame_size)
        while k > 0:
            cl.c.send_data(sid, b"x" * k)
            sent += k
            k = min(n - sent, cl.c.local_flow_control_window(sid), cl.c.max_outbound_frame_size)
        cl.flush()
    cl.pump(1)
    result["window"] = cl.c.outbound_flow_control_window
    result["sent"] = sent
    last = cl.request("POST", "/healthz", end=False)
    send_all(cl.s, frame(0, 0, last, b"y"))
    cl.pump(3, lambda: result["closed"] or result["goaway"] is not None)


def steady(addr, n):
    """N requests on one connection, one every 100 ms, each waited for: records every status and
    any GOAWAY (a busy connection must not be taken for an idle one)."""
    cl = Client(addr)
    for _ in range(n):
        sid = cl.request("GET", "/healthz")
        cl.pump(2, lambda: status_of(sid) or result["goaway"] is not None or result["closed"])
        result["sent"] += 1
        if result["goaway"] is not None or result["closed"]:
            break
        time.sleep(0.1)
    cl.pump(0.2)


if __name__ == "__main__":
    case, addr = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    {
        "rapid-reset": lambda: rapid_reset(addr, n),
        "settings-flood": lambda: flood(addr, 4, b"", 0, n),
        "ping-flood": lambda: flood(addr, 6, b"\0" * 8, 0, n),
        "window-update-flood": lambda: flood(addr, 8, struct.pack(">I", 1), 0, n),
        "continuation": lambda: continuation(addr, n),
        "big-headers": lambda: big_headers(addr),
        "big-body": lambda: big_body(addr, n),
        "stalled": lambda: stalled(addr),
        "concurrent": lambda: concurrent(addr, n, True),
        "concurrent-early": lambda: concurrent(addr, n, False),
        "stream-window": lambda: stream_window(addr),
        "connection-window": lambda: connection_window(addr, n),
        "steady": lambda: steady(addr, n),
    }[case]()
    print(json.dumps(result))
