# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real doppler-dsp 0.27.0 objects as test peers, run in a subprocess.

    python doppler_peer.py ROLE ENDPOINT TYPE N_FRAMES FRAME_SIZE [options as JSON]

Roles (doppler's own bind/connect rules apply):
  subscriber  connect, recv N frames, report headers + samples
  pull        connect, recv N frames, report
  publisher   bind, send frames k = 0, 1, ... (sample i of frame k = k*FRAME_SIZE + i, as I and -I)
              until N frames were sent *after* the first ``--stop-file`` poll shows the file, or time out
  push        bind, send N frames (same content)
  replier     bind, answer N requests with frames k = 0..N-1, report the request headers
  requester   connect, send N requests (frame k), report the replies
  echo_replier bind, answer N requests with 2 * request samples (for the REQ transceiver)

The report is one JSON line on stdout: {"frames": [{"hdr": {...}, "re": [...], "im": [...]}, ...], ...}.
The process always ends with os._exit so doppler's infinite linger cannot hang it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import doppler.stream as ds
import numpy as np

TYPES = {"ci32": 0, "cf64": 1, "ci8": 3, "ci16": 4, "cf32": 5}
DTYPES = {0: np.int32, 1: np.complex128, 3: np.int8, 4: np.int16, 5: np.complex64}


def make_frame(code: int, k: int, n: int) -> np.ndarray:
    """Frame k: sample i = (k*n + i) - j*(k*n + i), wrapped to fit CI8."""
    v = np.arange(k * n, (k + 1) * n, dtype=np.int64)
    if code == 3:
        v = ((v + 100) % 200) - 100
    if code in (0, 3, 4):
        flat = np.empty(2 * n, dtype=DTYPES[code])
        flat[0::2] = v
        flat[1::2] = -v
        return flat
    return (v - 1j * v).astype(DTYPES[code])


def to_complex(code: int, arr: np.ndarray) -> np.ndarray:
    if code in (0, 3, 4):
        return arr[0::2].astype(np.float64) + 1j * arr[1::2].astype(np.float64)
    return arr.astype(np.complex128)


def report(samples: np.ndarray, hdr: dict, code: int | None = None) -> dict:
    c = to_complex(hdr["sample_type"] if code is None else code, samples)
    return {"hdr": hdr, "dtype": str(samples.dtype), "re": c.real.tolist(), "im": c.imag.tolist()}


def close_bounded(sock, timeout: float = 10.0) -> None:
    """close() waits until queued frames are delivered (doppler's LINGER is infinite):
    bound that wait, so a peer that stopped reading cannot hang this process."""
    t = threading.Thread(target=sock.close, daemon=True)
    t.start()
    t.join(timeout)


def main() -> None:
    role, ep, tname, n_frames, frame_size = sys.argv[1:6]
    opts = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    code = TYPES[tname]
    n_frames, frame_size = int(n_frames), int(frame_size)
    fs, fc = opts.get("fs", 1.0e6), opts.get("fc", 2.4e9)
    timeout_ms = int(opts.get("timeout_ms", 5000))
    out: dict = {"frames": []}

    if role in ("subscriber", "pull"):
        sock = ds.Subscriber(ep) if role == "subscriber" else ds.Pull(ep)
        for _ in range(n_frames):
            s, h = sock.recv(timeout_ms=timeout_ms)
            out["frames"].append(report(s, h))
    elif role == "publisher":
        pub = ds.Publisher(ep, code)
        stop_file = opts["stop_file"]
        deadline = time.monotonic() + opts.get("max_seconds", 20)
        period = opts.get("period", 0.002)  # a publisher paced like a real source
        next_send = time.monotonic()
        k = 0
        while time.monotonic() < deadline and not os.path.exists(stop_file):
            pub.send(make_frame(code, k, frame_size), sample_rate=fs, center_freq=fc)
            k += 1
            next_send += period
            time.sleep(max(0.0, next_send - time.monotonic()))  # pacing to the next send deadline
        out["sent"] = k
    elif role == "push":
        push = ds.Push(ep, code)
        for k in range(n_frames):
            push.send(make_frame(code, k, frame_size), sample_rate=fs, center_freq=fc)
        out["sent"] = n_frames
        close_bounded(push)  # returns once the last frames have left
    elif role in ("replier", "echo_replier"):
        rep = ds.Replier(ep, code)
        out["requests"] = []
        for k in range(n_frames):
            s, h = rep.recv(timeout_ms=timeout_ms)
            out["requests"].append(
                {
                    "hdr": h,
                    "n": int(len(s)),
                    "sum": [
                        float(np.sum(to_complex(h["sample_type"], s)).real),
                        float(np.sum(to_complex(h["sample_type"], s)).imag),
                    ],
                }
            )
            if role == "replier":
                rep.send(make_frame(code, k, frame_size), sample_rate=fs, center_freq=fc)
            else:
                rep.send(np.ascontiguousarray(2 * s), sample_rate=h["sample_rate"], center_freq=h["center_freq"])
        close_bounded(rep)
    elif role == "requester":
        rq = ds.Requester(ep, code)
        for k in range(n_frames):
            rq.send(make_frame(code, k, 4), sample_rate=fs, center_freq=fc)
            s, h = rq.recv(timeout_ms=timeout_ms)
            out["frames"].append(report(s, h))
    else:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
