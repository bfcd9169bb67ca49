# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""rp_adc_source against the in-process board emulator (spec redpitaya-streaming.md §5, §7.1, §12).

Every test checks that the emulator logged no BOARD-FATAL marker: the block must never send what
would kill a real board.
"""

from __future__ import annotations

import time

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, netstream
from gnuradio.netstream.redpitaya import protocol as P
from gnuradio.netstream.redpitaya.emulator import (
    Emulator,
    EmulatorConfig,
    expected_pack_samples,
    time_capture_ns,
)
from netstream_testing import status_collector, stop_bounded, wait_until

pytestmark = pytest.mark.timeout(120)

T_ARM = 1_750_000_000_123_456_789
FAMILIES = {"125-14": 2, "122-16": 4, "250-12": 12, "4-input": 9}


def make_emulator(model: int = 2, proto: str = "p3", **kw) -> Emulator:
    kw.setdefault("overrun_loss", False)
    cfg = EmulatorConfig(
        model=model,
        proto=proto,
        bind="127.0.0.1",
        control_port=0,
        adc_port=0,
        dac_port=0,
        beacon_target=None,
        time_arm_ns=T_ARM,
        **kw,
    )
    return Emulator(cfg).start()


def make_source(emu: Emulator, channels=(1, 2), decimation=1024, resolution=16, output_type="short", **kw):
    return netstream.rp_adc_source(
        host=f"127.0.0.1:{emu.control_port}",
        channels=list(channels),
        decimation=decimation,
        resolution=resolution,
        output_type=output_type,
        data_port=emu.adc_reserved.port,
        block_size=kw.pop("block_size", 4096),
        **kw,
    )


def capture(src, nports: int, nitems: int, itemsize=gr.sizeof_short):
    """Run src -> head -> vector sink on every port until nitems per port; bounded."""
    tb = gr.top_block()
    sinks = []
    for k in range(nports):
        head = blocks.head(itemsize, nitems)
        snk = blocks.vector_sink_s() if itemsize == gr.sizeof_short else blocks.vector_sink_f()
        tb.connect((src, k), head, snk)
        sinks.append(snk)
    tb.start()
    wait_until(lambda: all(len(s.data()) >= nitems for s in sinks), 30, "samples from the emulator")
    stop_bounded(tb)
    return sinks


def tags_by_key(sink) -> dict[str, list[tuple[int, object]]]:
    out: dict[str, list[tuple[int, object]]] = {}
    for t in sink.tags():
        out.setdefault(pmt.symbol_to_string(t.key), []).append((t.offset, pmt.to_python(t.value)))
    return out


def no_fatal(emu: Emulator) -> None:
    assert emu.fatal_events == [], emu.fatal_events


def rx_time_ns(value) -> int:
    secs, frac = value
    return int(secs) * 1_000_000_000 + round(frac * 1e9)


# ------------------------------------------------------------------ every family, P2 and P3
@pytest.mark.parametrize("proto", ["p2", "p3"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_exact_samples_and_tags(family: str, proto: str):
    model = FAMILIES[family]
    channels = (1, 2, 3, 4) if family == "4-input" else (1, 2)
    resolution = 8 if family == "250-12" else 16
    emu = make_emulator(model, proto)
    try:
        src = make_source(emu, channels=channels, resolution=resolution)
        sinks = capture(src, len(channels), 10000)
        base = P.MODELS[model].adc_base_rate
        for k, ch in enumerate(channels):
            got = np.array(sinks[k].data()[:10000], dtype=np.int16)
            wire = expected_pack_samples(emu.cfg, model, ch - 1, 0, 10000, resolution).astype(np.int16)
            exp = (wire.astype(np.int32) << 8).astype(np.int16) if resolution == 8 else wire
            np.testing.assert_array_equal(got, exp)
            tags = tags_by_key(sinks[k])
            assert tags["rx_rate"] == [(0, base / 1024)]
            assert [off for off, _ in tags["rx_time"]] == [0]
            assert "rp_lost" not in tags
            if proto == "p3":
                assert rx_time_ns(tags["rx_time"][0][1]) == pytest.approx(
                    time_capture_ns(T_ARM, 0, 1024, base), abs=1000
                )
            else:
                assert abs(rx_time_ns(tags["rx_time"][0][1]) / 1e9 - time.time()) < 60
        assert src.protocol() == proto
        assert src.counter("fpga_lost") == 0 and src.counter("malformed") == 0
    finally:
        emu.stop()
    no_fatal(emu)


def test_float_output_volts_and_scale_override():
    emu = make_emulator(4, "p3")  # 122-16: 0.25 V full scale
    try:
        sinks = capture(make_source(emu, channels=(2,), output_type="float"), 1, 5000, gr.sizeof_float)
        got = np.array(sinks[0].data()[:5000], dtype=np.float32)
        exp = expected_pack_samples(emu.cfg, 4, 1, 0, 5000, 16).astype(np.float32) / 32768.0 * 0.25
        np.testing.assert_allclose(got, exp, rtol=1e-6, atol=1e-9)
        sinks = capture(make_source(emu, channels=(1,), output_type="float", scale=2.0), 1, 3000, gr.sizeof_float)
        got = np.array(sinks[0].data()[:3000], dtype=np.float32)
        exp = expected_pack_samples(emu.cfg, 4, 0, 0, 3000, 16).astype(np.float32) / 32768.0 * 2.0
        np.testing.assert_allclose(got, exp, rtol=1e-6, atol=1e-9)
    finally:
        emu.stop()
    no_fatal(emu)


# ------------------------------------------------------------------ runtime changes and faults
def run_until(src, nports: int, cond, timeout=30.0):
    tb = gr.top_block()
    sinks = [blocks.vector_sink_s() for _ in range(nports)]
    for k, s in enumerate(sinks):
        tb.connect((src, k), s)
    dbg, msgs = status_collector()
    tb.msg_connect((src, "status"), (dbg, "store"))
    tb.start()
    try:
        wait_until(lambda: cond(src, sinks), timeout, "the expected stream state")
    finally:
        stop_bounded(tb)
    return sinks, msgs()


def check_segment(emu, model, sink, channel, start_offset, n0, count, bits=16):
    got = np.array(sink.data()[start_offset : start_offset + count], dtype=np.int16)
    exp = expected_pack_samples(emu.cfg, model, channel, n0, count, bits).astype(np.int16)
    np.testing.assert_array_equal(got, exp)


def test_decimation_change_via_cmd_restarts_cleanly():
    emu = make_emulator(2, "p3")
    try:
        src = make_source(emu, channels=(1,))
        tb = gr.top_block()
        snk = blocks.vector_sink_s()
        tb.connect(src, snk)
        tb.start()
        try:
            wait_until(lambda: len(snk.data()) >= 4096, 30, "first samples")
            src.to_basic_block()._post(pmt.intern("cmd"), pmt.cons(pmt.intern("decimation"), pmt.from_long(2048)))
            wait_until(lambda: len(tags_by_key(snk).get("rx_rate", [])) >= 2, 30, "second rx_rate tag")
            wait_until(lambda: len(snk.data()) >= tags_by_key(snk)["rx_rate"][1][0] + 4096, 30, "new samples")
        finally:
            stop_bounded(tb)
        rates = tags_by_key(snk)["rx_rate"]
        assert rates[0] == (0, 125e6 / 1024) and rates[1][1] == 125e6 / 2048
        assert src.decimation() == 2048 and src.counter("restarts") == 1
        off = rates[1][0]
        assert off % 2048 == 0  # whole packs of the first stream, then the new one
        check_segment(emu, 2, snk, 0, 0, 0, off)  # first stream: contiguous from n = 0
        check_segment(emu, 2, snk, 0, off, 0, 4096)  # the restarted stream begins at n = 0
        assert [o for o, _ in tags_by_key(snk)["rx_time"]] == [0, off]
    finally:
        emu.stop()
    no_fatal(emu)


def test_loss_is_counted_and_tagged_exactly():
    spp = 2048  # 4096-byte block, 16-bit
    emu = make_emulator(2, "p3", loss_at={2: 1000, 5: 3 * spp})
    try:
        src = make_source(emu, channels=(1, 2))
        sinks, msgs = run_until(src, 2, lambda s, k: len(k[1].data()) >= 8 * spp)
        assert src.counter("fpga_lost") == 1000 + 3 * spp
        assert src.counter("lost_samples") == 1000 + 3 * spp
        assert src.counter("gaps") == 2 and src.counter("packid_gaps") == 0
        for k in range(2):
            tags = tags_by_key(sinks[k])
            assert tags["rp_lost"] == [(3 * spp, 1000), (6 * spp, 3 * spp)]
            assert [o for o, _ in tags["rx_time"]] == [0, 3 * spp, 6 * spp]
            # timeCapture after a loss is the board time of the first sample after the gap
            n_after = 3 * spp + 1000
            assert rx_time_ns(tags["rx_time"][1][1]) == pytest.approx(
                time_capture_ns(T_ARM, n_after, 1024, 125_000_000), abs=1000
            )
            check_segment(emu, 2, sinks[k], k, 0, 0, 3 * spp)
            check_segment(emu, 2, sinks[k], k, 3 * spp, n_after, 3 * spp)
            check_segment(emu, 2, sinks[k], k, 6 * spp, n_after + 3 * spp + 3 * spp, 2 * spp)
        assert sum(1 for m in msgs if m.get("event") == "gap") == 2
    finally:
        emu.stop()
    no_fatal(emu)


def test_control_drop_reconnects():
    emu = make_emulator(12, "p3")
    try:
        src = make_source(emu, channels=(1,))
        tb = gr.top_block()
        snk = blocks.vector_sink_s()
        tb.connect(src, snk)
        tb.start()
        try:
            wait_until(lambda: len(snk.data()) >= 4096, 30, "first samples")
            emu.drop_control_link()
            wait_until(lambda: src.counter("reconnects") >= 1, 30, "reconnect")
            wait_until(lambda: len(tags_by_key(snk).get("rx_rate", [])) >= 2, 30, "restarted stream")
            off = tags_by_key(snk)["rx_rate"][1][0]
            wait_until(lambda: len(snk.data()) >= off + 4096, 30, "samples after the reconnect")
        finally:
            stop_bounded(tb)
        check_segment(emu, 12, snk, 0, off, 0, 4096)
        assert off in [o for o, _ in tags_by_key(snk)["rx_time"]]
    finally:
        emu.stop()
    no_fatal(emu)


def test_refused_data_port_gives_clear_error_and_ends():
    emu = make_emulator(2, "p3", refuse_data=True)
    try:
        src = make_source(emu, channels=(1,), reconnect="done")
        tb = gr.top_block()
        tb.connect(src, blocks.null_sink(gr.sizeof_short))
        tb.start()
        wait_until(lambda: src.last_error() != "", 20, "an error")
        # policy "done": the flowgraph ends by itself
        stop_bounded(tb, 15)
        err = src.last_error()
        assert "data port" in err and "refused" in err.lower(), err
        assert str(emu.adc_reserved.port) in err
    finally:
        emu.stop()
    no_fatal(emu)


@pytest.mark.parametrize("fault", ["truncate", "corrupt"])
def test_bad_packs_resync(fault: str):
    kw = {"truncate_pack_after": 4} if fault == "truncate" else {"corrupt_pack_ids": (4,)}
    emu = make_emulator(2, "p2", **kw)
    try:
        src = make_source(emu, channels=(1, 2))
        sinks, msgs = run_until(src, 2, lambda s, k: s.counter("resyncs") >= 2 and len(k[1].data()) >= 12 * 2048)
        reason = "malformed.truncated_pack" if fault == "truncate" else "malformed.bad_magic"
        assert src.counter(reason) >= 2
        for k in range(2):
            rates = tags_by_key(sinks[k])["rx_rate"]
            assert [o for o, _ in rates][:3] == [0, 4 * 2048, 8 * 2048]  # 4 good packs per stream
            for off, _ in rates[:3]:
                check_segment(emu, 2, sinks[k], k, off, 0, 4 * 2048)
        assert any(m.get("event") == "resync" for m in msgs)
    finally:
        emu.stop()
    no_fatal(emu)


def test_board_notification_becomes_status_event():
    emu = make_emulator(2, "p3")
    try:
        src = make_source(emu, channels=(1,))
        holder: dict = {}

        def cond(s, k):
            if not holder and len(k[0].data()) >= 2048:
                emu.notify(P.Cmd(22))  # ADC_SERVER_STOPPED_MEM_MODIFY, as after another client's block_size SET
                holder["sent"] = True
            return holder and s.counter("resyncs") >= 1 and len(tags_by_key(k[0]).get("rx_rate", [])) >= 2

        sinks, msgs = run_until(src, 1, cond)
        events = [m.get("event") for m in msgs]
        assert "adcServerStoppedMemModify" in events
        assert src.counter("notifications") >= 1
    finally:
        emu.stop()
    no_fatal(emu)


def test_stop_is_bounded_at_max_rate():
    emu = make_emulator(2, "p3", max_rate=True)
    try:
        src = make_source(emu, channels=(1, 2), decimation=1, block_size=65536)
        tb = gr.top_block()
        tb.connect((src, 0), blocks.null_sink(gr.sizeof_short))
        tb.connect((src, 1), blocks.null_sink(gr.sizeof_short))
        tb.start()
        wait_until(lambda: src.counter("frames_in") >= 50, 30, "packs at max rate")
        took = stop_bounded(tb, 10)
        assert took < 10
        assert src.counter("malformed") == 0
    finally:
        emu.stop()
    no_fatal(emu)


def test_subprocess_emulator_with_ready_file(tmp_path):
    import json
    import subprocess
    import sys

    from netstream_testing import REPO_DIR

    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO_DIR / "apps" / "netstream-rp-emulator"),
            "--model",
            "250-12",
            "--proto",
            "p2",
            "--control-port",
            "0",
            "--adc-port",
            "0",
            "--dac-port",
            "0",
            "--bind",
            "127.0.0.1",
            "--beacon-target",
            "off",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: ready.exists() and ready.stat().st_size > 0, 20, "the emulator's ready file")
        info = json.loads(ready.read_text())
        src = netstream.rp_adc_source(
            f"127.0.0.1:{info['control_port']}", [1], 1024, 16, "short", data_port=info["adc_port"], block_size=4096
        )
        sinks = capture(src, 1, 4096)
        assert len(sinks[0].data()) >= 4096
        assert src.protocol() == "p2"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "BOARD-FATAL" not in err


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"decimation": 3}, "decimation"),
        ({"decimation": 65537}, "decimation"),
        ({"channels": []}, "channels"),
        ({"channels": [2, 1]}, "channels"),
        ({"channels": [5]}, "channels"),
        ({"resolution": 12}, "resolution"),
        ({"output_type": "complex"}, "output_type"),
        ({"block_size": 1000}, "block_size"),
        ({"model": "125-99"}, "model"),
        ({"model": "125-14", "channels": [1, 3]}, "channels"),
        ({"model": "122-16", "attenuator": 20}, "attenuator"),
        ({"model": "125-14", "coupling": "AC"}, "coupling"),
        ({"attenuator": 10}, "attenuator"),
        ({"reconnect": "sometimes"}, "reconnect"),
        ({"host": "10.0.0.1:99999"}, "host"),
        ({"adc_size": 1000}, "adc_size"),
    ],
)
def test_parameters_are_validated(kwargs, word):
    with pytest.raises(ValueError, match=word):
        netstream.rp_adc_source(**{"host": "127.0.0.1", **kwargs})


def test_flowgraph_into_zmq_pub_sink():
    """rp_adc_source(emulator) -> float_to_complex -> zmq_pub_sink, read back with zmq_sub_source."""
    from netstream_testing import free_tcp_port

    emu = make_emulator(2, "p3")
    try:
        endpoint = f"tcp://127.0.0.1:{free_tcp_port()}"
        src = make_source(emu, channels=(1, 2), output_type="float", model="125-14")
        tb = gr.top_block()
        f2c = blocks.float_to_complex()
        pub = netstream.zmq_pub_sink(endpoint, "cf32", 4096, 125e6 / 1024)
        sub = netstream.zmq_sub_source(endpoint)
        snk = blocks.vector_sink_c()
        tb.connect((src, 0), (f2c, 0))
        tb.connect((src, 1), (f2c, 1))
        tb.connect(f2c, pub)
        tb.connect(sub, snk)
        tb.start()
        try:
            wait_until(lambda: len(snk.data()) >= 8192, 30, "samples through ZMQ")
        finally:
            stop_bounded(tb)
        z = np.array(snk.data()[:8192])
        c0 = np.rint(z.real * 32768 / 4).astype(np.int64)  # 14-bit codes (left-justified by 2)
        c1 = np.rint(z.imag * 32768 / 4).astype(np.int64)
        np.testing.assert_allclose(c0 * 4 / 32768, z.real, atol=1e-7)
        np.testing.assert_array_equal(c1, ((c0 + 8192 + 4096) % 16384) - 8192)
        assert np.all((np.diff(c0) == 1) | (np.diff(c0) == -16383))  # contiguous ramp
    finally:
        emu.stop()
    no_fatal(emu)
