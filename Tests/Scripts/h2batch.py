#!/usr/bin/env python3
"""N unique ingest POSTs on one h2c connection, sent in one write, for
Tests/IntegrationTests/HTTP2BatchIntegrationTests.swift.

Usage: h2batch.py HOST:PORT SOURCE N. Waits for the N answers and prints one JSON object:
{"statuses": [...], "reads": R}: the answers' statuses, and how many reads of the socket
returned data (the daemon's writes can only be fewer than the reads when the kernel joins them)."""
import json, socket, sys, time, uuid

import h2.config, h2.connection, h2.events

host, port = sys.argv[1].rsplit(":", 1)
source, n = sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, int(port)), timeout=10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
c.initiate_connection()
tag = uuid.uuid4().hex
for i in range(n):
    body = ('{"status":"invoice:paid","id":"%s-%d","amount":"12.34","devise":"EUR"}' % (tag, i)).encode()
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, [(":method", "POST"), (":path", "/hooks/" + source), (":scheme", "http"),
                         (":authority", "x"), ("content-type", "application/json"), ("content-length", str(len(body)))])
    c.send_data(sid, body, end_stream=True)
s.sendall(c.data_to_send())
statuses, reads, deadline = {}, 0, time.time() + 10
while len(statuses) < n and time.time() < deadline:
    data = s.recv(65536)
    if not data:
        break
    reads += 1
    for e in c.receive_data(data):
        if isinstance(e, h2.events.ResponseReceived):
            statuses[e.stream_id] = int(dict(e.headers)[":status"])
    s.sendall(c.data_to_send())
print(json.dumps({"statuses": [statuses[k] for k in sorted(statuses)], "reads": reads}))
