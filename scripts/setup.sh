#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Set up everything gr-netstream needs on Debian 12 / Ubuntu 22.04+, idempotently:
#   1. missing Debian packages (apt-get, with sudo when not root)
#   2. the test venv .venv (--system-site-packages from /usr/bin/python3, so GNU Radio stays importable)
#      with the Python-only peers (doppler-dsp 0.27.0, pytia 0.1.0) and test tools
#   3. configure and build into build/ (C++ library, bindings, unit tests)
# Used by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${NETSTREAM_BUILD_DIR:-$REPO/build}"
VENV="$REPO/.venv"
SYS_PY=/usr/bin/python3

log() { printf '\n==> %s\n' "$*"; }

APT_PACKAGES=(
    build-essential cmake pkg-config git
    gnuradio gnuradio-dev
    cppzmq-dev libzmq3-dev libvolk2-dev libboost-dev libboost-test-dev libexpat1-dev nlohmann-json3-dev
    pybind11-dev python3-pygccxml castxml
    python3-venv python3-pip python3-numpy python3-zmq python3-matplotlib python3-yaml python3-tqdm
    clang libclang-rt-14-dev clang-format
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    # With recommends: that is the set the tests were developed and run against.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
    log "Debian packages: all present"
fi

if [ ! -x "$VENV/bin/python" ]; then
    log "creating the test venv $VENV (from $SYS_PY, with system site packages)"
    "$SYS_PY" -m venv --system-site-packages "$VENV"
fi
if ! "$VENV/bin/python" -c "import doppler.stream, pytia, pytest, pytest_timeout, ruff" 2>/dev/null \
    || ! cmp -s "$REPO/tests/requirements.txt" "$VENV/.requirements.installed"; then
    log "installing the test peers and tools into the venv"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REPO/tests/requirements.txt"
    cp "$REPO/tests/requirements.txt" "$VENV/.requirements.installed"
else
    log "venv: up to date"
fi

log "configuring and building into $BUILD"
mkdir -p "$BUILD"
cmake -S "$REPO" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DPYTHON_EXECUTABLE="$SYS_PY" \
    -DENABLE_DOXYGEN=OFF \
    -DNETSTREAM_WERROR=ON >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)"
log "build ready: $BUILD"
