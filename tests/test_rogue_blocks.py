# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""QA for the Rogue stream-bridge blocks (rogue_source, rogue_sink, rogue_pdu_source,
rogue_pdu_sink) against the fake Rogue peer (tests/peers/fake_rogue.py), raw pyzmq
sockets and the golden messages in tests/fixtures/rogue/ (spec rogue-stream-bridge.md).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pmt
import pytest
import zmq
from gnuradio import blocks, gr, netstream
from gnuradio import pdu as pdu_blocks
from netstream_testing import running, stop_bounded, stop_with_a_lent_frame_held, wait_until
from peers.fake_rogue import FakeRogue, RogueFrame, load_golden_parts

pytestmark = pytest.mark.timeout(120)

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "rogue"
FAKE_ROGUE = HERE / "peers" / "fake_rogue.py"
TIMEOUT = 10.0


# ---------------------------------------------------------------------- helpers
def golden(name: str) -> tuple[RogueFrame, list[bytes]]:
    """The frame and the exact wire parts of golden message ``name``."""
    parts = load_golden_parts(FIXTURES / f"{name}.txt")
    frame = RogueFrame(int.from_bytes(parts[0], "little"), parts[1][0], parts[2][0], parts[3])
    return frame, parts


def tags_by_offset(sink) -> dict[int, dict[str, object]]:
    out: dict[int, dict[str, object]] = {}
    for tag in sink.tags():
        out.setdefault(tag.offset, {})[pmt.symbol_to_string(tag.key)] = pmt.to_python(tag.value)
    return out


def expected_tags(frame: RogueFrame, items: int, seq: int, length: int | None = None) -> dict[str, object]:
    return {
        "packet_len": items,
        "rogue_flags": frame.flags,
        "rogue_fuser": frame.flags & 0xFF,
        "rogue_luser": frame.flags >> 8,
        "rogue_chan": frame.chan,
        "rogue_err": frame.err,
        "rogue_len": len(frame.payload) if length is None else length,
        "rogue_seq": seq,
    }


def stream_tags(frames: list[tuple[int, dict[str, int]]]) -> list[gr.tag_t]:
    """Tags for a vector source: (offset, {key: value}) per frame start."""
    tags = []
    for offset, kv in frames:
        for key, value in kv.items():
            tags.append(gr.tag_utils.python_to_tag((offset, pmt.intern(key), pmt.from_long(value), pmt.PMT_F)))
    return tags


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


@pytest.fixture
def fake_server() -> Iterator[FakeRogue]:
    with FakeRogue("server", "127.0.0.1", 0) as peer:
        yield peer


def source_graph(src, itemsize: int = 1):
    tb = gr.top_block()
    sink = blocks.vector_sink_b() if itemsize == 1 else blocks.vector_sink_i()
    tb.connect(src, sink)
    return tb, sink


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "make",
    [
        lambda: netstream.rogue_source("peer", "127.0.0.1", 9000, 1),
        lambda: netstream.rogue_source("client", "127.0.0.1", 9000, 4, 1, 256),
        lambda: netstream.rogue_source("client", "127.0.0.1", 9000, 4, 1, -1, False, "truncate"),
        lambda: netstream.rogue_source("client", "127.0.0.1", 9000, 4, 0),
        lambda: netstream.rogue_source("client", "127.0.0.1", 65535, 4),
        lambda: netstream.rogue_source("client", "*", 9000, 4),
        lambda: netstream.rogue_sink("client", "127.0.0.1", 9000, 1, 1, "", 0),
        lambda: netstream.rogue_sink("client", "127.0.0.1", 9000, 1, 1, "packet_len", 0, 0x10000),
        lambda: netstream.rogue_sink("client", "127.0.0.1", 9000, 1, 1, "packet_len", 0, 0, 256),
        lambda: netstream.rogue_sink("client", "127.0.0.1", 9000, 1, timeout_ms=0),
        lambda: netstream.rogue_pdu_source("client", "127.0.0.1", 9000, -2),
        lambda: netstream.rogue_pdu_sink("server", "127.0.0.1", 9000, 0, 0, 256),
    ],
)
def test_bad_parameters_raise_value_error(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_base_port_of_each_role() -> None:
    src = netstream.rogue_source("server", "127.0.0.1", 0, 1)
    assert src.last_endpoint().endswith(f":{src.base_port()}")  # PULL binds P
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 1, frame_items=1)
    assert snk.last_endpoint().endswith(f":{snk.base_port() + 1}")  # PUSH binds P+1
    assert netstream.rogue_source("client", "127.0.0.1", 7000, 1).last_endpoint() == "tcp://127.0.0.1:7001"
    assert netstream.rogue_sink("client", "127.0.0.1", 7000, 1).last_endpoint() == "tcp://127.0.0.1:7000"
    assert netstream.rogue_pdu_source("client", "127.0.0.1", 7000).last_endpoint() == "tcp://127.0.0.1:7001"
    assert netstream.rogue_pdu_sink("client", "127.0.0.1", 7000).last_endpoint() == "tcp://127.0.0.1:7000"


