#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ for a bounded time each, over their committed corpora.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 30); TARGETs default to all of them. On the stable
# toolchain, with cargo-fuzz (installed here if it is missing) and libFuzzer, without a
# sanitizer (`-s none`: the sanitizers need a nightly compiler; the code under test has no
# `unsafe`). New inputs go to a temporary folder, so the committed corpora stay as they
# are; a crash stops the run, prints its input and leaves it in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(read_ubl read_cii round_trip decimal document_key service_json)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi

# The fuzz targets' build cache, apart from the workspace's (other compiler flags).
# FUZZ_TARGET_DIR, else fuzz/target.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
cargo fuzz build -s none -O --features service

# The official EN 16931 examples, where they are, seed the two XML readers at run time
# (they are EUPL-licensed and not kept in the corpora): EN16931_EXAMPLES, as for the tests.
examples="${EN16931_EXAMPLES:-}"
for target in "${targets[@]}"; do
    dict=()
    seeds=()
    case "$target" in
        read_ubl) dict=(-dict=dict/ubl.dict); syntax=ubl ;;
        read_cii) dict=(-dict=dict/cii.dict); syntax=cii ;;
        *) syntax= ;;
    esac
    if [ -n "$syntax" ] && [ -n "$examples" ] && [ -d "$examples/cen/$syntax" ]; then
        seeds=("$examples/cen/$syntax")
    fi
    scratch=$(mktemp -d)
    mkdir -p "artifacts/$target"
    echo "== $target: ${seconds}s over corpus/$target"
    status=0
    cargo fuzz run -s none -O --features service "$target" "$scratch" "corpus/$target" \
        "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "${dict[@]}" >"$scratch.log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$scratch.log" >&2
    fi
    grep -E '^(stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|INFO: seed corpus)| DONE +cov:' "$scratch.log" || true
    rm -rf "$scratch" "$scratch.log"
    if [ "$status" -ne 0 ]; then
        echo "fuzz target $target failed (exit $status); its input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
