"""MoTeC i2 ``.ld`` log writer/reader and ``.ldx`` beacon sidecar (clean-room).

**i2 compatibility unverified (no i2 available in CI).** MoTeC i2 runs only on Windows and
nobody has opened these files in it yet; the layout is reverse-engineered, not published.

Written from the layout summary in docs/design.md, "MoTeC .ld and .ldx" (a description of the
community reverse engineering of the format). No code from gotzl/ldparser (GPL-3.0) was
used. All integers are little-endian; strings are fixed-size, NUL-padded UTF-8 fields.

File layout written by :func:`write_ld` (section offsets as in the files that
MotecLogGenerator reports as opening in i2 Standard and Pro):

==========  ======  ==========================================================
offset      size    block
==========  ======  ==========================================================
0           1762    header (fields below)
1762        260     vehicle: id 64s @0, weight u32 @192, type 32s @196, comment 32s @228
5078        1100    venue: name 64s @0, u16 vehicle_ptr @1098
8180        1154    event: name 64s @0, session 64s @64, comment 1024s @128, u16 venue_ptr @1152
11336       124*n   channel headers, a doubly linked list (layout below)
after       ...     channel data, one contiguous block of ``n_samples`` values per channel
==========  ======  ==========================================================

Header fields (byte offset, type): marker u32 = 0x40 @0x000; chan_meta_ptr u32 @0x008;
chan_data_ptr u32 @0x00C; event_ptr u32 @0x024; device serial u32 @0x046; device type 8s
("ADL") @0x04A; device version u16 (420) @0x052; num_channels u32 @0x056; date 16s
("%d/%m/%Y") @0x05E; time 16s ("%H:%M:%S") @0x07E; driver 64s @0x09E; vehicle id 64s
@0x0DE; venue 64s @0x15E; pro-logging magic u32 (0xC81A4) @0x5DE; short comment 64s
@0x624. Everything else is zero. The pointer chain is header -> event -> venue -> vehicle.

Channel header (124 bytes): prev u32 @0, next u32 @4 (0 ends the list), data_ptr u32 @8,
n_samples u32 @12, counter u16 @16 (0x2EE1 + index), dtype class u16 @18 (0x07 float;
0x00/0x03/0x05 integer), sample size u16 @20 (2 or 4), sample rate u16 Hz @22, shift i16 @24,
mul i16 @26, scale i16 @28, dec i16 @30, name 32s @32, short name 8s @64, unit 12s @72,
40 zero bytes @84. Physical value = ``(raw / scale * 10**-dec + shift) * mul``; there is no
time channel, sample ``i`` is at ``t = i / rate``.

The writer stores float32 samples with shift=0, mul=1, scale=1, dec=0. The reader also
accepts float16, int16 and int32 channels and applies the scaling formula.

``.ldx`` (ecosystem.md §1): an XML sidecar with the same stem; beacon markers
``<Marker ClassName="BCN" Time=...>`` carry the time in microseconds, and i2 splits laps there.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import struct
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from raidsim.io.csv_export import atomic_write_bytes

__all__ = [
    "LdChannel",
    "LdChannelSpec",
    "LdMeta",
    "LdWriter",
    "export_ld",
    "motec_channel_name",
    "read_ld",
    "write_ld",
    "write_ldx",
]

# --- layout constants (see module docstring) ---------------------------------------------
HEADER_SIZE = 1762
EVENT_SIZE = 1154
VENUE_SIZE = 1100
VEHICLE_SIZE = 260
CHANNEL_HEADER_SIZE = 124

VEHICLE_PTR = 1762
VENUE_PTR = 5078
EVENT_PTR = 8180
CHANNEL_META_PTR = 11336

LD_MARKER = 0x40
DEVICE_SERIAL = 0  # no physical logger; whether i2 checks the serial is unknown
DEVICE_TYPE = b"ADL"
DEVICE_VERSION = 420
PRO_LOGGING_MAGIC = 0xC81A4
CHANNEL_COUNTER_BASE = 0x2EE1

DTYPE_FLOAT = 0x07
DTYPE_INT_CLASSES = (0x00, 0x03, 0x05)

NAME_BYTES = 32
SHORT_NAME_BYTES = 8
UNIT_BYTES = 12

DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%H:%M:%S"

# (offset, struct format) of every header field we read or write.
_HDR: dict[str, tuple[int, str]] = {
    "marker": (0x000, "<I"),
    "chan_meta_ptr": (0x008, "<I"),
    "chan_data_ptr": (0x00C, "<I"),
    "event_ptr": (0x024, "<I"),
    "device_serial": (0x046, "<I"),
    "device_type": (0x04A, "8s"),
    "device_version": (0x052, "<H"),
    "num_channels": (0x056, "<I"),
    "date": (0x05E, "16s"),
    "time": (0x07E, "16s"),
    "driver": (0x09E, "64s"),
    "vehicle": (0x0DE, "64s"),
    "venue": (0x15E, "64s"),
    "pro_magic": (0x5DE, "<I"),
    "short_comment": (0x624, "64s"),
}
_EVENT: dict[str, tuple[int, str]] = {
    "name": (0, "64s"),
    "session": (64, "64s"),
    "comment": (128, "1024s"),
    "venue_ptr": (1152, "<H"),
}
_VENUE: dict[str, tuple[int, str]] = {"name": (0, "64s"), "vehicle_ptr": (1098, "<H")}
_VEHICLE: dict[str, tuple[int, str]] = {
    "id": (0, "64s"),
    "weight": (192, "<I"),
    "type": (196, "32s"),
    "comment": (228, "32s"),
}
# Channel header: prev, next, data_ptr, n_samples, counter, dtype class, size, rate,
# shift, mul, scale, dec, name, short name, unit, 40 pad bytes.
_CHAN = struct.Struct("<IIIIHHHHhhhh32s8s12s40x")
assert _CHAN.size == CHANNEL_HEADER_SIZE

F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LdChannel:
    """One ``.ld`` channel: physical values sampled uniformly at ``rate_hz`` from t = 0.

    ``data`` is a 1-D array of physical values (``read_ld`` returns float64). ``eq=False``:
    channels compare by identity, since numpy arrays have no single truth value.
    """

    name: str
    unit: str
    rate_hz: float
    data: F64
    short_name: str = ""


@dataclass(frozen=True)
class LdMeta:
    """Session metadata stored in the header and the event/venue/vehicle blocks.

    ``datetime`` is stored to the second and without time zone (microseconds and tzinfo are
    dropped). Strings are cut to 64 UTF-8 bytes, except ``comment``: 1024 bytes in the event
    block, and its first 64 bytes in the header short comment.
    """

    driver: str = ""
    vehicle: str = ""
    venue: str = ""
    event: str = ""
    session: str = ""
    comment: str = ""
    datetime: _dt.datetime = field(kw_only=True)


# --- string fields -------------------------------------------------------------------------
def _fit(text: str, size: int) -> bytes:
    """UTF-8 encode ``text`` and truncate it to ``size`` bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= size:
        return raw
    return raw[:size].decode("utf-8", errors="ignore").encode("utf-8")


