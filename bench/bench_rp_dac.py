#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Red Pitaya DAC sink sustained rate and multi-board ADC aggregate rate, against the emulator.

Part 1, rp_dac_sink (16-bit, 1 and 2 outputs; sig_source -> head -> rp_dac_sink):
  * paced: the emulator plays at dac_rate (as the board does); for each dac_rate the played rate
    (emulator side: samples between the first and the last pack start) and the underflows (the
    block's host-side estimate, `underflows`) and underruns (the emulator's ring found empty) are
    reported next to the vendor's documented streaming limit of 5 MS/s at 16 bit (spec §10);
  * max-rate: the emulator plays every pack at once (--dac-max-rate), so the rate is the ceiling
    of the block (plus the emulator's receive loop), with a block-vs-block control.
Part 2, the vendor-name Python client (ADCStreamClient) on a master and a slave emulator sharing
  one clock (spec §7.4) vs the master alone, with a single-vs-single control: aggregate MB/s.

The emulators run in a child process (this script with --serve), so they do not share the GIL
with the client under test; on a small machine they still share the cores, so every figure is a
lower bound for the code under test. Alternating order, >= 9 rounds, median and spread
((max - min) / median).

Run from the repo: NETSTREAM_BUILD_DIR=build-x python3 bench/bench_rp_dac.py [--rounds 9] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(BUILD / "test_modules"))

VENDOR_DAC_LIMIT = 5e6  # S/s, 16-bit true streaming (spec §10, [DOC])
LINK_LIMIT_MBPS = 62.5  # per board, ADC (spec §10, [DOC])


# ============================================================================ emulator child process
def serve(kind: str, max_rate: bool) -> int:
    """Child: start the emulator(s), print one JSON line with the ports, answer 'stats' lines."""
    from gnuradio.netstream.redpitaya.emulator import Emulator, EmulatorConfig, SharedClock

    common = dict(bind="127.0.0.1", control_port=0, adc_port=0, dac_port=0, beacon_target=None)
    if kind == "dac":
        emus = [Emulator(EmulatorConfig(dac_max_rate=max_rate, dac_capture_limit=4096, **common)).start()]
    else:
        clock = SharedClock()
        emus = [
            Emulator(EmulatorConfig(max_rate=True, role=role, shared_clock=clock, **common)).start()
            for role in ("M", "S")
        ]
    # pipeline -> [t of first pack start, t of last pack start, packs_played at the last change]
    seen: dict[int, list[float]] = {}
    stop = threading.Event()

    def poll() -> None:  # the DAC pipeline counts a pack when its play starts (paced)
        while not stop.wait(0.001):
            pipe = emus[0].dac
            if pipe is None:
                continue
            rec = seen.setdefault(id(pipe), [0.0, 0.0, 0])
            if pipe.packs_played != rec[2]:
                now = time.monotonic()
                if rec[2] == 0:
                    rec[0] = now
                rec[1], rec[2] = now, pipe.packs_played

    if kind == "dac":
        threading.Thread(target=poll, daemon=True).start()
    info = [
        {"control_port": e.control_port, "adc_port": e.adc_reserved.port, "dac_port": e.dac_reserved.port} for e in emus
    ]
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        if line.strip() == "stats" and emus[0].dac_history:
            pipe = emus[0].dac_history[-1]
            rec = seen.get(id(pipe), [0.0, 0.0, 0])
            out = {
                "packs_played": pipe.packs_played,
                "underruns": pipe.underruns,
                "samples": int(pipe.capture.played[pipe.outputs[0]]),
                "t_first": rec[0],
                "t_last": rec[1],
                "packs_at_last": rec[2],
                "fatal": len(emus[0].fatal_events),
            }
            print(json.dumps(out), flush=True)
        elif line.strip() == "stats":
            print("{}", flush=True)
    stop.set()
    for e in emus:
        e.stop()
    return 0


