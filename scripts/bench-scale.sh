#!/usr/bin/env bash
# Scale figures (issue 12): for each size in SCALE_EVENTS (default "1000000 3000000"; add
# 10000000 for the 10M figures, about 25 GB of log and tens of minutes), generates a log of that
# many events through the real record format (payhookd-logbench gen: 4 kinds over N*0.3
# payments), then starts the real daemon on it with its snapshot and without, and prints
# start-up time, RSS after start-up, after 200 ingested webhooks, and the peak (shutdown writes a
# snapshot), plus the index's bytes per event by part (logbench open).
# Writes under BENCH_DIR (default ./bench-out/scale; not tmpfs: fdatasync must cost).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_EVENTS=${SCALE_EVENTS:-"1000000 3000000"}
BENCH_DIR=${BENCH_DIR:-bench-out/scale}
swift build -c release --product payhookd-logbench >/dev/null
swift build -c release --product payhookd >/dev/null
BINDIR=$(swift build -c release --show-bin-path)

for n in $SCALE_EVENTS; do
  dir="$BENCH_DIR/$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "# $n events"
  "$BINDIR/payhookd-logbench" gen "$dir" "$n"
  du -sh "$dir/log" | sed 's/^/log size: /'
  sync
  "$BINDIR/payhookd-logbench" open "$dir" --no-verify | grep -E '^(open|index)'
  ./scripts/scale-probe.py "$BINDIR/payhookd" "$dir" "daemon events=$n snapshot=yes"
  mkdir -p "$dir/aside"
  mv "$dir"/log/*.snap "$dir/aside/"
  ./scripts/scale-probe.py "$BINDIR/payhookd" "$dir" "daemon events=$n snapshot=no"
  rm -rf "$dir"
done
