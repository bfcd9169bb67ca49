# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Red Pitaya "Data Stream" board emulator (spec section 11, ADC and DAC sides).

It speaks the board side of the P2/P3 protocol: discovery beacons, the control channel
(every command of section 3.3 with its replies and side effects, settings per section 4),
ADC packs per section 5, and the DAC side of section 11 item 5 (:class:`DacPipeline`: exact
pack validation, ring depth from ``dac_size``, one-pack replay, repeat counting, and a
:class:`DacCapture` of what was played).

Where a real board would crash, hang or exit, the emulator logs one line
``BOARD-FATAL: <reason>: <detail>`` (reasons are stable snake_case keys, listed in
:data:`FATAL_REASONS`), closes the offending connection and keeps serving. Tests assert
that no such line appears. Other odd inputs give ``BOARD-WARN: <reason>: ...``.

Signal generator (exact, so tests can recompute every sample): see :class:`SignalGenerator`
and docs/redpitaya-emulator.md.
"""

from __future__ import annotations

import json
import logging
import os
import select
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Self

import numpy as np

from . import protocol as P

LOG = logging.getLogger("netstream.rp_emulator")

FATAL_MARKER = "BOARD-FATAL"
WARN_MARKER = "BOARD-WARN"

#: every reason the emulator may log with FATAL_MARKER
FATAL_REASONS = (
    "unknown_control_magic",
    "control_total_len_zero",
    "control_total_len_out_of_step",
    "control_total_len_hang",
    "control_inner_length_overrun",
    "second_adc_fpga_start",
    "config_root_not_object",
    "adc_start_decimation_zero",
    "p2_dac_tag_not_numeric",
    "dac_buffer_size_mismatch",
)

DEFAULT_DMA_REGION = 32 * 1024 * 1024


# --------------------------------------------------------------------------- configuration
class SharedClock:
    """One sample clock for a master and its slaves in one process (X-channel daisy chain).

    Give the same object to every board's :class:`EmulatorConfig` (``shared_clock``): a slave's
    ADC stream starts only when the master is armed (27) and counts samples from the same
    instant, so the boards' outputs are aligned sample for sample (spec section 7.4).
    """

    def __init__(self) -> None:
        self.master_armed = threading.Event()
        self.t0 = 0.0

    def arm(self, t0: float) -> None:
        self.t0 = t0
        self.master_armed.set()


@dataclass
class EmulatorConfig:
    model: int = 2
    proto: str = "p3"  # "p2" or "p3"
    role: str = "M"  # "M" or "S"
    bind: str = "0.0.0.0"
    control_port: int = P.PORT_CONTROL
    adc_port: int = P.PORT_ADC
    dac_port: int = P.PORT_DAC
    beacon_target: tuple[str, int] | None = ("255.255.255.255", P.PORT_BEACON)
    beacon_interval: float = 1.0
    ip: str = "127.0.0.1"  # board IP announced in the beacon
    mac: str = "00:26:32:f0:00:01"
    ready_file: str | None = None
    settings_file: str | None = None  # None: an in-memory "file"
    dma_region: int = DEFAULT_DMA_REGION
    # signal generator
    signal: str = "ramp"  # "ramp" or "sine"
    ramp_step: int = 1
    sine_period: int = 1000
    sine_amplitude: float = 0.8
    # pacing
    max_rate: bool = False
    overrun_loss: bool = True  # paced mode: a slow reader causes lostFPGA as on the board
    time_arm_ns: int | None = None  # fixed t_arm for timeCapture (None: the host clock)
    stale_last_pack: bool = False  # send one extra pack after 18, as the board usually does
    # fault injection
    loss_every: int = 0  # every K-th pack carries lostFPGA
    loss_samples: int | None = None  # per injected gap; None = loss_packs * samples per pack
    loss_packs: int = 1
    loss_at: dict[int, int] = field(default_factory=dict)  # packId -> lost samples after it
    refuse_data: bool = False  # reply 25 but never listen on the ADC port
    stall_after_packs: int = 0  # stall the ADC writes once, after this many packs
    stall_seconds: float = 0.0
    truncate_pack_after: int = 0  # after this many packs send half a pack and close the ADC socket
    corrupt_pack_ids: tuple[int, ...] = ()  # packs whose IN-first segment gets a bad magic
    drop_control_after: int = 0  # close the control link after this many received messages
    dac_stall_after_packs: int = 0  # stall DAC reads once, after this many packs
    dac_stall_seconds: float = 0.0
    # DAC side (section 11 item 5)
    dac_max_rate: bool = False  # play packs at once instead of at dac_rate
    dac_end_notice: bool = False  # send 33 when a one-pack playback ends (the board sends nothing)
    dac_capture_limit: int = 1 << 24  # samples kept per output
    dac_capture_file: str | None = None  # .npz written when a DAC pipeline is torn down
    # multi-board (section 7.4)
    shared_clock: SharedClock | None = None  # same object on a master and its slaves
    truncate_reply_after: int = 0  # the N-th control frame written is cut in half, then the link closed


def resolve_model(text: str | int) -> int:
    if isinstance(text, int):
        mid = text
    elif text in P.MODEL_ALIASES:
        mid = P.MODEL_ALIASES[text]
    else:
        mid = int(text)
    if mid not in P.MODELS:
        raise ValueError(f"unknown model id {mid}; known: {sorted(P.MODELS)} or {sorted(P.MODEL_ALIASES)}")
    return mid


# --------------------------------------------------------------------------- signal generator
class SignalGenerator:
    """Deterministic samples in the left-justified 16-bit domain (spec section 5.3).

    ``n`` is the per-channel sample index (decimated samples) counted from the ADC_FPGA_START
    (27) of the pipeline, lost samples included. ``B`` = model ADC bits, ``c`` = 0-based channel.

    * ramp: ``code = ((step*n + c*2**(B-2)) mod 2**B) - 2**(B-1)``; period ``2**B``
    * sine: ``code = rint(A*(2**(B-1)-1)*sin(2*pi*(n mod Pc)/Pc))``, ``Pc = period*(c+1)``, float64,
      numpy.rint (half to even)

    On the wire, 16-bit: ``int16(code << (16-B))``; 8-bit: ``int8(wire16 >> 8)`` (arithmetic).
    """

    def __init__(self, cfg: EmulatorConfig, adc_bits: int) -> None:
        self.signal = cfg.signal
        self.step = cfg.ramp_step
        self.period = cfg.sine_period
        self.amplitude = cfg.sine_amplitude
        self.bits = adc_bits
        if self.signal not in ("ramp", "sine"):
            raise ValueError(f"signal must be 'ramp' or 'sine', not {self.signal!r}")
        if self.period < 1:
            raise ValueError("sine period must be >= 1")

    def channel_period(self, channel: int) -> int:
        return (1 << self.bits) if self.signal == "ramp" else self.period * (channel + 1)

    def codes(self, channel: int, n: np.ndarray) -> np.ndarray:
        b = self.bits
        if self.signal == "ramp":
            return ((self.step * n + channel * (1 << (b - 2))) % (1 << b)) - (1 << (b - 1))
        pc = self.channel_period(channel)
        return np.rint(self.amplitude * ((1 << (b - 1)) - 1) * np.sin(2.0 * np.pi * (n % pc) / pc)).astype(np.int64)

    def wire16(self, channel: int, n: np.ndarray) -> np.ndarray:
        return (self.codes(channel, n) << (16 - self.bits)).astype(np.int16)

    def wire(self, channel: int, n: np.ndarray, bits_per_sample: int) -> np.ndarray:
        w = self.wire16(channel, n)
        return (w >> 8).astype(np.int8) if bits_per_sample == 8 else w


class _ChannelTable:
    """One channel's samples over a period plus one pack, as bytes: a pack is a slice."""

    def __init__(self, gen: SignalGenerator, channel: int, samples_per_pack: int, bits: int) -> None:
        self.period = gen.channel_period(channel)
        self.bps = bits // 8
        n = np.arange(self.period + samples_per_pack, dtype=np.int64)
        self.data = memoryview(gen.wire(channel, n, bits).astype("<i2" if bits == 16 else "i1").tobytes())
        self.span = samples_per_pack * self.bps

    def slice(self, n: int) -> memoryview:
        off = (n % self.period) * self.bps
        return self.data[off : off + self.span]


