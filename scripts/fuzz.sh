#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Build the libFuzzer harnesses (clang, ASan + UBSan; CMake option NETSTREAM_FUZZ) into build-fuzz/
# and run each one for SECONDS (default 15) on a copy of its committed seed corpus.
#   scripts/fuzz.sh            # short run, as CI does
#   scripts/fuzz.sh 3600       # an hour per harness
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-15}"
FB="$REPO/build-fuzz"
mkdir -p "$FB"

cmake -S "$REPO" -B "$FB" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPYTHON_EXECUTABLE=/usr/bin/python3 -DENABLE_DOXYGEN=OFF \
    -DENABLE_PYTHON=OFF -DNETSTREAM_FUZZ=ON >"$FB/configure.log" 2>&1 || { cat "$FB/configure.log"; exit 1; }
cmake --build "$FB" --target netstream_fuzzers -j"$(nproc)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for corpus in "$REPO"/tests/fuzz/corpus/*/; do
    name="$(basename "$corpus")"
    exe="$FB/tests/fuzz/fuzz_$name"
    [ -x "$exe" ] || { echo "no harness for corpus $name"; exit 1; }
    mkdir -p "$work/$name"
    echo "--- fuzz_$name for ${SECONDS_EACH} s"
    # new inputs go to the scratch dir; the committed corpus is only read
    "$exe" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$work/$name-" \
        "$work/$name" "$corpus" 2>&1 | grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|==|SUMMARY)" || true
    # libFuzzer exits non-zero on a crash; PIPESTATUS keeps that
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz_$name FAILED (artifacts in $work)"; ls "$work"; exit 1; }
done
echo "fuzz: all harnesses ran clean"