def _text(raw: bytes) -> str:
    """Decode a NUL-padded fixed-size string field."""
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _put(buf: bytearray, base: int, spec: Mapping[str, tuple[int, str]], **values: object) -> None:
    for key, value in values.items():
        offset, fmt = spec[key]
        if isinstance(value, str):
            value = _fit(value, struct.calcsize(fmt))
        struct.pack_into(fmt, buf, base + offset, value)


def _get(buf: bytes, base: int, spec: Mapping[str, tuple[int, str]], key: str) -> object:
    offset, fmt = spec[key]
    return struct.unpack_from(fmt, buf, base + offset)[0]


def _get_int(buf: bytes, base: int, spec: Mapping[str, tuple[int, str]], key: str) -> int:
    value = _get(buf, base, spec, key)
    assert isinstance(value, int)
    return value


def _get_text(buf: bytes, base: int, spec: Mapping[str, tuple[int, str]], key: str) -> str:
    value = _get(buf, base, spec, key)
    assert isinstance(value, bytes)
    return _text(value)


# --- writer --------------------------------------------------------------------------------
def _check_rate(ch: LdChannel | LdChannelSpec) -> int:
    rate = float(ch.rate_hz)
    if not (math.isfinite(rate) and rate == int(rate) and 1 <= rate <= 0xFFFF):
        raise ValueError(
            f"channel '{ch.name}': sample rate {ch.rate_hz!r} Hz cannot be stored; .ld keeps "
            "an integer rate in 1..65535 Hz per channel (resample the channel first)"
        )
    return int(rate)


