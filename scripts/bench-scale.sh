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
# PAYHOOKD_BIN / LOGBENCH_BIN: measure other binaries (a build before a change) instead.
if [ -z "${PAYHOOKD_BIN:-}" ] || [ -z "${LOGBENCH_BIN:-}" ]; then
  swift build -c release --product payhookd-logbench >/dev/null
  swift build -c release --product payhookd >/dev/null
fi
BINDIR=$(swift build -c release --show-bin-path)
PAYHOOKD_BIN=${PAYHOOKD_BIN:-$BINDIR/payhookd}
LOGBENCH_BIN=${LOGBENCH_BIN:-$BINDIR/payhookd-logbench}

for n in $SCALE_EVENTS; do
  dir="$BENCH_DIR/$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "# $n events"
  "$LOGBENCH_BIN" gen "$dir" "$n"
  du -sh "$dir/log" | sed 's/^/log size: /'
  sync
  "$LOGBENCH_BIN" open "$dir" --no-verify | grep -E '^(open|index)'
  ./scripts/scale-probe.py "$PAYHOOKD_BIN" "$dir" "daemon events=$n snapshot=yes"
  mkdir -p "$dir/aside"
  mv "$dir"/log/*.snap "$dir/aside/"
  ./scripts/scale-probe.py "$PAYHOOKD_BIN" "$dir" "daemon events=$n snapshot=no"
  rm -rf "$dir"
done
