# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vendor-name Python client (ADC part) against the emulator, driven like the vendor examples."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gnuradio.netstream.redpitaya.client import ADCCallback, ADCStreamClient
from gnuradio.netstream.redpitaya.emulator import Emulator, EmulatorConfig, expected_pack_samples

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def emu():
    cfg = EmulatorConfig(bind="127.0.0.1", control_port=0, adc_port=0, dac_port=0, beacon_target=None, max_rate=True)
    e = Emulator(cfg).start()
    yield e
    e.stop()


def test_adc_client_counts_packs_and_notify_stop_from_callback(emu):
    class Cb(ADCCallback):
        def __init__(self):
            self.packs = []
            self.connected_hosts = []
            self.config_events = []

        def configConnected(self, client, host):  # noqa: N802
            self.config_events.append(("configConnected", host))

        def configSuccessSend(self, client, host):  # noqa: N802
            self.config_events.append(("configSuccessSend", host))

        def configSuccessSave(self, client, host):  # noqa: N802
            self.config_events.append(("configSuccessSave", host))

        def adcServerStartedTCP(self, client, host):  # noqa: N802
            self.config_events.append(("adcServerStartedTCP", host))

        def adcServerStopped(self, client, host):  # noqa: N802
            self.config_events.append(("adcServerStopped", host))

        def connected(self, client, host):
            self.connected_hosts.append(host)

        def receivePack(self, client, pack):  # noqa: N802
            self.packs.append(pack)
            if len(self.packs) == 5:
                client.notifyStop()

    host = f"127.0.0.1:{emu.control_port}"
    cl = ADCStreamClient(adc_port=emu.adc_reserved.port)
    cb = Cb()
    cl.setReceiveDataCallback(cb)
    assert cl.connect([host])
    assert cl.sendConfig("channel_state_1", "ON")
    assert cl.sendConfig("block_size", "1024")
    assert cl.getConfig("block_size") == "1024"
    assert cl.startStreaming()
    assert cl.wait(30)
    cl.stopStreaming()
    assert cb.connected_hosts == [host]
    names = [n for n, h in cb.config_events if h == host]
    assert names[0] == "configConnected"
    assert names.count("configSuccessSend") == 2 and names.count("configSuccessSave") == 2
    assert "adcServerStartedTCP" in names and names[-1] == "adcServerStopped"
    assert len(cb.packs) >= 5
    p0 = cb.packs[0].channel1
    assert p0.packId == 0 and p0.samples == 512 and p0.bitsPerSample == 16
    want = expected_pack_samples(emu.cfg, 2, 0, 0, 512, 16)
    np.testing.assert_array_equal(p0.raw, want)
    assert [p.channel1.packId for p in cb.packs[:5]] == [0, 1, 2, 3, 4]
    assert cb.packs[0].channel2.samples == 0  # absent channels are empty
    assert emu.fatal_events == []


def test_file_config_round_trip(emu):
    cl = ADCStreamClient()
    assert cl.connect(f"127.0.0.1:{emu.control_port}")
    doc = json.loads(cl.getFileConfig())
    doc["adc_streaming"]["adc_decimation"] = 64
    assert cl.sendFileConfig(json.dumps(doc))
    assert cl.getConfig("adc_decimation") == "64"
    assert emu.fatal_events == []


# ---------------------------------------------------------------- DAC client and player
import subprocess  # noqa: E402
import sys  # noqa: E402
import wave  # noqa: E402
from pathlib import Path  # noqa: E402

from gnuradio.netstream.redpitaya import ADCPack, DACCallback, DACStreamClient  # noqa: E402,F401


@pytest.fixture
def dac_emu():
    cfg = EmulatorConfig(
        bind="127.0.0.1", control_port=0, adc_port=0, dac_port=0, beacon_target=None, dac_max_rate=True
    )
    e = Emulator(cfg).start()
    yield e
    e.stop()


class DacCb(DACCallback):
    def __init__(self, stop_after: int = 0):
        self.sent = []
        self.events = []
        self.stop_after = stop_after

    def sentPack(self, client, ch1, ch2):  # noqa: N802
        self.sent.append((ch1, ch2))
        if self.stop_after and len(self.sent) == self.stop_after:
            client.notifyStop()

    def stopped(self, client, host):
        self.events.append("stopped")

    def stoppedFileEnd(self, client, host):  # noqa: N802
        self.events.append("stoppedFileEnd")

    def stoppedFileBroken(self, client, host):  # noqa: N802
        self.events.append("stoppedFileBroken")

    def stoppedMissingFile(self, client, host):  # noqa: N802
        self.events.append("stoppedMissingFile")

    def stoppedEmpty(self, client, host):  # noqa: N802
        self.events.append("stoppedEmpty")


