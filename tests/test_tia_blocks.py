# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""TiA blocks (tia_sink, tia_source) against real and independent peers.

* Our sink against the real pytia 0.1.0 client (subprocess) and the raw spec client
  (tests/peers/tia_raw_client.py) that checks every byte, over TCP and UDP.
* Control-protocol details of spec §2 and §7 (pipelining, fragments, CR, errors,
  repeated Start/Stop, server-state connection).
* Multi-client: a stalled client does not corrupt or stop a fast one; churn loses
  nothing on the others; hostile input is bounded and counted.
* Our source against pytia's server (subprocess, patched per spec §8) and our sink.

Test signal convention (tia_raw_client.sample_value): the value of sample k of channel
c of signal flag f is bit(f)*100000 + c*1000 + k%1000, so a vector source repeating
1000 samples produces exactly what the raw client's "absolute" check expects.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import time

import pytest
from gnuradio import blocks, gr
from netstream_testing import running, stop_bounded, wait_until
from peers.pytia_client_run import run_pytia_client
from peers.pytia_server_patched import PytiaServerProcess
from peers.tia_raw_client import ControlClient, TcpPacketReader, decode_packet, run_session, sample_value

netstream = pytest.importorskip("gnuradio.netstream")

pytestmark = pytest.mark.timeout(120)

HOST = "127.0.0.1"
EEG, USER1 = 0x1, 0x10000
# (type, flag, channels, block size, rate, labels): 2000 packets/s.
SIGNALS = [
    ("user1", USER1, 1, 2, 4000.0, "trigger"),
    ("eeg", EEG, 3, 4, 8000.0, 'C3, Cz, C4 "&<>'),
]


def pattern(flag: int, channels: int) -> list[float]:
    """1000 items (vlen = channels) following sample_value()."""
    return [sample_value(flag, ch, k) for k in range(1000) for ch in range(channels)]


def make_sink(**kwargs) -> netstream.tia_sink:
    args = dict(
        signal_types=[s[0] for s in SIGNALS],
        channels=[s[2] for s in SIGNALS],
        block_sizes=[s[3] for s in SIGNALS],
        sample_rates=[s[4] for s in SIGNALS],
        channel_labels=[s[5] for s in SIGNALS],
        master=1,
        bind_address=HOST,
        port=0,
        udp_port=0,
    )
    args.update(kwargs)
    return netstream.tia_sink(**args)


def sink_flowgraph(throttle: bool = True, **kwargs) -> tuple[gr.top_block, netstream.tia_sink]:
    tb = gr.top_block()
    sink = make_sink(**kwargs)
    for i, (_, flag, channels, _, rate, _) in enumerate(SIGNALS):
        src = blocks.vector_source_f(pattern(flag, channels), True, channels)
        if throttle:
            thr = blocks.throttle(4 * channels, rate, True)
            thr.set_max_noutput_items(64)  # a throttle otherwise releases whole buffers in bursts
            tb.connect(src, thr, (sink, i))
        else:
            tb.connect(src, (sink, i))
    return tb, sink


@pytest.fixture(scope="module")
def pytia_python() -> str:
    candidate = os.environ.get("NETSTREAM_PYTIA_PYTHON")
    if candidate:
        return candidate
    if importlib.util.find_spec("pytia") is not None:
        return sys.executable
    if os.environ.get("NETSTREAM_REQUIRE_PYTIA") == "1":
        pytest.fail("pytia==0.1.0 not installed (set NETSTREAM_PYTIA_PYTHON)")
    pytest.skip("pytia==0.1.0 not installed (set NETSTREAM_PYTIA_PYTHON)")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- parameters


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="signal_types"):
        make_sink(signal_types=["user1", "eegx"])
    with pytest.raises(ValueError, match="master"):
        make_sink(master=2)
    with pytest.raises(ValueError, match="rate/block_size"):
        make_sink(sample_rates=[4000.0, 4000.0])
    with pytest.raises(ValueError, match="channel_labels"):
        make_sink(channel_labels=["a,b", "C3"])
    with pytest.raises(ValueError, match="signal_types"):
        make_sink(signal_types=["eeg", "eeg"])


