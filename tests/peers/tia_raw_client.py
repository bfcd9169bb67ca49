# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent raw-socket TiA 1.0 client that checks every byte (spec §8 item 4).

Written from shared/specs/tia-protocol.md only (not from the C++ codec), with the
standard library only, so it can judge both our sink and third-party servers:

* a framed control-reply reader (lines + ``Content-Length``), keeping the raw bytes
  of every reply so tests can assert them exactly;
* a meta-info parser (ElementTree) with the spec's type table and aliases;
* an exact-size packet reader for TCP and a one-datagram-per-packet reader for UDP;
* checks of each packet: size ``33+4N+4V``, version, flags popcount, signal set and
  variable header against the meta-info, ascending flag order and channel-major
  sample values (see :func:`sample_value`), contiguous packet ids.

:func:`run_session` drives a whole session and returns a :class:`SessionResult`
whose ``problems`` list is empty when everything conformed.
"""

from __future__ import annotations

import select
import socket
import struct
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

VERSION_LINE = b"TiA 1.0"
FIXED_HEADER = struct.Struct("<BIIQQQ")  # version, size, flags, id, conn number, timestamp
assert FIXED_HEADER.size == 33

# Spec §3: recommended names and flag bits.
TYPE_FLAGS: dict[str, int] = {
    "eeg": 1 << 0,
    "emg": 1 << 1,
    "eog": 1 << 2,
    "ecg": 1 << 3,
    "hr": 1 << 4,
    "bp": 1 << 5,
    "button": 1 << 6,
    "joystick": 1 << 7,
    "sensor": 1 << 8,
    "nirs": 1 << 9,
    "fmri": 1 << 10,
    "mouse": 1 << 11,
    "mouse-button": 1 << 12,
    "user1": 1 << 16,
    "user2": 1 << 17,
    "user3": 1 << 18,
    "user4": 1 << 19,
    "undefined": 1 << 20,
    "event": 1 << 21,
}
# Spellings of other implementations (spec §3, §4.2), accepted when reading.
TYPE_ALIASES: dict[str, int] = {
    "axis": 1 << 7,
    "axes": 1 << 7,
    "sensors": 1 << 8,
    "keycode": 1 << 11,
    "user_1": 1 << 16,
    "user_2": 1 << 17,
    "user_3": 1 << 18,
    "user_4": 1 << 19,
}
DEFINED_FLAGS = 0
for _flag in TYPE_FLAGS.values():
    DEFINED_FLAGS |= _flag


def sample_value(flag: int, channel: int, sample_index: int) -> float:
    """Test-signal convention: a float32-exact value naming signal, channel and sample.

    ``bit(flag) * 100000 + channel * 1000 + sample_index % 1000`` with a 0-based
    channel (< 100) and a 0-based running sample index per signal. Every value is an
    integer below 2**24, so it survives float32 exactly.
    """
    return float((flag.bit_length() - 1) * 100000 + channel * 1000 + sample_index % 1000)


class TiAProtocolError(Exception):
    """Raised when the peer breaks framing so badly that the session cannot go on."""


# ---------------------------------------------------------------- control connection


@dataclass
class Reply:
    """One framed control reply, with its exact bytes."""

    raw: bytes
    version: str
    name: str
    parameter: str | None
    body: bytes = b""
    content_length: int | None = None


class ControlClient:
    """Control connection with a framed reply reader (never 'one recv = one reply')."""

    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self.host = host
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, command: str, parameter: str | None = None) -> Reply:
        """Send ``TiA 1.0\\n<command>[:<parameter>]\\n\\n`` and read one reply."""
        line = command if parameter is None else f"{command}:{parameter}"
        self.send_raw(b"TiA 1.0\n" + line.encode("utf-8") + b"\n\n")
        return self.read_reply()

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out waiting for a control reply")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("control connection closed by the server")
        self._buffer += chunk

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            if len(self._buffer) > 65536:
                raise TiAProtocolError("reply line longer than 64 KiB")
            self._fill(deadline)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def read_reply(self, timeout: float | None = None) -> Reply:
        """Read exactly one framed reply (spec §2.1)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        version_line = self._read_line(deadline)
        command_line = self._read_line(deadline)
        third = self._read_line(deadline)
        content_length: int | None = None
        body = b""
        if third.strip(b" \r"):
            key, sep, value = third.partition(b":")
            if key != b"Content-Length" or not sep or not value.strip(b" \r").isdigit():
                raise TiAProtocolError(f"bad header line {third!r}")
            content_length = int(value.strip(b" \r"))
            blank = self._read_line(deadline)
            if blank not in (b"", b"\r"):
                raise TiAProtocolError(f"expected an empty line, got {blank!r}")
            while len(self._buffer) < content_length:
                self._fill(deadline)
            body, self._buffer = (
                self._buffer[:content_length],
                self._buffer[content_length:],
            )
        text = command_line.strip(b" \r").decode("utf-8", "replace")
        name, sep, param = text.partition(":")
        raw = version_line + b"\n" + command_line + b"\n" + third + b"\n"
        if content_length is not None:
            raw += b"\n" + body
        return Reply(
            raw=raw,
            version=version_line.strip(b" \r").decode("utf-8", "replace"),
            name=name,
            parameter=param.strip() if sep else None,
            body=body,
            content_length=content_length,
        )


