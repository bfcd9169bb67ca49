#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Set up (scripts/setup.sh) and run the demo: the Red Pitaya board emulator streams through
# rp_adc_source to a doppler ZMQ PUB sink and a TiA sink, read by the real doppler-dsp
# Subscriber and the real pytia client. Prints rates and losses, writes demo-output/demo.png.
# Extra arguments go to examples/demo/run_demo.py (--seconds, --decimation, --host, --model).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${NETSTREAM_BUILD_DIR:-$REPO/build}"
"$REPO/scripts/setup.sh"
cd "$REPO"
# Debian's gnuradio-runtime.conf logs at debug level; the demo prints its own summary.
PYTHONPATH="$BUILD/test_modules${PYTHONPATH:+:$PYTHONPATH}" GR_CONF_LOG_LOG_LEVEL=info \
    exec "$REPO/.venv/bin/python" examples/demo/run_demo.py "$@"
