# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run pytia 0.1.0's TiA server in its own process, patched for Python 3 (spec §8).

Two halves:

* **Launcher** (any Python, no pytia needed): :class:`PytiaServerProcess` starts this
  file as a script under an interpreter that has ``pytia==0.1.0`` installed, waits for
  its ready file (port number) with a deadline, and kills it on exit. The child also
  exits by itself after ``lifetime`` seconds, so it can never outlive a test run.
* **Script** (run under the pytia interpreter): loads pytia with the one-line fix
  ``self.clients.has_key(id)`` -> ``id in self.clients`` applied in memory (the
  installed file is not modified), starts ``TiAServer(('127.0.0.1', 0), ...)`` with the
  requested signals, writes the port to the ready file atomically, and serves.

Signals are given as JSON: ``[{"flag": 1, "channels": 2, "blocksize": 4,
"rate": 100.0, "master": true}, ...]``. ``rate`` is pytia's *poll* rate, i.e.
packets/s (spec §8). Each callback returns ``channels*blocksize`` floats,
channel-major, following ``tia_raw_client.sample_value`` with a running sample index
per signal, so the raw client can check values ("encoded" mode).

pytia puts the master signal first in the payload; make the master the signal with
the lowest flag or its packets are out of flag order (spec §0 item 3).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import Any, Self

PYTIA_PATCH_OLD = "self.clients.has_key(id)"
PYTIA_PATCH_NEW = "id in self.clients"


def load_patched_pytia() -> types.ModuleType:
    """Import pytia 0.1.0 with the Python 3 fix applied in memory; fail loudly if the
    expected line is missing (another pytia version)."""
    spec = importlib.util.find_spec("pytia")
    if spec is None or spec.origin is None:
        raise ImportError("pytia is not installed in this interpreter (pip install pytia==0.1.0)")
    source = Path(spec.origin).read_text(encoding="utf-8")
    if source.count(PYTIA_PATCH_OLD) != 1:
        raise ImportError(f"{spec.origin}: expected exactly one {PYTIA_PATCH_OLD!r}; is this pytia 0.1.0?")
    module = types.ModuleType("pytia")
    module.__file__ = spec.origin
    sys.modules["pytia"] = module
    patched = compile(source.replace(PYTIA_PATCH_OLD, PYTIA_PATCH_NEW), spec.origin, "exec")
    exec(patched, module.__dict__)  # noqa: S102 - pytia's own source, patched by one line
    return module


def sample_value(flag: int, channel: int, sample_index: int) -> float:
    # Same convention as tia_raw_client.sample_value (kept here so this script runs
    # standalone under the pytia interpreter).
    return float((flag.bit_length() - 1) * 100000 + channel * 1000 + sample_index % 1000)


def serve(signals: list[dict[str, Any]], host: str, ready_file: Path, lifetime: float) -> None:
    pytia = load_patched_pytia()
    counters = [0] * len(signals)

    def make_callback(index: int, flag: int, channels: int, blocksize: int):
        def callback(_id: int) -> list[float]:
            base = counters[index]
            counters[index] += blocksize
            return [sample_value(flag, ch, base + s) for ch in range(channels) for s in range(blocksize)]

        return callback

    configs = [
        pytia.TiASignalConfig(
            channels=sig["channels"],
            sample_rate=sig["rate"],
            blocksize=sig["blocksize"],
            callback=make_callback(i, sig["flag"], sig["channels"], sig["blocksize"]),
            id=i,
            is_master=bool(sig.get("master", False)),
            sigtype=sig["flag"],
        )
        for i, sig in enumerate(signals)
    ]
    server = pytia.TiAServer((host, 0), pytia.TiAConnectionHandler)
    server.start(configs)
    port = server.server_address[1]
    tmp = ready_file.with_suffix(".tmp")
    tmp.write_text(str(port), encoding="ascii")
    os.replace(tmp, ready_file)
    print(f"READY {port}", flush=True)
    # Serve until the lifetime ends (hard bound) or stdin closes (parent gone).
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(lifetime)
    server.shutdown()


class PytiaServerProcess:
    """Context manager: pytia's server in a subprocess; ``.port`` once ready."""

    def __init__(
        self,
        python: str,
        signals: list[dict[str, Any]],
        *,
        host: str = "127.0.0.1",
        lifetime: float = 60.0,
        ready_timeout: float = 15.0,
    ) -> None:
        self.python = python
        self.signals = signals
        self.host = host
        self.lifetime = lifetime
        self.ready_timeout = ready_timeout
        self.port: int | None = None
        self._tmpdir = tempfile.TemporaryDirectory(prefix="pytia-server-")
        self._proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(self._tmpdir.name) / "server.log"

    def __enter__(self) -> Self:
        ready = Path(self._tmpdir.name) / "ready"
        log = open(self.log_path, "wb")
        self._proc = subprocess.Popen(
            [
                self.python,
                __file__,
                "--host",
                self.host,
                "--ready-file",
                str(ready),
                "--lifetime",
                str(self.lifetime),
                "--signals",
                json.dumps(self.signals),
            ],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + self.ready_timeout
        while not ready.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                log = self.log()
                self.__exit__(None, None, None)
                raise RuntimeError("pytia server did not become ready:\n" + log)
            time.sleep(0.02)  # polling a condition with a deadline, not a fixed wait
        self.port = int(ready.read_text(encoding="ascii"))
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()  # asks the child to stop
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._tmpdir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--lifetime", type=float, default=60.0)
    parser.add_argument("--signals", required=True, help="JSON list of signal dicts")
    args = parser.parse_args()
    serve(json.loads(args.signals), args.host, args.ready_file, args.lifetime)


if __name__ == "__main__":
    main()
