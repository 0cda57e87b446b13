"""One streamed pass over a run's telemetry gathers everything its report draws and tabulates.

The report never holds a run's telemetry: :func:`digest_run` reads the run's row batches once
(:func:`raidsim.io.runs.telemetry_source`: the file, or an in-memory frame in slices) and
feeds small accumulators, each equal to its whole-array counterpart:

* :class:`MinMaxTrace`: :func:`raidsim.decimate.minmax_indices` (each bucket's min and max
  sample, first and last sample) with the x value of every kept sample;
* :class:`DistanceTrace`: :func:`raidsim.decimate.distance_indices` (the map path);
* :class:`raidsim.io.runs.DistanceClock`: times at split markers and on the time-delta grid,
  and map positions of the waypoints;
* :class:`raidsim.report.analysis.FlightScanner`: the flights and their landing peaks.

A channel stored below the run's sample rate is traced over its own samples (its non-null
rows), against the distance of those rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from raidsim.io.runs import DistanceClock, RunLike, telemetry_source
from raidsim.io.telemetry import TelemetrySource, column_values
from raidsim.report.analysis import Flight, FlightScanner

__all__ = ["DistanceTrace", "MinMaxTrace", "RunDigest", "digest_run"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class MinMaxTrace:
    """Streaming :func:`raidsim.decimate.minmax_indices` of ``n`` samples to ``max_points``.

    ``update(y, x)`` with consecutive pieces of the series; :meth:`result` gives the kept
    samples' (index, x, y) sorted by index, the same samples the whole-array function keeps
    (NaN ignored within a bucket, an all-NaN bucket keeps its first sample).
    """

    def __init__(self, n: int, max_points: int) -> None:
        self.n = int(n)
        self.everything = self.n <= max_points
        self.n_buckets = max(1, (max_points - 2) // 2)
        self.size = -(-self.n // self.n_buckets) if self.n else 1
        self.pos = 0
        self._idx: list[I64] = []
        self._x: list[F64] = []
        self._y: list[F64] = []
        # the bucket in progress: id, (value, index, x, y) of its min and of its max
        self._bucket = -1
        self._min: tuple[float, int, float, float] | None = None
        self._max: tuple[float, int, float, float] | None = None
        self._last: tuple[int, float, float] | None = None

    def _keep(self, idx: NDArray[Any], x: NDArray[Any], y: NDArray[Any]) -> None:
        self._idx.append(np.asarray(idx, dtype=np.int64))
        self._x.append(np.asarray(x, dtype=np.float64))
        self._y.append(np.asarray(y, dtype=np.float64))

    def _emit(self) -> None:
        for best in (self._min, self._max):
            if best is not None:
                self._keep(np.array([best[1]]), np.array([best[2]]), np.array([best[3]]))
        self._min = self._max = None

    def update(self, y: F64, x: F64) -> None:
        y = np.asarray(y, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        m = len(y)
        if m == 0:
            return
        idx = self.pos + np.arange(m, dtype=np.int64)
        if self.pos == 0:
            self._keep(idx[:1], x[:1], y[:1])  # the first sample is always kept
        self._last = (int(idx[-1]), float(x[-1]), float(y[-1]))
        self.pos += m
        if self.everything:
            self._keep(idx, x, y)
            return
        lo = np.where(np.isnan(y), np.inf, y)
        hi = np.where(np.isnan(y), -np.inf, y)
        bucket = idx // self.size
        starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        lengths = np.diff(np.r_[starts, m])
        local = np.arange(m)
        seg_min = np.minimum.reduceat(lo, starts)
        seg_max = np.maximum.reduceat(hi, starts)
        # first sample reaching the bucket's min / max (np.argmin's tie rule)
        i_min = np.minimum.reduceat(np.where(lo == np.repeat(seg_min, lengths), local, m), starts)
        i_max = np.minimum.reduceat(np.where(hi == np.repeat(seg_max, lengths), local, m), starts)
        mins: list[NDArray[np.generic]] = [seg_min, idx[i_min], x[i_min], y[i_min]]
        maxs: list[NDArray[np.generic]] = [seg_max, idx[i_max], x[i_max], y[i_max]]
        if int(bucket[0]) == self._bucket:  # the bucket in progress continues: merge
            assert self._min is not None and self._max is not None
            if not mins[0][0] < self._min[0]:  # an earlier sample wins a tie
                for arr, v in zip(mins, self._min, strict=True):
                    arr[0] = v
            if not maxs[0][0] > self._max[0]:
                for arr, v in zip(maxs, self._max, strict=True):
                    arr[0] = v
        else:
            self._emit()
        done = len(starts) - 1  # every bucket but the last is complete
        if done:
            self._keep(mins[1][:done], mins[2][:done], mins[3][:done])
            self._keep(maxs[1][:done], maxs[2][:done], maxs[3][:done])
        self._bucket = int(bucket[-1])
        self._min = (float(mins[0][-1]), int(mins[1][-1]), float(mins[2][-1]), float(mins[3][-1]))
        self._max = (float(maxs[0][-1]), int(maxs[1][-1]), float(maxs[2][-1]), float(maxs[3][-1]))

    def result(self) -> tuple[I64, F64, F64]:
        """(index, x, y) of the kept samples, sorted by index, no duplicates."""
        if not self.everything:
            self._emit()
            self._bucket = -1
        parts = list(zip(self._idx, self._x, self._y, strict=True))
        if self._last is not None:
            i, xv, yv = self._last
            parts.append((np.array([i]), np.array([xv]), np.array([yv])))
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        idx = np.concatenate([p[0] for p in parts])
        x = np.concatenate([p[1] for p in parts])
        y = np.concatenate([p[2] for p in parts])
        idx, first = np.unique(idx, return_index=True)
        return idx, x[first], y[first]


class DistanceTrace:
    """Streaming :func:`raidsim.decimate.distance_indices`: the samples nearest to
    ``max_points`` distances spread evenly from the first sample's distance to ``d_last``
    (the run's largest distance), with the values of ``columns`` there."""

    def __init__(self, n: int, d_last: float, max_points: int, columns: Sequence[str]) -> None:
        self.n = int(n)
        self.d_last = float(d_last)
        self.max_points = max_points
        self.everything = self.n <= max_points
        self.columns = tuple(columns)
        self.pos = 0
        self._dmax = -math.inf
        self._grid: F64 | None = None
        self._next = 0
        self._idx: list[I64] = []
        self._vals: dict[str, list[F64]] = {c: [] for c in self.columns}
        self._last: dict[str, float] = {}
        self._last_index = -1

    def update(self, distance: F64, values: Mapping[str, F64]) -> None:
        d = np.asarray(distance, dtype=np.float64)
        m = len(d)
        if m == 0:
            return
        dm = np.maximum(np.maximum.accumulate(d), self._dmax)
        local: list[int] = []
        if self.everything:
            local = list(range(m))
        else:
            if self._grid is None:
                self._grid = np.linspace(float(dm[0]), self.d_last, self.max_points)
                local.append(0)
            j = int(np.searchsorted(self._grid, dm[-1], side="right"))
            if j > self._next:
                local += np.searchsorted(dm, self._grid[self._next : j]).tolist()
                self._next = j
        if local:
            sel = np.asarray(local, dtype=np.int64)
            self._idx.append(self.pos + sel)
            for c in self.columns:
                self._vals[c].append(np.asarray(values[c], dtype=np.float64)[sel])
        self._last = {c: float(np.asarray(values[c])[-1]) for c in self.columns}
        self._last_index = self.pos + m - 1
        self._dmax = float(dm[-1])
        self.pos += m

    def result(self) -> tuple[I64, dict[str, F64]]:
        """(index, {column: values}) of the kept samples, sorted, no duplicates."""
        if self._last_index < 0:
            return np.zeros(0, np.int64), {c: np.zeros(0) for c in self.columns}
        # the last sample (also where grid points past the last distance would fall)
        idx = np.concatenate([*self._idx, [self._last_index]])
        vals = {c: np.concatenate([*self._vals[c], [self._last[c]]]) for c in self.columns}
        idx, first = np.unique(idx, return_index=True)
        return idx, {c: v[first] for c, v in vals.items()}


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
    """Stream ``run`` once: a min/max trace of every ``traces`` column (value x scale)
    against distance, the map path (``path_columns`` at evenly spread distances), times at
    ``split_marks_m`` and ``delta_grid_m``, map positions of ``waypoints_m`` and the flights.
    """
    src = source or telemetry_source(run)
    cols = src.columns
    digest = RunDigest(columns=cols, num_rows=src.num_rows)
    has_d = "distance_m" in cols
    if has_d:
        digest.distance_range_m = src.range("distance_m")
    trace_cols = [c for c in traces if c in cols] if has_d else []
    mm = {c: MinMaxTrace(src.count(c), max_points) for c in trace_cols}
    path_cols = [c for c in path_columns if c in cols] if has_d else []
    path = (
        DistanceTrace(src.num_rows, digest.distance_range_m[1], max_points, path_cols)
        if path_cols
        else None
    )
    timed = has_d and "time_s" in cols
    splits = DistanceClock(split_marks_m) if timed else None
    delta = DistanceClock(delta_grid_m) if timed else None
    wp_cols = [c for c in ("x_m", "y_m") if c in cols]
    wps = DistanceClock(waypoints_m, wp_cols) if has_d and len(wp_cols) == 2 else None
    flights = FlightScanner.for_columns(cols, src.sample_rate_hz)
    need = set(trace_cols) | set(path_cols) | set(wp_cols if wps else [])
    need |= {"distance_m"} if has_d else set()
    need |= {"time_s"} if timed else set()
    need |= set(flights.columns) if flights is not None else set()
    if not need:
        return digest
    for batch in src.batches([c for c in cols if c in need]):
        if has_d:
            d, _ = column_values(batch, "distance_m")
            km = d / 1000.0
            for c in trace_cols:
                values, valid = column_values(batch, c)
                y = values * traces[c]
                if valid is None:
                    mm[c].update(y, km)
                else:
                    mm[c].update(y[valid], km[valid])
            if path is not None:
                path.update(d, {c: column_values(batch, c)[0] for c in path_cols})
            if wps is not None:
                wps.update(d, {c: column_values(batch, c)[0] for c in wp_cols})
            if timed:
                t, _ = column_values(batch, "time_s")
                assert splits is not None and delta is not None
                splits.update(d, {"time_s": t})
                delta.update(d, {"time_s": t})
        if flights is not None:
            flights.update({c: column_values(batch, c)[0] for c in flights.columns})
    for c, acc in mm.items():
        _, x, y = acc.result()
        digest.traces[c] = (x, y)
    if path is not None:
        digest.path = path.result()[1]
    if wps is not None:
        res = wps.result()
        digest.waypoint_xy = (res["x_m"], res["y_m"])
    if splits is not None and delta is not None:
        digest.split_times_s = splits.result()["time_s"]
        digest.delta_times_s = delta.result()["time_s"]
    if flights is not None:
        digest.flights = flights.finish()
    return digest
