# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Listen for Red Pitaya discovery beacons (spec section 2) and list the boards heard."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from . import protocol as P

#: a board is forgotten when no beacon refreshed it for this long (reference client)
EXPIRY_SECONDS = 10.0


@dataclass
class Board:
    beacon: P.Beacon
    source: str  # address the datagram came from (boards are keyed by the IP in the payload)
    last_seen: float
    count: int = 1


def listen(
    port: int = P.PORT_BEACON, timeout: float = 2.0, bind: str = "0.0.0.0", first_only: bool = False
) -> tuple[dict[str, Board], int]:
    """Collect beacons for ``timeout`` seconds. Returns (boards keyed by payload IP, malformed count)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.bind((bind, port))
    boards: dict[str, Board] = {}
    malformed = 0
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data, addr = sock.recvfrom(1024)
            except TimeoutError:
                break
            b = P.parse_beacon(data)
            if b is None:
                malformed += 1
                continue
            now = time.monotonic()
            if b.ip in boards:
                boards[b.ip].beacon = b
                boards[b.ip].last_seen = now
                boards[b.ip].count += 1
            else:
                boards[b.ip] = Board(b, addr[0], now)
            if first_only:
                break
    finally:
        sock.close()
    return boards, malformed


def format_table(boards: dict[str, Board]) -> str:
    rows = [("IP", "ROLE", "PROTOCOL", "MODEL", "MAC", "BEACONS")]
    for ip in sorted(boards):
        b = boards[ip].beacon
        role = {"M": "master", "S": "slave"}.get(b.role, b.role)
        model = f"{b.model_name} ({b.model})"
        rows.append(
            (
                ip,
                role,
                "P3 (OS >= 3.00)" if b.proto == "p3" else "P2 (OS 2.07)",
                model,
                b.mac or "-",
                str(boards[ip].count),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