# ---------------------------------------------------------------------- source: decode
def test_source_client_decodes_golden_messages(fake_server: FakeRogue) -> None:
    """Our source as a client of a (fake) Rogue TcpServer: G1..G3 bytes and tags exact."""
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 1)
    tb, sink = source_graph(src)
    frames = [golden(n)[0] for n in ("G1", "G2", "G3")]
    total = sum(len(f.payload) for f in frames)
    with running(tb):
        for f in frames:
            fake_server.send(f)  # blocks until our PULL is connected, like Rogue
        wait_until(lambda: len(sink.data()) >= total, TIMEOUT, "all golden payloads")
    assert bytes(sink.data()) == b"".join(f.payload for f in frames)
    offset = 0
    want = {}
    for seq, f in enumerate(frames):
        want[offset] = expected_tags(f, len(f.payload), seq)
        offset += len(f.payload)
    assert tags_by_offset(sink) == want
    c = src.counters()
    assert (c["frames_in"], c["frames_out"], c["items_out"], c["malformed"]) == (3, 3, total, 0)
    assert c["bytes_in"] == total + 3 * 4


def test_source_server_receives_from_fake_rogue_client() -> None:
    """Our source bound like a Rogue TcpServer; a (fake) Rogue TcpClient sends G5 to it."""
    src = netstream.rogue_source("server", "127.0.0.1", 0, 1)
    tb, sink = source_graph(src)
    frame, _ = golden("G5")
    with running(tb), FakeRogue("client", "127.0.0.1", src.base_port()) as client:
        client.send(frame)
        wait_until(lambda: len(sink.data()) >= len(frame.payload), TIMEOUT, "G5 payload")
    assert bytes(sink.data()) == frame.payload
    assert tags_by_offset(sink) == {0: expected_tags(frame, 11, 0)}


def test_source_typed_items_and_vlen(fake_server: FakeRogue) -> None:
    """int16 items, vlen 2: 8 bytes -> 2 vector items; packet_len counts vector items."""
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 2, 2)
    tb = gr.top_block()
    sink = blocks.vector_sink_s(2)
    tb.connect(src, sink)
    payload = b"".join(v.to_bytes(2, "little", signed=True) for v in (1, -2, 300, -32768))
    with running(tb):
        fake_server.send(RogueFrame(0x0001, 4, 0, payload))
        wait_until(lambda: len(sink.data()) >= 4, TIMEOUT, "4 shorts")
    assert list(sink.data()) == [1, -2, 300, -32768]
    assert tags_by_offset(sink)[0]["packet_len"] == 2