def test_meta_info_xml_is_exact() -> None:
    sink = make_sink(subject_id="S01")
    assert sink.meta_info_xml() == (
        '<tiaMetaInfo version="1.0">\n'
        '<subject id="S01"/>\n'
        '<masterSignal samplingRate="8000" blockSize="4"/>\n'
        '<signal type="eeg" samplingRate="8000" blockSize="4" numChannels="3">\n'
        '<channel nr="1" label="C3"/>\n'
        '<channel nr="2" label="Cz"/>\n'
        '<channel nr="3" label="C4 &quot;&amp;&lt;&gt;"/>\n'
        "</signal>\n"
        '<signal type="user1" samplingRate="4000" blockSize="2" numChannels="1">\n'
        '<channel nr="1" label="trigger"/>\n'
        "</signal>\n"
        "</tiaMetaInfo>\n"
    )
    assert sink.packet_bytes() == 33 + 4 * 2 + 4 * (3 * 4 + 1 * 2)
    assert sink.port() > 0


# ---------------------------------------------------------------- raw spec client


@pytest.mark.parametrize("connect_data", ["before_start", "after_start"])
def test_sink_raw_client_tcp_every_byte(connect_data: str) -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        result = run_session(HOST, sink.port(), packets=300, connect_data=connect_data, values="absolute")
    assert result.problems == []
    assert result.replies["check"].raw == b"TiA 1.0\nOK\n\n"
    xml = sink.meta_info_xml().encode()
    assert result.replies["meta"].raw == f"TiA 1.0\nMetaInfo\nContent-Length:{len(xml)}\n\n".encode() + xml
    assert result.replies["data"].raw == f"TiA 1.0\nDataConnectionPort:{result.data_port}\n\n".encode()
    assert result.bytes_before_start == 0
    assert len(result.packets) == 300
    first = result.packets[0]
    assert first.connection_number == 0
    assert first.signal_flags == [EEG, USER1]
    assert first.channels == [3, 1] and first.block_sizes == [4, 2]
    ids = [p.packet_id for p in result.packets]
    assert ids == list(range(ids[0], ids[0] + 300))
    assert [p.connection_number for p in result.packets] == list(range(300))
    # Timestamp: µs since start from the sample count (2000 packets/s -> 500 µs each).
    assert all(p.timestamp == p.packet_id * 500 for p in result.packets)
    assert sink.counter("frames_out") >= 300


def test_sink_raw_client_udp() -> None:
    udp_port = free_udp_port()
    tb, sink = sink_flowgraph(udp_port=udp_port)
    with running(tb):
        result = run_session(
            HOST, sink.port(), transport="udp", packets=100, connect_data="before_start", values="absolute"
        )
        # After Stop no datagram is sent any more (gated by Start/Stop, spec §6.2 advice).
        sent = sink.counter("udp_frames_out")
        assert sent >= 100
    assert result.problems == []
    assert result.data_port == udp_port
    assert all(len(p.raw) == p.size == sink.packet_bytes() for p in result.packets)


def test_udp_refused_when_not_configured() -> None:
    tb, sink = sink_flowgraph(udp_port=0)
    with running(tb):
        ctrl = ControlClient(HOST, sink.port())
        try:
            assert ctrl.request("GetDataConnection", "UDP").raw == b"TiA 1.0\nError\n\n"
            assert ctrl.request("GetDataConnection", "SCTP").raw == b"TiA 1.0\nError\n\n"
            assert ctrl.request("CheckProtocolVersion").raw == b"TiA 1.0\nOK\n\n"
        finally:
            ctrl.close()


@pytest.mark.parametrize(
    ("channels", "block_size", "packet_bytes", "udp_accepted"),
    [(13, 1259, 65505, True), (16, 1023, 65509, False)],  # largest allowed / smallest refused
)
def test_udp_refused_when_packet_exceeds_a_datagram(
    channels: int, block_size: int, packet_bytes: int, udp_accepted: bool
) -> None:
    # tia_sink.h: GetDataConnection:UDP is refused with Error when a packet exceeds
    # 65507 bytes (the largest UDP/IPv4 payload); TCP still works for that client.
    udp_port = free_udp_port()
    tb = gr.top_block()
    sink = netstream.tia_sink(["eeg"], [channels], [block_size], [1000.0], bind_address=HOST, port=0, udp_port=udp_port)
    assert sink.packet_bytes() == packet_bytes
    src = blocks.null_source(4 * channels)
    thr = blocks.throttle(4 * channels, 10 * block_size, True)
    tb.connect(src, thr, sink)
    with running(tb):
        ctrl = ControlClient(HOST, sink.port())
        try:
            udp = ctrl.request("GetDataConnection", "UDP").raw
            if udp_accepted:
                assert udp == f"TiA 1.0\nDataConnectionPort:{udp_port}\n\n".encode()
            else:
                assert udp == b"TiA 1.0\nError\n\n"
            tcp = ctrl.request("GetDataConnection", "TCP")
            assert tcp.raw.startswith(b"TiA 1.0\nDataConnectionPort:") and int(tcp.parameter or 0) > 0
        finally:
            ctrl.close()


