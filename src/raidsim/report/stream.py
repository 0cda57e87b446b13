"""One streamed pass over a run's telemetry gathers everything its report draws and tabulates.

The report never holds a run's telemetry: a :class:`RunDigester` is fed the run's rows in
consecutive batches, any number of rows each, and feeds small accumulators, each equal to
its whole-array counterpart:

* :class:`raidsim.decimate.MinMaxTrace`: min/max per bucket of every trace, with the
  distance of each kept sample;
* :class:`raidsim.decimate.DistanceTrace`: the map path;
* :class:`raidsim.io.runs.DistanceClock`: times at split markers and on the time-delta grid,
  and map positions of the waypoints;
* :class:`raidsim.report.analysis.FlightScanner`: the flights and their landing peaks;
* :class:`raidsim.report.operating.OperatingPoints`: G-G, gear, rpm and power counts;
* the row count and the distance range.

None of them needs the run's length in advance, so the digester can be fed while the run is
written (``raidsim run`` feeds it each row group of telemetry.parquet as it is written,
:func:`raidsim.report.html.run_digester`), or afterwards from the file
(:func:`digest_run`); both give the same digest.

A channel stored below the run's sample rate is traced over its own samples (its non-null
rows), against the distance of those rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from raidsim.decimate import DistanceTrace, MinMaxTrace
from raidsim.io.runs import DistanceClock, RunLike, telemetry_source
from raidsim.io.telemetry import TelemetrySource, column_values
from raidsim.report.analysis import Flight, FlightScanner
from raidsim.report.operating import COLUMNS as OPERATING_COLUMNS
from raidsim.report.operating import Operating, OperatingPoints

__all__ = ["RunDigest", "RunDigester", "digest_run"]

F64 = NDArray[np.float64]


@dataclass
class RunDigest:
    """What the report needs of one run, from one streamed pass."""

    columns: list[str]
    num_rows: int
    #: column -> (distance km, value x scale) of the decimated trace
    traces: dict[str, tuple[F64, F64]] = field(default_factory=dict)
    #: map path: x_m, y_m (and speed_mps when asked) at evenly spread distances
    path: dict[str, F64] | None = None
    #: waypoint positions (x_m, y_m) on the map
    waypoint_xy: tuple[F64, F64] | None = None
    #: time (s) at the split markers and at the delta-grid distances
    split_times_s: F64 = field(default_factory=lambda: np.zeros(0))
    delta_times_s: F64 = field(default_factory=lambda: np.zeros(0))
    flights: list[Flight] = field(default_factory=list)
    distance_range_m: tuple[float, float] = (math.nan, math.nan)
    #: the distances ``split_times_s`` and ``waypoint_xy`` are at
    split_marks_m: F64 = field(default_factory=lambda: np.zeros(0))
    waypoints_m: F64 = field(default_factory=lambda: np.zeros(0))
    #: G-G, gear, rpm and power counts (:mod:`raidsim.report.operating`), when the run has
    #: those channels
    operating: Operating | None = None


class RunDigester:
    """Everything the report needs of one run, fed batch after batch (:meth:`update`).

    ``columns``: the telemetry's columns; ``traces``: column -> display scale of each
    min/max trace against distance; ``split_marks_m``/``delta_grid_m``: distances to time;
    ``waypoints_m``: distances to place on the map; ``path_columns``: the map path's
    columns at evenly spread distances."""

    def __init__(
        self,
        columns: Sequence[str],
        sample_rate_hz: float,
        traces: Mapping[str, float],
        max_points: int,
        *,
        split_marks_m: Sequence[float] = (),
        delta_grid_m: Sequence[float] | F64 = (),
        waypoints_m: Sequence[float] = (),
        path_columns: Sequence[str] = (),
    ) -> None:
        cols = list(columns)
        self.columns = cols
        self.has_d = "distance_m" in cols
        self.scales = {c: float(traces[c]) for c in traces if c in cols} if self.has_d else {}
        self.mm = {c: MinMaxTrace(max_points) for c in self.scales}
        self.path_cols = [c for c in path_columns if c in cols] if self.has_d else []
        self.path = DistanceTrace(max_points, self.path_cols) if self.path_cols else None
        self.timed = self.has_d and "time_s" in cols
        self.split_marks_m = np.asarray(split_marks_m, dtype=np.float64)
        self.splits = DistanceClock(split_marks_m) if self.timed else None
        self.delta = DistanceClock(delta_grid_m) if self.timed else None
        self.wp_cols = [c for c in ("x_m", "y_m") if c in cols]
        has_xy = self.has_d and len(self.wp_cols) == 2
        self.waypoints_m = np.asarray(waypoints_m, dtype=np.float64)
        self.wps = DistanceClock(waypoints_m, self.wp_cols) if has_xy else None
        self.flights = FlightScanner.for_columns(cols, sample_rate_hz)
        wants = OperatingPoints.wants(cols) and sample_rate_hz > 0
        self.ops = OperatingPoints(sample_rate_hz) if wants else None
        need = set(self.scales) | set(self.path_cols) | set(self.wp_cols if self.wps else [])
        need |= {"distance_m"} if self.has_d else set()
        need |= {"time_s"} if self.timed else set()
        need |= set(self.flights.columns) if self.flights is not None else set()
        need |= set(OPERATING_COLUMNS) if self.ops is not None else set()
        #: the columns :meth:`update` reads, in the telemetry's order
        self.needed = [c for c in cols if c in need]
        self.num_rows = 0
        self._d_lo, self._d_hi = math.inf, -math.inf

    def update(self, batch: pl.DataFrame) -> None:
        """Feed the next rows (a frame with at least :attr:`needed`)."""
        self.num_rows += batch.height
        if batch.height == 0:
            return
        if self.has_d:
            self._distance(batch)
        if self.flights is not None:
            self.flights.update({c: column_values(batch, c)[0] for c in self.flights.columns})
        if self.ops is not None:
            self.ops.update({c: column_values(batch, c)[0] for c in OPERATING_COLUMNS})

    def _distance(self, batch: pl.DataFrame) -> None:
        d, valid = column_values(batch, "distance_m")
        finite = d[valid] if valid is not None else d
        finite = finite[~np.isnan(finite)]
        if len(finite):
            self._d_lo = min(self._d_lo, float(finite.min()))
            self._d_hi = max(self._d_hi, float(finite.max()))
        km = d / 1000.0
        for c, scale in self.scales.items():
            values, ok = column_values(batch, c)
            y = values * scale
            if ok is None:
                self.mm[c].update(y, km)
            else:
                self.mm[c].update(y[ok], km[ok])
        if self.path is not None:
            self.path.update(d, {c: column_values(batch, c)[0] for c in self.path_cols})
        if self.wps is not None:
            self.wps.update(d, {c: column_values(batch, c)[0] for c in self.wp_cols})
        if self.splits is not None and self.delta is not None:
            t, _ = column_values(batch, "time_s")
            self.splits.update(d, {"time_s": t})
            self.delta.update(d, {"time_s": t})

    def result(self) -> RunDigest:
        """The digest of the rows fed so far."""
        digest = RunDigest(columns=self.columns, num_rows=self.num_rows)
        if self.has_d and self._d_lo <= self._d_hi:
            digest.distance_range_m = (self._d_lo, self._d_hi)
        for c, acc in self.mm.items():
            _, x, y = acc.result()
            digest.traces[c] = (x, y)
        if self.path is not None:
            digest.path = self.path.result()[1]
        if self.wps is not None:
            res = self.wps.result()
            digest.waypoint_xy = (res["x_m"], res["y_m"])
            digest.waypoints_m = self.waypoints_m
        if self.splits is not None and self.delta is not None:
            digest.split_marks_m = self.split_marks_m
            digest.split_times_s = self.splits.result()["time_s"]
            digest.delta_times_s = self.delta.result()["time_s"]
        if self.flights is not None:
            digest.flights = self.flights.finish()
        if self.ops is not None:
            digest.operating = self.ops.result()
        return digest


def digest_run(
    run: RunLike,
    traces: Mapping[str, float],
    max_points: int,
    *,
    split_marks_m: Sequence[float] = (),
    delta_grid_m: Sequence[float] | F64 = (),
    waypoints_m: Sequence[float] = (),
    path_columns: Sequence[str] = (),
    source: TelemetrySource | None = None,
) -> RunDigest:
    """Stream ``run`` once (its file, or its in-memory frame in slices) through a
    :class:`RunDigester`: a min/max trace of every ``traces`` column (value x scale)
    against distance, the map path (``path_columns`` at evenly spread distances), times at
    ``split_marks_m`` and ``delta_grid_m``, map positions of ``waypoints_m`` and the
    flights."""
    src = source or telemetry_source(run)
    digester = RunDigester(
        src.columns,
        src.sample_rate_hz,
        traces,
        max_points,
        split_marks_m=split_marks_m,
        delta_grid_m=delta_grid_m,
        waypoints_m=waypoints_m,
        path_columns=path_columns,
    )
    if digester.needed:
        for batch in src.batches(digester.needed):
            digester.update(batch)
    else:
        digester.num_rows = src.num_rows
    return digester.result()
