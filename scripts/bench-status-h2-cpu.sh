#!/usr/bin/env bash
# CPU work per h2c status query, payhookd against nginx, same run. Wall-clock rates on a shared
# 2-core machine move with other people's builds; the CPU a server spends per request does not
# (much), so this is the figure that resolves a change in the h2 path.
#   payhookd: GET /v1/payments/{source}/{id} over 2,000 known payments (a log prepared by
#             ingesting 2,000 signed webhooks)
#   nginx:    1 worker, `listen ... http2` (no TLS), `return 200 '{"ok":true}'`, with
#             keepalive_requests above the run's requests per connection: nginx >= 1.19.7 counts
#             h2 streams against it (default 1,000), and would otherwise end every connection
#             with GOAWAY after 1,000 streams, cutting `h2load -n 200000` short
# Each server: h2load -n REQUESTS -c8 -m16, ROUNDS times alternating; per round the server's CPU
# (perf stat -e task-clock, plus user/system split from /proc/PID/stat; instructions:u/k when the
# machine has hardware counters) divided by the requests h2load counted as succeeded. Any failed
# or errored request fails the script. Prints the best round (lowest CPU per request) of each.
# Usage: scripts/bench-status-h2-cpu.sh [requests, default 200000] [rounds, default 3]
#   PAYHOOKD_BIN=path: measure that binary instead of building .build/release/payhookd
#   PERF_RECORD=file: also `perf record -g` payhookd during one extra run into file
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-200000}
ROUNDS=${2:-3}
PAYMENTS=2000
./scripts/ensure-deb nginx-light nghttp2-client python3 linux-perf
BIN=${PAYHOOKD_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product payhookd >/dev/null
  BIN=.build/release/payhookd
fi

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_tmp h2cpu
status_daemon "$BIN" "$PAYMENTS"

ng_port=$(free_port)
nginx_start "  server {
    listen 127.0.0.1:$ng_port http2;
    # Streams per connection (nginx >= 1.19.7): the whole run on h2load's 8 connections.
    keepalive_requests 100000000;
    location / { default_type application/json; return 200 '{\"ok\":true}'; }
  }" "$ng_port"
# The worker, not the master, serves the requests.
ng_worker=$(pgrep -P "$(cat "$tmp/nginx.pid")" | head -1)

for i in $(seq 0 $((PAYMENTS - 1))); do echo "http://$admin/v1/payments/nonstopay-payin/bench-$i"; done >"$tmp/uris-ph"
for i in $(seq 0 $((PAYMENTS - 1))); do echo "http://127.0.0.1:$ng_port/v1/payments/nonstopay-payin/bench-$i"; done >"$tmp/uris-ng"

ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
have_insn=0
# Hardware counters only where perf counts them (a VM often has none: "<not supported>").
perf stat -x, -e instructions:u true 2>&1 | grep -Eq '^[0-9]+,' && have_insn=1
# Syscalls show the batching: a write per turn of many streams, or one per stream.
reads=syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_recvfrom
writes=syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg
events=task-clock,$reads,$writes
[ "$have_insn" = 1 ] && events=$events,instructions:u,instructions:k

# round PID URIS: prints "reqs_per_s cpu_us_per_req user_us_per_req sys_us_per_req insn_u insn_k
# reads_per_req writes_per_req"
round() {
  local pid=$1 uris=$2 t0 t1 out
  t0=$(ticks "$pid")
  perf stat -x, -e "$events" -p "$pid" -o "$tmp/perf.csv" -- \
    h2load -n "$REQUESTS" -c8 -m16 -i "$uris" >"$tmp/h2load.out" 2>&1
  t1=$(ticks "$pid")
  out=$(cat "$tmp/h2load.out")
  grep -Eq "requests: $REQUESTS total, $REQUESTS started, $REQUESTS done, $REQUESTS succeeded, 0 failed, 0 errored" <<<"$out" ||
    { echo "h2load did not complete every request cleanly:" >&2; grep -E '^(requests|status codes):' <<<"$out" >&2; exit 1; }
  grep -q "status codes: $REQUESTS 2xx" <<<"$out" || { grep '^status codes' <<<"$out" >&2; exit 1; }
  awk -F, -v n="$REQUESTS" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    -v rate="$(awk '/^finished in/{gsub(",", "", $4); print $4}' <<<"$out")" '
    $3 == "task-clock" || $3 ~ /^task-clock/ { ms = $1 }
    $3 ~ /instructions:u/ { iu = $1 }
    $3 ~ /instructions:k/ { ik = $1 }
    $3 ~ /sys_enter_(read|readv|recvfrom)$/ { rd += $1 }
    $3 ~ /sys_enter_(write|writev|sendto|sendmsg)$/ { wr += $1 }
    END {
      split(t0, a, " "); split(t1, b, " ")
      printf "%s %.2f %.2f %.2f %s %s %.3f %.3f\n", rate, ms * 1000 / n, (b[1] - a[1]) * 1e6 / hz / n, (b[2] - a[2]) * 1e6 / hz / n,
        (iu == "" ? "-" : sprintf("%.0f", iu / n)), (ik == "" ? "-" : sprintf("%.0f", ik / n)), rd / n, wr / n
    }' "$tmp/perf.csv"
}
# Keeps the round with the lowest CPU per request.
better() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); print ((a == "" || y[2] < x[2]) ? b : a) }'; }

h2load -n 20000 -c8 -m16 -i "$tmp/uris-ph" >/dev/null
h2load -n 20000 -c8 -m16 -i "$tmp/uris-ng" >/dev/null
ph="" ng=""
for _ in $(seq "$ROUNDS"); do
  # One assignment per round: a failing round then stops the script (set -e).
  r=$(round "$ph_pid" "$tmp/uris-ph")
  ph=$(better "$ph" "$r")
  r=$(round "$ng_worker" "$tmp/uris-ng")
  ng=$(better "$ng" "$r")
done
if [ -n "${PERF_RECORD:-}" ]; then
  perf record -g -o "$PERF_RECORD" -p "$ph_pid" -- h2load -n "$REQUESTS" -c8 -m16 -i "$tmp/uris-ph" >/dev/null 2>&1
fi

show() {
  read -r rate cpu user sys iu ik rd wr <<<"$2"
  printf "  %-9s %9s req/s   CPU %6s us/req (user %s, sys %s)   instructions/req user %s kernel %s   reads/req %s writes/req %s\n" \
    "$1" "$rate" "$cpu" "$user" "$sys" "$iu" "$ik" "$rd" "$wr"
}
echo "status, h2c, CPU per request (h2load -n $REQUESTS -c8 -m16, best of $ROUNDS by CPU; load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
show payhookd "$ph"
show nginx "$ng"
awk -v a="$ph" -v b="$ng" 'BEGIN { split(a, x, " "); split(b, y, " ");
  printf "  ratio payhookd/nginx: req/s %.2f (goal >= 1.0), CPU per request %.2f (goal <= 1.0)\n", x[1] / y[1], x[2] / y[2] }'
