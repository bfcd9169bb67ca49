#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""TiA server throughput: our tia_sink vs the pytia 0.1.0 server, side by side (spec §8).

Same signal config for both (eeg, 8 channels, block size 1 -> 69-byte packets), both
unthrottled (saturation), N raw-socket reader processes per server. Each reader connects,
starts, skips a warm-up, then counts bytes for the window and reports packets/s and the
fraction of packet ids it missed; it also measures the inter-arrival latency percentile
(p99 gap between reads that delivered data) as a responsiveness figure.

Rounds alternate the order (ours first / pytia first); a same-vs-same control (ours vs
ours) shows the noise. Prints per-round numbers and the median ratio with its spread.

Usage: NETSTREAM_BUILD_DIR=build bench/bench_tia.py [--rounds 9] [--clients 1] [--window 2]
pytia runs under NETSTREAM_PYTIA_PYTHON (default: this interpreter).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
build = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(build / "test_modules"))

READER = r"""
import json, socket, struct, sys, time
host, port, warm, window = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
def req(s, line):
    s.sendall(b"TiA 1.0\n" + line.encode() + b"\n\n")
    buf = b""
    while b"\n\n" not in buf:
        buf += s.recv(4096)
    return buf.split(b"\n")[1].decode()
c = socket.create_connection((host, port), timeout=10)
dport = int(req(c, "GetDataConnection:TCP").split(":")[1])
d = socket.create_connection((host, dport), timeout=10)
req(c, "StartDataTransmission")
buf = bytearray(1 << 20)
pend = b""
def read_until(t_end, count):
    global pend
    total, first, last, gaps, last_t = 0, None, None, [], None
    while time.monotonic() < t_end:
        n = d.recv_into(buf)
        if n == 0:
            break
        now = time.monotonic()
        if last_t is not None:
            gaps.append(now - last_t)
        last_t = now
        chunk = pend + bytes(buf[:n])
        pos = 0
        while len(chunk) - pos >= 17:
            size = struct.unpack_from("<I", chunk, pos + 1)[0]
            if len(chunk) - pos < size:
                break
            if count:
                pid = struct.unpack_from("<Q", chunk, pos + 9)[0]
                first = pid if first is None else first
                last = pid
                total += size
            pos += size
        pend = chunk[pos:]
    return total, first, last, gaps
read_until(time.monotonic() + warm, False)
t0 = time.monotonic()
total, first, last, gaps = read_until(t0 + window, True)
el = time.monotonic() - t0
size = None
print(json.dumps({"bytes": total, "seconds": el, "first": first, "last": last,
                  "p99_gap_ms": 1000 * sorted(gaps)[int(0.99 * (len(gaps) - 1))] if gaps else None}))
"""

PACKET = 33 + 4 + 4 * 8


def measure(port: int, clients: int, warm: float, window: float) -> dict:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER, "127.0.0.1", str(port), str(warm), str(window)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(clients)
    ]
    out = []
    for p in procs:
        o, _ = p.communicate(timeout=warm + window + 30)
        out.append(json.loads(o.strip().splitlines()[-1]))
    rates = [r["bytes"] / PACKET / r["seconds"] for r in out]
    loss = []
    for r in out:
        if r["first"] is not None and r["last"] is not None and r["last"] > r["first"]:
            loss.append(1 - (r["bytes"] / PACKET) / (r["last"] - r["first"] + 1))
    return {
        "pps": statistics.mean(rates),
        "loss": max(loss) if loss else 0.0,
        "p99_gap_ms": max(r["p99_gap_ms"] or 0 for r in out),
    }


class Ours:
    def __enter__(self):
        from gnuradio import blocks, gr, netstream

        self.tb = gr.top_block()
        self.sink = netstream.tia_sink(["eeg"], [8], [1], [512.0], port=0, bind_address="127.0.0.1", udp_port=0)
        self.tb.connect(blocks.vector_source_f([float(i) for i in range(8 * 1000)], True, 8), self.sink)
        self.tb.start()
        self.port = self.sink.port()
        return self

    def __exit__(self, *exc):
        self.tb.stop()
        self.tb.wait()


class Pytia:
    def __init__(self, python: str):
        from peers.pytia_server_patched import PytiaServerProcess

        sig = [{"flag": 1, "channels": 8, "rate": 1e6, "blocksize": 1, "master": True}]
        self.proc = PytiaServerProcess(python, sig, lifetime=120)

    def __enter__(self):
        self.proc.__enter__()
        self.port = self.proc.port
        return self

    def __exit__(self, *exc):
        self.proc.__exit__(*exc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--warm", type=float, default=0.5)
    ap.add_argument("--window", type=float, default=2.0)
    args = ap.parse_args()
    if os.environ.get("VOLK_GENERIC") == "1":
        raise SystemExit("do not benchmark under VOLK_GENERIC=1")
    python = os.environ.get("NETSTREAM_PYTIA_PYTHON", sys.executable)
    ratios, controls = [], []
    print(
        f"config: eeg 8 ch, bs 1 ({PACKET}-byte packets), {args.clients} client(s), "
        f"{args.window}s window, {args.rounds} rounds"
    )
    for rnd in range(args.rounds):
        order = ["ours", "pytia"] if rnd % 2 == 0 else ["pytia", "ours"]
        res = {}
        for who in order:
            server = Ours() if who == "ours" else Pytia(python)
            with server as s:
                res[who] = measure(s.port, args.clients, args.warm, args.window)
        with Ours() as a:
            ctl_a = measure(a.port, args.clients, args.warm, args.window)
        with Ours() as b:
            ctl_b = measure(b.port, args.clients, args.warm, args.window)
        ratios.append(res["ours"]["pps"] / max(res["pytia"]["pps"], 1e-9))
        controls.append(ctl_a["pps"] / max(ctl_b["pps"], 1e-9))
        print(
            f"round {rnd}: ours {res['ours']['pps']:,.0f} pkt/s (loss {res['ours']['loss']:.1%}, "
            f"p99 gap {res['ours']['p99_gap_ms']:.2f} ms) | pytia {res['pytia']['pps']:,.0f} pkt/s "
            f"(loss {res['pytia']['loss']:.1%}, p99 gap {res['pytia']['p99_gap_ms']:.2f} ms) | "
            f"ratio {ratios[-1]:.1f} | control {controls[-1]:.2f}",
            flush=True,
        )
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
    c = statistics.quantiles(controls, n=4) if len(controls) >= 2 else [controls[0]] * 3
    print(f"ours/pytia packets/s: median {statistics.median(ratios):.1f}x (IQR {q[0]:.1f} .. {q[2]:.1f})")
    print(f"control ours/ours:    median {statistics.median(controls):.2f}x (IQR {c[0]:.2f} .. {c[2]:.2f})")


if __name__ == "__main__":
    main()