def test_source_rejects_malformed_and_empty_messages(fake_server: FakeRogue) -> None:
    """G7-like input: wrong part counts, bad header sizes and an empty payload are counted."""
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 1)
    tb, sink = source_graph(src)
    good = RogueFrame(0x1234, 7, 0, b"ok")
    with running(tb):
        fake_server.send_raw([b"\x00\x00", b"\x01", b"xyz"])  # 3 parts
        fake_server.send_raw([b"\x00\x00", b"\x01", b"\x00", b"a", b"b"])  # 5 parts
        fake_server.send_raw([b"\x00\x00\x00", b"\x01", b"\x00", b"abc"])  # 3-byte flags
        fake_server.send_raw([b"\x00\x00", b"\x01\x02", b"\x00", b"abc"])  # 2-byte chan
        fake_server.send_raw([b"\x00\x00", b"\x01", b"", b"abc"])  # 0-byte err
        fake_server.send_raw([b"\x00\x00", b"\x01", b"\x00", b""])  # empty payload
        fake_server.send(good)
        wait_until(lambda: len(sink.data()) >= 2, TIMEOUT, "the good frame")
    assert bytes(sink.data()) == b"ok"
    c = src.counters()
    assert c["malformed"] == 6
    assert c["malformed.wrong_part_count"] == 2
    assert c["malformed.bad_flags_size"] == 1
    assert c["malformed.bad_chan_size"] == 1
    assert c["malformed.bad_err_size"] == 1
    assert c["malformed.empty_payload"] == 1
    assert tags_by_offset(sink)[0]["rogue_seq"] == 0


def test_source_channel_filter_and_drop_errors(fake_server: FakeRogue) -> None:
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 1, 1, 2, True)
    assert (src.channel_filter(), src.drop_errors()) == (2, True)
    tb, sink = source_graph(src)
    sent = [
        RogueFrame(0, 1, 0, b"A"),
        RogueFrame(0, 2, 0, b"B"),
        RogueFrame(0, 2, 1, b"C"),  # error -> dropped
        RogueFrame(0, 3, 0, b"D"),
        RogueFrame(0, 2, 0, b"E"),
    ]
    with running(tb):
        for f in sent:
            fake_server.send(f)
        wait_until(lambda: src.counter("frames_in") == 5, TIMEOUT, "5 frames in")
        wait_until(lambda: len(sink.data()) >= 2, TIMEOUT, "2 frames out")
    assert bytes(sink.data()) == b"BE"
    c = src.counters()
    assert (c["filtered_channel"], c["dropped_errors"], c["drops"], c["frames_out"]) == (2, 1, 3, 2)
    assert [t["rogue_seq"] for _, t in sorted(tags_by_offset(sink).items())] == [0, 1]


def test_source_channel_filter_all_and_errors_kept(fake_server: FakeRogue) -> None:
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 1)
    src.set_channel_filter(-1)
    tb, sink = source_graph(src)
    with running(tb):
        for chan, err in ((1, 0), (2, 9), (3, 0)):
            fake_server.send(RogueFrame(0, chan, err, bytes([chan])))
        wait_until(lambda: len(sink.data()) >= 3, TIMEOUT, "3 frames")
    assert bytes(sink.data()) == b"\x01\x02\x03"
    assert [t["rogue_err"] for _, t in sorted(tags_by_offset(sink).items())] == [0, 9, 0]


@pytest.mark.parametrize("policy", ["drop", "pad"])
def test_source_partial_payload_policy(fake_server: FakeRogue, policy: str) -> None:
    """4-byte items; payloads of 8, 6 and 4 bytes."""
    src = netstream.rogue_source("client", "127.0.0.1", fake_server.base_port, 4, 1, -1, False, policy)
    tb, sink = source_graph(src, itemsize=4)
    frames = [
        RogueFrame(0, 0, 0, (1).to_bytes(4, "little") + (2).to_bytes(4, "little")),
        RogueFrame(0, 1, 0, (3).to_bytes(4, "little") + b"\x04\x00"),
        RogueFrame(0, 2, 0, (5).to_bytes(4, "little")),
    ]
    want_items = 5 if policy == "pad" else 3
    with running(tb):
        for f in frames:
            fake_server.send(f)
        wait_until(lambda: len(sink.data()) >= want_items, TIMEOUT, f"{want_items} items")
    tags = tags_by_offset(sink)
    c = src.counters()
    if policy == "drop":
        assert list(sink.data()) == [1, 2, 5]
        assert (c["dropped_partial"], c["padded_partial"], c["drops"]) == (1, 0, 1)
        assert tags == {0: expected_tags(frames[0], 2, 0), 2: expected_tags(frames[2], 1, 1)}
    else:
        assert list(sink.data()) == [1, 2, 3, 4, 5]  # 04 00 padded with 00 00
        assert (c["dropped_partial"], c["padded_partial"], c["drops"]) == (0, 1, 0)
        assert tags[2] == expected_tags(frames[1], 2, 1, length=6)
        assert tags[4] == expected_tags(frames[2], 1, 2)