# ---------------------------------------------------------------- real pytia client


def test_sink_real_pytia_client(pytia_python: str) -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        theirs = run_pytia_client(pytia_python, HOST, sink.port(), 200)
    assert theirs["check"] is True
    assert theirs["data_ok"] is True and theirs["start"] is True and theirs["stop"] is True
    packets = theirs["packets"]
    assert len(packets) == 200
    ids = [p["id"] for p in packets]
    assert ids == list(range(ids[0], ids[0] + 200))
    for p in packets:
        assert p["channels"] == [3, 1] and p["blocksizes"] == [4, 2]
        eeg, user1 = p["signals"]
        base_eeg, base_user = p["id"] * 4, p["id"] * 2
        assert list(eeg) == [sample_value(EEG, ch, base_eeg + s) for ch in range(3) for s in range(4)]
        assert list(user1) == [sample_value(USER1, 0, base_user + s) for s in range(2)]


# ---------------------------------------------------------------- control protocol details


def test_control_framing_errors_and_repeated_start_stop() -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        ctrl = ControlClient(HOST, sink.port())
        try:
            # Pipelined + CR + trailing spaces + space before the parameter.
            ctrl.send_raw(
                b"TiA 1.0 \r\nCheckProtocolVersion\r\n\r\nTiA 1.0\nFooBar\nContent-Length: 5\n\nhello"
                b"TiA 1.0\nStartDataTransmission\n\n"
            )
            assert ctrl.read_reply().raw == b"TiA 1.0\nOK\n\n"
            assert ctrl.read_reply().raw == b"TiA 1.0\nError\n\n"  # unknown, body discarded
            assert ctrl.read_reply().raw == b"TiA 1.0\nError\n\n"  # Start without data conn
            # Fragmented request, one byte per segment.
            for b in b"TiA 1.0\nGetDataConnection: TCP\n\n":
                ctrl.send_raw(bytes([b]))
            reply = ctrl.read_reply()
            assert reply.name == "DataConnectionPort"
            data = socket.create_connection((HOST, int(reply.parameter or 0)), timeout=10)
            reader = TcpPacketReader(data)
            assert ctrl.request("SetCustomSignalInfo").raw == b"TiA 1.0\nError\n\n"
            last_conn = -1
            for _ in range(3):  # Start, read, Stop, repeated on the same socket
                assert ctrl.request("StartDataTransmission").raw == b"TiA 1.0\nOK\n\n"
                for _ in range(20):
                    raw = reader.read(time.monotonic() + 10)
                    assert raw is not None
                    packet, problems = decode_packet(raw)
                    assert problems == [] and packet is not None
                    assert packet.connection_number == last_conn + 1
                    last_conn = packet.connection_number
                assert ctrl.request("StopDataTransmission").raw == b"TiA 1.0\nOK\n\n"
                # Drain what was already staged before Stop (whole packets only).
                data.settimeout(0.3)
                try:
                    while True:
                        raw = reader.read(time.monotonic() + 0.3)
                        if raw is None:
                            break
                        packet, problems = decode_packet(raw)
                        assert problems == []
                        last_conn = packet.connection_number
                except TimeoutError:
                    pass
                assert len(reader.buffer) == 0  # never a partial packet
            data.close()
        finally:
            ctrl.close()
        # Wrong version line: Error, then the server closes.
        bad = ControlClient(HOST, sink.port())
        try:
            bad.send_raw(b"TiA 2.0\nCheckProtocolVersion\n\n")
            assert bad.read_reply().raw == b"TiA 1.0\nError\n\n"
            bad.sock.settimeout(5)
            assert bad.sock.recv(10) == b""
        finally:
            bad.close()
    assert sink.counter("malformed.bad_version") == 1


def test_server_state_connection() -> None:
    tb, sink = sink_flowgraph()
    tb.start()
    try:
        ctrl = ControlClient(HOST, sink.port())
        reply = ctrl.request("GetServerStateConnection")
        assert reply.name == "ServerStateConnectionPort"
        state = socket.create_connection((HOST, int(reply.parameter or 0)), timeout=10)
        received = b""
        while len(received) < len(b"TiA 1.0\nServerStateRunning\n\n"):
            received += state.recv(100)
        assert received == b"TiA 1.0\nServerStateRunning\n\n"
    finally:
        stop_bounded(tb)
    received = b""
    while chunk := state.recv(100):
        received += chunk
    assert received == b"TiA 1.0\nServerStateShutdown\n\n"
    state.close()
    ctrl.close()