def _to_f32(name: str, data: NDArray[Any], first: int = 0) -> NDArray[np.float32]:
    """``data`` as little-endian float32, or ``ValueError`` naming the channel and the first
    sample (numbered from ``first``) that is not finite as float32."""
    values = np.asarray(data)
    if values.ndim != 1:
        raise ValueError(f"channel '{name}': data must be 1-D, got shape {values.shape}")
    if values.dtype.kind not in "biuf":
        raise ValueError(f"channel '{name}': data dtype {values.dtype} is not numeric")
    with np.errstate(over="ignore"):
        f32 = values.astype("<f4")
    bad = np.flatnonzero(~np.isfinite(f32))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"channel '{name}': sample {first + i} = {values[i]!r} is not finite as float32 "
            f"({bad.size} such samples); .ld stores float32"
        )
    return f32


def _check_data(ch: LdChannel) -> NDArray[np.float32]:
    return _to_f32(ch.name, ch.data)


@dataclass(frozen=True)
class LdChannelSpec:
    """A channel header of a streamed ``.ld`` file: its samples arrive later."""

    name: str
    unit: str
    rate_hz: float
    n_samples: int
    short_name: str = ""


class LdWriter:
    """Write a ``.ld`` file whose channel samples arrive in pieces, atomically.

    The channel headers (``specs``, with every channel's final sample count) are written
    first; :meth:`write` appends samples to channel ``j``'s data block (positioned writes, so
    channels may be fed in any order and in pieces of any size); :meth:`close` checks that
    every channel received its ``n_samples`` and renames the file into place. Only the pieces
    in flight are in memory. Same layout and checks as :func:`write_ld`.
    """

    def __init__(
        self, path: str | os.PathLike[str], specs: Sequence[LdChannelSpec], meta: LdMeta
    ) -> None:
        self.path = Path(path)
        self.specs = list(specs)
        head, self._ptrs = _ld_head(self.specs, meta)
        self._written = [0] * len(self.specs)
        self._tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        self._fd: int | None = os.open(
            self._tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
        )
        try:
            os.write(self._fd, bytes(head))
        except BaseException:
            self.abort()
            raise

    def write(self, j: int, data: NDArray[Any]) -> None:
        """Append samples to channel ``j`` (physical values; stored as float32)."""
        assert self._fd is not None, "writer closed"
        spec = self.specs[j]
        f32 = _to_f32(spec.name, data, self._written[j])
        if self._written[j] + len(f32) > spec.n_samples:
            raise ValueError(
                f"channel '{spec.name}': more than the {spec.n_samples} samples announced"
            )
        raw = f32.tobytes()
        offset = self._ptrs[j] + 4 * self._written[j]
        view = memoryview(raw)
        while view:
            n = os.pwrite(self._fd, view, offset)
            view, offset = view[n:], offset + n
        self._written[j] += len(f32)

    def close(self) -> None:
        if self._fd is None:
            return
        try:
            for spec, n in zip(self.specs, self._written, strict=True):
                if n != spec.n_samples:
                    raise ValueError(
                        f"channel '{spec.name}': {n} samples written, {spec.n_samples} announced"
                    )
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


