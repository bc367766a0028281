#!/usr/bin/env bash
# Hook delivery of payhookd (release build), in one run, against references from the same run:
#   (a) backlog drain: EVENTS stored events (default 100,000) delivered to one HTTP hook whose
#       target is nginx (1 worker, `return 204`, started here on a free port): the daemon starts
#       with the backlog in its log and a hook with start = "beginning"; events/s from READY to
#       the last delivery (payhook_hook_delivered_total), at max_in_flight 4 (the default) and 64.
#       References: the same daemon's ingest rate while the backlog was written, and nginx's own
#       wrk rate on that location with 4 and 64 connections. Goal: at least 20,000 events/s.
#   (b) latency from the provider's request written to the hook receiving it, at a steady RATE
#       events/s (default 1,000; scripts/load-open.py, open loop) to scripts/hook-receiver.py;
#       p50/p99 next to the ingest answer's own latency and an fdatasync of a side file on the
#       same filesystem meanwhile. Goal: p99 under 5 ms plus the fsync.
#   (c) durable acks/s (wrk -t2 -c64, unique callbacks) with no hook, one fast hook (nginx) and
#       one dead hook (a port nobody listens on), fresh daemons one after the other. Goal: the
#       two with a hook at most 20% lower than without.
# The log lives on the disk under $PAYHOOKD_BENCH_TMP (default /var/tmp), not on a tmpfs.
# Usage: scripts/bench-hooks.sh [events, default 100000] [rate, default 1000] [duration of (c), default 5s]
#        (ROUNDS=n in the environment: rounds of (c), default 2; PAYHOOKD_BENCH_BIN=path: that
#        binary instead of building .build/release/payhookd, to compare two builds on one machine;
#        DRAIN_ROUNDS=n: drains of (a) at each max_in_flight, default 1; ONLY=a: (a) alone;
#        PERF_DRAIN=DIR: a `perf record -g` of each drain in DIR)
# Each drain also reports its rate over nginx's own (wrk -c4) and the daemon's CPU (user + sys,
# every thread, from /proc/PID/stat) per event delivered.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-100000}
RATE=${2:-1000}
DURATION=${3:-5s}
./scripts/ensure-deb wrk nginx-light python3
bin=${PAYHOOKD_BENCH_BIN:-.build/release/payhookd}
[ -n "${PAYHOOKD_BENCH_BIN:-}" ] || swift build -c release --product payhookd >/dev/null

tmp=$(mktemp -d "${PAYHOOKD_BENCH_TMP:-/var/tmp}/payhookd-bench-hooks-XXXXXX")
ph_pid="" ng_pid="" rx_pid=""
stop_daemon() {
  if [ -n "$ph_pid" ]; then kill "$ph_pid" 2>/dev/null || true; wait "$ph_pid" 2>/dev/null || true; fi
  ph_pid=""
}
cleanup() {
  stop_daemon
  for p in $ng_pid $rx_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# free_port, nginx_start (its own clean-up above kills ng_pid).
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

# start_daemon DIR HOOK_TOML: the daemon on DIR's storage (kept across starts); sets ph_pid,
# ingest, admin, and ready_at (seconds, CLOCK_MONOTONIC, when the ready file appeared).
start_daemon() {
  local d="$tmp/$1"
  mkdir -p "$d"
  rm -f "$d/ready"
  cat >"$d/payhookd.toml" <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.2:0"]
max_connections = 4096
[storage]
dir = "$d/var"
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1"]
$2
TOML
  PAYHOOKD_READY_FILE="$d/ready" "$bin" serve --config "$d/payhookd.toml" 2>>"$d/payhookd.err" &
  ph_pid=$!
  ready_at=$(python3 - "$d/ready" <<'PY'
import os, sys, time
end = time.monotonic() + 60
while time.monotonic() < end and not (os.path.exists(sys.argv[1]) and os.path.getsize(sys.argv[1]) > 0):
    time.sleep(0.002)
print("%.6f" % time.monotonic())
PY
)
  ingest=$(awk '$1=="ingest"{print $2; exit}' "$d/ready" 2>/dev/null || true)
  admin=$(awk '$1=="admin"{print $2; exit}' "$d/ready" 2>/dev/null || true)
  [ -n "$ingest" ] && [ -n "$admin" ] || { cat "$d/payhookd.err"; exit 1; }
}

# metric NAME: its value on the running daemon's /metrics (NAME with its labels).
metric() {
  python3 - "$admin" "$1" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=5).read().decode()
print(next((l.split()[1] for l in text.splitlines() if l.split(" ")[0] == sys.argv[2]), "0"))
PY
}

