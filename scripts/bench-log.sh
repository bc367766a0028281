#!/usr/bin/env bash
# Figures for the durable log: durable appends/s with group commit (64 closed-loop submitters)
# against one fdatasync per record, and start-up time + RSS with EVENTS events (default 1M),
# from a snapshot and by full replay. Writes under BENCH_DIR (default ./bench-out/log, on the
# same file system as the repository: tmpfs would make fdatasync free and the figures lie).
#   scripts/bench-log.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
APPENDS=${APPENDS:-20000}
SUBMITTERS=${SUBMITTERS:-64}
BENCH_DIR=${BENCH_DIR:-bench-out/log}

swift build -c release --product payhookd-logbench >/dev/null
BIN=$(swift build -c release --show-bin-path)/payhookd-logbench

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
echo "# durable appends ($SUBMITTERS submitters, each waits for its fdatasync)"
"$BIN" append "$BENCH_DIR/group" "$SUBMITTERS" "$APPENDS" 1024
"$BIN" append "$BENCH_DIR/single" "$SUBMITTERS" $((APPENDS / 10)) 1
echo "# one submitter (idle: one fdatasync per record)"
"$BIN" append "$BENCH_DIR/idle" 1 $((APPENDS / 20)) 1024

echo "# start-up with $EVENTS events"
"$BIN" fill "$BENCH_DIR/big" "$EVENTS"
du -sh "$BENCH_DIR/big/log" | sed 's/^/log size: /'
sync
"$BIN" open "$BENCH_DIR/big"
"$BIN" open "$BENCH_DIR/big" --no-verify
"$BIN" open "$BENCH_DIR/big" --no-snapshot
for f in "$BENCH_DIR"/big/log/*.snap.off; do [ -e "$f" ] && mv "$f" "${f%.off}"; done
rm -rf "$BENCH_DIR"