def _ld_head(specs: Sequence[LdChannelSpec], meta: LdMeta) -> tuple[bytearray, list[int]]:
    """Header, event/venue/vehicle blocks and channel headers, and each channel's data
    pointer. Raises ``ValueError`` for a bad name, rate or a file past 4 GiB."""
    seen: dict[bytes, str] = {}
    rates = []
    for ch in specs:
        if not ch.name or "\0" in ch.name:
            raise ValueError(f"channel name {ch.name!r} must be non-empty and contain no NUL")
        key = _fit(ch.name, NAME_BYTES)
        if key in seen:
            raise ValueError(
                f"channel '{ch.name}' collides with channel '{seen[key]}': both store as "
                f"{key.decode('utf-8')!r} in the {NAME_BYTES}-byte .ld name field"
            )
        seen[key] = ch.name
        rates.append(_check_rate(ch))

    n = len(specs)
    data_start = CHANNEL_META_PTR + CHANNEL_HEADER_SIZE * n
    total = data_start + sum(4 * ch.n_samples for ch in specs)
    if total > 0xFFFFFFFF:
        raise ValueError(f".ld file would be {total} bytes; its u32 pointers stop at 4 GiB")

    buf = bytearray(data_start)
    _put(
        buf,
        0,
        _HDR,
        marker=LD_MARKER,
        chan_meta_ptr=CHANNEL_META_PTR if n else 0,
        chan_data_ptr=data_start if n else 0,
        event_ptr=EVENT_PTR,
        device_serial=DEVICE_SERIAL,
        device_type=DEVICE_TYPE,
        device_version=DEVICE_VERSION,
        num_channels=n,
        date=meta.datetime.strftime(DATE_FORMAT),
        time=meta.datetime.strftime(TIME_FORMAT),
        driver=meta.driver,
        vehicle=meta.vehicle,
        venue=meta.venue,
        pro_magic=PRO_LOGGING_MAGIC,
        short_comment=meta.comment,
    )
    _put(buf, VEHICLE_PTR, _VEHICLE, id=meta.vehicle)
    _put(buf, VENUE_PTR, _VENUE, name=meta.venue, vehicle_ptr=VEHICLE_PTR)
    _put(
        buf,
        EVENT_PTR,
        _EVENT,
        name=meta.event,
        session=meta.session,
        comment=meta.comment,
        venue_ptr=VENUE_PTR,
    )

    data_ptr = data_start
    ptrs = []
    for i, (ch, rate) in enumerate(zip(specs, rates, strict=True)):
        here = CHANNEL_META_PTR + CHANNEL_HEADER_SIZE * i
        _CHAN.pack_into(
            buf,
            here,
            here - CHANNEL_HEADER_SIZE if i > 0 else 0,
            here + CHANNEL_HEADER_SIZE if i < n - 1 else 0,
            data_ptr,
            ch.n_samples,
            (CHANNEL_COUNTER_BASE + i) & 0xFFFF,
            DTYPE_FLOAT,
            4,
            rate,
            0,  # shift
            1,  # mul
            1,  # scale
            0,  # dec
            _fit(ch.name, NAME_BYTES),
            _fit(ch.short_name, SHORT_NAME_BYTES),
            _fit(ch.unit, UNIT_BYTES),
        )
        ptrs.append(data_ptr)
        data_ptr += 4 * ch.n_samples
    return buf, ptrs


def write_ld(path: str | os.PathLike[str], channels: Sequence[LdChannel], meta: LdMeta) -> None:
    """Write ``channels`` and ``meta`` to a MoTeC ``.ld`` file at ``path``, atomically.

    Samples are stored as float32 (dtype class 0x07, size 4) with identity scaling. Names,
    short names and units are truncated to 32/8/12 UTF-8 bytes. Raises ``ValueError``
    naming the channel for a rate that is not an integer in 1..65535 Hz, a name that is empty
    or contains NUL, two names equal after truncation, non-1-D or non-finite data.
    """
    prepared = []
    for ch in channels:
        if ch.name and "\0" not in ch.name:
            _check_rate(ch)
        prepared.append(_check_data(ch) if ch.name and "\0" not in ch.name else ch.data)
    specs = [
        LdChannelSpec(ch.name, ch.unit, ch.rate_hz, len(np.asarray(d)), ch.short_name)
        for ch, d in zip(channels, prepared, strict=True)
    ]
    writer = LdWriter(path, specs, meta)
    try:
        for j, data in enumerate(prepared):
            writer.write(j, data)
    except BaseException:
        writer.abort()
        raise
    writer.close()


