"""Load a run directory written by ``raidsim run`` and export its telemetry.

A run directory holds ``telemetry.parquet`` (one float64 column per channel, SI names, units
in the schema metadata key ``b"raidsim.units"`` as JSON and in each field's ``b"unit"``) and
``summary.json`` (see :func:`raidsim.sim.transient.simulate`).

* :func:`load_run` reads both into a :class:`RunData`.
* :func:`save_run` writes a table in the same layout (for runs made in Python, tests, fixtures).
* :func:`export_run` writes the *full-rate, undecimated* telemetry as Parquet (a byte copy),
  CSV (:func:`raidsim.io.csv_export.write_csv`, name row + units row) or MoTeC ``.ld``
  (:func:`raidsim.io.motec.export_ld`) with a ``.ldx`` beacon per waypoint when the run has
  waypoints.
* :func:`waypoint_markers` and :func:`time_at_distance` place waypoints and splits in time.

Waypoints come from ``summary["waypoints"]`` (a list of ``{"km", "kind", "name"}``) when the
summary has them, else from the shipped stage definition named ``summary["stage"]`` (a stage
run from a user file of another name has none). Only waypoints the car reached are used.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import math
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from raidsim.errors import RaidsimError
from raidsim.io.csv_export import write_csv
from raidsim.io.motec import LdMeta, export_ld, write_ldx

__all__ = [
    "TELEMETRY_FILE",
    "SUMMARY_FILE",
    "ExportFormat",
    "RunData",
    "RunError",
    "RunLike",
    "WaypointMarker",
    "export_run",
    "load_run",
    "sample_rate_hz",
    "save_run",
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


class RunError(RaidsimError):
    """A run directory is missing, incomplete, unreadable or cannot be exported as asked."""


class RunLike(Protocol):
    """What the report needs from a run: :class:`RunData` and ``raidsim.simulate``'s ``Run``."""

    @property
    def telemetry(self) -> pl.DataFrame: ...

    @property
    def summary(self) -> dict[str, Any]: ...

    @property
    def units(self) -> dict[str, str]: ...


@dataclass(frozen=True, eq=False)
class RunData:
    """A run read back from disk. ``telemetry`` is full rate; ``units`` maps column -> unit."""

    dir: Path
    telemetry: pl.DataFrame
    summary: dict[str, Any]
    units: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The run directory's name (used as the label in reports)."""
        return self.dir.name


class ExportFormat(enum.StrEnum):
    """Telemetry export formats of :func:`export_run` (values are the CLI spellings)."""

    parquet = "parquet"
    csv = "csv"
    ld = "ld"


@dataclass(frozen=True)
class WaypointMarker:
    """A roadbook waypoint at ``distance_m`` along the route (``kind`` WPV, DSS, ...)."""

    name: str
    kind: str
    distance_m: float


