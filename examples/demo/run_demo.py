#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""gr-netstream demo: a Red Pitaya board (the emulator, or a real board with --host) streams two
ADC channels through our blocks to real consumers, for a bounded time.

    board (emulator) --ADC--> rp_adc_source --> float_to_complex --> zmq_pub_sink --> doppler Subscriber
                                          \\--> streams_to_vector --> keep 1 in N --> tia_sink --> pytia client

The flowgraph is examples/rp_demo.grc, compiled with grcc. Every second the demo prints the
sample rate achieved, the losses the board reported, frames published and dropped, and TiA
packets; at the end it prints what each consumer received and writes demo-output/demo.png
(time trace and spectrum of both channels, as the doppler consumer received them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_file(path: Path, timeout: float, proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if proc.poll() is not None:
            raise SystemExit(f"the emulator exited early ({proc.returncode})")
        time.sleep(0.02)
    raise SystemExit(f"the emulator did not become ready within {timeout} s")


def start_emulator(workdir: Path, model: str) -> tuple[subprocess.Popen, dict]:
    ready = workdir / "emulator.json"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "apps" / "netstream-rp-emulator"), "--model", model, "--proto", "p3",
         "--bind", "127.0.0.1", "--control-port", "0", "--adc-port", "0", "--dac-port", "0",
         "--beacon-target", "off", "--signal", "sine", "--ready-file", str(ready)],
        stdout=open(workdir / "emulator.log", "w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return proc, wait_for_file(ready, 15, proc)


def compile_flowgraph(workdir: Path):
    env = dict(os.environ, GRC_BLOCKS_PATH=str(REPO / "grc"))
    subprocess.run(["grcc", "-o", str(workdir), str(REPO / "examples" / "rp_demo.grc")], check=True, env=env,
                   capture_output=True)  # fmt: skip
    spec = importlib.util.spec_from_file_location("rp_demo", workdir / "rp_demo.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.rp_demo


def plot(npy: Path, rate: float, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    x = np.load(npy)
    ch = {"IN1": x.real, "IN2": x.imag}
    n = min(len(x), 2000)
    t = np.arange(n) / rate * 1e3
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7))
    for name, v in ch.items():
        ax1.plot(t, v[:n], label=name)
        w = np.hanning(len(v))
        spec = np.fft.rfft((v - v.mean()) * w)
        f = np.fft.rfftfreq(len(v), 1 / rate)
        ax2.plot(f / 1e3, 20 * np.log10(np.abs(spec) / w.sum() + 1e-12), label=name)
    ax1.set(xlabel="time (ms)", ylabel="volts", title="Red Pitaya ADC via gr-netstream -> doppler Subscriber")
    ax2.set(xlabel="frequency (kHz)", ylabel="dBV", title=f"spectrum ({len(x)} samples at {rate / 1e3:.1f} kS/s)")
    ax1.legend()
    ax2.legend()
    ax1.grid(True)
    ax2.grid(True)
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="how long to stream (default 10)")
    ap.add_argument("--decimation", type=int, default=256, help="board decimation (default 256: 488 kS/s per channel)")
    ap.add_argument("--host", default="", help="a real board's host[:port]; default: start the emulator")
    ap.add_argument("--model", default="125-14", help="emulated board model (default 125-14)")
    ap.add_argument("--out", type=Path, default=REPO / "demo-output", help="output directory")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="netstream-demo-"))

    emu = None
    if args.host:
        host, data_port = args.host, 0
    else:
        emu, ready = start_emulator(work, args.model)
        host, data_port = f"127.0.0.1:{ready['control_port']}", ready["adc_port"]
        print(f"board emulator {ready['model']} ({ready['proto']}) on {host}, ADC data port {data_port}")

    top_block_cls = compile_flowgraph(work)
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    tb = top_block_cls(rp_host=host, rp_data_port=data_port, decimation=args.decimation,
                       zmq_endpoint=endpoint, tia_port=0, tia_keep=64)  # fmt: skip
    tia_port = tb.tia.port()
    npy = args.out / "doppler_samples.npy"
    py = sys.executable
    consumers = {
        "doppler": subprocess.Popen(
            [py, str(HERE / "doppler_consumer.py"), endpoint, str(args.seconds), str(npy)],
            stdout=subprocess.PIPE,
            text=True,
        ),  # fmt: skip
        "tia": subprocess.Popen(
            [py, str(HERE / "tia_consumer.py"), "127.0.0.1", str(tia_port), str(args.seconds)],
            stdout=subprocess.PIPE,
            text=True,
        ),  # fmt: skip
    }
    print(f"flowgraph: doppler PUB on {endpoint}, TiA server on 127.0.0.1:{tia_port}")
    print(f"{'t (s)':>5} {'MS/s/ch':>8} {'lost':>8} {'frames':>7} {'drops':>6} {'TiA pkts':>9}")
    tb.start()
    t0 = time.monotonic()
    last_items, last_t = 0, t0
    try:
        while time.monotonic() - t0 < args.seconds:
            time.sleep(1.0)
            now = time.monotonic()
            items = tb.rp.counter("items_out") // 2
            rate = (items - last_items) / (now - last_t) / 1e6
            last_items, last_t = items, now
            print(f"{now - t0:5.1f} {rate:8.3f} {tb.rp.counter('fpga_lost'):8d} {tb.pub.counter('frames_out'):7d} "
                  f"{tb.pub.counter('drops'):6d} {tb.tia.counter('frames_out'):9d}")  # fmt: skip
    finally:
        tb.stop()
        tb.wait()
        if emu is not None:
            emu.terminate()
            emu.wait(10)
    results = {}
    for name, p in consumers.items():
        out, _ = p.communicate(timeout=args.seconds + 30)
        results[name] = json.loads(out.strip().splitlines()[-1]) if p.returncode == 0 and out.strip() else None
    rp, pub, tia = tb.rp.counters(), tb.pub.counters(), tb.tia.counters()
    summary = {
        "sample_rate": tb.rp.sample_rate(),
        "rp_items_per_channel": rp["items_out"] // 2,
        "rp_lost_samples": rp.get("fpga_lost", 0),
        "rp_reconnects": rp["reconnects"],
        "zmq_frames_out": pub["frames_out"],
        "zmq_drops": pub["drops"],
        "tia_packets_sent": tia["frames_out"],
        "tia_packets_dropped": tia["drops"],
        "doppler_consumer": results["doppler"],
        "tia_consumer": results["tia"],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print("\nsummary:")
    print(f"  board -> rp_adc_source: {summary['rp_items_per_channel']} samples/channel at "
          f"{summary['sample_rate'] / 1e3:.1f} kS/s, {summary['rp_lost_samples']} lost, {summary['rp_reconnects']} reconnects")  # fmt: skip
    d = results["doppler"]
    if d:
        print(f"  doppler Subscriber: {d['frames']} frames, {d['samples']} samples ({d['msps']:.3f} MS/s), "
              f"{d['gaps']} sequence gaps ({d['frames_missing']} frames missing)")  # fmt: skip
    print(f"  zmq_pub_sink: {summary['zmq_frames_out']} frames out, {summary['zmq_drops']} dropped (counted)")
    t = results["tia"]
    if t:
        print(f"  pytia client: {t['packets']} packets, {t['id_gaps']} id gaps, channels {t['channels']}")
    ok = bool(d and d["frames"] > 0 and t and t["packets"] > 0 and npy.exists())
    if npy.exists():
        png = args.out / "demo.png"
        plot(npy, summary["sample_rate"], png)
        print(f"  plot: {png}")
    print(f"  summary: {args.out / 'summary.json'}")
    print("demo OK" if ok else "demo FAILED: a consumer received nothing")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