def dac_client(emu, cb, block_size=1024):
    cl = DACStreamClient(dac_port=emu.dac_reserved.port)
    cl.setReceiveDataCallback(cb)
    assert cl.connect(f"127.0.0.1:{emu.control_port}")
    assert cl.sendConfig("block_size", str(block_size))
    assert cl.sendConfig("dac_rate", "1000000")
    return cl


def codes(n, start=0, step=5):
    return ((np.arange(n) * step + start) % 65536 - 32768).astype(np.int16)


def test_dac_memory_streaming_repeat_count(dac_emu):
    cb = DacCb()
    cl = dac_client(dac_emu, cb)
    a, b = codes(64 * 20), codes(64 * 20, 3, 7)  # 1280 samples: 3 packs of 512
    assert not cl.setMemory16Bit(a[:100], b[:100])  # not a multiple of 64
    assert cl.setMemory16Bit(a, b)
    cl.setRepeatCount(2)
    assert cl.startStreamingFromMemory()
    assert cl.wait(30)
    assert cb.sent == [(1024, 1024)] * 6 and cb.events == ["stopped"]
    np.testing.assert_array_equal(dac_emu.dac_played(1), np.tile(a, 2))
    np.testing.assert_array_equal(dac_emu.dac_played(2), np.tile(b, 2))
    assert dac_emu.dac is None and dac_emu.fatal_events == []


def test_dac_memory_one_pack_and_8bit(dac_emu):
    cb = DacCb()
    cl = dac_client(dac_emu, cb)
    x = (np.arange(256) % 200 - 100).astype(np.int8)
    assert cl.setMemory8Bit(None, x)
    cl.setRepeatCount(3)
    assert cl.startStreamingFromMemory()
    assert cl.wait(30)
    assert cb.sent == [(0, 1024)]
    assert dac_emu.dac_history[-1].repeats_played == 3
    np.testing.assert_array_equal(dac_emu.dac_played(2), np.tile(x, 3))


def test_dac_inf_with_notify_stop_from_callback(dac_emu):
    cb = DacCb(stop_after=10)
    cl = dac_client(dac_emu, cb)
    assert cl.setMemory16Bit(codes(64 * 16))  # 2 packs
    cl.setRepeatInf(True)
    assert cl.startStreamingFromMemory()
    assert cl.wait(30)
    assert len(cb.sent) == 10 and cb.events == ["stopped"]
    assert dac_emu.fatal_events == []