# --- reader --------------------------------------------------------------------------------
def _sample_dtype(name: str, dtype_class: int, size: int) -> str:
    if dtype_class == DTYPE_FLOAT and size in (2, 4):
        return "<f2" if size == 2 else "<f4"
    if dtype_class in DTYPE_INT_CLASSES and size in (2, 4):
        return "<i2" if size == 2 else "<i4"
    raise ValueError(
        f"channel '{name}': unsupported sample type (class 0x{dtype_class:02X}, size {size}); "
        "supported: float16/float32 (0x07) and int16/int32 (0x00/0x03/0x05)"
    )


def _check_span(path: object, what: str, ptr: int, size: int, file_size: int) -> None:
    if ptr + size > file_size:
        raise ValueError(
            f"{path}: {what} at byte {ptr} (+{size}) runs past the end of the file "
            f"({file_size} bytes); truncated or not a .ld file"
        )


def _parse_datetime(path: object, date: str, time: str) -> _dt.datetime:
    for fmt in (f"{DATE_FORMAT} {TIME_FORMAT}", f"%d/%m/%y {TIME_FORMAT}"):
        try:
            return _dt.datetime.strptime(f"{date.strip()} {time.strip()}", fmt)
        except ValueError:
            continue
    raise ValueError(f"{path}: header date/time {date!r} {time!r} is not dd/mm/yyyy HH:MM:SS")


def read_ld(path: str | os.PathLike[str]) -> tuple[LdMeta, list[LdChannel]]:
    """Read a MoTeC ``.ld`` file: session metadata and every channel in linked-list order.

    Walks header -> event -> venue -> vehicle for the metadata (falling back to the header
    copies of vehicle/venue/comment when a pointer is 0) and the channel list from
    ``chan_meta_ptr`` along the ``next`` pointers. Samples are scaled to physical float64
    values. Raises ``ValueError`` for a bad marker, pointers outside the file, a cyclic
    channel list, an unsupported sample type or a zero ``scale``.
    """
    with open(path, "rb") as fh:
        buf = fh.read()
    size = len(buf)
    _check_span(path, "header", 0, HEADER_SIZE, size)
    marker = _get_int(buf, 0, _HDR, "marker")
    if marker != LD_MARKER:
        raise ValueError(f"{path}: header marker is 0x{marker:X}, a .ld file has 0x40")

    vehicle = _get_text(buf, 0, _HDR, "vehicle")
    venue = _get_text(buf, 0, _HDR, "venue")
    comment = _get_text(buf, 0, _HDR, "short_comment")
    event = session = ""
    event_ptr = _get_int(buf, 0, _HDR, "event_ptr")
    if event_ptr:
        _check_span(path, "event block", event_ptr, EVENT_SIZE, size)
        event = _get_text(buf, event_ptr, _EVENT, "name")
        session = _get_text(buf, event_ptr, _EVENT, "session")
        comment = _get_text(buf, event_ptr, _EVENT, "comment") or comment
        venue_ptr = _get_int(buf, event_ptr, _EVENT, "venue_ptr")
        if venue_ptr:
            _check_span(path, "venue block", venue_ptr, VENUE_SIZE, size)
            venue = _get_text(buf, venue_ptr, _VENUE, "name") or venue
            vehicle_ptr = _get_int(buf, venue_ptr, _VENUE, "vehicle_ptr")
            if vehicle_ptr:
                _check_span(path, "vehicle block", vehicle_ptr, VEHICLE_SIZE, size)
                vehicle = _get_text(buf, vehicle_ptr, _VEHICLE, "id") or vehicle
    meta = LdMeta(
        driver=_get_text(buf, 0, _HDR, "driver"),
        vehicle=vehicle,
        venue=venue,
        event=event,
        session=session,
        comment=comment,
        datetime=_parse_datetime(
            path, _get_text(buf, 0, _HDR, "date"), _get_text(buf, 0, _HDR, "time")
        ),
    )

    channels: list[LdChannel] = []
    visited: set[int] = set()
    ptr = _get_int(buf, 0, _HDR, "chan_meta_ptr")
    while ptr:
        if ptr in visited:
            raise ValueError(f"{path}: channel list loops back to byte {ptr}")
        visited.add(ptr)
        _check_span(path, "channel header", ptr, CHANNEL_HEADER_SIZE, size)
        (_, nxt, data_ptr, n, _, dclass, dsize, rate, shift, mul, scale, dec, raw_name, raw_short,
         raw_unit) = _CHAN.unpack_from(buf, ptr)  # fmt: skip
        name = _text(raw_name)
        dtype = _sample_dtype(name, dclass, dsize)
        _check_span(path, f"data of channel '{name}'", data_ptr, n * dsize, size)
        if scale == 0:
            raise ValueError(f"{path}: channel '{name}' has scale 0 (division by zero)")
        if abs(dec) > 300:
            raise ValueError(f"{path}: channel '{name}' has dec {dec}; 10**-dec overflows")
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf samples stay as they are
            raw = np.frombuffer(buf, dtype=dtype, count=n, offset=data_ptr).astype(np.float64)
            physical = (raw / scale * 10.0 ** (-dec) + shift) * mul
        channels.append(
            LdChannel(
                name=name,
                unit=_text(raw_unit),
                rate_hz=float(rate),
                data=physical,
                short_name=_text(raw_short),
            )
        )
        ptr = nxt
    return meta, channels


