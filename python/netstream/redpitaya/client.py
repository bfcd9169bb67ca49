# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Python client with the vendor streaming library's names (spec sections 7, 8).

Pure Python on :mod:`.protocol` (no GNU Radio at run time); samples are numpy arrays.
Vendor examples switch by changing the import::

    from gnuradio.netstream.redpitaya import ADCStreamClient, ADCCallback

Differences from the vendor library are listed in docs/redpitaya.md.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from . import protocol as P

REPLY_TIMEOUT = 5.0

#: board message id -> the vendor library's config callback (spec section 8)
CONFIG_CALLBACKS: dict[int, str] = {
    0: "configSuccessSend",
    1: "configFailSend",
    6: "configMemoryBlockSize",
    8: "configActiveChannels",
    10: "configSuccessSave",
    11: "configFailSave",
    15: "configConnected",
    16: "configConnected",
    19: "adcServerStopped",
    20: "adcServerStoppedNoActiveChannels",
    21: "adcServerStoppedMemError",
    22: "adcServerStoppedMemModify",
    23: "adcServerStoppedSDFull",
    24: "adcServerStoppedSDDone",
    25: "adcServerStartedTCP",
    26: "adcServerStartedSD",
    28: "adcServerStartedFPGA",
    34: "dacServerStoppedMemError",
    35: "dacServerStoppedMemModify",
    36: "dacServerStoppedConfigError",
    37: "dacServerStoppedSDDone",
    38: "dacServerStoppedSDEmpty",
    39: "dacServerStoppedSDBroken",
    40: "dacServerStoppedSDMissing",
    41: "dacServerStartedTCP",
    42: "dacServerStartedSD",
}


# --------------------------------------------------------------------------- callbacks
class ADCCallback:
    """Override what you need; every method is a no-op by default."""

    def connected(self, client, host: str) -> None: ...
    def disconnected(self, client, host: str) -> None: ...
    def error(self, client, host: str, code: int) -> None: ...
    def receivePack(self, client, pack: ADCPack) -> None: ...  # noqa: N802 (vendor name)


class DACCallback:
    def connected(self, client, host: str) -> None: ...
    def disconnected(self, client, host: str) -> None: ...
    def error(self, client, host: str, code: int) -> None: ...
    def sentPack(self, client, ch1_size: int, ch2_size: int) -> None: ...  # noqa: N802
    def stopped(self, client, host: str) -> None: ...
    def stoppedFileEnd(self, client, host: str) -> None: ...  # noqa: N802
    def stoppedFileBroken(self, client, host: str) -> None: ...  # noqa: N802
    def stoppedEmpty(self, client, host: str) -> None: ...  # noqa: N802
    def stoppedMissingFile(self, client, host: str) -> None: ...  # noqa: N802
    def stoppedMemError(self, client, host: str) -> None: ...  # noqa: N802
    def stoppedMemModify(self, client, host: str) -> None: ...  # noqa: N802


@dataclass
class ADCChannel:
    samples: int = 0
    bitsPerSample: int = 16  # noqa: N815 (vendor names)
    fpgaLost: int = 0  # noqa: N815
    attenuator_1_20: bool = False
    baseRate: int = 0  # noqa: N815
    adcBaseBits: int = 0  # noqa: N815
    packId: int = 0  # noqa: N815
    timeCapture: int = 0  # noqa: N815
    raw: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))


@dataclass
class ADCPack:
    host: str = ""
    channel1: ADCChannel = field(default_factory=ADCChannel)
    channel2: ADCChannel = field(default_factory=ADCChannel)
    channel3: ADCChannel = field(default_factory=ADCChannel)
    channel4: ADCChannel = field(default_factory=ADCChannel)


