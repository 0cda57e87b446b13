"""Load a run directory written by ``raidsim run`` and export its telemetry, in bounded memory.

A run directory holds ``telemetry.parquet`` (the compact layout of
:mod:`raidsim.io.telemetry`: per-channel rates and dtypes, units and rates in the schema
metadata) and ``summary.json`` (see :func:`raidsim.sim.runner.simulate`).

* :func:`load_run` reads the summary and the telemetry's metadata into a :class:`RunData`;
  ``RunData.telemetry`` loads the whole frame only when asked, ``RunData.source`` streams it.
* :func:`save_run` writes a table in the same layout (for runs made in Python, tests, fixtures).
* :func:`export_run` writes the *full-rate, undecimated* telemetry as Parquet (a byte copy),
  CSV (:func:`raidsim.io.csv_export.write_csv_stream`, name row + units row) or MoTeC ``.ld``
  (:class:`raidsim.io.motec.LdWriter`, every channel at its own rate) with a ``.ldx`` beacon
  per waypoint when the run has waypoints. CSV and ``.ld`` stream one row batch at a time.
* :func:`waypoint_markers`, :func:`time_at_distance` and :class:`DistanceClock` place
  waypoints and splits in time (the clock streams).

Waypoints come from ``summary["waypoints"]`` (a list of ``{"km", "kind", "name"}``) when the
summary has them, else from the shipped stage definition named ``summary["stage"]`` (a stage
run from a user file of another name has none). Only waypoints the car reached are used.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.errors import RunError as RunError  # re-exported: raised here
from raidsim.io.csv_export import write_csv_stream
from raidsim.io.formats import PARTIAL_TELEMETRY_FILE, STOPPED_FILE, ExportFormat
from raidsim.io.motec import (
    _SUFFIX_UNITS,
    LdChannelSpec,
    LdMeta,
    LdWriter,
    motec_channel_name,
    motec_short_name,
    write_ldx,
)
from raidsim.io.summary import upgrade_json
from raidsim.io.telemetry import (
    ChannelFormat,
    FrameTelemetry,
    TelemetryFile,
    TelemetrySource,
    channel_stride,
    column_values,
    rate_from_time,
    units_from_schema,
    write_telemetry_table,
)

__all__ = [
    "TELEMETRY_FILE",
    "SUMMARY_FILE",
    "DistanceClock",
    "ExportFormat",
    "RunData",
    "RunError",
    "RunLike",
    "WaypointMarker",
    "export_run",
    "load_run",
    "sample_rate_hz",
    "save_run",
    "stopped_note",
    "telemetry_source",
    "time_at_distance",
    "waypoint_markers",
]

TELEMETRY_FILE = "telemetry.parquet"
SUMMARY_FILE = "summary.json"
UNITS_KEY = b"raidsim.units"

# A waypoint this far beyond the last recorded distance still counts as reached: the stage
# ends when the CG is within a metre or so of the route end, not exactly on it.
END_TOLERANCE_M = 10.0

F64 = NDArray[np.float64]


class RunLike(Protocol):
    """What the report needs from a run: :class:`RunData` and ``raidsim.simulate``'s ``Run``
    (both also offer ``source``, the streaming view; see :func:`telemetry_source`)."""

    @property
    def telemetry(self) -> pl.DataFrame: ...

    @property
    def summary(self) -> Mapping[str, Any]: ...

    @property
    def units(self) -> dict[str, str]: ...


def telemetry_source(run: RunLike) -> TelemetrySource:
    """The run's telemetry as a streaming source: its file when it has one (``source``),
    else its in-memory frame."""
    source = getattr(run, "source", None)
    if source is not None:
        return source  # type: ignore[no-any-return]
    return FrameTelemetry(run.telemetry, run.units)


@dataclass(frozen=True, eq=False)
class RunData:
    """A run read back from disk: the summary and the telemetry file's metadata.

    ``telemetry`` (the whole frame, full rate, slow channels null between their samples) is
    read on first access; streaming consumers use ``source`` instead. ``units`` and
    ``rates_hz`` map column -> unit and -> stored sample rate.
    """

    dir: Path
    source: TelemetrySource
    summary: dict[str, Any]
    units: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The run directory's name (used as the label in reports)."""
        return self.dir.name

    @functools.cached_property
    def telemetry(self) -> pl.DataFrame:
        return self.source.frame()

    @property
    def rates_hz(self) -> dict[str, float]:
        return self.source.rates_hz

    @property
    def sample_rate_hz(self) -> float:
        """The rate of the sample grid (``time_s``)."""
        return self.source.sample_rate_hz

    def channel(self, name: str) -> pl.DataFrame:
        """``time_s`` and one channel at the channel's own rate (its samples only)."""
        if name not in self.source.columns:
            raise RunError(f"{self.dir}: no channel '{name}' in {TELEMETRY_FILE}")
        if isinstance(self.source, TelemetryFile):
            return self.source.channel(name)
        cols = ["time_s", name] if name != "time_s" else ["time_s"]
        return self.source.frame(cols).filter(pl.col(name).is_not_null())