# --- .ldx sidecar --------------------------------------------------------------------------
def write_ldx(path: str | os.PathLike[str], markers: Sequence[tuple[str, float]]) -> None:
    """Write the ``.ldx`` XML sidecar with one beacon marker per ``(name, time_s)``, atomically.

    Layout (ecosystem.md §1): ``LDXFile/Layers/Layer/MarkerBlock/MarkerGroup[@Name=Beacons]/
    Marker[@ClassName=BCN]`` with ``Time`` in microseconds (written with 15 significant
    digits), then ``Layers/Details/String`` entries. Laps are counted as beacons crossed: lap k
    runs from beacon k-1 (or t = 0) to beacon k; ``Fastest Time`` is ``m:ss.sss``. Raises
    ``ValueError`` for a negative or non-finite time, or times out of order.
    """
    previous = 0.0
    laps: list[float] = []
    for name, time_s in markers:
        t = float(time_s)
        if not math.isfinite(t) or t < previous:
            raise ValueError(
                f"marker '{name}': time {time_s!r} s must be finite, >= 0 and not before the "
                f"previous marker ({previous} s)"
            )
        laps.append(t - previous)
        previous = t

    root = ET.Element("LDXFile", Version="1.6")
    layers = ET.SubElement(root, "Layers")
    layer = ET.SubElement(layers, "Layer")
    block = ET.SubElement(layer, "MarkerBlock")
    group = ET.SubElement(block, "MarkerGroup", Name="Beacons")
    for name, time_s in markers:
        ET.SubElement(
            group,
            "Marker",
            Version="100",
            ClassName="BCN",
            Name=name,
            Flags="77",
            Time=format(float(time_s) * 1e6, ".15g"),
        )
    details = ET.SubElement(layers, "Details")
    ET.SubElement(details, "String", Id="Total Laps", Value=str(len(laps)))
    if laps:
        best = min(range(len(laps)), key=laps.__getitem__)
        minutes, seconds = divmod(laps[best], 60.0)
        ET.SubElement(details, "String", Id="Fastest Time", Value=f"{int(minutes)}:{seconds:06.3f}")
        ET.SubElement(details, "String", Id="Fastest Lap", Value=str(best + 1))
    ET.indent(root)
    atomic_write_bytes(path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


# --- raidsim table -> .ld ------------------------------------------------------------------
# raidsim unit suffixes (every name carries its unit: speed_mps, torque_Nm) and the unit
# text MoTeC shows for them.
_SUFFIX_UNITS: dict[str, str] = {
    "s": "s",
    "m": "m",
    "km": "km",
    "mps": "m/s",
    "kmh": "km/h",
    "mps2": "m/s^2",
    "rpm": "rpm",
    "Nm": "N m",
    "N": "N",
    "kg": "kg",
    "W": "W",
    "kW": "kW",
    "J": "J",
    "Pa": "Pa",
    "kPa": "kPa",
    "bar": "bar",
    "C": "C",
    "K": "K",
    "rad": "rad",
    "radps": "rad/s",
    "deg": "deg",
    "degps": "deg/s",
    "L": "L",
    "Lph": "L/h",
    "V": "V",
    "A": "A",
    "pct": "%",
    "1pm": "1/m",
}


def motec_channel_name(channel: str, unit: str = "") -> str:
    """MoTeC display name for a raidsim channel: drop the unit suffix, words title-cased.

    The last ``_``-separated token is dropped when it is a known raidsim unit suffix or equals
    ``unit``; each remaining word gets an upper-case first letter (``engine_speed_rpm`` ->
    ``Engine Speed``, ``halfshaft_torque_fl_Nm`` -> ``Halfshaft Torque Fl``). The result is
    cut to the 32-byte name field.
    """
    words = [w for w in channel.split("_") if w]
    if len(words) > 1 and (words[-1] in _SUFFIX_UNITS or (unit and words[-1] == unit)):
        words = words[:-1]
    title = " ".join(w[:1].upper() + w[1:] for w in words) or channel
    return _fit(title, NAME_BYTES).decode("utf-8")


def motec_short_name(channel: str) -> str:
    """An i2 short name (8 bytes): the first two letters of up to three words of the
    channel name without its unit suffix, plus the wheel in capitals
    (``halfshaft_torque_peak_fl_Nm`` -> ``HaToPeFL``, ``engine_speed_rpm`` -> ``EnSp``)."""
    words = [w for w in channel.split("_") if w]
    if len(words) > 1 and words[-1] in _SUFFIX_UNITS:
        words = words[:-1]
    wheel = words[-1].upper() if len(words) > 1 and words[-1] in ("fl", "fr", "rl", "rr") else ""
    core = words[:-1] if wheel else words
    short = "".join(w[:2].capitalize() for w in core[:3]) + wheel
    return _fit(short or channel, SHORT_NAME_BYTES).decode("utf-8")


def export_ld(
    path: str | os.PathLike[str],
    table: Mapping[str, NDArray[np.generic]],
    units: Mapping[str, str],
    rate_hz: float,
    meta: LdMeta,
) -> None:
    """Write a raidsim telemetry table (all channels at ``rate_hz``) as a MoTeC ``.ld`` file.

    ``time_s`` is skipped (MoTeC has no time column; t = i / rate), after checking that it
    starts at 0 and steps by ``1 / rate_hz``. Names come from :func:`motec_channel_name`;
    units from ``units[name]``, else from the name's suffix, else empty. Raises
    ``ValueError`` when two channels map to the same MoTeC name, lengths differ, ``time_s``
    does not match the rate, or :func:`write_ld` rejects the data.
    """
    channels: list[LdChannel] = []
    lengths = {name: len(np.asarray(values)) for name, values in table.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"telemetry channels differ in length: {lengths}")
    time = table.get("time_s")
    rate = float(rate_hz)
    if time is not None and len(time) > 0 and math.isfinite(rate) and rate > 0:
        expected = np.arange(len(time)) / rate
        if not np.allclose(time, expected, rtol=1e-9, atol=1e-6 / rate):
            raise ValueError(
                f"time_s is not uniform from 0 at {rate_hz} Hz; resample the table to a "
                "uniform rate before exporting to .ld (MoTeC stores t = i / rate)"
            )
    for name, values in table.items():
        if name == "time_s":
            continue
        suffix = name.rsplit("_", 1)[-1] if "_" in name else ""
        unit = units.get(name, _SUFFIX_UNITS.get(suffix, ""))
        channels.append(
            LdChannel(
                name=motec_channel_name(name, unit),
                unit=unit,
                rate_hz=rate_hz,
                data=np.asarray(values),
                short_name=motec_short_name(name),
            )
        )
    # write_ld reports collisions by MoTeC name; add the raidsim names for the user.
    source: dict[str, str] = {}
    for raidsim_name, ch in zip((k for k in table if k != "time_s"), channels, strict=True):
        if ch.name in source:
            raise ValueError(
                f"channels '{source[ch.name]}' and '{raidsim_name}' both map to MoTeC name "
                f"'{ch.name}'; rename one of them"
            )
        source[ch.name] = raidsim_name
    write_ld(path, channels, meta)
