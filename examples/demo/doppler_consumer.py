#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Demo consumer: the real doppler-dsp 0.27.0 Subscriber reading our PUB sink.

    doppler_consumer.py ENDPOINT SECONDS OUT.npy

Counts frames, samples and sequence gaps for SECONDS, keeps the first 2^17 samples in
OUT.npy (complex64: I = IN1, Q = IN2), and prints one JSON line with the figures.
"""

import json
import os
import sys
import time

import doppler.stream as ds
import numpy as np


def main() -> None:
    endpoint, seconds, out_path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    sub = ds.Subscriber(endpoint)
    frames = samples = gaps = missing = 0
    first_seq = last_seq = None
    keep: list[np.ndarray] = []
    kept = 0
    rate = 0.0
    t_first = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            x, h = sub.recv(timeout_ms=500)
        except TimeoutError:
            continue
        if t_first is None:
            t_first = time.monotonic()
        if last_seq is not None and h["sequence"] != last_seq + 1:
            gaps += 1
            missing += max(0, h["sequence"] - last_seq - 1)
        first_seq = h["sequence"] if first_seq is None else first_seq
        last_seq = h["sequence"]
        frames += 1
        samples += len(x)
        rate = h["sample_rate"]
        if kept < 1 << 17:
            keep.append(np.array(x, dtype=np.complex64))
            kept += len(x)
    elapsed = time.monotonic() - t_first if t_first else 0.0
    if keep:
        np.save(out_path, np.concatenate(keep)[: 1 << 17])
    print(json.dumps({"frames": frames, "samples": samples, "gaps": gaps, "frames_missing": missing,
                      "first_sequence": first_seq, "last_sequence": last_seq, "sample_rate": rate,
                      "seconds": elapsed, "msps": samples / elapsed / 1e6 if elapsed else 0.0}))  # fmt: skip
    sys.stdout.flush()
    os._exit(0)  # doppler sockets linger forever: never wait at exit


if __name__ == "__main__":
    main()