# --------------------------------------------------------------------------- control link
class _Control:
    """One board's control link: greeting, serialised requests, notices to a callback."""

    def __init__(self, host: str, port: int, on_notice, verbose: bool, name: str = "") -> None:
        self.host = host
        self.name = name or host  # the host string the user gave (callbacks report it)
        self.sock = socket.create_connection((host, port), timeout=REPLY_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.parser = P.ControlParser()
        self.pending: list[P.ControlMessage] = []
        self.on_notice = on_notice
        self.verbose = verbose
        greet = self._next(REPLY_TIMEOUT)
        if greet.kind != "command" or greet.command_id not in (P.Cmd.MASTER_CONNECTED, P.Cmd.SLAVE_CONNECTED):
            raise ConnectionError(f"{host}: no greeting (15/16) from the board")
        self.master = greet.command_id == P.Cmd.MASTER_CONNECTED
        self.proto = "p3" if self.get("adc_capture_time") != "ERROR" else "p2"

    def _next(self, timeout: float) -> P.ControlMessage:
        deadline = time.monotonic() + timeout
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.host}: no reply within {timeout} s")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"{self.host}: control link closed")
            self.pending += self.parser.feed(data)
        m = self.pending.pop(0)
        self.on_notice(self.name, m)  # every message, replies included (config* callbacks)
        return m

    def request(self, frame: bytes, match, timeout: float = REPLY_TIMEOUT) -> P.ControlMessage:
        self.sock.sendall(frame)
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(max(deadline - time.monotonic(), 0.001))
            if match(m):
                return m

    def cmd(self, cid: int, replies: tuple[int, ...], tag: str = "", timeout: float = REPLY_TIMEOUT) -> int:
        m = self.request(P.pack_command(cid, tag), lambda r: r.kind == "command" and r.command_id in replies, timeout)
        return m.command_id

    def get(self, key: str) -> str:
        m = self.request(P.pack_command(P.Cmd.REQUEST_SERVER_SETTINGS_VARIABLE, key), lambda r: r.kind == "str_str")
        return m.value.decode("latin-1")

    def set(self, key: str, value: str) -> bool:
        m = self.request(
            P.pack_str_str(key, value), lambda r: r.kind == "command" and r.command_id in (0, 1), timeout=10.0
        )
        return m.command_id == 0

    def close(self) -> None:
        self.sock.close()


