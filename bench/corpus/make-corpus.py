#!/usr/bin/env python3
"""Builds webhooks.http: the parser benchmark corpus (raw HTTP/1.1 requests, concatenated).

Half provider callbacks as nginx forwards them to the ingest listener (bodies and signature
headers from the shared fixtures), half admin status queries with the headers curl and typical
HTTP clients send. Usage: make-corpus.py FIXTURES_DIR > webhooks.http
"""
import json, os, sys

fixtures = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/fixtures"
cases = json.load(open(os.path.join(fixtures, "fixtures.json")))["cases"]
out = bytearray()
for i, case in enumerate(cases):
    body = open(os.path.join(fixtures, case["body_file"]), "rb").read()
    head = [
        f"POST /hooks/{case['source']} HTTP/1.1",
        "Host: payhookd",
        f"X-Real-IP: 203.0.113.{10 + i}",
        f"X-Forwarded-For: 203.0.113.{10 + i}",
        "X-Forwarded-Proto: https",
        f"Content-Length: {len(body)}",
        "User-Agent: " + ("Noventiq-Webhooks/2.1" if case["provider"] == "noventiq" else "GuzzleHttp/7"),
        "Accept: */*",
    ]
    head += [f"{k}: {v}" for k, v in case["headers"].items()]
    out += ("\r\n".join(head) + "\r\n\r\n").encode() + body
    payment = case["expect"].get("payment_id", str(1000 + i))
    query = [
        f"GET /v1/payments/{case['source']}/{payment} HTTP/1.1",
        "Host: 127.0.0.1:8481",
        "User-Agent: orders-service/1.4 (python-requests/2.31.0)",
        "Accept-Encoding: gzip, deflate",
        "Accept: application/json",
        "Connection: keep-alive",
        "Authorization: Bearer 6f1c0a9e2b7d4c3e8a5f0b1d2c3e4f5a",
    ]
    out += ("\r\n".join(query) + "\r\n\r\n").encode()
sys.stdout.buffer.write(out)
