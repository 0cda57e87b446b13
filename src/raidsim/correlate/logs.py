"""Read logged runs (AiM CSV, plain CSV, Parquet, MoTeC .ld) into SI channels with our names.

A log's channels are renamed by a **channel map**: for each of our channel names a list of
log names to look for, first match wins (:data:`DEFAULT_CHANNEL_MAP`; a TOML file with a
``[channels]`` table adds or overrides entries, e.g. ``speed_mps = ["Wheel Speed"]``).
Values are converted to SI by the unit the log gives for the channel (:data:`UNIT_TO_SI`:
km/h -> m/s, % -> fraction, K -> deg C ...); a unit we do not know for that quantity is
an error, never a silent 1:1.

Formats (picked by suffix, then by content):

* **AiM RaceStudio CSV** (docs/design.md "AiM RaceStudio CSV"): key/value header rows starting with
  ``"Format","AiM CSV File"``, a blank line, the channel-name row (first cell ``Time``), the
  units row, optional blank line, then data. ``;`` separators with ``,`` decimals are read.
* **plain CSV**: channel-name row, units row, data (our :func:`raidsim.io.csv_export.write_csv`
  layout and most loggers' "export with units").
* **Parquet**: one column per channel; units from the field metadata ``unit`` (as our own
  telemetry writes them) or the schema metadata ``raidsim.units``.
* **MoTeC .ld** through :func:`raidsim.io.motec.read_ld`; channels at other rates are
  interpolated onto the time base of the fastest channel.

Missing required channels or a broken header raise :class:`LogError` naming the file and
what is missing (the CLI exits with code 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import NDArray

from raidsim.errors import LogError as LogError  # re-exported: raised here
from raidsim.errors import LogWarning as LogWarning  # re-exported: raised here
from raidsim.units import KMH_PER_MPS

F64 = NDArray[np.float64]


#: our channel name -> log names tried in order (case-insensitive)
DEFAULT_CHANNEL_MAP: dict[str, list[str]] = {
    "time_s": ["Time", "time_s", "Time [s]", "t"],
    "speed_mps": ["Speed", "GPS Speed", "Vehicle Speed", "speed_mps", "Ground Speed"],
    "lat_deg": ["GPS Latitude", "Latitude", "lat", "lat_deg"],
    "lon_deg": ["GPS Longitude", "Longitude", "lon", "lon_deg"],
    "altitude_m": ["GPS Altitude", "Altitude", "altitude_m"],
    "engine_speed_rpm": ["RPM", "Engine Speed", "engine_speed_rpm"],
    "gear": ["Gear", "nGear", "gear"],
    "throttle": ["Throttle", "TPS", "Throttle Pos", "throttle"],
    "coolant_temp_C": ["Water Temp", "Coolant Temp", "coolant_temp_C"],
    "distance_m": ["Distance", "Distance on GPS Speed", "distance_m"],
    "fuel_used_L": ["Fuel Used", "fuel_used_L"],
}

#: quantity of each of our channels, which selects the unit table
QUANTITY: dict[str, str] = {
    "time_s": "time",
    "speed_mps": "speed",
    "lat_deg": "angle",
    "lon_deg": "angle",
    "altitude_m": "length",
    "engine_speed_rpm": "rotation",
    "gear": "count",
    "throttle": "fraction",
    "coolant_temp_C": "temperature",
    "distance_m": "length",
    "fuel_used_L": "volume",
}

#: per quantity: unit as logged (lower case) -> (scale, offset) with SI = value * scale + offset
UNIT_TO_SI: dict[str, dict[str, tuple[float, float]]] = {
    "time": {"s": (1.0, 0.0), "sec": (1.0, 0.0), "ms": (1e-3, 0.0), "": (1.0, 0.0)},
    "speed": {
        "m/s": (1.0, 0.0),
        "km/h": (1 / KMH_PER_MPS, 0.0),
        "kph": (1 / KMH_PER_MPS, 0.0),
        "kmh": (1 / KMH_PER_MPS, 0.0),
        "mph": (0.44704, 0.0),
        "kn": (1852 / 3600, 0.0),
        "knots": (1852 / 3600, 0.0),
    },
    "angle": {"deg": (1.0, 0.0), "°": (1.0, 0.0), "degrees": (1.0, 0.0), "": (1.0, 0.0)},
    "length": {"m": (1.0, 0.0), "km": (1000.0, 0.0), "ft": (0.3048, 0.0), "mi": (1609.344, 0.0)},
    "rotation": {"rpm": (1.0, 0.0), "1/min": (1.0, 0.0), "rad/s": (60 / (2 * np.pi), 0.0)},
    "count": {
        "": (1.0, 0.0),
        "#": (1.0, 0.0),
        "-": (1.0, 0.0),
        "gear": (1.0, 0.0),
        "1": (1.0, 0.0),
    },
    "fraction": {"%": (0.01, 0.0), "": (1.0, 0.0), "-": (1.0, 0.0), "1": (1.0, 0.0)},
    "temperature": {
        "c": (1.0, 0.0),
        "°c": (1.0, 0.0),
        "degc": (1.0, 0.0),
        "k": (1.0, -273.15),
        "f": (5 / 9, -32 * 5 / 9),
        "°f": (5 / 9, -32 * 5 / 9),
    },
    "volume": {"l": (1.0, 0.0), "ml": (1e-3, 0.0), "gal": (3.785411784, 0.0)},
}

#: per channel, the range (SI) a logged value may take: beyond it the value is a logger
#: fault or a unit mistake, refused with the file, the line and the value (an empty cell is
#: a gap, NaN, and passes). Bounds: a car on the ground (speed under 150 m/s = 540 km/h,
#: engine under 20,000 rpm), the Earth's coordinates and heights, a fraction with a little
#: sensor overshoot.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "time_s": (-1e7, 1e7),
    "speed_mps": (-1.0, 150.0),
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 180.0),
    "altitude_m": (-500.0, 9000.0),
    "engine_speed_rpm": (-100.0, 20000.0),
    "gear": (-1.0, 12.0),
    "throttle": (-0.1, 1.2),
    "coolant_temp_C": (-60.0, 200.0),
    "distance_m": (-1e4, 1e7),
    "fuel_used_L": (-10.0, 2000.0),
}
#: the data-row line numbers of a CSV log (a column of :data:`RawTable`'s values, removed
#: by :func:`read_log`; other formats count rows)
LINE_COLUMN = "\x00line"

#: channels every log needs; GPS is needed in addition when no stage is given
REQUIRED = ("time_s", "speed_mps")
GPS = ("lat_deg", "lon_deg")


@dataclass
class LoggedRun:
    """A logged run in SI with our channel names, uniformly or non-uniformly sampled.

    ``channels`` holds float64 arrays of equal length (``time_s`` starts wherever the log
    starts: no offset is removed here). ``header`` is the log's own metadata (AiM key/value
    rows, .ld session fields, Parquet metadata). ``sha256`` identifies the file.
    """

    source: Path
    channels: dict[str, F64]
    units_in_log: dict[str, str]
    log_names: dict[str, str]
    header: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    columns: tuple[str, ...] = ()

    def has(self, *names: str) -> bool:
        return all(n in self.channels for n in names)

    def require(self, names: Iterable[str], why: str = "") -> None:
        """Raise :class:`LogError` naming every channel in ``names`` the log lacks."""
        missing = [n for n in names if n not in self.channels]
        if missing:
            looked = "; ".join(
                f"{n}: {', '.join(DEFAULT_CHANNEL_MAP.get(n, [n]))}" for n in missing
            )
            raise LogError(
                f"{self.source}: missing channel(s) {', '.join(missing)}{why} "
                f"(looked for {looked}; map other names with --channel-map FILE.toml)"
            )

    def provenance(self) -> dict[str, str]:
        """File name, hash and date recorded in derived presets."""
        date = self.header.get("Date", "")
        time = self.header.get("Time", "")
        return {
            "log_file": self.source.name,
            "log_sha256": self.sha256,
            "log_date": f"{date} {time}".strip(),
            "fitted_on": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


def load_channel_map(path: Path | str | None) -> dict[str, list[str]]:
    """The default map, updated by a TOML file's ``[channels]`` table (our name -> log name
    or list of log names, tried before the defaults)."""
    mapping = {k: list(v) for k, v in DEFAULT_CHANNEL_MAP.items()}
    if path is None:
        return mapping
    for ours, names in user_channels(path).items():
        mapping[ours] = list(names) + [n for n in mapping[ours] if n not in names]
    return mapping


def check_channel_map(path: Path | str | None, run: LoggedRun) -> None:
    """Every channel a channel map names is a column of the log (a LogError naming the map,
    the entry and the log's columns otherwise: a misspelt name is never ignored)."""
    if path is None:
        return
    for ours, names in user_channels(path).items():
        found = run.log_names.get(ours)
        if found is None or found.lower() not in {n.lower() for n in names}:
            cols = ", ".join(sorted(run.columns)) or "none"
            raise LogError(
                f"{path}: channels.{ours} = {names[0] if len(names) == 1 else names!r}: no such "
                f"column in {run.source} (its columns: {cols})"
            )


def user_channels(path: Path | str) -> dict[str, list[str]]:
    """A channel map file's ``[channels]`` table: our name -> log names (LogError naming the
    file and the entry for anything else)."""
    p = Path(path)
    if p.is_dir():
        raise LogError(f"channel map {p}: is a directory; give the TOML file")
    if not p.is_file():
        raise LogError(f"channel map not found: {p}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LogError(f"{p}: not valid TOML ({exc})") from exc
    table = data.get("channels")
    out: dict[str, list[str]] = {}
    if not isinstance(table, dict):
        raise LogError(f'{p}: needs a [channels] table (our_name = "Log Name" or [...])')
    for ours, names in table.items():
        if ours not in QUANTITY:
            raise LogError(
                f"{p}: channels.{ours} is not one of our channels ({', '.join(QUANTITY)})"
            )
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LogError(f"{p}: channels.{ours} = {names!r} must be a string or list of strings")
        out[ours] = list(names)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------- raw tables
RawTable = tuple[dict[str, F64], dict[str, str], dict[str, str]]  # values, units, header


def _number(cell: str, decimal_comma: bool) -> float:
    c = cell.strip()
    if c == "":
        return float("nan")
    if decimal_comma:
        c = c.replace(",", ".")
    return float(c)


def _rows(path: Path) -> tuple[list[list[str]], bool]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LogError(f"{path}: not a UTF-8 text file ({exc})") from exc
    first = text.split("\n", 1)[0]
    semicolon = first.count(";") > first.count(",")
    rows = list(csv.reader(text.splitlines(), delimiter=";" if semicolon else ","))
    return rows, semicolon


def _table(
    path: Path, names: list[str], units: list[str], data: list[list[str]], line0: int, dc: bool
) -> dict[str, F64]:
    names = [n.strip() for n in names]
    if not names or any(n == "" for n in names):
        raise LogError(f"{path}: line {line0 - 1}: channel-name row has an empty name")
    if len(units) != len(names):
        raise LogError(
            f"{path}: units row has {len(units)} fields, the channel-name row {len(names)} "
            "(broken header)"
        )
    if len(set(names)) != len(names):
        raise LogError(f"{path}: duplicate channel names in the header row")
    cols: list[list[float]] = [[] for _ in names]
    lines: list[float] = []
    for k, row in enumerate(data):
        if not any(c.strip() for c in row):
            continue
        lines.append(line0 + k)
        if len(row) != len(names):
            raise LogError(
                f"{path}: line {line0 + k}: {len(row)} fields, the header has {len(names)}"
            )
        try:
            for j, cell in enumerate(row):
                cols[j].append(_number(cell, dc))
        except ValueError as exc:
            raise LogError(f"{path}: line {line0 + k}: not a number ({exc})") from exc
    if not cols[0]:
        raise LogError(f"{path}: no data rows after the header")
    table = {n: np.asarray(c, dtype=np.float64) for n, c in zip(names, cols, strict=True)}
    table[LINE_COLUMN] = np.asarray(lines, dtype=np.float64)
    return table


def _is_names_row(row: list[str]) -> bool:
    return row[0].strip() == "Time" and len(row) > 2


def read_aim_csv(path: Path) -> RawTable:
    """AiM RaceStudio CSV: key/value header, blank, names, units, [blank], data."""
    rows, dc = _rows(path)
    header: dict[str, str] = {}
    i = 0
    # header rows run to the first blank line ("Time" is also a header key: time of day)
    while i < len(rows) and any(c.strip() for c in rows[i]) and not _is_names_row(rows[i]):
        header[rows[i][0].strip()] = ",".join(c.strip() for c in rows[i][1:])
        i += 1
    while i < len(rows) and not any(c.strip() for c in rows[i]):
        i += 1
    if i >= len(rows):
        raise LogError(f"{path}: AiM header has no channel-name row (a row starting with 'Time')")
    names = rows[i]
    if names[0].strip() != "Time":
        raise LogError(
            f"{path}: line {i + 1}: expected the AiM channel-name row starting with 'Time', "
            f"got {names[0]!r} (broken header)"
        )
    if i + 1 >= len(rows):
        raise LogError(f"{path}: AiM header has no units row after the channel names")
    units = rows[i + 1]
    values = _table(path, names, units, rows[i + 2 :], i + 3, dc)
    return (
        values,
        dict(zip([n.strip() for n in names], [u.strip() for u in units], strict=True)),
        header,
    )


def read_plain_csv(path: Path) -> RawTable:
    """Channel-name row, units row, data."""
    rows, dc = _rows(path)
    rows_nb = [r for r in rows if any(c.strip() for c in r)]
    if len(rows_nb) < 2:
        raise LogError(f"{path}: expected a channel-name row and a units row (broken header)")
    names, units = rows_nb[0], rows_nb[1]
    first_data = [i for i, r in enumerate(rows) if any(c.strip() for c in r)][2:3]
    try:
        [float(u) for u in units if u.strip()]
        numeric_units = any(u.strip() for u in units)
    except ValueError:
        numeric_units = False
    if numeric_units:
        raise LogError(f"{path}: line 2 holds numbers, expected the units row (broken header)")
    start = first_data[0] if first_data else len(rows)
    values = _table(path, names, units, rows[start:], start + 1, dc)
    return (
        values,
        dict(zip([n.strip() for n in names], [u.strip() for u in units], strict=True)),
        {},
    )


def read_parquet(path: Path, wanted: Iterable[str] | None = None) -> RawTable:
    """Columns whose name is in ``wanted`` (case-insensitive; None: all). A channel stored
    below the file's sample rate (raidsim telemetry: null between its samples) is
    interpolated onto the time base, as .ld channels are."""
    try:
        names = pq.read_schema(path).names
        low = None if wanted is None else {w.lower() for w in wanted} | {"time_s", "time"}
        columns = names if low is None else [n for n in names if n.lower() in low]
        table = pq.read_table(path, columns=columns)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise LogError(f"{path}: not a readable Parquet file ({exc})") from exc
    meta = table.schema.metadata or {}
    units: dict[str, str] = {}
    if b"raidsim.units" in meta:
        units.update(json.loads(meta[b"raidsim.units"]))
    for f in table.schema:
        if f.metadata and b"unit" in f.metadata:
            units[f.name] = f.metadata[b"unit"].decode()
    values = {
        name: np.asarray(table.column(name).to_numpy(), dtype=np.float64)
        for name in table.column_names
    }
    time_name = next((n for n in table.column_names if n.lower() in ("time_s", "time")), None)
    if time_name is not None:
        t = values[time_name]
        for name in table.column_names:
            if name != time_name and table.column(name).null_count:
                ok = ~np.isnan(values[name])
                if ok.sum() >= 2:
                    values[name] = np.interp(t, t[ok], values[name][ok])
    header = {k.decode(): v.decode()[:200] for k, v in meta.items() if k != b"raidsim.units"}
    return values, units, header


def read_motec(path: Path) -> RawTable:
    from raidsim.io.motec import read_ld

    try:
        meta, chans = read_ld(path)
    except (ValueError, OSError) as exc:
        raise LogError(f"{path}: not a readable MoTeC .ld file ({exc})") from exc
    if not chans:
        raise LogError(f"{path}: the .ld file holds no channels")
    fastest = max(chans, key=lambda c: c.rate_hz)
    n = len(fastest.data)
    t = np.arange(n) / fastest.rate_hz
    values: dict[str, F64] = {"Time": t}
    units: dict[str, str] = {"Time": "s"}
    for c in chans:
        tc = np.arange(len(c.data)) / c.rate_hz
        values[c.name] = np.interp(t, tc, c.data)
        units[c.name] = c.unit
    header = {
        "Date": meta.datetime.date().isoformat(),
        "Time": meta.datetime.time().isoformat(),
        "Vehicle": meta.vehicle,
        "Racer": meta.driver,
        "Venue": meta.venue,
    }
    return values, units, header


def read_raw(path: Path, wanted: Iterable[str] | None = None) -> RawTable:
    """The log's channels (``wanted``: the names a channel map looks for; Parquet reads
    only those columns)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(path, wanted)
    if suffix == ".ld":
        return read_motec(path)
    if suffix in {".csv", ".txt"}:
        rows, _ = _rows(path)
        first = rows[0][0].strip() if rows and rows[0] else ""
        if first == "Format":
            return read_aim_csv(path)
        return read_plain_csv(path)
    raise LogError(f"{path}: unknown log format '{suffix}' (expected .csv, .parquet or .ld)")


def to_si(path: Path, ours: str, log_name: str, values: F64, unit: str) -> F64:
    """Convert one channel by its logged unit; an unknown unit is a :class:`LogError`."""
    table = UNIT_TO_SI[QUANTITY[ours]]
    key = unit.strip().lower()
    if key not in table:
        raise LogError(
            f"{path}: channel '{log_name}' (-> {ours}) has unit {unit!r}; known units: "
            f"{', '.join(repr(u) for u in table)}"
        )
    scale, offset = table[key]
    return np.asarray(values * scale + offset, dtype=np.float64)


@dataclass(frozen=True)
class _Where:
    """Where a log's data row ``i`` is, for messages: its CSV line, else its row number."""

    path: Path
    lines: F64 | None

    def __call__(self, i: int) -> str:
        if self.lines is not None and i < len(self.lines):
            return f"{self.path}: line {int(self.lines[i])}"
        return f"{self.path}: row {i + 1}"


def _check_values(where: _Where, ours: str, name: str, raw: F64, si: F64, unit: str) -> None:
    """Every value of a channel finite (or an empty cell) and within :data:`PLAUSIBLE`."""
    low, high = PLAUSIBLE[ours]
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isinf(si) | (si < low) | (si > high))
    if len(bad):
        i = int(bad[0])
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise LogError(
            f"{where(i)}: column '{name}' (-> {ours}) = {float(raw[i])!r} {unit}".rstrip()
            + f" is not allowed{more}: {ours} must be between {low:g} and {high:g} (SI); "
            "a logger fault or a wrong unit in the units row"
        )


def _in_time_order(where: _Where, channels: dict[str, F64], time_name: str) -> dict[str, F64]:
    """The rows with a time, in the log's order, whole repeats dropped (warned); time that
    goes back or one time with two different rows is a LogError naming the line."""
    t = channels["time_s"]
    rows = np.flatnonzero(np.isfinite(t))
    cols = {k: v[rows] for k, v in channels.items()}
    tt = cols["time_s"]
    step = np.diff(tt)
    back = np.flatnonzero(step < 0)
    if len(back):
        i = int(back[0]) + 1
        raise LogError(
            f"{where(int(rows[i]))}: column '{time_name}' goes back from {float(tt[i - 1])!r} to "
            f"{float(tt[i])!r} s ({len(back)} such step(s)); a log's time must not decrease: sort "
            "the rows by time or fix the logger's clock"
        )
    same = np.flatnonzero(step == 0) + 1
    if len(same) == 0:
        return cols
    stacked = np.column_stack(list(cols.values()))
    a, b = stacked[same], stacked[same - 1]
    equal = np.all((a == b) | (np.isnan(a) & np.isnan(b)), axis=1)
    if not equal.all():
        i = int(same[np.flatnonzero(~equal)[0]])
        raise LogError(
            f"{where(int(rows[i]))}: time {float(tt[i])!r} s again, with other values than "
            "the line before; a log holds one row per time"
        )
    warnings.warn(
        f"{where.path}: {len(same)} repeated row(s) (the same time and values as the row "
        "before) dropped",
        LogWarning,
        stacklevel=3,
    )
    keep = np.ones(len(tt), dtype=bool)
    keep[same] = False
    return {k: v[keep] for k, v in cols.items()}


def read_log(
    path: Path | str,
    channel_map: Mapping[str, list[str]] | None = None,
    required: Iterable[str] = REQUIRED,
) -> LoggedRun:
    """Read ``path`` and map its channels to ours in SI (see the module docstring).

    Samples with an empty time cell are dropped, and so are rows repeated whole (with a
    warning saying how many). A value beyond :data:`PLAUSIBLE` (1e308, a unit mistake), time
    that goes back, or two different rows at one time are a :class:`LogError` naming the
    file, the line (CSV; the row otherwise), the column and the value.
    """
    p = Path(path)
    if p.is_dir():
        raise LogError(f"{p}: is a directory; give the log file (.csv, .parquet or .ld)")
    if not p.is_file():
        raise LogError(f"log file not found: {p}")
    mapping = channel_map or DEFAULT_CHANNEL_MAP
    raw, units, header = read_raw(p, [c for names in mapping.values() for c in names])
    lines = raw.pop(LINE_COLUMN, None)
    where = _Where(p, lines)
    by_lower = {k.lower(): k for k in raw}
    channels: dict[str, F64] = {}
    log_units: dict[str, str] = {}
    log_names: dict[str, str] = {}
    for ours, candidates in mapping.items():
        for cand in candidates:
            name = by_lower.get(cand.lower())
            if name is None:
                continue
            unit = units.get(name, "")
            channels[ours] = to_si(p, ours, name, raw[name], unit)
            _check_values(where, ours, name, raw[name], channels[ours], unit)
            log_units[ours] = unit
            log_names[ours] = name
            break
    run = LoggedRun(p, channels, log_units, log_names, header, _sha256(p), tuple(raw))
    run.require(required)
    run.channels = _in_time_order(where, run.channels, log_names.get("time_s", "time"))
    if len(run.channels["time_s"]) < 10:
        raise LogError(f"{p}: only {len(run.channels['time_s'])} samples; at least 10 needed")
    return run
