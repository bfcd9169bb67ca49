#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the GRC side: every grc/*.block.yml loads in GRC's own platform without errors,
every example examples/*.grc compiles with grcc, and each generated script runs to its end
within a time limit.

    check_grc.py [--build build] [--timeout 90]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Check the block files of this checkout, not an installed copy: GRC lets a later path
# override an earlier one, so leave /usr/local (where `cmake --install` puts ours) out.
os.environ["GR_CONF_GRC_GLOBAL_BLOCKS_PATH"] = "/usr/share/gnuradio/grc/blocks"
os.environ["GR_CONF_GRC_LOCAL_BLOCKS_PATH"] = ""


def check_blocks() -> int:
    from gnuradio import gr
    from gnuradio.grc.core.platform import Platform

    os.environ["GRC_BLOCKS_PATH"] = str(REPO / "grc")
    platform = Platform(
        name="gr-netstream check",
        prefs=gr.prefs(),
        version=gr.version(),
        version_parts=(gr.major_version(), gr.api_version(), gr.minor_version()),
    )
    platform.build_library()
    ours = sorted(p.stem.replace(".block", "") for p in (REPO / "grc").glob("*.block.yml"))
    missing = [b for b in ours if b not in platform.blocks]
    for b in ours:
        if b in platform.blocks:
            print(f"  loaded {b}: {platform.blocks[b].label}")
    if missing:
        print(f"FAIL: GRC did not load {missing}")
        return 1
    tree = (REPO / "grc" / "netstream.tree.yml").read_text()
    not_in_tree = [b for b in ours if b not in tree]
    if not_in_tree:
        print(f"FAIL: not in grc/netstream.tree.yml: {not_in_tree}")
        return 1
    print(f"ok: {len(ours)} block definitions load")
    return 0


def check_examples(build: Path, timeout: float) -> int:
    env = dict(os.environ)
    env["GRC_BLOCKS_PATH"] = str(REPO / "grc")
    test_modules = build / "test_modules"
    env["PYTHONPATH"] = os.pathsep.join([str(test_modules), env.get("PYTHONPATH", "")])
    failures = 0
    examples = sorted((REPO / "examples").glob("*.grc"))
    with tempfile.TemporaryDirectory() as out:
        for grc in examples:
            r = subprocess.run(["grcc", "-o", out, str(grc)], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL: grcc {grc.name}\n{r.stdout}\n{r.stderr}")
                failures += 1
                continue
            script = Path(out) / (grc.stem + ".py")
            if not script.exists():  # grcc names the file after the flowgraph id
                cands = sorted(Path(out).glob("*.py"), key=lambda p: p.stat().st_mtime)
                script = cands[-1]
            # Run it: a flowgraph that ends by itself must exit 0; one that streams forever
            # gets SIGTERM after `timeout` s and must stop cleanly (GRC's handler exits 0).
            proc = subprocess.Popen(
                [sys.executable, str(script)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                stdin=subprocess.DEVNULL,
                cwd=out,
            )
            how = "ended by itself"
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                how = f"ran {timeout:g} s, stopped by SIGTERM"
                proc.send_signal(signal.SIGTERM)
                try:
                    output, _ = proc.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    output, _ = proc.communicate()
                    print(f"FAIL: {grc.name} did not stop within 20 s of SIGTERM\n{output[-2000:]}")
                    failures += 1
                    continue
            if proc.returncode != 0:
                print(f"FAIL: {grc.name} exited {proc.returncode} ({how})\n{output[-3000:]}")
                failures += 1
            else:
                print(f"  ran {grc.name}: {how}")
    print(f"{'ok' if not failures else 'FAIL'}: {len(examples) - failures}/{len(examples)} examples compile and run")
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--timeout", type=float, default=8.0, help="seconds to let a streaming example run")
    args = ap.parse_args()
    return check_blocks() | check_examples(args.build.resolve(), args.timeout)


if __name__ == "__main__":
    sys.exit(main())
