#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fake SLAC Rogue stream TCP bridge peer (``TcpServer`` / ``TcpClient``) for tests.

Written from ``specs/rogue-stream-bridge.md`` section 2 alone (no Rogue code). It
behaves like Rogue v6.15.0's ``rogue.interfaces.stream.TcpCore``, quirks included:

* One frame = one ZMQ message of exactly 4 parts: flags (u16 little-endian), channel
  (u8), error (u8), payload (N >= 1 bytes).
* Ports: a server binds PULL on ``P`` and PUSH on ``P+1``; a client connects PUSH to
  ``P`` and PULL to ``P+1``. IPv4 only (``ZMQ_IPV6`` is never set).
* Socket options: PUSH ``IMMEDIATE=1``, ``LINGER=0``; PULL ``LINGER=0``,
  ``RCVTIMEO=100`` ms; high-water marks left at the libzmq default (1000).
* Own ZMQ context and one receive thread; received frames are delivered from that
  thread (``on_frame`` callback) and recorded.
* Receive rules: a message with a part count other than 4 is dropped silently; a
  4-part message with a wrong header size is dropped with a logged warning; an empty
  payload part is taken as "nothing received" and **the next message is swallowed
  too**, so both frames are lost (golden case G8). The spec does not say whether a
  long pause between the two changes this; the fake always swallows the next message.
* Send rules: with no peer connected, ``send`` blocks (nothing is queued) until a peer
  connects; here it gives up after ``timeout`` seconds with ``TimeoutError``, since
  every wait in the tests needs a bound. Several PULL peers on one PUSH get the frames
  round-robin (libzmq does this). An empty payload is refused with ``ValueError``
  (real Rogue crashes before sending one). If a multipart send fails after its first
  part, the PUSH socket is rebuilt and the frame dropped.

Use it as a class::

    with FakeRogue("server", "127.0.0.1", 0) as rogue:
        ...  # rogue.base_port, rogue.send(RogueFrame(...)), rogue.wait_for_frames(1)

or as a subprocess (see ``--help``)::

    python3 tests/peers/fake_rogue.py --role server --port 0 --ready-file F \\
        --record R.jsonl --send 0x0102:0:0:61626364 --expect 1 --duration 20

The ready file is JSON written atomically once the sockets are bound/connected:
``{"role", "address", "base_port", "pull_port", "push_port", "pid"}``. The record file
gets one JSON object per received frame: ``{"flags", "chan", "err", "payload_hex"}``.
On exit a JSON summary ``{"received", "sent", "drops"}`` is printed to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import zmq

LOG = logging.getLogger("fake_rogue")

ROLES = ("server", "client")
PART_COUNT = 4
HEADER_SIZES = (2, 1, 1)  # flags, channel, error
RCVTIMEO_MS = 100  # Rogue's PULL timeout, so its thread notices a stop
MAX_BASE_PORT = 65534
BIND_ATTEMPTS = 50  # tries to find a free consecutive pair when binding port 0


@dataclass(frozen=True)
class RogueFrame:
    """One Rogue stream frame as carried by the TCP bridge."""

    flags: int = 0
    chan: int = 0
    err: int = 0
    payload: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.flags <= 0xFFFF:
            raise ValueError(f"flags must be a u16, got {self.flags!r}")
        if not 0 <= self.chan <= 0xFF:
            raise ValueError(f"chan must be a u8, got {self.chan!r}")
        if not 0 <= self.err <= 0xFF:
            raise ValueError(f"err must be a u8, got {self.err!r}")
        object.__setattr__(self, "payload", bytes(self.payload))

    @property
    def first_user(self) -> int:
        """Bits 7..0 of the flags (Rogue ``getFirstUser``)."""
        return self.flags & 0xFF

    @property
    def last_user(self) -> int:
        """Bits 15..8 of the flags (Rogue ``getLastUser``)."""
        return (self.flags >> 8) & 0xFF

    def to_json(self) -> dict[str, object]:
        return {
            "flags": self.flags,
            "chan": self.chan,
            "err": self.err,
            "payload_hex": self.payload.hex(),
        }


def encode_frame(frame: RogueFrame) -> list[bytes]:
    """The 4 wire parts of ``frame`` (Rogue memcpy's a u16: little-endian in practice)."""
    return [
        frame.flags.to_bytes(2, "little"),
        bytes([frame.chan]),
        bytes([frame.err]),
        frame.payload,
    ]


