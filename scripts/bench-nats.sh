#!/usr/bin/env bash
# NATS JetStream hook throughput, with its references measured in the same run (release build
# unless PAYHOOKD_BIN names another binary), one local nats-server -js with file storage:
#   (a) a `nats_url` hook draining a backlog of EVENTS events (start = "beginning"): events/s
#       from its start to lag 0, read from /v1/hooks
#   (b) raw JetStream publish with acks from Python (nats-py), the same count and body size,
#       WINDOW publishes in flight (max_in_flight of the hook is WINDOW too)
#   (c) an HTTP hook (`url`, nginx answering 200 on loopback) draining the same backlog
# Prints (a)/(b) and (a)/(c).
# Usage: scripts/bench-nats.sh [events, default 100000] [window, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-100000}
WINDOW=${2:-64}
./scripts/ensure-deb wrk python3 nats-server nginx-light curl
# nats-py installs the module `nats` (ensure-pip looks for `nats_py`).
python3 -c 'import nats' 2>/dev/null || ./scripts/ensure-pip nats-py==2.9.0
if [ -z "${PAYHOOKD_BIN:-}" ]; then swift build -c release --product payhookd >/dev/null; PAYHOOKD_BIN=.build/release/payhookd; fi
tmp=$(mktemp -d "${PAYHOOKD_BENCH_TMP:-/var/tmp}/payhookd-bench-nats-XXXXXX")
ph_pid="" nats_pid="" nginx_pid=""
cleanup() {
  for p in $ph_pid $nats_pid $nginx_pid; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${PAYHOOKD_BENCH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nats_port=$(free_port)
/usr/sbin/nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$tmp/nats" >"$tmp/nats.log" 2>&1 &
nats_pid=$!
http_port=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
master_process off; daemon off; pid $tmp/nginx/pid; error_log $tmp/nginx/error.log;
events {}
http { access_log off; client_body_temp_path $tmp/nginx; server { listen 127.0.0.1:$http_port; location / { return 200; } } }
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!

base_config() {
  cat <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.1:0"]
[storage]
dir = "$tmp/var"
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1/32"]
TOML
}
# start_daemon EXTRA: (re)starts payhookd with EXTRA appended to the config.
start_daemon() {
  { base_config; printf '%s\n' "$1"; } >"$tmp/payhookd.toml"
  rm -f "$tmp/ready"
  PAYHOOKD_READY_FILE="$tmp/ready" "$PAYHOOKD_BIN" serve --config "$tmp/payhookd.toml" 2>>"$tmp/payhookd.err" &
  ph_pid=$!
  for _ in $(seq 400); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
  ingest=$(awk '$1=="ingest"{print $2; exit}' "$tmp/ready")
  admin=$(awk '$1=="admin"{print $2; exit}' "$tmp/ready")
}
stop_daemon() { kill -TERM "$ph_pid"; wait "$ph_pid" || true; ph_pid=""; }

# The backlog: unique callbacks until seq EVENTS exists.
start_daemon ""
run=0
until curl -sf "http://$admin/v1/events?after=$((EVENTS - 1))&limit=1" | grep -q '"seq"'; do
  run=$((run + 1))
  wrk -t2 -c64 -d2s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load "b$run" >/dev/null
done
stop_daemon

# drain NAME TARGET_LINE: starts a hook at the beginning; prints events/s until its lag is 0.
drain() {
  start_daemon "[[hooks]]
name = \"$1\"
$2
start = \"beginning\"
max_in_flight = $WINDOW
timeout_ms = 10000"
  local t0 t1 status
  t0=$(date +%s.%N)
  while :; do
    status=$(curl -sf "http://$admin/v1/hooks")
    if grep -q '"lag_events":0' <<<"$status" && grep -q '"delivered":[1-9]' <<<"$status"; then break; fi
    [ -n "${PAYHOOKD_BENCH_VERBOSE:-}" ] && echo "$status" >&2
    sleep 0.05
  done
  t1=$(date +%s.%N)
  delivered=$(sed -E 's/.*"delivered":([0-9]+).*/\1/' <<<"$status")
  stop_daemon
  awk -v n="$delivered" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d %.0f\n", n, n / (b - a) }'
}
read -r nats_n nats_rate <<<"$(drain nats "nats_url = \"nats://127.0.0.1:$nats_port\"
subject = \"payhook.{source}.{status}\"
stream = \"BENCH\"")"
read -r http_n http_rate <<<"$(drain http "url = \"http://127.0.0.1:$http_port/events\"")"

# (b) Python, same count, ~the event JSON's size, WINDOW publishes awaiting their acks at once.
py_rate=$(python3 - "$nats_port" "$nats_n" "$WINDOW" <<'PY'
import asyncio, sys, time, nats
port, n, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
async def main():
    nc = await nats.connect("nats://127.0.0.1:" + port)
    js = nc.jetstream()
    await js.add_stream(name="RAW", subjects=["raw.>"])
    body = b'{"type":"payhook.event/v1","id":"load:xxxxxxxxxxxxxxxx:invoice%3Apaid",' + b'"x":"' + b"y" * 500 + b'"}'
    sem = asyncio.Semaphore(window)
    async def one(i):
        async with sem:
            await js.publish("raw.load.succeeded", body, headers={"Nats-Msg-Id": "raw-%d" % i})
    t0 = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(n)))
    print("%.0f" % (n / (time.monotonic() - t0)))
    await nc.close()
asyncio.run(main())
PY
)
echo "binary: $PAYHOOKD_BIN; backlog of $nats_n events (HTTP hook: $http_n), nats-server $(/usr/sbin/nats-server --version | awk '{print $NF}') -js file storage, window $WINDOW"
echo "(a) nats_url hook:             $nats_rate events/s published with acks"
echo "(b) nats-py raw publish+ack:   $py_rate msgs/s (same count, ~600-byte body)"
echo "(c) HTTP hook to nginx 200:    $http_rate events/s"
awk -v a="$nats_rate" -v b="$py_rate" -v c="$http_rate" 'BEGIN { printf "ratios: (a)/(b) %.2f, (a)/(c) %.2f\n", a / b, a / c }'
