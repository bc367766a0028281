#!/usr/bin/env bash
# The console's first load in headless Chromium against a daemon holding many events:
#   events are posted through the real ingest (wrk -c64 with unique callbacks, group commit) in
#   rounds of 20 s until the log holds TARGET events or MAX_SECONDS have passed; then the page is loaded RUNS times with the cache disabled (Tests/Scripts/console_cdp.py
#   --bench) and the bytes transferred (assets and the API answers of the overview) and the time
#   from navigation start to the overview rendered (performance mark "view-rendered") printed,
#   median and worst.
# The log lives on the disk under $PAYHOOKD_BENCH_TMP (default /var/tmp).
# Usage: scripts/bench-console.sh [TARGET events, default 1000000] [MAX_SECONDS, default 240] [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-1000000}
MAX_SECONDS=${2:-240}
RUNS=${3:-5}
./scripts/ensure-deb wrk python3 chromium
./scripts/ensure-pip websockets==13.1
swift build -c release --product payhookd >/dev/null

tmp=$(mktemp -d "${PAYHOOKD_BENCH_TMP:-/var/tmp}/payhookd-bench-console-XXXXXX")
ph_pid=""
cleanup() {
  if [ -n "$ph_pid" ]; then kill "$ph_pid" 2>/dev/null || true; wait "$ph_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cat >"$tmp/payhookd.toml" <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.2:0"]
[storage]
dir = "$tmp/var"
[[sources]]
name = "load"
provider = "nonstopay"
kind = "payin"
signature = "none"
allow_from = ["127.0.0.1"]
TOML
PAYHOOKD_READY_FILE="$tmp/ready" .build/release/payhookd serve --config "$tmp/payhookd.toml" 2>"$tmp/payhookd.err" &
ph_pid=$!
for _ in $(seq 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
ingest=$(awk '$1=="ingest"{print $2; exit}' "$tmp/ready")
admin=$(awk '$1=="admin"{print $2; exit}' "$tmp/ready")

last_seq() { curl -sS "http://$admin/metrics" | awk '$1=="payhook_log_last_seq"{print $2}'; }
start=$SECONDS
events=0
round=0
while [ "$events" -lt "$TARGET" ] && [ $((SECONDS - start)) -lt "$MAX_SECONDS" ]; do
  round=$((round + 1))
  wrk -t2 -c64 -d20s -s scripts/bench-ingest.lua "http://$ingest/hooks/load" -- load "console$round" >"$tmp/wrk.out"
  events=$(last_seq)
done
elapsed=$((SECONDS - start))
bytes=$(du -sb "$tmp/var/log" | cut -f1)
echo "console: daemon holds $events events ($bytes bytes of log), posted through ingest in ${elapsed} s"

for i in $(seq "$RUNS"); do
  python3 Tests/Scripts/console_cdp.py --bench --admin "$admin" --timeout 120 2>/dev/null
done >"$tmp/runs.jsonl"
python3 - "$tmp/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
w = [r["first_load_bytes"] for r in runs]
t = [r["first_render_ms"] for r in runs]
print(f"console first load (cache disabled), {len(runs)} runs: {statistics.median(w):.0f} bytes transferred "
      f"(max {max(w)}; budget 100000), overview rendered at {statistics.median(t):.0f} ms median, "
      f"{max(t):.0f} ms worst (budget 300)")
mid = sorted(runs, key=lambda r: r["first_render_ms"])[len(runs) // 2]
print(f"  median run: document {mid.get('document_ms')} ms, first contentful paint {mid.get('fcp_ms')} ms, "
      f"resource durations {mid.get('resources_ms')}")
PY
