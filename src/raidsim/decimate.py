"""Display-only decimation of telemetry traces (never used for exports), in one pass.

Method: **min/max per bucket** (the envelope half of the M4 aggregation, Jugel et al.,
"M4: A Visualization-Oriented Time Series Data Aggregation", PVLDB 7(10), 2014). The samples
are split into buckets of consecutive samples; each bucket keeps the sample with its
minimum and the one with its maximum, in their original order. A line drawn through the
kept samples covers the same vertical extent as the full trace at any zoom out to one
bucket per pixel column, so peaks (landing torque spikes, rev limiter hits) are never lost,
which stride sampling or averaging would hide. First and last samples are always kept.

Map paths use :class:`DistanceTrace` instead: the first sample at or past each point of an
even distance grid, so slow sections do not take most of the points.

Both work on a stream of consecutive pieces (a run's telemetry row group by row group)
without knowing its length, in memory fixed by ``max_points``, and give the same samples
whatever the pieces: bucket sizes and grid steps are **powers of two**, the smallest that
fit ``max_points``, so when a longer stream needs coarser buckets, each new bucket is two
old ones (the min of two mins; an earlier sample wins a tie) and each coarser grid point
is an old one. :func:`minmax_indices` and :func:`distance_indices` are the same classes
fed one whole array.

* min/max: a stream of ``n > max_points`` samples has buckets of
  :func:`bucket_size` ``= 2^k`` samples, the smallest with ``ceil(n / 2^k) <=
  (max_points - 2) // 2``; so at most ``max_points`` samples are kept and at least half as
  many buckets as fit. ``n <= max_points``: every sample.
* distance grid: ``d0 + j * step`` for ``j = 0, 1, ...`` up to the largest distance, ``d0``
  the first sample's, :func:`grid_step_m` ``= 2^k`` m (``k >= 0``) the smallest with
  ``floor(span / step) + 1 <= max_points - 1``; the distance is taken as its running
  maximum (the CG projection may step back by micrometres).

Pure numpy, importing nothing of raidsim: it sits in the bottom layer so the route's
profile plot, the run report and the correlation page share one implementation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MAX_POINTS",
    "DistanceTrace",
    "MinMaxTrace",
    "bucket_size",
    "distance_indices",
    "grid_step_m",
    "minmax_indices",
]

MAX_POINTS = 5000
I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


def n_buckets(max_points: int) -> int:
    """Min/max buckets that fit ``max_points`` (two samples each, plus first and last)."""
    return max(1, (int(max_points) - 2) // 2)


def bucket_size(n: int, max_points: int) -> int:
    """Samples per min/max bucket for ``n`` samples: the smallest power of two ``s`` with
    ``ceil(n / s) <= n_buckets(max_points)``."""
    size, nb = 1, n_buckets(max_points)
    while -(-int(n) // size) > nb:
        size *= 2
    return size


def grid_step_m(span_m: float, max_points: int) -> float:
    """Step of the distance grid over ``span_m``: the smallest ``2^k`` m (``k >= 0``) with
    ``floor(span_m / step) + 1 <= max_points - 1``."""
    step, fit = 1.0, max(1, int(max_points) - 1)
    while math.floor(span_m / step) + 1 > fit:
        step *= 2.0
    return step


class MinMaxTrace:
    """Min/max decimation of a stream of samples to at most ``max_points``.

    ``update(y, x)`` with consecutive pieces of the series (``x`` the value kept beside
    each sample, e.g. its distance); :meth:`result` gives the kept samples' (index, x, y),
    sorted by index. NaN samples are ignored within a bucket (an all-NaN bucket keeps its
    first sample, so gaps stay gaps)."""

    _FIELDS = ("lo", "lo_i", "lo_x", "lo_y", "hi", "hi_i", "hi_x", "hi_y")

    def __init__(self, max_points: int) -> None:
        self.max_points = int(max_points)
        self.n_buckets = n_buckets(max_points)
        self.size = 1
        self.pos = 0
        nb = self.n_buckets
        self._b = {
            f: np.empty(nb, dtype=np.int64 if f.endswith("_i") else np.float64)
            for f in self._FIELDS
        }
        self._raw: list[tuple[F64, F64]] | None = []  # every sample while they all fit
        self._first: tuple[float, float] | None = None
        self._last: tuple[float, float] = (math.nan, math.nan)

    def _count(self) -> int:
        return -(-self.pos // self.size)

    def _coarsen(self, size: int) -> None:
        """Merge bucket pairs until buckets hold ``size`` samples."""
        b, count = self._b, self._count()
        while self.size < size:
            half = count // 2
            left, right = slice(0, 2 * half, 2), slice(1, 2 * half, 2)
            take_lo = b["lo"][right] < b["lo"][left]  # strictly: the earlier wins a tie
            take_hi = b["hi"][right] > b["hi"][left]
            merged = {}
            for f in self._FIELDS:
                take = take_lo if f.startswith("lo") else take_hi
                merged[f] = np.where(take, b[f][right], b[f][left])
            for f in self._FIELDS:
                b[f][:half] = merged[f]
                if count % 2:  # the last bucket has no partner: it moves down alone
                    b[f][half] = b[f][count - 1]
            count = -(-count // 2)
            self.size *= 2

    def update(self, y: ArrayLike, x: ArrayLike) -> None:
        yv = np.asarray(y, dtype=np.float64)
        xv = np.asarray(x, dtype=np.float64)
        m = len(yv)
        if m == 0:
            return
        if self._first is None:
            self._first = (float(xv[0]), float(yv[0]))
        self._last = (float(xv[-1]), float(yv[-1]))
        end = self.pos + m
        if self._raw is not None and end <= self.max_points:
            self._raw.append((xv.copy(), yv.copy()))
        else:
            self._raw = None
        self._coarsen(bucket_size(end, self.max_points))
        size, b = self.size, self._b
        bucket = (self.pos + np.arange(m, dtype=np.int64)) // size
        starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        lengths = np.diff(np.r_[starts, m])
        lo = np.where(np.isnan(yv), np.inf, yv)
        hi = np.where(np.isnan(yv), -np.inf, yv)
        seg_lo = np.minimum.reduceat(lo, starts)
        seg_hi = np.maximum.reduceat(hi, starts)
        local = np.arange(m)
        # first sample reaching the bucket's min / max (np.argmin's tie rule)
        i_lo = np.minimum.reduceat(np.where(lo == np.repeat(seg_lo, lengths), local, m), starts)
        i_hi = np.minimum.reduceat(np.where(hi == np.repeat(seg_hi, lengths), local, m), starts)
        new = {
            "lo": seg_lo, "lo_i": self.pos + i_lo, "lo_x": xv[i_lo], "lo_y": yv[i_lo],
            "hi": seg_hi, "hi_i": self.pos + i_hi, "hi_x": xv[i_hi], "hi_y": yv[i_hi],
        }  # fmt: skip
        ids = bucket[starts]
        if self.pos % size:  # the first bucket continues one in progress: merge, earlier wins
            k = int(ids[0])
            if not seg_lo[0] < b["lo"][k]:
                for f in self._FIELDS[:4]:
                    new[f][0] = b[f][k]
            if not seg_hi[0] > b["hi"][k]:
                for f in self._FIELDS[4:]:
                    new[f][0] = b[f][k]
        for f in self._FIELDS:
            b[f][ids] = new[f]
        self.pos = end

    def result(self) -> tuple[I64, F64, F64]:
        """(index, x, y) of the kept samples, sorted by index, no duplicates."""
        if self.pos == 0 or self._first is None:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        if self._raw is not None:
            x = np.concatenate([p[0] for p in self._raw])
            y = np.concatenate([p[1] for p in self._raw])
            return np.arange(self.pos, dtype=np.int64), x, y
        b, c = self._b, self._count()
        idx = np.concatenate([[0], b["lo_i"][:c], b["hi_i"][:c], [self.pos - 1]])
        x = np.concatenate([[self._first[0]], b["lo_x"][:c], b["hi_x"][:c], [self._last[0]]])
        y = np.concatenate([[self._first[1]], b["lo_y"][:c], b["hi_y"][:c], [self._last[1]]])
        idx, first = np.unique(idx, return_index=True)
        return idx, x[first], y[first]


class DistanceTrace:
    """The samples of a stream at (the first at or past) each point of an even distance
    grid, with the values of ``columns`` there; every sample while at most ``max_points``.

    ``update(distance, {column: values})`` with consecutive pieces; :meth:`result` gives
    (index, {column: values}) of the kept samples, sorted, the last sample included."""

    def __init__(self, max_points: int, columns: Sequence[str] = ()) -> None:
        self.max_points = int(max_points)
        self.columns = tuple(columns)
        self.step_m = 1.0
        self.pos = 0
        self._d0 = math.nan
        self._dmax = -math.inf
        self._j = np.zeros(0, np.int64)  # grid points reached so far: 0, 1, ..., len - 1
        self._idx = np.zeros(0, np.int64)
        self._vals: dict[str, F64] = {c: np.zeros(0) for c in self.columns}
        self._raw: list[dict[str, F64]] | None = []  # every sample while they all fit
        self._last: dict[str, float] = {}

    def _coarsen(self, step_m: float) -> None:
        factor = int(round(step_m / self.step_m))
        keep = self._j % factor == 0
        self._j = self._j[keep] // factor
        self._idx = self._idx[keep]
        self._vals = {c: v[keep] for c, v in self._vals.items()}
        self.step_m = step_m

    def update(self, distance: ArrayLike, values: Mapping[str, ArrayLike]) -> None:
        d = np.asarray(distance, dtype=np.float64)
        m = len(d)
        if m == 0:
            return
        cols = {c: np.asarray(values[c], dtype=np.float64) for c in self.columns}
        dm = np.maximum(np.maximum.accumulate(d), self._dmax)
        if self.pos == 0:
            self._d0 = float(dm[0])
        end = self.pos + m
        if self._raw is not None and end <= self.max_points:
            self._raw.append({c: v.copy() for c, v in cols.items()})
        else:
            self._raw = None
        self._coarsen(grid_step_m(float(dm[-1]) - self._d0, self.max_points))
        j_next = len(self._j)
        j_end = math.floor((float(dm[-1]) - self._d0) / self.step_m) + 2
        if j_end > j_next:
            j = np.arange(j_next, j_end, dtype=np.int64)
            grid = self._d0 + j * self.step_m
            j, grid = j[grid <= dm[-1]], grid[grid <= dm[-1]]
            at = np.searchsorted(dm, grid)  # the first sample at or past each grid point
            self._j = np.concatenate([self._j, j])
            self._idx = np.concatenate([self._idx, self.pos + at])
            self._vals = {c: np.concatenate([v, cols[c][at]]) for c, v in self._vals.items()}
        self._last = {c: float(cols[c][-1]) for c in self.columns}
        self._dmax = float(dm[-1])
        self.pos = end

    def result(self) -> tuple[I64, dict[str, F64]]:
        """(index, {column: values}) of the kept samples, sorted, no duplicates."""
        if self.pos == 0:
            return np.zeros(0, np.int64), {c: np.zeros(0) for c in self.columns}
        if self._raw is not None:
            vals = {c: np.concatenate([p[c] for p in self._raw]) for c in self.columns}
            return np.arange(self.pos, dtype=np.int64), vals
        idx = np.concatenate([self._idx, [self.pos - 1]])
        vals = {c: np.concatenate([v, [self._last[c]]]) for c, v in self._vals.items()}
        idx, first = np.unique(idx, return_index=True)
        return idx, {c: v[first] for c, v in vals.items()}


def minmax_indices(values: ArrayLike, max_points: int) -> I64:
    """Sorted sample indices keeping each bucket's min and max (at most ``max_points``;
    all of them when ``len(values) <= max_points``): :class:`MinMaxTrace` of one array."""
    y = np.asarray(values, dtype=np.float64)
    trace = MinMaxTrace(max_points)
    trace.update(y, np.zeros(len(y)))
    return trace.result()[0]


def distance_indices(distance_m: ArrayLike, max_points: int) -> I64:
    """Sorted indices of the samples at the points of an even distance grid (at most
    ``max_points``): :class:`DistanceTrace` of one array."""
    trace = DistanceTrace(max_points)
    trace.update(distance_m, {})
    return trace.result()[0]