# --------------------------------------------------------------------------- helpers
class _Reserved:
    """A TCP port kept bound (not listening: connects are refused) until a pipeline listens."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.sock = self._bind(port)
        self.port = self.sock.getsockname()[1]

    def _bind(self, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.host, port))
        return s

    def listen(self) -> socket.socket:
        self.sock.listen(4)
        return self.sock

    def rearm(self) -> None:
        """Close the listener and keep the port bound (a later connect is refused)."""
        try:
            self.sock.close()
        finally:
            self.sock = self._bind(self.port)

    def close(self) -> None:
        self.sock.close()


def _recv_exact(sock: socket.socket, n: int, stop: threading.Event) -> bytes | None:
    buf = bytearray()
    while len(buf) < n and not stop.is_set():
        try:
            chunk = sock.recv(min(n - len(buf), 1 << 20))
        except TimeoutError:
            continue
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return bytes(buf) if len(buf) == n else None


# --------------------------------------------------------------------------- ADC pipeline
class AdcPipeline:
    """One ADC pipeline (built by 17, torn down by 18, 17 or the block-size side effect)."""

    def __init__(self, board: Emulator, settings: P.Settings, channels: list[int], ring_depth: int) -> None:
        self.board = board
        cfg = board.cfg
        self.cfg = cfg
        self.model = board.model
        self.file_mode = settings["adc_pass_mode"] == "FILE"
        self.bits = 8 if settings["resolution"] == "BIT_8" else 16
        self.block_size = int(settings["block_size"])
        self.decimation = int(settings["adc_decimation"])
        self.channels = channels
        self.ring_depth = ring_depth
        self.samples_per_pack = self.block_size // (self.bits // 8)
        self.fs = self.model.adc_base_rate / self.decimation
        self.base_rate_field = self.model.adc_base_rate // self.decimation
        self.capture_time = board.cfg.proto == "p3" and settings.values.get("adc_capture_time") == "ON"
        self.samples_limit = int(settings["samples_limit_sd"])
        self.adc_mode = {c: 1 if settings[f"channel_attenuator_{c + 1}"] == "A_1_20" else 0 for c in channels}
        self.armed = threading.Event()
        self.stop_event = threading.Event()
        self.client: socket.socket | None = None
        self.client_dead = False
        self.listener: socket.socket | None = None
        self.packs_sent = 0
        self.thread: threading.Thread | None = None
        self._gen = SignalGenerator(cfg, self.model.adc_bits)
        self._tables: list[_ChannelTable] = []
        self._next_n = 0
        self._next_pack_id = 0

    # -- lifecycle (control thread)
    def start(self) -> None:
        if not self.file_mode and not self.cfg.refuse_data:
            self.listener = self.board.adc_reserved.listen()
        if self.samples_per_pack > 0:
            self._tables = [_ChannelTable(self._gen, c, self.samples_per_pack, self.bits) for c in self.channels]
        self.thread = threading.Thread(target=self._run, name="rp-emu-adc", daemon=True)
        self.thread.start()

    def arm(self) -> None:
        self.armed.set()

    def teardown(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.cfg.shared_clock is not None and self.board.role == "M":
            self.cfg.shared_clock.master_armed.clear()
        if self.thread is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                LOG.warning("ADC sender did not finish within %.1f s (client not reading?)", timeout)
        if self.client is not None:
            try:
                self.client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.client.close()
            self.client = None
        if self.listener is not None:
            self.board.adc_reserved.rearm()
            self.listener = None

    # -- data thread
    def _accept(self, timeout: float) -> None:
        if self.listener is None or self.client is not None:
            if timeout > 0:
                self.stop_event.wait(timeout)
            return
        self.listener.settimeout(max(timeout, 0.0))
        try:
            conn, _ = self.listener.accept()
        except (TimeoutError, BlockingIOError, OSError):
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
        conn.settimeout(0.25)
        self.client = conn
        LOG.info("ADC data client connected")

    def _run(self) -> None:
        try:
            self._run_inner()
        except Exception:  # an emulator bug must not kill the board silently
            LOG.exception("ADC pipeline thread failed")

    def _run_inner(self) -> None:
        while not self.stop_event.is_set() and not self.armed.is_set():
            self._accept(0.05)
        if self.stop_event.is_set():
            return
        if self.samples_per_pack == 0:
            LOG.warning(
                "%s: block_size_zero: block_size %d gives empty packs; nothing is sent", WARN_MARKER, self.block_size
            )
            return
        t_arm = self.cfg.time_arm_ns if self.cfg.time_arm_ns is not None else time.time_ns()
        t0 = time.monotonic()
        clock = self.cfg.shared_clock
        if clock is not None:
            if self.board.role == "S":
                # The slave's DMA starts on the master's trigger (section 7.4): same sample 0.
                while not self.stop_event.is_set() and not clock.master_armed.wait(0.05):
                    self._accept(0)
                if self.stop_event.is_set():
                    return
                t0 = clock.t0
            else:
                clock.arm(t0)
        tick_ns = 1e9 / self.model.adc_base_rate
        period = self.samples_per_pack / self.fs
        n = 0
        pack_id = 0
        stalled = False
        while not self.stop_event.is_set():
            if self.file_mode:
                if not self._file_step(n, t0):
                    return
                n += self.samples_per_pack
                continue
            if not self.cfg.max_rate:
                due = t0 + n / self.fs
                while not self.stop_event.is_set():
                    wait = due - time.monotonic()
                    if wait <= 0:
                        break
                    self._accept(min(wait, 0.05))
                if self.client is None:
                    self._accept(0)
                if self.client is None:
                    n += self.samples_per_pack  # consumed and thrown away; packId does not advance
                    continue
            else:
                while self.client is None and not self.stop_event.is_set():
                    self._accept(0.05)
                if self.client_dead:
                    self.stop_event.wait(0.05)
                    continue
            if self.stop_event.is_set():
                break
            lost = self._lost_after(pack_id)
            if not self.cfg.max_rate and self.cfg.overrun_loss:
                lag = time.monotonic() - (t0 + n / self.fs)
                allowed = max(self.ring_depth - 2, 1) * period
                if lag > allowed:
                    behind = int((lag - allowed) / period) + 1
                    lost += behind * self.samples_per_pack
            time_capture = int(t_arm + (n * self.decimation) * tick_ns) if self.capture_time else 0
            if self.cfg.truncate_pack_after and pack_id == self.cfg.truncate_pack_after:
                pack = self._build(pack_id, n, lost, time_capture)
                self._send(pack[: len(pack) // 2])
                LOG.info("fault: truncated pack %d and closed the ADC data socket", pack_id)
                self._close_client()
                return
            self._send(self._build(pack_id, n, lost, time_capture))
            self._next_n, self._next_pack_id = n + self.samples_per_pack + lost, pack_id + 1
            pack_id += 1
            self.packs_sent = pack_id
            n += self.samples_per_pack + lost
            if self.cfg.stall_after_packs and not stalled and pack_id >= self.cfg.stall_after_packs:
                stalled = True
                LOG.info("fault: stalling ADC writes for %.3f s", self.cfg.stall_seconds)
                self.stop_event.wait(self.cfg.stall_seconds)
        if self.cfg.stale_last_pack and self.client is not None and not self.client_dead:
            self._send(self._build(self._next_pack_id, self._next_n, 0, 0))

    def _file_step(self, n: int, t0: float) -> bool:
        """FILE mode: consume one pack at the pack pace; 24 when samples_limit_sd is reached."""
        if not self.cfg.max_rate:
            self.stop_event.wait(max(0.0, t0 + n / self.fs - time.monotonic()))
        if self.stop_event.is_set():
            return False
        done = n + self.samples_per_pack
        if self.samples_limit and done >= self.samples_limit:
            self.board.file_recording_done(self)
            return False
        return True

    def _lost_after(self, pack_id: int) -> int:
        lost = self.cfg.loss_at.get(pack_id, 0)
        if self.cfg.loss_every and (pack_id + 1) % self.cfg.loss_every == 0:
            lost += (
                self.cfg.loss_samples
                if self.cfg.loss_samples is not None
                else self.cfg.loss_packs * self.samples_per_pack
            )
        return lost

    def _build(self, pack_id: int, n: int, lost: int, time_capture: int) -> bytes:
        nch = len(self.channels)
        parts: list[bytes | memoryview] = []
        for i, c in enumerate(self.channels):
            magic = P.ADC_ID_PACK
            if i == 0 and pack_id in self.cfg.corrupt_pack_ids:
                magic = b"\x00" * 16
            hdr = P.ADC_HEADER.pack(
                magic,
                P.SEGMENT_HEADER_SIZE + self.block_size,
                pack_id,
                lost,
                nch * self.block_size,
                self.base_rate_field,
                self.model.adc_bits,
                c,
                self.bits,
                self.adc_mode[c],
                time_capture,
            )
            parts.append(hdr)
            data = self._tables[i].slice(n)
            parts.append(data)
            pad = self.block_size - len(data)  # odd block_size in 16-bit mode
            if pad:
                parts.append(b"\0" * pad)
        return b"".join(parts)

    def _send(self, data: bytes) -> None:
        """Blocking send of a whole pack; a pack being sent is always sent in full."""
        sock = self.client
        if sock is None or self.client_dead:
            return
        view = memoryview(data)
        while view:
            if self.board.stopping.is_set():
                return
            try:
                sent = sock.send(view)
            except TimeoutError:
                continue
            except OSError:
                self.client_dead = True  # the board ignores send errors and keeps counting
                return
            view = view[sent:]

    def _close_client(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None
                self.client_dead = True


# --------------------------------------------------------------------------- DAC pipeline
class DacCapture:
    """What the emulated DAC "played", per output (spec section 11 item 5).

    Samples are kept as the codes on the wire: int16 for 16-bit packs, int8 for 8-bit packs
    (the 8-bit flag of each output is taken from the first pack only, as on the board).
    At most ``limit`` samples per output are kept; ``played`` counts all of them.
    """

    def __init__(self, outputs: list[int], limit: int) -> None:
        self.outputs = outputs  # 1-based output of each segment position
        self.limit = limit
        self._chunks: dict[int, list[np.ndarray]] = {o: [] for o in outputs}
        self._kept: dict[int, int] = {o: 0 for o in outputs}
        self.played: dict[int, int] = {o: 0 for o in outputs}
        self.lock = threading.Lock()

    def add(self, output: int, samples: np.ndarray) -> None:
        with self.lock:
            self.played[output] += len(samples)
            room = self.limit - self._kept[output]
            if room > 0:
                part = samples[:room].copy()
                self._chunks[output].append(part)
                self._kept[output] += len(part)

    def samples(self, output: int) -> np.ndarray:
        with self.lock:
            chunks = self._chunks.get(output, [])
            if not chunks:
                return np.zeros(0, dtype=np.int16)
            return np.concatenate(chunks)

    def dump(self, path: str) -> None:
        """Write ``out1``/``out2`` arrays (numpy .npz) to ``path``."""
        arrays = {f"out{o}": self.samples(o) for o in self.outputs}
        with open(path, "wb") as f:
            np.savez(f, **arrays)


class DacPipeline:
    """One DAC pipeline (built by 31, torn down by 32, 31 or the block-size side effect).

    A receiver thread reads exactly N x (128 + block_size) bytes per pack (section 6.1) and
    validates every segment: a wrong ``bufferSize`` is BOARD-FATAL (the board calls exit(1)),
    the data socket is closed and the board keeps serving; an odd magic, ``channels``,
    ``channel``, ``sizeOfAllChannels``, ``bits``, ``channelSize`` or boolean byte is a
    BOARD-WARN and the pack is handled by the board's rules. Received packs go into a ring of
    ``ring_depth`` packs (from ``dac_size``); when it is full the receiver stops reading, so
    the client sees TCP back-pressure (section 6.4).

    A player thread takes packs from the ring (freeing the slot) and "plays" them at
    ``dac_rate`` (or at once with ``dac_max_rate``) into :class:`DacCapture`: each pack plays
    max(channelSize) bytes of every segment (section 6.2); an all-zero pack stalls playback
    for ever. The first pack flagged onePackMode becomes the replayed waveform (section 6.3):
    count = max repeatCount over the segments with data, infMode from the last one with data,
    a count <= 0 without infMode plays nothing; packs after it are received but never played.
    No notice at the end (section 6.1) unless ``dac_end_notice`` is set (then 33).
    """

    def __init__(self, board: Emulator, outputs: list[int], block_size: int, ring_depth: int, dac_rate: int) -> None:
        self.board = board
        self.cfg = board.cfg
        self.outputs = outputs
        self.n = len(outputs)
        self.block_size = block_size
        self.ring_depth = max(ring_depth, 1)
        self.dac_rate = max(dac_rate, 1)
        self.stop_event = threading.Event()
        self.listener: socket.socket | None = board.dac_reserved.listen()
        self.client: socket.socket | None = None
        self.capture = DacCapture(outputs, self.cfg.dac_capture_limit)
        # ring: received packs not yet handed to the "FPGA"
        self._ring: list[bytes] = []
        self._ring_cv = threading.Condition()
        self.packs = 0  # packs received (validated)
        self.packs_played = 0
        self.ring_full_waits = 0  # times the receiver found the ring full and stopped reading
        self.receiver_blocked = False
        self.receiver_reading = False  # inside a pack (some of its bytes received)
        self.underruns = 0  # times playback found the ring empty after it had started (streaming)
        self.repeats_played = 0  # one-pack mode: repetitions played
        self.one_pack_done = False
        self.stalled_empty_pack = False
        self.waiting_for_pack = False  # the player waits on an empty ring
        self._busy = False  # the player holds a pack it has not finished
        self._replaying_inf = False
        self.client_closed = False
        self._bits8: dict[int, bool] | None = None
        self.rx_thread = threading.Thread(target=self._run_rx, name="rp-emu-dac-rx", daemon=True)
        self.play_thread = threading.Thread(target=self._run_play, name="rp-emu-dac-play", daemon=True)
        self.rx_thread.start()
        self.play_thread.start()

    # ---- receiver
    def _run_rx(self) -> None:
        try:
            self._rx_inner()
        except Exception:
            LOG.exception("DAC receiver thread failed")

    def _rx_inner(self) -> None:
        assert self.listener is not None
        self.listener.settimeout(0.05)
        while not self.stop_event.is_set() and self.client is None:
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.1)
            self.client = conn
            LOG.info("DAC data client connected")
        if self.client is None:
            return
        seg = P.SEGMENT_HEADER_SIZE + self.block_size
        while not self.stop_event.is_set():
            with self._ring_cv:
                if len(self._ring) >= self.ring_depth:
                    self.ring_full_waits += 1
                    self.receiver_blocked = True
                    while len(self._ring) >= self.ring_depth and not self.stop_event.is_set():
                        self._ring_cv.wait(0.1)
                    self.receiver_blocked = False
            if self.stop_event.is_set():
                break
            if self.cfg.dac_stall_after_packs and self.packs == self.cfg.dac_stall_after_packs:
                LOG.info("fault: stalling DAC reads for %.3f s", self.cfg.dac_stall_seconds)
                self.stop_event.wait(self.cfg.dac_stall_seconds)
            pack = self._recv_pack(self.n * seg)
            if pack is None:
                # client EOF: the board closes its data socket and listener, keeps playing
                self.client_closed = not self.stop_event.is_set()
                break
            if not self._validate(pack, seg):
                self.receiver_reading = False
                return
            self.packs += 1
            with self._ring_cv:
                self._ring.append(pack)
                self.receiver_reading = False
                self._ring_cv.notify_all()
        self._close()

    def _recv_pack(self, n: int) -> bytes | None:
        """Exactly n bytes; ``receiver_reading`` is set from the first byte of the pack on."""
        assert self.client is not None
        buf = bytearray()
        while len(buf) < n and not self.stop_event.is_set():
            try:
                chunk = self.client.recv(min(n - len(buf), 1 << 20))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            self.receiver_reading = True
            buf += chunk
        return bytes(buf) if len(buf) == n else None

    def _validate(self, pack: bytes, seg: int) -> bool:
        k = self.packs
        for i in range(self.n):
            raw = pack[i * seg : i * seg + P.SEGMENT_HEADER_SIZE]
            h = P.DacSegmentHeader.unpack(raw)
            if h.buffer_size != seg:
                self.board.fatal(
                    "dac_buffer_size_mismatch",
                    f"pack {k} segment {i}: bufferSize {h.buffer_size}, expected {seg} (the board calls exit(1))",
                )
                self._close()
                return False
            if h.magic != P.DAC_ID_PACK:
                self.board.warn("dac_bad_magic", f"pack {k} segment {i}")
            if h.bits not in (8, 16):
                self.board.warn("dac_bad_bits", f"pack {k} segment {i}: bits {h.bits} is taken as 16")
            if h.channels != self.n:
                self.board.warn("dac_bad_channels", f"pack {k} segment {i}: channels {h.channels}, pack has {self.n}")
            if h.channel != self.outputs[i]:
                self.board.warn(
                    "dac_bad_channel", f"pack {k} segment {i}: channel {h.channel}, position says {self.outputs[i]}"
                )
            if h.channel_size > self.block_size:
                self.board.warn(
                    "dac_bad_channel_size", f"pack {k} segment {i}: channelSize {h.channel_size} > {self.block_size}"
                )
            if h.size_of_all_channels != self.n * self.block_size:
                self.board.warn(
                    "dac_bad_size_of_all_channels", f"pack {k} segment {i}: sizeOfAllChannels {h.size_of_all_channels}"
                )
            if raw[46] > 1 or raw[47] > 1:
                self.board.warn("dac_bad_bool", f"pack {k} segment {i}: onePackMode/infMode bytes {raw[46]}/{raw[47]}")
        return True

    # ---- player
    def _run_play(self) -> None:
        try:
            self._play_inner()
        except Exception:
            LOG.exception("DAC player thread failed")

    def _take(self) -> bytes | None:
        with self._ring_cv:
            while not self._ring and not self.stop_event.is_set():
                self.waiting_for_pack = True
                self._ring_cv.wait(0.05)
            self.waiting_for_pack = False
            if self.stop_event.is_set():
                return None
            pack = self._ring.pop(0)
            self._busy = True  # under the lock: drain_for_test never sees "empty and idle" here
            self._ring_cv.notify_all()  # a slot is free as soon as the pack is handed over
            return pack

    def _segments(self, pack: bytes):
        seg = P.SEGMENT_HEADER_SIZE + self.block_size
        heads = [P.DacSegmentHeader.unpack(pack[i * seg : i * seg + 128]) for i in range(self.n)]
        datas = [pack[i * seg + 128 : (i + 1) * seg] for i in range(self.n)]
        return heads, datas

    def _play_inner(self) -> None:
        started = False
        t_next = 0.0
        while not self.stop_event.is_set():
            pack = self._take_or_underrun(started)
            if pack is None:
                return
            self._busy = True
            heads, datas = self._segments(pack)
            if self._bits8 is None:
                self._bits8 = {o: heads[i].bits == 8 for i, o in enumerate(self.outputs)}
            nbytes = max(h.channel_size for h in heads)
            nbytes = min(nbytes, self.block_size)
            if nbytes == 0:
                self.stalled_empty_pack = True
                self.board.warn("dac_empty_pack", f"pack {self.packs_played}: every channelSize is 0; playback waits")
                self.stop_event.wait()
                return
            chunks = {o: self._decode(o, datas[i][:nbytes]) for i, o in enumerate(self.outputs)}
            n_samples = max(len(c) for c in chunks.values())
            period = n_samples / self.dac_rate
            if not started:
                started = True
                t_next = time.monotonic()
            if any(h.one_pack_mode for h in heads):
                self._one_pack(heads, chunks, period, t_next)
                return
            t_next = self._pace(t_next, period)
            if t_next < 0:
                return
            for o, c in chunks.items():
                self.capture.add(o, c)
            self.packs_played += 1
            self._busy = False

    def _take_or_underrun(self, started: bool) -> bytes | None:
        """Next pack; an underrun is counted when paced playback had to wait for it."""
        with self._ring_cv:
            starving = started and not self._ring and not self.cfg.dac_max_rate
        pack = self._take()
        if pack is not None and starving:
            self.underruns += 1
        return pack

    def _decode(self, output: int, data: bytes) -> np.ndarray:
        assert self._bits8 is not None
        if self._bits8[output]:
            return np.frombuffer(data, dtype=np.int8)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)

    def _pace(self, t_next: float, period: float) -> float:
        """Wait until the pack is due; return when the next one is due, or -1 on stop."""
        if self.cfg.dac_max_rate:
            return t_next
        if self.stop_event.wait(max(0.0, t_next - time.monotonic())):
            return -1.0
        now = time.monotonic()
        start = t_next if now - t_next < period else now  # late by a whole pack: re-anchor
        return start + period

    def _one_pack(self, heads, chunks, period: float, t_next: float) -> None:
        with_data = [h for h in heads if h.channel_size > 0]
        inf = with_data[-1].inf_mode if with_data else 0
        count = max(h.repeat_count for h in with_data) if with_data else 0
        LOG.info("DAC one-pack mode: %s", "infinite" if inf else f"{count} play(s)")
        self._replaying_inf = bool(inf)
        while not self.stop_event.is_set() and (inf or self.repeats_played < count):
            t_next = self._pace(t_next, period)
            if t_next < 0:
                return
            for o, c in chunks.items():
                self.capture.add(o, c)
            self.repeats_played += 1
            if inf and self.cfg.dac_max_rate:
                self.stop_event.wait(0.001)  # do not let an endless replay hog the interpreter
        self.one_pack_done = True
        self.packs_played += 1
        self._busy = False
        if self.cfg.dac_end_notice and not self.stop_event.is_set():
            self.board.notify(P.Cmd.DAC_SERVER_STOPPED)

    # ---- status / teardown
    @property
    def ring_fill(self) -> int:
        with self._ring_cv:
            return len(self._ring)

    def _close(self) -> None:
        c = self.client
        if c is not None:
            try:
                c.close()
            finally:
                self.client = None
        if self.listener is not None:
            self.board.dac_reserved.rearm()  # a reconnect is refused (section 6.1 item 5)
            self.listener = None

    def drain_for_test(self, timeout: float = 2.0) -> None:
        """max-rate mode only: let the player finish what the client already sent before a 32.

        The real board discards it (section 6.1 item 4); in max-rate mode playback takes no
        time, so a test could otherwise not tell "played" from "discarded by the race"."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._replaying_inf and not self.stalled_empty_pack:
            c = self.client if self.client is not None else self.listener  # a connect not yet accepted
            pending = False
            if c is not None:
                try:
                    pending = bool(select.select([c], [], [], 0.02)[0])
                except (OSError, ValueError):
                    pending = False
            with self._ring_cv:
                idle = not self._ring and not self._busy and not self.receiver_reading
            if not pending and idle:
                return
            time.sleep(0.005)

    def teardown(self) -> None:
        self.stop_event.set()
        with self._ring_cv:
            self._ring.clear()
            self._ring_cv.notify_all()
        self.rx_thread.join(5.0)
        self.play_thread.join(5.0)
        self._close()
        if self.cfg.dac_capture_file:
            try:
                self.capture.dump(self.cfg.dac_capture_file)
            except OSError as e:
                LOG.error("cannot write the DAC capture to %s: %s", self.cfg.dac_capture_file, e)


