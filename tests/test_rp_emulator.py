# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Red Pitaya board emulator against the spec (redpitaya-streaming.md).

The client side here is written from the spec with struct and sockets only; it does not use
netstream.redpitaya.protocol, so a framing mistake shared by both sides cannot hide.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from netstream_testing import wait_until as _wait_until

REPO = Path(__file__).resolve().parents[1]


def _import_emulator():
    """The installed package if present, else the source tree's python/ directory."""
    try:
        from gnuradio.netstream.redpitaya import emulator
    except ImportError:
        sys.path.insert(0, str(REPO / "python"))
        from netstream.redpitaya import emulator
    return emulator


_emu_mod = _import_emulator()
Emulator = _emu_mod.Emulator
EmulatorConfig = _emu_mod.EmulatorConfig

TIMEOUT = 5.0

# ---------------------------------------------------------------- an independent raw client (spec 3.2)
CMD_MAGIC, KV_MAGIC, CFG_MAGIC = 0x00ABCDED, 0x00ABCDEF, 0x00ABCDEB
ADC_MAGIC = bytes.fromhex("FFFFFFFFA0A0A0A0FFFFFFFFA0A0A0A0")


def wait_until(cond, timeout=TIMEOUT, what="condition"):
    return _wait_until(cond, timeout, what)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