# wait_delivered HOOK COUNT SINCE: polls /metrics every 50 ms until HOOK delivered COUNT events
# (at most 300 s); prints the seconds from SINCE (CLOCK_MONOTONIC) to that moment.
wait_delivered() {
  python3 - "$admin" "payhook_hook_delivered_total{hook=\"$1\"}" "$2" "$3" <<'PY'
import sys, time, urllib.request
addr, name, want, since = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.monotonic() + 300
while time.monotonic() < end:
    text = urllib.request.urlopen("http://%s/metrics" % addr, timeout=5).read().decode()
    got = next((int(float(l.split()[1])) for l in text.splitlines() if l.split(" ")[0] == name), 0)
    if got >= want:
        print("%.3f" % (time.monotonic() - since))
        sys.exit(0)
    # Not faster: a /metrics render runs on the loop, and every 10 ms it took 14% of the
    # loop during a drain (perf); 50 ms is 1% of a 5 s drain.
    time.sleep(0.05)
print("timeout after %d of %d" % (got, want), file=sys.stderr)
sys.exit(1)
PY
}

wrk_rate() { awk '/^Requests\/sec:/{print $2}'; }
# post_wrk TAG: acks/s of unique callbacks; fails on any non-2xx answer or socket error.
post_wrk() {
  local out
  out=$(wrk -t2 -c64 -d"$DURATION" -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load "$1")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "$out" >&2; echo "wrk saw errors" >&2; exit 1; fi
  wrk_rate <<<"$out"
}

# nginx, one worker, `return 204` on every location.
ng_port=$(free_port)
nginx_start "  server {
    listen 127.0.0.1:$ng_port;
    keepalive_requests 1000000;
    location / { return 204; }
  }" "$ng_port"
ng_c4=$(wrk -t1 -c4 -d3s "http://127.0.0.1:$ng_port/events" | wrk_rate)
ng_c64=$(wrk -t2 -c64 -d3s "http://127.0.0.1:$ng_port/events" | wrk_rate)

# (a) the backlog: written by wrk in 2 s rounds, the last one capped so the log ends near EVENTS.
start_daemon backlog ""
fill_rates=() round=0
while :; do
  have=$(metric payhook_log_records_total)
  left=$((EVENTS - ${have%.*}))
  [ "$left" -gt 0 ] || break
  round=$((round + 1))
  if [ "$left" -gt 40000 ]; then
    fill_rates+=("$(wrk -t2 -c64 -d2s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load "fill$round" | wrk_rate)")
  else
    wrk -t2 -c64 -d"$((left / 5000 + 2))s" -s scripts/bench-hooks-fill.lua "http://$ingest/hooks/load" -- load "fill$round" \
      "$(((left + 1) / 2))" >/dev/null
  fi
done
stored=$(metric payhook_log_records_total)
stored=${stored%.*}
stop_daemon
# cpu_seconds PID: user + sys CPU of every thread of PID so far (/proc/PID/stat, as perf stat's
# task-clock would count them).
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# drain IN_FLIGHT ROUND: one drain of the whole backlog by a new hook; with PERF_DRAIN=DIR, a
# `perf record -g` of the daemon over it in DIR/drain-IN_FLIGHT-ROUND.data.
drain() {
  start_daemon backlog "[[hooks]]
name = \"drain$1r$2\"
url = \"http://127.0.0.1:$ng_port/events\"
start = \"beginning\"
max_in_flight = $1"
  local secs cpu0 cpu1 perf_pid=""
  cpu0=$(cpu_seconds "$ph_pid")
  if [ -n "${PERF_DRAIN:-}" ]; then
    perf record -q -g -o "$PERF_DRAIN/drain-$1-$2.data" -p "$ph_pid" 2>/dev/null &
    perf_pid=$!
  fi
  secs=$(wait_delivered "drain$1r$2" "$stored" "$ready_at")
  cpu1=$(cpu_seconds "$ph_pid")
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
  stop_daemon
  awk -v n="$stored" -v s="$secs" -v c="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" -v ng="$ng_c4" 'BEGIN {
    printf "%.0f events/s (%d events in %.2f s; %.2fx nginx -c4 alone; CPU %.1f us/event)", n / s, n, s, n / s / ng, c * 1e6 / n }'
}
# DRAIN_ROUNDS=n: n drains at each max_in_flight, one after the other.
drain4="" drain64=""
for round in $(seq "${DRAIN_ROUNDS:-1}"); do
  drain4+="${drain4:+
                                                           }$(drain 4 "$round")"
  drain64+="${drain64:+
                                                           }$(drain 64 "$round")"
done
if [ "${ONLY:-}" = a ]; then  # ONLY=a: the drain alone
  echo "(a) backlog drain to nginx return 204, max_in_flight 4:  $drain4"
  echo "    the same, max_in_flight 64:                          $drain64"
  echo "    nginx alone on that location: $ng_c4 req/s (wrk -t1 -c4), $ng_c64 req/s (wrk -t2 -c64)"
  echo "    load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  exit 0
