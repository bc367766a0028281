#!/usr/bin/env bash
# Durable ingest acks/s over h2c (prior knowledge) vs over HTTP/1.1, same daemon, same run:
# scripts/load-ingest.py drives both with unique Nonstopay payin callbacks (each 200 only after
# the log's fdatasync) and 64 requests in flight: HTTP/1.1 on 64 keep-alive connections, h2c on
# 4 connections of 16 streams. One client for both, so its own cost cancels out of the ratio
# (h2load cannot: it posts one body again and again, and a repeated body is a duplicate, answered
# without the disk). For scale, wrk's HTTP/1.1 figure on the same daemon (a C client).
# Best of 2 alternating rounds per protocol. The log lives under $PAYHOOKD_BENCH_TMP (default
# /var/tmp), not on a tmpfs.
# Usage: scripts/bench-ingest-h2.sh [seconds per round, default 5]
#   PAYHOOKD_BIN=path: measure that binary instead of building .build/release/payhookd
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_ROUND=${1:-5}
./scripts/ensure-deb wrk python3
./scripts/ensure-pip h2==4.1.0 # hpack comes with it (scripts/load-ingest.py)
BIN=${PAYHOOKD_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product payhookd >/dev/null
  BIN=.build/release/payhookd
fi

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_tmp ingest-h2 "${PAYHOOKD_BENCH_TMP:-/var/tmp}"
payhookd_start "$BIN" '[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1"]'

# run PROTO TAG: acks/s; fails on any answer that is not a fresh 200.
run() {
  local line
  line=$(python3 scripts/load-ingest.py "$1" "$ingest" load --seconds "$SECONDS_PER_ROUND" --inflight 64 --streams 16 --tag "$2")
  grep -q ' errors=0$' <<<"$line" || { echo "$1: $line" >&2; exit 1; }
  tr ' ' '\n' <<<"$line" | awk -F= '$1=="rate"{print $2}'
}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

python3 scripts/load-ingest.py http1 "$ingest" load --seconds 1 --tag warm1 >/dev/null
python3 scripts/load-ingest.py h2c "$ingest" load --seconds 1 --tag warm2 >/dev/null
h1=0 h2=0
for round in 1 2; do
  h1=$(best "$h1" "$(run http1 "h1-$round")")
  h2=$(best "$h2" "$(run h2c "h2-$round")")
done
wrk_h1=$(wrk -t2 -c64 -d"${SECONDS_PER_ROUND}s" -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load wrk |
  awk '/^Requests\/sec:/{print $2}')

echo "ingest, durable acks/s (unique callbacks, 64 in flight, ${SECONDS_PER_ROUND}s rounds, best of 2; scripts/load-ingest.py)"
echo "  HTTP/1.1, 64 connections:           $h1"
echo "  h2c, 4 connections x 16 streams:    $h2"
awk -v a="$h2" -v b="$h1" 'BEGIN { printf "  ratio h2c / HTTP/1.1:               %.2f\n", a / b }'
echo "  for scale, wrk -t2 -c64 HTTP/1.1:   $wrk_h1   (C client; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
