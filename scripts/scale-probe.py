#!/usr/bin/env python3
"""Starts payhookd on a prepared storage dir and prints its start-up figures (bench-scale.sh).

  scale-probe.py BIN STORAGE_DIR LABEL

start_s: spawn to the ready file (recovery done, listeners bound); rss_start_mib: VmRSS then;
rss_ingest_mib: after INGEST (default 200) signed webhooks (the loop and the snapshot thread each
hold their index from then on); peak_mib: the process's peak RSS (getrusage) after SIGTERM,
whose shutdown writes a final snapshot covering the new records.
"""
import hashlib, hmac, http.client, os, resource, signal, subprocess, sys, tempfile, time

binary, storage, label = sys.argv[1:4]
storage = os.path.abspath(storage)
ingest_count = int(os.environ.get("INGEST", "200"))
tmp = tempfile.mkdtemp(prefix="payhookd-scale-")
config = os.path.join(tmp, "payhookd.toml")
with open(config, "w") as f:
    f.write(f"""[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.2:0"]
[storage]
dir = "{storage}"
[[sources]]
name = "noventiq"
provider = "noventiq"
kind = "payment"
secret = "bench-noventiq"
[[sources]]
name = "nonstopay-payin"
provider = "nonstopay"
kind = "payin"
signature = "hmac-sha256-hex"
secret = "bench-secret"
""")
ready = os.path.join(tmp, "ready")
env = dict(os.environ, PAYHOOKD_READY_FILE=ready)
err = open(os.path.join(tmp, "err"), "w")
start = time.monotonic()
proc = subprocess.Popen([binary, "serve", "--config", config], env=env, stderr=err)


def rss_mib(key="VmRSS"):
    with open(f"/proc/{proc.pid}/status") as s:
        for line in s:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return -1


while not (os.path.exists(ready) and os.path.getsize(ready) > 0):
    if proc.poll() is not None:
        sys.exit(open(os.path.join(tmp, "err")).read())
    time.sleep(0.005)
start_s = time.monotonic() - start
time.sleep(0.3)
rss_start = rss_mib()
addr = [l.split()[1] for l in open(ready) if l.startswith("ingest ")][0]
host, port = addr.rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port))
for i in range(ingest_count):
    body = ('{"status":"invoice:paid","id":"scale-%d-%d","amount":"1.00"}' % (os.getpid(), i)).encode()
    sig = hmac.new(b"bench-secret", body, hashlib.sha256).hexdigest()
    c.request("POST", "/hooks/nonstopay-payin", body, {"Content-Type": "application/json", "X-Signature": sig})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
time.sleep(0.5)
rss_ingest = rss_mib()
proc.send_signal(signal.SIGTERM)
proc.wait()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
import shutil
shutil.rmtree(tmp, ignore_errors=True)
print(f"{label} start_s={start_s:.3f} rss_start_mib={rss_start:.0f} rss_ingest_mib={rss_ingest:.0f} peak_mib={peak:.0f}")
