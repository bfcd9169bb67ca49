#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rogue bridge throughput: our rogue_sink -> rogue_source vs a raw pyzmq PUSH/PULL loop.

Every trial runs a sender and a receiver as two separate processes on loopback, carrying
the same 4-part Rogue messages (flags, channel, error, payload) at one frame size:

* ``ours``: a GNU Radio flowgraph ``vector_source -> rogue_sink`` (role server, fixed
  frame size) and another ``rogue_source`` (role client) ``-> null_sink``;
* ``raw``: pyzmq PUSH (bind, ZMQ_IMMEDIATE like Rogue) sending pre-built parts with
  ``copy=False`` and pyzmq PULL ``recv_multipart``.

The receiver counts frames in a fixed window after a warm-up. Each round runs ours and
raw in alternating order plus a second raw trial (same-vs-same control); the medians of
the per-round ratios are printed. Usage: ``python3 bench/bench_rogue.py [--rounds 9]``
with ``NETSTREAM_BUILD_DIR`` or an installed gr-netstream. Never run under VOLK_GENERIC=1.
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
SIZES = {"4KiB": 4096, "1MiB": 1 << 20}


def _gr_path() -> None:
    build = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build")) / "test_modules"
    if build.is_dir() and not os.environ.get("NETSTREAM_USE_INSTALLED"):
        sys.path.insert(0, str(build))


