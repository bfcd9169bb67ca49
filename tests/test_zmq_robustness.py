# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""doppler ZMQ blocks under hostile input, gaps, restarts, stalled peers and stop();
the shared base (counters, cmd and status ports, tags) seen through these blocks.

The raw peer here is pyzmq writing the v1 wire from the spec (struct '<6I2Q2dQ4Q').
"""

from __future__ import annotations

import struct
import time

import numpy as np
import pmt
import pytest
import zmq
from gnuradio import blocks, gr, netstream
from netstream_testing import running, status_collector, stop_bounded, stop_with_a_lent_frame_held, wait_until

pytestmark = pytest.mark.timeout(120)

MAGIC = 0x53494753
HDR = struct.Struct("<6I2Q2dQ4Q")


def header(n, seq=0, stype=5, rate=1e6, freq=1e8, ts=0, magic=MAGIC):
    return HDR.pack(magic, 0x00010000, 0, 0, stype, 0, seq, ts, rate, freq, n, 0, 0, 0, 0)


def cf32(values) -> bytes:
    return np.asarray(values, dtype=np.complex64).tobytes()


@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


def pull_graph(endpoint: str, bind: bool = False):
    tb = gr.top_block()
    src = netstream.zmq_pull_source(endpoint, bind, 0, 50)
    sink = blocks.vector_sink_c()
    tb.connect(src, sink)
    return tb, src, sink


def test_hostile_frames_are_counted_by_reason_and_good_frames_pass(ctx):
    tb, src, sink = pull_graph("tcp://127.0.0.1:0", bind=True)
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(src.last_endpoint())
    good = [cf32(np.arange(4) + 10 * k) for k in range(9)]
    hostile = [
        ("wrong_part_count", [header(4, 0)]),  # 1 part
        ("wrong_part_count", [header(4, 0), good[0], b"extra"]),  # 3 parts
        ("bad_header_size", [header(4, 0)[:64], good[0]]),  # short header
        ("bad_header_size", [header(4, 0) + b"\0", good[0]]),  # 97 bytes
        ("bad_magic", [header(4, 0, magic=0x12345678), good[0]]),
        ("unknown_type", [header(4, 0, stype=6), good[0]]),
        ("unsupported_type_cf128", [header(4, 0, stype=2), b"\0" * 128]),
        ("payload_size_mismatch", [header(5, 0), good[0]]),  # num_samples larger than payload
        ("payload_size_mismatch", [header(3, 0), good[0]]),  # smaller
        ("payload_size_mismatch", [header(1 << 40, 0), good[0]]),  # huge claim
        ("payload_size_mismatch", [header(4, 0), b""]),  # empty payload, non-zero count
    ]
    with running(tb):
        seq = 0
        for k, (_, parts) in enumerate(hostile):
            push.send_multipart(parts)
            push.send_multipart([header(4, seq), good[k % 9]])
            seq += 1
        wait_until(lambda: len(sink.data()) >= 4 * len(hostile), 10, "good frames")
    data = np.array(sink.data())
    expect = np.concatenate([np.frombuffer(good[k % 9], np.complex64) for k in range(len(hostile))])
    np.testing.assert_array_equal(data, expect)
    c = src.counters()
    assert c["malformed"] == len(hostile)
    for reason in {r for r, _ in hostile}:
        assert c[f"malformed.{reason}"] == sum(1 for r, _ in hostile if r == reason), reason
    assert c["frames_in"] == len(hostile)  # only the good ones
    assert c["gaps"] == 0


def test_huge_frame_is_accepted_whole(ctx):
    tb, src, sink = pull_graph("tcp://127.0.0.1:0", bind=True)
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(src.last_endpoint())
    n = 1 << 21  # 2 Mi samples, 16 MiB
    x = (np.arange(n) % 1000).astype(np.complex64)
    with running(tb):
        push.send_multipart([header(n, 0), x.tobytes()])
        wait_until(lambda: len(sink.data()) >= n, 30, "huge frame")
    np.testing.assert_array_equal(np.array(sink.data()), x)


def test_gap_and_restart_are_counted_and_tagged(ctx):
    tb, src, sink = pull_graph("tcp://127.0.0.1:0", bind=True)
    dbg, status = status_collector()
    tb.msg_connect(src, "status", dbg, "store")
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(src.last_endpoint())
    seqs = [0, 1, 2, 5, 6, 0, 1]
    with running(tb):
        for s in seqs:
            push.send_multipart([header(2, s), cf32([s, s])])
        wait_until(lambda: len(sink.data()) >= 2 * len(seqs), 10, "frames")
        wait_until(lambda: any(m.get("event") == "restart" for m in status()), 5, "restart status")
    c = src.counters()
    assert c["gaps"] == 1 and c["frames_missing"] == 2 and c["restarts"] == 1
    tags = [(t.offset, pmt.symbol_to_string(t.key), t.value) for t in sink.tags()]
    gap = [(o, pmt.to_uint64(v)) for o, k, v in tags if k == "dp_gap"]
    restart = [(o, pmt.to_uint64(v)) for o, k, v in tags if k == "dp_restart"]
    assert gap == [(6, 2)]  # first sample of the frame with sequence 5
    assert restart == [(10, 0)]
    events = [m["event"] for m in status()]
    assert "gap" in events and "restart" in events
    gap_msg = next(m for m in status() if m["event"] == "gap")
    assert "2 frame(s) missing" in gap_msg["detail"]


def test_pub_drop_mode_counts_every_dropped_frame_under_a_stalled_subscriber(ctx):
    frame = 1024
    tb = gr.top_block()
    src = blocks.vector_source_c([1 + 1j] * frame, repeat=True)
    head = blocks.head(gr.sizeof_gr_complex, frame * 4000)
    snk = netstream.zmq_pub_sink("tcp://127.0.0.1:0", "cf32", frame, hwm=2)
    tb.connect(src, head, snk)
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 2)
    sub.setsockopt(zmq.RCVBUF, 4096)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(snk.last_endpoint())
    wait_until(lambda: snk.counter("connects") >= 1 or _service(snk), 10, "subscriber connected")
    tb.run()  # bounded by head; the subscriber never reads
    c = snk.counters()
    assert c["drops"] > 0
    assert c["items_in"] == frame * 4000
    assert c["items_out"] + c["items_dropped"] == c["items_in"]
    assert c["frames_out"] + c["drops"] == 4000
    assert snk.next_sequence() == 4000  # dropped frames used sequence numbers: receivers see gaps


def _service(snk):
    # connect events are handled inside work(); before the flowgraph runs there is none
    return True


def test_pub_to_sub_over_inproc_shares_one_context():
    tb = gr.top_block()
    x = (np.arange(5000) + 1j).astype(np.complex64)
    src = blocks.vector_source_c(x.tolist())
    snk = netstream.zmq_push_sink("inproc://netstream-test-1", "cf32", 1000, 1e6, 0.0)
    rx = netstream.zmq_pull_source("inproc://netstream-test-1")
    sink = blocks.vector_sink_c()
    tb.connect(src, snk)
    tb.connect(rx, sink)
    with running(tb):
        wait_until(lambda: len(sink.data()) >= 5000, 10, "inproc items")
    np.testing.assert_array_equal(np.array(sink.data()), x)


def test_tags_map_to_header_and_back():
    """rx_time/rx_rate/rx_freq tags into our sink come out of our source as the same tags."""
    n = 3000
    secs, frac = 1_700_000_000, 0.25
    tags = [
        gr.tag_utils.python_to_tag((0, pmt.intern("rx_rate"), pmt.from_double(1e6), pmt.PMT_F)),
        gr.tag_utils.python_to_tag((0, pmt.intern("rx_freq"), pmt.from_double(4.5e8), pmt.PMT_F)),
        gr.tag_utils.python_to_tag(
            (0, pmt.intern("rx_time"), pmt.make_tuple(pmt.from_uint64(secs), pmt.from_double(frac)), pmt.PMT_F)
        ),
        gr.tag_utils.python_to_tag((1500, pmt.intern("rx_rate"), pmt.from_double(2e6), pmt.PMT_F)),
    ]
    tb = gr.top_block()
    src = blocks.vector_source_c([0j] * n, False, 1, tags)
    snk = netstream.zmq_push_sink("inproc://netstream-test-tags", "cf32", 1000, 0.0, 0.0)
    rx = netstream.zmq_pull_source("inproc://netstream-test-tags")
    sink = blocks.vector_sink_c()
    tb.connect(src, snk)
    tb.connect(rx, sink)
    with running(tb):
        wait_until(lambda: len(sink.data()) >= n, 10, "items")
    got = {}
    for t in sink.tags():
        got.setdefault(pmt.symbol_to_string(t.key), []).append((t.offset, t.value))
    assert [(o, pmt.to_double(v)) for o, v in got["rx_rate"]] == [(0, 1e6), (1500, 2e6)]
    assert [(o, pmt.to_double(v)) for o, v in got["rx_freq"]] == [(0, 4.5e8)]
    t0 = got["rx_time"][0]
    assert t0[0] == 0
    assert pmt.to_uint64(pmt.tuple_ref(t0[1], 0)) == secs
    assert abs(pmt.to_double(pmt.tuple_ref(t0[1], 1)) - frac) < 1e-9
    # Frames: [0,1000) [1000,1500) cut before the rate change, [1500,2500) [2500,3000)
    assert rx.counter("frames_in") == 4
    # the frame at 1500 starts 1.5 ms after the anchor: its rx_time says so exactly
    t1 = [v for o, v in got["rx_time"] if o == 1500][0]
    assert abs(pmt.to_double(pmt.tuple_ref(t1, 1)) - (frac + 1500 / 1e6)) < 1e-9


def test_cmd_port_dict_and_pair_bad_keys_and_types_never_throw():
    tb = gr.top_block()
    src = blocks.vector_source_c([1j] * 100, repeat=True)
    snk = netstream.zmq_push_sink("inproc://netstream-test-cmd", "cf32", 100, 1e3, 0.0)
    rx = netstream.zmq_pull_source("inproc://netstream-test-cmd")
    sink = blocks.vector_sink_c()
    tb.connect(src, blocks.throttle(gr.sizeof_gr_complex, 200000), snk)
    tb.connect(rx, sink)
    cmd = pmt.intern("cmd")
    with running(tb):
        wait_until(lambda: len(sink.data()) >= 100, 10, "first frame")
        d = pmt.make_dict()
        d = pmt.dict_add(d, pmt.intern("sample_rate"), pmt.from_double(2.5e6))
        d = pmt.dict_add(d, pmt.intern("bogus_key"), pmt.from_long(1))
        d = pmt.dict_add(d, pmt.intern("center_freq"), pmt.intern("not a number"))
        snk._post(cmd, d)
        snk._post(cmd, pmt.cons(pmt.intern("center_freq"), pmt.from_double(1.23e9)))
        snk._post(cmd, pmt.from_long(42))  # neither dict nor pair
        wait_until(lambda: snk.counter("cmd_accepted") == 2 and snk.counter("cmd_rejected") == 3, 5, "cmd counts")
        wait_until(
            lambda: any(
                pmt.symbol_to_string(t.key) == "rx_freq" and pmt.to_double(t.value) == 1.23e9 for t in sink.tags()
            ),
            10,
            "new center_freq on the wire",
        )
    rates = [pmt.to_double(t.value) for t in sink.tags() if pmt.symbol_to_string(t.key) == "rx_rate"]
    assert rates[0] == 1e3 and 2.5e6 in rates


def test_status_port_periodic_and_event_messages():
    tb = gr.top_block()
    src = blocks.vector_source_c([1j] * 100, repeat=True)
    snk = netstream.zmq_push_sink("tcp://127.0.0.1:0", "cf32", 100)
    rx = netstream.zmq_pull_source(snk.last_endpoint())
    dbg, status = status_collector()
    tb.msg_connect(rx, "status", dbg, "store")
    tb.connect(src, blocks.throttle(gr.sizeof_gr_complex, 100000), snk)
    tb.connect(rx, blocks.null_sink(gr.sizeof_gr_complex))
    rx.set_status_period(0.05)
    with running(tb):
        wait_until(lambda: sum(m["event"] == "periodic" for m in status()) >= 3, 10, "3 periodic status")
        wait_until(lambda: any(m["event"] == "connect" for m in status()), 10, "connect event")
    msgs = status()
    assert msgs[0]["event"] == "start"
    last = msgs[-1]
    for key in ("items_out", "frames_in", "malformed", "gaps", "reconnects", "endpoint", "block"):
        assert key in last
    assert 0 < last["items_out"] <= rx.counter("items_out")
    assert last["frames_in"] > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: netstream.zmq_pub_sink("tcp://127.0.0.1:0", "cf128"),
        lambda: netstream.zmq_pub_sink("tcp://127.0.0.1:0", "float32"),
        lambda: netstream.zmq_push_sink("tcp://127.0.0.1:0", "cf32", 0),
        lambda: netstream.zmq_push_sink("tcp://127.0.0.1:0", "cf32", 100, timeout_ms=0),
        lambda: netstream.zmq_pull_source("tcp://127.0.0.1:0", False, -1),
        lambda: netstream.zmq_sub_source("not-an-endpoint"),
        lambda: netstream.zmq_req_transceiver("tcp://127.0.0.1:1", "cf32", -5),
        lambda: netstream.zmq_rep_sink("tcp://127.0.0.1:0", "ci16", 10, scale=-1.0),
    ],
)
def test_bad_parameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_cf128_error_explains_why():
    with pytest.raises(ValueError, match="cf128.*not supported"):
        netstream.zmq_pub_sink("tcp://127.0.0.1:0", "cf128")


@pytest.mark.parametrize("case", ["no_peer", "dead_peer", "stalled_peer"])
def test_stop_is_bounded(case, ctx):
    """PUSH sink in a lossless pattern: whatever the peer does, stop() returns within about one timeout."""
    tb = gr.top_block()
    src = blocks.vector_source_c([1j] * 4096, repeat=True)
    snk = netstream.zmq_push_sink("tcp://127.0.0.1:0", "cf32", 4096, hwm=1, timeout_ms=200)
    tb.connect(src, snk)
    peer = None
    if case != "no_peer":
        peer = ctx.socket(zmq.PULL)
        peer.setsockopt(zmq.RCVHWM, 1)
        peer.setsockopt(zmq.LINGER, 0)
        peer.connect(snk.last_endpoint())
    tb.start()
    if case == "dead_peer":
        wait_until(lambda: snk.counter("frames_out") >= 1, 10, "a frame out")
        peer.close()
    if case == "stalled_peer":
        wait_until(lambda: snk.counter("frames_out") >= 1, 10, "a frame out")
    took = stop_bounded(tb, 10)
    assert took < 10  # stop_bounded fails the test beyond that; the block waits at most ~timeout_ms
    if peer is not None and not peer.closed:
        peer.close()


def test_req_source_recovers_from_a_silent_replier(ctx):
    """A replier that never answers: the REQ source counts timeouts and keeps asking (not stuck)."""
    rep = ctx.socket(zmq.REP)
    rep.setsockopt(zmq.LINGER, 0)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    tb = gr.top_block()
    src = netstream.zmq_req_source(f"tcp://127.0.0.1:{port}", False, 0, 100)
    sink = blocks.vector_sink_c()
    tb.connect(src, sink)
    with running(tb):
        wait_until(lambda: src.counter("request_timeouts") >= 2, 10, "request timeouts")
        # now answer properly: the source must take the reply to its newest request
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(sink.data()) < 3:
            if rep.poll(100):
                parts = rep.recv_multipart()
                assert len(parts) == 2 and len(parts[0]) == 96 and len(parts[1]) == 0
                rep.send_multipart([header(3, 0), cf32([7, 8, 9])])
        wait_until(lambda: len(sink.data()) >= 3, 5, "reply items")
    np.testing.assert_array_equal(np.array(sink.data())[:3], np.array([7, 8, 9], np.complex64))


@pytest.mark.parametrize("count", [1, 16383, 1_000_003])
def test_full_speed_finite_stream_arrives_whole_and_in_order(count):
    """At full speed the sink batches its input (input_coalescer) and the source
    uses a large output buffer; the tail of a finite stream (fewer items than a
    batch, a frame or a buffer) must still arrive, every item in order."""
    data = (np.arange(count, dtype=np.float32) + 1j * np.arange(count, dtype=np.float32)[::-1]).astype(np.complex64)
    tb = gr.top_block()
    snk = netstream.zmq_push_sink("tcp://127.0.0.1:0")
    src = netstream.zmq_pull_source(snk.last_endpoint())
    got = blocks.vector_sink_c()
    tb.connect(blocks.vector_source_c(data.tolist(), False), snk)
    rx = gr.top_block()
    rx.connect(src, got)
    with running(rx):
        tb.start()
        try:
            wait_until(lambda: len(got.data()) >= count, 30, f"{count} items at the receiver")
        finally:
            tb.stop()
            tb.wait()
    assert snk.counter("items_out") == count
    out = np.asarray(got.data(), dtype=np.complex64)
    assert len(out) == count
    np.testing.assert_array_equal(out, data)
    if count >= 1_000_000:
        # Whole CF32 frames go out without a copy (lent from the input buffer); the
        # exact samples above show none was overwritten before ZeroMQ gave it back.
        assert snk.counter("frames_lent") >= 1


def test_push_lent_frame_held_by_a_stalled_peer_is_dropped_at_stop_and_counted():
    """A PULL peer that never reads: the frame lent to ZeroMQ cannot come back, so
    stop() drops it by closing the socket (bounded, counted), keeps the endpoint, and
    after a restart a reading peer gets whole, valid frames."""
    ctx = zmq.Context()
    try:
        snk = netstream.zmq_push_sink("tcp://127.0.0.1:0", "cf32", 65536, 1e6, 0.0, True, 1, 100)
        endpoint = snk.last_endpoint()
        tb = gr.top_block()
        tb.connect(blocks.null_source(gr.sizeof_gr_complex), snk)
        stop_with_a_lent_frame_held(tb, snk, ctx, endpoint)
        assert snk.last_endpoint() == endpoint

        reader = ctx.socket(zmq.PULL)
        reader.setsockopt(zmq.LINGER, 0)
        reader.setsockopt(zmq.RCVTIMEO, 10_000)
        reader.connect(endpoint)
        with running(tb):
            frames = [reader.recv_multipart() for _ in range(3)]
        for header, payload in frames:
            fields = HDR.unpack(header)
            assert fields[0] == MAGIC and 0 < fields[10] <= 65536
            assert len(payload) == fields[10] * 8  # whole frames (partial ones flush early)
        reader.close()
    finally:
        ctx.destroy(linger=0)
