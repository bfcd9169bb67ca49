# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wire helpers for the Red Pitaya "Data Stream" protocol (P2 and P3).

Everything here follows /work/shared/specs/redpitaya-streaming.md (section numbers in
comments refer to it). All integers on the wire are little-endian; structs are packed.

Contents:

* control framing (section 3.2): :func:`pack_command`, :func:`pack_str_str`,
  :func:`pack_config`, :class:`ControlParser`
* command ids (section 3.3): :class:`Cmd`
* settings model (section 4): :class:`Settings` (SET / GET / CONFIG parsing with the
  board's quirks)
* ADC and DAC segment headers (sections 5.2, 6.2)
* discovery beacons (section 2)
* board models (section 9): :data:`MODELS`
"""

from __future__ import annotations

import enum
import json
import re
import struct
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- ports (section 1)
PORT_ADC = 18900
PORT_CONTROL = 18901
PORT_BEACON = 18902
PORT_DAC = 18903

# --------------------------------------------------------------------------- framing (section 3.2)
MAGIC_COMMAND = 0x00ABCDED
MAGIC_STR_STR = 0x00ABCDEF
MAGIC_CONFIG = 0x00ABCDEB
CONTROL_MAGICS = (MAGIC_COMMAND, MAGIC_STR_STR, MAGIC_CONFIG)

_PREFIX = struct.Struct("<II")  # magic, total_len
_U32 = struct.Struct("<I")


class Cmd(enum.IntEnum):
    """Command ids, the implicit ordinals of the board's enum (section 3.3)."""

    SETTINGS_GET_SUCCESS = 0
    SETTINGS_GET_FAIL = 1
    REQUEST_SERVER_SETTINGS = 2
    REQUEST_SERVER_SETTINGS_VARIABLE = 3
    CONFIG_FILE_MISSED = 4
    REQUEST_SERVER_MEM_BLOCK_SIZE = 5
    MEM_BLOCK_SIZE = 6
    REQUEST_SERVER_ACTIVE_CHANNELS = 7
    ACTIVE_CHANNELS = 8
    REQUEST_SAVE_SETTING_TO_FILE = 9
    SAVE_SETTING_TO_FILE_SUCCES = 10
    SAVE_SETTING_TO_FILE_FAIL = 11
    REQUEST_LOAD_SETTING_FROM_FILE = 12
    LOAD_SETTING_FROM_FILE_SUCCES = 13
    LOAD_SETTING_FROM_FILE_FAIL = 14
    MASTER_CONNECTED = 15
    SLAVE_CONNECTED = 16
    ADC_SERVER_START = 17
    ADC_SERVER_STOP = 18
    ADC_SERVER_STOPPED = 19
    ADC_SERVER_STOPPED_NO_CHANNELS = 20
    ADC_SERVER_STOPPED_MEM_ERROR = 21
    ADC_SERVER_STOPPED_MEM_MODIFY = 22
    ADC_SERVER_STOPPED_SD_FULL = 23
    ADC_SERVER_STOPPED_SD_DONE = 24
    ADC_SERVER_STARTED_TCP = 25
    ADC_SERVER_STARTED_SD = 26
    ADC_FPGA_START = 27
    ADC_FPGA_START_ADC_DONE = 28
    DAC_FPGA_START = 29
    DAC_FPGA_START_DONE = 30
    DAC_SERVER_START = 31
    DAC_SERVER_STOP = 32
    DAC_SERVER_STOPPED = 33
    DAC_SERVER_STOPPED_MEM_ERROR = 34
    DAC_SERVER_STOPPED_MEM_MODIFY = 35
    DAC_SERVER_STOPPED_CONFIG_ERROR = 36
    DAC_SERVER_STOPPED_SD_DONE = 37
    DAC_SERVER_STOPPED_SD_EMPTY = 38
    DAC_SERVER_STOPPED_SD_BROKEN = 39
    DAC_SERVER_STOPPED_SD_MISSING = 40
    DAC_SERVER_STARTED = 41
    DAC_SERVER_STARTED_SD = 42
    GET_SERVER_MODE = 43
    SERVER_MODE_TCP = 44
    SERVER_MODE_SD = 45


def pack_command(command_id: int, tag: bytes | str = b"") -> bytes:
    """COMMAND frame: magic, total_len = 16 + T, command_id, tag_len, tag."""
    if isinstance(tag, str):
        tag = tag.encode()
    return struct.pack("<IIII", MAGIC_COMMAND, 16 + len(tag), command_id, len(tag)) + tag


def pack_str_str(key: bytes | str, value: bytes | str) -> bytes:
    """STR_STR frame: magic, total_len = 16 + K + V, key_len, value_len, key, value."""
    if isinstance(key, str):
        key = key.encode()
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("<IIII", MAGIC_STR_STR, 16 + len(key) + len(value), len(key), len(value)) + key + value


def pack_config(json_text: bytes | str) -> bytes:
    """CONFIG frame: magic, total_len = 12 + J, json_len, json."""
    if isinstance(json_text, str):
        json_text = json_text.encode()
    return struct.pack("<III", MAGIC_CONFIG, 12 + len(json_text), len(json_text)) + json_text


@dataclass
class ControlMessage:
    """One decoded control frame. ``kind`` is "command", "str_str" or "config"."""

    kind: str
    command_id: int = 0
    tag: bytes = b""
    key: bytes = b""
    value: bytes = b""
    json: bytes = b""


class ControlFramingError(Exception):
    """A frame the board could not survive. ``reason`` is a stable snake_case key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ControlParser:
    """Incremental receiver for control frames (section 3.2 receiver algorithm).

    ``feed()`` returns the complete messages found so far. It raises
    :class:`ControlFramingError` for what would kill or hang a real board:
    unknown magic, ``total_len`` 0 (board spins), 1..7 (board goes out of step),
    inner lengths beyond ``total_len`` (board reads past the message) and a
    ``total_len`` above ``max_message`` (board waits for ever).
    Inner lengths smaller than ``total_len`` allows are accepted and the tail is
    skipped, as the board does.
    """

    def __init__(self, max_message: int = 1 << 20) -> None:
        self._buf = bytearray()
        self.max_message = max_message

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[ControlMessage]:
        self._buf += data
        out: list[ControlMessage] = []
        while len(self._buf) >= 8:
            magic, total = _PREFIX.unpack_from(self._buf, 0)
            if magic not in CONTROL_MAGICS:
                raise ControlFramingError("unknown_control_magic", f"magic 0x{magic:08X} is not a control magic")
            if total == 0:
                raise ControlFramingError("control_total_len_zero", "total_len 0: the board re-dispatches for ever")
            if total < 8:
                raise ControlFramingError(
                    "control_total_len_out_of_step",
                    f"total_len {total} < 8: the board reads the next magic out of step",
                )
            if total > self.max_message:
                raise ControlFramingError(
                    "control_total_len_hang", f"total_len {total} is huge: the board waits for the rest for ever"
                )
            if len(self._buf) < total:
                break
            frame = bytes(self._buf[:total])
            del self._buf[:total]
            out.append(_decode_frame(magic, total, frame))
        return out


def _decode_frame(magic: int, total: int, frame: bytes) -> ControlMessage:
    def need(n: int, what: str) -> None:
        if n > total:
            raise ControlFramingError(
                "control_inner_length_overrun",
                f"{what} needs {n} bytes but total_len is {total}: the board reads past the message",
            )

    if magic == MAGIC_COMMAND:
        need(16, "COMMAND header")
        cmd, tag_len = struct.unpack_from("<II", frame, 8)
        need(16 + tag_len, "COMMAND tag")
        return ControlMessage("command", command_id=cmd, tag=frame[16 : 16 + tag_len])
    if magic == MAGIC_STR_STR:
        need(16, "STR_STR header")
        klen, vlen = struct.unpack_from("<II", frame, 8)
        need(16 + klen + vlen, "STR_STR key/value")
        return ControlMessage("str_str", key=frame[16 : 16 + klen], value=frame[16 + klen : 16 + klen + vlen])
    need(12, "CONFIG header")
    (jlen,) = _U32.unpack_from(frame, 8)
    need(12 + jlen, "CONFIG json")
    return ControlMessage("config", json=frame[12 : 12 + jlen])


# --------------------------------------------------------------------------- board models (section 9)
@dataclass(frozen=True)
class BoardModel:
    model_id: int
    name: str
    adc_channels: int
    adc_base_rate: int
    adc_bits: int
    dac_channels: int
    dac_base_rate: int
    p2_family: int | None  # P2 beacon digit; None: the P2 server exits on this model
    x_streaming: bool
    lv_full_scale: float = 1.0  # volts at raw full scale, attenuator 1:1
    hv_full_scale: float = 20.0  # volts at raw full scale, attenuator 1:20
    dac_full_scale: float = 1.0  # volts at DAC code +-32767, gain X1 (section 6.2)


def _models() -> dict[int, BoardModel]:
    m: dict[int, BoardModel] = {}

    def add(ids, name, ch, rate, bits, dac_ch, dac_rate, fam, xs, lv=1.0, hv=20.0, dac_fs=1.0):
        for i in ids:
            m[i] = BoardModel(i, name, ch, rate, bits, dac_ch, dac_rate, fam, xs, lv, hv, dac_fs)

    add([0], "125-10 v1.0", 2, 125_000_000, 14, 2, 125_000_000, 1, True)
    add([1, 2, 5, 17, 18, 19], "125-14", 2, 125_000_000, 14, 2, 125_000_000, 1, True)
    add([6, 7], "125-14 Z7020", 2, 125_000_000, 14, 2, 125_000_000, 2, True)
    add([3, 4], "122-16 SDR", 2, 122_880_000, 16, 2, 122_880_000, 3, False, 0.25, 0.25)
    add([8, 9, 10, 30], "125-14 4-input", 4, 125_000_000, 14, 0, 0, 5, False)
    add(range(11, 17), "250-12", 2, 250_000_000, 12, 2, 250_000_000, 4, False, dac_fs=2.0)
    add([20, 21, 22, 23, 24, 31, 32, 33], "125-14 Gen2", 2, 125_000_000, 14, 2, 125_000_000, None, False, dac_fs=2.0)
    add([25, 27, 28], "125-14 Z7020 LL/TI", 2, 125_000_000, 16, 2, 125_000_000, None, False)
    add([26, 29], "65-16", 2, 62_500_000, 16, 2, 125_000_000, None, False)
    return m


MODELS: dict[int, BoardModel] = _models()

#: friendly aliases accepted by the emulator's ``--model``
MODEL_ALIASES = {
    "125-14": 2,
    "125-10": 0,
    "122-16": 4,
    "250-12": 12,
    "4-input": 9,
    "125-14-4": 9,
    "gen2": 20,
    "65-16": 26,
}

P2_FAMILY_NAMES = {0: "client", 1: "125-14", 2: "125-14 Z7020", 3: "122-16", 4: "250-12", 5: "125-14 4-input"}

# --------------------------------------------------------------------------- beacons (section 2)


def beacon_p3(mac: str, ip: str, role: str, model_id: int) -> bytes:
    return f"{mac}\n{ip}\n{role}\n{model_id}\n".encode()


def beacon_p2(ip: str, role: str, family: int) -> bytes:
    return f"{ip}{role}{family}".encode()


@dataclass
class Beacon:
    proto: str  # "p2" or "p3"
    ip: str
    role: str  # "M" or "S"
    model: int  # P3: rp_HPeModels_t id; P2: family digit
    mac: str = ""

    @property
    def model_name(self) -> str:
        if self.proto == "p3":
            m = MODELS.get(self.model)
            return m.name if m else f"unknown model {self.model}"
        return P2_FAMILY_NAMES.get(self.model, f"unknown family {self.model}")


def parse_beacon(payload: bytes) -> Beacon | None:
    """Parse either payload style (section 2.3 recommendation). None when malformed."""
    try:
        text = payload.decode("ascii")
    except UnicodeDecodeError:
        return None
    if "\n" in text:
        parts = text.split("\n")
        if parts and parts[-1] == "":
            parts = parts[:-1]
        if len(parts) != 4 or not parts[3].isdigit() or parts[2] not in ("M", "S", "C", "N", "E"):
            return None
        return Beacon("p3", parts[1], parts[2], int(parts[3]), parts[0])
    if len(text) < 3 or not text[-1].isdigit() or text[-2] not in ("M", "S"):
        return None
    return Beacon("p2", text[:-2], text[-2], int(text[-1]))


# --------------------------------------------------------------------------- pack headers (sections 5.2, 6.2)
SEGMENT_HEADER_SIZE = 128
ADC_ID_PACK = bytes([0xFF] * 4 + [0xA0] * 4 + [0xFF] * 4 + [0xA0] * 4)
DAC_ID_PACK = bytes([0xFF, 0xFF, 0xA0, 0xA0] * 4)

# ID_PACK, bufferSize, packId, lostFPGA, sizeOfAllChannels, baseRateOSC, baseOSCBits,
# channel, bitBySample, adcMode, timeCapture, 64 bytes padding
ADC_HEADER = struct.Struct("<16sQQQQIBBBBq64x")
# ID_PACK, bufferSize, packId, channels, channel, channelSize, sizeOfAllChannels,
# onePackMode, infMode, repeatCount, bits, 71 bytes padding
DAC_HEADER = struct.Struct("<16sQQBBIQBBqB71x")
assert ADC_HEADER.size == SEGMENT_HEADER_SIZE and DAC_HEADER.size == SEGMENT_HEADER_SIZE


@dataclass
class AdcSegmentHeader:
    buffer_size: int
    pack_id: int
    lost_fpga: int
    size_of_all_channels: int
    base_rate: int
    base_bits: int
    channel: int  # 0-based
    bits: int
    adc_mode: int
    time_capture: int
    magic: bytes = ADC_ID_PACK

    def pack(self) -> bytes:
        return ADC_HEADER.pack(
            self.magic,
            self.buffer_size,
            self.pack_id,
            self.lost_fpga,
            self.size_of_all_channels,
            self.base_rate,
            self.base_bits,
            self.channel,
            self.bits,
            self.adc_mode,
            self.time_capture,
        )

    @classmethod
    def unpack(cls, data: bytes) -> AdcSegmentHeader:
        f = ADC_HEADER.unpack_from(data, 0)
        return cls(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], magic=f[0])


@dataclass
class DacSegmentHeader:
    buffer_size: int
    channels: int
    channel: int  # 1-based
    channel_size: int
    size_of_all_channels: int
    one_pack_mode: int = 0
    inf_mode: int = 0
    repeat_count: int = 1
    bits: int = 16
    pack_id: int = 0
    magic: bytes = DAC_ID_PACK

    def pack(self) -> bytes:
        return DAC_HEADER.pack(
            self.magic,
            self.buffer_size,
            self.pack_id,
            self.channels,
            self.channel,
            self.channel_size,
            self.size_of_all_channels,
            self.one_pack_mode,
            self.inf_mode,
            self.repeat_count,
            self.bits,
        )

    @classmethod
    def unpack(cls, data: bytes) -> DacSegmentHeader:
        f = DAC_HEADER.unpack_from(data, 0)
        return cls(f[1], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], pack_id=f[2], magic=f[0])


# --------------------------------------------------------------------------- settings (section 4)
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "adc_pass_mode": ("NET", "FILE"),
    "resolution": ("BIT_8", "BIT_16"),
    "use_calib": ("OFF", "ON"),
    "adc_capture_time": ("OFF", "ON"),
    "format_sd": ("WAV", "TDMS", "BIN"),
    "data_type_sd": ("RAW", "VOLT"),
    "dac_pass_mode": ("DAC_NET", "DAC_FILE"),
    "repeat": ("DAC_REP_OFF", "DAC_REP_INF", "DAC_REP_ON"),
    "file_type_sd": ("WAV", "TDMS", "BIN"),
    "channel_gain_1": ("X1", "X5"),
    "channel_gain_2": ("X1", "X5"),
}
for _n in range(1, 5):
    ENUM_VALUES[f"channel_state_{_n}"] = ("OFF", "ON")
    ENUM_VALUES[f"channel_attenuator_{_n}"] = ("A_1_1", "A_1_20")
    ENUM_VALUES[f"channel_ac_dc_{_n}"] = ("AC", "DC")

UINT32_KEYS = ("adc_decimation", "dac_rate", "repeatCount", "block_size", "adc_size", "dac_size", "gpio_size")
UINT64_KEYS = ("samples_limit_sd",)
STRING_KEYS = ("file_sd",)

DEFAULTS: dict[str, object] = {
    "adc_capture_time": "ON",
    "adc_decimation": 1,
    "adc_pass_mode": "NET",
    **{f"channel_ac_dc_{n}": "DC" for n in range(1, 5)},
    **{f"channel_attenuator_{n}": "A_1_1" for n in range(1, 5)},
    **{f"channel_state_{n}": "OFF" for n in range(1, 5)},
    "data_type_sd": "RAW",
    "format_sd": "BIN",
    "resolution": "BIT_16",
    "samples_limit_sd": 0,
    "use_calib": "ON",
    "channel_gain_1": "X1",
    "channel_gain_2": "X1",
    "dac_pass_mode": "DAC_NET",
    "dac_rate": 125_000_000,
    "file_sd": "",
    "file_type_sd": "WAV",
    "repeat": "DAC_REP_OFF",
    "repeatCount": 0,
    "adc_size": 787968,
    "block_size": 65536,
    "dac_size": 787968,
    "gpio_size": 787968,
}

SECTION_OF: dict[str, str] = {}
for _k in DEFAULTS:
    if _k in ("adc_size", "block_size", "dac_size", "gpio_size"):
        SECTION_OF[_k] = "memory_manager"
    elif _k in (
        "channel_gain_1",
        "channel_gain_2",
        "dac_pass_mode",
        "dac_rate",
        "file_sd",
        "file_type_sd",
        "repeat",
        "repeatCount",
    ):
        SECTION_OF[_k] = "dac_streaming"
    else:
        SECTION_OF[_k] = "adc_streaming"

MAX_DECIMATION = 65536


def _upto_nul(raw: bytes) -> bytes:
    i = raw.find(b"\0")
    return raw if i < 0 else raw[:i]


def parse_set_uint(raw: bytes, bits: int) -> int | None:
    """The board's ``to_uint``/``to_uint64``: digits only, stop at NUL, wrap silently (section 4.1)."""
    s = _upto_nul(raw)
    if not s or not all(0x30 <= b <= 0x39 for b in s):
        return None
    return int(s) % (1 << bits)


class ConfigRootNotObject(Exception):
    """A CONFIG whose JSON root is an array/number/string/bool: fatal on a real board."""


def _strip_json_extras(text: str) -> str:
    """Remove what jsoncpp 1.9.4 tolerates but Python's json does not: BOM, comments, trailing commas."""
    text = text.removeprefix("\ufeff")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


class Settings:
    """The board's settings object (section 4.2) with its SET/GET/CONFIG behaviour."""

    def __init__(self, proto: str = "p3") -> None:
        self.proto = proto
        self.values: dict[str, object] = dict(DEFAULTS)
        if proto == "p2":
            del self.values["adc_capture_time"]

    def copy(self) -> Settings:
        s = Settings(self.proto)
        s.values = dict(self.values)
        return s

    def known(self, key: str) -> bool:
        return key in self.values

    def __getitem__(self, key: str):
        return self.values[key]

    # ---- GET (command 3)
    def get_wire(self, key: bytes) -> bytes:
        k = key.decode("latin-1")
        if k not in self.values:
            return b"ERROR"
        return str(self.values[k]).encode()

    # ---- SET (STR_STR from the client)
    def set_wire(self, key: bytes, value: bytes) -> bool:
        """Apply one SET; True means reply 0."""
        k = key.decode("latin-1")
        if k not in self.values:
            return False
        if k in ENUM_VALUES:
            v = _upto_nul(value).decode("latin-1")
            if v not in ENUM_VALUES[k]:
                return False
            if k == "file_type_sd" and v == "BIN":
                return True  # [QUIRK] accepted, ignored
            self.values[k] = v
            return True
        if k in STRING_KEYS:
            self.values[k] = value.decode("latin-1")
            return True
        n = parse_set_uint(value, 64 if k in UINT64_KEYS else 32)
        if n is None:
            return False
        if k == "adc_decimation" and n > MAX_DECIMATION:
            return False
        self.values[k] = n
        return True

    # ---- CONFIG (whole JSON)
    @classmethod
    def from_json(cls, raw: bytes, proto: str = "p3") -> Settings | None:
        """Parse a CONFIG into a fresh object. None = reply 1. Raises ConfigRootNotObject (fatal)."""
        try:
            text = _strip_json_extras(raw.decode("utf-8"))
            root, _end = json.JSONDecoder().raw_decode(text.lstrip())
        except (UnicodeDecodeError, ValueError):
            return None
        if root is None:
            return None
        if not isinstance(root, dict):
            raise ConfigRootNotObject(type(root).__name__)
        s = cls(proto)
        for section in ("adc_streaming", "dac_streaming", "memory_manager"):
            if section not in root:
                return None
            sec = root[section]
            if sec is None:
                continue
            if not isinstance(sec, dict):
                return None
            for key in [k for k, sect in SECTION_OF.items() if sect == section]:
                if key not in s.values:  # adc_capture_time in P2
                    continue
                if key.startswith("channel_ac_dc_"):
                    continue  # read together with its attenuator key below
                if key not in sec:
                    continue
                if not s._apply_json(key, sec[key]):
                    return None
                if key.startswith("channel_attenuator_"):
                    ac = "channel_ac_dc_" + key[-1]
                    if not s._apply_json(ac, sec.get(ac, "")):  # [QUIRK] absent ac_dc: empty string fails
                        return None
        return s

    def _apply_json(self, key: str, v: object) -> bool:
        if key in ENUM_VALUES:
            if not isinstance(v, str) or v not in ENUM_VALUES[key]:
                return False
            if not (key == "file_type_sd" and v == "BIN"):
                self.values[key] = v
            return True
        if key in STRING_KEYS:
            if v is None:
                self.values[key] = ""
            elif isinstance(v, bool):
                self.values[key] = "true" if v else "false"
            elif isinstance(v, (int, float, str)):
                self.values[key] = str(v)
            else:
                return False
            return True
        limit = 1 << (64 if key in UINT64_KEYS else 32)
        if v is None or isinstance(v, bool):
            n = int(bool(v))
        elif isinstance(v, int):
            n = v
        elif isinstance(v, float):
            if not (0.0 <= v < float(limit)):
                return False
            n = int(v)
        else:
            return False
        if not 0 <= n < limit:
            return False
        if key == "adc_decimation" and n > MAX_DECIMATION:
            return True  # [QUIRK] ignored, default stays
        self.values[key] = n
        return True

    def to_json(self) -> str:
        """The board's JSON (keys sorted, tab-indented, " : " separators, no final newline)."""
        doc: dict[str, dict[str, object]] = {"adc_streaming": {}, "dac_streaming": {}, "memory_manager": {}}
        for k, v in self.values.items():
            doc[SECTION_OF[k]][k] = v
        text = json.dumps(doc, indent="\t", sort_keys=True, separators=(",", " : "))
        return text

    # ---- derived values
    def adc_channel_list(self, n_channels: int) -> list[int]:
        """0-based enabled ADC channels the board streams (keys above the board's count are ignored)."""
        return [c for c in range(n_channels) if self.values[f"channel_state_{c + 1}"] == "ON"]

    def active_channels_reply(self, n_channels: int) -> int:
        """Tag of reply 8: P3 bitmask clipped to the board, P2 count of all four keys."""
        if self.proto == "p2":
            return sum(1 for c in range(4) if self.values[f"channel_state_{c + 1}"] == "ON")
        return sum(1 << c for c in self.adc_channel_list(n_channels))


@dataclass
class PackLayout:
    """What a client must know before reading ADC packs (section 5.2)."""

    block_size: int
    channels: list[int] = field(default_factory=list)  # 0-based, ascending
    bits: int = 16

    @property
    def segment_size(self) -> int:
        return SEGMENT_HEADER_SIZE + self.block_size

    @property
    def pack_size(self) -> int:
        return self.segment_size * len(self.channels)

    @property
    def samples_per_pack(self) -> int:
        return self.block_size // (self.bits // 8)


# --------------------------------------------------------------------------- DAC packs (section 6.2)
def build_dac_pack(
    block_size: int,
    segments: list[tuple[int, bytes]],
    *,
    bits: int = 16,
    one_pack: bool = False,
    inf: bool = False,
    repeat: int = 1,
) -> bytes:
    """One whole DAC pack: for each (1-based output, data) a 128-byte header and the data
    zero-padded to ``block_size`` (section 6.2). ``channelSize`` = len(data).

    Raises ValueError for what section 12.1 says a client must never send: data longer than
    ``block_size``, bits other than 8/16, outputs not ascending in 1..2, or a one-pack pack
    that would play nothing (infMode 0 with a count < 1).
    """
    if bits not in (8, 16):
        raise ValueError(f"bits must be 8 or 16, not {bits}")
    if block_size <= 0:
        raise ValueError(f"block_size must be > 0, not {block_size}")
    outs = [o for o, _ in segments]
    if not outs or outs != sorted(set(outs)) or not all(o in (1, 2) for o in outs):
        raise ValueError(f"outputs must be ascending, without repeats, in 1..2: {outs}")
    if one_pack and not inf and repeat < 1:
        raise ValueError("a one-pack pack needs infMode or a repeat count >= 1")
    n = len(segments)
    parts: list[bytes] = []
    for output, data in segments:
        if len(data) > block_size:
            raise ValueError(f"segment for OUT{output} has {len(data)} bytes > block_size {block_size}")
        hdr = DacSegmentHeader(
            buffer_size=SEGMENT_HEADER_SIZE + block_size,
            channels=n,
            channel=output,
            channel_size=len(data),
            size_of_all_channels=n * block_size,
            one_pack_mode=int(one_pack),
            inf_mode=int(inf),
            repeat_count=-1 if inf else repeat,
            bits=bits,
        )
        parts.append(hdr.pack())
        parts.append(bytes(data) + bytes(block_size - len(data)))
    return b"".join(parts)


def dac_mask_tag(outputs: list[int], proto: str = "p3") -> str:
    """DAC_SERVER_START tag (section 3.3 row 31): P3 bitmask, P2 count (OUT1 or OUT1+OUT2)."""
    if proto == "p2":
        if outputs not in ([1], [1, 2]):
            raise ValueError(f"P2 can start only OUT1 or OUT1+OUT2, not {outputs}")
        return str(len(outputs))
    mask = sum(1 << (o - 1) for o in outputs)
    if mask not in (1, 2, 3):
        raise ValueError(f"outputs must be a non-empty subset of 1, 2: {outputs}")
    return str(mask)
