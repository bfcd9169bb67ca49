# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""rp_adc_source with several boards (spec redpitaya-streaming.md §7.4).

A master and a slave emulator share one sample clock (SharedClock), so their ramps line up sample
for sample; the block must output them in lock-step, start the slave before the master, and zero-fill
and tag a loss on one board only. The emulators listen on two loopback addresses (127.0.0.2 and
127.0.0.3) with the same ADC data port, as real boards do.
"""

from __future__ import annotations

import threading

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, netstream
from gnuradio.netstream.redpitaya import protocol as P
from gnuradio.netstream.redpitaya.emulator import Emulator, EmulatorConfig, SharedClock
from netstream_testing import stop_bounded, wait_until

pytestmark = pytest.mark.timeout(120)

BLOCK = 1024  # bytes per channel per pack: 512 samples at 16 bit
SPP = BLOCK // 2


@pytest.fixture
def pair():
    """Master on 127.0.0.2, slave on 127.0.0.3 (same data port); a log of (board, command)."""
    made: list[Emulator] = []
    log: list[tuple[str, int]] = []
    lock = threading.Lock()

    def make(
        slave_loss: dict[int, int] | None = None, max_rate: bool = True, slave_corrupt: tuple[int, ...] = ()
    ) -> tuple[Emulator, Emulator]:
        clock = SharedClock()
        port = 0
        for role, ip, loss, bad in (("M", "127.0.0.2", {}, ()), ("S", "127.0.0.3", slave_loss or {}, slave_corrupt)):
            cfg = EmulatorConfig(
                bind=ip,
                control_port=0,
                adc_port=port,
                dac_port=0,
                beacon_target=None,
                max_rate=max_rate,
                overrun_loss=False,
                role=role,
                shared_clock=clock,
                loss_at=loss,
                corrupt_pack_ids=bad,
            )
            emu = Emulator(cfg).start()
            port = emu.adc_reserved.port
            inner = emu._on_command

            def record(cmd: int, tag: bytes, _inner=inner, _role=role) -> None:
                with lock:
                    log.append((_role, cmd))
                _inner(cmd, tag)

            emu._on_command = record
            made.append(emu)
        return made[-2], made[-1]

    make.log = log
    yield make
    for emu in made:
        emu.stop()


def make_source(m: Emulator, s: Emulator, channels=(1, 2), output_type="short", **kw):
    return netstream.rp_adc_source(
        host=f"127.0.0.2:{m.control_port}, 127.0.0.3:{s.control_port}",
        channels=list(channels),
        decimation=1024,
        resolution=16,
        output_type=output_type,
        data_port=m.adc_reserved.port,
        block_size=BLOCK,
        **kw,
    )


def capture(src, nports: int, nitems: int):
    tb = gr.top_block()
    sinks = []
    for k in range(nports):
        snk = blocks.vector_sink_s()
        tb.connect((src, k), blocks.head(gr.sizeof_short, nitems), snk)
        sinks.append(snk)
    tb.start()
    wait_until(lambda: all(len(x.data()) >= nitems for x in sinks), 30, "samples from both boards")
    stop_bounded(tb)
    return [np.array(x.data(), dtype=np.int16) for x in sinks], sinks


def tags(sink, key: str) -> list[tuple[int, object]]:
    return [(t.offset, pmt.to_python(t.value)) for t in sink.tags() if pmt.symbol_to_string(t.key) == key]


@pytest.mark.parametrize("max_rate", [True, False], ids=["max-rate", "paced"])
def test_two_boards_lock_step_and_slave_started_first(pair, max_rate):
    m, s = pair(max_rate=max_rate)
    src = make_source(m, s)
    n = 8 * SPP
    data, sinks = capture(src, 4, n)
    # ports: master IN1, IN2, slave IN1, IN2; the shared clock makes the boards identical
    np.testing.assert_array_equal(data[0], data[2])
    np.testing.assert_array_equal(data[1], data[3])
    assert len(np.unique(data[0])) > SPP  # a real ramp, not zeros
    for k in range(4):
        assert [o for o, _ in tags(sinks[k], "rx_rate")] == [0]
        assert [o for o, _ in tags(sinks[k], "rx_time")] == [0]
        assert tags(sinks[k], "rp_lost") == []
    order = [(role, cmd) for role, cmd in pair.log if cmd in (P.Cmd.ADC_SERVER_START, P.Cmd.ADC_FPGA_START)]
    assert order[:4] == [
        ("S", P.Cmd.ADC_SERVER_START),
        ("M", P.Cmd.ADC_SERVER_START),
        ("S", P.Cmd.ADC_FPGA_START),
        ("M", P.Cmd.ADC_FPGA_START),
    ]
    stops = [role for role, cmd in pair.log if cmd == P.Cmd.ADC_SERVER_STOP]
    assert stops[-2:] == ["M", "S"]  # the stop at the end: master first
    assert src.counter("realigns") == 0
    assert m.fatal_events == [] and s.fatal_events == []


def test_slave_loss_is_zero_filled_and_tagged_on_the_slave_only(pair):
    m, s = pair(slave_loss={2: SPP})  # the slave loses exactly one pack after pack 2
    src = make_source(m, s)
    n = 8 * SPP
    data, sinks = capture(src, 4, n)
    gap = slice(3 * SPP, 4 * SPP)
    for mk, sk in ((0, 2), (1, 3)):
        expect = data[mk].copy()
        expect[gap] = 0
        np.testing.assert_array_equal(data[sk], expect)
        assert np.count_nonzero(data[mk][gap]) > 0
    for k in (2, 3):
        assert tags(sinks[k], "rp_lost") == [(3 * SPP, SPP)]
        assert [o for o, _ in tags(sinks[k], "rx_time")] == [0, 4 * SPP]
    for k in (0, 1):
        assert tags(sinks[k], "rp_lost") == []
        assert [o for o, _ in tags(sinks[k], "rx_time")] == [0]
    assert src.counter("board2.fpga_lost") == SPP
    assert src.counter("board2.lost_samples") == SPP
    assert src.counter("board2.zero_filled") == SPP
    assert src.counter("board1.lost_samples") == 0
    assert src.counter("board1.zero_filled") == 0
    assert src.counter("lost_samples") == SPP  # the total over the boards
    assert src.counter("realigns") == 0


def test_a_slave_resync_realigns_every_board(pair):
    """A bad pack makes the slave restart on its own; the block restarts both boards in order."""
    m, s = pair(slave_corrupt=(3,))  # every stream start of the slave breaks at pack 3
    src = make_source(m, s)
    n = 7 * SPP
    data, sinks = capture(src, 4, n)
    np.testing.assert_array_equal(data[0], data[2])
    np.testing.assert_array_equal(data[1], data[3])
    starts = [[o for o, _ in tags(sinks[k], "rx_rate")] for k in range(4)]
    assert starts[0][:3] == [0, 3 * SPP, 6 * SPP]  # 3 good packs per start of the slave
    assert all(x == starts[0] for x in starts)
    assert src.counter("realigns") >= 2
    assert src.counter("board2.resyncs") >= 2 and src.counter("board1.resyncs") == 0
    assert src.counter("malformed.bad_magic") >= 2
    assert m.fatal_events == [] and s.fatal_events == []


def test_float_output_and_status_fields(pair):
    m, s = pair()
    src = make_source(m, s, channels=(2,), output_type="float")
    tb = gr.top_block()
    sinks = [blocks.vector_sink_f(), blocks.vector_sink_f()]
    for k in range(2):
        tb.connect((src, k), blocks.head(gr.sizeof_float, 1 << 22), sinks[k])  # a bound, not the end
    tb.start()
    wait_until(lambda: src.connected() and all(len(x.data()) >= 4 * SPP for x in sinks), 30, "samples")
    stop_bounded(tb)
    n = min(len(x.data()) for x in sinks)
    a, b = (np.array(x.data()[:n]) for x in sinks)
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a)) <= 1.0 and np.max(np.abs(a)) > 0.1


@pytest.mark.parametrize("host", ["127.0.0.1,", ",127.0.0.1", "127.0.0.1, ,127.0.0.2", "a:0,b"])
def test_bad_host_lists_are_rejected(host):
    with pytest.raises(ValueError, match="host"):
        netstream.rp_adc_source(host=host, channels=[1], decimation=64)


def test_port_count_is_boards_times_channels():
    src = netstream.rp_adc_source(host="10.0.0.1,10.0.0.2,10.0.0.3", channels=[1, 2], decimation=64)
    assert src.output_signature().max_streams() == 6
    one = netstream.rp_adc_source(host="10.0.0.1", channels=[1, 2], decimation=64)
    assert one.output_signature().max_streams() == 2
