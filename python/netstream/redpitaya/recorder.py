# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record Red Pitaya ADC streams to WAV, raw binary or SigMF (logic of ``netstream-rp-record``).

Pure Python over :mod:`.protocol`: the same sequence as the C++ block (spec redpitaya-streaming.md
§7.1 and §12.1): greeting, P2/P3 probe, stop before start, settings, block size and channel query,
start, data connect, FPGA start, packs, stop with drain to EOF.

Lost samples (``lostFPGA``, packId gaps) are written as zeros so the time axis stays true (as the
vendor's own file writers do) and are listed in the summary and in SigMF annotations.
"""

from __future__ import annotations

import datetime as _dt
import json
import socket
import sys
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import protocol as P

REPLY_TIMEOUT = 5.0
TEARDOWN_TIMEOUT = 10.0


class RecorderError(Exception):
    """A problem the user can act on (message says what)."""


@dataclass
class RecordConfig:
    host: str = ""  # "" = discovery; "host" or "host:control_port"
    data_port: int = P.PORT_ADC
    decimation: int = 64
    channels: list[int] = field(default_factory=lambda: [1])  # 1-based
    resolution: int = 16
    block_size: int = 65536
    samples: int = 0  # per channel; 0 = use duration
    duration: float = 1.0  # seconds
    output: str = "capture.wav"
    fmt: str = ""  # "wav", "raw", "sigmf"; "" = from the output suffix
    discovery_timeout: float = 3.0


@dataclass
class RecordSummary:
    samples: int = 0  # per channel, lost (zero-filled) included
    lost: int = 0  # per channel
    packs: int = 0
    packid_gaps: int = 0
    seconds: float = 0.0
    sample_rate: float = 0.0
    proto: str = ""
    capture_time_ns: int = 0
    lost_spans: list[tuple[int, int]] = field(default_factory=list)  # (start sample, count)
    files: list[str] = field(default_factory=list)

    @property
    def rate_achieved(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["rate_achieved"] = self.rate_achieved
        return d


# ------------------------------------------------------------------ control link
class ControlClient:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=REPLY_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.parser = P.ControlParser()
        self.pending: list[P.ControlMessage] = []
        self.notifications: list[int] = []
        g = self.wait(lambda m: m.kind == "command" and m.command_id in (15, 16), REPLY_TIMEOUT, "the greeting")
        self.master = g.command_id == 15
        v = self.get_value("adc_capture_time")
        self.proto = "p3" if v in ("ON", "OFF") else "p2"

    def close(self) -> None:
        self.sock.close()

    def send(self, frame: bytes) -> None:
        self.sock.sendall(frame)

    def wait(self, match: Callable[[P.ControlMessage], bool], timeout: float, what: str) -> P.ControlMessage:
        deadline = time.monotonic() + timeout
        while True:
            while self.pending:
                m = self.pending.pop(0)
                if match(m):
                    return m
                if m.kind == "command":
                    self.notifications.append(m.command_id)
            left = deadline - time.monotonic()
            if left <= 0:
                raise RecorderError(f"no reply within {timeout:g} s while waiting for {what}")
            self.sock.settimeout(min(left, 0.2))
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            if not data:
                raise RecorderError("the board closed the control link")
            self.pending += self.parser.feed(data)

    def command(
        self, cmd: int, replies: tuple[int, ...], what: str, timeout: float = REPLY_TIMEOUT
    ) -> P.ControlMessage:
        self.send(P.pack_command(cmd))
        return self.wait(lambda m: m.kind == "command" and m.command_id in replies, timeout, what)

    def get_value(self, key: str) -> str:
        self.send(P.pack_command(3, key))
        m = self.wait(lambda r: r.kind == "str_str" and r.key == key.encode(), REPLY_TIMEOUT, f"value of {key}")
        return m.value.decode(errors="replace")

    def set_value(self, key: str, value: str) -> None:
        self.send(P.pack_str_str(key, value))
        m = self.wait(
            lambda r: r.kind == "command" and r.command_id in (0, 1),
            TEARDOWN_TIMEOUT if key == "block_size" else REPLY_TIMEOUT,
            f"reply to SET {key}",
        )
        if m.command_id == 1:
            raise RecorderError(f"the board rejected {key}={value}")
        # 22/35 of a block_size SET arrive before the 0: they were filed as notifications; forget them
        if key == "block_size":
            self.notifications = [c for c in self.notifications if c not in (22, 35)]


# ------------------------------------------------------------------ writers
class _Writer:
    def __init__(self, path: Path, fmt: str, nch: int, rate: float) -> None:
        self.fmt, self.nch, self.rate = fmt, nch, rate
        self.path = path
        if fmt == "wav":
            self.w = wave.open(str(path), "wb")
            self.w.setnchannels(nch)
            self.w.setsampwidth(2)
            self.w.setframerate(max(1, round(rate)))
            self.files = [str(path)]
        else:
            data = path.with_suffix(".sigmf-data") if fmt == "sigmf" else path
            self.f = open(data, "wb")  # noqa: SIM115 (closed in close())
            self.files = [str(data)]

    def write(self, frames: np.ndarray) -> None:  # (n, nch) int16
        raw = np.ascontiguousarray(frames, dtype="<i2").tobytes()
        if self.fmt == "wav":
            self.w.writeframesraw(raw)
        else:
            self.f.write(raw)

    def close(self, summary: RecordSummary) -> None:
        if self.fmt == "wav":
            self.w.close()
            return
        self.f.close()
        if self.fmt == "sigmf":
            meta = self.path.with_suffix(".sigmf-meta")
            t = _dt.datetime.fromtimestamp(summary.capture_time_ns / 1e9, tz=_dt.UTC)
            doc = {
                "global": {
                    "core:datatype": "ri16_le",
                    "core:sample_rate": summary.sample_rate,
                    "core:num_channels": self.nch,
                    "core:version": "1.0.0",
                    "core:recorder": "netstream-rp-record",
                    "core:hw": "Red Pitaya (Data Stream app, " + summary.proto.upper() + ")",
                    "core:description": "left-justified 16-bit ADC codes (full scale +-32768), channels interleaved",
                },
                "captures": [{"core:sample_start": 0, "core:datetime": t.isoformat().replace("+00:00", "Z")}],
                "annotations": [
                    {"core:sample_start": s, "core:sample_count": n, "core:comment": f"{n} lost samples (zero-filled)"}
                    for s, n in summary.lost_spans
                ],
            }
            meta.write_text(json.dumps(doc, indent=2))
            self.files.append(str(meta))


def _format_for(cfg: RecordConfig) -> str:
    if cfg.fmt:
        if cfg.fmt not in ("wav", "raw", "sigmf"):
            raise RecorderError(f"format {cfg.fmt!r}: allowed wav, raw, sigmf")
        return cfg.fmt
    suffix = Path(cfg.output).suffix.lower()
    return {".wav": "wav", ".sigmf-data": "sigmf", ".sigmf-meta": "sigmf", ".sigmf": "sigmf"}.get(suffix, "raw")


def _validate(cfg: RecordConfig) -> None:
    d = cfg.decimation
    if not (d in (1, 2, 4, 8) or 16 <= d <= 65536):
        raise RecorderError(f"decimation {d}: allowed 1, 2, 4, 8 or 16..65536")
    if (
        not cfg.channels
        or sorted(set(cfg.channels)) != list(cfg.channels)
        or not all(1 <= c <= 4 for c in cfg.channels)
    ):
        raise RecorderError(f"channels {cfg.channels}: allowed 1..4, ascending, no repeats")
    if cfg.resolution not in (8, 16):
        raise RecorderError(f"resolution {cfg.resolution}: allowed 8 or 16")
    if cfg.block_size < 128 or cfg.block_size % 128:
        raise RecorderError(f"block_size {cfg.block_size}: allowed a multiple of 128")


def _resolve_host(cfg: RecordConfig) -> tuple[str, int, int | None, str]:
    """(host, control port, model id or None, beacon proto)."""
    if cfg.host:
        host, _, port = cfg.host.rpartition(":") if ":" in cfg.host else (cfg.host, "", "")
        return host, int(port) if port else P.PORT_CONTROL, None, ""
    from . import discovery

    boards, _ = discovery.listen(P.PORT_BEACON, cfg.discovery_timeout, first_only=True)
    if not boards:
        raise RecorderError(f"no board heard on UDP {P.PORT_BEACON} within {cfg.discovery_timeout:g} s; give --host")
    b = next(iter(boards.values())).beacon
    return b.ip, P.PORT_CONTROL, b.model if b.proto == "p3" else None, b.proto


def _recv_exact_into(sock: socket.socket, buf: memoryview, deadline: float) -> None:
    got = 0
    while got < len(buf):
        sock.settimeout(max(0.05, min(1.0, deadline - time.monotonic())))
        try:
            n = sock.recv_into(buf[got:])
        except TimeoutError:
            if time.monotonic() > deadline:
                raise RecorderError("no ADC data within the timeout") from None
            continue
        if n == 0:
            raise RecorderError("the board closed the ADC data link" + (" in the middle of a pack" if got else ""))
        got += n


def record(cfg: RecordConfig, progress: bool = True) -> RecordSummary:
    """Record per ``cfg``; returns the summary. Raises RecorderError with a clear message."""
    _validate(cfg)
    fmt = _format_for(cfg)
    host, cport, model_id, _ = _resolve_host(cfg)
    ctl = ControlClient(host, cport)
    summary = RecordSummary(proto=ctl.proto)
    writer: _Writer | None = None
    data: socket.socket | None = None
    bar = None
    try:
        ctl.command(18, (19,), "ADC_SERVER_STOPPED (19)", TEARDOWN_TIMEOUT)
        ctl.set_value("adc_pass_mode", "NET")
        ctl.set_value("resolution", "BIT_8" if cfg.resolution == 8 else "BIT_16")
        ctl.set_value("adc_decimation", str(cfg.decimation))
        for k in range(1, 5):
            ctl.set_value(f"channel_state_{k}", "ON" if k in cfg.channels else "OFF")
        if ctl.proto == "p3":
            ctl.set_value("adc_capture_time", "ON")
        if int(ctl.command(5, (6,), "MEM_BLOCK_SIZE").tag or b"0") != cfg.block_size:
            ctl.set_value("block_size", str(cfg.block_size))
        ctl.set_value("adc_size", str(12 * (cfg.block_size + 128)))
        bs = int(ctl.command(5, (6,), "MEM_BLOCK_SIZE").tag or b"0")
        if bs != cfg.block_size:
            raise RecorderError(f"the board reports block_size {bs}, requested {cfg.block_size}")
        want = sum(1 << (c - 1) for c in cfg.channels)
        if ctl.proto == "p3":
            mask = int(ctl.command(7, (8,), "ACTIVE_CHANNELS").tag or b"0")
            if mask != want:
                raise RecorderError(f"the board enables channel mask {mask:#x}, requested {want:#x}")
        reply = ctl.command(17, (20, 21, 25, 26), "the reply to ADC_SERVER_START")
        if reply.command_id != 25:
            raise RecorderError(f"ADC start failed: board replied {reply.command_id} ({P.Cmd(reply.command_id).name})")
        try:
            data = socket.create_connection((host, cfg.data_port), timeout=REPLY_TIMEOUT)
        except OSError as e:
            ctl.command(18, (19,), "ADC_SERVER_STOPPED (19)", TEARDOWN_TIMEOUT)
            raise RecorderError(f"ADC data port {host}:{cfg.data_port} failed after the board started (25): {e}") from e
        data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        ctl.command(27, (28,), "ADC_FPGA_START_ADC_DONE (28)")

        layout = P.PackLayout(cfg.block_size, [c - 1 for c in cfg.channels], cfg.resolution)
        spp = layout.samples_per_pack
        buf = bytearray(layout.pack_size)
        mv = memoryview(buf)
        model = P.MODELS.get(model_id) if model_id is not None else None
        target = cfg.samples
        pending_lost = 0
        expected_id = 0
        t0 = time.monotonic()
        while True:
            _recv_exact_into(data, mv, time.monotonic() + 10.0)
            hdrs = []
            for i, ch in enumerate(layout.channels):
                h = P.AdcSegmentHeader.unpack(bytes(mv[i * layout.segment_size : i * layout.segment_size + 128]))
                if (
                    h.magic != P.ADC_ID_PACK
                    or h.buffer_size != layout.segment_size
                    or h.channel != ch
                    or h.bits != cfg.resolution
                    or (hdrs and h.pack_id != hdrs[0].pack_id)
                ):
                    raise RecorderError(f"bad ADC pack (segment {i}: {h}); the stream is out of step")
                hdrs.append(h)
            h0 = hdrs[0]
            if writer is None:
                base = model.adc_base_rate if model else _base_from_header(h0.base_rate, h0.base_bits, cfg.decimation)
                summary.sample_rate = base / cfg.decimation
                summary.capture_time_ns = h0.time_capture if h0.time_capture > 0 else time.time_ns()
                if not target:
                    target = max(1, round(cfg.duration * summary.sample_rate))
                writer = _Writer(Path(cfg.output), fmt, len(cfg.channels), summary.sample_rate)
                bar = _progress_bar(target, summary.sample_rate) if progress else None
            lost = pending_lost
            if h0.pack_id != expected_id:
                summary.packid_gaps += 1
                lost += max(0, h0.pack_id - expected_id) * spp
            expected_id = h0.pack_id + 1
            pending_lost = h0.lost_fpga
            if lost:
                n = min(lost, target - summary.samples)
                if n > 0:
                    summary.lost_spans.append((summary.samples, n))
                    writer.write(np.zeros((n, len(cfg.channels)), dtype=np.int16))
                    summary.samples += n
                summary.lost += lost
            summary.packs += 1
            take = min(spp, target - summary.samples)
            if take > 0:
                frames = np.empty((take, len(cfg.channels)), dtype=np.int16)
                for i in range(len(cfg.channels)):
                    off = i * layout.segment_size + 128
                    if cfg.resolution == 16:
                        frames[:, i] = np.frombuffer(buf, dtype="<i2", count=take, offset=off)
                    else:
                        frames[:, i] = np.frombuffer(buf, dtype="i1", count=take, offset=off).astype(np.int16) << 8
                writer.write(frames)
                summary.samples += take
            if bar is not None:
                bar.update(take + (n if lost else 0), summary.lost)
            if summary.samples >= target:
                break
        summary.seconds = time.monotonic() - t0
    finally:
        if bar is not None:
            bar.close()
        _stop(ctl, data)
        if writer is not None:
            writer.close(summary)
            summary.files = writer.files
    return summary


def _base_from_header(rate: int, bits: int, decimation: int) -> float:
    approx = rate * decimation
    for m in P.MODELS.values():
        if m.adc_bits == bits and m.adc_base_rate - decimation - 1 < approx <= m.adc_base_rate:
            return float(m.adc_base_rate)
    return float(approx)


def _stop(ctl: ControlClient, data: socket.socket | None) -> None:
    """18, read the data link to EOF (dropping the stale last pack), wait for 19; bounded."""
    try:
        ctl.send(P.pack_command(18))
        deadline = time.monotonic() + 3.0
        if data is not None:
            while time.monotonic() < deadline:
                data.settimeout(0.2)
                try:
                    if not data.recv(1 << 16):
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
        ctl.wait(lambda m: m.kind == "command" and m.command_id == 19, max(0.1, deadline - time.monotonic()), "19")
    except (RecorderError, OSError):
        pass
    finally:
        if data is not None:
            data.close()
        ctl.close()


class _SimpleBar:
    def __init__(self, total: int, rate: float) -> None:
        self.total, self.done, self.t0, self.last = total, 0, time.monotonic(), 0.0

    def update(self, n: int, lost: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last > 0.5:
            self.last = now
            r = self.done / max(1e-9, now - self.t0)
            print(f"\r{self.done}/{self.total} samples  {r / 1e6:.3f} MS/s  lost {lost}", end="", file=sys.stderr)

    def close(self) -> None:
        print(file=sys.stderr)


class _TqdmBar:
    def __init__(self, total: int, rate: float) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="S", unit_scale=True, desc="recording", file=sys.stderr)

    def update(self, n: int, lost: int) -> None:
        self.bar.set_postfix(lost=lost, refresh=False)
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


def _progress_bar(total: int, rate: float):
    try:
        return _TqdmBar(total, rate)
    except ImportError:
        return _SimpleBar(total, rate)


def format_summary(s: RecordSummary) -> str:
    return (
        f"recorded {s.samples} samples/channel at {s.sample_rate:.6g} S/s ({s.proto.upper()}) in {s.seconds:.3f} s "
        f"({s.rate_achieved / 1e6:.3f} MS/s achieved); packs {s.packs}, lost {s.lost} samples/channel "
        f"in {len(s.lost_spans)} gap(s), packId gaps {s.packid_gaps}; files: {', '.join(s.files)}"
    )


def build_arg_parser():
    import argparse

    ap = argparse.ArgumentParser(prog="netstream-rp-record", description="Record Red Pitaya ADC channels to a file.")
    ap.add_argument("--host", default="", help="board address or host:control_port; default: discovery (UDP 18902)")
    ap.add_argument("--data-port", type=int, default=P.PORT_ADC, help="ADC data port (default 18900)")
    ap.add_argument("-d", "--decimation", type=int, default=64)
    ap.add_argument("-c", "--channels", default="1", help="comma-separated inputs, e.g. 1,2 (default 1)")
    ap.add_argument("-r", "--resolution", type=int, choices=(8, 16), default=16)
    ap.add_argument("--block-size", type=int, default=65536)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("-t", "--duration", type=float, default=1.0, help="seconds to record (default 1)")
    g.add_argument("-n", "--samples", type=int, default=0, help="samples per channel to record")
    ap.add_argument("-o", "--output", default="capture.wav", help="output file (.wav, .sigmf-data, else raw)")
    ap.add_argument("-f", "--format", choices=("wav", "raw", "sigmf"), default="", help="override the suffix rule")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    try:
        cfg = RecordConfig(
            host=args.host,
            data_port=args.data_port,
            decimation=args.decimation,
            channels=[int(c) for c in args.channels.split(",") if c.strip()],
            resolution=args.resolution,
            block_size=args.block_size,
            samples=args.samples,
            duration=args.duration,
            output=args.output,
            fmt=args.format,
        )
        s = record(cfg, progress=not args.no_progress)
    except (RecorderError, OSError, ValueError) as e:
        print(f"netstream-rp-record: {e}", file=sys.stderr)
        return 1
    print(json.dumps(s.as_dict()) if args.json else format_summary(s))
    return 0