# ---------------------------------------------------------------------- sink: encode
def sink_graph(snk, payloads: list[bytes], metas: list[dict[str, int]] | None = None, len_tags: bool = True):
    data = b"".join(payloads)
    frames = []
    offset = 0
    for i, p in enumerate(payloads):
        kv = dict(metas[i]) if metas else {}
        if len_tags:
            kv["packet_len"] = len(p)
        frames.append((offset, kv))
        offset += len(p)
    src = blocks.vector_source_b(list(data), False, 1, stream_tags(frames))
    tb = gr.top_block()
    tb.connect(src, snk)
    return tb


@pytest.mark.parametrize("name", ["G4", "G5", "G1"])
def test_sink_client_is_byte_exact(ctx: zmq.Context, name: str) -> None:
    """Our sink as a client: what reaches a raw PULL bound on P equals the golden parts."""
    frame, parts = golden(name)
    pull = raw_socket(ctx, zmq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    port = int(pull.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
    snk = netstream.rogue_sink("client", "127.0.0.1", port, 1)
    tb = sink_graph(
        snk, [frame.payload], [{"rogue_flags": frame.flags, "rogue_chan": frame.chan, "rogue_err": frame.err}]
    )
    with running(tb):
        got = pull.recv_multipart()
    assert got == parts
    assert snk.counter("frames_out") == 1
    assert snk.counter("bytes_out") == len(frame.payload) + 4


def test_sink_user_bytes_are_ored_without_flags_tag(ctx: zmq.Context) -> None:
    """G2: rogue_fuser 0x02 + rogue_luser 0x01 (no rogue_flags) -> flags 0x0102 on the wire."""
    _, parts = golden("G2")
    pull = raw_socket(ctx, zmq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    port = int(pull.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
    snk = netstream.rogue_sink("client", "127.0.0.1", port, 1)
    tb = sink_graph(snk, [b"abcd"], [{"rogue_fuser": 2, "rogue_luser": 1}])
    with running(tb):
        assert pull.recv_multipart() == parts


def test_sink_server_to_fake_rogue_client_g6() -> None:
    """Our sink bound like a Rogue TcpServer (PUSH on P+1); G6 parameters, fixed frame size."""
    frame, parts = golden("G6")
    snk = netstream.rogue_sink(
        "server", "127.0.0.1", 0, 1, 1, "", len(frame.payload), frame.flags, frame.chan, frame.err
    )
    with FakeRogue("client", "127.0.0.1", snk.base_port()) as client:
        tb = sink_graph(snk, [frame.payload, frame.payload], len_tags=False)
        with running(tb):
            got = client.wait_for_frames(2, TIMEOUT)
    assert got == [frame, frame]
    assert [int(x) for x in parts[0]] == [0x00, 0xFF]


def test_sink_server_raw_peer_gets_exact_parts_and_vlen(ctx: zmq.Context) -> None:
    """float items, vlen 2, packet_len in vector items; a raw PULL connected to P+1."""
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 4, 2, "packet_len", 0, 0xFF00, 5, 0)
    pull = raw_socket(ctx, zmq.PULL)
    pull.connect(f"tcp://127.0.0.1:{snk.base_port() + 1}")
    values = [1.0, -2.0, 0.5, 4.0]
    src = blocks.vector_source_f(values, False, 2, stream_tags([(0, {"packet_len": 2})]))
    tb = gr.top_block()
    tb.connect(src, snk)
    with running(tb):
        got = pull.recv_multipart()
    assert got == [b"\x00\xff", b"\x05", b"\x00", struct.pack("<4f", *values)]


def test_sink_large_frames_in_reused_buffers_are_byte_exact(ctx: zmq.Context) -> None:
    """Frames >= 64 KiB go out of pooled, reused buffers: every frame keeps its own bytes."""
    size, count = 96 * 1024, 12  # more frames than the pool keeps idle buffers
    data = bytes((i * 7 + i // size) % 251 for i in range(size * count))
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 1, 1, "", size, 0, 0, 0)
    pull = raw_socket(ctx, zmq.PULL)
    pull.connect(f"tcp://127.0.0.1:{snk.base_port() + 1}")
    tb = gr.top_block()
    tb.connect(blocks.vector_source_b(list(data), False), snk)
    with running(tb):
        got = [pull.recv_multipart() for _ in range(count)]
    assert [g[3] for g in got] == [data[i * size : (i + 1) * size] for i in range(count)]
    assert snk.counter("frames_out") == count
    # Frames that are whole in the input go out without a copy (lent to ZeroMQ): the
    # bytes above prove the items were not overwritten before ZeroMQ gave them back.
    assert 1 <= snk.counter("frames_lent") <= count


def test_sink_lent_frame_held_by_a_stalled_peer_is_dropped_at_stop_and_counted(ctx: zmq.Context) -> None:
    """A peer that never reads: the frame lent to ZeroMQ cannot be given back, so stop()
    closes the socket (dropping it, counted) within a bounded time; the block then
    runs again on the same port and delivers exact frames to a reading peer."""
    size = 256 * 1024
    pattern = bytes(i % 253 for i in range(size))
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 1, 1, "", size, 0, 0, 0, 100)
    port = snk.base_port()
    tb = gr.top_block()
    tb.connect(blocks.vector_source_b(list(pattern), True), snk)
    stop_with_a_lent_frame_held(tb, snk, ctx, f"tcp://127.0.0.1:{port + 1}")
    assert snk.base_port() == port

    reader = raw_socket(ctx, zmq.PULL)
    reader.connect(f"tcp://127.0.0.1:{port + 1}")
    before = snk.counter("frames_out")
    with running(tb):
        got = [reader.recv_multipart() for _ in range(3)]
    assert snk.counter("frames_out") > before
    # vector_source resumes where it stopped, so frames are rotations of the pattern.
    assert all(len(g[3]) == size and g[3] in pattern + pattern for g in got)


def test_sink_never_sends_an_empty_payload() -> None:
    """packet_len 3, 0, 2 -> two frames; the fake Rogue sees no empty part (G8 would lose two)."""
    with FakeRogue("server", "127.0.0.1", 0) as server:
        snk = netstream.rogue_sink("client", "127.0.0.1", server.base_port, 1)
        data = list(b"abcde")
        tags = stream_tags(
            [(0, {"packet_len": 3, "rogue_chan": 1}), (3, {"packet_len": 0}), (3, {"packet_len": 2, "rogue_chan": 3})]
        )
        tb = gr.top_block()
        tb.connect(blocks.vector_source_b(data, False, 1, tags), snk)
        with running(tb):
            got = server.wait_for_frames(2, TIMEOUT)
            wait_until(lambda: snk.counter("empty_frames_skipped") == 1, TIMEOUT, "skip counted")
        assert got == [RogueFrame(0, 1, 0, b"abc"), RogueFrame(0, 3, 0, b"de")]
        assert dict(server.drops) == {}
    assert snk.counter("frames_out") == 2


def test_sink_items_without_length_tag_are_counted(ctx: zmq.Context) -> None:
    pull = raw_socket(ctx, zmq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    port = int(pull.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
    snk = netstream.rogue_sink("client", "127.0.0.1", port, 1)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_b(list(b"xxhey"), False, 1, stream_tags([(2, {"packet_len": 3})])), snk)
    with running(tb):
        assert pull.recv_multipart() == [b"\x00\x00", b"\x00", b"\x00", b"hey"]
        wait_until(lambda: snk.counter("items_without_frame") == 2, TIMEOUT, "2 stray items")


def test_sink_drop_on_timeout_counts_every_frame() -> None:
    """No peer: with ZMQ_IMMEDIATE nothing queues; each frame waits timeout_ms then is dropped."""
    snk = netstream.rogue_sink("client", "127.0.0.1", 1, 1, 1, "", 4, 0, 0, 0, 20, True)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_b(list(range(12)), False), snk)
    with running(tb):
        wait_until(lambda: snk.counter("dropped_timeout") == 3, TIMEOUT, "3 drops")
    c = snk.counters()
    assert (c["drops"], c["frames_out"], c["items_in"]) == (3, 0, 12)


def test_sink_refuses_oversized_frame_before_allocating_it() -> None:
    """2^30 items of 8 bytes exceed Rogue's u32 payload: counted at the frame start, items skipped."""
    snk = netstream.rogue_sink("client", "127.0.0.1", 1, 8, 1, "", 1 << 30, 0, 0, 0, 20, True)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_c([1j] * 16, False), snk)
    with running(tb):
        wait_until(lambda: snk.counter("items_in") == 16, TIMEOUT, "16 items consumed")
    c = snk.counters()
    assert (c["malformed"], c["malformed.payload_too_large"], c["frames_out"]) == (1, 1, 0)


def test_sink_keep_blocking_delivers_after_late_peer() -> None:
    """Keep-blocking mode: the peer comes late; nothing is lost, even after the source ended."""
    snk = netstream.rogue_sink("server", "127.0.0.1", 0, 1, 1, "", 3, 0, 0, 0, 20, False)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_b(list(b"abcdef"), False), snk)
    with running(tb):
        with FakeRogue("client", "127.0.0.1", snk.base_port()) as client:
            got = client.wait_for_frames(2, TIMEOUT)
    assert [f.payload for f in got] == [b"abc", b"def"]
    assert snk.counter("drops") == 0


# ---------------------------------------------------------------------- PDUs
def post(block, pdu) -> None:
    block.to_basic_block()._post(pmt.intern("pdus"), pdu)


def feed_from_python(tb: gr.top_block, psink) -> None:
    """Puts a PDU sink in the graph (an idle upstream); the test posts PDUs to it."""
    tb.msg_connect(pdu_blocks.pdu_set(pmt.intern("unused"), pmt.PMT_T), "pdus", psink, "pdus")


def pdu(payload: bytes, **meta: int):
    d = pmt.make_dict()
    for k, v in meta.items():
        d = pmt.dict_add(d, pmt.intern(k), pmt.from_long(v))
    return pmt.cons(d, pmt.init_u8vector(len(payload), list(payload)))


def test_pdu_round_trip_sink_server_to_source_client() -> None:
    psink = netstream.rogue_pdu_sink("server", "127.0.0.1", 0, 0x0011, 9, 0)
    psrc = netstream.rogue_pdu_source("client", "127.0.0.1", psink.base_port())
    dbg = blocks.message_debug()
    tb = gr.top_block()
    tb.msg_connect(psrc, "pdus", dbg, "store")
    feed_from_python(tb, psink)
    with running(tb):
        post(psink, pdu(b"hello-rogue", rogue_flags=0x1234, rogue_chan=7, rogue_err=0x80))
        post(psink, pdu(b"defaults"))
        post(psink, pdu(b"users", rogue_fuser=2, rogue_luser=1))
        post(psink, pdu(b""))  # never sent
        wait_until(lambda: dbg.num_messages() >= 3, TIMEOUT, "3 PDUs")
        wait_until(lambda: psink.counter("empty_frames_skipped") == 1, TIMEOUT, "empty skipped")
    got = [dbg.get_message(i) for i in range(dbg.num_messages())]
    assert len(got) == 3
    payloads = [bytes(pmt.u8vector_elements(pmt.cdr(m))) for m in got]
    metas = [pmt.to_python(pmt.car(m)) for m in got]
    assert payloads == [b"hello-rogue", b"defaults", b"users"]
    assert metas[0] == {
        "rogue_flags": 0x1234,
        "rogue_fuser": 0x34,
        "rogue_luser": 0x12,
        "rogue_chan": 7,
        "rogue_err": 0x80,
        "rogue_len": 11,
        "rogue_seq": 0,
    }
    assert (metas[1]["rogue_flags"], metas[1]["rogue_chan"], metas[1]["rogue_err"]) == (0x0011, 9, 0)
    assert metas[2]["rogue_flags"] == 0x0113 and metas[2]["rogue_seq"] == 2  # 0x11 | 0x02 | 0x01 << 8
    assert psink.counter("frames_out") == 3


def test_pdu_source_filters_and_sink_rejects_non_pdus(fake_server: FakeRogue) -> None:
    psrc = netstream.rogue_pdu_source("client", "127.0.0.1", fake_server.base_port, 2, True)
    dbg = blocks.message_debug()
    psink = netstream.rogue_pdu_sink("client", "127.0.0.1", fake_server.base_port)
    tb = gr.top_block()
    tb.msg_connect(psrc, "pdus", dbg, "store")
    feed_from_python(tb, psink)
    with running(tb):
        for chan, err in ((1, 0), (2, 0), (2, 5), (2, 0)):
            fake_server.send(RogueFrame(0, chan, err, bytes([chan, err])))
        wait_until(lambda: psrc.counter("frames_in") == 4, TIMEOUT, "4 frames in")
        wait_until(lambda: dbg.num_messages() == 2, TIMEOUT, "2 PDUs")
        post(psink, pmt.intern("not a pdu"))
        post(psink, pdu(b"to-rogue", rogue_chan=300))  # bad value: counted, default used
        got = fake_server.wait_for_frames(1, TIMEOUT)
        wait_until(lambda: psink.counter("malformed.not_a_pdu") == 1, TIMEOUT, "not_a_pdu")
    assert got == [RogueFrame(0, 0, 0, b"to-rogue")]
    assert psink.counter("malformed.bad_metadata_value") == 1
    assert (psrc.counter("filtered_channel"), psrc.counter("dropped_errors")) == (1, 1)


# ---------------------------------------------------------------------- peer death, stop()
def start_peer(role: str, port: int, tmp: Path, *args: str) -> tuple[subprocess.Popen, dict]:
    ready = tmp / f"ready-{time.monotonic_ns()}.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(FAKE_ROGUE),
            "--role",
            role,
            "--port",
            str(port),
            "--ready-file",
            str(ready),
            "--duration",
            "30",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: ready.exists() or proc.poll() is not None, TIMEOUT, "fake Rogue ready")
    except AssertionError:
        proc.kill()
        raise
    if proc.poll() is not None:
        raise AssertionError(f"fake Rogue exited: {proc.communicate()}")
    return proc, json.loads(ready.read_text())


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_source_and_sink_survive_peer_death_and_reconnect(tmp_path: Path) -> None:
    peer, info = start_peer("server", 0, tmp_path, "--send", "0:1:0:616263")
    port = info["base_port"]
    src = netstream.rogue_source("client", "127.0.0.1", port, 1)
    snk = netstream.rogue_sink("client", "127.0.0.1", port, 1, 1, "", 2)
    tb, vsink = source_graph(src)
    vsrc = blocks.vector_source_b(list(b"zz"), True)
    tb.connect(vsrc, snk)
    try:
        with running(tb):
            wait_until(lambda: len(vsink.data()) >= 3, TIMEOUT, "first frame")
            peer.kill()  # dies without a goodbye, as Rogue does
            peer.communicate(timeout=TIMEOUT)
            wait_until(lambda: src.counter("disconnects") >= 1, TIMEOUT, "disconnect seen")
            record = tmp_path / "rec.jsonl"
            peer, _ = start_peer(
                "server", port, tmp_path, "--send", "0:2:0:646566", "--record", str(record), "--expect", "3"
            )
            wait_until(lambda: len(vsink.data()) >= 6, TIMEOUT, "frame after reconnect")
            summary = finish(peer)
    finally:
        if peer.poll() is None:
            peer.kill()
            peer.communicate()
    assert bytes(vsink.data()) == b"abcdef"
    assert [t["rogue_chan"] for _, t in sorted(tags_by_offset(vsink).items())] == [1, 2]
    assert summary["received"] >= 3 and summary["drops"] == {}
    recorded = [json.loads(line) for line in record.read_text().splitlines()]
    assert recorded[0] == {"flags": 0, "chan": 0, "err": 0, "payload_hex": "7a7a"}
    assert all(r == recorded[0] for r in recorded)
    assert src.counter("reconnects") >= 1 and src.counter("connects") >= 2