# ---------------------------------------------------------------- meta-info


@dataclass
class SignalMeta:
    type_name: str
    flag: int
    sampling_rate: int
    block_size: int
    num_channels: int
    labels: list[str]


@dataclass
class MetaInfo:
    subject: dict[str, str]
    master_sampling_rate: int | None
    master_block_size: int | None
    signals: list[SignalMeta]  # ascending flag order

    def signal(self, flag: int) -> SignalMeta:
        return next(s for s in self.signals if s.flag == flag)

    @property
    def flags(self) -> int:
        result = 0
        for s in self.signals:
            result |= s.flag
        return result


def parse_meta_info(body: bytes) -> MetaInfo:
    """Parse a meta-info body (spec §4); raises TiAProtocolError on violations."""
    try:
        root = ET.fromstring(body.decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError) as exc:
        raise TiAProtocolError(f"meta-info is not well-formed UTF-8 XML: {exc}") from exc
    if root.tag != "tiaMetaInfo":
        raise TiAProtocolError(f"root element is {root.tag}")
    subject_el = root.find("subject")
    subject = dict(subject_el.attrib) if subject_el is not None else {}
    master = root.find("masterSignal")
    signals: list[SignalMeta] = []

    def integer(el: ET.Element, name: str) -> int:
        value = el.get(name)
        if value is None:
            raise TiAProtocolError(f"<{el.tag}> lacks {name}")
        if not value.isdigit():
            raise TiAProtocolError(f"<{el.tag}> {name}={value!r} is not an unsigned integer")
        return int(value)

    for el in root.findall("signal"):
        type_name = el.get("type", "")
        flag = TYPE_FLAGS.get(type_name) or TYPE_ALIASES.get(type_name)
        if flag is None:
            raise TiAProtocolError(f"unknown signal type {type_name!r}")
        if any(s.flag == flag for s in signals):
            raise TiAProtocolError(f"signal type {type_name!r} twice")
        num_channels = integer(el, "numChannels")
        labels = [""] * num_channels
        for ch in el.findall("channel"):
            nr = integer(ch, "nr")
            if not 1 <= nr <= num_channels:
                raise TiAProtocolError(f"channel nr {nr} outside 1..{num_channels}")
            labels[nr - 1] = ch.get("label", "")
        signals.append(
            SignalMeta(
                type_name,
                flag,
                integer(el, "samplingRate"),
                integer(el, "blockSize"),
                num_channels,
                labels,
            )
        )
    signals.sort(key=lambda s: s.flag)
    return MetaInfo(
        subject=subject,
        master_sampling_rate=integer(master, "samplingRate") if master is not None else None,
        master_block_size=integer(master, "blockSize") if master is not None else None,
        signals=signals,
    )


# ---------------------------------------------------------------- packets


@dataclass
class Packet:
    raw: bytes
    version: int
    size: int
    flags: int
    packet_id: int
    connection_number: int
    timestamp: int
    channels: list[int]
    block_sizes: list[int]
    samples: list[list[float]]  # per signal in ascending flag order, channel-major

    @property
    def signal_flags(self) -> list[int]:
        return [1 << bit for bit in range(32) if self.flags & (1 << bit)]

    def channel(self, signal_index: int, channel: int) -> list[float]:
        bs = self.block_sizes[signal_index]
        return self.samples[signal_index][channel * bs : (channel + 1) * bs]


