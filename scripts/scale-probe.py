#!/usr/bin/env python3
"""Starts payhookd on a prepared storage dir and prints its start-up figures (bench-scale.sh).

  scale-probe.py BIN STORAGE_DIR LABEL

start_s: spawn to the ready file (recovery done, listeners bound); rss_start_mib: VmRSS then;
rss_ingest_mib: after INGEST (default 200) signed webhooks (before format 5 the snapshot thread
kept an index of its own from then on; now it keeps none); peak_run_mib: the peak RSS while serving (VmHWM before SIGTERM;
with RATES=1 only since the rates phase began, see below); peak_mib: the process's peak RSS (getrusage) after SIGTERM,
whose shutdown writes a final snapshot covering the new records.

CHECK_COVERED=after_ready: the segments the snapshot covers are CRC-checked after READY instead
of before (`[storage] check_covered`).

With RATES=1 (and wrk installed) it also measures, after the ingest above:
status_rps: wrk -t2 -c64 -d$RATE_DURATION (default 5s) GET /v1/payments/noventiq/{id} over
2,000 payments the generator wrote (`payhookd-logbench gen`'s ids; PAYMENTS = the log's payment
count, N*0.3), spread over the whole log; ingest_rps: the same wrk POSTing unique callbacks
(scripts/bench-ingest.lua) to a `signature = "none"` source, durable acks/s. bench-scale.sh
compares them with the same probe on a small log. Before the rates, RSS settles (what start-up
leaves running after READY finishes) and is printed as rss_settled_mib; the peak is then reset,
so peak_rates_mib (and peak_over_settled) is the peak while serving and, with SNAPSHOT_EVERY
below the events ingested, while snapshots of the whole index are written (issue 12: at most
10% above).
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
snapshot_every_events = {os.environ.get("SNAPSHOT_EVERY", "100000")}
{('check_covered = "%s"' % os.environ["CHECK_COVERED"]) if os.environ.get("CHECK_COVERED") else ""}
[[sources]]
name = "noventiq"
provider = "noventiq"
kind = "payment"
secret = "bench-noventiq"
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1"]
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


def wrk_rps(args):
    out = subprocess.run(["wrk", "-t2", "-c64", "-d" + os.environ.get("RATE_DURATION", "5s")] + args,
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    sys.exit("wrk printed no rate:\n" + out)


def payment_id(p):
    """The id `payhookd-logbench gen` gives payment p (BenchScale.event)."""
    return "ORD-%d-%d" % (1_000_000_000 + p, (p * 2_654_435_761) % 1_000_003)


def measure_rates(ingest_addr, admin_addr):
    payments = int(os.environ["PAYMENTS"])
    step = max(1, payments // 2000)
    paths = os.path.join(tmp, "paths")
    with open(paths, "w") as f:
        for p in range(0, payments, step):
            f.write("/v1/payments/noventiq/%s\n" % payment_id(p))
    lua = os.path.join(tmp, "paths.lua")
    with open(lua, "w") as f:
        f.write('local paths = {}\nfor line in io.lines("%s") do paths[#paths + 1] = line end\n'
                'local i = 0\nrequest = function()\n  i = i %% #paths + 1\n  return wrk.format("GET", paths[i])\nend\n' % paths)
    status = wrk_rps(["-s", lua, "http://" + admin_addr])
    here = os.path.dirname(os.path.abspath(__file__))
    ingest = wrk_rps(["-s", os.path.join(here, "bench-ingest.lua"), "http://" + ingest_addr, "--", "load", "scale%d" % os.getpid()])
    return f"status_rps={status:.0f} ingest_rps={ingest:.0f}"


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
rates = ""
if os.environ.get("RATES") == "1":
    # What start-up leaves running after READY (the console search build, an after_ready check
    # of covered segments) settles first: RSS steady for a second (30 s at most). Then the peak
    # is reset (clear_refs 5), so peak_rates_mib is the peak while serving and writing snapshots.
    settled, deadline = rss_mib(), time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(1)
        now = rss_mib()
        if abs(now - settled) < 1:
            break
        settled = now
    with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
        f.write("5")
    rates = " " + measure_rates(addr, [l.split()[1] for l in open(ready) if l.startswith("admin ")][0])
    peak_rates = rss_mib("VmHWM")
    rates += f" rss_settled_mib={settled:.0f} peak_rates_mib={peak_rates:.0f} peak_over_settled={peak_rates / settled:.3f}"
peak_run = rss_mib("VmHWM")
proc.send_signal(signal.SIGTERM)
proc.wait()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
import shutil
shutil.rmtree(tmp, ignore_errors=True)
print(f"{label} start_s={start_s:.3f} rss_start_mib={rss_start:.0f} rss_ingest_mib={rss_ingest:.0f} peak_run_mib={peak_run:.0f} peak_mib={peak:.0f}{rates}")
