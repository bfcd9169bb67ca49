# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Red Pitaya DAC side (spec redpitaya-streaming.md §6, §7.3, §11 item 5).

Part 1 drives the emulator's DAC pipeline with hand-built packs (protocol.build_dac_pack):
exact validation, ring depth and back-pressure, one-pack replay, repeat counting, the
capture of what was played. Part 2 (further down) tests the rp_dac_sink block against it.
"""

from __future__ import annotations

import socket
import struct
import threading

import numpy as np
import pytest
from gnuradio.netstream.redpitaya import protocol as P
from gnuradio.netstream.redpitaya.emulator import Emulator, EmulatorConfig
from netstream_testing import wait_until

pytestmark = pytest.mark.timeout(120)
TIMEOUT = 10.0


class Ctl:
    """Minimal control client on protocol.py."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.parser = P.ControlParser()
        self.pending: list[P.ControlMessage] = []
        assert self.recv().command_id == P.Cmd.MASTER_CONNECTED

    def recv(self) -> P.ControlMessage:
        while not self.pending:
            data = self.sock.recv(65536)
            assert data, "control link closed"
            self.pending += self.parser.feed(data)
        return self.pending.pop(0)

    def cmd(self, cid: int, tag: str = "") -> int:
        self.sock.sendall(P.pack_command(cid, tag))
        return self.recv().command_id

    def set(self, key: str, value: str) -> list[int]:
        self.sock.sendall(P.pack_str_str(key, value))
        ids = []
        while True:
            ids.append(self.recv().command_id)
            if ids[-1] in (0, 1):
                return ids

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def board():
    made: list[Emulator] = []

    def make(**kw) -> Emulator:
        kw.setdefault("beacon_target", None)
        emu = Emulator(EmulatorConfig(bind="127.0.0.1", control_port=0, adc_port=0, dac_port=0, **kw)).start()
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.stop()


def start_dac(emu: Emulator, outputs=(1, 2), block_size=1024, dac_rate=None, dac_size=None):
    c = Ctl(emu.control_port)
    assert c.set("block_size", str(block_size)) == [22, 35, 0]
    if dac_rate is not None:
        assert c.set("dac_rate", str(dac_rate)) == [0]
    if dac_size is not None:
        assert c.set("dac_size", str(dac_size)) == [0]
    assert c.cmd(P.Cmd.DAC_SERVER_START, P.dac_mask_tag(list(outputs))) == P.Cmd.DAC_SERVER_STARTED
    d = socket.create_connection(("127.0.0.1", emu.dac_reserved.port), timeout=TIMEOUT)
    return c, d


def ramp(n: int, start: int = 0, step: int = 7) -> np.ndarray:
    return ((np.arange(n, dtype=np.int64) * step + start) % 65536 - 32768).astype("<i2")


def test_streaming_packs_are_played_sample_exact(board):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1, 2), block_size=1024)
    a, b = ramp(512 * 3 + 100, 0), ramp(512 * 3 + 100, 1000, 13)
    for k in range(4):
        sl = slice(512 * k, 512 * (k + 1))
        d.sendall(P.build_dac_pack(1024, [(1, a[sl].tobytes()), (2, b[sl].tobytes())]))
    wait_until(lambda: emu.dac.packs_played == 4, TIMEOUT, "4 packs played")
    np.testing.assert_array_equal(emu.dac_played(1), a)
    np.testing.assert_array_equal(emu.dac_played(2), b)
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED
    np.testing.assert_array_equal(emu.dac_played(2), b)  # kept after the teardown
    assert emu.fatal_events == [] and emu.warn_events == []


def test_only_out2_and_8bit_from_first_pack(board):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (2,), block_size=256)
    x = (np.arange(300) % 256 - 128).astype(np.int8)
    d.sendall(P.build_dac_pack(256, [(2, x[:256].tobytes())], bits=8))
    d.sendall(P.build_dac_pack(256, [(2, x[256:].tobytes())], bits=8))
    wait_until(lambda: emu.dac.packs_played == 2, TIMEOUT, "2 packs")
    got = emu.dac_played(2)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, x)
    assert len(emu.dac_played(1)) == 0