class Child:
    def __init__(self, kind: str, max_rate: bool = False) -> None:
        cmd = [sys.executable, __file__, "--serve", kind] + (["--max-rate"] if max_rate else [])
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the child exits (EOF) if it cannot start
        if not line:
            raise SystemExit(f"emulator child ({kind}) did not start")
        self.info = json.loads(line)

    def stats(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ============================================================================ part 1: DAC sink
def run_dac(child: Child, outputs: int, dac_rate: int, n: int, block_size: int) -> dict:
    """One run of n samples per output; returns wall rate, played rate and the loss counters."""
    from gnuradio import analog, blocks, gr, netstream

    info = child.info[0]
    snk = netstream.rp_dac_sink(
        f"127.0.0.1:{info['control_port']}",
        [1, 2][:outputs],
        "short",
        dac_rate,
        block_size,
        data_port=info["dac_port"],
    )
    tb = gr.top_block()
    for k in range(outputs):
        src = analog.sig_source_s(dac_rate, analog.GR_SAW_WAVE, 1000.0 * (k + 1), 20000, -10000)
        tb.connect(src, blocks.head(gr.sizeof_short, n), (snk, k))
    t0 = time.monotonic()
    tb.start()
    tb.wait()  # the sink's stop() waits for the estimated end of playback, then sends 32
    wall = time.monotonic() - t0
    tb.stop()
    tb.wait()
    st = child.stats()
    samples_per_pack = block_size // 2
    # played rate: samples of the packs that started after the first one, over the time between
    # the first and the last pack start (both seen by the child's 1 ms poll)
    dt = st["t_last"] - st["t_first"]
    played = (st["packs_at_last"] - 1) * samples_per_pack / dt if dt > 0 else float("nan")
    return {
        "wall": n / wall,
        "played": played,
        "underflows": snk.counter("underflows"),
        "underruns": st["underruns"],
        "samples_ok": st["samples"] == n,
        "fatal": st["fatal"],
    }


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def spread(xs: list[float]) -> float:
    m = med(xs)
    return (max(xs) - min(xs)) / m * 100 if m else float("nan")


def bench_dac(args) -> None:
    rates = [int(float(r)) for r in args.rates.split(",")]
    bs = args.block_size
    print(f"== rp_dac_sink, 16 bit, block_size {bs} B/output, {args.rounds} rounds, vendor streaming limit 5 MS/s")
    # ---- paced
    child = Child("dac")
    res: dict[tuple[int, int], list[dict]] = {}
    try:
        run_dac(child, 1, 1_000_000, 200_000, bs)  # warm-up
        for r in range(args.rounds):
            order = [(o, rate) for o in (1, 2) for rate in rates]
            if r % 2:
                order.reverse()
            for o, rate in order:
                n = max(int(rate * args.seconds), 4 * bs)
                res.setdefault((o, rate), []).append(run_dac(child, o, rate, n, bs))
    finally:
        child.close()
    print(f"paced (emulator plays at dac_rate), {args.seconds:g} s per run")
    print(
        f"{'outputs':>7}{'dac_rate MS/s':>14}{'x vendor':>9}{'played MS/s':>12}{'played/rate':>12}"
        f"{'spread %':>9}{'wall MS/s':>10}{'underflows':>11}{'underruns':>10}{'all':>6}"
    )
    for (o, rate), rs in sorted(res.items()):
        played = [x["played"] for x in rs]
        print(
            f"{o:>7}{rate / 1e6:>14.3f}{rate / VENDOR_DAC_LIMIT:>9.2f}{med(played) / 1e6:>12.3f}"
            f"{med(played) / rate:>12.3f}{spread(played):>9.1f}{med([x['wall'] for x in rs]) / 1e6:>10.3f}"
            f"{med([x['underflows'] for x in rs]):>11g}{med([x['underruns'] for x in rs]):>10g}"
            f"{'yes' if all(x['samples_ok'] for x in rs) else 'NO':>6}"
        )
    print(
        "all = every sample was played before the sink's 32 (DAC_SERVER_STOP discards what the board still "
        "holds; the sink waits for the *estimated* end of playback, so a late or slipping player loses the tail)"
    )
    if any(x["fatal"] for rs in res.values() for x in rs):
        print("emulator logged BOARD-FATAL during the paced runs")
    # ---- max rate, with a same-vs-same control
    child = Child("dac", max_rate=True)
    mx: dict[str, list[dict]] = {}
    top = 125_000_000  # the 125-14's DAC base rate: the highest dac_rate the block accepts
    try:
        run_dac(child, 1, top, 1_000_000, bs)  # warm-up
        for r in range(args.rounds):
            kinds = ["1", "2", "1ctl"] if r % 2 == 0 else ["1ctl", "2", "1"]
            for kind in kinds:
                o = int(kind[0])
                mx.setdefault(kind, []).append(run_dac(child, o, top, args.max_samples, bs))
    finally:
        child.close()
    print(f"max-rate (emulator --dac-max-rate; dac_rate {top}), {args.max_samples} samples per output per run")
    print(f"{'run':<24}{'MS/s/output':>12}{'spread %':>9}{'MB/s wire':>10}{'x vendor 5 MS/s':>16}{'all':>6}")
    for kind, label in (("1", "1 output"), ("1ctl", "1 output (control)"), ("2", "2 outputs")):
        w = [x["wall"] for x in mx[kind]]
        o = int(kind[0])
        mbps = med(w) * o * 2 * (bs + 128) / bs / 1e6
        ok = "yes" if all(x["samples_ok"] for x in mx[kind]) else "NO"
        print(
            f"{label:<24}{med(w) / 1e6:>12.2f}{spread(w):>9.1f}{mbps:>10.1f}{med(w) / VENDOR_DAC_LIMIT:>16.1f}{ok:>6}"
        )
    ctl = [a["wall"] / b["wall"] for a, b in zip(mx["1"], mx["1ctl"], strict=True)]
    print(f"control 1 output / 1 output: median {med(ctl):.2f} (spread {spread(ctl):.0f} %)")


# ============================================================================ part 2: multi-board client
def run_client(child: Child, boards: int, packs: int, block_size: int, configure: bool) -> float:
    """Aggregate wire MB/s of ADCStreamClient over the first `boards` emulators (2 ch, 16 bit, dec 1)."""
    from gnuradio.netstream.redpitaya import ADCCallback, ADCStreamClient

    hosts = [f"127.0.0.1:{b['control_port']}" for b in child.info[:boards]]
    ports = {h: b["adc_port"] for h, b in zip(hosts, child.info, strict=False)}
    counts = dict.fromkeys(hosts, 0)

    class Cb(ADCCallback):
        def receivePack(self, client, pack) -> None:  # noqa: N802 (vendor name)
            counts[pack.host] += 1
            if min(counts.values()) >= packs:
                client.notifyStop()

    cl = ADCStreamClient(adc_port=ports)
    cl.setReceiveDataCallback(Cb())
    if not cl.connect(hosts):
        raise SystemExit("client could not connect")
    try:
        if configure:
            doc = json.loads(cl.getFileConfig(hosts[0]))
            doc["adc_streaming"].update(
                channel_state_1="ON", channel_state_2="ON", adc_decimation=1, resolution="BIT_16"
            )
            doc["memory_manager"].update(block_size=block_size, adc_size=12 * (block_size + 128))
            assert cl.sendFileConfig(json.dumps(doc))
        t0 = time.monotonic()
        assert cl.startStreaming()
        if not cl.wait(120):
            raise SystemExit("client did not finish")
        dt = time.monotonic() - t0
        cl.stopStreaming()
    finally:
        for c in cl._ctl.values():  # the vendor API has no disconnect; free the board for the next run
            c.close()
    return sum(counts.values()) * 2 * (block_size + 128) / 1e6 / dt


def bench_multiboard(args) -> None:
    bs = args.adc_block_size
    child = Child("boards")
    res: dict[str, list[float]] = {"pair": [], "single": [], "single_ctl": []}
    try:
        run_client(child, 2, 4, bs, configure=True)  # configures both boards (the vendor's config copy)
        for r in range(args.rounds):
            order = ["pair", "single", "single_ctl"] if r % 2 == 0 else ["single_ctl", "single", "pair"]
            for kind in order:
                res[kind].append(run_client(child, 2 if kind == "pair" else 1, args.packs, bs, configure=False))
    finally:
        child.close()
    print(
        f"== ADCStreamClient (Python), 2 ch x 16 bit, decimation 1, block_size {bs}, {args.packs} packs per board "
        f"per run, emulators --max-rate (master + slave, shared clock), {args.rounds} rounds"
    )
    print(f"{'run':<28}{'MB/s total':>11}{'spread %':>9}{'MB/s per board':>15}{'x 62.5 MB/s':>12}")
    for kind, label, nb in (
        ("pair", "master + slave (aggregate)", 2),
        ("single", "master alone", 1),
        ("single_ctl", "master alone (control)", 1),
    ):
        xs = res[kind]
        print(
            f"{label:<28}{med(xs):>11.1f}{spread(xs):>9.1f}{med(xs) / nb:>15.1f}{med(xs) / nb / LINK_LIMIT_MBPS:>12.2f}"
        )
    ratio = [a / b for a, b in zip(res["pair"], res["single"], strict=True)]
    ctl = [a / b for a, b in zip(res["single"], res["single_ctl"], strict=True)]
    print(
        f"aggregate / single: median {med(ratio):.2f} (spread {spread(ratio):.0f} %); "
        f"control single / single: median {med(ctl):.2f} (spread {spread(ctl):.0f} %)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--rates", default="1e6,2.5e6,5e6,10e6,20e6,40e6,80e6,125e6", help="paced dac_rates (S/s)")
    ap.add_argument("--seconds", type=float, default=0.5, help="playing time per paced run")
    ap.add_argument("--block-size", type=int, default=1 << 18, help="DAC bytes per output per pack")
    ap.add_argument("--max-samples", type=int, default=20_000_000, help="samples per output per max-rate run")
    ap.add_argument("--adc-block-size", type=int, default=1 << 20)
    ap.add_argument("--packs", type=int, default=40, help="ADC packs per board per client run")
    ap.add_argument("--only", choices=("dac", "multiboard"))
    ap.add_argument("--serve", choices=("dac", "boards"), help=argparse.SUPPRESS)
    ap.add_argument("--max-rate", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve, args.max_rate)
    if os.environ.get("VOLK_GENERIC"):
        raise SystemExit("do not benchmark under VOLK_GENERIC")
    print(f"machine: {os.cpu_count()} cores; emulators in a child process on the same machine (loopback)")
    if args.only in (None, "dac"):
        from gnuradio import gr

        gr.logging().set_default_level(gr.log_levels.warn)  # no connect/start lines per run
        bench_dac(args)
    if args.only in (None, "multiboard"):
        bench_multiboard(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