class FakeRogue:
    """A Rogue ``TcpServer`` (role ``"server"``) or ``TcpClient`` (role ``"client"``).

    ``address`` is the interface to bind (server: IPv4 literal or ``*``) or the host to
    connect to (client). ``port`` is the base port ``P``; a server may pass 0 to get a
    free consecutive pair ``P``/``P+1`` chosen for it.
    """

    def __init__(
        self,
        role: str,
        address: str,
        port: int,
        *,
        on_frame: Callable[[RogueFrame], None] | None = None,
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        lowest = 0 if role == "server" else 1
        if not lowest <= port <= MAX_BASE_PORT:
            raise ValueError(f"port must be {lowest}..{MAX_BASE_PORT} for a {role}, got {port}")
        self.role = role
        self.address = address
        self.base_port = port
        self._on_frame = on_frame
        self._ctx: zmq.Context | None = None
        self._pull: zmq.Socket | None = None
        self._push: zmq.Socket | None = None
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._received: list[RogueFrame] = []
        self._received_cond = threading.Condition()
        self._swallow_next = False
        self.drops: Counter[str] = Counter()
        self.sent = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        """Creates the context and both sockets, then starts the receive thread."""
        self._ctx = zmq.Context()
        try:
            if self.role == "server":
                self._bind_pair()
            else:
                self._pull = self._make_pull()
                self._pull.connect(f"tcp://{self.address}:{self.base_port + 1}")
                self._push = self._make_push()
                self._push.connect(self._push_endpoint())
        except BaseException:
            self._close_sockets()
            raise
        self._thread = threading.Thread(target=self._receive_loop, name="fake-rogue-rx", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stops the receive thread (it notices within RCVTIMEO) and closes everything."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError("fake Rogue receive thread did not stop in time")
            self._thread = None
        self._close_sockets()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def pull_port(self) -> int:
        """Port of our PULL socket: ``P`` for a server, ``P+1`` for a client."""
        return self.base_port if self.role == "server" else self.base_port + 1

    @property
    def push_port(self) -> int:
        """Port of our PUSH socket: ``P+1`` for a server, ``P`` for a client."""
        return self.base_port + 1 if self.role == "server" else self.base_port

    # ------------------------------------------------------------------ sending
    def send(self, frame: RogueFrame, timeout: float = 10.0) -> None:
        """Sends one frame; blocks while no peer is connected, like Rogue.

        Raises ``ValueError`` for an empty payload (Rogue crashes on one) and
        ``TimeoutError`` if no peer took the frame within ``timeout`` seconds.
        """
        if not frame.payload:
            raise ValueError("Rogue never sends an empty payload (it crashes first, spec 1.2)")
        self.send_raw(encode_frame(frame), timeout)

    def send_raw(self, parts: Sequence[bytes], timeout: float = 10.0) -> None:
        """Sends ``parts`` as one multipart message, unchecked (to test receivers)."""
        if self._push is None:
            raise RuntimeError("fake Rogue is not started")
        with self._send_lock:
            push = self._push
            push.setsockopt(zmq.SNDTIMEO, max(0, int(timeout * 1000)))
            for index, part in enumerate(parts):
                more = zmq.SNDMORE if index + 1 < len(parts) else 0
                try:
                    push.send(bytes(part), more)
                except zmq.Again:
                    if index == 0:
                        raise TimeoutError(f"no peer took the frame within {timeout} s (Rogue blocks here)") from None
                    # Rogue rebuilds its PUSH socket and drops the frame.
                    self.drops["send_failed_partway"] += 1
                    self._rebuild_push()
                    return
            self.sent += 1

    # ------------------------------------------------------------------ receiving
    @property
    def received(self) -> list[RogueFrame]:
        """A copy of the frames received so far, in order."""
        with self._received_cond:
            return list(self._received)

    def wait_for_frames(self, count: int, timeout: float = 10.0) -> list[RogueFrame]:
        """Waits until at least ``count`` frames arrived; returns them all.

        Raises ``TimeoutError`` with what did arrive if the deadline passes.
        """
        with self._received_cond:
            if not self._received_cond.wait_for(lambda: len(self._received) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} frames within {timeout} s, got {len(self._received)}; drops {dict(self.drops)}"
                )
            return list(self._received)

    def wait_for_drops(self, reason: str, count: int, timeout: float = 10.0) -> None:
        """Waits until ``drops[reason] >= count``."""
        with self._received_cond:
            if not self._received_cond.wait_for(lambda: self.drops[reason] >= count, timeout):
                raise TimeoutError(f"expected {count} drops of {reason!r} within {timeout} s; drops {dict(self.drops)}")

    def _receive_loop(self) -> None:
        assert self._pull is not None
        while not self._stop.is_set():
            try:
                parts = self._pull.recv_multipart()
            except zmq.Again:
                continue  # RCVTIMEO: look at the stop flag again
            except zmq.ContextTerminated:
                return
            frame = self._accept(parts)
            if frame is not None and self._on_frame is not None:
                self._on_frame(frame)

    def _accept(self, parts: list[bytes]) -> RogueFrame | None:
        """Applies Rogue's receive rules; returns the frame or None if dropped."""
        with self._received_cond:
            try:
                if self._swallow_next:
                    # The previous empty data part left Rogue mid-attempt: this message
                    # is taken into that attempt and lost with it.
                    self._swallow_next = False
                    self.drops["swallowed_after_empty"] += 1
                    return None
                if len(parts) != PART_COUNT:
                    self.drops["wrong_part_count"] += 1  # silently, like Rogue
                    return None
                sizes = tuple(len(p) for p in parts[:3])
                if sizes != HEADER_SIZES:
                    LOG.warning("dropping frame with header part sizes %s (expected 2/1/1)", sizes)
                    self.drops["bad_header_size"] += 1
                    return None
                if not parts[3]:
                    self.drops["empty_payload"] += 1
                    self._swallow_next = True
                    return None
                frame = RogueFrame(
                    flags=int.from_bytes(parts[0], "little"),
                    chan=parts[1][0],
                    err=parts[2][0],
                    payload=parts[3],
                )
                self._received.append(frame)
                return frame
            finally:
                self._received_cond.notify_all()

    # ------------------------------------------------------------------ sockets
    def _make_push(self) -> zmq.Socket:
        assert self._ctx is not None
        push = self._ctx.socket(zmq.PUSH)
        push.setsockopt(zmq.IMMEDIATE, 1)
        push.setsockopt(zmq.LINGER, 0)
        return push

    def _make_pull(self) -> zmq.Socket:
        assert self._ctx is not None
        pull = self._ctx.socket(zmq.PULL)
        pull.setsockopt(zmq.LINGER, 0)
        pull.setsockopt(zmq.RCVTIMEO, RCVTIMEO_MS)
        return pull

    def _push_endpoint(self) -> str:
        return f"tcp://{self.address}:{self.push_port}"

    def _bind_pair(self) -> None:
        """Binds PULL on P and PUSH on P+1; with port 0 finds a free consecutive pair."""
        attempts = BIND_ATTEMPTS if self.base_port == 0 else 1
        last_error: Exception | None = None
        for _ in range(attempts):
            pull = self._make_pull()
            push = self._make_push()
            try:
                if self.base_port == 0:
                    pull.bind(f"tcp://{self.address}:*")  # OS-chosen ephemeral port
                    endpoint = pull.getsockopt(zmq.LAST_ENDPOINT).decode()
                    port = int(endpoint.rsplit(":", 1)[1])
                    if port > MAX_BASE_PORT:
                        raise zmq.ZMQError(zmq.EADDRINUSE, "no room for P+1")
                else:
                    port = self.base_port
                    pull.bind(f"tcp://{self.address}:{port}")
                push.bind(f"tcp://{self.address}:{port + 1}")
            except zmq.ZMQError as error:
                last_error = error
                pull.close(0)
                push.close(0)
                continue
            self.base_port = port
            self._pull, self._push = pull, push
            return
        raise OSError(f"could not bind a consecutive port pair on {self.address}: {last_error}")

    def _rebuild_push(self) -> None:
        assert self._push is not None
        self._push.close(0)
        self._push = self._make_push()
        if self.role == "server":
            self._push.bind(self._push_endpoint())
        else:
            self._push.connect(self._push_endpoint())

    def _close_sockets(self) -> None:
        with self._send_lock:
            for sock in (self._pull, self._push):
                if sock is not None:
                    sock.close(0)
            self._pull = self._push = None
        if self._ctx is not None:
            self._ctx.term()
            self._ctx = None


# ---------------------------------------------------------------------- fixtures
def load_golden_parts(path: str | Path) -> list[bytes]:
    """The four ``part`` lines of a golden fixture file (tests/fixtures/rogue/README.md)."""
    parts = []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "part":
            parts.append(bytes.fromhex(fields[1]))
    if len(parts) != PART_COUNT:
        raise ValueError(f"{path}: expected {PART_COUNT} part lines, found {len(parts)}")
    return parts


# ---------------------------------------------------------------------- command line
def _parse_frame_spec(text: str) -> tuple[str, object]:
    """``FLAGS:CHAN:ERR:PAYLOADHEX`` (numbers in any Python int base) -> a send action."""
    try:
        flags, chan, err, payload_hex = text.split(":")
        frame = RogueFrame(int(flags, 0), int(chan, 0), int(err, 0), bytes.fromhex(payload_hex))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bad frame {text!r}: {error}") from None
    if not frame.payload:
        raise argparse.ArgumentTypeError("Rogue never sends an empty payload; use --send-raw")
    return ("frame", frame)


def _parse_raw_spec(text: str) -> tuple[str, object]:
    """Comma-separated hex parts, e.g. ``3412,07,80,`` (an empty part is allowed)."""
    try:
        return ("raw", [bytes.fromhex(p) for p in text.split(",")])
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"bad raw parts {text!r}: {error}") from None