# --- load / save ---------------------------------------------------------------------------
def _units_from_schema(schema: pa.Schema) -> dict[str, str]:
    """Units from the schema key ``raidsim.units``, else per-field ``unit``, else ``""``."""
    units: dict[str, str] = {}
    meta = schema.metadata or {}
    if UNITS_KEY in meta:
        try:
            decoded = json.loads(meta[UNITS_KEY].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            decoded = {}
        if isinstance(decoded, dict):
            units = {str(k): str(v) for k, v in decoded.items()}
    for f in schema:
        if f.name not in units:
            unit = (f.metadata or {}).get(b"unit", b"")
            units[f.name] = unit.decode("utf-8", errors="replace")
    return {name: units[name] for name in schema.names}


def load_run(path: str | os.PathLike[str]) -> RunData:
    """Read a run directory (or its ``telemetry.parquet``): telemetry, summary and units.

    Raises :class:`RunError` naming the file when the directory or ``telemetry.parquet`` is
    missing or unreadable, or ``summary.json`` is not a JSON object. A missing
    ``summary.json`` gives an empty summary (telemetry alone is still useful).
    """
    p = Path(path)
    run_dir = p.parent if p.is_file() and p.suffix == ".parquet" else p
    tel_path = p if p.is_file() and p.suffix == ".parquet" else p / TELEMETRY_FILE
    if not run_dir.is_dir():
        raise RunError(f"run directory not found: {run_dir}")
    if not tel_path.is_file():
        raise RunError(
            f"{tel_path} not found; a run directory holds {TELEMETRY_FILE} and {SUMMARY_FILE} "
            "(write one with `raidsim run --out DIR`)"
        )
    try:
        table = pq.read_table(tel_path)
    except (OSError, pa.ArrowException) as exc:
        raise RunError(f"{tel_path}: not a readable Parquet file ({exc})") from exc
    summary: dict[str, Any] = {}
    sum_path = run_dir / SUMMARY_FILE
    if sum_path.is_file():
        try:
            loaded = json.loads(sum_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RunError(f"{sum_path}: not valid JSON ({exc})") from exc
        if not isinstance(loaded, dict):
            raise RunError(f"{sum_path}: expected a JSON object, got {type(loaded).__name__}")
        summary = loaded
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return RunData(
        dir=run_dir, telemetry=frame, summary=summary, units=_units_from_schema(table.schema)
    )


def save_run(
    out_dir: str | os.PathLike[str],
    telemetry: pl.DataFrame,
    summary: Mapping[str, Any],
    units: Mapping[str, str],
) -> Path:
    """Write ``telemetry`` + ``summary`` as a run directory that :func:`load_run` reads.

    Units go in both places ``raidsim run`` puts them (schema key and per-field ``unit``).
    Returns the directory.
    """
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    table = telemetry.to_arrow()
    fields = [
        f.with_metadata({b"unit": units.get(f.name, "").encode("utf-8")}) for f in table.schema
    ]
    schema = pa.schema(
        fields,
        metadata={
            UNITS_KEY: json.dumps({n: units.get(n, "") for n in table.column_names}).encode()
        },
    )
    pq.write_table(table.cast(schema), d / TELEMETRY_FILE, compression="zstd")
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


def _monotonic_distance(telemetry: pl.DataFrame) -> F64:
    """``distance_m`` made non-decreasing (the CG projection can step back by micrometres)."""
    return np.maximum.accumulate(telemetry["distance_m"].to_numpy().astype(np.float64))


def time_at_distance(telemetry: pl.DataFrame, distance_m: Sequence[float] | F64) -> F64:
    """Time (s) at which the car first reached each distance, interpolated between samples.

    NaN for distances beyond the last sample plus :data:`END_TOLERANCE_M` (clamped to the last
    time within that tolerance) and before the first sample.
    """
    d = _monotonic_distance(telemetry)
    t = telemetry["time_s"].to_numpy().astype(np.float64)
    keep = np.r_[True, np.diff(d) > 0]  # first sample of every distance plateau
    d, t = d[keep], t[keep]
    q = np.asarray(distance_m, dtype=np.float64)
    out = np.interp(q, d, t)
    out[(q > d[-1] + END_TOLERANCE_M) | (q < d[0] - END_TOLERANCE_M)] = np.nan
    return out


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
def default_export_path(run: RunData, fmt: ExportFormat) -> Path:
    """``RUN_DIR/<run name>.<ext>``: next to the telemetry, never over it."""
    return run.dir / f"{run.name}.{fmt.value}"


def _ld_meta(run: RunData) -> LdMeta:
    s = run.summary
    stamp = _dt.datetime.fromtimestamp((run.dir / TELEMETRY_FILE).stat().st_mtime)
    seed = s.get("seed")
    return LdMeta(
        driver="raidsim driver model",
        vehicle=str(s.get("vehicle", "")),
        venue=str(s.get("stage", "")),
        event="raidsim",
        session=f"seed {seed}" if seed is not None else "",
        comment=f"raidsim run {run.name}",
        datetime=stamp,
    )


def _export_ld(run: RunData, out: Path) -> list[Path]:
    tel = run.telemetry
    rate = sample_rate_hz(tel)
    if rate != int(rate):
        raise RunError(f"sample rate {rate} Hz is not an integer; .ld stores integer rates")
    t0 = float(tel["time_s"][0])
    # MoTeC has no time column: sample i is at i / rate, so the .ld clock starts at the first
    # sample (raidsim's first sample is at t = dt, not 0). Beacon times use the same clock.
    table: dict[str, NDArray[np.generic]] = {
        name: tel[name].to_numpy() for name in tel.columns if name != "time_s"
    }
    table = {"time_s": tel["time_s"].to_numpy() - t0, **table}
    try:
        export_ld(out, table, run.units, rate, _ld_meta(run))
    except ValueError as exc:
        raise RunError(f"cannot export {run.dir} to .ld: {exc}") from exc
    written = [out]
    # The recording starts at the start line, so waypoints at 0 km (the DSS) get no beacon:
    # a beacon at t = 0 would make i2 show an empty first lap.
    markers = [m for m in waypoint_markers(run.summary) if m.distance_m > 0]
    if "distance_m" in tel.columns and markers:
        times = time_at_distance(tel, [m.distance_m for m in markers]) - t0
        beacons = [(m.name, float(t)) for m, t in zip(markers, times, strict=True) if t > 0]
        if beacons:
            ldx = out.with_suffix(".ldx")
            write_ldx(ldx, beacons)
            written.append(ldx)
    return written


def export_run(run: RunData, fmt: ExportFormat, out: Path | None = None) -> list[Path]:
    """Export the full-rate telemetry of ``run``; returns the files written.

    ``out`` is a file path or an existing directory (the default file name goes in it);
    ``None`` means :func:`default_export_path`. Never decimates. Raises :class:`RunError` when
    ``out`` is the run's own ``telemetry.parquet`` or the data cannot be stored in ``fmt``.
    """
    target = default_export_path(run, fmt) if out is None else Path(out)
    if target.is_dir():
        target = target / f"{run.name}.{fmt.value}"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = run.dir / TELEMETRY_FILE
    if fmt is ExportFormat.parquet:
        if target.exists() and target.resolve() == source.resolve():
            raise RunError(f"export target {target} is the run's own telemetry file")
        shutil.copyfile(source, target)
        return [target]
    if fmt is ExportFormat.csv:
        tel = run.telemetry
        try:
            write_csv(target, {n: tel[n].to_numpy() for n in tel.columns}, run.units)
        except ValueError as exc:
            raise RunError(f"cannot export {run.dir} to CSV: {exc}") from exc
        return [target]
    return _export_ld(run, target)
