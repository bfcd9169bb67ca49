#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Set up (scripts/setup.sh) and run every check gr-netstream has:
#   lint (clang-format, ruff) -> C++ unit tests (ctest) -> pytest over tests/ (interop with the
#   real doppler-dsp 0.27.0 and pytia 0.1.0 peers, block tests against the emulator and fake peers)
#   -> GRC (every block YAML loads, every example compiles with grcc and runs)
#   -> fuzz (each libFuzzer harness for a short, bounded time on its seed corpus)
#   -> install check (when root: install to /usr/local, import from a clean shell, GRC sees the blocks)
# Exits non-zero on the first failing step.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${NETSTREAM_BUILD_DIR:-$REPO/build}"
VENV="$REPO/.venv"
FUZZ_SECONDS="${NETSTREAM_FUZZ_SECONDS:-15}"

"$REPO/scripts/setup.sh"

step() { printf '\n==> %s\n' "$*"; }
t0=$(date +%s)

step "lint: clang-format and ruff"
"$REPO/scripts/lint.sh"

step "C++ unit tests (ctest)"
ctest --test-dir "$BUILD" --output-on-failure

step "pytest"
cd "$REPO"
NETSTREAM_BUILD_DIR="$BUILD" NETSTREAM_PYTIA_PYTHON="$VENV/bin/python" NETSTREAM_REQUIRE_PYTIA=1 \
    "$VENV/bin/python" -m pytest -q tests

step "GRC: block definitions and examples"
"$VENV/bin/python" "$REPO/scripts/check_grc.py" --build "$BUILD"

step "fuzz: every harness for ${FUZZ_SECONDS} s"
"$REPO/scripts/fuzz.sh" "$FUZZ_SECONDS"

if [ "$(id -u)" -eq 0 ]; then
    step "install check (/usr/local)"
    "$REPO/scripts/install_check.sh"
else
    step "install check skipped (not root; run scripts/install_check.sh with sudo to do it)"
fi

step "all checks passed in $(($(date +%s) - t0)) s"
