#!/usr/bin/env bash
# Scale figures (issue 12): for each size in SCALE_EVENTS (default "1000000 3000000"; add
# 10000000 for the 10M figures, about 8.5 GB of log and tens of minutes), generates a log of that
# many events through the real record format (payhookd-logbench gen: 4 kinds over N*0.3
# payments), then starts the real daemon on it with its snapshot and without, and prints
# start-up time, RSS after start-up, after 200 ingested webhooks, the peak while serving and the
# peak including shutdown (which writes a snapshot), plus the index's bytes per event by part
# (logbench open).
# With the snapshot, it also measures status queries/s and ingest acks/s (scale-probe.py RATES=1,
# snapshot_every_events 10,000 so that snapshots of the whole index are written while wrk
# ingests) and prints them as ratios against the same probe on a small log of SCALE_REF events
# (default 10,000) in the same run.
# Writes under BENCH_DIR (default ./bench-out/scale; not tmpfs: fdatasync must cost).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_EVENTS=${SCALE_EVENTS:-"1000000 3000000"}
SCALE_REF=${SCALE_REF:-10000}
BENCH_DIR=${BENCH_DIR:-bench-out/scale}
./scripts/ensure-deb wrk python3
# PAYHOOKD_BIN / LOGBENCH_BIN: measure other binaries (a build before a change) instead.
if [ -z "${PAYHOOKD_BIN:-}" ] || [ -z "${LOGBENCH_BIN:-}" ]; then
  swift build -c release --product payhookd-logbench >/dev/null
  swift build -c release --product payhookd >/dev/null
fi
BINDIR=$(swift build -c release --show-bin-path)
PAYHOOKD_BIN=${PAYHOOKD_BIN:-$BINDIR/payhookd}
LOGBENCH_BIN=${LOGBENCH_BIN:-$BINDIR/payhookd-logbench}

# probe N LABEL: the daemon on the generated log of N events, with rates.
probe_rates() {
  PAYMENTS=$(($1 * 3 / 10)) RATES=1 SNAPSHOT_EVERY=10000 ./scripts/scale-probe.py "$PAYHOOKD_BIN" "$BENCH_DIR/$1" "$2"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

for n in $SCALE_REF $SCALE_EVENTS; do
  dir="$BENCH_DIR/$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "# $n events"
  "$LOGBENCH_BIN" gen "$dir" "$n"
  du -sh "$dir/log" | sed 's/^/log size: /'
  sync
  "$LOGBENCH_BIN" open "$dir" --no-verify | grep -E '^(open|index)'
  line=$(probe_rates "$n" "daemon events=$n snapshot=yes")
  echo "$line"
  if [ "$n" = "$SCALE_REF" ]; then
    ref_status=$(field status_rps "$line")
    ref_ingest=$(field ingest_rps "$line")
  else
    awk -v n="$n" -v s="$(field status_rps "$line")" -v i="$(field ingest_rps "$line")" -v rs="$ref_status" -v ri="$ref_ingest" -v ref="$SCALE_REF" \
      'BEGIN { printf "rates events=%s status_vs_ref=%.2f ingest_vs_ref=%.2f (ref: %s events)\n", n, s / rs, i / ri, ref }'
    mkdir -p "$dir/aside"
    mv "$dir"/log/*.snap "$dir/aside/"
    ./scripts/scale-probe.py "$PAYHOOKD_BIN" "$dir" "daemon events=$n snapshot=no"
  fi
  rm -rf "$dir"
done