class Ctl:
    """Raw control-link client."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)

    def close(self) -> None:
        self.sock.close()

    def send_cmd(self, cid: int, tag: bytes = b"") -> None:
        self.sock.sendall(struct.pack("<IIII", CMD_MAGIC, 16 + len(tag), cid, len(tag)) + tag)

    def send_set(self, key: str, value: bytes | str) -> None:
        k = key.encode()
        v = value.encode() if isinstance(value, str) else value
        self.sock.sendall(struct.pack("<IIII", KV_MAGIC, 16 + len(k) + len(v), len(k), len(v)) + k + v)

    def send_config(self, text: str | bytes) -> None:
        j = text.encode() if isinstance(text, str) else text
        self.sock.sendall(struct.pack("<III", CFG_MAGIC, 12 + len(j), len(j)) + j)

    def recv(self):
        magic, total = struct.unpack("<II", recv_exact(self.sock, 8))
        body = recv_exact(self.sock, total - 8)
        if magic == CMD_MAGIC:
            cid, tlen = struct.unpack_from("<II", body)
            assert 8 + tlen == len(body)
            return ("cmd", cid, body[8:].decode())
        if magic == KV_MAGIC:
            klen, vlen = struct.unpack_from("<II", body)
            assert 8 + klen + vlen == len(body)
            return ("kv", body[8 : 8 + klen].decode(), body[8 + klen :].decode())
        assert magic == CFG_MAGIC, hex(magic)
        (jlen,) = struct.unpack_from("<I", body)
        return ("cfg", body[4 : 4 + jlen].decode())

    def cmd(self, cid: int, tag: bytes = b"") -> tuple:
        self.send_cmd(cid, tag)
        return self.recv()

    def ids(self, count: int) -> list[int]:
        out = []
        for _ in range(count):
            m = self.recv()
            assert m[0] == "cmd", m
            out.append(m[1])
        return out


@pytest.fixture
def board(request):
    """Factory: board(**EmulatorConfig fields) -> running Emulator on ephemeral ports."""
    made: list[Emulator] = []

    def make(**kw) -> Emulator:
        kw.setdefault("beacon_target", None)
        cfg = EmulatorConfig(bind="127.0.0.1", control_port=0, adc_port=0, dac_port=0, **kw)
        emu = Emulator(cfg).start()
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.stop()


def connect(emu: Emulator, greeting: int = 15) -> Ctl:
    c = Ctl(emu.control_port)
    assert c.recv() == ("cmd", greeting, "")
    return c


# ---------------------------------------------------------------- discovery (spec 2)
@pytest.mark.parametrize(
    "proto,model,role,expected",
    [
        ("p3", 2, "M", b"00:26:32:f0:ab:cd\n10.0.0.7\nM\n2\n"),
        ("p3", 2, "S", b"00:26:32:f0:ab:cd\n10.0.0.7\nS\n2\n"),
        ("p3", 12, "S", b"00:26:32:f0:ab:cd\n10.0.0.7\nM\n12\n"),  # 250-12: no X-streaming, always master
        ("p2", 2, "M", b"10.0.0.7M1"),
        ("p2", 6, "S", b"10.0.0.7S2"),
        ("p2", 4, "M", b"10.0.0.7M3"),
        ("p2", 12, "M", b"10.0.0.7M4"),
        ("p2", 9, "M", b"10.0.0.7M5"),
    ],
)
def test_beacon_payloads(board, proto, model, role, expected):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(TIMEOUT)
    try:
        board(
            proto=proto,
            model=model,
            role=role,
            ip="10.0.0.7",
            mac="00:26:32:f0:ab:cd",
            beacon_target=("127.0.0.1", rx.getsockname()[1]),
            beacon_interval=0.05,
        )
        first, _ = rx.recvfrom(1024)
        second, _ = rx.recvfrom(1024)
    finally:
        rx.close()
    assert first == expected
    assert second == expected


def test_p2_rejects_models_it_does_not_know():
    with pytest.raises(ValueError, match="not supported by P2"):
        Emulator(EmulatorConfig(proto="p2", model=20))


def test_discover_cli_lists_board(board):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    board(proto="p3", model=12, ip="192.168.9.9", beacon_target=("127.0.0.1", port), beacon_interval=0.05)
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "apps" / "netstream-rp-discover"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--timeout",
            "1.0",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    rows = json.loads(out.stdout)
    assert [(r["ip"], r["role"], r["proto"], r["model"], r["model_name"]) for r in rows] == [
        ("192.168.9.9", "M", "p3", 12, "250-12")
    ]


# ---------------------------------------------------------------- control channel (spec 3, 4)
def test_greeting_role(board):
    emu = board(model=2, role="S")
    c = connect(emu, greeting=16)
    c.close()


def test_newest_connection_wins(board):
    emu = board()
    a = connect(emu)
    b = connect(emu)
    a.sock.settimeout(TIMEOUT)
    assert a.sock.recv(100) == b""  # the old one is closed
    assert b.cmd(5) == ("cmd", 6, "65536")
    b.close()


def test_query_replies_match_spec_tables(board):
    emu = board(proto="p3", model=2)
    c = connect(emu)
    assert c.cmd(5) == ("cmd", 6, "65536")
    assert c.cmd(7) == ("cmd", 8, "0")
    assert c.cmd(3, b"resolution") == ("kv", "resolution", "BIT_16")
    assert c.cmd(3, b"adc_size") == ("kv", "adc_size", "787968")
    assert c.cmd(3, b"adc_capture_time") == ("kv", "adc_capture_time", "ON")
    assert c.cmd(3, b"no_such_key") == ("kv", "no_such_key", "ERROR")
    assert c.cmd(3, b"") == ("kv", "", "ERROR")
    assert c.cmd(43) == ("cmd", 44, "")
    assert c.cmd(18) == ("cmd", 19, "")  # STOP when idle still replies 19
    assert c.cmd(27) == ("cmd", 28, "")  # 28 even without a pipeline
    assert c.cmd(32) == ("cmd", 33, "")
    # ignored ids: no reply; the next reply belongs to the next request
    for cid in (0, 1, 4, 6, 29, 44, 46, 1000):
        c.send_cmd(cid)
    assert c.cmd(5) == ("cmd", 6, "65536")
    kind, text = c.cmd(2)
    assert kind == "cfg"
    doc = json.loads(text)
    assert doc["memory_manager"] == {"adc_size": 787968, "block_size": 65536, "dac_size": 787968, "gpio_size": 787968}
    assert doc["adc_streaming"]["adc_decimation"] == 1 and doc["dac_streaming"]["dac_rate"] == 125000000
    assert not text.endswith("\n")
    c.close()
    assert emu.fatal_events == []


def test_settings_set_validation(board):
    emu = board(proto="p3", model=2)
    c = connect(emu)

    def set_reply(key, value):
        c.send_set(key, value)
        return c.ids(1)[0]

    assert set_reply("channel_state_1", "ON") == 0
    assert set_reply("channel_state_1", "On") == 1  # UI label rejected
    assert set_reply("channel_state_2", b"ON\x00junk") == 0  # comparison stops at NUL
    assert set_reply("resolution", "BIT_8") == 0
    assert set_reply("adc_decimation", "65536") == 0
    assert set_reply("adc_decimation", "65537") == 1
    assert set_reply("adc_decimation", "+8") == 1
    assert set_reply("adc_decimation", "") == 1
    assert set_reply("adc_decimation", "4294967297") == 0  # wraps to 1
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "1")
    assert set_reply("adc_decimation", "007") == 0
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "7")
    assert set_reply("file_type_sd", "BIN") == 0  # accepted, ignored
    assert c.cmd(3, b"file_type_sd") == ("kv", "file_type_sd", "WAV")
    assert set_reply("bogus_key", "1") == 1
    assert set_reply("adc_size", "1000") == 0  # no side effect
    assert set_reply("dac_rate", "999999999") == 0  # no upper bound
    c.send_set("block_size", "65536")  # side effect even when unchanged: 22, 35, then 0
    assert c.ids(3) == [22, 35, 0]
    assert c.cmd(7) == ("cmd", 8, "3")  # P3 mask IN1+IN2
    assert set_reply("channel_state_3", "ON") == 0
    assert c.cmd(7) == ("cmd", 8, "3")  # masked to the board's two inputs
    c.close()


def test_p2_differences(board):
    emu = board(proto="p2", model=2)
    c = connect(emu)
    assert c.cmd(3, b"adc_capture_time") == ("kv", "adc_capture_time", "ERROR")
    c.send_set("adc_capture_time", "ON")
    assert c.ids(1) == [1]
    for n in (1, 3):
        c.send_set(f"channel_state_{n}", "ON")
        assert c.ids(1) == [0]
    assert c.cmd(7) == ("cmd", 8, "2")  # a count, including IN3 the board does not have
    c.close()


DEFAULT_CONFIG = {
    "adc_streaming": {
        "adc_decimation": 8,
        "channel_state_1": "ON",
        "channel_attenuator_1": "A_1_20",
        "channel_ac_dc_1": "AC",
        "resolution": "BIT_8",
    },
    "dac_streaming": {},
    "memory_manager": {"block_size": 16384},
}


def test_config_message(board):
    emu = board()
    c = connect(emu)
    c.send_set("adc_decimation", "64")
    assert c.ids(1) == [0]
    c.send_config(json.dumps(DEFAULT_CONFIG))
    assert c.ids(3) == [0, 22, 35]
    assert c.cmd(5) == ("cmd", 6, "16384")
    assert c.cmd(3, b"channel_ac_dc_1") == ("kv", "channel_ac_dc_1", "AC")
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "8")
    assert c.cmd(3, b"channel_state_2") == ("kv", "channel_state_2", "OFF")
    # absent keys take defaults, not current values
    c.send_config(json.dumps({"adc_streaming": {}, "dac_streaming": None, "memory_manager": {}}))
    assert c.ids(3) == [0, 22, 35]
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "1")
    # jsoncpp leniency: comments, trailing commas
    c.send_config('{"adc_streaming": {"adc_decimation": 4, /* c */}, // x\n"dac_streaming": {}, "memory_manager": {},}')
    assert c.ids(3) == [0, 22, 35]
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "4")
    rejected = [
        {"adc_streaming": {}, "dac_streaming": {}},  # section missing
        {"adc_streaming": [], "dac_streaming": {}, "memory_manager": {}},  # section not an object
        {"adc_streaming": {"channel_attenuator_2": "A_1_1"}, "dac_streaming": {}, "memory_manager": {}},  # no ac_dc
        {"adc_streaming": {"adc_decimation": "8"}, "dac_streaming": {}, "memory_manager": {}},
        {"adc_streaming": {"adc_decimation": -1}, "dac_streaming": {}, "memory_manager": {}},
        {"adc_streaming": {"resolution": 16}, "dac_streaming": {}, "memory_manager": {}},
    ]
    for doc in rejected:
        c.send_config(json.dumps(doc))
        assert c.ids(1) == [1], doc
    c.send_config("null")
    assert c.ids(1) == [1]
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "4")  # a rejected CONFIG changes nothing
    # a decimation above 65536 inside a CONFIG is ignored, not rejected
    c.send_config(json.dumps({"adc_streaming": {"adc_decimation": 70000}, "dac_streaming": {}, "memory_manager": {}}))
    assert c.ids(3) == [0, 22, 35]
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "1")
    c.close()
    assert emu.fatal_events == []


def test_save_and_load(board, tmp_path):
    emu = board(settings_file=str(tmp_path / "streaming_config.json"))
    c = connect(emu)
    assert c.cmd(12) == ("cmd", 14, "")  # missing file
    c.send_set("adc_decimation", "16")
    assert c.ids(1) == [0]
    assert c.cmd(9) == ("cmd", 10, "")
    c.send_set("adc_decimation", "32")
    assert c.ids(1) == [0]
    c.send_cmd(12)
    assert c.ids(3) == [22, 35, 13]
    assert c.cmd(3, b"adc_decimation") == ("kv", "adc_decimation", "16")
    c.close()


def test_adc_start_failures(board):
    emu = board(model=2)
    c = connect(emu)
    assert c.cmd(17) == ("cmd", 20, "")  # no channel ON
    c.send_set("channel_state_1", "ON")
    assert c.ids(1) == [0]
    c.send_set("adc_size", str(12 * (65536 + 128) - 1))
    assert c.ids(1) == [0]
    assert c.cmd(17) == ("cmd", 21, "")
    c.close()
    assert emu.fatal_events == []


def test_dac_start_on_4_input_board_is_config_error(board):
    emu = board(model=9)
    c = connect(emu)
    assert c.cmd(31, b"1") == ("cmd", 36, "")
    c.close()


# ---------------------------------------------------------------- board-fatal conditions (spec 11 item 3)
@pytest.mark.parametrize(
    "raw,reason",
    [
        (struct.pack("<IIII", 0x01ABCDED, 16, 5, 0), "unknown_control_magic"),
        (struct.pack("<II", CMD_MAGIC, 0), "control_total_len_zero"),
        (struct.pack("<II", CMD_MAGIC, 4), "control_total_len_out_of_step"),
        (struct.pack("<IIII", CMD_MAGIC, 16, 5, 10), "control_inner_length_overrun"),
        (struct.pack("<II", CMD_MAGIC, 0x7FFFFFFF), "control_total_len_hang"),
    ],
)
def test_fatal_framing_is_logged_and_survived(board, caplog, raw, reason):
    emu = board()
    c = connect(emu)
    c.sock.sendall(raw)
    c.sock.settimeout(TIMEOUT)
    assert c.sock.recv(100) == b""  # the offending connection is closed
    assert [r for r, _ in emu.fatal_events] == [reason]
    assert any(f"BOARD-FATAL: {reason}:" in r.getMessage() for r in caplog.records)
    c2 = connect(emu)  # and the board keeps serving
    assert c2.cmd(5) == ("cmd", 6, "65536")
    c2.close()


def test_fatal_config_root_and_decimation_zero_and_second_27(board):
    emu = board()
    c = connect(emu)
    c.send_config("[1, 2]")
    c.sock.settimeout(TIMEOUT)
    assert c.sock.recv(100) == b""
    c = connect(emu)
    for key, value in (("channel_state_1", "ON"), ("adc_decimation", "0")):
        c.send_set(key, value)
        assert c.ids(1) == [0]  # 0 is accepted by SET ...
    c.send_cmd(17)  # ... and kills the start
    assert c.sock.recv(100) == b""
    c = connect(emu)
    c.send_set("adc_decimation", "1")
    assert c.ids(1) == [0]
    assert c.cmd(17) == ("cmd", 25, "")
    assert c.cmd(27) == ("cmd", 28, "")
    c.send_cmd(27)
    assert c.sock.recv(100) == b""
    assert [r for r, _ in emu.fatal_events] == [
        "config_root_not_object",
        "adc_start_decimation_zero",
        "second_adc_fpga_start",
    ]


def test_p2_non_numeric_dac_tag_is_fatal(board):
    emu = board(proto="p2")
    c = connect(emu)
    c.send_cmd(31, b"OUT1")
    c.sock.settimeout(TIMEOUT)
    assert c.sock.recv(100) == b""
    assert [r for r, _ in emu.fatal_events] == ["p2_dac_tag_not_numeric"]


def test_dac_wrong_buffer_size_is_fatal(board):
    emu = board(model=2)
    c = connect(emu)
    c.send_set("block_size", "1024")
    assert c.ids(3) == [22, 35, 0]
    assert c.cmd(31, b"1") == ("cmd", 41, "")
    d = socket.create_connection(("127.0.0.1", emu.dac_reserved.port), timeout=TIMEOUT)
    hdr = bytes.fromhex("FFFFA0A0" * 4) + struct.pack("<QQBBIQBBqB", 128 + 2048, 0, 1, 1, 1024, 1024, 0, 0, 1, 16)
    d.sendall(hdr.ljust(128, b"\0") + bytes(1024))
    assert d.recv(10) == b""
    d.close()
    assert [r for r, _ in emu.fatal_events] == ["dac_buffer_size_mismatch"]


# ---------------------------------------------------------------- ADC data (spec 5)
def gen_codes(signal_kind: str, bits: int, channel: int, n: np.ndarray, period=1000, amp=0.8, step=1):
    """The generator formula as documented in docs/redpitaya-emulator.md."""
    if signal_kind == "ramp":
        return ((step * n + channel * 2 ** (bits - 2)) % 2**bits) - 2 ** (bits - 1)
    pc = period * (channel + 1)
    return np.rint(amp * (2 ** (bits - 1) - 1) * np.sin(2 * np.pi * (n % pc) / pc)).astype(np.int64)


def expected_wire(signal_kind, adc_bits, channel, n0, count, sample_bits, **kw):
    w16 = (gen_codes(signal_kind, adc_bits, channel, np.arange(n0, n0 + count), **kw) << (16 - adc_bits)).astype(
        np.int16
    )
    return (w16 >> 8).astype(np.int8) if sample_bits == 8 else w16


def parse_header(b: bytes) -> dict:
    f = struct.unpack("<16sQQQQIBBBBq64s", b)
    assert f[11] == bytes(64)
    names = (
        "magic",
        "buffer_size",
        "pack_id",
        "lost",
        "all_size",
        "rate",
        "base_bits",
        "channel",
        "bits",
        "adc_mode",
        "time",
    )
    return dict(zip(names, f[:11], strict=True))


def start_stream(emu: Emulator, settings: dict[str, str]) -> tuple[Ctl, socket.socket]:
    c = connect(emu, 15 if emu.role == "M" else 16)
    c.send_cmd(18)
    assert c.ids(1) == [19]
    for k, v in settings.items():
        c.send_set(k, v)
        expect = [22, 35, 0] if k == "block_size" else [0]
        assert c.ids(len(expect)) == expect, k
    assert c.cmd(17) == ("cmd", 25, "")
    d = socket.create_connection(("127.0.0.1", emu.adc_reserved.port), timeout=TIMEOUT)
    d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    assert c.cmd(27) == ("cmd", 28, "")
    return c, d


@pytest.mark.parametrize(
    "model,proto,channels,resolution,decimation,signal_kind",
    [
        (2, "p3", [0, 1], "BIT_16", 1, "ramp"),
        (2, "p3", [1], "BIT_8", 64, "sine"),
        (4, "p3", [0, 1], "BIT_16", 3, "sine"),  # 122-16
        (12, "p2", [0, 1], "BIT_16", 2, "ramp"),  # 250-12
        (9, "p3", [0, 2, 3], "BIT_8", 5, "ramp"),  # 4-input
        (9, "p2", [1, 3], "BIT_16", 1, "sine"),
    ],
)
def test_adc_packs_exact(board, model, proto, channels, resolution, decimation, signal_kind):
    t_arm = 1_780_000_000_123_456_789
    emu = board(model=model, proto=proto, max_rate=True, signal=signal_kind, time_arm_ns=t_arm)
    block = 4096
    settings = {"block_size": str(block), "resolution": resolution, "adc_decimation": str(decimation)}
    settings.update({f"channel_state_{ch + 1}": "ON" for ch in channels})
    settings["channel_attenuator_1"] = "A_1_20"
    c, d = start_stream(emu, settings)
    base_rate, adc_bits = {2: (125_000_000, 14), 4: (122_880_000, 16), 12: (250_000_000, 12), 9: (125_000_000, 14)}[
        model
    ]
    sample_bits = 8 if resolution == "BIT_8" else 16
    per_pack = block // (sample_bits // 8)
    n = 0
    for pack_id in range(12):
        for ch in channels:
            h = parse_header(recv_exact(d, 128))
            data = recv_exact(d, block)
            assert h["magic"] == ADC_MAGIC
            assert h["buffer_size"] == 128 + block
            assert h["pack_id"] == pack_id
            assert h["lost"] == 0
            assert h["all_size"] == len(channels) * block
            assert h["rate"] == base_rate // decimation
            assert h["base_bits"] == adc_bits
            assert h["channel"] == ch
            assert h["bits"] == sample_bits
            assert h["adc_mode"] == (1 if ch == 0 else 0)
            if proto == "p3":
                assert h["time"] == int(t_arm + n * decimation * (1e9 / base_rate))
            else:
                assert h["time"] == 0
            got = np.frombuffer(data, dtype="<i2" if sample_bits == 16 else "i1")
            want = expected_wire(signal_kind, adc_bits, ch, n, per_pack, sample_bits)
            np.testing.assert_array_equal(got, want)
        n += per_pack
    c.send_cmd(18)
    # keep reading until EOF, then 19 (streaming-server order)
    d.settimeout(TIMEOUT)
    while d.recv(1 << 20):
        pass
    assert c.ids(1) == [19]
    d.close()
    c.close()
    assert emu.fatal_events == []


def test_loss_injection_sets_lostfpga_and_skips_samples(board):
    emu = board(model=2, max_rate=True, loss_every=3, loss_packs=2, loss_at={7: 123})
    block = 2048
    c, d = start_stream(emu, {"block_size": str(block), "channel_state_1": "ON", "channel_state_2": "ON"})
    per_pack = block // 2
    n = 0
    seen = []
    for pack_id in range(10):
        lost_values = set()
        for ch in (0, 1):
            h = parse_header(recv_exact(d, 128))
            got = np.frombuffer(recv_exact(d, block), dtype="<i2")
            assert h["pack_id"] == pack_id
            lost_values.add(h["lost"])
            np.testing.assert_array_equal(got, expected_wire("ramp", 14, ch, n, per_pack, 16))
        assert len(lost_values) == 1  # the same value in every segment
        lost = lost_values.pop()
        seen.append(lost)
        n += per_pack + lost  # the gap lies after the pack that carries the count
    assert seen == [0, 0, 2 * per_pack, 0, 0, 2 * per_pack, 0, 123, 2 * per_pack, 0]
    c.close()
    d.close()


def test_paced_stream_and_stop_order(board):
    emu = board(model=2)  # paced: 2048 B at 16 bit / 125 MS/s/1024 = 8.4 ms per pack
    c, d = start_stream(emu, {"block_size": "2048", "channel_state_1": "ON", "adc_decimation": "1024"})
    for pack_id in range(3):
        h = parse_header(recv_exact(d, 128))
        recv_exact(d, 2048)
        assert h["pack_id"] == pack_id
    c.send_cmd(18)
    d.settimeout(TIMEOUT)
    while d.recv(65536):
        pass
    assert c.ids(1) == [19]
    c.close()


def test_refused_data_port(board):
    emu = board(refuse_data=True)
    c = connect(emu)
    c.send_set("channel_state_1", "ON")
    assert c.ids(1) == [0]
    assert c.cmd(17) == ("cmd", 25, "")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", emu.adc_reserved.port), timeout=TIMEOUT)
    c.close()


def test_adc_port_refused_before_start_and_after_stop(board):
    emu = board()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", emu.adc_reserved.port), timeout=TIMEOUT)
    c = connect(emu)
    c.send_set("channel_state_1", "ON")
    assert c.ids(1) == [0]
    assert c.cmd(17) == ("cmd", 25, "")
    assert c.cmd(18) == ("cmd", 19, "")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", emu.adc_reserved.port), timeout=TIMEOUT)
    c.close()


def test_truncated_and_corrupt_packs(board):
    emu = board(max_rate=True, corrupt_pack_ids=(1,), truncate_pack_after=3)
    c, d = start_stream(emu, {"block_size": "1024", "channel_state_1": "ON"})
    magics = []
    for _ in range(3):
        magics.append(parse_header(recv_exact(d, 128))["magic"])
        recv_exact(d, 1024)
    assert magics == [ADC_MAGIC, bytes(16), ADC_MAGIC]
    tail = bytearray()
    d.settimeout(TIMEOUT)
    while chunk := d.recv(65536):
        tail += chunk
    assert len(tail) == (128 + 1024) // 2
    c.close()


def test_control_drop_and_truncated_reply(board):
    emu = board(drop_control_after=2)
    c = connect(emu)
    assert c.cmd(5) == ("cmd", 6, "65536")
    c.send_cmd(5)
    assert c.recv() == ("cmd", 6, "65536")
    c.sock.settimeout(TIMEOUT)
    assert c.sock.recv(100) == b""
    emu2 = board(truncate_reply_after=2)  # frame 1 is the greeting
    c2 = connect(emu2)
    c2.send_cmd(5)
    c2.sock.settimeout(TIMEOUT)
    got = bytearray()
    while chunk := c2.sock.recv(100):
        got += chunk
    full = struct.pack("<IIII", CMD_MAGIC, 21, 6, 5) + b"65536"
    assert bytes(got) == full[: len(full) // 2]  # half a frame, then EOF


def test_file_mode_sd_done(board):
    emu = board(max_rate=True)
    c = connect(emu)
    for k, v in (("channel_state_1", "ON"), ("adc_pass_mode", "FILE"), ("samples_limit_sd", "100000")):
        c.send_set(k, v)
        assert c.ids(1) == [0]
    assert c.cmd(17) == ("cmd", 26, "")
    assert c.cmd(27) == ("cmd", 28, "")
    assert c.ids(1) == [24]
    assert c.cmd(18) == ("cmd", 19, "")
    c.close()


# ---------------------------------------------------------------- the command-line app
def test_cli_ready_file_fatal_marker_and_sigterm(tmp_path):
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "apps" / "netstream-rp-emulator"),
            "--bind",
            "127.0.0.1",
            "--control-port",
            "0",
            "--adc-port",
            "0",
            "--dac-port",
            "0",
            "--beacon-target",
            "off",
            "--ready-file",
            str(ready),
            "--model",
            "250-12",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(ready.exists, what="ready file")
        info = json.loads(ready.read_text())
        assert info["model"] == 12 and info["proto"] == "p3"
        c = Ctl(info["control_port"])
        assert c.recv() == ("cmd", 15, "")
        c.sock.sendall(b"\xde\xad\xbe\xef" + bytes(12))
        c.sock.settimeout(TIMEOUT)
        assert c.sock.recv(10) == b""
        c.close()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0
    assert "BOARD-FATAL: unknown_control_magic:" in err
    assert os.path.exists(ready)
