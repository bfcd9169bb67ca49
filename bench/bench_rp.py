#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Red Pitaya ADC throughput: emulator (max-rate, subprocess) -> rp_adc_source -> null sinks.

Reports sustained MB/s (wire bytes, headers included) and the CPU time of this process (the
flowgraph: control, data thread, work()) per MB, next to the board's 62.5 MB/s network limit
(spec redpitaya-streaming.md §10). There is no other client of this protocol for GNU Radio to
compare with, so the side-by-side pair is: our C++ block vs the pure-Python reference client
(recorder.py, writing to /dev/null), alternating order, plus a block-vs-block control round.

Run from the repo: NETSTREAM_BUILD_DIR=build-x python3 bench/bench_rp.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(BUILD / "test_modules"))

from gnuradio import blocks, gr, netstream  # noqa: E402
from gnuradio.netstream.redpitaya import recorder  # noqa: E402

LINK_LIMIT_MBPS = 62.5


def start_emulator() -> tuple[subprocess.Popen, dict]:
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "apps" / "netstream-rp-emulator"),
            "--max-rate",
            "--model",
            "125-14",
            "--control-port",
            "0",
            "--adc-port",
            "0",
            "--dac-port",
            "0",
            "--bind",
            "127.0.0.1",
            "--beacon-target",
            "off",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not (ready.exists() and ready.stat().st_size > 0):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("emulator did not start")
        time.sleep(0.02)
    return proc, json.loads(ready.read_text())


def run_block(info: dict, mbytes: float, block_size: int) -> tuple[float, float]:
    """(MB/s, CPU seconds per MB) for one run of about `mbytes` MB over 2 channels, 16-bit."""
    src = netstream.rp_adc_source(
        f"127.0.0.1:{info['control_port']}",
        [1, 2],
        1,
        16,
        "short",
        data_port=info["adc_port"],
        block_size=block_size,
        model="125-14",
    )
    n = int(mbytes * 1e6 / 4)  # 2 channels x 2 bytes
    tb = gr.top_block()
    head = blocks.head(gr.sizeof_short, n)
    tb.connect((src, 0), head, blocks.null_sink(gr.sizeof_short))
    tb.connect((src, 1), blocks.null_sink(gr.sizeof_short))
    c0, t0 = time.process_time(), time.monotonic()
    tb.start()
    tb.wait()
    t1, c1 = time.monotonic(), time.process_time()
    tb.stop()
    tb.wait()
    mb = src.counter("bytes_in") / 1e6
    return mb / (t1 - t0), (c1 - c0) / mb


def run_python(info: dict, mbytes: float, block_size: int) -> tuple[float, float]:
    cfg = recorder.RecordConfig(
        host=f"127.0.0.1:{info['control_port']}",
        data_port=info["adc_port"],
        decimation=1,
        channels=[1, 2],
        block_size=block_size,
        samples=int(mbytes * 1e6 / 4),
        output=os.devnull,
        fmt="raw",
    )
    c0, t0 = time.process_time(), time.monotonic()
    s = recorder.record(cfg, progress=False)
    t1, c1 = time.monotonic(), time.process_time()
    mb = s.packs * 2 * (block_size + 128) / 1e6
    return mb / (t1 - t0), (c1 - c0) / mb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--mbytes", type=float, default=400.0)
    ap.add_argument("--block-size", type=int, default=1 << 20)
    args = ap.parse_args()
    if os.environ.get("VOLK_GENERIC"):
        raise SystemExit("do not benchmark under VOLK_GENERIC")
    proc, info = start_emulator()
    res: dict[str, list[tuple[float, float]]] = {"block": [], "block_ctl": [], "python": []}
    try:
        run_block(info, 50, args.block_size)  # warm-up
        for r in range(args.rounds):
            order = ["block", "python", "block_ctl"] if r % 2 == 0 else ["python", "block_ctl", "block"]
            for kind in order:
                fn = run_python if kind == "python" else run_block
                res[kind].append(fn(info, args.mbytes, args.block_size))
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    if "BOARD-FATAL" in err:
        print("emulator logged BOARD-FATAL:\n" + err)
        return 1

    def med(xs):
        return statistics.median(xs)

    def spread(xs):
        return (max(xs) - min(xs)) / med(xs) * 100

    print(
        f"rounds {args.rounds}, {args.mbytes:g} MB per run, block_size {args.block_size}, 2 ch x 16 bit, "
        f"emulator --max-rate (loopback)"
    )
    print(f"{'client':<22}{'MB/s median':>12}{'spread %':>10}{'x link':>8}{'CPU s/MB':>12}{'core % @62.5':>14}")
    for kind, label in (
        ("block", "rp_adc_source (C++)"),
        ("block_ctl", "rp_adc_source control"),
        ("python", "recorder.py (Python)"),
    ):
        rates = [x[0] for x in res[kind]]
        cpu = [x[1] for x in res[kind]]
        print(
            f"{label:<22}{med(rates):>12.1f}{spread(rates):>10.1f}{med(rates) / LINK_LIMIT_MBPS:>8.1f}"
            f"{med(cpu):>12.5f}{med(cpu) * LINK_LIMIT_MBPS * 100:>14.1f}"
        )
    ratio = [a[0] / b[0] for a, b in zip(res["block"], res["python"], strict=True)]
    ctl = [a[0] / b[0] for a, b in zip(res["block"], res["block_ctl"], strict=True)]
    print(
        f"throughput ratio block/python: median {med(ratio):.2f} (spread {spread(ratio):.0f} %); "
        f"control block/block: median {med(ctl):.2f} (spread {spread(ctl):.0f} %)"
    )
    print(
        "note: the emulator (Python) shares the machine and may be the bottleneck; MB/s is a lower bound "
        "for the block. Link limit of a real board: 62.5 MB/s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
