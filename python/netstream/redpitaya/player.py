# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""netstream-rp-play: play a WAV or raw binary file on a Red Pitaya's DAC (vendor client's DAC mode).

Built on :class:`.client.DACStreamClient`; no GNU Radio needed. Exit status: 0 played,
2 missing or broken file / bad arguments, 3 the board refused or the link failed.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import protocol as P
from .client import DACCallback, DACStreamClient, read_wav


class _Progress(DACCallback):
    def __init__(self, total_packs: int | None, quiet: bool) -> None:
        self.bar = None
        self.result = "stopped"
        self.errors: list[int] = []
        if not quiet:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total_packs, unit="pack", desc="DAC", file=sys.stderr)
            except ImportError:
                self.bar = None

    def sentPack(self, client, ch1_size, ch2_size):  # noqa: N802
        if self.bar is not None:
            self.bar.update(1)

    def error(self, client, host, code):
        self.errors.append(code)

    def _end(self, name):
        self.result = name
        if self.bar is not None:
            self.bar.close()

    def stopped(self, client, host):
        self._end("stopped")

    def stoppedFileEnd(self, client, host):  # noqa: N802
        self._end("stoppedFileEnd")

    def stoppedFileBroken(self, client, host):  # noqa: N802
        self._end("stoppedFileBroken")

    def stoppedEmpty(self, client, host):  # noqa: N802
        self._end("stoppedEmpty")

    def stoppedMissingFile(self, client, host):  # noqa: N802
        self._end("stoppedMissingFile")

    def stoppedMemError(self, client, host):  # noqa: N802
        self._end("stoppedMemError")


def read_raw(path: str, bits: int, channels: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Raw binary: little-endian int16 (or int8), interleaved when ``channels`` is 2."""
    with open(path, "rb") as f:
        raw = f.read()
    dtype = np.dtype("<i2") if bits == 16 else np.dtype(np.int8)
    if len(raw) % (dtype.itemsize * channels):
        raise ValueError(f"{path}: {len(raw)} bytes is not a whole number of {channels}-channel {bits}-bit frames")
    x = np.frombuffer(raw, dtype=dtype).astype(np.int16 if bits == 16 else np.int8).reshape(-1, channels)
    return np.ascontiguousarray(x[:, 0]), (np.ascontiguousarray(x[:, 1]) if channels == 2 else None)


def build_arg_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="netstream-rp-play", description=__doc__.splitlines()[0])
    ap.add_argument("host", help="board address, or address:control_port (emulator)")
    ap.add_argument("file", help="WAV (PCM 8/16-bit, mono -> OUT1, stereo -> OUT1+OUT2) or raw binary")
    ap.add_argument("--format", choices=("wav", "bin"), help="default: from the file name (.wav) else bin")
    ap.add_argument("--bits", type=int, choices=(8, 16), default=16, help="raw binary sample width")
    ap.add_argument("--channels", type=int, choices=(1, 2), default=1, help="raw binary channels (interleaved)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--repeat", type=int, default=1, help="number of plays (default 1)")
    g.add_argument("--inf", action="store_true", help="repeat until Ctrl-C")
    ap.add_argument("--rate", type=int, help="set dac_rate (S/s) before playing")
    ap.add_argument("--block-size", type=int, help="set block_size (bytes) before playing")
    ap.add_argument("--dac-port", type=int, default=P.PORT_DAC, help="DAC data port (default 18903)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    fmt = args.format or ("wav" if args.file.lower().endswith(".wav") else "bin")
    if args.repeat < 1:
        print("netstream-rp-play: --repeat must be >= 1", file=sys.stderr)
        return 2
    try:
        if fmt == "wav":
            (ch1, ch2), bits = read_wav(args.file)
        else:
            ch1, ch2 = read_raw(args.file, args.bits, args.channels)
            bits = args.bits
    except FileNotFoundError:
        print(f"netstream-rp-play: stoppedMissingFile: {args.file} does not exist", file=sys.stderr)
        return 2
    except (ValueError, OSError) as e:
        print(f"netstream-rp-play: stoppedFileBroken: {e}", file=sys.stderr)
        return 2
    if len(ch1) == 0:
        print(f"netstream-rp-play: stoppedEmpty: {args.file} holds no samples", file=sys.stderr)
        return 2
    client = DACStreamClient(dac_port=args.dac_port)
    if not client.connect(args.host):
        print(f"netstream-rp-play: cannot connect to {args.host}", file=sys.stderr)
        return 3
    if args.rate is not None and not client.sendConfig("dac_rate", str(args.rate)):
        print(f"netstream-rp-play: the board refused dac_rate={args.rate}", file=sys.stderr)
        return 3
    if args.block_size is not None and not client.sendConfig("block_size", str(args.block_size)):
        print(f"netstream-rp-play: the board refused block_size={args.block_size}", file=sys.stderr)
        return 3
    bs = int(client.getConfig("block_size"))
    nbytes = len(ch1) * (bits // 8)
    packs = None if args.inf else max(1, -(-nbytes // bs)) * (1 if nbytes <= bs else args.repeat)
    cb = _Progress(packs, args.quiet)
    client.setReceiveDataCallback(cb)
    client.setRepeatInf(args.inf)
    client.setRepeatCount(args.repeat)
    if not client.startStreamingArrays(ch1, ch2, bits):
        print("netstream-rp-play: the board refused the DAC start", file=sys.stderr)
        return 3
    try:
        while not client.wait(0.5):
            pass
    except KeyboardInterrupt:
        client.stopStreaming()
    if cb.errors:
        print(f"netstream-rp-play: link error(s) {cb.errors}", file=sys.stderr)
        return 3
    print(f"netstream-rp-play: {cb.result}, {client.packs_sent} pack(s) sent", file=sys.stderr)
    return 0