def test_short_channel_size_plays_the_longest_segment(board):
    """The board plays max(channelSize) bytes of every segment (section 6.2)."""
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1, 2), block_size=256)
    a = ramp(50)
    b = ramp(20, 5)
    d.sendall(P.build_dac_pack(256, [(1, a.tobytes()), (2, b.tobytes())]))
    wait_until(lambda: emu.dac.packs_played == 1, TIMEOUT, "1 pack")
    np.testing.assert_array_equal(emu.dac_played(1), a)
    np.testing.assert_array_equal(emu.dac_played(2), np.concatenate([b, np.zeros(30, np.int16)]))


@pytest.mark.parametrize("count", [1, 3])
def test_one_pack_repeat_count(board, count):
    emu = board(dac_max_rate=True, dac_end_notice=True)
    c, d = start_dac(emu, (1,), block_size=512)
    w = ramp(200, 3)
    d.sendall(P.build_dac_pack(512, [(1, w.tobytes())], one_pack=True, repeat=count))
    wait_until(lambda: emu.dac.one_pack_done, TIMEOUT, "one-pack playback done")
    assert emu.dac.repeats_played == count
    np.testing.assert_array_equal(emu.dac_played(1), np.tile(w, count))
    assert c.recv().command_id == P.Cmd.DAC_SERVER_STOPPED  # the optional end notice


def test_one_pack_count_zero_plays_nothing_and_later_packs_are_never_played(board):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1,), block_size=256)
    h = P.DacSegmentHeader(384, 1, 1, 256, 256, one_pack_mode=1, inf_mode=0, repeat_count=0)
    d.sendall(h.pack() + ramp(128).tobytes())
    d.sendall(P.build_dac_pack(256, [(1, ramp(128, 9).tobytes())]))
    wait_until(lambda: emu.dac.one_pack_done and emu.dac.packs == 2, TIMEOUT, "both packs received")
    assert emu.dac.repeats_played == 0 and len(emu.dac_played(1)) == 0


