#!/usr/bin/env bash
# User-space instructions per HTTP/1.1 status query, payhookd against nginx (1 worker,
# `return 200`), both under callgrind in the same run. Requests per second on a shared 2-core
# machine move with steal time and load (the same nginx went from 40k to 66k req/s within an
# hour); instructions do not, so this is the figure that shows what a change to the query's
# path did. Each server takes `wrk -t1 -c8` for 2 s (warm-up, not counted), then 4 s counted
# (callgrind's instrumentation switched on and off around it); the script prints instructions
# per request and their ratio.
# Usage: scripts/bench-status-instructions.sh
#   PAYHOOKD_BIN=path: measure that binary instead of building .build/release/payhookd.
set -euo pipefail
cd "$(dirname "$0")/.."
PAYMENTS=2000
./scripts/ensure-deb wrk nginx-light valgrind python3
BIN=${PAYHOOKD_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product payhookd >/dev/null
  BIN=.build/release/payhookd
fi

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_tmp status-ir
# The log of known payments, made by the daemon itself; then it stops and runs again under
# callgrind on the same storage.
status_log "$BIN" "$PAYMENTS"
# Valgrind 3.19 (Debian 12) cannot read the DWARF 5 of Swift 6 binaries: a copy without it.
strip --strip-debug -o "$tmp/payhookd" "$BIN"

# measure NAME PID URL SIGNAL: instructions per request of PID (under callgrind,
# instrumentation off) over 4 s of wrk; stops PID with SIGNAL and reads the count callgrind
# prints at exit (nginx takes QUIT, its graceful stop).
measure() {
  local out n
  wrk -t1 -c8 -d2s -s "$tmp/paths.lua" "$3" >/dev/null
  callgrind_control -i on "$2" >/dev/null 2>&1
  out=$(wrk -t1 -c8 -d4s -s "$tmp/paths.lua" "$3")
  callgrind_control -i off "$2" >/dev/null 2>&1
  n=$(awk '/requests in/{print $1}' <<<"$out")
  kill -"$4" "$2"
  # A request wakes it too: under valgrind a signal can wait until its epoll_wait returns.
  for _ in $(seq 300); do
    kill -0 "$2" 2>/dev/null || break
    curl -s -m 1 -o /dev/null "$3/healthz" || true
    sleep 0.2
  done
  kill -0 "$2" 2>/dev/null && { echo "$1 under callgrind did not stop on $4" >&2; exit 1; }
  awk -v n="$n" '/Collected :/{gsub(",", "", $4); printf "%d", $4 / n}' "$tmp/$1.err"
}

PAYHOOKD_READY_FILE="$tmp/ready-cg" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/payhookd.cg" \
  "$tmp/payhookd" serve --config "$tmp/payhookd.toml" 2>"$tmp/payhookd.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 600); do [ -s "$tmp/ready-cg" ] && break; sleep 0.1; done
admin=$(awk '$1=="admin"{print $2; exit}' "$tmp/ready-cg")
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$admin/v1/payments/nonstopay-payin/bench-1")" = 200 ] ||
  { echo "status query under callgrind did not answer 200" >&2; exit 1; }
ph=$(measure payhookd "$pid" "http://$admin" TERM)

ng_port=$(free_port)
cat >"$tmp/nginx-cg.conf" <<NGINX
worker_processes 1;
master_process off;
daemon off;
pid $tmp/nginx-cg.pid;
error_log $tmp/nginx-cg.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx-body;
  server {
    listen 127.0.0.1:$ng_port;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
NGINX
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/nginx.cg" \
  nginx -p "$tmp" -c "$tmp/nginx-cg.conf" -e "$tmp/nginx-cg.log" 2>"$tmp/nginx.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$ng_port") 2>/dev/null && break; sleep 0.1; done
ng=$(measure nginx "$pid" "http://127.0.0.1:$ng_port" QUIT)

echo "status, HTTP/1.1: user-space instructions per request (callgrind, wrk -t1 -c8, $PAYMENTS payments)"
echo "  payhookd: $ph   nginx return 200: $ng   payhookd/nginx $(awk -v a="$ph" -v b="$ng" 'BEGIN { printf "%.2f", a / b }')"