class _ClientBase:
    def __init__(self, control_port: int = P.PORT_CONTROL) -> None:
        self.control_port = control_port
        self.hosts: list[str] = []
        self._ctl: dict[str, _Control] = {}
        self.verbose = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.notices: list[tuple[str, int]] = []

    def setVerbose(self, enable: bool) -> None:  # noqa: N802
        self.verbose = bool(enable)

    def connect(self, hosts: list[str] | str | None = None) -> bool:
        """Connect to one host or a list (vendor: connect() uses the hosts given before)."""
        if hosts is not None:
            self.hosts = [hosts] if isinstance(hosts, str) else list(hosts)
        ok = True
        for h in self.hosts:
            host, _, port = h.rpartition(":") if ":" in h else (h, "", "")
            try:
                self._ctl[h] = _Control(
                    host, int(port) if port else self.control_port, self._on_notice, self.verbose, name=h
                )
            except TimeoutError:
                ok = False
                self._config_event("configErrorTimeout", h)
            except (OSError, ConnectionError) as e:
                ok = False
                self._config_event("configError", h, getattr(e, "errno", None) or 0)
                self._report_error(h, getattr(e, "errno", None) or 0)
        return ok

    def _on_notice(self, host: str, m: P.ControlMessage) -> None:
        """Fire the vendor's config* / adcServer* / dacServer* callback, if the callback object has it."""
        if m.kind == "command":
            self.notices.append((host, m.command_id))
            name = CONFIG_CALLBACKS.get(m.command_id)
            if name in ("configMemoryBlockSize", "configActiveChannels"):
                self._config_event(name, host, int(m.tag or b"0"))
            elif name:
                self._config_event(name, host)
        elif m.kind == "config":
            self._config_event("configGetNewSettings", host)
        else:
            self._config_event("configGetNewSettingsItem", host, m.key.decode("latin-1"), m.value.decode("latin-1"))

    def _config_event(self, name: str, host: str, *args) -> None:
        fn = getattr(getattr(self, "_cb", None), name, None)
        if fn is not None:
            fn(self, host, *args)

    def _report_error(self, host: str, code: int) -> None:
        pass

    def sendConfig(self, key: str, value: str, host: str | None = None) -> bool:  # noqa: N802
        """SET one key on every board (or one), then save it (command 9), like the vendor."""
        ok = True
        for _h, c in self._targets(host):
            ok &= c.set(key, str(value))
            if ok:
                c.cmd(P.Cmd.REQUEST_SAVE_SETTING_TO_FILE, (10, 11))
        return ok

    def getConfig(self, key: str, host: str | None = None) -> str:  # noqa: N802
        return self._first(host).get(key)

    def getFileConfig(self, host: str | None = None) -> str:  # noqa: N802
        c = self._first(host)
        m = c.request(P.pack_command(P.Cmd.REQUEST_SERVER_SETTINGS), lambda r: r.kind == "config")
        return m.json.decode()

    def sendFileConfig(self, config: str, host: str | None = None) -> bool:  # noqa: N802
        """Normalise the JSON into a full settings object and send it to every board (section 4.3)."""
        s = P.Settings.from_json(config.encode())
        if s is None:
            raise ValueError("the JSON config does not parse as a board config")
        ok = True
        for _h, c in self._targets(host):
            full = P.Settings.from_json(config.encode(), c.proto)
            assert full is not None
            ok &= (
                c.request(
                    P.pack_config(full.to_json()), lambda r: r.kind == "command" and r.command_id in (0, 1)
                ).command_id
                == 0
            )
            c.cmd(P.Cmd.REQUEST_SAVE_SETTING_TO_FILE, (10, 11))
        return ok

    def _targets(self, host):
        if host is not None:
            return [(host, self._ctl[host])]
        return list(self._ctl.items())

    def _first(self, host) -> _Control:
        if not self._ctl:
            raise RuntimeError("not connected: call connect() first")
        return self._ctl[host] if host is not None else next(iter(self._ctl.values()))

    def notifyStop(self) -> None:  # noqa: N802
        """Ask the streaming loops to end (safe from a callback)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until streaming ended; True if it did within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if deadline is None else max(deadline - time.monotonic(), 0))
        return not any(t.is_alive() for t in self._threads)


# --------------------------------------------------------------------------- ADC
class ADCStreamClient(_ClientBase):
    def __init__(self, control_port: int = P.PORT_CONTROL, adc_port: int | dict[str, int] = P.PORT_ADC) -> None:
        """``adc_port``: the data port, or a dict host string -> port (emulators on one machine)."""
        super().__init__(control_port)
        self.adc_port = adc_port
        self._cb: ADCCallback | None = None

    def setReceiveDataCallback(self, cb: ADCCallback) -> None:  # noqa: N802
        self._cb = cb

    def _report_error(self, host, code):
        if self._cb:
            self._cb.error(self, host, code)

    def startStreaming(self) -> bool:  # noqa: N802
        """Stop, query, start slaves first then masters (section 7.4), connect, arm."""
        self._stop.clear()
        order = sorted(self._ctl.items(), key=lambda kv: kv[1].master)  # slaves first
        layouts = {}
        for h, c in order:
            c.cmd(P.Cmd.ADC_SERVER_STOP, (P.Cmd.ADC_SERVER_STOPPED,), timeout=10.0)
            bs = int(
                c.request(
                    P.pack_command(P.Cmd.REQUEST_SERVER_MEM_BLOCK_SIZE),
                    lambda r: r.kind == "command" and r.command_id == 6,
                ).tag
            )
            doc = json.loads(self.getFileConfig(h))["adc_streaming"]
            chans = [k for k in range(4) if doc.get(f"channel_state_{k + 1}") == "ON"]
            bits = 8 if doc.get("resolution") == "BIT_8" else 16
            layouts[h] = P.PackLayout(bs, chans, bits)
        socks = {}
        for h, c in order:
            if c.cmd(P.Cmd.ADC_SERVER_START, (20, 21, 25, 26)) != P.Cmd.ADC_SERVER_STARTED_TCP:
                return False
            port = self.adc_port[h] if isinstance(self.adc_port, dict) else self.adc_port
            socks[h] = socket.create_connection((c.host, port), timeout=REPLY_TIMEOUT)
            if self._cb:
                self._cb.connected(self, h)
        for _h, c in order:
            c.cmd(P.Cmd.ADC_FPGA_START, (P.Cmd.ADC_FPGA_START_ADC_DONE,))
        for h, s in socks.items():
            t = threading.Thread(target=self._reader, args=(h, s, layouts[h]), daemon=True)
            t.start()
            self._threads.append(t)
        return True

    def _reader(self, host: str, sock: socket.socket, layout: P.PackLayout) -> None:
        sock.settimeout(0.1)
        buf = bytearray()
        size = layout.pack_size
        while not self._stop.is_set():
            try:
                data = sock.recv(1 << 20)
            except TimeoutError:
                continue
            except OSError as e:
                if self._cb:
                    self._cb.error(self, host, e.errno or 0)
                break
            if not data:
                if self._cb:
                    self._cb.error(self, host, 2)
                break
            buf += data
            while len(buf) >= size and not self._stop.is_set():
                pack = self._decode(host, bytes(buf[:size]), layout)
                del buf[:size]
                if self._cb:
                    self._cb.receivePack(self, pack)
        sock.close()

    @staticmethod
    def _decode(host: str, raw: bytes, layout: P.PackLayout) -> ADCPack:
        pack = ADCPack(host=host)
        seg = layout.segment_size
        for i, c in enumerate(layout.channels):
            h = P.AdcSegmentHeader.unpack(raw[i * seg : i * seg + 128])
            data = raw[i * seg + 128 : (i + 1) * seg]
            arr = np.frombuffer(data, dtype="<i2" if h.bits == 16 else np.int8).astype(np.int16)
            ch = ADCChannel(
                len(arr),
                h.bits,
                h.lost_fpga,
                bool(h.adc_mode),
                h.base_rate,
                h.base_bits,
                h.pack_id,
                h.time_capture,
                arr,
            )
            setattr(pack, f"channel{c + 1}", ch)
        return pack

    def stopStreaming(self) -> None:  # noqa: N802
        """Stop masters first, then slaves (section 7.4); always send 18 (section 5.1)."""
        self._stop.set()
        for _h, c in sorted(self._ctl.items(), key=lambda kv: not kv[1].master):
            try:
                c.cmd(P.Cmd.ADC_SERVER_STOP, (P.Cmd.ADC_SERVER_STOPPED,), timeout=10.0)
            except (OSError, TimeoutError, ConnectionError):
                pass
        self.wait(5.0)


# --------------------------------------------------------------------------- DAC
class DACStreamClient(_ClientBase):
    """DAC streaming with the vendor's names (spec sections 6, 7.3).

    Data come from memory (:meth:`setMemory16Bit` / :meth:`setMemory8Bit`), a WAV file or a
    TDMS file and are sent as packs of the board's ``block_size``. When everything fits in one
    pack, one-pack mode is used (the board replays it: count or infinite); otherwise the client
    re-sends the data for every repetition. ``sentPack(ch1, ch2)`` fires after each pack with the
    data-area size of each segment (block_size, or 0 for an absent channel). At the end the
    client waits for the estimated end of playback (at most ``drain_cap`` s) and sends 32.
    """

    def __init__(self, control_port: int = P.PORT_CONTROL, dac_port: int = P.PORT_DAC, drain_cap: float = 5.0) -> None:
        super().__init__(control_port)
        self.dac_port = dac_port
        self.drain_cap = drain_cap
        self._cb: DACCallback | None = None
        self._repeat_count = 1
        self._repeat_inf = False
        self._mem: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        self._bits = 16
        self.packs_sent = 0

    def setReceiveDataCallback(self, cb: DACCallback) -> None:  # noqa: N802
        self._cb = cb

    def _report_error(self, host, code):
        if self._cb:
            self._cb.error(self, host, code)

    def setRepeatCount(self, count: int) -> None:  # noqa: N802
        self._repeat_count = int(count)

    def setRepeatInf(self, enable: bool) -> None:  # noqa: N802
        self._repeat_inf = bool(enable)

    def _set_memory(self, ch1, ch2, dtype, multiple: int, bits: int) -> bool:
        arrays = [None if c is None else np.ascontiguousarray(c, dtype=dtype) for c in (ch1, ch2)]
        present = [a for a in arrays if a is not None]
        if not present or any(len(a) == 0 or len(a) % multiple for a in present):
            return False
        if len(present) == 2 and len(present[0]) != len(present[1]):
            return False
        self._mem = (arrays[0], arrays[1])
        self._bits = bits
        return True

    def setMemory16Bit(self, ch1=None, ch2=None) -> bool:  # noqa: N802
        """int16 codes per output; a multiple of 64 samples, both the same length (vendor rule)."""
        return self._set_memory(ch1, ch2, np.int16, 64, 16)

    def setMemory8Bit(self, ch1=None, ch2=None) -> bool:  # noqa: N802
        """int8 codes per output; a multiple of 128 samples, both the same length (vendor rule)."""
        return self._set_memory(ch1, ch2, np.int8, 128, 8)

    def startStreamingFromMemory(self) -> bool:  # noqa: N802
        if all(m is None for m in self._mem):
            raise RuntimeError("no memory set: call setMemory16Bit() or setMemory8Bit() first")
        return self._start(self._mem, self._bits, "stopped")

    def startStreamingArrays(self, ch1, ch2=None, bits: int = 16) -> bool:  # noqa: N802
        """Extension (not in the vendor library): stream arrays of any length, like a file."""
        dtype = np.int16 if bits == 16 else np.int8
        arrs = tuple(None if c is None else np.ascontiguousarray(c, dtype=dtype) for c in (ch1, ch2))
        return self._start(arrs, bits, "stoppedFileEnd")

    def startStreamingWAV(self, path: str) -> bool:  # noqa: N802
        try:
            chans, bits = read_wav(path)
        except FileNotFoundError:
            self._local_stop("stoppedMissingFile")
            return False
        except ValueError:
            self._local_stop("stoppedFileBroken")
            return False
        if len(chans[0]) == 0:
            self._local_stop("stoppedEmpty")
            return False
        return self._start(chans, bits, "stoppedFileEnd")

    def startStreamingTDMS(self, path: str) -> bool:  # noqa: N802
        try:
            import nptdms  # type: ignore[import-not-found]
        except ImportError as e:
            raise RuntimeError("TDMS playback needs the 'nptdms' package (pip install npTDMS)") from e
        import os

        if not os.path.exists(path):
            self._local_stop("stoppedMissingFile")
            return False
        try:
            f = nptdms.TdmsFile.read(path)
            data = [c[:] for g in f.groups() for c in g.channels()][:2]
            if not data or any(not np.issubdtype(d.dtype, np.integer) for d in data):
                raise ValueError("TDMS channels must hold integer DAC codes")
        except Exception:  # any reader error is a broken file for the vendor too
            self._local_stop("stoppedFileBroken")
            return False
        bits = 8 if all(d.dtype.itemsize == 1 for d in data) else 16
        arr = [np.asarray(d, dtype=np.int8 if bits == 8 else np.int16) for d in data]
        return self._start((arr[0], arr[1] if len(arr) > 1 else None), bits, "stoppedFileEnd")

    def _local_stop(self, name: str) -> None:
        if self._cb:
            getattr(self._cb, name)(self, self.hosts[0] if self.hosts else "")

    def _start(self, chans, bits: int, end_event: str) -> bool:
        if not self._ctl:
            raise RuntimeError("not connected: call connect() first")
        if not self._repeat_inf and self._repeat_count < 1:
            raise ValueError("repeat count must be >= 1 (or setRepeatInf(True))")
        self._stop.clear()
        host, c = next(iter(self._ctl.items()))
        outputs = [o for o, a in zip((1, 2), chans, strict=True) if a is not None]
        c.cmd(P.Cmd.DAC_SERVER_STOP, (P.Cmd.DAC_SERVER_STOPPED,), timeout=10.0)
        bs = int(
            c.request(
                P.pack_command(P.Cmd.REQUEST_SERVER_MEM_BLOCK_SIZE),
                lambda r: r.kind == "command" and r.command_id == P.Cmd.MEM_BLOCK_SIZE,
            ).tag
        )
        rate = int(c.get("dac_rate"))
        reply = c.cmd(
            P.Cmd.DAC_SERVER_START, (34, 36, 41, 42), tag=P.dac_mask_tag(outputs, c.proto), timeout=REPLY_TIMEOUT
        )
        if reply != P.Cmd.DAC_SERVER_STARTED:
            if self._cb:
                if reply == P.Cmd.DAC_SERVER_STOPPED_MEM_ERROR:
                    self._cb.stoppedMemError(self, host)
                else:
                    self._cb.error(self, host, int(reply))  # 36 config error, 42 DAC_FILE mode
            return False
        sock = socket.create_connection((c.host, self.dac_port), timeout=REPLY_TIMEOUT)
        if self._cb:
            self._cb.connected(self, host)
        t = threading.Thread(
            target=self._sender, args=(host, c, sock, chans, outputs, bits, bs, rate, end_event), daemon=True
        )
        t.start()
        self._threads = [t]
        return True

    def _sender(self, host, c, sock, chans, outputs, bits, bs, rate, end_event) -> None:
        data = [a.tobytes() for a in chans if a is not None]
        bps = bits // 8
        total = len(data[0])
        sizes = [bs if 1 in outputs else 0, bs if 2 in outputs else 0]
        played = 0  # samples per output handed to the board
        t0 = time.monotonic()
        event = end_event
        try:
            if total <= bs:
                pack = P.build_dac_pack(
                    bs,
                    [(o, d) for o, d in zip(outputs, data, strict=True)],
                    bits=bits,
                    one_pack=True,
                    inf=self._repeat_inf,
                    repeat=self._repeat_count,
                )
                sock.sendall(pack)
                self.packs_sent += 1
                if self._cb:
                    self._cb.sentPack(self, *sizes)
                played = (total // bps) * (1 if self._repeat_inf else self._repeat_count)
                if self._repeat_inf:
                    self._stop.wait()
                    event = "stopped"
            else:
                rep = 0
                while (self._repeat_inf or rep < self._repeat_count) and not self._stop.is_set():
                    for off in range(0, total, bs):
                        if self._stop.is_set():
                            break
                        segs = [(o, d[off : off + bs]) for o, d in zip(outputs, data, strict=True)]
                        sock.sendall(P.build_dac_pack(bs, segs, bits=bits))
                        self.packs_sent += 1
                        played += len(segs[0][1]) // bps
                        if self._cb:
                            self._cb.sentPack(self, *sizes)
                    rep += 1
                if self._stop.is_set():
                    event = "stopped"
            if event != "stopped":  # wait for the board to play what it has (section 6.1)
                # + 50 ms: the board starts playing after the first pack arrived, not when it was sent
                end = t0 + played / max(rate, 1) + 0.05
                self._stop.wait(min(max(end - time.monotonic(), 0.0), self.drain_cap))
        except OSError as e:
            if self._cb:
                self._cb.error(self, host, e.errno or 0)
            event = "stopped"
        finally:
            sock.close()
        try:
            c.cmd(P.Cmd.DAC_SERVER_STOP, (P.Cmd.DAC_SERVER_STOPPED,), timeout=10.0)
        except (OSError, TimeoutError, ConnectionError):
            pass
        self._local_stop(event)

    def stopStreaming(self) -> None:  # noqa: N802
        self._stop.set()
        self.wait(15.0)


def read_wav(path: str) -> tuple[tuple[np.ndarray, np.ndarray | None], int]:
    """WAV PCM 8/16-bit, mono (OUT1) or stereo (OUT1+OUT2) -> (ch1, ch2), bits.

    8-bit WAV is unsigned: code = byte - 128. Raises FileNotFoundError (missing) or
    ValueError (broken or unsupported).
    """
    import wave

    try:
        with wave.open(path, "rb") as w:
            width, nch, frames = w.getsampwidth(), w.getnchannels(), w.getnframes()
            raw = w.readframes(frames)
    except FileNotFoundError:
        raise
    except (wave.Error, EOFError, OSError) as e:
        raise ValueError(f"{path}: not a readable WAV file ({e})") from e
    if width not in (1, 2) or nch not in (1, 2):
        raise ValueError(f"{path}: {8 * width}-bit, {nch} channel(s); only 8/16-bit mono or stereo PCM is supported")
    if len(raw) != frames * width * nch:
        raise ValueError(f"{path}: truncated data ({len(raw)} of {frames * width * nch} bytes)")
    if width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128).astype(np.int8)
    else:
        x = np.frombuffer(raw, dtype="<i2").astype(np.int16)
    x = x.reshape(-1, nch)
    ch1 = np.ascontiguousarray(x[:, 0])
    ch2 = np.ascontiguousarray(x[:, 1]) if nch == 2 else None
    return (ch1, ch2), 8 * width
