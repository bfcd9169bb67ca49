# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the tests: condition waits, bounded flowgraph runs, subprocess peers.

Rules these helpers enforce: no fixed sleeps for readiness (poll a condition
with a deadline), and a hung flowgraph or peer fails the test instead of CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent


def wait_until(cond: Callable[[], Any], timeout: float = 10.0, what: str = "condition", interval: float = 0.005) -> Any:
    """Poll ``cond`` until it returns a truthy value; raise AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)  # poll interval of the condition wait


def stop_bounded(tb, timeout: float = 10.0) -> float:
    """Stop and wait for a top block; fail if that takes longer than ``timeout`` s.

    Returns the time stop()+wait() took.
    """
    done = threading.Event()
    t0 = time.monotonic()

    def _stop():
        tb.stop()
        tb.wait()
        done.set()

    th = threading.Thread(target=_stop, daemon=True)
    th.start()
    if not done.wait(timeout):
        raise AssertionError(f"flowgraph did not stop within {timeout} s")
    return time.monotonic() - t0


@contextmanager
def running(tb, stop_timeout: float = 10.0):
    """``with running(tb):`` starts the flowgraph and always stops it (bounded)."""
    tb.start()
    try:
        yield tb
    finally:
        stop_bounded(tb, stop_timeout)


def venv_python() -> str:
    """The interpreter that has the Python-only peers (doppler-dsp, pytia)."""
    return os.environ.get("NETSTREAM_PEER_PYTHON", sys.executable)


def run_peer(code: str, args: list[str] | None = None, timeout: float = 30.0) -> dict:
    """Run a Python peer script in a subprocess with a hard timeout.

    The script prints one JSON object on its last stdout line; that object is returned.
    """
    proc = subprocess.run(
        [venv_python(), "-c", code, *(args or [])],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"peer failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Peer:
    """A peer subprocess running in the background; ``result()`` waits (bounded) for its JSON."""

    def __init__(self, code: str, args: list[str] | None = None):
        self.proc = subprocess.Popen(
            [venv_python(), "-c", code, *(args or [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self, timeout: float = 30.0) -> dict:
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"peer timed out:\n{out}\n{err}") from None
        if self.proc.returncode != 0:
            raise AssertionError(f"peer failed ({self.proc.returncode}):\n{out}\n{err}")
        return json.loads(out.strip().splitlines()[-1])

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def status_collector():
    """A message debug block plus a function returning the status dicts it stored (as Python dicts)."""
    import pmt
    from gnuradio import blocks

    dbg = blocks.message_debug()

    def messages() -> list[dict]:
        return [pmt.to_python(dbg.get_message(i)) for i in range(dbg.num_messages())]

    return dbg, messages


def free_tcp_port() -> int:
    """A currently free loopback TCP port, for peers that cannot bind port 0 and report it
    (doppler's sockets bind exactly the endpoint they are given)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptPeer(Peer):
    """Run a peer script file from tests/peers with arguments (see Peer)."""

    def __init__(self, script: str, args: list[str]):
        self.proc = subprocess.Popen(
            [venv_python(), str(Path(__file__).resolve().parent / "peers" / script), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def stop_with_a_lent_frame_held(tb, sink, ctx, endpoint: str, timeout: float = 10.0) -> None:
    """Run ``tb`` with a PULL peer on ``endpoint`` that never reads, until ``sink`` waits
    on a frame it lent to ZeroMQ (counter ``lent_wait_timeouts``); then stop it and check
    that stop() was bounded and the held frame was dropped and counted."""
    import zmq

    stalled = ctx.socket(zmq.PULL)
    stalled.setsockopt(zmq.LINGER, 0)
    stalled.setsockopt(zmq.RCVHWM, 1)
    stalled.setsockopt(zmq.RCVBUF, 64 * 1024)
    stalled.connect(endpoint)
    tb.start()
    try:
        wait_until(lambda: sink.counter("lent_wait_timeouts") >= 1, 30, "the sink waiting on a stalled peer")
    finally:
        took = stop_bounded(tb, timeout)
        stalled.close()
    assert took < timeout
    assert sink.counter("lent_dropped_at_stop") == 1
    assert sink.counter("drops") >= 1
