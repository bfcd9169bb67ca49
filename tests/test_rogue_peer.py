# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Proves the fake Rogue peer (tests/peers/fake_rogue.py) against the spec.

Everything here is checked with raw pyzmq sockets and a decoder written in this file
from specs/rogue-stream-bridge.md section 2 (independent of the fake peer's own code),
plus the golden messages in tests/fixtures/rogue/.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zmq
from netstream_testing import wait_until as _wait_until

try:  # tests/ on sys.path (pytest's default rootdir-relative import)
    from peers.fake_rogue import FakeRogue, RogueFrame
except ImportError:  # run from elsewhere: import the helper by its directory
    sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
    from fake_rogue import FakeRogue, RogueFrame

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "rogue"
FAKE_ROGUE = HERE / "peers" / "fake_rogue.py"

TIMEOUT = 10.0  # seconds; upper bound for every wait in this file


# ---------------------------------------------------------------------- helpers
def wait_until(cond, timeout=TIMEOUT, what="condition"):
    return _wait_until(cond, timeout, what)


@dataclass(frozen=True)
class Decoded:
    flags: int
    chan: int
    err: int
    payload: bytes


def spec_decode(parts: list[bytes]) -> Decoded:
    """Spec section 2.2/2.3: exactly 4 parts, sizes 2/1/1/N>=1, flags u16 little-endian."""
    assert len(parts) == 4, f"a Rogue frame has 4 parts, got {len(parts)}"
    flags, chan, err, payload = parts
    assert (len(flags), len(chan), len(err)) == (2, 1, 1)
    assert len(payload) >= 1
    return Decoded(flags[0] | (flags[1] << 8), chan[0], err[0], bytes(payload))


@dataclass(frozen=True)
class Golden:
    name: str
    flags: int
    chan: int
    err: int
    fuser: int
    luser: int
    payload_size: int
    parts: list[bytes]

    @property
    def frame(self) -> RogueFrame:
        return RogueFrame(self.flags, self.chan, self.err, self.parts[3])


def load_golden(name: str) -> Golden:
    fields: dict[str, str] = {}
    parts: list[bytes] = []
    for line in (FIXTURES / f"{name}.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        key, value = line.split(maxsplit=1)
        if key == "part":
            parts.append(bytes.fromhex(value))
        else:
            fields[key] = value
    assert fields["name"] == name and len(parts) == 4
    return Golden(
        name=name,
        flags=int(fields["flags"], 0),
        chan=int(fields["chan"], 0),
        err=int(fields["err"], 0),
        fuser=int(fields["fuser"], 0),
        luser=int(fields["luser"], 0),
        payload_size=int(fields["payload_size"]),
        parts=parts,
    )


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def raw_socket(ctx: zmq.Context, kind: int) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, int(TIMEOUT * 1000))
    sock.setsockopt(zmq.SNDTIMEO, int(TIMEOUT * 1000))
    return sock


def bind_ephemeral(sock: zmq.Socket) -> int:
    sock.bind("tcp://127.0.0.1:*")
    return int(sock.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])


@pytest.fixture
def server() -> Iterator[FakeRogue]:
    with FakeRogue("server", "127.0.0.1", 0) as peer:
        yield peer


# ---------------------------------------------------------------------- fixtures vs. spec table
def test_golden_fixtures_hold_the_spec_table() -> None:
    """The fixture files say what spec section 2.6 says (checked against literals here)."""
    expected = {
        "G1": ("b2a1", "c3", "5d", None),
        "G2": ("0201", "00", "00", b"abcd"),
        "G3": ("0100", "01", "00", b"early"),
        "G4": ("3412", "07", "80", b"hello-rogue"),
        "G5": ("ff00", "02", "01", b"from-client"),
        "G6": ("00ff", "05", "00", b"to-client"),
    }
    for name, (flags_hex, chan_hex, err_hex, payload) in expected.items():
        g = load_golden(name)
        assert [p.hex() for p in g.parts[:3]] == [flags_hex, chan_hex, err_hex], name
        if payload is not None:
            assert g.parts[3] == payload, name
        decoded = spec_decode(g.parts)
        assert (decoded.flags, decoded.chan, decoded.err) == (g.flags, g.chan, g.err), name
        assert (decoded.flags & 0xFF, decoded.flags >> 8) == (g.fuser, g.luser), name
        assert len(decoded.payload) == g.payload_size, name
    assert load_golden("G1").payload_size == 1027
    assert load_golden("G4").fuser == 0x34 and load_golden("G4").luser == 0x12