@dataclass(frozen=True)
class WaypointMarker:
    """A roadbook waypoint at ``distance_m`` along the route (``kind`` WPV, DSS, ...)."""

    name: str
    kind: str
    distance_m: float


# --- load / save ---------------------------------------------------------------------------
def _units_from_schema(schema: pa.Schema) -> dict[str, str]:
    return units_from_schema(schema)


def load_run(path: str | os.PathLike[str]) -> RunData:
    """Read a run directory (or its ``telemetry.parquet``): summary, units and a lazy view
    of the telemetry (nothing but the file's footer is read here).

    Raises :class:`RunError` naming the file when the directory or ``telemetry.parquet`` is
    missing or unreadable, or ``summary.json`` is not a JSON object. A missing
    ``summary.json`` gives an empty summary (telemetry alone is still useful).
    """
    p = Path(path)
    run_dir = p.parent if p.is_file() and p.suffix == ".parquet" else p
    tel_path = p if p.is_file() and p.suffix == ".parquet" else p / TELEMETRY_FILE
    if not run_dir.exists():
        raise RunError(f"run directory not found: {run_dir}")
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: is a file, not a run directory (give the directory)")
    stopped: dict[str, Any] | None = None
    if not tel_path.is_file() and (run_dir / PARTIAL_TELEMETRY_FILE).is_file():
        # a run that stopped before the finish: its telemetry up to the stop
        tel_path = run_dir / PARTIAL_TELEMETRY_FILE
        stopped = _read_json_object(run_dir / STOPPED_FILE, missing_ok=True) or {}
    if not tel_path.is_file():
        raise RunError(
            f"{tel_path} not found; a run directory holds {TELEMETRY_FILE} and {SUMMARY_FILE} "
            "(write one with `raidsim run --out DIR`)"
        )
    try:
        source = TelemetryFile(tel_path)
    except (OSError, pa.ArrowException) as exc:
        raise RunError(f"{tel_path}: not a readable Parquet file ({exc})") from exc
    if "time_s" not in source.columns or source.num_rows == 0:
        what = "no samples" if "time_s" in source.columns else "no time_s column"
        raise RunError(
            f"{tel_path}: {what}; not the telemetry of a raidsim run (write one with "
            "`raidsim run --out DIR`)"
        )
    if stopped is not None:
        summary = _stopped_summary(stopped, source)
    else:
        sum_path = run_dir / SUMMARY_FILE
        # a summary of any version, in this version's keys (raidsim.io.summary)
        summary = upgrade_json(_read_json_object(sum_path, missing_ok=True) or {})
        _check_summary(sum_path, summary)
    return RunData(dir=run_dir, source=source, summary=summary, units=source.units)


