#!/usr/bin/env bash
# Durable-ack throughput and latency of payhookd's ingest (release build), in one run:
#   (a) durable acks/s: wrk -t2 -c64 POST /hooks/load, every body a unique callback (200 only
#       after the log's fdatasync; group commit)
#   (b) the same daemon's GET /healthz req/s with -c64 (the HTTP ceiling, no disk)
#   (c) durable acks/s with storage.max_batch_records = 1 (one fdatasync per request: reference)
#   (d) p50/p99 latency at a fixed 2,000 req/s of unique callbacks, open loop
#       (scripts/load-open.py, 64 connections)
# and the ratios (a)/(c), (a)/(b), and fdatasync calls vs records from /metrics for each phase
# (payhook_log_fdatasync_total, payhook_log_records_total): group commit at work. For context,
# (e) the same open loop on the same daemon to an unknown source (404: the whole HTTP path and
# the generator, no disk), the floor under (d)'s percentiles on a busy machine, and the load
# average during the run.
# The log lives on the disk under $PAYHOOKD_BENCH_TMP (default /var/tmp), not on a tmpfs.
# Usage: scripts/bench-ingest.sh [duration, default 5s] [open-loop rate, default 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5s}
RATE=${2:-2000}
./scripts/ensure-deb wrk python3
swift build -c release --product payhookd >/dev/null

tmp=$(mktemp -d "${PAYHOOKD_BENCH_TMP:-/var/tmp}/payhookd-bench-ingest-XXXXXX")
ph_pid=""
stop_daemon() {
  if [ -n "$ph_pid" ]; then kill "$ph_pid" 2>/dev/null || true; wait "$ph_pid" 2>/dev/null || true; fi
  ph_pid=""
}
cleanup() { stop_daemon; rm -rf "$tmp"; }
trap cleanup EXIT

# start_daemon NAME EXTRA_STORAGE_LINES: a fresh storage dir; sets ph_pid, ingest, admin.
start_daemon() {
  local d="$tmp/$1"
  mkdir -p "$d"
  cat >"$d/payhookd.toml" <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.2:0"]
max_connections = 4096
[storage]
dir = "$d/var"
$2
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1"]
TOML
  PAYHOOKD_READY_FILE="$d/ready" .build/release/payhookd serve --config "$d/payhookd.toml" 2>"$d/payhookd.err" &
  ph_pid=$!
  for _ in $(seq 200); do [ -s "$d/ready" ] && break; sleep 0.05; done
  ingest=$(awk '$1=="ingest"{print $2; exit}' "$d/ready" 2>/dev/null || true)
  admin=$(awk '$1=="admin"{print $2; exit}' "$d/ready" 2>/dev/null || true)
  [ -n "$ingest" ] && [ -n "$admin" ] || { cat "$d/payhookd.err"; exit 1; }
}

# metric NAME: its value on the running daemon's /metrics.
metric() {
  python3 - "$admin" "$1" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=5).read().decode()
print(next((l.split()[1] for l in text.splitlines() if l.split(" ")[0] == sys.argv[2]), "0"))
PY
}
counters() { echo "$(metric payhook_log_fdatasync_total) $(metric payhook_log_records_total)"; }
# group_commit "BEFORE" "AFTER": "R records, F fdatasync, R/F records per fdatasync".
group_commit() {
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); f = y[1] - x[1]; r = y[2] - x[2];
    printf "%d records, %d fdatasync, %.1f records per fdatasync", r, f, (f > 0 ? r / f : 0) }'
}

# post_wrk TAG: acks/s of unique callbacks; fails on any non-2xx answer or socket error.
post_wrk() {
  local out
  out=$(wrk -t2 -c64 -d"$DURATION" -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load "$1")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "$out" >&2; echo "wrk saw errors" >&2; exit 1; fi
  awk '/^Requests\/sec:/{print $2}' <<<"$out"
}

# (a) and (b): group commit on.
start_daemon group ""
wrk -t2 -c64 -d1s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load warm >/dev/null
before=$(counters)
acks=$(post_wrk a)
sleep 0.3; after=$(counters)
gc_a=$(group_commit "$before" "$after")
health=$(wrk -t2 -c64 -d"$DURATION" "http://$ingest/healthz" | awk '/^Requests\/sec:/{print $2}')

# (d): fixed rate, open loop, on the same daemon.
before=$(counters)
open_line=$(python3 scripts/load-open.py "$ingest" load --rate "$RATE" --connections 64 --seconds 10 --tag d \
  --fsync-probe "$tmp/fsync-probe" || true)
sleep 0.3; after=$(counters)
gc_d=$(group_commit "$before" "$after")
# (e): the same, answered 404 without the disk.
floor_line=$(python3 scripts/load-open.py "$ingest" no-such-source --expect 404 --rate "$RATE" --connections 64 --seconds 10 --tag e || true)
stop_daemon

# (c): one fdatasync per record.
start_daemon single "max_batch_records = 1"
wrk -t2 -c64 -d1s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load warm >/dev/null
before=$(counters)
single=$(post_wrk c)
sleep 0.3; after=$(counters)
gc_c=$(group_commit "$before" "$after")
stop_daemon

field() { tr ' ' '\n' <<<"${2:-$open_line}" | awk -F= -v k="$1" '$1==k{print $2}'; }
echo "(a) durable acks/s, group commit:        $acks   (wrk -t2 -c64 -d$DURATION, unique callbacks; $gc_a)"
echo "(b) GET /healthz req/s, same daemon:     $health   (wrk -t2 -c64 -d$DURATION)"
echo "(c) durable acks/s, max_batch_records=1: $single   ($gc_c)"
echo "(d) open loop at $RATE req/s, 64 connections, 10 s: answered $(field answered)/$(field sent) at $(field rate)/s, errors $(field errors)"
echo "    latency from due time: p50 $(field p50) ms, p90 $(field p90) ms, p99 $(field p99) ms, p99.9 $(field p999) ms, max $(field max) ms"
echo "    latency from write:    p50 $(field send_p50) ms, p99 $(field send_p99) ms, max $(field send_max) ms   ($gc_d)"
echo "    meanwhile an fdatasync of a side file every 10 ms on the same filesystem took p50 $(field fsync_p50) ms, p99 $(field fsync_p99) ms, max $(field fsync_max) ms"
echo "(e) same open loop, unknown source (404, no disk): p50 $(field p50 "$floor_line") ms, p99 $(field p99 "$floor_line") ms, max $(field max "$floor_line") ms, errors $(field errors "$floor_line")"
echo "    load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
awk -v a="$acks" -v b="$health" -v c="$single" 'BEGIN {
  printf "ratio (a)/(c) group commit vs one fdatasync per request: %.1f\n", a / c
  printf "ratio (a)/(b) durable acks vs /healthz:                  %.2f\n", a / b }'