# ---------------------------------------------------------------------- two fake peers
def test_server_and_client_exchange_frames_both_ways() -> None:
    with (
        FakeRogue("server", "127.0.0.1", 0) as server,
        FakeRogue("client", "127.0.0.1", server.base_port) as client,
    ):
        assert (server.pull_port, server.push_port) == (server.base_port, server.base_port + 1)
        assert (client.push_port, client.pull_port) == (server.base_port, server.base_port + 1)
        to_server = [
            RogueFrame(0x1234, 7, 0x80, b"hello-rogue"),
            RogueFrame(0x00FF, 2, 1, b"x" * 70000),
        ]
        to_client = [RogueFrame(0xFF00, 5, 0, b"to-client"), RogueFrame(1, 1, 0, b"early")]
        for frame in to_server:
            client.send(frame, timeout=TIMEOUT)
        for frame in to_client:
            server.send(frame, timeout=TIMEOUT)
        assert server.wait_for_frames(2, TIMEOUT) == to_server
        assert client.wait_for_frames(2, TIMEOUT) == to_client
        assert server.received[0].first_user == 0x34 and server.received[0].last_user == 0x12
        assert not server.drops and not client.drops


# ------------------------------------------------------------ golden messages, fake -> raw
@pytest.mark.parametrize("name", ["G1", "G2", "G3"])
def test_fake_server_sends_golden_bytes(ctx: zmq.Context, server: FakeRogue, name: str) -> None:
    g = load_golden(name)
    pull = raw_socket(ctx, zmq.PULL)
    pull.connect(f"tcp://127.0.0.1:{server.base_port + 1}")  # a client's PULL: P+1
    server.send(g.frame, timeout=TIMEOUT)
    parts = pull.recv_multipart()
    assert parts == g.parts
    decoded = spec_decode(parts)
    assert (decoded.flags, decoded.chan, decoded.err) == (g.flags, g.chan, g.err)
    assert (decoded.flags & 0xFF, decoded.flags >> 8) == (g.fuser, g.luser)
    assert len(decoded.payload) == g.payload_size


def test_fake_client_sends_golden_g5_to_raw_server(ctx: zmq.Context) -> None:
    g = load_golden("G5")
    pull = raw_socket(ctx, zmq.PULL)
    base = bind_ephemeral(pull)  # a server's PULL is bound on P
    with FakeRogue("client", "127.0.0.1", base) as client:
        client.send(g.frame, timeout=TIMEOUT)
        parts = pull.recv_multipart()
    assert parts == g.parts
    assert spec_decode(parts) == Decoded(0x00FF, 2, 1, b"from-client")