def _read_json_object(path: Path, *, missing_ok: bool) -> dict[str, Any] | None:
    """A JSON object file (None when missing and ``missing_ok``); RunError naming it else."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise RunError(f"{path}: not found") from None
    except OSError as exc:
        raise RunError(f"{path}: cannot read it ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(loaded, dict):
        raise RunError(f"{path}: expected a JSON object, got {type(loaded).__name__}")
    return loaded


def _stopped_summary(stopped: Mapping[str, Any], source: TelemetrySource) -> dict[str, Any]:
    """The summary of a stopped run: what ``stopped.json`` says (vehicle, stage, where and
    why it stopped) and ``stopped_at_m`` (from the diagnostic, else the last distance)."""
    at_m: Any = stopped.get("distance_m")
    if not _is_number(at_m) and "distance_m" in source.columns and source.num_rows:
        at_m = source.frame(["distance_m"])["distance_m"].max()
    keep = ("vehicle", "stage", "seed", "ambient_C")
    summary = {k: stopped[k] for k in keep if k in stopped}
    summary["stopped"] = str(stopped.get("stopped", "stopped before the finish"))
    summary["stopped_at_m"] = float(at_m) if _is_number(at_m) else math.nan
    if _is_number(stopped.get("time_s")):
        summary["stopped_at_s"] = float(stopped["time_s"])
    summary["complete"] = False
    return summary


#: a summary field named with one of these unit suffixes (or one of the counts) holds a
#: number, which the report and the export format
_NUMBER_SUFFIXES = ("_s", "_m", "_kmh", "_mps", "_L", "_kg", "_Nm", "_C", "_km", "_factor")
_NUMBER_FIELDS = frozenset(
    {"seed", "jumps", "landings_detected", "steps", "flight_mode_false_triggers"}
)


def _check_summary(path: Path, summary: Mapping[str, Any]) -> None:
    """Every field named as a quantity (``stage_time_s``, ``distance_m`` ...) is a number
    or null, or a table of such numbers (``thermal_limits_C``: name -> °C); RunError naming
    the file, the field and the value."""
    for key, value in summary.items():
        if not (key.endswith(_NUMBER_SUFFIXES) or key in _NUMBER_FIELDS) or value is None:
            continue
        values = value.values() if isinstance(value, Mapping) else [value]
        if not all(v is None or isinstance(v, int | float) for v in values):
            raise RunError(
                f"{path}: field '{key}' = {value!r} is not a number; rewrite the run with "
                "`raidsim run --out DIR`"
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def stopped_note(run: RunLike) -> str | None:
    """``stopped at km 12.34 (time limit ...)`` for a run that stopped before the finish,
    None for a finished run."""
    s = run.summary
    if s.get("complete", True) is not False and "stopped" not in s:
        return None
    at: Any = s.get("stopped_at_m")
    where = f"at km {float(at) / 1000:.2f}" if _is_number(at) else "before the finish"
    return f"stopped {where} ({s.get('stopped', 'no diagnostic')})"


_DTYPE_NAMES = {
    pl.Float64: "float64",
    pl.Float32: "float32",
    pl.Int8: "int8",
    pl.Int16: "int16",
    pl.Int32: "int32",
}


def _infer_rate(column: pl.Series, grid_hz: float) -> float:
    """A column's rate from its nulls: samples on every k-th row from row 0 -> grid / k."""
    if column.null_count() == 0 or not math.isfinite(grid_hz):
        return grid_hz
    idx = np.flatnonzero(column.is_not_null().to_numpy())
    if len(idx) >= 2 and idx[0] == 0:
        steps = np.unique(np.diff(idx))
        if len(steps) == 1 and len(idx) == -(-column.len() // int(steps[0])):
            return grid_hz / float(steps[0])
    return grid_hz


def save_run(
    out_dir: str | os.PathLike[str],
    telemetry: pl.DataFrame,
    summary: Mapping[str, Any],
    units: Mapping[str, str],
    rates_hz: Mapping[str, float] | None = None,
) -> Path:
    """Write ``telemetry`` + ``summary`` as a run directory that :func:`load_run` reads.

    The table keeps its columns' dtypes (float64/float32/int8 ...; other types are stored as
    float64); units, descriptions and rates go in the schema as ``raidsim run`` writes them.
    ``rates_hz`` defaults to what the nulls show (a column with a value every k-th row from
    row 0 is at grid / k). Returns the directory.
    """
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    grid = (
        rate_from_time(telemetry["time_s"].drop_nulls().to_numpy())
        if "time_s" in telemetry.columns
        else math.nan
    )
    if not (math.isfinite(grid) and grid > 0):
        grid = 1.0
    formats = []
    for name in telemetry.columns:
        col = telemetry[name]
        rate = float((rates_hz or {}).get(name, _infer_rate(col, grid)))
        dtype = _DTYPE_NAMES.get(col.dtype, "float64")  # type: ignore[call-overload]
        formats.append(ChannelFormat(name, units.get(name, ""), "", rate, dtype))
    try:
        write_telemetry_table(d / TELEMETRY_FILE, telemetry.to_arrow(), formats, grid)
    except (ValueError, pa.ArrowException) as exc:
        raise RunError(f"cannot save the run to {d}: {exc}") from exc
    (d / SUMMARY_FILE).write_text(json.dumps(dict(summary), indent=2, sort_keys=True), "utf-8")
    return d


# --- time, distance, waypoints -------------------------------------------------------------
def sample_rate_hz(telemetry: pl.DataFrame) -> float:
    """Sample rate from ``time_s`` (median step), rounded to an integer when within 1e-6."""
    if "time_s" not in telemetry.columns or telemetry.height < 2:
        raise RunError("telemetry needs a time_s column with at least two samples")
    step = float(np.median(np.diff(telemetry["time_s"].to_numpy())))
    if not (math.isfinite(step) and step > 0):
        raise RunError(f"time_s does not increase (median step {step!r} s)")
    rate = 1.0 / step
    return float(round(rate)) if abs(rate - round(rate)) < 1e-6 * rate else rate


class DistanceClock:
    """When the car first reached each of ``distance_m``: time (and ``columns``) streamed.

    Feed ``update(distance, {column: values})`` with consecutive batches; :meth:`result`
    gives, per query distance, each column interpolated between the first samples of every
    plateau of the non-decreasing distance (the CG projection can step back by
    micrometres), NaN beyond the last sample plus :data:`END_TOLERANCE_M` and before the
    first sample minus it. Only the last sample kept is carried between batches, and the
    answers equal one ``np.interp`` over the whole run.
    """

    def __init__(self, distance_m: Sequence[float] | F64, columns: Sequence[str] = ("time_s",)):
        q = np.asarray(distance_m, dtype=np.float64).ravel()
        self._order = np.argsort(q, kind="stable")
        self._q = q[self._order]
        self.columns = tuple(columns)
        self._out = {c: np.full(len(q), np.nan) for c in self.columns}
        self._next = 0
        self._dmax = -math.inf
        self._first: float | None = None
        self._knot: tuple[float, dict[str, float]] | None = None

    def update(self, distance: F64, values: Mapping[str, F64]) -> None:
        d = np.asarray(distance, dtype=np.float64)
        if len(d) == 0:
            return
        if self._first is None:
            self._first = float(d[0])
        dm = np.maximum(np.maximum.accumulate(d), self._dmax)
        before = np.concatenate([[self._dmax], dm[:-1]])
        keep = dm > before  # first sample of every plateau (the very first sample too)
        kd = dm[keep]
        kv = {c: np.asarray(values[c], dtype=np.float64)[keep] for c in self.columns}
        self._dmax = float(dm[-1])
        if len(kd) == 0:
            return
        if self._knot is not None:
            kd = np.concatenate([[self._knot[0]], kd])
            kv = {c: np.concatenate([[self._knot[1][c]], kv[c]]) for c in self.columns}
        j = int(np.searchsorted(self._q, kd[-1], side="right"))
        if j > self._next:
            sel = self._order[self._next : j]
            for c in self.columns:
                self._out[c][sel] = np.interp(self._q[self._next : j], kd, kv[c])
            self._next = j
        self._knot = (float(kd[-1]), {c: float(kv[c][-1]) for c in self.columns})

    def result(self) -> dict[str, F64]:
        """Per query distance (in the order given), each column."""
        out = {c: v.copy() for c, v in self._out.items()}
        if self._knot is None or self._first is None:
            return {c: np.full(len(self._q), np.nan) for c in self.columns}
        rest = self._order[self._next :]
        for c in self.columns:
            out[c][rest] = self._knot[1][c]  # beyond the last sample: np.interp clamps
        q = np.empty_like(self._q)
        q[self._order] = self._q
        unreached = (q > self._knot[0] + END_TOLERANCE_M) | (q < self._first - END_TOLERANCE_M)
        for c in self.columns:
            out[c][unreached] = np.nan
        return out


def time_at_distance(
    telemetry: pl.DataFrame | TelemetrySource, distance_m: Sequence[float] | F64
) -> F64:
    """Time (s) at which the car first reached each distance, interpolated between samples.

    NaN for distances beyond the last sample plus :data:`END_TOLERANCE_M` (clamped to the last
    time within that tolerance) and before the first sample. ``telemetry`` is a frame or a
    streaming source (:class:`DistanceClock` over its batches).
    """
    clock = DistanceClock(distance_m)
    if isinstance(telemetry, pl.DataFrame):
        batches: Iterable[pl.DataFrame] = [telemetry.select("time_s", "distance_m")]
    else:
        batches = telemetry.batches(["time_s", "distance_m"])
    for batch in batches:
        clock.update(
            batch["distance_m"].to_numpy().astype(np.float64),
            {"time_s": batch["time_s"].to_numpy().astype(np.float64)},
        )
    return clock.result()["time_s"]


def waypoint_markers(summary: Mapping[str, Any]) -> list[WaypointMarker]:
    """Waypoints of the run's stage, from the summary or the shipped stage definition.

    Returns ``[]`` when neither has any (no error: waypoints are optional everywhere).
    """
    raw = summary.get("waypoints")
    items: list[tuple[float, str, str]] = []
    if isinstance(raw, list):
        for wp in raw:
            if isinstance(wp, dict) and isinstance(wp.get("km"), int | float):
                items.append((float(wp["km"]), str(wp.get("kind", "WP")), str(wp.get("name", ""))))
    else:
        stage = summary.get("stage")
        from raidsim.route.stage import load_stage_definition, stage_names

        if isinstance(stage, str) and stage in stage_names():
            definition, _ = load_stage_definition(stage)
            items = [(w.km, w.kind, w.name) for w in definition.waypoints]
    markers = []
    for i, (km, kind, name) in enumerate(sorted(items, key=lambda it: it[0])):
        label = name or f"{kind} {i + 1} ({km:g} km)"
        markers.append(WaypointMarker(name=label, kind=kind, distance_m=km * 1000.0))
    return markers


# --- export --------------------------------------------------------------------------------
def _telemetry_path(run: RunData) -> Path:
    """The run's telemetry file (``telemetry.parquet``, or a stopped run's ``.partial``)."""
    path = getattr(run.source, "path", None)
    return Path(path) if path is not None else run.dir / TELEMETRY_FILE


def default_export_path(run: RunData, fmt: ExportFormat) -> Path:
    """``RUN_DIR/<run name>.<ext>``: next to the telemetry, never over it."""
    return run.dir / f"{run.name}.{fmt.value}"


def _ld_meta(run: RunData) -> LdMeta:
    s = run.summary
    stamp = _dt.datetime.fromtimestamp(_telemetry_path(run).stat().st_mtime)
    seed = s.get("seed")
    note = stopped_note(run)
    return LdMeta(
        driver="raidsim driver model",
        vehicle=str(s.get("vehicle", "")),
        venue=str(s.get("stage", "")),
        event="raidsim",
        session=f"seed {seed}" if seed is not None else "",
        comment=f"raidsim run {run.name}" + (f", {note}" if note else ""),
        datetime=stamp,
    )


def _ld_specs(src: TelemetrySource) -> tuple[list[str], list[LdChannelSpec], float]:
    """(raidsim names, .ld channel headers, grid rate) of every channel but ``time_s``."""
    grid = src.sample_rate_hz
    if not (math.isfinite(grid) and grid == int(grid)):
        raise RunError(f"sample rate {grid} Hz is not an integer; .ld stores integer rates")
    n = src.num_rows
    names, specs = [], []
    source: dict[str, str] = {}
    for name in src.columns:
        if name == "time_s":
            continue
        unit = src.units.get(name, "")
        suffix = name.rsplit("_", 1)[-1] if "_" in name else ""
        unit = unit or _SUFFIX_UNITS.get(suffix, "")
        rate = src.rates_hz.get(name, grid)
        try:
            k = channel_stride(name, rate, grid)
        except ValueError as exc:
            raise RunError(f"cannot export to .ld: {exc}") from exc
        expected = -(-n // k)
        if src.count(name) != expected:
            raise RunError(
                f"cannot export to .ld: channel '{name}' has {src.count(name)} samples, "
                f"{expected} expected at {rate:g} Hz over {n} rows of {grid:g} Hz (a gap?)"
            )
        mname = motec_channel_name(name, unit)
        if mname in source:  # write_ld would report this by MoTeC name only
            raise RunError(
                f"cannot export to .ld: channels '{source[mname]}' and '{name}' both map to "
                f"MoTeC name '{mname}'; rename one of them"
            )
        source[mname] = name
        names.append(name)
        specs.append(LdChannelSpec(mname, unit, rate, expected, motec_short_name(name)))
    return names, specs, grid


def _export_ld(run: RunData, out: Path) -> list[Path]:
    """Stream the telemetry into ``out`` (every channel at its own rate) and the beacons."""
    src = run.source
    if "time_s" not in src.columns or src.num_rows < 2:
        raise RunError(f"cannot export {run.dir} to .ld: no time_s samples")
    names, specs, grid = _ld_specs(src)
    try:
        writer = LdWriter(out, specs, _ld_meta(run))
    except ValueError as exc:
        raise RunError(f"cannot export {run.dir} to .ld: {exc}") from exc
    markers = [m for m in waypoint_markers(run.summary) if m.distance_m > 0]
    clock = DistanceClock([m.distance_m for m in markers])
    has_distance = "distance_m" in src.columns
    # MoTeC has no time column: sample i is at i / rate, so the .ld clock starts at the first
    # sample (raidsim's first sample is at t = dt, not 0); a channel below the grid rate has
    # its first sample there too. Beacon times use the same clock.
    t0: float | None = None
    row = 0
    try:
        for batch in src.batches():
            t = batch["time_s"].to_numpy().astype(np.float64)
            if t0 is None:
                t0 = float(t[0])
            expected = t0 + (row + np.arange(len(t))) / grid
            if not np.allclose(t, expected, rtol=1e-9, atol=1e-6 / grid):
                raise RunError(
                    f"cannot export {run.dir} to .ld: time_s is not uniform at {grid:g} Hz "
                    f"near row {row} (MoTeC stores t = i / rate)"
                )
            for j, name in enumerate(names):
                values, valid = column_values(batch, name)
                writer.write(j, values if valid is None else values[valid])
            if has_distance and markers:
                clock.update(batch["distance_m"].to_numpy().astype(np.float64), {"time_s": t})
            row += len(t)
        writer.close()
    except ValueError as exc:
        writer.abort()
        raise RunError(f"cannot export {run.dir} to .ld: {exc}") from exc
    except BaseException:
        writer.abort()
        raise
    written = [out]
    # The recording starts at the start line, so waypoints at 0 km (the DSS) get no beacon:
    # a beacon at t = 0 would make i2 show an empty first lap.
    if has_distance and markers and t0 is not None:
        times = clock.result()["time_s"] - t0
        beacons = [(m.name, float(t)) for m, t in zip(markers, times, strict=True) if t > 0]
        if beacons:
            ldx = out.with_suffix(".ldx")
            write_ldx(ldx, beacons)
            written.append(ldx)
    return written


def export_run(run: RunData, fmt: ExportFormat, out: Path | None = None) -> list[Path]:
    """Export the full-rate telemetry of ``run``, streamed; returns the files written.

    ``out`` is a file path or an existing directory (the default file name goes in it);
    ``None`` means :func:`default_export_path`. Never decimates. Raises :class:`RunError` when
    ``out`` is the run's own ``telemetry.parquet`` or the data cannot be stored in ``fmt``.
    """
    target = default_export_path(run, fmt) if out is None else Path(out)
    if target.is_dir():
        target = target / f"{run.name}.{fmt.value}"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _telemetry_path(run)
    if fmt is ExportFormat.parquet:
        if target.exists() and target.resolve() == source.resolve():
            raise RunError(f"export target {target} is the run's own telemetry file")
        with atomic.writing(target) as tmp:
            shutil.copyfile(source, tmp)
        return [target]
    if fmt is ExportFormat.csv:
        src = run.source
        try:
            write_csv_stream(target, src.columns, run.units, src.batches())
        except ValueError as exc:
            raise RunError(f"cannot export {run.dir} to CSV: {exc}") from exc
        return [target]
    return _export_ld(run, target)
