#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""doppler ZMQ blocks vs in-tree gr-zeromq (and vs a raw libzmq loop), side by side in one run.

What is measured (issue 7, "Benchmarks"), every figure at the receiver, tcp loopback, the sender
and the receiver in separate processes:

1. Out of the box, every parameter at its default on both sides: netstream.zmq_push_sink ->
   zmq_pull_source vs zeromq.push_sink -> pull_source, and zmq_pub_sink -> zmq_sub_source vs
   zeromq.pub_sink -> sub_source (both PUBs in their default drop mode; items delivered to the
   receiver are counted). Sender: blocks.null_source -> sink. Receiver: source -> blocks.null_sink,
   items = null_sink.nitems_read(0) over the window (the same counter for both block sets).
2. PUB->SUB latency at 1000 frames/s: a Python source emits one 1000-sample frame per millisecond
   (1 MS/s) with time.time_ns() in the first sample's 8 bytes; a Python sink at the receiver takes
   time.time_ns() when work() sees the sample. Same source, same sink, same clock for both block
   sets; defaults on both sides.
3. Equal frame size, 64 Ki items: our PUSH->PULL at its defaults (frame_size = 65536) vs
   bench/raw_zmq_loop.cc, a C++ libzmq PUSH->PULL loop sending the same 2-part doppler wire
   (96-byte header + 65536 CF32 samples), compiled here with g++ -O2 -lzmq.
4. REQ/REP at defaults: netstream.zmq_rep_sink -> zmq_req_source vs zeromq.rep_sink -> req_source.

Each round runs every configuration once; odd rounds run each group in reverse order, so each
block set goes first in half of the rounds. "in-tree (ctl)" is a second, identical in-tree run in
the same round: the in-tree/in-tree ratio is the noise floor. Per-round ratios are summarised by
their median, min-max and IQR. Each measurement: ~0.5 s warm-up, then a ~2 s counting window.

Flowgraphs run in two long-lived worker processes (sender, receiver) under Debian's
/usr/bin/python3 (override: NETSTREAM_BENCH_PYTHON); they rebuild a top block per measurement.
The build tree is NETSTREAM_BUILD_DIR (default build/). VOLK_GENERIC must not be set.

Usage: bench/bench_zmq.py [--rounds 9] [--quick] [--window 2] [--warmup 0.5] [--groups push,pub,req,lat]
                          [--output docs/benchmarks-zmq.md | --no-doc]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO / "build"))
FLOWGRAPH_PYTHON = os.environ.get("NETSTREAM_BENCH_PYTHON", "/usr/bin/python3")
RAW_SOURCE = REPO / "bench" / "raw_zmq_loop.cc"
ITEM_BYTES = 8  # gr_complex / CF32
RAW_FRAME = 65536
RAW_SNDHWM = 128  # what our push sink picks at its defaults: 64 MiB / (65536 * 8 B)
LAT_FRAME = 1000
LAT_FPS = 1000.0
REPLY_PREFIX = "@@ "

# --------------------------------------------------------------------------------------------
# Worker side (runs under the flowgraph interpreter)
# --------------------------------------------------------------------------------------------