def write_wav(path: Path, data: np.ndarray, width: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(width)
        w.setframerate(48000)
        w.writeframes(data.tobytes())


def test_dac_wav_stereo_16_and_mono_8(dac_emu, tmp_path):
    a, b = codes(700, 1), codes(700, 2, 9)
    write_wav(tmp_path / "s.wav", np.stack([a, b], axis=1).astype("<i2"), 2)
    cb = DacCb()
    cl = dac_client(dac_emu, cb)
    assert cl.startStreamingWAV(str(tmp_path / "s.wav"))
    assert cl.wait(30)
    assert cb.events == ["stoppedFileEnd"]
    np.testing.assert_array_equal(dac_emu.dac_played(1), a)
    np.testing.assert_array_equal(dac_emu.dac_played(2), b)
    u8 = (np.arange(300) % 256).astype(np.uint8)
    write_wav(tmp_path / "m.wav", u8.reshape(-1, 1), 1)
    assert cl.startStreamingWAV(str(tmp_path / "m.wav"))
    assert cl.wait(30)
    np.testing.assert_array_equal(dac_emu.dac_played(1), (u8.astype(np.int16) - 128).astype(np.int8))


def test_dac_wav_missing_broken_empty(dac_emu, tmp_path):
    cb = DacCb()
    cl = dac_client(dac_emu, cb)
    assert not cl.startStreamingWAV(str(tmp_path / "nope.wav"))
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    assert not cl.startStreamingWAV(str(tmp_path / "bad.wav"))
    write_wav(tmp_path / "empty.wav", np.zeros((0, 1), dtype="<i2"), 2)
    assert not cl.startStreamingWAV(str(tmp_path / "empty.wav"))
    assert cb.events == ["stoppedMissingFile", "stoppedFileBroken", "stoppedEmpty"]
    assert dac_emu.dac_history == []  # nothing was started


def test_tdms_plays_exactly_and_reports_missing_and_broken_files(dac_emu, tmp_path):
    """startStreamingTDMS through a real TDMS writer/reader (npTDMS): two int16 channels."""
    from nptdms import ChannelObject, TdmsWriter

    a, b = codes(900, 1), codes(900, 2, 5)
    path = tmp_path / "x.tdms"
    with TdmsWriter(str(path)) as w:
        w.write_segment([ChannelObject("dac", "out1", a), ChannelObject("dac", "out2", b)])
    cb = DacCb()
    cl = dac_client(dac_emu, cb)
    assert cl.startStreamingTDMS(str(path))
    assert cl.wait(30)
    assert cb.events == ["stoppedFileEnd"]
    np.testing.assert_array_equal(dac_emu.dac_played(1), a)
    np.testing.assert_array_equal(dac_emu.dac_played(2), b)
    assert not cl.startStreamingTDMS(str(tmp_path / "missing.tdms"))
    (tmp_path / "bad.tdms").write_bytes(b"TDSm not really a tdms file")
    assert not cl.startStreamingTDMS(str(tmp_path / "bad.tdms"))
    assert cb.events == ["stoppedFileEnd", "stoppedMissingFile", "stoppedFileBroken"]
    assert dac_emu.fatal_events == []


REPO = Path(__file__).resolve().parents[1]


def run_player(args, timeout=60):
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p])
    return subprocess.run(
        [sys.executable, str(REPO / "apps" / "netstream-rp-play"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_player_wav_and_raw_and_errors(dac_emu, tmp_path):
    host = f"127.0.0.1:{dac_emu.control_port}"
    port = str(dac_emu.dac_reserved.port)
    a, b = codes(1500, 4), codes(1500, 8, 3)
    write_wav(tmp_path / "s.wav", np.stack([a, b], axis=1).astype("<i2"), 2)
    r = run_player([host, str(tmp_path / "s.wav"), "--dac-port", port, "--block-size", "1024", "--repeat", "2", "-q"])
    assert r.returncode == 0, r.stderr
    assert "stoppedFileEnd" in r.stderr
    np.testing.assert_array_equal(dac_emu.dac_played(1), np.tile(a, 2))
    np.testing.assert_array_equal(dac_emu.dac_played(2), np.tile(b, 2))
    raw = tmp_path / "x.bin"
    c = codes(900, 7)
    raw.write_bytes(c.astype("<i2").tobytes())
    r = run_player([host, str(raw), "--dac-port", port, "-q"])
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(dac_emu.dac_played(1), c)
    r = run_player([host, str(tmp_path / "missing.wav"), "--dac-port", port, "-q"])
    assert r.returncode == 2 and "stoppedMissingFile" in r.stderr
    (tmp_path / "odd.bin").write_bytes(b"\x01\x02\x03")
    r = run_player([host, str(tmp_path / "odd.bin"), "--dac-port", port, "-q"])
    assert r.returncode == 2 and "stoppedFileBroken" in r.stderr
    assert dac_emu.fatal_events == []


# ---------------------------------------------------------------- multi-board (section 7.4)
def test_multi_board_config_copy_alignment_and_slave_loss():
    from gnuradio.netstream.redpitaya.emulator import SharedClock

    clock = SharedClock()
    boards = []
    for role, loss in (("M", {}), ("S", {2: 512})):
        cfg = EmulatorConfig(
            bind="127.0.0.1",
            control_port=0,
            adc_port=0,
            dac_port=0,
            beacon_target=None,
            max_rate=True,
            role=role,
            shared_clock=clock,
            loss_at=loss,
        )
        boards.append(Emulator(cfg).start())
    try:
        hosts = [f"127.0.0.1:{b.control_port}" for b in boards]

        class Cb(ADCCallback):
            def __init__(self):
                self.packs = {h: [] for h in hosts}

            def receivePack(self, client, pack):  # noqa: N802
                self.packs[pack.host].append(pack.channel1)
                if all(len(v) >= 6 for v in self.packs.values()):
                    client.notifyStop()

        cl = ADCStreamClient(adc_port={h: b.adc_reserved.port for h, b in zip(hosts, boards, strict=True)})
        cb = Cb()
        cl.setReceiveDataCallback(cb)
        assert cl.connect(hosts)
        doc = json.loads(cl.getFileConfig(hosts[0]))  # the vendor flow: read one board's config ...
        doc["adc_streaming"]["channel_state_1"] = "ON"
        doc["memory_manager"]["block_size"] = 1024
        assert cl.sendFileConfig(json.dumps(doc))  # ... and apply it to all
        assert [cl.getConfig("block_size", h) for h in hosts] == ["1024", "1024"]
        assert cl.startStreaming()
        assert cl.wait(30)
        cl.stopStreaming()
        m, s = cb.packs[hosts[0]], cb.packs[hosts[1]]
        for k in range(3):  # aligned sample for sample up to the slave's loss
            np.testing.assert_array_equal(m[k].raw, s[k].raw)
        assert s[2].fpgaLost == 512 and m[2].fpgaLost == 0
        np.testing.assert_array_equal(s[3].raw, m[4].raw)  # the gap lies after the pack that carries it
        assert all(b.fatal_events == [] for b in boards)
    finally:
        for b in boards:
            b.stop()