def test_one_pack_infinite_until_stop(board):
    emu = board(dac_max_rate=True, dac_capture_limit=10_000)
    c, d = start_dac(emu, (1, 2), block_size=256)
    w1, w2 = ramp(128, 1), ramp(128, 2)
    d.sendall(P.build_dac_pack(256, [(1, w1.tobytes()), (2, w2.tobytes())], one_pack=True, inf=True))
    wait_until(lambda: emu.dac.repeats_played >= 100, TIMEOUT, "100 repetitions")
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED
    pipe = emu.dac_history[-1]
    got = emu.dac_played(2)
    assert len(got) == 10_000  # capture limit
    assert pipe.capture.played[2] == pipe.repeats_played * 128
    np.testing.assert_array_equal(got, np.tile(w2, 10_000 // 128 + 1)[:10_000])


def test_ring_depth_from_dac_size_gives_back_pressure(board):
    """One-pack inf first: later packs fill the ring and are never played; then the board stops reading."""
    bs = 65536
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1,), block_size=bs, dac_size=12 * (bs + 128))
    pipe = emu.dac
    assert pipe.ring_depth == 12
    d.sendall(P.build_dac_pack(bs, [(1, ramp(bs // 2).tobytes())], one_pack=True, inf=True))
    stream = P.build_dac_pack(bs, [(1, ramp(bs // 2, 5).tobytes())])
    done = threading.Event()

    def sender():
        try:
            for _ in range(200):  # 13 MB: far more than the socket buffers hold
                d.sendall(stream)
        except OSError:
            pass
        done.set()

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    wait_until(lambda: pipe.receiver_blocked and pipe.packs == 1 + 12, TIMEOUT, "the board stops reading")
    assert pipe.ring_fill == 12 and pipe.repeats_played > 0
    assert not done.is_set()  # the client is held by TCP back-pressure
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED  # unread bytes are discarded
    d.close()
    t.join(TIMEOUT)
    assert done.is_set()
    assert emu.fatal_events == []


def test_paced_playback_counts_underruns(board):
    emu = board()  # paced at dac_rate: 512 samples at 5 kS/s = 0.1 s per pack
    c, d = start_dac(emu, (1,), block_size=1024, dac_rate=5000)
    d.sendall(P.build_dac_pack(1024, [(1, ramp(512).tobytes())]) * 2)
    wait_until(lambda: emu.dac.packs_played == 2 and emu.dac.waiting_for_pack, TIMEOUT, "starved")
    d.sendall(P.build_dac_pack(1024, [(1, ramp(512, 1).tobytes())]))
    wait_until(lambda: emu.dac.packs_played == 3, TIMEOUT, "third pack")
    assert emu.dac.underruns == 1


def test_bad_buffer_size_is_board_fatal_and_board_survives(board, caplog):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1,), block_size=256)
    bad = P.DacSegmentHeader(128 + 512, 1, 1, 256, 256).pack() + bytes(256)
    d.sendall(bad)
    assert d.recv(10) == b""  # data socket closed
    assert [r for r, _ in emu.fatal_events] == ["dac_buffer_size_mismatch"]
    assert any("BOARD-FATAL: dac_buffer_size_mismatch:" in r.getMessage() for r in caplog.records)
    assert c.cmd(P.Cmd.REQUEST_SERVER_MEM_BLOCK_SIZE) == P.Cmd.MEM_BLOCK_SIZE  # still serving
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED
    with pytest.raises(OSError):  # the listener went away with the socket
        socket.create_connection(("127.0.0.1", emu.dac_reserved.port), timeout=TIMEOUT).recv(1)


def test_odd_header_fields_are_warnings_and_the_pack_plays(board, caplog):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1, 2), block_size=256)
    a, b = ramp(128, 1), ramp(128, 2)
    h1 = P.DacSegmentHeader(384, 3, 2, 256, 999, bits=16, magic=b"\0" * 16)  # magic, channels, channel, size_all
    h2 = P.DacSegmentHeader(384, 2, 2, 256, 512, bits=12)  # bits 12 is taken as 16
    d.sendall(h1.pack() + a.tobytes() + h2.pack() + b.tobytes())
    wait_until(lambda: emu.dac.packs_played == 1, TIMEOUT, "1 pack")
    reasons = sorted({r for r, _ in emu.warn_events})
    assert reasons == sorted(
        ["dac_bad_magic", "dac_bad_channels", "dac_bad_channel", "dac_bad_size_of_all_channels", "dac_bad_bits"]
    )
    assert any("BOARD-WARN: dac_bad_magic:" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(emu.dac_played(1), a)
    np.testing.assert_array_equal(emu.dac_played(2), b)
    assert emu.fatal_events == []


def test_client_eof_keeps_playing_and_refuses_reconnect(board):
    emu = board(dac_max_rate=True)
    c, d = start_dac(emu, (1,), block_size=256)
    d.sendall(P.build_dac_pack(256, [(1, ramp(128).tobytes())]))
    d.close()
    wait_until(lambda: emu.dac.client_closed and emu.dac.packs_played == 1, TIMEOUT, "EOF seen, pack played")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", emu.dac_reserved.port), timeout=TIMEOUT).recv(1)
    assert emu.dac is not None  # the pipeline stays until 32
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED


def test_capture_dump_file(board, tmp_path):
    path = tmp_path / "played.npz"
    emu = board(dac_max_rate=True, dac_capture_file=str(path))
    c, d = start_dac(emu, (1, 2), block_size=256)
    a, b = ramp(128, 1), ramp(128, 2)
    d.sendall(P.build_dac_pack(256, [(1, a.tobytes()), (2, b.tobytes())]))
    wait_until(lambda: emu.dac.packs_played == 1, TIMEOUT, "1 pack")
    assert c.cmd(P.Cmd.DAC_SERVER_STOP) == P.Cmd.DAC_SERVER_STOPPED  # teardown writes the file
    z = np.load(path)
    np.testing.assert_array_equal(z["out1"], a)
    np.testing.assert_array_equal(z["out2"], b)
    other = tmp_path / "again.npz"
    emu.dump_dac_capture(str(other))
    np.testing.assert_array_equal(np.load(other)["out2"], b)


def test_build_dac_pack_refuses_what_would_kill_a_board():
    with pytest.raises(ValueError):
        P.build_dac_pack(256, [(1, bytes(300))])
    with pytest.raises(ValueError):
        P.build_dac_pack(256, [(1, bytes(10))], bits=12)
    with pytest.raises(ValueError):
        P.build_dac_pack(256, [(2, bytes(10)), (1, bytes(10))])
    with pytest.raises(ValueError):
        P.build_dac_pack(256, [(1, bytes(10))], one_pack=True, repeat=0)
    pack = P.build_dac_pack(256, [(1, bytes(10)), (2, bytes(4))], one_pack=True, inf=True)
    assert len(pack) == 2 * 384
    h = P.DacSegmentHeader.unpack(pack[384:512])
    assert (h.buffer_size, h.channels, h.channel, h.channel_size, h.size_of_all_channels) == (384, 2, 2, 4, 512)
    assert (h.one_pack_mode, h.inf_mode, h.repeat_count, h.bits) == (1, 1, -1, 16)
    assert struct.unpack_from("<Q", pack, 16)[0] == 384


# ================================================================ part 2: rp_dac_sink against the emulator
def _gr():
    from gnuradio import blocks, gr, netstream

    return blocks, gr, netstream


def make_sink(emu: Emulator, outputs=(1,), input_type="short", dac_rate=1_000_000, block_size=1024, **kw):
    _, _, netstream = _gr()
    return netstream.rp_dac_sink(
        host=f"127.0.0.1:{emu.control_port}",
        outputs=list(outputs),
        input_type=input_type,
        dac_rate=dac_rate,
        block_size=block_size,
        data_port=emu.dac_reserved.port,
        **kw,
    )


def run_to_end(srcs, snk, timeout=30.0):
    from netstream_testing import stop_bounded

    blocks, gr, _ = _gr()
    tb = gr.top_block()
    for k, s in enumerate(srcs):
        tb.connect(s, (snk, k))
    tb.start()
    done = threading.Event()
    threading.Thread(target=lambda: (tb.wait(), done.set()), daemon=True).start()
    assert done.wait(timeout), "flowgraph did not end"
    stop_bounded(tb)
    return tb


def test_sink_short_two_outputs_sample_exact(board):
    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True)
    n = 512 * 3 + 200
    a, b = ramp(n, 0, 3), ramp(n, 77, 11)
    snk = make_sink(emu, (1, 2))
    run_to_end([blocks.vector_source_s(a.tolist()), blocks.vector_source_s(b.tolist())], snk)
    np.testing.assert_array_equal(emu.dac_played(1), a)
    np.testing.assert_array_equal(emu.dac_played(2), b)
    assert snk.counter("packs_sent") == 4
    assert emu.dac is None  # the sink sent 32 at the end of the stream
    assert emu.fatal_events == [] and emu.warn_events == []


def test_sink_float_quantisation_and_clips(board):
    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True, model=12)  # 250-12: 2 V full scale
    x = np.linspace(-2.5, 2.5, 1000).astype(np.float32)
    snk = make_sink(emu, (2,), input_type="float", model="250-12")
    run_to_end([blocks.vector_source_f(x.tolist())], snk)
    want = np.clip(np.rint(x.astype(np.float64) / 2.0 * 32767), -32767, 32767).astype(np.int16)
    got = emu.dac_played(2)
    assert len(got) == 1000
    assert np.max(np.abs(got.astype(int) - want.astype(int))) <= 1
    assert snk.counter("clips") == int(np.sum(np.abs(x / 2.0) * 32767 > 32767.5))
    assert snk.counter("clips") > 0
    assert emu.fatal_events == []


@pytest.mark.parametrize("count", [1, 3])
def test_sink_one_pack_repeat_count(board, count):
    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True)
    w = ramp(200, 5)
    snk = make_sink(emu, (1,), block_size=512, one_pack=True, repeat="count", repeat_count=count)
    run_to_end([blocks.vector_source_s(w.tolist())], snk)
    pipe = emu.dac_history[-1]
    assert pipe.repeats_played == count
    np.testing.assert_array_equal(emu.dac_played(1), np.tile(w, count))
    assert emu.fatal_events == []


def test_sink_one_pack_infinite_until_stop(board):
    from netstream_testing import stop_bounded

    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True)
    w = ramp(1000, 9)
    snk = make_sink(emu, (1,), block_size=512, one_pack=True, repeat="infinite")
    tb = gr.top_block()
    tb.connect(blocks.vector_source_s(w.tolist(), True), snk)
    tb.start()
    wait_until(lambda: emu.dac is not None and emu.dac.repeats_played >= 20, TIMEOUT, "20 repetitions")
    wait_until(lambda: snk.counter("items_ignored") > 0, TIMEOUT, "input after the waveform is ignored")
    stop_bounded(tb)
    pipe = emu.dac_history[-1]
    assert pipe.packs == 1 and emu.dac is None
    got = emu.dac_played(1)
    np.testing.assert_array_equal(got[: 256 * 20], np.tile(w[:256], 20))


def test_sink_counts_underflow(board):
    blocks, gr, _ = _gr()
    emu = board()  # paced at dac_rate
    gate = threading.Event()
    first = 512 * 2

    class Gate(gr.sync_block):
        def __init__(self):
            gr.sync_block.__init__(self, "gate", [np.int16], [np.int16])
            self.passed = 0

        def work(self, input_items, output_items):
            n = len(output_items[0])
            if self.passed >= first and not gate.is_set():
                gate.wait(0.05)
                return 0
            if not gate.is_set():
                n = min(n, first - self.passed)
            output_items[0][:n] = input_items[0][:n]
            self.passed += n
            return n

    x = ramp(512 * 4)
    snk = make_sink(emu, (1,), dac_rate=1_000_000, block_size=1024)
    g = Gate()
    from netstream_testing import stop_bounded

    tb = gr.top_block()
    tb.connect(blocks.vector_source_s(x.tolist()), g, snk)
    tb.start()
    try:
        wait_until(lambda: snk.counter("underflows") >= 1, TIMEOUT, "underflow counted")
    finally:
        gate.set()
    done = threading.Event()
    threading.Thread(target=lambda: (tb.wait(), done.set()), daemon=True).start()
    assert done.wait(30)
    stop_bounded(tb)
    # The gate gives one certain starvation; a loaded host may add more (they are real too).
    assert snk.counter("underflows") >= 1
    assert emu.dac_history[-1].underruns >= 1  # the board really starved
    np.testing.assert_array_equal(emu.dac_played(1), x)


@pytest.mark.parametrize(
    "kw",
    [
        {"outputs": [3]},
        {"outputs": [2, 1]},
        {"input_type": "int"},
        {"dac_rate": 125_000_001},
        {"dac_rate": 1000},
        {"block_size": 100},
        {"repeat": "count", "repeat_count": 2},
        {"repeat": "count", "repeat_count": 0, "one_pack": True},
        {"repeat": "sometimes", "one_pack": True},
        {"model": "4-input"},
        {"model": "nope"},
        {"host": ""},
        {"dac_size": 1000},
        {"reconnect": "maybe"},
    ],
)
def test_sink_bad_parameters(kw):
    _, _, netstream = _gr()
    args = {"host": "127.0.0.1", "outputs": [1], "input_type": "float", "dac_rate": 1_000_000, "block_size": 1024}
    args.update(kw)
    with pytest.raises(ValueError):
        netstream.rp_dac_sink(**args)


def test_sink_stop_is_bounded_without_a_board():
    from netstream_testing import free_tcp_port, stop_bounded

    blocks, gr, netstream = _gr()
    port = free_tcp_port()
    snk = netstream.rp_dac_sink(host=f"127.0.0.1:{port}", outputs=[1], input_type="short", block_size=1024)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_s([1, 2, 3], True), snk)
    tb.start()
    wait_until(lambda: snk.last_error() != "", TIMEOUT, "connect error reported")
    assert stop_bounded(tb) < 10
    assert not snk.connected()


def test_sink_p2_board(board):
    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True, proto="p2")
    a, b = ramp(700, 1), ramp(700, 2)
    snk = make_sink(emu, (1, 2))
    run_to_end([blocks.vector_source_s(a.tolist()), blocks.vector_source_s(b.tolist())], snk)
    np.testing.assert_array_equal(emu.dac_played(1), a)
    np.testing.assert_array_equal(emu.dac_played(2), b)
    assert snk.protocol() == "p2" and emu.fatal_events == []


def test_sink_p2_refuses_out2_alone_before_sending_anything(board):
    from netstream_testing import stop_bounded

    blocks, gr, _ = _gr()
    emu = board(dac_max_rate=True, proto="p2")
    snk = make_sink(emu, (2,))
    tb = gr.top_block()
    tb.connect(blocks.vector_source_s([1, 2, 3], True), snk)
    tb.start()
    wait_until(lambda: "OUT2 alone" in snk.last_error(), TIMEOUT, "rejection")
    stop_bounded(tb)
    assert emu.dac_history == [] and emu.fatal_events == []