def _worker_main(role: str) -> None:
    sys.path.insert(0, str(BUILD / "test_modules"))
    import numpy as np
    import pmt
    from gnuradio import blocks, gr, netstream, zeromq

    class StampSource(gr.sync_block):  # type: ignore[misc]
        """One LAT_FRAME-sample frame per 1/LAT_FPS s; sample 0 holds time.time_ns() (8 raw bytes)."""

        def __init__(self, tag_rate: bool = False) -> None:
            gr.sync_block.__init__(self, "stamp_source", None, [np.complex64])
            self.set_output_multiple(LAT_FRAME)
            self.period = 1.0 / LAT_FPS
            self.next_t: float | None = None
            # Like an SDR source (UHD): an rx_rate tag on the first sample.
            self.tag_rate = tag_rate

        def work(self, input_items: Any, output_items: Any) -> int:
            now = time.monotonic()
            if self.next_t is None:
                self.next_t = now
            wait = self.next_t - now
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.05:  # fell far behind (start-up): no catch-up burst
                self.next_t = now
            frame = output_items[0][:LAT_FRAME]
            frame[:] = 0
            frame[:1].view(np.uint64)[0] = time.time_ns()
            if self.tag_rate and self.nitems_written(0) == 0:
                self.add_item_tag(0, 0, pmt.intern("rx_rate"), pmt.from_double(LAT_FRAME * LAT_FPS))
            self.next_t += self.period
            return LAT_FRAME

    class LatencySink(gr.sync_block):  # type: ignore[misc]
        """Receive time minus the send time carried in every non-zero sample."""

        def __init__(self) -> None:
            gr.sync_block.__init__(self, "latency_sink", [np.complex64], None)
            self.recording = False
            self.lat_ns: list[int] = []

        def work(self, input_items: Any, output_items: Any) -> int:
            now = time.time_ns()
            x = input_items[0].view(np.uint64)
            stamps = x[np.flatnonzero(x)]
            if self.recording and stamps.size:
                self.lat_ns.extend((now - stamps.astype(np.int64)).tolist())
            return len(input_items[0])

    bind_ep = "tcp://127.0.0.1:0"

    def make_sink(kind: str, pattern: str) -> Any:
        ours = kind.startswith("ours")
        if pattern == "push":
            return netstream.zmq_push_sink(bind_ep) if ours else zeromq.push_sink(ITEM_BYTES, 1, bind_ep)
        if pattern in ("pub", "lat"):
            return netstream.zmq_pub_sink(bind_ep) if ours else zeromq.pub_sink(ITEM_BYTES, 1, bind_ep)
        if pattern == "req":
            return netstream.zmq_rep_sink(bind_ep) if ours else zeromq.rep_sink(ITEM_BYTES, 1, bind_ep)
        raise ValueError(pattern)

    def make_source(kind: str, pattern: str, ep: str) -> Any:
        ours = kind.startswith("ours")
        if pattern == "push":
            return netstream.zmq_pull_source(ep) if ours else zeromq.pull_source(ITEM_BYTES, 1, ep)
        if pattern in ("pub", "lat"):
            return netstream.zmq_sub_source(ep) if ours else zeromq.sub_source(ITEM_BYTES, 1, ep)
        if pattern == "req":
            return netstream.zmq_req_source(ep) if ours else zeromq.req_source(ITEM_BYTES, 1, ep)
        raise ValueError(pattern)

    def counters_of(block: Any, kind: str) -> dict[str, int]:
        return {k: int(v) for k, v in block.counters().items()} if kind.startswith("ours") else {}

    def reply(obj: dict[str, Any]) -> None:
        sys.stdout.write(REPLY_PREFIX + json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"hello": role, "gr": gr.version()})
    tb: Any = None
    sink: Any = None
    kind = ""
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if role == "tx" and op == "start":
                kind, pattern = cmd["kind"], cmd["pattern"]
                tb = gr.top_block("bench_tx")
                sink = make_sink(kind, pattern)
                src = StampSource(kind.endswith("_rated")) if pattern == "lat" else blocks.null_source(ITEM_BYTES)
                tb.connect(src, sink)
                tb.start()
                reply({"endpoint": sink.last_endpoint()})
            elif role == "tx" and op == "stop":
                tb.stop()
                tb.wait()
                reply({"counters": counters_of(sink, kind)})
                tb = sink = None
            elif role == "rx" and op == "measure":
                kind, pattern = cmd["kind"], cmd["pattern"]
                tb = gr.top_block("bench_rx")
                src = make_source(kind, pattern, cmd["endpoint"])
                dst = LatencySink() if pattern == "lat" else blocks.null_sink(ITEM_BYTES)
                tb.connect(src, dst)
                tb.start()
                time.sleep(cmd["warmup"])
                n0, t0 = dst.nitems_read(0), time.monotonic()
                if pattern == "lat":
                    dst.recording = True
                time.sleep(cmd["window"])
                n1, t1 = dst.nitems_read(0), time.monotonic()
                if pattern == "lat":
                    dst.recording = False
                tb.stop()
                tb.wait()
                out: dict[str, Any] = {"items": n1 - n0, "seconds": t1 - t0, "counters": counters_of(src, kind)}
                if pattern == "lat":
                    out["lat_ns"] = dst.lat_ns
                reply(out)
                tb = None
            else:
                reply({"error": f"unknown op {op!r} for {role}"})
        except Exception as e:  # report, keep serving
            reply({"error": f"{type(e).__name__}: {e}"})


