#!/usr/bin/env bash
# Valid callbacks during an unsigned flood at full speed, against the same without flood, in one
# run (release build unless PAYHOOKD_BIN names another binary):
#   (a) reference: valid signed callbacks, open loop at RATE/s for DURATION s (scripts/load-open.py)
#   (b) the same while wrk -t2 -c64 floods the same source with wrong signatures
# then the rejects store's disk use and files, RSS, and SIGTERM time. Prints (b)/(a) ratios.
# Usage: scripts/bench-flood.sh [seconds, default 10] [valid callbacks per second, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
RATE=${2:-200}
./scripts/ensure-deb wrk python3
if [ -z "${PAYHOOKD_BIN:-}" ]; then swift build -c release --product payhookd >/dev/null; PAYHOOKD_BIN=.build/release/payhookd; fi
tmp=$(mktemp -d "${PAYHOOKD_BENCH_TMP:-/var/tmp}/payhookd-bench-flood-XXXXXX")
ph_pid=""
cleanup() { [ -n "$ph_pid" ] && kill -9 "$ph_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cat >"$tmp/payhookd.toml" <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.1:0"]
max_connections = 4096
[storage]
dir = "$tmp/var"
rejects_max_bytes = 1048576
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "hmac-sha256-hex"
secret = "bench-secret"
TOML
PAYHOOKD_READY_FILE="$tmp/ready" "$PAYHOOKD_BIN" serve --config "$tmp/payhookd.toml" 2>"$tmp/payhookd.err" &
ph_pid=$!
for _ in $(seq 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
ingest=$(awk '$1=="ingest"{print $2; exit}' "$tmp/ready")
# valid TAG: one open-loop run of signed callbacks; prints "p50 p99 acks/s".
valid() {
  python3 - "$ingest" "$RATE" "$SECONDS_RUN" "$1" <<'PY'
import hashlib, hmac, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1); rate = float(sys.argv[2]); secs = float(sys.argv[3]); tag = sys.argv[4]
s = socket.create_connection((host, int(port))); s.settimeout(30)
lat = []; t0 = time.monotonic(); n = 0; buf = b""
while time.monotonic() - t0 < secs:
    due = t0 + n / rate
    if due > time.monotonic(): time.sleep(due - time.monotonic())
    body = ('{"status":"invoice:paid","id":"%s-%d","amount":"1.00"}' % (tag, n)).encode()
    sig = hmac.new(b"bench-secret", body, hashlib.sha256).hexdigest()
    start = time.monotonic()
    s.sendall(b"POST /hooks/load HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nX-Signature: " + sig.encode()
              + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    while b"\r\n\r\n" not in buf: buf += s.recv(65536)
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length: rest += s.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    buf = rest[length:]; lat.append((time.monotonic() - start) * 1000); n += 1
lat.sort()
print("%.2f %.2f %.1f" % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], n / (time.monotonic() - t0)))
PY
}
read -r q50 q99 qrate <<<"$(valid quiet)"
wrk -t2 -c64 -d"$((SECONDS_RUN + 2))s" -s scripts/bench-flood.lua "http://$ingest/hooks/load" >"$tmp/wrk.out" &
wrk_pid=$!
sleep 1
read -r f50 f99 frate <<<"$(valid flood)"
wait "$wrk_pid" || true
sleep 0.5
flood_rps=$(awk '/^Requests\/sec:/{print $2}' "$tmp/wrk.out")
disk=$(du -sb --apparent-size "$tmp/var/rejects" | cut -f1)
blocks=$(du -sB1 "$tmp/var/rejects" | cut -f1)
files=$(find "$tmp/var/rejects" -type f | wc -l)
rss=$(awk '/VmRSS/{print $2}' /proc/$ph_pid/status)
start=$(date +%s.%N); kill -TERM "$ph_pid"; wait "$ph_pid" || true; stop=$(date +%s.%N); ph_pid=""
echo "binary: $PAYHOOKD_BIN; valid callbacks at $RATE/s for ${SECONDS_RUN}s, one connection, open loop"
echo "(a) no flood:   p50 $q50 ms, p99 $q99 ms, $qrate acks/s"
echo "(b) with flood: p50 $f50 ms, p99 $f99 ms, $frate acks/s   (wrk -t2 -c64 unsigned: $flood_rps req/s answered 401)"
awk -v a="$q50" -v b="$f50" -v c="$q99" -v d="$f99" -v e="$qrate" -v f="$frate" \
  'BEGIN { printf "ratios (b)/(a): p50 %.1f, p99 %.1f, acks/s %.2f\n", b / a, d / c, f / e }'
echo "rejects store at the end: $disk bytes ($blocks on disk) in $files files (rejects_max_bytes 1048576); RSS $rss kB"
echo "SIGTERM to exit: $(awk -v a="$start" -v b="$stop" 'BEGIN { printf "%.2f", b - a }') s"