def _parse_golden_spec(text: str) -> tuple[str, object]:
    try:
        return ("raw", load_golden_parts(text))
    except (OSError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _write_atomically(path: str, text: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as out:
        out.write(text)
    os.replace(tmp, path)


def build_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Fake SLAC Rogue stream TCP bridge peer (TcpServer/TcpClient) for tests.",
    )
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="server: interface to bind; client: host to connect to (default 127.0.0.1)",
    )
    parser.add_argument("--port", type=int, required=True, help="base port P (server: 0 = pick a free P/P+1 pair)")
    parser.add_argument("--ready-file", help="JSON with the real ports, written once ready")
    parser.add_argument("--record", help="append received frames here as JSON lines")
    sends = parser.add_argument_group("sending (in command-line order, after ready)")
    sends.add_argument(
        "--send",
        dest="actions",
        action="append",
        type=_parse_frame_spec,
        default=[],
        metavar="FLAGS:CHAN:ERR:HEX",
        help="send one frame, e.g. 0x0102:0:0:61626364",
    )
    sends.add_argument(
        "--send-golden",
        dest="actions",
        action="append",
        type=_parse_golden_spec,
        metavar="FILE",
        help="send the parts of a golden fixture file",
    )
    sends.add_argument(
        "--send-raw",
        dest="actions",
        action="append",
        type=_parse_raw_spec,
        metavar="HEX,HEX,...",
        help="send raw parts unchecked (malformed input for receivers)",
    )
    parser.add_argument("--send-timeout", type=float, default=10.0, help="seconds a send may block (default 10)")
    parser.add_argument("--expect", type=int, default=0, help="exit once this many frames arrived")
    parser.add_argument("--duration", type=float, default=30.0, help="hard lifetime limit in seconds (default 30)")
    return parser


