# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny, spec-following TiA 1.0 server in pure Python, for proving the test peers.

It exists so that the raw client (tia_raw_client.py) and the real pytia client can be
compared before our C++ sink exists, and so that the raw client's checks can be shown
to fail: ``faults`` injects known protocol violations (see FAULTS).

Samples follow :func:`tia_raw_client.sample_value`: packet k carries, for each signal,
the running sample indices ``k*block_size .. k*block_size+block_size-1`` channel-major,
so packet ids and sample indices are tied as our sink ties them ("absolute" checks).
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Self
from xml.sax.saxutils import quoteattr

try:  # imported as tests.peers.tia_fake_server or with tests/peers on sys.path
    from .tia_raw_client import TYPE_FLAGS, sample_value
except ImportError:  # pragma: no cover
    from tia_raw_client import TYPE_FLAGS, sample_value  # type: ignore[no-redef]

FAULTS = frozenset(
    {
        "interleaved",  # samples sample-major instead of channel-major
        "master_first",  # payload in reverse flag order (pytia's bug with a high master)
        "id_gap",  # packet id 3 is never sent
        "reply_space",  # "DataConnectionPort: <p>" (space after the colon)
        "stream_before_start",  # packets flow as soon as the data connection is accepted
        "bad_size",  # size field 4 bytes too large
    }
)

FLAG_NAMES = {flag: name for name, flag in TYPE_FLAGS.items()}


@dataclass
class FakeSignal:
    flag: int
    channels: int
    block_size: int
    sampling_rate: int
    labels: list[str] = field(default_factory=list)


def meta_info_xml(signals: list[FakeSignal], master: FakeSignal) -> bytes:
    """Compact meta-info per spec §4.1, escaped, ascending flag order, one final LF."""
    lines = [
        '<tiaMetaInfo version="1.0">',
        '<subject id="fake" firstName="Test &amp; Co" surname="Doe"/>',
        (f'<masterSignal samplingRate="{master.sampling_rate}" blockSize="{master.block_size}"/>'),
    ]
    for sig in sorted(signals, key=lambda s: s.flag):
        lines.append(
            f'<signal type="{FLAG_NAMES[sig.flag]}" samplingRate="{sig.sampling_rate}"'
            f' blockSize="{sig.block_size}" numChannels="{sig.channels}">'
        )
        for ch in range(sig.channels):
            label = sig.labels[ch] if ch < len(sig.labels) else f"ch{ch + 1}"
            lines.append(f'<channel nr="{ch + 1}" label={quoteattr(label)}/>')
        lines.append("</signal>")
    lines.append("</tiaMetaInfo>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_packet(
    signals: list[FakeSignal],
    k: int,
    packet_id: int,
    conn: int,
    timestamp: int,
    faults: frozenset[str] = frozenset(),
) -> bytes:
    ordered = sorted(signals, key=lambda s: s.flag)
    if "master_first" in faults:
        ordered.reverse()
    flags = 0
    for sig in ordered:
        flags |= sig.flag
    n = len(ordered)
    payload = b""
    for sig in ordered:
        values = []
        if "interleaved" in faults:
            for s in range(sig.block_size):
                values += [sample_value(sig.flag, ch, k * sig.block_size + s) for ch in range(sig.channels)]
        else:
            for ch in range(sig.channels):
                values += [sample_value(sig.flag, ch, k * sig.block_size + s) for s in range(sig.block_size)]
        payload += struct.pack(f"<{len(values)}f", *values)
    size = 33 + 4 * n + len(payload) + (4 if "bad_size" in faults else 0)
    header = struct.pack("<BIIQQQ", 3, size, flags, packet_id, conn, timestamp)
    var = struct.pack(f"<{n}H", *[s.channels for s in ordered])
    var += struct.pack(f"<{n}H", *[s.block_size for s in ordered])
    return header + var + payload


