#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Install the build to /usr/local (the default prefix) and check, from a clean environment,
# that Debian's Python imports gnuradio.netstream and GRC finds our blocks and category.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${NETSTREAM_BUILD_DIR:-$REPO/build}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

$SUDO cmake --install "$BUILD" --prefix /usr/local >/dev/null
$SUDO ldconfig
cd /
env -i HOME="$HOME" PATH=/usr/bin:/bin /usr/bin/python3 - <<'PY'
from gnuradio import gr, netstream
import gnuradio.netstream.redpitaya.emulator  # pure-Python parts installed too
blk = netstream.zmq_pub_sink("tcp://127.0.0.1:0")
assert blk.last_endpoint().startswith("tcp://127.0.0.1:")
print("import ok from", netstream.__file__)

from gnuradio.grc.core.platform import Platform
p = Platform(name="check", prefs=gr.prefs(), version=gr.version(),
             version_parts=(gr.major_version(), gr.api_version(), gr.minor_version()))
p.build_library()
ours = sorted(k for k in p.blocks if k.startswith("netstream_"))
assert len(ours) >= 7, ours
cats = {tuple(p.blocks[k].category) for k in ours}
assert all(c[0] == "netstream" for c in cats), cats
print(f"GRC lists {len(ours)} netstream blocks in categories {sorted(cats)}")
PY
for app in netstream-rp-emulator netstream-rp-discover netstream-rp-record netstream-rp-play; do
    env -i PATH=/usr/local/bin:/usr/bin:/bin "$app" --help >/dev/null
    echo "$app --help ok"
done