def decode_packet(raw: bytes) -> tuple[Packet | None, list[str]]:
    """Decode one packet; return (packet or None, problems found in its framing)."""
    problems: list[str] = []
    if len(raw) < FIXED_HEADER.size:
        return None, [f"short packet: {len(raw)} bytes"]
    version, size, flags, pid, conn, ts = FIXED_HEADER.unpack_from(raw)
    if version != 3:
        problems.append(f"version {version} != 3")
    if size != len(raw):
        problems.append(f"size field {size} != {len(raw)} bytes received")
    if flags & ~DEFINED_FLAGS:
        problems.append(f"undefined flag bits 0x{flags & ~DEFINED_FLAGS:08x}")
    n = (flags).bit_count()
    var_end = FIXED_HEADER.size + 4 * n
    if len(raw) < var_end:
        return None, problems + ["packet shorter than its variable header"]
    counts = struct.unpack_from(f"<{2 * n}H", raw, FIXED_HEADER.size)
    channels, block_sizes = list(counts[:n]), list(counts[n:])
    v = sum(c * b for c, b in zip(channels, block_sizes))
    if size != 33 + 4 * n + 4 * v:
        problems.append(f"size {size} != 33+4N+4V = {33 + 4 * n + 4 * v}")
    if len(raw) != 33 + 4 * n + 4 * v:
        return None, problems
    samples: list[list[float]] = []
    offset = var_end
    for c, b in zip(channels, block_sizes):
        samples.append(list(struct.unpack_from(f"<{c * b}f", raw, offset)))
        offset += 4 * c * b
    return Packet(raw, version, size, flags, pid, conn, ts, channels, block_sizes, samples), problems


@dataclass
class PacketChecker:
    """Stateful checks over a packet sequence (spec §5, §10 data path).

    ``values``: "encoded" checks every sample against :func:`sample_value` with a
    per-signal running index that must continue across packets (channel-major and
    ascending flag order are thereby checked too); "absolute" additionally requires
    index = packet_id * block_size (our sink); "none" skips value checks.
    """

    meta: MetaInfo
    values: str = "encoded"
    require_contiguous_ids: bool = True
    require_connection_numbers_from_zero: bool = False
    problems: list[str] = field(default_factory=list)
    _last_id: int | None = None
    _last_conn: int | None = None
    _next_index: dict[int, int] = field(default_factory=dict)

    def check(self, packet: Packet) -> None:
        where = f"packet id {packet.packet_id}"
        if packet.flags != self.meta.flags:
            self.problems.append(f"{where}: flags 0x{packet.flags:08x} != meta-info 0x{self.meta.flags:08x}")
            return
        for i, flag in enumerate(packet.signal_flags):
            sig = self.meta.signal(flag)
            if (packet.channels[i], packet.block_sizes[i]) != (
                sig.num_channels,
                sig.block_size,
            ):
                self.problems.append(
                    f"{where}: signal {sig.type_name} header {packet.channels[i]}x"
                    f"{packet.block_sizes[i]} != meta-info {sig.num_channels}x{sig.block_size}"
                )
                continue
            if self.values != "none":
                self._check_values(packet, i, flag, sig.block_size, where)
        if self.require_contiguous_ids and self._last_id is not None and packet.packet_id != self._last_id + 1:
            self.problems.append(f"{where}: id gap after {self._last_id}")
        if self._last_conn is None:
            if self.require_connection_numbers_from_zero and packet.connection_number != 0:
                self.problems.append(f"{where}: first connection number {packet.connection_number}")
        elif packet.connection_number != self._last_conn + 1:
            self.problems.append(f"{where}: connection number not contiguous")
        self._last_id = packet.packet_id
        self._last_conn = packet.connection_number

    def _check_values(self, packet: Packet, i: int, flag: int, bs: int, where: str) -> None:
        data = packet.samples[i]
        first = data[0] if data else 0.0
        base = int(first) % 1000
        if self.values == "absolute" and base != (packet.packet_id * bs) % 1000:
            self.problems.append(
                f"{where}: signal 0x{flag:x} starts at sample {base}, expected {(packet.packet_id * bs) % 1000}"
            )
        expected_base = self._next_index.get(flag)
        follows_last = self._last_id is not None and packet.packet_id == self._last_id + 1
        if follows_last and expected_base is not None and expected_base % 1000 != base:
            self.problems.append(
                f"{where}: signal 0x{flag:x} sample index jumps to {base}, expected {expected_base % 1000}"
            )
        channels = len(data) // bs
        expected = [sample_value(flag, ch, base + s) for ch in range(channels) for s in range(bs)]
        if data != expected:
            bad = next(k for k in range(len(data)) if data[k] != expected[k])
            self.problems.append(
                f"{where}: signal 0x{flag:x} value[{bad}]={data[bad]} != {expected[bad]} "
                f"(channel-major order, ascending flags)"
            )
        self._next_index[flag] = base + bs


class TcpPacketReader:
    """Reads whole packets from a TCP data connection using the size field."""

    def __init__(self, sock: socket.socket, already_read: bytes = b"") -> None:
        self.sock = sock
        self.buffer = already_read

    def _need(self, count: int, deadline: float) -> bool:
        while len(self.buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 20)
            except TimeoutError:
                return False
            if not chunk:
                raise ConnectionError("data connection closed by the server")
            self.buffer += chunk
        return True

    def read(self, deadline: float) -> bytes | None:
        if not self._need(5, deadline):
            return None
        size = struct.unpack_from("<I", self.buffer, 1)[0]
        if size < 33 or size > 64 << 20:
            raise TiAProtocolError(f"implausible packet size {size}; stream out of step")
        if not self._need(size, deadline):
            return None
        raw, self.buffer = self.buffer[:size], self.buffer[size:]
        return raw