# --------------------------------------------------------------------------------------------
# Controller side
# --------------------------------------------------------------------------------------------


class Worker:
    """A long-lived flowgraph process answering one JSON command per line."""

    def __init__(self, role: str, logdir: Path) -> None:
        self.role = role
        self.log = open(logdir / f"worker-{role}.log", "ab")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [FLOWGRAPH_PYTHON, str(Path(__file__).resolve()), "--worker", role],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.hello = self.wait(30.0)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(REPLY_PREFIX):
                self.replies.put(json.loads(line[len(REPLY_PREFIX) :]))
        self.replies.put({"error": f"{self.role} worker exited"})

    def wait(self, timeout: float) -> dict[str, Any]:
        try:
            r = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.role} worker: no reply within {timeout} s") from None
        if "error" in r:
            raise RuntimeError(f"{self.role} worker: {r['error']}")
        return r

    def call(self, cmd: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.raw_bin = tmp / "raw_zmq_loop"
        self.tx: Worker | None = None
        self.rx: Worker | None = None

    def build_raw(self) -> None:
        cmd = ["g++", "-std=c++17", "-O2", "-Wall", "-Wextra", str(RAW_SOURCE), "-o", str(self.raw_bin), "-lzmq"]
        subprocess.run(cmd, check=True, timeout=120)

    def workers(self) -> tuple[Worker, Worker]:
        if self.tx is None or self.tx.proc.poll() is not None:
            self.tx = Worker("tx", self.tmp)
        if self.rx is None or self.rx.proc.poll() is not None:
            self.rx = Worker("rx", self.tmp)
        return self.tx, self.rx

    def restart_workers(self) -> None:
        for w in (self.tx, self.rx):
            if w is not None:
                w.proc.kill()
                w.close()
        self.tx = self.rx = None

    def close(self) -> None:
        for w in (self.tx, self.rx):
            if w is not None:
                w.close()

    def measure(self, kind: str, pattern: str) -> dict[str, Any] | None:
        """One measurement; None (and a message) if it failed."""
        try:
            if kind == "raw":
                return self.measure_raw()
            tx, rx = self.workers()
            limit = self.args.warmup + self.args.window + 20.0
            ep = tx.call({"op": "start", "kind": kind, "pattern": pattern}, 30.0)["endpoint"]
            try:
                r = rx.call(
                    {
                        "op": "measure",
                        "kind": kind,
                        "pattern": pattern,
                        "endpoint": ep,
                        "warmup": self.args.warmup,
                        "window": self.args.window,
                    },
                    limit,
                )
            finally:
                tx_counters = tx.call({"op": "stop"}, 30.0)["counters"]
            r["tx_counters"] = tx_counters
            return r
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            print(f"  ! {kind} {pattern}: {e}; restarting the workers", file=sys.stderr)
            self.restart_workers()
            return None

    def measure_raw(self) -> dict[str, Any]:
        secs = self.args.warmup + self.args.window + 5.0
        sender = subprocess.Popen(
            [str(self.raw_bin), "send", "tcp://127.0.0.1:0", str(RAW_FRAME), str(secs), str(RAW_SNDHWM)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert sender.stdout is not None
            ep = json.loads(sender.stdout.readline())["endpoint"]
            out = subprocess.run(
                [str(self.raw_bin), "recv", ep, str(self.args.warmup), str(self.args.window)],
                capture_output=True,
                text=True,
                timeout=secs + 10.0,
                check=True,
            )
            r = json.loads(out.stdout)
            if r["bad"]:
                raise RuntimeError(f"raw loop received {r['bad']} malformed frames")
            return r
        finally:
            sender.terminate()
            sender.wait(timeout=10)


# Configurations per group, in the order used by even rounds (odd rounds reverse it).
GROUPS: dict[str, list[tuple[str, str]]] = {
    "push": [("ours", "push"), ("intree", "push"), ("intree_ctl", "push"), ("raw", "push")],
    "pub": [("ours", "pub"), ("intree", "pub"), ("intree_ctl", "pub")],
    "req": [("ours", "req"), ("intree", "req"), ("intree_ctl", "req")],
    "lat": [("ours", "lat"), ("intree", "lat"), ("intree_ctl", "lat"), ("ours_rated", "lat")],
}


def rate(r: dict[str, Any] | None) -> float | None:
    """Msamples/s delivered at the receiver."""
    if r is None or r["seconds"] <= 0:
        return None
    return r["items"] / r["seconds"] / 1e6


def pct(values: list[int], q: float) -> float:
    """Percentile (nearest rank) of a list of nanosecond values, in ms."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100.0 * (len(s) - 1))))] / 1e6


def summary(values: list[float]) -> dict[str, float] | None:
    v = [x for x in values if x is not None]
    if not v:
        return None
    out = {"n": len(v), "median": statistics.median(v), "min": min(v), "max": max(v)}
    if len(v) >= 4:
        q = statistics.quantiles(v, n=4, method="inclusive")
        out["q1"], out["q3"] = q[0], q[2]
    return out


def fmt_summary(s: dict[str, float] | None, unit: str = "x", digits: int = 2) -> str:
    if s is None:
        return "n/a"
    f = f"{{:.{digits}f}}"
    text = f"{f.format(s['median'])}{unit} [{f.format(s['min'])}–{f.format(s['max'])}]"
    if "q1" in s:
        text += f" IQR {f.format(s['q1'])}–{f.format(s['q3'])}"
    return text


def machine_facts() -> dict[str, str]:
    def run(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    lscpu = run(["lscpu"])
    model = re.search(r"Model name:\s*(.+)", lscpu)
    hyper = re.search(r"Hypervisor vendor:\s*(.+)", lscpu)
    return {
        "nproc": run(["nproc"]),
        "cpu": model.group(1).strip() if model else "?",
        "hypervisor": hyper.group(1).strip() if hyper else "none",
        "kernel": platform.release(),
        "libzmq": run(["pkg-config", "--modversion", "libzmq"]),
        "loadavg_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", choices=["tx", "rx"], help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="3 rounds, 1 s windows (a smoke run)")
    ap.add_argument("--window", type=float, default=2.0, help="counting window per measurement, s")
    ap.add_argument("--warmup", type=float, default=0.5, help="warm-up before counting, s")
    ap.add_argument("--groups", default="push,pub,req,lat", help="subset of push,pub,req,lat")
    ap.add_argument("--output", default=str(REPO / "docs" / "benchmarks-zmq.md"))
    ap.add_argument("--no-doc", action="store_true", help="do not write the Markdown report")
    args = ap.parse_args()
    if args.worker:
        _worker_main(args.worker)
        return 0
    if "VOLK_GENERIC" in os.environ:
        print("VOLK_GENERIC is set: it disables SIMD kernels; unset it to benchmark.", file=sys.stderr)
        return 2
    if args.quick:
        args.rounds, args.window = min(args.rounds, 3), 1.0
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    for g in groups:
        if g not in GROUPS:
            ap.error(f"unknown group {g!r}")

    facts = machine_facts()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench_zmq_"))
    bench = Bench(args, tmp)
    results: list[dict[str, dict[str, Any] | None]] = []
    try:
        if "push" in groups:
            bench.build_raw()
        tx, _ = bench.workers()
        facts["gnuradio"] = tx.hello.get("gr", "?")
        for rnd in range(args.rounds):
            row: dict[str, dict[str, Any] | None] = {}
            for g in groups:
                order = GROUPS[g] if rnd % 2 == 0 else list(reversed(GROUPS[g]))
                for kind, pattern in order:
                    row[f"{pattern}:{kind}"] = bench.measure(kind, pattern)
            results.append(row)
            print(round_line(rnd, row), flush=True)
    finally:
        bench.close()
        shutil.rmtree(tmp, ignore_errors=True)
    facts["loadavg_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    facts["runtime_s"] = f"{time.monotonic() - started:.0f}"
    report = analyse(results, groups)
    print()
    print(text_table(report))
    if not args.no_doc:
        write_doc(Path(args.output), report, facts, args)
        print(f"\nwrote {args.output}")
    return 0


def round_line(rnd: int, row: dict[str, dict[str, Any] | None]) -> str:
    parts = [f"round {rnd + 1}:"]
    for key, r in row.items():
        if key.startswith("lat:"):
            if r and r.get("lat_ns"):
                parts.append(f"{key} p50 {pct(r['lat_ns'], 50):.2f} p99 {pct(r['lat_ns'], 99):.2f} ms")
            else:
                parts.append(f"{key} n/a")
        else:
            v = rate(r)
            parts.append(f"{key} {v:.1f}" if v is not None else f"{key} n/a")
    return "  ".join(parts) + "  (MS/s)"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def analyse(results: list[dict[str, dict[str, Any] | None]], groups: list[str]) -> dict[str, Any]:
    rep: dict[str, Any] = {"rounds": len(results), "rows": [], "abs": {}, "lat": None}

    def col(key: str) -> list[float | None]:
        return [rate(r.get(key)) for r in results]

    def add_ratio(name: str, num: str, den: str, target: float | None) -> None:
        rs = [ratio(a, b) for a, b in zip(col(num), col(den))]
        rep["rows"].append({"name": name, "summary": summary(rs), "target": target, "per_round": rs})

    for p in ("push", "pub", "req"):
        if p not in groups:
            continue
        label = {"push": "PUSH→PULL", "pub": "PUB→SUB", "req": "REP→REQ"}[p]
        target = 5.0 if p == "req" else 1.8
        add_ratio(f"{label} defaults: ours / in-tree", f"{p}:ours", f"{p}:intree", target)
        add_ratio(f"{label} control: in-tree (ctl) / in-tree", f"{p}:intree_ctl", f"{p}:intree", None)
        for k in ("ours", "intree", "intree_ctl"):
            rep["abs"][f"{label} {k}"] = summary(col(f"{p}:{k}"))
    if "push" in groups:
        add_ratio("64 Ki-item frames: ours PUSH→PULL / raw libzmq loop", "push:ours", "push:raw", 0.95)
        rep["abs"]["raw libzmq loop PUSH→PULL 64 Ki"] = summary(col("push:raw"))
    if "lat" in groups:
        lat: dict[str, Any] = {}
        for k in ("ours", "intree", "intree_ctl", "ours_rated"):
            per = [r.get(f"lat:{k}") for r in results]
            p50 = [pct(r["lat_ns"], 50) if r and r.get("lat_ns") else None for r in per]
            p99 = [pct(r["lat_ns"], 99) if r and r.get("lat_ns") else None for r in per]
            pooled = [x for r in per if r and r.get("lat_ns") for x in r["lat_ns"]]
            lat[k] = {
                "p50": summary(p50),
                "p99": summary(p99),
                "p50_list": p50,
                "p99_list": p99,
                "pooled_p50": pct(pooled, 50) if pooled else None,
                "pooled_p99": pct(pooled, 99) if pooled else None,
                "pooled_max": max(pooled) / 1e6 if pooled else None,
                "frames": len(pooled),
            }
        lat["ratio_p50"] = summary([ratio(a, b) for a, b in zip(lat["ours"]["p50_list"], lat["intree"]["p50_list"])])
        lat["ratio_p99"] = summary([ratio(a, b) for a, b in zip(lat["ours"]["p99_list"], lat["intree"]["p99_list"])])
        lat["rated_p50"] = summary(
            [ratio(a, b) for a, b in zip(lat["ours_rated"]["p50_list"], lat["intree"]["p50_list"])]
        )
        lat["rated_p99"] = summary(
            [ratio(a, b) for a, b in zip(lat["ours_rated"]["p99_list"], lat["intree"]["p99_list"])]
        )
        # Same-vs-same control: the noise floor of the latency ratios.
        lat["ctl_p50"] = summary(
            [ratio(a, b) for a, b in zip(lat["intree_ctl"]["p50_list"], lat["intree"]["p50_list"])]
        )
        lat["ctl_p99"] = summary(
            [ratio(a, b) for a, b in zip(lat["intree_ctl"]["p99_list"], lat["intree"]["p99_list"])]
        )
        rep["lat"] = lat
    # Context for PUB: how much our sender dropped (counted), per round median.
    drops = [
        (r.get("pub:ours") or {}).get("tx_counters", {}).get("items_dropped") for r in results if r.get("pub:ours")
    ]
    rep["pub_ours_items_dropped"] = statistics.median(drops) if drops and None not in drops else None
    malformed = 0
    for r in results:
        for key, m in r.items():
            if m and key.split(":")[1].startswith("ours"):
                malformed += sum(v for c, v in m.get("counters", {}).items() if c.startswith("malformed"))
    rep["ours_malformed_total"] = malformed
    return rep


def verdict(row: dict[str, Any]) -> str:
    s, t = row["summary"], row["target"]
    if t is None or s is None:
        return ""
    return "met" if s["median"] >= t else "NOT met"


def text_table(rep: dict[str, Any]) -> str:
    lines = [f"ratios over {rep['rounds']} rounds: median [min–max] IQR q1–q3"]
    w = max(len(r["name"]) for r in rep["rows"]) if rep["rows"] else 40
    for r in rep["rows"]:
        tgt = f"target ≥ {r['target']:.2f}x  {verdict(r)}" if r["target"] else "(noise floor)"
        lines.append(f"  {r['name']:<{w}}  {fmt_summary(r['summary']):<34}  {tgt}")
    lines.append("absolute receive rates, Msamples/s (×8 = MB/s payload): median [min–max]")
    for k, s in rep["abs"].items():
        lines.append(f"  {k:<{w}}  {fmt_summary(s, unit='', digits=1)}")
    lat = rep["lat"]
    if lat:
        lines.append("PUB→SUB latency at 1000 frames/s (1000-sample frames), ms: per-round median [min–max]")
        for k in ("ours", "intree", "intree_ctl", "ours_rated"):
            lines.append(
                f"  {k:<7} p50 {fmt_summary(lat[k]['p50'], unit='', digits=3):<36}"
                f" p99 {fmt_summary(lat[k]['p99'], unit='', digits=3)}"
            )
        lines.append(f"  ours / in-tree  p50 {fmt_summary(lat['ratio_p50'])}   p99 {fmt_summary(lat['ratio_p99'])}")
        lines.append(
            f"  ours_rated / in-tree  p50 {fmt_summary(lat['rated_p50'])}   p99 {fmt_summary(lat['rated_p99'])}"
        )
        lines.append(f"  control ctl/in-tree  p50 {fmt_summary(lat['ctl_p50'])}   p99 {fmt_summary(lat['ctl_p99'])}")
    return "\n".join(lines)


ANALYSIS_BEGIN = "<!-- analysis: hand-written, kept when the script rewrites this file -->"
ANALYSIS_END = "<!-- /analysis -->"


def write_doc(path: Path, rep: dict[str, Any], facts: dict[str, str], args: argparse.Namespace) -> None:
    old_analysis = ""
    if path.exists():
        m = re.search(re.escape(ANALYSIS_BEGIN) + r"(.*?)" + re.escape(ANALYSIS_END), path.read_text(), re.S)
        if m:
            old_analysis = m.group(1).strip("\n")
    today = datetime.date.today().isoformat()
    md = [
        "# doppler ZMQ blocks: benchmarks against in-tree gr-zeromq and a raw libzmq loop",
        "",
        f"Generated by `bench/bench_zmq.py` on {today} ({rep['rounds']} rounds, {args.warmup} s warm-up, "
        f"{args.window} s window per measurement, total run time {facts['runtime_s']} s).",
        "",
        "## Machine",
        "",
        f"- CPU: {facts['cpu']}, `nproc` = {facts['nproc']}, hypervisor: {facts['hypervisor']}",
        f"- Linux {facts['kernel']}, GNU Radio {facts.get('gnuradio', '?')} (Debian package), libzmq {facts['libzmq']}",
        f"- load average at start / end: {facts['loadavg_start']} / {facts['loadavg_end']}",
        "",
        "## Method",
        "",
        "- tcp loopback (`tcp://127.0.0.1:<ephemeral>`), sender and receiver in **separate processes** (two "
        "long-lived `/usr/bin/python3` workers that build a fresh top block per measurement; the raw loop is "
        "two C++ processes).",
        "- Sender: `blocks.null_source(gr_complex)` → sink. Receiver: source → `blocks.null_sink`; the count "
        "is `null_sink.nitems_read(0)` at the start and the end of the window (the same counter for both "
        "block sets). MB/s = payload bytes (8 per CF32 / `gr_complex` item), 1 MB = 10⁶ B.",
        "- **Out of the box**: every constructor argument at its default on both sides, except the endpoint "
        "(`tcp://127.0.0.1:0` bound by the sink, `last_endpoint()` given to the source). Ours: "
        "`zmq_push_sink`/`zmq_pub_sink`/`zmq_rep_sink(endpoint)` (frame_size 65536, flush_ms 10, hwm = 64 MiB "
        "of frames, PUB in counted-drop mode) and `zmq_pull_source`/`zmq_sub_source`/`zmq_req_source(endpoint)`. "
        "In-tree: `zeromq.push_sink(8, 1, ep)` etc. (timeout 100 ms, hwm −1, PUB `drop_on_hwm=True`). Both PUBs "
        "drop when the subscriber falls behind, so PUB→SUB counts what is **delivered** to the receiver.",
        "- **Equal frame size**: our PUSH→PULL at defaults (65536-sample frames) vs `bench/raw_zmq_loop.cc` "
        f"(PUSH→PULL, same 2-part doppler v1 wire, 65536 CF32 samples per frame, SNDHWM {RAW_SNDHWM} like our "
        "sink, receiver validates header size/magic/type/payload length and counts `num_samples`; built with "
        "`g++ -O2 -lzmq`).",
        "- **Latency**: a Python source emits one 1000-sample frame every 1 ms (1 MS/s) with `time.time_ns()` "
        "in the 8 bytes of the frame's first sample (the other samples are 0); the receiver's Python sink "
        "subtracts it from `time.time_ns()` when its `work()` sees the sample. Same source, sink and clock for "
        "both block sets, PUB→SUB at defaults.",
        "- Each round runs every configuration once; odd rounds run each group in reverse order (each block set "
        "goes first in half the rounds). `in-tree (ctl)` is a second identical in-tree run in the same round: "
        "in-tree (ctl) / in-tree is the noise floor. Ratios are per round; the table gives the median, "
        "[min–max] and the interquartile range.",
        "- `VOLK_GENERIC` unset; no CPU pinning; the machine was otherwise shared (see the load average).",
        "",
        "## Ratios (per round)",
        "",
        "| comparison | median | min–max | IQR | target | verdict |",
        "| --- | ---: | --- | --- | --- | --- |",
    ]
    for r in rep["rows"]:
        s = r["summary"]
        if s is None:
            md.append(f"| {r['name']} | n/a | | | | |")
            continue
        iqr = f"{s['q1']:.2f}–{s['q3']:.2f}" if "q1" in s else ""
        tgt = f"≥ {r['target']:.2f}×" if r["target"] else "noise floor"
        md.append(
            f"| {r['name']} | **{s['median']:.2f}×** | {s['min']:.2f}–{s['max']:.2f} | {iqr} | {tgt} | {verdict(r)} |"
        )
    md += [
        "",
        "## Absolute receive rates",
        "",
        "Absolute figures drift between runs on this machine; only the ratios above are comparable.",
        "",
        "| configuration | Msamples/s median [min–max] | MB/s median |",
        "| --- | --- | ---: |",
    ]
    for k, s in rep["abs"].items():
        if s:
            md.append(f"| {k} | {s['median']:.1f} [{s['min']:.1f}–{s['max']:.1f}] | {s['median'] * ITEM_BYTES:.0f} |")
    if rep["pub_ours_items_dropped"] is not None:
        md += [
            "",
            f"Our PUB sink counted a median of {rep['pub_ours_items_dropped']:.0f} dropped items per PUB→SUB "
            "measurement (`items_dropped`; the in-tree PUB drops without counting).",
        ]
    lat = rep["lat"]
    if lat:
        md += [
            "",
            "## PUB→SUB latency at 1000 frames/s (1000-sample frames, 1 MS/s)",
            "",
            "| block set | p50 ms, per-round median [min–max] | p99 ms, per-round median [min–max] | pooled p50 / p99 / max ms "
            "| frames |",
            "| --- | --- | --- | --- | ---: |",
        ]
        for k, name in (
            ("ours", "ours (defaults)"),
            ("intree", "in-tree (defaults)"),
            ("intree_ctl", "in-tree again (control)"),
            ("ours_rated", "ours, source tags rx_rate once"),
        ):
            x = lat[k]
            pooled = f"{x['pooled_p50']:.3f} / {x['pooled_p99']:.3f} / {x['pooled_max']:.3f}" if x["frames"] else "n/a"
            md.append(
                f"| {name} | {fmt_summary(x['p50'], unit='', digits=3)} | {fmt_summary(x['p99'], unit='', digits=3)}"
                f" | {pooled} | {x['frames']} |"
            )
        md.append(
            f"| ours / in-tree (per-round ratio) | {fmt_summary(lat['ratio_p50'])} | {fmt_summary(lat['ratio_p99'])} | | |"
        )
        md.append(
            f"| ours (rx_rate tagged) / in-tree | {fmt_summary(lat['rated_p50'])} | {fmt_summary(lat['rated_p99'])} | | |"
        )
        md.append(
            f"| control: in-tree again / in-tree | {fmt_summary(lat['ctl_p50'])} | {fmt_summary(lat['ctl_p99'])} | | |"
        )
    md += [
        "",
        f"Malformed frames counted by our sources over the whole run: {rep['ours_malformed_total']}.",
        "",
        "## Per-round ratios",
        "",
        "| comparison | " + " | ".join(str(i + 1) for i in range(rep["rounds"])) + " |",
        "| --- |" + " ---: |" * rep["rounds"],
    ]
    for r in rep["rows"]:
        md.append(
            f"| {r['name']} | " + " | ".join(f"{v:.2f}" if v is not None else "n/a" for v in r["per_round"]) + " |"
        )
    md += [
        "",
        "## Reading",
        "",
        ANALYSIS_BEGIN,
        old_analysis or "_(to be written after looking at the numbers)_",
        ANALYSIS_END,
        "",
        "Reproduce: `NETSTREAM_BUILD_DIR=build bench/bench_zmq.py` (≈ 8 min; `--quick` for a 3-round smoke run, "
        "`--rounds N`, `--groups push,pub,req,lat`, `--no-doc`).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(md))


if __name__ == "__main__":
    sys.exit(main())
