#!/usr/bin/env bash
# Benchmarks payhookd's HTTP/1.1 path against nginx on the same machine, in the same run:
#   wrk -t2 -c64 -d5s GET /healthz  on payhookd (release build) and on nginx (1 worker, `return 200`)
# and prints both req/s, the ratio, and payhookd's resident memory idle and with 1000 open
# connections (VmRSS from /proc/PID/status).
# Usage: scripts/bench-http.sh [duration, default 5s]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5s}
./scripts/ensure-deb wrk nginx-light python3
swift build -c release --product payhookd >/dev/null

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_tmp http
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

payhookd_start .build/release/payhookd
ph_addr=$ingest

ng_port=$(free_port)
nginx_start "  server {
    listen 127.0.0.1:$ng_port;
    location / { default_type application/json; return 200 '{\"ok\":true}'; }
  }" "$ng_port"

reqs() { wrk -t2 -c64 -d"$DURATION" "$1" | awk '/^Requests\/sec:/{print $2}'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
# Warm both up briefly, then measure twice, alternating, and keep each one's best run: on a
# shared machine a burst of load then hurts both sides alike.
wrk -t2 -c64 -d1s "http://$ph_addr/healthz" >/dev/null
wrk -t2 -c64 -d1s "http://127.0.0.1:$ng_port/healthz" >/dev/null
ph=0 ng=0
for _ in 1 2; do
  ph=$(best "$ph" "$(reqs "http://$ph_addr/healthz")")
  ng=$(best "$ng" "$(reqs "http://127.0.0.1:$ng_port/healthz")")
done

idle=$(rss_kb "$ph_pid")
python3 - "$ph_addr" "$ph_pid" >"$tmp/rss1000" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
conns = [socket.create_connection((host, int(port))) for _ in range(1000)]
for c in conns:
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n")
for c in conns:
    c.recv(4096)
time.sleep(0.5)
print(next(l.split()[1] for l in open(f"/proc/{sys.argv[2]}/status") if l.startswith("VmRSS")))
PY
busy=$(cat "$tmp/rss1000")

echo "payhookd  GET /healthz: $ph req/s   (wrk -t2 -c64 -d$DURATION, best of 2)"
echo "nginx     GET /healthz: $ng req/s   (1 worker, return 200, best of 2)"
awk -v a="$ph" -v b="$ng" 'BEGIN { printf "ratio payhookd/nginx: %.2f\n", a / b }'
echo "payhookd VmRSS: idle ${idle} kB, with 1000 open connections ${busy} kB"