# ---------------------------------------------------------------- slow clients, churn, hostility


def test_stalled_client_does_not_affect_fast_client() -> None:
    tb, sink = sink_flowgraph(queue_bytes=32 * 1024, stall_timeout_s=1.0)
    with running(tb):
        stalled = ControlClient(HOST, sink.port())
        reply = stalled.request("GetDataConnection", "TCP")
        stalled_data = socket.socket()
        stalled_data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled_data.connect((HOST, int(reply.parameter or 0)))
        assert stalled.request("StartDataTransmission").raw == b"TiA 1.0\nOK\n\n"
        # The fast client reads 3000 packets (1.5 s) while the other never reads.
        result = run_session(HOST, sink.port(), packets=3000, values="absolute", timeout=30)
        assert result.problems == []
        wait_until(lambda: sink.counter("clients_stalled") >= 1, 15, "stalled client disconnected")
        assert sink.counter("drops") > 0  # the stalled client's whole packets, counted
        # Its stream holds only whole packets, then ends (disconnected).
        stalled_data.settimeout(10)
        reader = TcpPacketReader(stalled_data)
        ids = []
        try:
            while True:
                raw = reader.read(time.monotonic() + 10)
                if raw is None:
                    break
                packet, problems = decode_packet(raw)
                assert problems == []
                ids.append(packet.packet_id)
        except ConnectionError:
            pass
        # Every complete packet is valid and in order; the disconnect may cut the packet
        # that was in flight (the client never took those bytes), followed by EOF.
        assert ids and ids == sorted(ids)
        assert len(reader.buffer) < sink.packet_bytes()
        stalled_data.close()
        stalled.close()


def test_churn_loses_nothing_on_other_clients() -> None:
    tb, sink = sink_flowgraph()
    stop = threading.Event()
    cycles = [0]

    def churn() -> None:
        while not stop.is_set():
            c = ControlClient(HOST, sink.port())
            try:
                port = int(c.request("GetDataConnection", "TCP").parameter or 0)
                d = socket.create_connection((HOST, port), timeout=5)
                c.request("StartDataTransmission")
                d.recv(1000)
                c.request("StopDataTransmission")
                d.close()
            finally:
                c.close()
            cycles[0] += 1

    with running(tb):
        th = threading.Thread(target=churn, daemon=True)
        th.start()
        try:
            result = run_session(HOST, sink.port(), packets=2000, values="absolute", timeout=30)
        finally:
            stop.set()
            th.join(10)
    assert result.problems == []
    assert cycles[0] >= 3


def test_hostile_input_is_bounded_and_counted() -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        port = sink.port()

        def one_shot(payload: bytes) -> bytes:
            s = socket.create_connection((HOST, port), timeout=10)
            try:
                s.sendall(payload)
                out = b""
                while chunk := s.recv(4096):
                    out += chunk
                return out
            except ConnectionResetError:
                return out
            finally:
                s.close()

        assert one_shot(b"TiA 1.0\n" + b"A" * 100_000) == b"TiA 1.0\nError\n\n"
        assert one_shot(b"TiA 1.0\nGetMetaInfo\nContent-Length:99999999999\n\n") == b"TiA 1.0\nError\n\n"
        assert one_shot(bytes(range(256)) * 4) == b"TiA 1.0\nError\n\n"
        # 1100 idle connections: 1024 are held, the rest refused, all counted.
        idle = []
        try:
            for _ in range(1100):
                idle.append(socket.create_connection((HOST, port), timeout=10))
            wait_until(lambda: sink.counter("connections_refused") >= 1100 - 1024, 20, "refusals")
            assert sink.control_connection_count() <= 1024
        finally:
            for s in idle:
                s.close()
        wait_until(lambda: sink.control_connection_count() == 0, 20, "idle connections closed")
        # The server is still fully working.
        result = run_session(HOST, port, packets=50, values="absolute")
        assert result.problems == []
    assert sink.counter("malformed.line_too_long") == 1
    assert sink.counter("malformed.content_length_too_large") == 1
    assert sink.counter("malformed") >= 3