# --------------------------------------------------------------------------- the board
class Emulator:
    """The emulated board. ``start()`` binds everything and returns; ``stop()`` ends it."""

    def __init__(self, cfg: EmulatorConfig) -> None:
        if cfg.proto not in ("p2", "p3"):
            raise ValueError(f"proto must be 'p2' or 'p3', not {cfg.proto!r}")
        if cfg.role not in ("M", "S"):
            raise ValueError(f"role must be 'M' or 'S', not {cfg.role!r}")
        self.cfg = cfg
        self.model = P.MODELS[resolve_model(cfg.model)]
        if cfg.proto == "p2" and self.model.p2_family is None:
            raise ValueError(
                f"model {self.model.model_id} ({self.model.name}) is not supported by P2 servers (they exit)"
            )
        self.role = cfg.role if self.model.x_streaming else "M"
        SignalGenerator(cfg, self.model.adc_bits)  # validate early
        self.settings = P.Settings(cfg.proto)
        self._saved_settings: str | None = None
        self.stopping = threading.Event()
        self.fatal_events: list[tuple[str, str]] = []
        self.warn_events: list[tuple[str, str]] = []
        self.adc: AdcPipeline | None = None
        self.adc_armed_once = False
        self.dac: DacPipeline | None = None
        self.dac_history: list[DacPipeline] = []  # every DAC pipeline built, newest last
        self._ctl_lock = threading.RLock()
        self._ctl: socket.socket | None = None
        self._parser = P.ControlParser()
        self._messages_received = 0
        self._frames_written = 0
        self._split_block_size = int(self.settings["block_size"])
        self._split_ok = True
        self._adc_reserved_blocks = 0
        self._dac_reserved_blocks = 0
        self._effective_adc_size = int(self.settings["adc_size"])
        self._threads: list[threading.Thread] = []
        self.control_listener: socket.socket | None = None
        self.adc_reserved: _Reserved
        self.dac_reserved: _Reserved

    # ---- public
    def start(self) -> Emulator:
        cfg = self.cfg
        self.control_listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.control_listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.control_listener.bind((cfg.bind, cfg.control_port))
        self.control_listener.listen(8)
        self.adc_reserved = _Reserved(cfg.bind, cfg.adc_port)
        self.dac_reserved = _Reserved(cfg.bind, cfg.dac_port)
        self._spawn(self._control_loop, "rp-emu-control")
        if cfg.beacon_target is not None:
            self._spawn(self._beacon_loop, "rp-emu-beacon")
        if cfg.ready_file:
            tmp = cfg.ready_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.ready_info(), f)
            os.replace(tmp, cfg.ready_file)
        LOG.info(
            "emulated %s (model %d, %s, role %s) ready: %s",
            self.model.name,
            self.model.model_id,
            cfg.proto,
            self.role,
            self.ready_info(),
        )
        return self

    def ready_info(self) -> dict:
        return {
            "pid": os.getpid(),
            "host": self.cfg.bind,
            "control_port": self.control_port,
            "adc_port": self.adc_reserved.port,
            "dac_port": self.dac_reserved.port,
            "beacon_target": list(self.cfg.beacon_target) if self.cfg.beacon_target else None,
            "model": self.model.model_id,
            "proto": self.cfg.proto,
            "role": self.role,
        }

    @property
    def control_port(self) -> int:
        assert self.control_listener is not None
        return self.control_listener.getsockname()[1]

    def stop(self, timeout: float = 5.0) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        for t in self._threads:
            t.join(timeout)
        if self.adc is not None:
            self.adc.teardown(timeout)
            self.adc = None
        if self.dac is not None:
            self.dac.teardown()
            self.dac = None
        with self._ctl_lock:
            if self._ctl is not None:
                self._ctl.close()
                self._ctl = None
        if self.control_listener is not None:
            self.control_listener.close()
        self.adc_reserved.close()
        self.dac_reserved.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def dac_played(self, output: int = 1, index: int = -1) -> np.ndarray:
        """Codes the emulated DAC played on ``output`` (1-based) in DAC pipeline ``index``
        (default: the newest, also after it was torn down). int16, or int8 for 8-bit packs."""
        if not self.dac_history:
            return np.zeros(0, dtype=np.int16)
        return self.dac_history[index].capture.samples(output)

    def dump_dac_capture(self, path: str, index: int = -1) -> None:
        """Write what DAC pipeline ``index`` played to ``path`` (numpy .npz, arrays ``out1``/``out2``)."""
        if not self.dac_history:
            raise ValueError("no DAC pipeline was started")
        self.dac_history[index].capture.dump(path)

    def drop_control_link(self) -> None:
        """Fault: close the current control connection (the client sees EOF)."""
        with self._ctl_lock:
            if self._ctl is not None:
                LOG.info("fault: dropping the control link")
                self._ctl.close()
                self._ctl = None

    # ---- logging
    def fatal(self, reason: str, detail: str) -> None:
        assert reason in FATAL_REASONS, reason
        self.fatal_events.append((reason, detail))
        LOG.error("%s: %s: %s", FATAL_MARKER, reason, detail)

    def warn(self, reason: str, detail: str) -> None:
        self.warn_events.append((reason, detail))
        LOG.warning("%s: %s: %s", WARN_MARKER, reason, detail)

    # ---- threads
    def _spawn(self, fn, name: str) -> None:
        t = threading.Thread(target=fn, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _beacon_loop(self) -> None:
        cfg = self.cfg
        if cfg.proto == "p3":
            payload = P.beacon_p3(cfg.mac, cfg.ip, self.role, self.model.model_id)
        else:
            payload = P.beacon_p2(cfg.ip, self.role, self.model.p2_family or 0)
        sock = None
        while not self.stopping.is_set():
            try:
                if sock is None:
                    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.sendto(payload, cfg.beacon_target)
            except OSError as e:
                LOG.debug("beacon send failed: %s", e)
                if sock is not None:
                    sock.close()
                sock = None
            self.stopping.wait(cfg.beacon_interval)
        if sock is not None:
            sock.close()

    def _control_loop(self) -> None:
        sel = selectors.DefaultSelector()
        assert self.control_listener is not None
        self.control_listener.setblocking(False)
        sel.register(self.control_listener, selectors.EVENT_READ, "listen")
        current = None
        try:
            while not self.stopping.is_set():
                with self._ctl_lock:
                    if current is not None and current is not self._ctl:
                        sel.unregister(current)  # closed by a fault or a fatal condition
                        current = None
                for key, _ in sel.select(0.05):
                    if key.data == "listen":
                        try:
                            conn, peer = self.control_listener.accept()
                        except OSError:
                            continue
                        if current is not None:
                            sel.unregister(current)
                        current = self._new_controller(conn, peer)
                        sel.register(conn, selectors.EVENT_READ, "ctl")
                    elif key.fileobj is current:
                        try:
                            data = current.recv(65536)
                        except OSError:
                            data = b""
                        if not data:
                            # EOF: the dead socket stays registered until the next accept; writes fail silently
                            sel.unregister(current)
                            current = None
                            continue
                        self._on_control_bytes(data)
        except Exception:
            LOG.exception("control thread failed")
        finally:
            sel.close()

    def _new_controller(self, conn: socket.socket, peer) -> socket.socket:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.setblocking(True)
        conn.settimeout(5.0)
        with self._ctl_lock:
            if self._ctl is not None:
                LOG.info("newer controller %s: closing the previous control connection", peer)
                self._ctl.close()
            self._ctl = conn
            self._parser = P.ControlParser()
        LOG.info("controller connected from %s", peer)
        self.notify(P.Cmd.MASTER_CONNECTED if self.role == "M" else P.Cmd.SLAVE_CONNECTED)
        return conn

    def _close_controller(self) -> None:
        with self._ctl_lock:
            if self._ctl is not None:
                self._ctl.close()
                self._ctl = None

    def _write(self, frame: bytes) -> None:
        with self._ctl_lock:
            sock = self._ctl
            if sock is None:
                return  # no controller: notices are dropped
            self._frames_written += 1
            if self.cfg.truncate_reply_after and self._frames_written == self.cfg.truncate_reply_after:
                LOG.info("fault: truncating control frame %d and closing the link", self._frames_written)
                try:
                    sock.sendall(frame[: max(1, len(frame) // 2)])
                except OSError:
                    pass
                self._close_controller()
                return
            try:
                sock.sendall(frame)
            except OSError:
                pass

    def notify(self, cmd: int, tag: str = "") -> None:
        self._write(P.pack_command(int(cmd), tag))

    # ---- control messages
    def _on_control_bytes(self, data: bytes) -> None:
        try:
            msgs = self._parser.feed(data)
        except P.ControlFramingError as e:
            self.fatal(e.reason, e.detail)
            self._close_controller()
            return
        for m in msgs:
            self._messages_received += 1
            if m.kind == "command":
                self._on_command(m.command_id, m.tag)
            elif m.kind == "str_str":
                self._on_set(m.key, m.value)
            else:
                self._on_config(m.json)
            if self._ctl is None:
                return
            if self.cfg.drop_control_after and self._messages_received == self.cfg.drop_control_after:
                self.drop_control_link()
                return

    def _on_set(self, key: bytes, value: bytes) -> None:
        ok = self.settings.set_wire(key, value)
        if ok and key == b"block_size":
            self._block_size_side_effect()
        self.notify(P.Cmd.SETTINGS_GET_SUCCESS if ok else P.Cmd.SETTINGS_GET_FAIL)

    def _on_config(self, raw: bytes) -> None:
        try:
            s = P.Settings.from_json(raw, self.cfg.proto)
        except P.ConfigRootNotObject as e:
            self.fatal(
                "config_root_not_object", f"CONFIG root is a JSON {e}, not an object (the board throws and dies)"
            )
            self._close_controller()
            return
        if s is None:
            self.notify(P.Cmd.SETTINGS_GET_FAIL)
            return
        self.settings = s
        self.notify(P.Cmd.SETTINGS_GET_SUCCESS)
        self._block_size_side_effect()

    def _block_size_side_effect(self) -> None:
        """Stop ADC (22) and DAC (35), then re-split the DMA memory (sections 3.3, 3.4)."""
        self._teardown_adc(notice=None)
        self._adc_reserved_blocks = 0
        self.notify(P.Cmd.ADC_SERVER_STOPPED_MEM_MODIFY)
        self._teardown_dac()
        self.notify(P.Cmd.DAC_SERVER_STOPPED_MEM_MODIFY)
        bs = int(self.settings["block_size"])
        if 12 * (bs + 128) > self.cfg.dma_region:
            self._split_ok = False  # previous split kept; every start fails
        else:
            self._split_ok = True
            self._split_block_size = bs

    def _teardown_adc(self, notice: int | None) -> None:
        adc = self.adc
        if adc is None:
            return
        self.adc = None
        adc.teardown()
        if notice is not None:
            self.notify(notice)
        if adc.file_mode:
            self.notify(P.Cmd.ADC_SERVER_STOPPED)  # [QUIRK] the file writer's own extra 19

    def _teardown_dac(self) -> None:
        if self.dac is not None:
            self.dac.teardown()
            self.dac = None
            self._dac_reserved_blocks = 0

    def file_recording_done(self, adc: AdcPipeline) -> None:
        """FILE mode reached samples_limit_sd: 24 only, then the pipeline goes away."""
        self.notify(P.Cmd.ADC_SERVER_STOPPED_SD_DONE)
        if self.adc is adc:
            self.adc = None

    def _total_blocks(self) -> int:
        return self.cfg.dma_region // (self._split_block_size + 128)

    def _on_command(self, cmd: int, tag: bytes) -> None:
        C = P.Cmd
        s = self.settings
        if cmd == C.REQUEST_SERVER_SETTINGS:
            self._write(P.pack_config(s.to_json()))
        elif cmd == C.REQUEST_SERVER_SETTINGS_VARIABLE:
            self._write(P.pack_str_str(tag, s.get_wire(tag)))
        elif cmd == C.REQUEST_SERVER_MEM_BLOCK_SIZE:
            self.notify(C.MEM_BLOCK_SIZE, str(s["block_size"]))
        elif cmd == C.REQUEST_SERVER_ACTIVE_CHANNELS:
            self.notify(C.ACTIVE_CHANNELS, str(s.active_channels_reply(self.model.adc_channels)))
        elif cmd == C.REQUEST_SAVE_SETTING_TO_FILE:
            self.notify(C.SAVE_SETTING_TO_FILE_SUCCES if self._save() else C.SAVE_SETTING_TO_FILE_FAIL)
        elif cmd == C.REQUEST_LOAD_SETTING_FROM_FILE:
            if self._load():
                self._block_size_side_effect()
                self.notify(C.LOAD_SETTING_FROM_FILE_SUCCES)
            else:
                self.notify(C.LOAD_SETTING_FROM_FILE_FAIL)
        elif cmd == C.ADC_SERVER_START:
            self._adc_start()
        elif cmd == C.ADC_SERVER_STOP:
            if self.adc is None:
                self.notify(C.ADC_SERVER_STOPPED)
            else:
                self._teardown_adc(notice=C.ADC_SERVER_STOPPED)
        elif cmd == C.ADC_FPGA_START:
            adc = self.adc
            if adc is not None:
                if adc.armed.is_set():
                    self.fatal(
                        "second_adc_fpga_start",
                        "a second 27 on the same pipeline (std::thread assigned while joinable)",
                    )
                    self._close_controller()
                    return
                adc.arm()
            self.notify(C.ADC_FPGA_START_ADC_DONE)  # [QUIRK] even without a pipeline
        elif cmd == C.DAC_SERVER_START:
            self._dac_start(tag)
        elif cmd == C.DAC_SERVER_STOP:
            if self.dac is not None and self.cfg.dac_max_rate:
                self.dac.drain_for_test()
            self._teardown_dac()
            self.notify(C.DAC_SERVER_STOPPED)
        elif cmd == C.GET_SERVER_MODE:
            self.notify(C.SERVER_MODE_TCP if s["adc_pass_mode"] == "NET" else C.SERVER_MODE_SD)
        # everything else (board-to-client ids, 29, ids >= 46) is ignored: no action, no reply

    def _adc_start(self) -> None:
        C = P.Cmd
        s = self.settings.copy()
        self._teardown_adc(notice=None)  # silently
        self._adc_reserved_blocks = 0
        if int(s["adc_decimation"]) == 0:
            self.fatal("adc_start_decimation_zero", "ADC start with adc_decimation 0 (SIGFPE in the rate division)")
            self._close_controller()
            return
        bs = int(s["block_size"])
        blk = bs + 128
        used = self._dac_reserved_blocks
        free = self._total_blocks() - used if self._split_ok else 0
        channels = s.adc_channel_list(self.model.adc_channels)
        if free < 1:
            self.notify(C.ADC_SERVER_STOPPED_MEM_ERROR)
            return
        if not channels:
            self.notify(C.ADC_SERVER_STOPPED_NO_CHANNELS)
            return
        adc_size = int(s["adc_size"])
        if adc_size <= self.cfg.dma_region:
            self._effective_adc_size = adc_size
        if self._effective_adc_size < 12 * blk:
            self.notify(C.ADC_SERVER_STOPPED_MEM_ERROR)
            return
        n = len(channels)
        reserve = min(self._effective_adc_size // blk, free - 1)
        reserve -= reserve % n
        if reserve < 12:
            self.notify(C.ADC_SERVER_STOPPED_MEM_ERROR)
            return
        if bs % 128:
            self.warn("block_size_not_multiple_of_128", f"block_size {bs}: the DMA's last burst runs past the buffer")
        self._adc_reserved_blocks = reserve + 1
        self.adc = AdcPipeline(self, s, channels, reserve // n)
        self.adc.start()
        self.notify(C.ADC_SERVER_STARTED_SD if self.adc.file_mode else C.ADC_SERVER_STARTED_TCP)

    def _dac_start(self, tag: bytes) -> None:
        C = P.Cmd
        s = self.settings
        self._teardown_dac()
        if self.cfg.proto == "p3":
            n_seg = _p3_dac_mask(tag).bit_count()
        else:
            try:
                text = tag.decode("ascii")
                value = int(text)
                if not -(1 << 31) <= value < (1 << 31) or text.strip() != text:
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                self.fatal(
                    "p2_dac_tag_not_numeric", f"P2 DAC_SERVER_START tag {tag!r} is not a number (std::stoi throws)"
                )
                self._close_controller()
                return
            n_seg = min(value % 256, 4)
        if self.model.dac_channels == 0 or int(s["dac_rate"]) * 65536 < self.model.dac_base_rate:
            self.notify(C.DAC_SERVER_STOPPED_CONFIG_ERROR)
            return
        if s["dac_pass_mode"] == "DAC_FILE":
            n_seg = 0  # the emulator has no SD files: a missing file gives no channel
        blk = int(s["block_size"]) + 128
        free = (self._total_blocks() - self._adc_reserved_blocks) if self._split_ok else 0
        reserve = min(int(s["dac_size"]) // blk, free)
        if n_seg == 0 or int(s["dac_size"]) < 12 * blk or reserve - reserve % n_seg < 12:
            self.notify(C.DAC_SERVER_STOPPED_MEM_ERROR)
            return
        self._dac_reserved_blocks = reserve - reserve % n_seg
        if self.cfg.proto == "p3":
            mask = _p3_dac_mask(tag)
            outputs = [o for o in (1, 2) if mask & (1 << (o - 1))]
        else:
            outputs = list(range(1, n_seg + 1))  # P2: 3 or 4 segments are read, only 2 played
        self.dac = DacPipeline(
            self, outputs, int(s["block_size"]), self._dac_reserved_blocks // n_seg, int(s["dac_rate"])
        )
        self.dac_history.append(self.dac)
        self.notify(C.DAC_SERVER_STARTED)

    # ---- the settings "file"
    def _save(self) -> bool:
        text = self.settings.to_json()
        if self.cfg.settings_file is None:
            self._saved_settings = text
            return True
        try:
            with open(self.cfg.settings_file, "w", encoding="utf-8") as f:
                f.write(text)
            return True
        except OSError:
            return False

    def _load(self) -> bool:
        if self.cfg.settings_file is None:
            text = self._saved_settings
        else:
            try:
                with open(self.cfg.settings_file, encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                text = None
        if text is None:
            return False  # missing file: settings untouched
        try:
            s = P.Settings.from_json(text.encode(), self.cfg.proto)
        except P.ConfigRootNotObject:
            s = None
        if s is None:
            self.settings = P.Settings(self.cfg.proto)  # parse error: defaults (keys read before it are not modelled)
            return False
        self.settings = s
        return True


def _p3_dac_mask(tag: bytes) -> int:
    """P3 DAC tag: unsigned decimal prefix (spaces and a sign allowed), mod 256, & 3."""
    text = tag.decode("latin-1").lstrip(" \t\n\r\f\v")
    neg = False
    if text[:1] in ("+", "-"):
        neg = text[0] == "-"
        text = text[1:]
    digits = ""
    for ch in text:
        if not ch.isdigit() or not ch.isascii():
            break
        digits += ch
    if not digits:
        return 0
    value = int(digits) % (1 << 64)
    if neg:
        value = (-value) % (1 << 64)
    return (value % 256) & 3


# --------------------------------------------------------------------------- reference decoding (for tests and tools)
def expected_pack_samples(
    cfg: EmulatorConfig, model_id: int, channel: int, n: int, samples: int, bits: int
) -> np.ndarray:
    """The samples the emulator puts in a segment that starts at sample index ``n``."""
    model = P.MODELS[model_id]
    return SignalGenerator(cfg, model.adc_bits).wire(channel, np.arange(n, n + samples, dtype=np.int64), bits)


def time_capture_ns(t_arm_ns: int, n: int, decimation: int, base_rate: int) -> int:
    """timeCapture of a pack starting at sample index n (section 5.6, double-precision sum)."""
    return int(float(t_arm_ns) + float(n * decimation) * (1e9 / base_rate))


# --------------------------------------------------------------------------- command line
def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "255.255.255.255", int(port))


def build_arg_parser():
    import argparse

    ap = argparse.ArgumentParser(
        prog="netstream-rp-emulator",
        description="Emulate a Red Pitaya board running the Data Stream server (ADC and DAC, P2 or P3).",
    )
    g = ap.add_argument_group("board")
    g.add_argument(
        "--model", default="125-14", help="model id (spec section 9) or alias: " + ", ".join(P.MODEL_ALIASES)
    )
    g.add_argument("--proto", choices=("p2", "p3"), default="p3", help="protocol generation (default p3)")
    g.add_argument("--role", choices=("M", "S"), default="M", help="master or slave (only X-streaming models)")
    g.add_argument("--ip", default="127.0.0.1", help="board IP announced in the beacon")
    g.add_argument("--mac", default="00:26:32:f0:00:01", help="MAC announced in the P3 beacon")
    g.add_argument("--settings-file", help="the board's settings file (commands 9 and 12); default in memory")
    g = ap.add_argument_group("network")
    g.add_argument("--bind", default="0.0.0.0", help="listen address (default 0.0.0.0)")
    g.add_argument("--control-port", type=int, default=P.PORT_CONTROL, help="0 = ephemeral (default 18901)")
    g.add_argument("--adc-port", type=int, default=P.PORT_ADC, help="0 = ephemeral (default 18900)")
    g.add_argument("--dac-port", type=int, default=P.PORT_DAC, help="0 = ephemeral (default 18903)")
    g.add_argument("--beacon-target", default="255.255.255.255:18902", help="HOST:PORT for beacons, or 'off'")
    g.add_argument("--beacon-interval", type=float, default=1.0, help="seconds between beacons (default 1)")
    g.add_argument("--ready-file", help="write JSON with the actual ports here once listening")
    g = ap.add_argument_group("signal and pacing")
    g.add_argument("--signal", choices=("ramp", "sine"), default="ramp")
    g.add_argument("--ramp-step", type=int, default=1)
    g.add_argument("--sine-period", type=int, default=1000, help="samples per period of IN1 (INk: k times longer)")
    g.add_argument("--sine-amplitude", type=float, default=0.8, help="fraction of full scale")
    g.add_argument("--max-rate", action="store_true", help="send packs as fast as the client reads")
    g.add_argument("--no-overrun-loss", action="store_true", help="paced mode: never turn a slow reader into lostFPGA")
    g.add_argument("--time-arm-ns", type=int, help="fixed t_arm for timeCapture (default: host clock at 27)")
    g.add_argument("--stale-last-pack", action="store_true", help="send one extra pack after 18, like the board")
    g = ap.add_argument_group("fault injection")
    g.add_argument("--loss-every", type=int, default=0, help="every K-th pack carries lostFPGA and a gap follows")
    g.add_argument("--loss-packs", type=int, default=1, help="packs skipped per gap (default 1)")
    g.add_argument("--loss-samples", type=int, help="samples per gap (overrides --loss-packs)")
    g.add_argument("--refuse-data", action="store_true", help="reply 25 but refuse connections on the ADC port")
    g.add_argument("--stall-after-packs", type=int, default=0, help="stall ADC writes once after N packs")
    g.add_argument("--stall-seconds", type=float, default=0.0)
    g.add_argument("--truncate-pack-after", type=int, default=0, help="send half of pack N, then close the ADC socket")
    g.add_argument(
        "--corrupt-pack", type=int, action="append", default=[], help="pack id whose first segment has a bad magic"
    )
    g.add_argument("--dac-stall-after-packs", type=int, default=0, help="stall DAC reads once after N packs")
    g.add_argument("--dac-stall-seconds", type=float, default=0.0)
    g = ap.add_argument_group("DAC")
    g.add_argument("--dac-max-rate", action="store_true", help="play DAC packs at once instead of at dac_rate")
    g.add_argument("--dac-end-notice", action="store_true", help="send 33 when one-pack playback ends")
    g.add_argument("--dac-capture", help="write what the DAC played to this .npz at each DAC stop")
    g.add_argument("--drop-control-after", type=int, default=0, help="close the control link after N received messages")
    g.add_argument("--truncate-reply-after", type=int, default=0, help="cut the N-th control frame written, then close")
    ap.add_argument("-v", "--verbose", action="store_true")
    return ap


def config_from_args(args) -> EmulatorConfig:
    return EmulatorConfig(
        model=resolve_model(args.model),
        proto=args.proto,
        role=args.role,
        bind=args.bind,
        control_port=args.control_port,
        adc_port=args.adc_port,
        dac_port=args.dac_port,
        beacon_target=None if args.beacon_target == "off" else _host_port(args.beacon_target),
        beacon_interval=args.beacon_interval,
        ip=args.ip,
        mac=args.mac,
        ready_file=args.ready_file,
        settings_file=args.settings_file,
        signal=args.signal,
        ramp_step=args.ramp_step,
        sine_period=args.sine_period,
        sine_amplitude=args.sine_amplitude,
        max_rate=args.max_rate,
        overrun_loss=not args.no_overrun_loss,
        time_arm_ns=args.time_arm_ns,
        stale_last_pack=args.stale_last_pack,
        loss_every=args.loss_every,
        loss_packs=args.loss_packs,
        loss_samples=args.loss_samples,
        refuse_data=args.refuse_data,
        stall_after_packs=args.stall_after_packs,
        stall_seconds=args.stall_seconds,
        truncate_pack_after=args.truncate_pack_after,
        corrupt_pack_ids=tuple(args.corrupt_pack),
        drop_control_after=args.drop_control_after,
        dac_stall_after_packs=args.dac_stall_after_packs,
        dac_stall_seconds=args.dac_stall_seconds,
        dac_max_rate=args.dac_max_rate,
        dac_end_notice=args.dac_end_notice,
        dac_capture_file=args.dac_capture,
        truncate_reply_after=args.truncate_reply_after,
    )


def main(argv: list[str] | None = None) -> int:
    import signal
    import sys

    args = build_arg_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s rp-emulator %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        emu = Emulator(config_from_args(args))
        emu.start()
    except (ValueError, OSError) as e:
        print(f"netstream-rp-emulator: {e}", file=sys.stderr)
        return 2
    done = threading.Event()

    def on_signal(signum, _frame):
        LOG.info("signal %d: shutting down", signum)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not done.wait(0.5):
        pass
    emu.stop()
    LOG.info("stopped; %d fatal condition(s) seen", len(emu.fatal_events))
    return 0