def _wait_file(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no port file {path} after {timeout} s")
        time.sleep(0.01)
    return path.read_text().strip()


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------- child processes
def run_tx(kind: str, size: int, port_file: Path, lifetime: float) -> None:
    deadline = time.monotonic() + lifetime
    if kind == "raw":
        import zmq

        ctx = zmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.setsockopt(zmq.IMMEDIATE, 1)
        push.setsockopt(zmq.LINGER, 0)
        push.setsockopt(zmq.SNDTIMEO, 100)
        push.bind("tcp://127.0.0.1:*")
        port = int(push.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
        _write(port_file, str(port - 1))  # PUSH is on P+1, like a Rogue TcpServer
        payload = zmq.Frame(bytes(range(256)) * (size // 256))
        parts = [b"\x01\x00", b"\x00", b"\x00", payload]
        while time.monotonic() < deadline:
            try:
                push.send_multipart(parts, copy=False)
            except zmq.Again:
                continue
        return
    _gr_path()
    from gnuradio import blocks, gr, netstream

    tb = gr.top_block()
    src = blocks.vector_source_b(list(bytes(range(256)) * (size // 256)), True)
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 1, 1, "", size, 1, 0, 0, 100, False)
    # GNU Radio's default byte buffer (32 KiB) would cut a 1 MiB frame into 32 work()
    # calls on each side; users of big frames raise Min Output Buffer the same way.
    src.set_min_output_buffer(max(size * 2, 65536))
    tb.connect(src, snk)
    _write(port_file, str(snk.base_port()))
    tb.start()
    while time.monotonic() < deadline:
        time.sleep(0.05)
    tb.stop()
    tb.wait()


def run_rx(kind: str, port: int, warmup: float, window: float) -> dict:
    if kind == "raw":
        import zmq

        ctx = zmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.setsockopt(zmq.LINGER, 0)
        pull.setsockopt(zmq.RCVTIMEO, 100)
        pull.connect(f"tcp://127.0.0.1:{port + 1}")
        frames = nbytes = 0
        start = time.monotonic() + warmup
        end = start + window
        counting = False
        while True:
            try:
                parts = pull.recv_multipart(copy=False)
            except zmq.Again:
                parts = None
            now = time.monotonic()
            if now >= end:
                break
            if now >= start:
                if not counting:
                    counting, frames, nbytes = True, 0, 0
                    start = now
                    end = start + window
                if parts is not None:
                    frames += 1
                    nbytes += len(parts[3].buffer)
        return {"frames": frames, "bytes": nbytes, "seconds": window}
    _gr_path()
    from gnuradio import blocks, gr, netstream

    tb = gr.top_block()
    src = netstream.rogue_source("client", "127.0.0.1", port, 1)
    src.set_min_output_buffer(max(int(os.environ.get("BENCH_FRAME_SIZE", "0")) * 2, 65536))
    tb.connect(src, blocks.null_sink(1))
    tb.start()
    time.sleep(warmup)
    f0, b0, t0 = src.counter("frames_out"), src.counter("items_out"), time.monotonic()
    time.sleep(window)
    f1, b1, t1 = src.counter("frames_out"), src.counter("items_out"), time.monotonic()
    tb.stop()
    tb.wait()
    return {"frames": f1 - f0, "bytes": b1 - b0, "seconds": t1 - t0}


# ---------------------------------------------------------------------- orchestration
def trial(kind: str, size: int, warmup: float, window: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        me = [sys.executable, str(Path(__file__).resolve())]
        lifetime = warmup + window + 15.0
        tx = subprocess.Popen([*me, "--child", "tx", kind, str(size), str(port_file), str(lifetime)])
        try:
            port = int(_wait_file(port_file, 15.0))
            rx = subprocess.run(
                [*me, "--child", "rx", kind, str(port), str(warmup), str(window)],
                env=dict(os.environ, BENCH_FRAME_SIZE=str(size)),
                capture_output=True,
                text=True,
                timeout=warmup + window + 30.0,
            )
            if rx.returncode != 0:
                raise RuntimeError(f"{kind} receiver failed: {rx.stderr}")
            result = json.loads(rx.stdout.strip().splitlines()[-1])
        finally:
            tx.kill()
            tx.wait(timeout=10)
    result["fps"] = result["frames"] / result["seconds"]
    result["mbps"] = result["bytes"] / result["seconds"] / 1e6
    return result


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        role, kind = sys.argv[2], sys.argv[3]
        if role == "tx":
            run_tx(kind, int(sys.argv[4]), Path(sys.argv[5]), float(sys.argv[6]))
        else:
            print(json.dumps(run_rx(kind, int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--warmup", type=float, default=0.4)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--sizes", default="4KiB,1MiB")
    args = parser.parse_args()
    if os.environ.get("VOLK_GENERIC") == "1":
        print("refusing to benchmark under VOLK_GENERIC=1", file=sys.stderr)
        return 2
    if args.rounds < 9:
        print("note: fewer than 9 rounds; medians are less trustworthy", file=sys.stderr)
    for label in args.sizes.split(","):
        size = SIZES[label]
        ratios, controls, ours_all, raw_all = [], [], [], []
        for r in range(args.rounds):
            order = ["ours", "raw"] if r % 2 == 0 else ["raw", "ours"]
            res = {k: trial(k, size, args.warmup, args.window) for k in order}
            control = trial("raw", size, args.warmup, args.window)
            ratios.append(res["ours"]["fps"] / res["raw"]["fps"])
            controls.append(control["fps"] / res["raw"]["fps"])
            ours_all.append(res["ours"])
            raw_all.append(res["raw"])
            print(
                f"{label} round {r}: ours {res['ours']['fps']:.0f} fr/s {res['ours']['mbps']:.0f} MB/s | "
                f"raw {res['raw']['fps']:.0f} fr/s {res['raw']['mbps']:.0f} MB/s | "
                f"ratio {ratios[-1]:.3f} control {controls[-1]:.3f}",
                flush=True,
            )
        med = statistics.median
        print(
            f"== {label}: ours median {med(x['fps'] for x in ours_all):.0f} fr/s "
            f"{med(x['mbps'] for x in ours_all):.0f} MB/s; raw median {med(x['fps'] for x in raw_all):.0f} fr/s "
            f"{med(x['mbps'] for x in raw_all):.0f} MB/s; ours/raw median {med(ratios):.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f}); raw/raw control median {med(controls):.3f} "
            f"(min {min(controls):.3f}, max {max(controls):.3f})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
