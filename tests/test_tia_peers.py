# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prove the TiA test peers before the blocks exist.

* The raw spec client passes against a small spec-following Python server, over TCP
  (data connection before and after Start) and UDP, and checks the exact reply bytes.
* It fails, with the right complaint, on each injected protocol fault.
* The real pytia 0.1.0 client and the raw client decode the same values from the same
  server.
* The raw client talks to the real (patched) pytia server, and catches pytia's known
  signal-order bug (spec §0 item 3).

pytia runs under the interpreter named by NETSTREAM_PYTIA_PYTHON, or the current one
if it can import pytia; otherwise those tests skip (fail with NETSTREAM_REQUIRE_PYTIA=1).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest
from peers.pytia_client_run import run_pytia_client
from peers.pytia_server_patched import PytiaServerProcess
from peers.tia_fake_server import FakeSignal, FakeTiAServer, build_packet, meta_info_xml
from peers.tia_raw_client import (
    ControlClient,
    PacketChecker,
    decode_packet,
    parse_meta_info,
    run_session,
    sample_value,
)

HOST = "127.0.0.1"
EEG, USER1 = 0x1, 0x10000

SIGNALS = [
    FakeSignal(USER1, channels=1, block_size=2, sampling_rate=128, labels=["trigger"]),
    FakeSignal(EEG, channels=3, block_size=4, sampling_rate=256, labels=["C3", "Cz", 'C4 "&<>']),
]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pytia_python() -> str:
    candidate = os.environ.get("NETSTREAM_PYTIA_PYTHON")
    if candidate:
        probe = subprocess.run(
            [candidate, "-c", "import pytia"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if probe.returncode != 0:
            pytest.fail(f"NETSTREAM_PYTIA_PYTHON={candidate} cannot import pytia")
        return candidate
    if importlib.util.find_spec("pytia") is not None:
        return sys.executable
    message = "pytia==0.1.0 not installed (set NETSTREAM_PYTIA_PYTHON)"
    if os.environ.get("NETSTREAM_REQUIRE_PYTIA") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture()
def fake_server():
    with FakeTiAServer(SIGNALS) as server:
        yield server


# ---------------------------------------------------------------- raw client vs spec server


@pytest.mark.parametrize("connect_data", ["before_start", "after_start"])
def test_raw_client_full_session_tcp(fake_server: FakeTiAServer, connect_data: str) -> None:
    result = run_session(HOST, fake_server.port, packets=50, connect_data=connect_data, values="absolute")
    assert result.problems == []
    assert result.replies["check"].raw == b"TiA 1.0\nOK\n\n"
    assert result.replies["data"].raw == f"TiA 1.0\nDataConnectionPort:{result.data_port}\n\n".encode()
    assert result.replies["start"].raw == b"TiA 1.0\nOK\n\n"
    assert result.replies["stop"].raw == b"TiA 1.0\nOK\n\n"
    meta_raw = result.replies["meta"].raw
    body = meta_info_xml(SIGNALS, fake_server.master)
    assert meta_raw == f"TiA 1.0\nMetaInfo\nContent-Length:{len(body)}\n\n".encode() + body
    assert result.meta is not None
    assert [s.type_name for s in result.meta.signals] == ["eeg", "user1"]
    assert result.meta.signal(EEG).labels == ["C3", "Cz", 'C4 "&<>']
    assert result.meta.subject["firstName"] == "Test & Co"
    assert len(result.packets) == 50
    assert [p.packet_id for p in result.packets] == list(range(50))
    first = result.packets[0]
    assert first.size == len(first.raw) == 33 + 4 * 2 + 4 * (3 * 4 + 1 * 2)
    assert first.signal_flags == [EEG, USER1]
    assert first.channel(0, 2) == [sample_value(EEG, 2, s) for s in range(4)]


def test_raw_client_udp(fake_server: FakeTiAServer) -> None:
    result = run_session(
        HOST,
        fake_server.port,
        transport="udp",
        packets=20,
        connect_data="before_start",
        values="absolute",
    )
    assert result.problems == []
    assert result.data_port == fake_server.udp_port
    assert all(len(p.raw) == p.size for p in result.packets)


def test_pipelined_requests_get_framed_replies(fake_server: FakeTiAServer) -> None:
    ctrl = ControlClient(HOST, fake_server.port)
    try:
        ctrl.send_raw(b"TiA 1.0\nCheckProtocolVersion\n\nTiA 1.0\nGetMetaInfo\n\nTiA 1.0\nFooBar\n\n")
        assert ctrl.read_reply().raw == b"TiA 1.0\nOK\n\n"
        meta = ctrl.read_reply()
        assert meta.name == "MetaInfo" and meta.content_length == len(meta.body)
        assert ctrl.read_reply().raw == b"TiA 1.0\nError\n\n"
    finally:
        ctrl.close()


# ---------------------------------------------------------------- the checks can fail


@pytest.mark.parametrize(
    ("fault", "complaint"),
    [
        ("interleaved", "channel-major"),
        ("master_first", "header"),
        ("id_gap", "id gap"),
        ("reply_space", "DataConnectionPort: "),
        ("stream_before_start", "before Start"),
        ("bad_size", "size"),
    ],
)
def test_raw_client_detects_fault(fault: str, complaint: str) -> None:
    with FakeTiAServer(SIGNALS, faults=frozenset({fault})) as server:
        result = run_session(HOST, server.port, packets=10, connect_data="before_start", timeout=5.0)
    assert result.problems, f"fault {fault} went unnoticed"
    assert any(complaint in p for p in result.problems), result.problems


def test_checker_rejects_wrong_values_directly() -> None:
    meta = parse_meta_info(meta_info_xml(SIGNALS, SIGNALS[1]))
    raw = bytearray(build_packet(SIGNALS, 0, 0, 0, 0))
    packet, problems = decode_packet(bytes(raw))
    assert packet is not None and problems == []
    checker = PacketChecker(meta, values="absolute")
    checker.check(packet)
    assert checker.problems == []
    raw[-1] ^= 0x40  # flip a bit of the last float
    packet, _ = decode_packet(bytes(raw))
    checker = PacketChecker(meta, values="absolute")
    checker.check(packet)
    assert checker.problems and "value" in checker.problems[0]


# ---------------------------------------------------------------- real pytia


def test_pytia_client_and_raw_client_agree(pytia_python: str, fake_server: FakeTiAServer) -> None:
    count = 60
    theirs = run_pytia_client(pytia_python, HOST, fake_server.port, count)
    ours = run_session(
        HOST,
        fake_server.port,
        packets=count,
        connect_data="after_start",
        values="absolute",
    )
    assert ours.problems == []
    assert theirs["check"] is True
    assert theirs["data_ok"] is True and theirs["start"] is True and theirs["stop"] is True
    assert len(theirs["packets"]) == count
    for mine, pytias in zip(ours.packets, theirs["packets"]):
        assert pytias["id"] == mine.packet_id
        assert pytias["number"] == mine.connection_number
        assert pytias["timestamp"] == mine.timestamp
        assert pytias["channels"] == mine.channels
        assert pytias["blocksizes"] == mine.block_sizes
        assert pytias["signals"] == mine.samples


def _pytia_signals(master_flag: int) -> list[dict[str, Any]]:
    return [
        {
            "flag": EEG,
            "channels": 3,
            "blocksize": 4,
            "rate": 200.0,
            "master": master_flag == EEG,
        },
        {
            "flag": USER1,
            "channels": 1,
            "blocksize": 4,
            "rate": 200.0,
            "master": master_flag == USER1,
        },
    ]


def test_raw_client_against_real_pytia_server(pytia_python: str) -> None:
    with PytiaServerProcess(pytia_python, _pytia_signals(master_flag=EEG)) as server:
        assert server.port is not None
        result = run_session(
            HOST,
            server.port,
            packets=30,
            connect_data="after_start",
            values="encoded",
            strict_replies=True,
            stop=True,
        )
        log = server.log()
    assert result.problems == [], log
    assert result.meta is not None
    # pytia's spellings are accepted through the alias table
    assert [s.type_name for s in result.meta.signals] == ["eeg", "user_1"]
    assert result.meta.master_sampling_rate == 200
    assert all(p.signal_flags == [EEG, USER1] for p in result.packets)


def test_raw_client_catches_pytia_signal_order_bug(pytia_python: str) -> None:
    """With user1 as master pytia writes user1's data first: spec §0 item 3."""
    with PytiaServerProcess(pytia_python, _pytia_signals(master_flag=USER1)) as server:
        assert server.port is not None
        result = run_session(
            HOST,
            server.port,
            packets=5,
            connect_data="after_start",
            values="encoded",
            stop=False,
        )
    assert any("header 1x4 != meta-info 3x4" in p for p in result.problems), result.problems
