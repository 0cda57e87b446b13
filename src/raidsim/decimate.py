"""Display-only decimation of telemetry traces (never used for exports).

Method: **min/max per bucket** (the envelope half of the M4 aggregation, Jugel et al.,
"M4: A Visualization-Oriented Time Series Data Aggregation", PVLDB 7(10), 2014). The samples
are split into ``max_points // 2`` buckets of consecutive samples; each bucket keeps the sample
with its minimum and the one with its maximum, in their original order. A line drawn through
the kept samples covers the same vertical extent as the full trace at any zoom out to one
bucket per pixel column, so peaks (landing torque spikes, rev limiter hits) are never lost,
which stride sampling or averaging would hide. First and last samples are always kept.

Map paths use :func:`distance_indices` instead: samples spread evenly in distance, so slow
sections do not take most of the points.

Pure numpy, importing nothing of raidsim: it sits in the bottom layer so the route's
profile plot, the run report and the correlation page share one implementation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_POINTS", "distance_indices", "minmax_indices"]

MAX_POINTS = 5000
I64 = NDArray[np.int64]


def minmax_indices(values: NDArray[np.floating] | NDArray[np.integer], max_points: int) -> I64:
    """Sorted sample indices keeping each bucket's min and max (at most ``max_points``).

    Returns all indices when ``len(values) <= max_points``. NaN samples are ignored within a
    bucket (an all-NaN bucket keeps its first sample, so gaps stay gaps).
    """
    y = np.asarray(values, dtype=np.float64)
    n = len(y)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    n_buckets = max(1, (max_points - 2) // 2)
    size = -(-n // n_buckets)  # ceil
    pad = n_buckets * size - n
    lo = np.where(np.isnan(y), np.inf, y)
    hi = np.where(np.isnan(y), -np.inf, y)
    lo = np.concatenate([lo, np.full(pad, np.inf)]).reshape(n_buckets, size)
    hi = np.concatenate([hi, np.full(pad, -np.inf)]).reshape(n_buckets, size)
    base = np.arange(n_buckets, dtype=np.int64) * size
    i_min = base + np.argmin(lo, axis=1)
    i_max = base + np.argmax(hi, axis=1)
    keep = np.concatenate([[0, n - 1], i_min, i_max])
    return np.unique(np.clip(keep, 0, n - 1))


def distance_indices(distance_m: NDArray[np.floating], max_points: int) -> I64:
    """Sorted indices of the samples nearest to ``max_points`` evenly spaced distances."""
    d = np.maximum.accumulate(np.asarray(distance_m, dtype=np.float64))
    n = len(d)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    grid = np.linspace(d[0], d[-1], max_points)
    idx = np.clip(np.searchsorted(d, grid), 0, n - 1).astype(np.int64)
    return np.unique(np.concatenate([[0, n - 1], idx]))