def test_status_messages_report_clients() -> None:
    import pmt

    tb, sink = sink_flowgraph()
    dbg = blocks.message_debug()
    tb.msg_connect(sink, "status", dbg, "store")
    with running(tb):
        result = run_session(HOST, sink.port(), packets=20, values="absolute", stop=False)
        assert result.problems == []
        sink.set_status_period(0.05)

        def client_seen() -> bool:
            for i in range(dbg.num_messages()):
                d = pmt.to_python(dbg.get_message(i))
                if d.get("clients"):
                    return True
            return False

        wait_until(client_seen, 10, "status with a client")
    events = {pmt.to_python(dbg.get_message(i)).get("event") for i in range(dbg.num_messages())}
    assert {"connect", "data_connect", "start_data"} <= events


# ---------------------------------------------------------------- tia_source


def check_source_output(data: list[float], flag: int, channels: int) -> None:
    """Items are one sample of every channel, following sample_value() with a running index."""
    assert len(data) % channels == 0 and data
    start = int(data[0]) % 1000
    for k in range(len(data) // channels):
        for ch in range(channels):
            assert data[k * channels + ch] == sample_value(flag, ch, start + k), (k, ch)


def run_source(source: netstream.tia_source, items: list[int]) -> tuple[list[list[float]], list]:
    tb = gr.top_block()
    sinks = []
    for i, n in enumerate(items):
        vlen = source.output_signature().sizeof_stream_item(i) // 4
        head = blocks.head(4 * vlen, n)
        snk = blocks.vector_sink_f(vlen)
        tb.connect((source, i), head, snk)
        sinks.append(snk)
    tb.start()
    try:
        wait_until(
            lambda: all(
                len(s.data()) >= n * (source.output_signature().sizeof_stream_item(i) // 4)
                for i, (s, n) in enumerate(zip(sinks, items, strict=True))
            ),
            30,
            "source items",
        )
    finally:
        stop_bounded(tb)
    return [list(s.data()) for s in sinks], [s.tags() for s in sinks]


def test_source_against_our_sink() -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        source = netstream.tia_source(HOST, sink.port(), ["eeg", "user1"], [3, 1])
        (eeg, user1), (eeg_tags, user_tags) = run_source(source, [400, 200])
        assert source.counter("frames_in") >= 100
        assert source.counter("gaps") == 0
        assert 'type="eeg"' in source.server_meta_info()
    check_source_output(eeg, EEG, 3)
    check_source_output(user1, USER1, 1)
    # Both outputs start at the same packet: eeg index = 2 * user1 index.
    assert int(eeg[0]) % 1000 == (2 * int(user1[0])) % 1000
    import pmt

    rate = [t for t in eeg_tags if pmt.symbol_to_string(t.key) == "rx_rate"]
    assert rate and rate[0].offset == 0 and pmt.to_double(rate[0].value) == 8000.0
    rate = [t for t in user_tags if pmt.symbol_to_string(t.key) == "rx_rate"]
    assert rate and rate[0].offset == 0 and pmt.to_double(rate[0].value) == 4000.0


def test_source_against_real_pytia_server(pytia_python: str) -> None:
    signals = [{"flag": EEG, "channels": 2, "rate": 200, "blocksize": 4, "master": True}]
    with PytiaServerProcess(pytia_python, signals) as server:
        source = netstream.tia_source(HOST, server.port or 0, ["eeg"], [2])
        (eeg,), _ = run_source(source, [200])
    check_source_output(eeg, EEG, 2)
    assert source.counter("malformed") == 0


def test_source_reports_meta_info_mismatch() -> None:
    tb, sink = sink_flowgraph()
    with running(tb):
        source = netstream.tia_source(HOST, sink.port(), ["emg"], [3], max_backoff_s=0.2)
        tb2 = gr.top_block()
        tb2.connect(source, blocks.null_sink(12))
        with running(tb2):
            wait_until(lambda: source.counter("meta_mismatch") >= 2, 20, "mismatch retried")
            assert not source.connected()


def test_source_reconnects_after_server_restart() -> None:
    tb, sink = sink_flowgraph()
    source = netstream.tia_source(HOST, sink.port(), ["eeg", "user1"], [3, 1], max_backoff_s=0.2)
    tb2 = gr.top_block()
    tb2.connect((source, 0), blocks.null_sink(12))
    tb2.connect((source, 1), blocks.null_sink(4))
    with running(tb2):
        with running(tb):
            wait_until(lambda: source.connected() and source.counter("frames_in") > 10, 20, "streaming")
        wait_until(lambda: not source.connected(), 20, "loss noticed")
        with running(tb):  # same sink, same port: the packet ids restart
            wait_until(lambda: source.counter("reconnects") >= 1 and source.connected(), 20, "reconnected")
    assert source.counter("disconnects") >= 1