class _Session:
    """One control connection with its (single) data connection."""

    def __init__(self, server: FakeTiAServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.data_listener: socket.socket | None = None
        self.transport: str | None = None

    # -- control
    def serve(self) -> None:
        buffer = b""
        try:
            while not self.server.closing.is_set():
                while True:
                    request, buffer = self._frame(buffer)
                    if request is None:
                        break
                    self._handle(*request)
                chunk = self.sock.recv(4096)
                if not chunk:
                    return
                buffer += chunk
                if len(buffer) > 1 << 20:
                    return
        except OSError:
            return
        finally:
            self.stopped.set()
            self.sock.close()
            if self.data_listener is not None:
                self.data_listener.close()

    @staticmethod
    def _frame(buffer: bytes) -> tuple[tuple[str, str, str] | None, bytes]:
        lines = []
        pos = 0
        while len(lines) < 3:
            end = buffer.find(b"\n", pos)
            if end < 0:
                return None, buffer
            lines.append(buffer[pos:end].strip(b" \r").decode("utf-8", "replace"))
            pos = end + 1
        if lines[2]:
            length = int(lines[2].partition(":")[2].strip())
            end = buffer.find(b"\n", pos)
            if end < 0 or len(buffer) < end + 1 + length:
                return None, buffer
            pos = end + 1 + length
        name, _, param = lines[1].partition(":")
        return (lines[0], name, param.strip()), buffer[pos:]

    def _reply(self, line: str, body: bytes = b"") -> None:
        head = f"TiA 1.0\n{line}\n"
        if body:
            head += f"Content-Length:{len(body)}\n"
        self.sock.sendall(head.encode() + b"\n" + body)

    def _handle(self, version: str, name: str, param: str) -> None:
        if version != "TiA 1.0":
            self._reply("Error")
            raise OSError("bad version")
        if name == "CheckProtocolVersion":
            self._reply("OK")
        elif name == "GetMetaInfo":
            self._reply("MetaInfo", meta_info_xml(self.server.signals, self.server.master))
        elif name == "GetDataConnection" and param in ("TCP", "UDP"):
            self.transport = param
            if param == "TCP":
                self.data_listener = socket.create_server((self.server.host, 0))
                port = self.data_listener.getsockname()[1]
            else:
                port = self.server.udp_port
            sep = ": " if "reply_space" in self.server.faults else ":"
            self._reply(f"DataConnectionPort{sep}{port}")
            threading.Thread(target=self._stream, daemon=True).start()
        elif name in ("StartDataTransmission", "StopDataTransmission"):
            if self.transport is None:
                self._reply("Error")
            else:
                (self.started.set if name.startswith("Start") else self.started.clear)()
                self._reply("OK")
        else:
            self._reply("Error")

    # -- data
    def _stream(self) -> None:
        server = self.server
        faults = server.faults
        if self.transport == "TCP":
            assert self.data_listener is not None
            self.data_listener.settimeout(server.timeout)
            try:
                data, _ = self.data_listener.accept()
            except OSError:
                return
            send = data.sendall
        else:
            data = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

            def send(packet: bytes) -> None:
                data.sendto(packet, (server.host, server.udp_port))

        gate = (lambda: True) if "stream_before_start" in faults else self.started.is_set
        k = 0
        try:
            while k < server.max_packets and not self.stopped.is_set():
                if not gate():
                    if self.started.wait(0.05) is False and self.stopped.is_set():
                        return
                    continue
                if not ("id_gap" in faults and k == 3):
                    ts = k * 1_000_000 * server.master.block_size // server.master.sampling_rate
                    send(build_packet(server.signals, k, k, k, ts, faults))
                k += 1
        except OSError:
            pass
        finally:
            data.close()


class FakeTiAServer:
    """Threaded fake TiA server on 127.0.0.1:0; use as a context manager."""

    def __init__(
        self,
        signals: list[FakeSignal],
        *,
        host: str = "127.0.0.1",
        faults: frozenset[str] = frozenset(),
        max_packets: int = 5000,
        timeout: float = 10.0,
    ) -> None:
        unknown = set(faults) - FAULTS
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; allowed {sorted(FAULTS)}")
        self.signals = signals
        self.master = min(signals, key=lambda s: s.flag)
        self.host = host
        self.faults = frozenset(faults)
        self.max_packets = max_packets
        self.timeout = timeout
        self.closing = threading.Event()
        self.listener = socket.create_server((host, 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind((host, 0))
        self.udp_port = probe.getsockname()[1]
        probe.close()
        self._sessions: list[_Session] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def _accept_loop(self) -> None:
        while not self.closing.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(self.timeout)
            session = _Session(self, sock)
            self._sessions.append(session)
            threading.Thread(target=session.serve, daemon=True).start()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._thread.join(timeout=self.timeout)
        self.listener.close()
        for session in self._sessions:
            session.stopped.set()
            try:
                session.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