def _run_actions(peer: FakeRogue, args: argparse.Namespace, deadline: float) -> int:
    """Writes the ready file, then sends in command-line order; 3 on a send timeout."""
    if args.ready_file:
        ready = {
            "role": peer.role,
            "address": peer.address,
            "base_port": peer.base_port,
            "pull_port": peer.pull_port,
            "push_port": peer.push_port,
            "pid": os.getpid(),
        }
        _write_atomically(args.ready_file, json.dumps(ready))
    for kind, item in args.actions:
        budget = min(args.send_timeout, max(0.0, deadline - time.monotonic()))
        try:
            if kind == "frame":
                peer.send(item, budget)
            else:
                peer.send_raw(item, budget)
        except TimeoutError as error:
            print(f"fake_rogue: {error}", file=sys.stderr)
            return 3
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the peer; exit 0 on success, 2 when --expect was not met, 3 on a send timeout."""
    args = build_arg_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="fake_rogue: %(message)s")
    deadline = time.monotonic() + args.duration
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    got_enough = threading.Event()
    received = 0
    with contextlib.ExitStack() as cleanup:
        record = cleanup.enter_context(open(args.record, "a")) if args.record else None

        def on_frame(frame: RogueFrame) -> None:
            nonlocal received
            received += 1
            if record is not None:
                record.write(json.dumps(frame.to_json()) + "\n")
                record.flush()
            if args.expect and received >= args.expect:
                got_enough.set()

        peer = FakeRogue(args.role, args.address, args.port, on_frame=on_frame)
        peer.start()
        cleanup.callback(peer.stop)  # runs before the record file closes
        status = _run_actions(peer, args, deadline)
        # Run until --expect is met, a signal arrives or --duration is up.
        while status == 0 and not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or got_enough.wait(min(0.1, remaining)):
                break
        if status == 0 and args.expect and not got_enough.is_set():
            status = 2
    summary = {"received": received, "sent": peer.sent, "drops": dict(peer.drops)}
    print(json.dumps(summary), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
