#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""TiA server throughput: our tia_sink vs the pytia 0.1.0 server, side by side (spec §8).

Two packet configs, both servers unthrottled (saturation), one signal (eeg, master):

* ``small``: 8 channels x block size 1    -> 33 + 4 + 4*8    =    69-byte packets (packets/s)
* ``large``: 64 channels x block size 64  -> 33 + 4 + 4*4096 = 16421-byte packets (MB/s,
  MB = 10^6 bytes; the spec's "saturation 64 ch, bs 64" row)

Cases per config and round (each on a freshly started server):

* ``ours`` / ``pytia``: one fast client;
* ``ours_ctl``: ours again, the same-vs-same control (shows the noise);
* ``ours_stalled`` / ``pytia_stalled``: the fast client while a second client is attached
  that connects its data socket (4 KiB receive buffer), sends StartDataTransmission and
  never reads. Our sink runs with ``stall_timeout_s`` longer than the measurement so the
  stalled client stays attached the whole time (checked: ``clients_stalled`` stays 0).

The fast client is a reader process (numpy, so the reader is not the bottleneck it is
with a per-packet Python loop): CheckProtocolVersion-free session as pytia's client does
it (GetDataConnection:TCP, connect, StartDataTransmission), a warm-up, then it counts
whole packets for the window, checks every packet's size field and counts missing packet
ids (packets the server dropped for this client). Its socket waits are bounded (0.25 s
steps until the deadline), so a blocked server yields 0 packets/s instead of a hang.

Loss of rate = 1 - rate(with stalled client) / rate(alone), per round; the control
line applies the same formula to ``ours_ctl`` vs ``ours`` (both alone) to show what
noise alone gives. Rounds reverse the case order on every other round (ours first /
pytia first). Prints per-round numbers, then medians with the interquartile range.

pytia runs in its own process under NETSTREAM_PYTIA_PYTHON (default: this interpreter),
patched for Python 3 in memory (tests/peers/pytia_server_patched.py), with trivial
callbacks (a constant list) and ``sample_rate`` 1e6, so its numbers are upper bounds.

Usage: NETSTREAM_BUILD_DIR=build NETSTREAM_PYTIA_PYTHON=.venv/bin/python \
       bench/bench_tia.py [--rounds 9] [--window 1.0] [--warm 0.5] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
build = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(build / "test_modules"))

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Config:
    name: str
    channels: int
    block_size: int

    @property
    def packet_bytes(self) -> int:
        return 33 + 4 * 1 + 4 * self.channels * self.block_size


CONFIGS = [Config("small", 8, 1), Config("large", 64, 64)]
CASES = ["ours", "ours_ctl", "ours_stalled", "pytia", "pytia_stalled"]

# The fast client (own process). argv: host port packet_bytes warm window
READER = r"""
import json, socket, sys, time
import numpy as np
host, port, P, warm, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
deadline_setup = time.monotonic() + 10
def req(s, line):
    s.sendall(b"TiA 1.0\n" + line.encode() + b"\n\n")
    buf = b""
    while b"\n\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("control closed")
        buf += chunk
    return buf.split(b"\n")[1].decode()
c = socket.create_connection((host, port), timeout=10)
dport = int(req(c, "GetDataConnection:TCP").split(":")[1])
d = socket.create_connection((host, dport), timeout=10)
d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
req(c, "StartDataTransmission")
d.settimeout(0.25)
per = max(1, (4 << 20) // P)
buf = np.empty(per * P + P, np.uint8)
view = memoryview(buf)
fill = 0
state = {"packets": 0, "missing": 0, "bad_size": 0, "backwards": 0, "first": None, "last": None}
last_id = None
counting = False
closed = False
def process():
    global fill, last_id
    m = fill // P
    if m == 0:
        return
    block = buf[: m * P].reshape(m, P)
    ids = np.ascontiguousarray(block[:, 9:17]).view("<u8").ravel()
    sizes = np.ascontiguousarray(block[:, 1:5]).view("<u4").ravel()
    prev = np.concatenate(([ids[0] - 1 if last_id is None else last_id], ids[:-1]))
    diff = ids.astype(np.int64) - prev.astype(np.int64)
    if counting:
        state["packets"] += m
        state["missing"] += int(np.clip(diff - 1, 0, None).sum())
        state["bad_size"] += int((sizes != P).sum())
        state["backwards"] += int((diff < 1).sum())
        if state["first"] is None:
            state["first"] = int(ids[0])
        state["last"] = int(ids[-1])
    last_id = ids[-1]
    rem = fill - m * P
    buf[:rem] = buf[m * P : fill]
    fill = rem
def read_until(t_end):
    global fill, closed
    while not closed and time.monotonic() < t_end:
        try:
            n = d.recv_into(view[fill:])
        except socket.timeout:
            continue
        if n == 0:
            closed = True
            break
        fill += n
        process()
read_until(time.monotonic() + warm)
counting = True
t0 = time.monotonic()
read_until(t0 + window)
state["seconds"] = time.monotonic() - t0
state["closed"] = closed
print(json.dumps(state))
"""

