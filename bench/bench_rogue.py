#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rogue bridge throughput: our rogue_sink -> rogue_source vs raw pyzmq PUSH/PULL loops.

Every trial runs a sender and a receiver as two separate processes on loopback, carrying
the same 4-part Rogue messages (flags, channel, error, payload) at one frame size:

* ``ours``: a GNU Radio flowgraph ``null_source -> rogue_sink`` (role server, fixed
  frame size) and another ``rogue_source`` (role client) ``-> null_sink``. Per frame the
  sink allocates one ZMQ message of the frame size and copies the items straight into
  it (one copy), ZeroMQ sends it without copying; the source copies the payload once,
  from the received message into its output buffer. (``null_source`` writes the data
  into the flowgraph's buffer first: that is the producer, not the bridge, but it is one
  memory pass more than raw1's sender makes.)
* ``raw1`` -- the baseline the >= 90 % target is measured against: a raw libzmq loop
  that *delivers* data the way any real producer/consumer must. The PUSH side (bind,
  ZMQ_IMMEDIATE like Rogue) sends each payload with ``copy=True`` (libzmq message
  allocated per frame, payload copied into it -- the same work as our sink); the PULL
  side receives zero-copy and copies the payload once into a preallocated buffer (the
  same work as our source writing its output buffer).
* ``raw0`` -- ceiling, not a target: the PUSH side resends one pre-built zero-copy frame
  and the PULL side never touches the payload. No consumer can deliver data this way.

The receiver counts frames in a fixed window after a warm-up. Each round runs ours, raw1
and raw0 in alternating order plus a second raw1 trial (same-vs-same control); the
medians and min/max of the per-round ratios are printed. Usage:
``python3 bench/bench_rogue.py [--rounds 9]`` with ``NETSTREAM_BUILD_DIR`` or an
installed gr-netstream. Never run under VOLK_GENERIC=1.
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of every thread of process pid so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _CpuMeter:
    """CPU seconds used by the sender (its pid from the parent) and by this receiver."""

    def __init__(self) -> None:
        self.tx_pid = int(os.environ["BENCH_TX_PID"])
        self.start = (_cpu_seconds(self.tx_pid), _cpu_seconds(os.getpid()))

    def result(self) -> dict:
        tx, rx = _cpu_seconds(self.tx_pid), _cpu_seconds(os.getpid())
        return {"tx_cpu": tx - self.start[0], "rx_cpu": rx - self.start[1]}


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------- child processes
def run_tx(kind: str, size: int, port_file: Path, lifetime: float) -> None:
    deadline = time.monotonic() + lifetime
    if kind in ("raw0", "raw1"):
        import zmq

        ctx = zmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.setsockopt(zmq.IMMEDIATE, 1)
        push.setsockopt(zmq.LINGER, 0)
        push.setsockopt(zmq.SNDTIMEO, 100)
        push.bind("tcp://127.0.0.1:*")
        port = int(push.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
        _write(port_file, str(port - 1))  # PUSH is on P+1, like a Rogue TcpServer
        data = bytes(range(256)) * (size // 256)
        header = [b"\x01\x00", b"\x00", b"\x00"]
        if kind == "raw0":
            # Ceiling: one pre-built frame resent without ever copying the payload.
            parts = [*header, zmq.Frame(data)]
            copy = False
        else:
            # Deliver: a new libzmq message per frame, payload copied into it.
            parts = [*header, data]
            copy = True
        while time.monotonic() < deadline:
            try:
                push.send_multipart(parts, copy=copy)
            except zmq.Again:
                continue
        return
    _gr_path()
    from gnuradio import blocks, gr, netstream

    tb = gr.top_block()
    # The producer writes every byte of its output once, at memory speed (memset), like
    # raw1's sender copying its payload. Not vector_source: in repeat mode it copies
    # byte by byte in a C++ loop and was 70 % of the sender's CPU at 1 MiB (perf).
    src = blocks.null_source(1)
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
    if kind in ("raw0", "raw1"):
        import zmq

        size = int(os.environ["BENCH_FRAME_SIZE"])
        sink = memoryview(bytearray(size))  # raw1: where the consumer wants the data
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
                    cpu = _CpuMeter()
            if parts is not None:
                payload = parts[3].buffer
                if kind == "raw1":
                    sink[: len(payload)] = payload  # the one copy every consumer makes
                if counting:
                    frames += 1
                    nbytes += len(payload)
        return {"frames": frames, "bytes": nbytes, "seconds": window, **cpu.result()}
    _gr_path()
    from gnuradio import blocks, gr, netstream

    tb = gr.top_block()
    src = netstream.rogue_source("client", "127.0.0.1", port, 1)
    src.set_min_output_buffer(max(int(os.environ.get("BENCH_FRAME_SIZE", "0")) * 2, 65536))
    tb.connect(src, blocks.null_sink(1))
    tb.start()
    time.sleep(warmup)
    cpu = _CpuMeter()
    f0, b0, t0 = src.counter("frames_out"), src.counter("items_out"), time.monotonic()
    time.sleep(window)
    f1, b1, t1 = src.counter("frames_out"), src.counter("items_out"), time.monotonic()
    tb.stop()
    tb.wait()
    return {"frames": f1 - f0, "bytes": b1 - b0, "seconds": t1 - t0, **cpu.result()}


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
                env=dict(os.environ, BENCH_FRAME_SIZE=str(size), BENCH_TX_PID=str(tx.pid)),
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
    # CPU cost per frame (microseconds, all threads): unlike frames/s, it hardly depends
    # on what else the machine is running.
    frames = max(result["frames"], 1)
    result["tx_us"] = result["tx_cpu"] / frames * 1e6
    result["rx_us"] = result["rx_cpu"] / frames * 1e6
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
    print(
        "ours = null_source -> rogue_sink => rogue_source -> null_sink (one payload copy in the sink, "
        "one in the source)\n"
        "raw1 = pyzmq PUSH copy=True (message allocated + payload copied per frame) => PULL copying the "
        "payload once into a buffer; the >= 90 % target is ours/raw1\n"
        "raw0 = pyzmq PUSH resending one zero-copy frame => PULL that never touches the payload "
        "(ceiling, not a target)\n"
        "control = raw1/raw1 from the same round (same-vs-same: the noise floor)",
        flush=True,
    )
    med = statistics.median
    for label in args.sizes.split(","):
        size = SIZES[label]
        runs: dict[str, list[dict]] = {"ours": [], "raw1": [], "raw0": []}
        ratios: dict[str, list[float]] = {"ours/raw1": [], "ours/raw0": [], "raw1/raw0": [], "control": []}
        for r in range(args.rounds):
            kinds = ["ours", "raw1", "raw0"]
            order = kinds if r % 2 == 0 else kinds[::-1]
            res = {k: trial(k, size, args.warmup, args.window) for k in order}
            control = trial("raw1", size, args.warmup, args.window)
            for k in kinds:
                runs[k].append(res[k])
            ratios["ours/raw1"].append(res["ours"]["fps"] / res["raw1"]["fps"])
            ratios["ours/raw0"].append(res["ours"]["fps"] / res["raw0"]["fps"])
            ratios["raw1/raw0"].append(res["raw1"]["fps"] / res["raw0"]["fps"])
            ratios["control"].append(control["fps"] / res["raw1"]["fps"])
            print(
                f"{label} round {r}: "
                + " | ".join(
                    f"{k} {res[k]['fps']:.0f} fr/s {res[k]['mbps']:.0f} MB/s "
                    f"cpu/fr {res[k]['tx_us']:.0f}+{res[k]['rx_us']:.0f} us"
                    for k in kinds
                )
                + " | "
                + " ".join(f"{name} {vals[-1]:.3f}" for name, vals in ratios.items()),
                flush=True,
            )
        for k in runs:
            fps = [x["fps"] for x in runs[k]]
            mbps = [x["mbps"] for x in runs[k]]
            tx_us = [x["tx_us"] for x in runs[k]]
            rx_us = [x["rx_us"] for x in runs[k]]
            print(
                f"== {label} {k}: median {med(fps):.0f} fr/s (min {min(fps):.0f}, max {max(fps):.0f}), "
                f"{med(mbps):.0f} MB/s; CPU per frame: sender {med(tx_us):.1f} us "
                f"(min {min(tx_us):.1f}, max {max(tx_us):.1f}), receiver {med(rx_us):.1f} us "
                f"(min {min(rx_us):.1f}, max {max(rx_us):.1f})",
                flush=True,
            )
        for name, vals in ratios.items():
            print(
                f"== {label} {name}: median {med(vals):.3f} (min {min(vals):.3f}, max {max(vals):.3f})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
