#!/usr/bin/env bash
# Parser throughput: payhookd's HTTP/1.1 parser against llhttp (Node's C parser) on one corpus.
#
#   scripts/bench-parser.sh [CORPUS] [--seconds S] [--rounds R]
#
# Builds payhookd-bench (release, plain -O: bounds checks of safe code stay on) and a small C
# driver against Debian's node-llhttp sources (gcc -O2), then runs them alternately R times for S
# seconds each on CORPUS (default bench/corpus/webhooks.http) and prints the best figure of each
# and the ratio. Both parse the concatenated requests over and over from one buffer and touch
# what a server would (target, header values, body spans).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=bench/corpus/webhooks.http
seconds=3
rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) corpus="$1"; shift ;;
    esac
done

if ! dpkg -L node-llhttp >/dev/null 2>&1; then ./scripts/ensure-deb node-llhttp; fi
llhttp_src=$(dpkg -L node-llhttp | grep -E '/llhttp/llhttp\.c$' | head -1)
llhttp_inc=$(dirname "$(dpkg -L node-llhttp | grep -E '/llhttp\.h$' | head -1)")
llhttp_dir=$(dirname "$llhttp_src")

swift build -c release --product payhookd-bench >&2
mkdir -p bench-out
gcc -O2 -I"$llhttp_inc" -o bench-out/llhttp-bench bench/llhttp/llhttp-bench.c \
    "$llhttp_dir/llhttp.c" "$llhttp_dir/api.c" "$llhttp_dir/http.c"

best_ours=0
best_llhttp=0
for ((i = 1; i <= rounds; i++)); do
    ours=$(./.build/release/payhookd-bench parse "$corpus" --seconds "$seconds")
    theirs=$(./bench-out/llhttp-bench "$corpus" "$seconds")
    echo "round $i: payhookd $ours | llhttp $theirs" >&2
    n=${ours%% *}; ((n > best_ours)) && best_ours=$n && best_ours_line=$ours
    n=${theirs%% *}; ((n > best_llhttp)) && best_llhttp=$n && best_llhttp_line=$theirs
done
echo "corpus: $corpus ($(wc -c <"$corpus") bytes), best of $rounds x ${seconds}s"
echo "payhookd HTTP1RequestParser: ${best_ours_line%% (*}"
echo "llhttp:                      ${best_llhttp_line%% (*}"
awk -v a="$best_ours" -v b="$best_llhttp" 'BEGIN { printf "ratio payhookd/llhttp: %.2f\n", a / b }'
