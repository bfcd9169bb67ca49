# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drive the real pytia 0.1.0 ``TiAClient`` against a TiA server; print JSON results.

Run under an interpreter with ``pytia==0.1.0``; the recipe is spec §8 item 3:
``connect()``, ``cmd_check_protocol_version()``, ``cmd_get_data_connection_tcp()``,
``start_streaming_data_tcp()`` (Start, then the data connect), ``get_data()`` until
``--packets`` packets, ``stop_streaming_data()``, ``disconnect()``.
The process bounds itself with SIGALRM (``--timeout``).

Output (one JSON object on stdout): ``check``, ``data_ok``, ``data_port``, ``start``,
``stop``, ``packets`` (list of {id, number, timestamp, channels, blocksizes, signals}).

:func:`run_pytia_client` is the launcher for tests (any Python).
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def run_pytia_client(python: str, host: str, port: int, packets: int, timeout: float = 20.0) -> dict[str, Any]:
    """Launch this script under ``python`` and return its parsed JSON result."""
    proc = subprocess.run(
        [
            python,
            str(Path(__file__).resolve()),
            host,
            str(port),
            "--packets",
            str(packets),
            "--timeout",
            str(timeout),
        ],
        capture_output=True,
        timeout=timeout + 10,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"pytia client failed ({proc.returncode}):\n"
            f"{proc.stdout.decode(errors='replace')}\n"
            f"{proc.stderr.decode(errors='replace')}"
        )
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--packets", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    signal.alarm(int(args.timeout) + 1)  # hard bound on this whole process

    import pytia

    client = pytia.TiAClient(args.host, args.port)
    result: dict[str, Any] = {"packets": []}
    if not client.connect():
        raise SystemExit("connect failed")
    client.ctrl_socket.settimeout(args.timeout)
    result["check"] = client.cmd_check_protocol_version()
    result["data_ok"], result["data_port"] = client.cmd_get_data_connection_tcp()
    result["start"] = client.start_streaming_data_tcp(args.host, result["data_port"])
    client.data_socket.settimeout(args.timeout)
    deadline = time.monotonic() + args.timeout
    while len(result["packets"]) < args.packets and time.monotonic() < deadline:
        for p in client.get_data():
            result["packets"].append(
                {
                    "id": p.packet_id,
                    "number": p.packet_number,
                    "timestamp": p.timestamp,
                    "channels": list(p.channels),
                    "blocksizes": list(p.blocksizes),
                    "signals": [list(s) for s in p.signals],
                }
            )
    result["packets"] = result["packets"][: args.packets]
    result["stop"] = client.stop_streaming_data()
    client.disconnect()
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