# ---------------------------------------------------------------- whole session


@dataclass
class SessionResult:
    replies: dict[str, Reply] = field(default_factory=dict)
    meta: MetaInfo | None = None
    data_port: int | None = None
    packets: list[Packet] = field(default_factory=list)
    bytes_before_start: int = 0
    problems: list[str] = field(default_factory=list)


def expected_reply(line: str) -> bytes:
    """Exact reply bytes per spec §2.1: no space after the colon, bare terminator."""
    return b"TiA 1.0\n" + line.encode() + b"\n\n"


def run_session(
    host: str,
    port: int,
    *,
    transport: str = "tcp",
    packets: int = 20,
    connect_data: str = "before_start",
    values: str = "encoded",
    quiet_window: float = 0.2,
    timeout: float = 10.0,
    stop: bool = True,
    strict_replies: bool = True,
    on_packet: Callable[[Packet], None] | None = None,
) -> SessionResult:
    """Run CheckProtocolVersion, GetMetaInfo, GetDataConnection, Start, read, Stop.

    ``connect_data`` is "before_start" (libtia's order; also checks that no byte
    arrives within ``quiet_window`` s before Start) or "after_start" (pytia's order).
    With ``strict_replies`` the exact reply bytes of spec §2.3 are required.
    """
    result = SessionResult()
    deadline = time.monotonic() + timeout
    ctrl = ControlClient(host, port, timeout=timeout)
    data_sock: socket.socket | None = None
    early = b""
    try:

        def expect(key: str, reply: Reply, line: str) -> None:
            result.replies[key] = reply
            if strict_replies and reply.raw != expected_reply(line):
                result.problems.append(f"{key} reply {reply.raw!r} != {expected_reply(line)!r}")
            elif reply.name != line.partition(":")[0]:
                result.problems.append(f"{key} reply {reply.raw!r}")

        expect("check", ctrl.request("CheckProtocolVersion"), "OK")
        meta_reply = ctrl.request("GetMetaInfo")
        result.replies["meta"] = meta_reply
        if meta_reply.name != "MetaInfo" or meta_reply.content_length is None:
            result.problems.append(f"meta reply {meta_reply.raw[:80]!r}")
            return result
        result.meta = parse_meta_info(meta_reply.body)

        reply = ctrl.request("GetDataConnection", transport.upper())
        if reply.name != "DataConnectionPort" or not (reply.parameter or "").isdigit():
            result.problems.append(f"data connection reply {reply.raw!r}")
            result.replies["data"] = reply
            return result
        result.data_port = int(reply.parameter or "0")
        expect("data", reply, f"DataConnectionPort:{result.data_port}")

        def open_data() -> socket.socket:
            if transport == "udp":
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, result.data_port))
                return s
            return socket.create_connection((host, result.data_port), timeout=timeout)

        if connect_data == "before_start":
            data_sock = open_data()
            readable, _, _ = select.select([data_sock], [], [], quiet_window)
            if readable:
                early = data_sock.recv(65536)
                result.bytes_before_start = len(early)
                result.problems.append(f"{len(early)} bytes arrived before Start")
        expect("start", ctrl.request("StartDataTransmission"), "OK")
        if data_sock is None:
            data_sock = open_data()

        checker = PacketChecker(result.meta, values=values)
        # Bytes that arrived before Start stay at the front of the stream, so the
        # packets after them still decode in step.
        reader = TcpPacketReader(data_sock, early) if transport == "tcp" else None
        while len(result.packets) < packets:
            if reader is not None:
                try:
                    raw = reader.read(deadline)
                except ConnectionError as exc:
                    result.problems.append(f"{exc} after {len(result.packets)} of {packets} packets")
                    break
            else:
                remaining = deadline - time.monotonic()
                readable, _, _ = select.select([data_sock], [], [], max(remaining, 0))
                raw = data_sock.recv(65536) if readable else None
            if raw is None:
                result.problems.append(f"timed out after {len(result.packets)} of {packets} packets")
                break
            packet, problems = decode_packet(raw)
            result.problems.extend(problems)
            if packet is None:
                break
            checker.check(packet)
            result.packets.append(packet)
            if on_packet is not None:
                on_packet(packet)
        result.problems.extend(checker.problems)
        if stop:
            expect("stop", ctrl.request("StopDataTransmission"), "OK")
        return result
    finally:
        if data_sock is not None:
            data_sock.close()
        ctrl.close()
