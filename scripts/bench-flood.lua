-- wrk script: every request a JSON callback with a signature that never matches (unsigned flood).
wrk.method = "POST"
wrk.body = '{"status":"invoice:paid","id":"forged-1","amount":"9.99"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Signature"] = string.rep("0", 64)
