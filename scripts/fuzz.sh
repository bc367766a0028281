#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (a separate package) and runs each for FUZZ_SECONDS
# (default 60). Exits non-zero when a target crashes, traps or breaks an invariant; the input is
# saved under Fuzz/artifacts/. Committed seeds (Fuzz/corpus/<target>/) are read, never written:
# new inputs go to Fuzz/.build/corpus-<target>/.
#
#   FUZZ_SECONDS=300 scripts/fuzz.sh [TARGET...]     (default: fuzz-http1 fuzz-http1-response fuzz-providers fuzz-toml)
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz-http1 fuzz-http1-response fuzz-providers fuzz-toml)

for target in "${targets[@]}"; do
    swift build --sanitize fuzzer --sanitize address \
        -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
        --product "$target" 2>&1 | grep -v "Cannot export local symbol" || true
    binary=$(swift build --show-bin-path)/"$target"
    [[ -x "$binary" ]] || { echo "fuzz.sh: $target did not build" >&2; exit 1; }
    name=${target#fuzz-}
    mkdir -p ".build/corpus-$name" artifacts
    echo "fuzz.sh: running $target for ${seconds}s" >&2
    # Swift's backtracer would intercept the crash signal before libFuzzer saves the input.
    SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -max_len=4096 \
        -artifact_prefix="artifacts/$target-" -print_final_stats=1 \
        ".build/corpus-$name" "corpus/$name"
done