# ------------------------------------------------------------ golden messages, raw -> fake
def test_fake_server_decodes_golden_g4(ctx: zmq.Context, server: FakeRogue) -> None:
    push = raw_socket(ctx, zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{server.base_port}")  # a client's PUSH: P
    push.send_multipart(load_golden("G4").parts)
    (frame,) = server.wait_for_frames(1, TIMEOUT)
    assert frame == RogueFrame(0x1234, 7, 0x80, b"hello-rogue")
    assert (frame.first_user, frame.last_user, len(frame.payload)) == (0x34, 0x12, 11)


def test_fake_client_decodes_golden_g6(ctx: zmq.Context) -> None:
    push = raw_socket(ctx, zmq.PUSH)
    base = bind_ephemeral(push) - 1  # a server's PUSH is bound on P+1
    if base < 1:
        pytest.skip("OS gave port 1")
    with FakeRogue("client", "127.0.0.1", base) as client:
        push.send_multipart(load_golden("G6").parts)
        (frame,) = client.wait_for_frames(1, TIMEOUT)
    assert frame == RogueFrame(0xFF00, 5, 0, b"to-client")


# ---------------------------------------------------------------------- Rogue's quirks
def test_g7_malformed_messages_are_dropped(ctx: zmq.Context, server: FakeRogue) -> None:
    push = raw_socket(ctx, zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{server.base_port}")
    push.send(b"stock single-part gr-zeromq message")
    push.send_multipart([b"\x34\x12", b"\x07", b"\x80"])
    push.send_multipart([b"\x34\x12", b"\x07", b"\x80", b"a", b"b"])
    push.send_multipart([b"\x34\x12\x00", b"\x07", b"\x80", b"three-byte flags"])
    push.send_multipart([b"\x01\x00", b"\x09", b"\x00", b"valid"])
    frames = server.wait_for_frames(1, TIMEOUT)
    assert frames == [RogueFrame(1, 9, 0, b"valid")]
    assert server.drops == {"wrong_part_count": 3, "bad_header_size": 1}


def test_g8_empty_payload_loses_the_next_frame_too(ctx: zmq.Context, server: FakeRogue) -> None:
    push = raw_socket(ctx, zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{server.base_port}")
    for chan, payload in ((2, b""), (3, b"three"), (4, b"four")):
        push.send_multipart([b"\x00\x00", bytes([chan]), b"\x00", payload])
    frames = server.wait_for_frames(1, TIMEOUT)
    assert [f.chan for f in frames] == [4]
    assert server.drops == {"empty_payload": 1, "swallowed_after_empty": 1}


def test_refuses_to_send_an_empty_payload(server: FakeRogue) -> None:
    with pytest.raises(ValueError, match="empty payload"):
        server.send(RogueFrame(0, 2, 0, b""), timeout=TIMEOUT)
    assert server.sent == 0


def test_send_blocks_without_a_peer(server: FakeRogue) -> None:
    """ZMQ_IMMEDIATE: nothing is queued while no peer is connected."""
    with pytest.raises(TimeoutError):
        server.send(RogueFrame(1, 1, 0, b"nobody"), timeout=0.2)
    assert server.sent == 0


def test_g3_frame_sent_before_the_peer_connected_arrives_once_it_does(ctx: zmq.Context, server: FakeRogue) -> None:
    g = load_golden("G3")
    done = threading.Event()
    errors: list[BaseException] = []

    def send() -> None:
        try:
            server.send(g.frame, timeout=TIMEOUT)
        except (TimeoutError, ValueError, RuntimeError, zmq.ZMQError) as error:
            errors.append(error)
        finally:
            done.set()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    assert not done.wait(0.3), "send returned although no peer was connected"
    pull = raw_socket(ctx, zmq.PULL)
    pull.connect(f"tcp://127.0.0.1:{server.base_port + 1}")
    assert pull.recv_multipart() == g.parts
    assert done.wait(TIMEOUT) and not errors
    sender.join(TIMEOUT)


def test_several_peers_share_the_stream_round_robin(ctx: zmq.Context, server: FakeRogue) -> None:
    pulls = [raw_socket(ctx, zmq.PULL) for _ in range(2)]
    for pull in pulls:
        pull.connect(f"tcp://127.0.0.1:{server.base_port + 1}")
    poller = zmq.Poller()
    for pull in pulls:
        poller.register(pull, zmq.POLLIN)
    got: list[list[int]] = [[], []]

    def drain() -> None:
        for index, pull in enumerate(pulls):
            while pull.poll(0):
                got[index].append(int(spec_decode(pull.recv_multipart()).payload))

    # Warm up until both peers are attached to the PUSH socket.
    seq = 0
    deadline = time.monotonic() + TIMEOUT
    while not (got[0] and got[1]):
        assert time.monotonic() < deadline, "second peer never got a frame"
        server.send(RogueFrame(0, 0, 0, str(seq).encode()), timeout=TIMEOUT)
        seq += 1
        poller.poll(100)
        drain()
    warm = [len(g) for g in got]
    first = seq
    for _ in range(6):
        server.send(RogueFrame(0, 0, 0, str(seq).encode()), timeout=TIMEOUT)
        seq += 1

    def new_frames() -> int:
        drain()
        return sum(len(g) for g in got) - sum(warm)

    wait_until(lambda: new_frames() >= 6, what="6 frames after warm-up")
    new = [g[w:] for g, w in zip(got, warm, strict=True)]
    assert sorted(new[0] + new[1]) == list(range(first, first + 6))
    assert len(new[0]) == len(new[1]) == 3, f"not round-robin: {new}"
    assert {n % 2 for n in new[0]} != {n % 2 for n in new[1]}, f"not alternating: {new}"


def test_client_started_before_the_server_reconnects() -> None:
    # Find a free consecutive pair, release it, then start the client first.
    with FakeRogue("server", "127.0.0.1", 0) as probe:
        base = probe.base_port
    with FakeRogue("client", "127.0.0.1", base) as client:
        sent = threading.Event()

        def send() -> None:
            client.send(RogueFrame(0x00FF, 2, 1, b"from-client"), TIMEOUT)
            sent.set()

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        with FakeRogue("server", "127.0.0.1", base) as server:
            (frame,) = server.wait_for_frames(1, TIMEOUT)
            assert frame == RogueFrame(0x00FF, 2, 1, b"from-client")
            assert sent.wait(TIMEOUT)
        sender.join(TIMEOUT)


def test_rejects_bad_construction_arguments() -> None:
    with pytest.raises(ValueError, match="role"):
        FakeRogue("bridge", "127.0.0.1", 9000)
    with pytest.raises(ValueError, match="port"):
        FakeRogue("client", "127.0.0.1", 0)
    with pytest.raises(ValueError, match="port"):
        FakeRogue("server", "127.0.0.1", 65535)
    with pytest.raises(ValueError, match="flags"):
        RogueFrame(0x10000, 0, 0, b"x")


# ---------------------------------------------------------------------- command line
def run_cli(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(FAKE_ROGUE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_ready(path: Path, proc: subprocess.Popen[str]) -> dict[str, int]:
    wait_until(lambda: path.exists() or proc.poll() is not None, what="ready file")
    assert path.exists(), f"peer exited early: {proc.communicate(timeout=TIMEOUT)}"
    return json.loads(path.read_text())


def test_cli_server_sends_and_records(ctx: zmq.Context, tmp_path: Path) -> None:
    ready_file, record = tmp_path / "ready.json", tmp_path / "rx.jsonl"
    proc = run_cli(
        [
            "--role",
            "server",
            "--port",
            "0",
            "--ready-file",
            str(ready_file),
            "--record",
            str(record),
            "--send-golden",
            str(FIXTURES / "G2.txt"),
            "--send",
            "0x0001:1:0:" + b"early".hex(),
            "--expect",
            "1",
            "--duration",
            str(TIMEOUT),
        ]
    )
    try:
        ready = read_ready(ready_file, proc)
        assert ready["role"] == "server" and ready["push_port"] == ready["base_port"] + 1
        assert ready["pull_port"] == ready["base_port"]
        pull = raw_socket(ctx, zmq.PULL)
        pull.connect(f"tcp://127.0.0.1:{ready['push_port']}")
        assert pull.recv_multipart() == load_golden("G2").parts
        assert pull.recv_multipart() == load_golden("G3").parts
        push = raw_socket(ctx, zmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{ready['pull_port']}")
        push.send_multipart(load_golden("G4").parts)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)
    assert proc.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == {"received": 1, "sent": 2, "drops": {}}
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    assert rows == [{"flags": 0x1234, "chan": 7, "err": 0x80, "payload_hex": b"hello-rogue".hex()}]


def test_cli_client_talks_to_fake_server(server: FakeRogue, tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    proc = run_cli(
        [
            "--role",
            "client",
            "--port",
            str(server.base_port),
            "--ready-file",
            str(ready_file),
            "--send",
            "0x00ff:2:1:" + b"from-client".hex(),
            "--send-raw",
            "3412,07,80",
            "--expect",
            "1",
            "--duration",
            str(TIMEOUT),
        ]
    )
    try:
        ready = read_ready(ready_file, proc)
        assert (ready["push_port"], ready["pull_port"]) == (server.base_port, server.base_port + 1)
        server.send(load_golden("G6").frame, timeout=TIMEOUT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)
    assert proc.returncode == 0, err
    assert server.wait_for_frames(1, TIMEOUT) == [RogueFrame(0x00FF, 2, 1, b"from-client")]
    server.wait_for_drops("wrong_part_count", 1, TIMEOUT)
    assert json.loads(out.strip().splitlines()[-1])["received"] == 1


def test_cli_reports_unmet_expectation(tmp_path: Path) -> None:
    proc = run_cli(["--role", "server", "--port", "0", "--expect", "1", "--duration", "0.5"])
    out, _ = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 2
    assert json.loads(out.strip().splitlines()[-1])["received"] == 0


def test_cli_runs_until_terminated(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    proc = run_cli(["--role", "server", "--port", "0", "--ready-file", str(ready_file)])
    try:
        read_ready(ready_file, proc)
        assert proc.poll() is None, "peer without --expect must keep running"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)
    assert proc.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == {"received": 0, "sent": 0, "drops": {}}