@pytest.mark.parametrize("which", ["source", "sink", "pdu_source", "pdu_sink"])
def test_stop_is_bounded_without_peer(which: str) -> None:
    """No peer at all, keep-blocking sinks with data pending: stop() returns promptly."""
    tb = gr.top_block()
    blk = None
    if which == "source":
        blk = netstream.rogue_source("client", "127.0.0.1", 1, 1)
        tb.connect(blk, blocks.null_sink(1))
    elif which == "sink":
        blk = netstream.rogue_sink("client", "127.0.0.1", 1, 1, 1, "", 4)
        tb.connect(blocks.vector_source_b([1, 2, 3, 4], True), blk)
    elif which == "pdu_source":
        blk = netstream.rogue_pdu_source("client", "127.0.0.1", 1)
        tb.msg_connect(blk, "pdus", blocks.message_debug(), "store")
    else:
        blk = netstream.rogue_pdu_sink("client", "127.0.0.1", 1)
        strobe = blocks.message_strobe(pdu(b"x"), 10)
        tb.msg_connect(strobe, "strobe", blk, "pdus")
    tb.start()
    took = stop_bounded(tb, 5.0)
    assert took < 5.0
    assert blk.counter("frames_out") == 0


# ---------------------------------------------------------------------- example flowgraph
def test_rogue_monitor_example_compiles_and_runs(tmp_path: Path) -> None:
    """examples/rogue_monitor.grc: grcc compiles it; with a fake Rogue server streaming and
    max_items = 8 frames, the script ends by itself and the file holds the first 8 frames.

    The peer sends more than the source's output buffer holds: a GNU Radio source only
    learns that its downstream (Head) is done when its output buffer is full, so a
    peer that stops exactly at max_items would leave the graph waiting. The source asks
    for a 256 KiB output buffer (128 Ki int16 items; see input_coalescer.h), so the peer
    sends 700 frames of 256 items."""
    import os
    import shutil

    grcc = shutil.which("grcc")
    if grcc is None:
        pytest.skip("grcc not installed")
    env = dict(os.environ, GRC_BLOCKS_PATH=str(HERE.parent / "grc"))
    subprocess.run(
        [grcc, "-o", str(tmp_path), str(HERE.parent / "examples" / "rogue_monitor.grc")],
        check=True,
        capture_output=True,
        timeout=60,
        env=env,
    )
    frames = [bytes([i % 256]) * 512 for i in range(700)]  # 256 int16 items each
    sends = [arg for i, f in enumerate(frames) for arg in ("--send", f"0:{i % 2}:0:{f.hex()}")]
    peer, info = start_peer("server", 0, tmp_path, *sends)
    out = tmp_path / "full_rate.s16"
    try:
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        run = subprocess.run(
            [
                sys.executable,
                str(tmp_path / "rogue_monitor.py"),
                "-p",
                str(info["base_port"]),
                "-m",
                "2048",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert run.returncode == 0, run.stderr
    finally:
        peer.kill()
        peer.communicate()
    assert out.read_bytes() == b"".join(frames[:8])