# pytia's server (own process, pytia interpreter). argv: tests_dir channels blocksize lifetime
PYTIA_SERVER = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
from peers.pytia_server_patched import load_patched_pytia
channels, blocksize, lifetime = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
pytia = load_patched_pytia()
values = [0.5] * (channels * blocksize)
cfg = pytia.TiASignalConfig(channels=channels, sample_rate=1e6, blocksize=blocksize,
                            callback=lambda _id: values, id=0, is_master=True, sigtype=1)
server = pytia.TiAServer(("127.0.0.1", 0), pytia.TiAConnectionHandler)
server.start([cfg])
print("READY", server.server_address[1], flush=True)
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
done.wait(lifetime)
server.shutdown()
"""


def control_request(sock: socket.socket, line: str) -> str:
    sock.sendall(b"TiA 1.0\n" + line.encode() + b"\n\n")
    buf = b""
    while b"\n\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("control connection closed")
        buf += chunk
    return buf.split(b"\n")[1].decode()


class StalledClient:
    """Attaches a data connection with a 4 KiB receive buffer, starts, never reads."""

    def __init__(self, port: int) -> None:
        self.ctrl = socket.create_connection((HOST, port), timeout=5)
        dport = int(control_request(self.ctrl, "GetDataConnection:TCP").split(":")[1])
        self.data = socket.socket()
        self.data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.data.settimeout(5)
        self.data.connect((HOST, dport))
        self.started = control_request(self.ctrl, "StartDataTransmission")

    def close(self) -> None:
        self.data.close()
        self.ctrl.close()


def run_reader(port: int, packet_bytes: int, warm: float, window: float) -> dict[str, Any]:
    proc = subprocess.Popen(
        [sys.executable, "-c", READER, HOST, str(port), str(packet_bytes), str(warm), str(window)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=warm + window + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=5)
        return {"packets": 0, "seconds": window, "missing": 0, "error": "reader timed out"}
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"packets": 0, "seconds": window, "missing": 0, "error": err.strip().splitlines()[-1:]}
    return json.loads(lines[-1])


class Ours:
    def __init__(self, cfg: Config, stall_timeout_s: float) -> None:
        self.cfg = cfg
        self.stall_timeout_s = stall_timeout_s

    def __enter__(self) -> Ours:
        from gnuradio import blocks, gr, netstream

        self.tb = gr.top_block()
        self.sink = netstream.tia_sink(
            ["eeg"],
            [self.cfg.channels],
            [self.cfg.block_size],
            [512.0],
            port=0,
            bind_address=HOST,
            udp_port=0,
            stall_timeout_s=self.stall_timeout_s,
        )
        assert self.sink.packet_bytes() == self.cfg.packet_bytes
        data = [float(i % 1000) for i in range(self.cfg.channels * 1024)]
        self.tb.connect(blocks.vector_source_f(data, True, self.cfg.channels), self.sink)
        self.tb.start()
        self.port = self.sink.port()
        return self

    def counters(self) -> dict[str, int]:
        return {k: self.sink.counter(k) for k in ("packets_assembled", "drops", "clients_stalled", "data_disconnects")}

    def __exit__(self, *exc: object) -> None:
        self.tb.stop()
        self.tb.wait()


class Pytia:
    def __init__(self, python: str, cfg: Config, lifetime: float) -> None:
        self.args = [python, "-c", PYTIA_SERVER, str(REPO / "tests"), str(cfg.channels), str(cfg.block_size)]
        self.args.append(str(lifetime))
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> Pytia:
        # stdout and stderr go to a file (pytia logs there too; a pipe could fill and block it).
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while (ready := re.search(r"^READY (\d+)$", self.log_text(), re.M)) is None:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.__exit__()
                raise RuntimeError("pytia server did not become ready: " + self.log_text())
            time.sleep(0.02)  # polling a condition with a deadline
        self.port = int(ready.group(1))
        return self

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def counters(self) -> dict[str, Any]:
        return {"runtime_error": "RuntimeError" in self.log_text()}

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def run_case(case: str, cfg: Config, args: argparse.Namespace, python: str) -> dict[str, Any]:
    stall_timeout = args.warm + args.window + 30  # the stalled client stays attached throughout
    server: Ours | Pytia = Ours(cfg, stall_timeout) if case.startswith("ours") else Pytia(python, cfg, 120)
    with server as s:
        stalled = StalledClient(s.port) if case.endswith("stalled") else None
        try:
            r = run_reader(s.port, cfg.packet_bytes, args.warm, args.window)
        finally:
            if stalled is not None:
                r["stalled_start_reply"] = stalled.started
                r.update(s.counters())
                stalled.close()
            else:
                r.update(s.counters())
    r["pps"] = r["packets"] / r["seconds"]
    r["mbps"] = r["pps"] * cfg.packet_bytes / 1e6
    span = (r["last"] - r["first"] + 1) if r.get("first") is not None else 0
    r["id_loss"] = r["missing"] / span if span else 0.0
    return r


def spread(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], statistics.median(values), q[2]


def fmt_rate(cfg: Config, r: dict[str, Any]) -> str:
    if cfg.name == "small":
        text = f"{r['pps'] / 1e3:,.1f} k pkt/s"
    else:
        text = f"{r['mbps']:,.1f} MB/s"
    if r.get("missing"):
        text += f" (ids missed {r['id_loss']:.0%})"
    if r.get("error"):
        text += f" [error {r['error']}]"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--warm", type=float, default=0.5)
    ap.add_argument("--window", type=float, default=1.0)
    ap.add_argument("--quick", action="store_true", help="3 rounds, 0.3 s warm-up, 0.5 s windows")
    ap.add_argument("--json", type=Path, help="write every measurement here")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.warm, args.window = 3, 0.3, 0.5
    if os.environ.get("VOLK_GENERIC") == "1":
        raise SystemExit("do not benchmark under VOLK_GENERIC=1")
    python = os.environ.get("NETSTREAM_PYTIA_PYTHON", sys.executable)
    from gnuradio import gr

    gr.logging().set_default_level(gr.log_levels.warn)  # no per-connection debug lines
    print(
        "configs: "
        + ", ".join(f"{c.name} = eeg {c.channels} ch x bs {c.block_size} ({c.packet_bytes} B)" for c in CONFIGS)
    )
    print(f"{args.rounds} rounds, {args.warm}s warm-up, {args.window}s window, unthrottled, loopback", flush=True)
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    for rnd in range(args.rounds):
        order = [(cfg, case) for cfg in CONFIGS for case in CASES]
        if rnd % 2:
            order.reverse()
        res: dict[tuple[str, str], dict[str, Any]] = {}
        for cfg, case in order:
            res[cfg.name, case] = run_case(case, cfg, args, python)
            results.append({"round": rnd, "config": cfg.name, "case": case, **res[cfg.name, case]})
        for cfg in CONFIGS:
            print(
                f"round {rnd} {cfg.name:5}: "
                + " | ".join(f"{case} {fmt_rate(cfg, res[cfg.name, case])}" for case in CASES),
                flush=True,
            )
            st = res[cfg.name, "ours_stalled"]
            # Counters are read after the fast reader has exited: its own disconnect is the 1.
            if st.get("clients_stalled") or st.get("data_disconnects", 0) > 1:
                print(f"  warning: our stalled client was disconnected during the window: {st}")
            if res[cfg.name, "pytia_stalled"].get("runtime_error"):
                print("  note: pytia logged a RuntimeError (dictionary changed size) in the stalled case")
    print(f"total {time.monotonic() - started:.0f} s\n")

    def series(cfg: str, case: str, key: str) -> list[float]:
        return [r[key] for r in results if r["config"] == cfg and r["case"] == case]

    def ratio(cfg: str, a: str, b: str, key: str) -> list[float]:
        return [x / max(y, 1e-9) for x, y in zip(series(cfg, a, key), series(cfg, b, key), strict=True)]

    summary: dict[str, Any] = {}
    for cfg in CONFIGS:
        key, unit, scale = ("pps", "k pkt/s", 1e3) if cfg.name == "small" else ("mbps", "MB/s", 1.0)
        print(f"{cfg.name} ({cfg.packet_bytes} B packets), medians (IQR):")
        for case in CASES:
            lo, med, hi = spread([v / scale for v in series(cfg.name, case, key)])
            il = statistics.median(series(cfg.name, case, "id_loss"))
            print(f"  {case:14} {med:12,.1f} {unit} ({lo:,.1f} .. {hi:,.1f}); ids missed {il:.1%}")
            summary[f"{cfg.name}.{case}"] = med * scale
        for label, a, b in (("ours/pytia", "ours", "pytia"), ("control ours_ctl/ours", "ours_ctl", "ours")):
            lo, med, hi = spread(ratio(cfg.name, a, b, key))
            print(f"  {label:22} {med:10.2f}x ({lo:.2f} .. {hi:.2f})")
        for label, a, b in (
            ("ours loss of rate", "ours_stalled", "ours"),
            ("control (ours_ctl)", "ours_ctl", "ours"),
            ("pytia loss of rate", "pytia_stalled", "pytia"),
        ):
            lo, med, hi = spread([100 * (1 - x) for x in ratio(cfg.name, a, b, key)])
            print(f"  {label:22} {med:9.1f} % ({lo:.1f} .. {hi:.1f})")
            summary[f"{cfg.name}.{label}"] = med
    errors = sum(1 for r in results if r.get("runtime_error"))
    print(f"\npytia stalled cases with a RuntimeError in its log: {errors}")
    print("targets:")
    print(
        f"  >= 100 k pkt/s (69 B):      ours {summary['small.ours'] / 1e3:,.0f} k -> "
        f"{'met' if summary['small.ours'] >= 100e3 else 'NOT met'}"
    )
    print(
        f"  >= 300 MB/s (16 KiB):       ours {summary['large.ours']:,.0f} MB/s -> "
        f"{'met' if summary['large.ours'] >= 300 else 'NOT met'}"
    )
    for cfg in CONFIGS:
        loss = summary[f"{cfg.name}.ours loss of rate"]
        noise = summary[f"{cfg.name}.control (ours_ctl)"]
        verdict = "met" if loss < 5 else "NOT met"
        print(
            f"  < 5 % loss with stall ({cfg.name}): ours {loss:.1f} % -> {verdict} "
            f"(same-vs-same control gives {noise:.1f} %; a difference inside the control's IQR is noise)"
        )
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "results": results}, indent=1))


if __name__ == "__main__":
    main()
