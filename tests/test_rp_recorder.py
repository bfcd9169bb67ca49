# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""netstream-rp-record against the board emulator: exact samples in WAV / raw / SigMF, lost samples
zero-filled and annotated, clear errors, no BOARD-FATAL marker."""

from __future__ import annotations

import json
import subprocess
import sys
import wave

import numpy as np
import pytest
from gnuradio.netstream.redpitaya import recorder
from gnuradio.netstream.redpitaya.emulator import Emulator, EmulatorConfig, expected_pack_samples, time_capture_ns
from netstream_testing import REPO_DIR

pytestmark = pytest.mark.timeout(120)
T_ARM = 1_750_000_000_000_000_000


def emulator(**kw) -> Emulator:
    kw.setdefault("model", 2)
    cfg = EmulatorConfig(
        bind="127.0.0.1",
        control_port=0,
        adc_port=0,
        dac_port=0,
        beacon_target=None,
        time_arm_ns=T_ARM,
        overrun_loss=False,
        **kw,
    )
    return Emulator(cfg).start()


def cfg_for(emu: Emulator, out, **kw) -> recorder.RecordConfig:
    return recorder.RecordConfig(
        host=f"127.0.0.1:{emu.control_port}",
        data_port=emu.adc_reserved.port,
        decimation=1024,
        block_size=4096,
        **kw,
        output=str(out),
    )


def test_wav_exact_two_channels(tmp_path):
    emu = emulator(proto="p2")
    try:
        s = recorder.record(cfg_for(emu, tmp_path / "a.wav", channels=[1, 2], samples=5000), progress=False)
    finally:
        emu.stop()
    assert emu.fatal_events == []
    assert s.samples == 5000 and s.lost == 0 and s.proto == "p2"
    with wave.open(str(tmp_path / "a.wav")) as w:
        assert w.getnchannels() == 2 and w.getframerate() == round(125e6 / 1024)
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert frames.shape == (5000, 2)
    for c in range(2):
        np.testing.assert_array_equal(frames[:, c], expected_pack_samples(emu.cfg, 2, c, 0, 5000, 16))


def test_sigmf_with_loss_annotations(tmp_path):
    spp = 2048
    emu = emulator(proto="p3", model=12, loss_at={1: 700})
    try:
        s = recorder.record(cfg_for(emu, tmp_path / "c.sigmf-data", channels=[2], samples=4 * spp), progress=False)
    finally:
        emu.stop()
    assert emu.fatal_events == []
    assert s.lost == 700 and s.lost_spans == [(2 * spp, 700)]
    meta = json.loads((tmp_path / "c.sigmf-meta").read_text())
    assert meta["global"]["core:datatype"] == "ri16_le"
    assert meta["global"]["core:sample_rate"] == 250e6 / 1024
    assert meta["annotations"] == [
        {"core:sample_start": 2 * spp, "core:sample_count": 700, "core:comment": "700 lost samples (zero-filled)"}
    ]
    assert meta["captures"][0]["core:datetime"].startswith("2025-06-15")
    assert s.capture_time_ns == time_capture_ns(T_ARM, 0, 1024, 250_000_000)
    data = np.fromfile(tmp_path / "c.sigmf-data", dtype="<i2")
    assert len(data) == 4 * spp
    np.testing.assert_array_equal(data[: 2 * spp], expected_pack_samples(emu.cfg, 12, 1, 0, 2 * spp, 16))
    assert not data[2 * spp : 2 * spp + 700].any()
    rest = 4 * spp - 2 * spp - 700
    np.testing.assert_array_equal(data[2 * spp + 700 :], expected_pack_samples(emu.cfg, 12, 1, 2 * spp + 700, rest, 16))


def test_raw_8bit_cli(tmp_path):
    emu = emulator(proto="p3", model=9)
    try:
        out = tmp_path / "r.bin"
        proc = subprocess.run(
            [
                sys.executable,
                str(REPO_DIR / "apps" / "netstream-rp-record"),
                "--host",
                f"127.0.0.1:{emu.control_port}",
                "--data-port",
                str(emu.adc_reserved.port),
                "-d",
                "1024",
                "-c",
                "1,3,4",
                "-r",
                "8",
                "--block-size",
                "4096",
                "-n",
                "6000",
                "-o",
                str(out),
                "--no-progress",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        emu.stop()
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["samples"] == 6000 and summary["proto"] == "p3"
    data = np.fromfile(out, dtype="<i2").reshape(-1, 3)
    for i, ch in enumerate((0, 2, 3)):
        exp = expected_pack_samples(emu.cfg, 9, ch, 0, 6000, 8).astype(np.int16) << 8
        np.testing.assert_array_equal(data[:, i], exp)
    assert emu.fatal_events == []


def test_refused_data_port_is_a_clear_error(tmp_path):
    emu = emulator(proto="p3", refuse_data=True)
    try:
        with pytest.raises(recorder.RecorderError, match="data port"):
            recorder.record(cfg_for(emu, tmp_path / "x.wav", channels=[1], samples=100), progress=False)
    finally:
        emu.stop()
    assert emu.fatal_events == []


@pytest.mark.parametrize("bad", [{"decimation": 3}, {"channels": [3, 1]}, {"resolution": 12}])
def test_bad_arguments(tmp_path, bad):
    with pytest.raises(recorder.RecorderError):
        recorder.record(recorder.RecordConfig(host="127.0.0.1:1", output=str(tmp_path / "x"), **bad), progress=False)