fi

# (b) latency to a receiver that notes when each event arrived.
rx_port=$(free_port)
python3 scripts/hook-receiver.py "$rx_port" "$tmp/received" &
rx_pid=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$rx_port") 2>/dev/null && break; sleep 0.05; done
start_daemon latency "[[hooks]]
name = \"latency\"
url = \"http://127.0.0.1:$rx_port/events\""
open_line=$(python3 scripts/load-open.py "$ingest" load --rate "$RATE" --connections 64 --seconds 10 --tag lat \
  --sent-log "$tmp/sent" --fsync-probe "$tmp/latency/fsync-probe" || true)
sent=$(wc -l <"$tmp/sent")
wait_delivered latency "$sent" 0 >/dev/null || true
stop_daemon
kill -TERM "$rx_pid"; wait "$rx_pid" 2>/dev/null || true; rx_pid=""
latency=$(python3 - "$tmp/sent" "$tmp/received" <<'PY'
import math, sys
sent = dict(l.split() for l in open(sys.argv[1]))
got = {}
for l in open(sys.argv[2]):
    pid, t = l.split()
    got.setdefault(pid, float(t))  # the first delivery
lat = sorted((got[p] - float(t)) * 1000 for p, t in sent.items() if p in got)
pct = lambda q: lat[min(len(lat) - 1, max(0, math.ceil(q / 100 * len(lat)) - 1))]
print("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d of %d events received)" % (
    pct(50), pct(90), pct(99), lat[-1], len(lat), len(sent)))
PY
)

# (c) ingest with no hook, a fast hook, a dead hook: ROUNDS rounds, interleaved (the machine's
# load moves between runs; each figure is the mean of its rounds).
dead_port=$(free_port)
ingest_with() {  # NAME HOOK_TOML: sets acks, the acks/s of a fresh daemon (left running)
  start_daemon "$1" "$2"
  wrk -t2 -c64 -d1s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load warm >/dev/null
  acks=$(post_wrk "$1")
}
acks_none_all=() acks_fast_all=() acks_dead_all=()
for round in $(seq "${ROUNDS:-2}"); do
  ingest_with "none$round" ""
  acks_none_all+=("$acks")
  stop_daemon
  ingest_with "fast$round" "[[hooks]]
name = \"fast\"
url = \"http://127.0.0.1:$ng_port/events\""
  acks_fast_all+=("$acks")
  fast_delivered=$(metric 'payhook_hook_delivered_total{hook="fast"}')
  stop_daemon
  ingest_with "dead$round" "[[hooks]]
name = \"dead\"
url = \"http://127.0.0.1:$dead_port/events\""
  acks_dead_all+=("$acks")
  dead_failed=$(metric 'payhook_hook_failed_attempts_total{hook="dead",cause="connect"}')
  stop_daemon
done
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
acks_none=$(mean "${acks_none_all[@]}")
acks_fast=$(mean "${acks_fast_all[@]}")
acks_dead=$(mean "${acks_dead_all[@]}")

field() { tr ' ' '\n' <<<"$open_line" | awk -F= -v k="$1" '$1==k{print $2}'; }
fill=$(printf "%s\n" "${fill_rates[@]}" | awk 'NF { s += $1; n++ } END { if (n) printf "%.0f", s / n; else printf "n/a" }')
echo "(a) backlog drain to nginx return 204, max_in_flight 4:  $drain4"
echo "    the same, max_in_flight 64:                          $drain64"
echo "    references: ingest while the backlog was written $fill acks/s (wrk -t2 -c64, 2 s rounds);"
echo "    nginx alone on that location: $ng_c4 req/s (wrk -t1 -c4), $ng_c64 req/s (wrk -t2 -c64)"
echo "(b) ingest -> hook receiver at $RATE events/s, 10 s: $latency"
echo "    ingest answers meanwhile: p50 $(field send_p50) ms, p99 $(field send_p99) ms (from write), errors $(field errors);"
echo "    an fdatasync of a side file every 10 ms: p50 $(field fsync_p50) ms, p99 $(field fsync_p99) ms"
echo "(c) durable acks/s, wrk -t2 -c64 -d$DURATION, mean of ${ROUNDS:-2} interleaved rounds: no hook $acks_none (${acks_none_all[*]}),"
echo "    fast hook $acks_fast (${acks_fast_all[*]}; last round $fast_delivered delivered meanwhile), dead hook $acks_dead (${acks_dead_all[*]}; last round $dead_failed failed connects)"
awk -v n="$acks_none" -v f="$acks_fast" -v d="$acks_dead" 'BEGIN {
  printf "    fast hook %.2fx, dead hook %.2fx of no hook (goal: at least 0.80)\n", f / n, d / n }'
echo "    load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
