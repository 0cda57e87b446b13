"""Display decimation: the kept samples equal a brute-force reference of the documented
rule (power-of-two buckets and grid steps), whatever pieces the stream comes in."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.decimate import (
    DistanceTrace,
    MinMaxTrace,
    bucket_size,
    distance_indices,
    grid_step_m,
    minmax_indices,
)


def _ref_minmax(y: np.ndarray, max_points: int) -> np.ndarray:
    """Bucket k holds samples [k s, (k + 1) s), s the smallest power of two giving at most
    (max_points - 2) // 2 buckets; its first min and first max (NaN ignored) are kept."""
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    nb = max(1, (max_points - 2) // 2)
    s = 2 ** max(0, math.ceil(math.log2(n / nb)))
    if math.ceil(n / (s // 2 or 1)) <= nb and s > 1:  # log2 rounding: take the smaller
        s //= 2
    keep = {0, n - 1}
    for start in range(0, n, s):
        seg = y[start : start + s]
        lo = np.where(np.isnan(seg), np.inf, seg)
        hi = np.where(np.isnan(seg), -np.inf, seg)
        keep |= {start + int(np.argmin(lo)), start + int(np.argmax(hi))}
    return np.array(sorted(keep))


def _ref_distance(d: np.ndarray, max_points: int) -> np.ndarray:
    """The first sample at or past d0 + j step (running-max distance), step = 2^k m the
    smallest with floor(span / step) + 1 <= max_points - 1, and the last sample."""
    n = len(d)
    if n <= max_points:
        return np.arange(n)
    dm = np.maximum.accumulate(d)
    span = dm[-1] - dm[0]
    k = 0
    while math.floor(span / 2.0**k) + 1 > max_points - 1:
        k += 1
    keep = {n - 1}
    j = 0
    while dm[0] + j * 2.0**k <= dm[-1]:
        keep.add(int(np.argmax(dm >= dm[0] + j * 2.0**k)))
        j += 1
    return np.array(sorted(keep))


def _pieces(n: int, cuts: list[int]) -> list[slice]:
    bounds = sorted({0, n, *(c % (n + 1) for c in cuts)})
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3000),
    max_points=st.integers(3, 400),
    cuts=st.lists(st.integers(0, 3000), max_size=8),
    seed=st.integers(0, 2**16),
    levels=st.sampled_from([0, 3, 50]),  # few distinct values: many ties
    nan_share=st.sampled_from([0.0, 0.2, 1.0]),
)
def test_minmax_stream_equals_the_reference(
    n: int, max_points: int, cuts: list[int], seed: int, levels: int, nan_share: float
) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    if levels:
        y = np.round(y * levels) / levels
    y[rng.random(n) < nan_share] = np.nan
    x = np.cumsum(rng.random(n))
    trace = MinMaxTrace(max_points)
    for part in _pieces(n, cuts):
        trace.update(y[part], x[part])
    idx, xs, ys = trace.result()
    ref = _ref_minmax(y, max_points)
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_array_equal(xs, x[ref])
    np.testing.assert_array_equal(ys, y[ref])
    np.testing.assert_array_equal(minmax_indices(y, max_points), ref)
    assert len(idx) <= max(max_points, 4)  # one bucket (2) + first + last at least


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3000),
    max_points=st.integers(3, 400),
    cuts=st.lists(st.integers(0, 3000), max_size=8),
    seed=st.integers(0, 2**16),
    stops=st.booleans(),
)
def test_distance_stream_equals_the_reference(
    n: int, max_points: int, cuts: list[int], seed: int, stops: bool
) -> None:
    rng = np.random.default_rng(seed)
    step = rng.exponential(5.0, n) * (rng.random(n) > 0.5 if stops else 1.0)
    d = 100.0 + np.cumsum(step) - 1e-6 * (rng.random(n) < 0.1)  # projection steps back
    v = rng.normal(size=n)
    trace = DistanceTrace(max_points, ["v"])
    for part in _pieces(n, cuts):
        trace.update(d[part], {"v": v[part]})
    idx, vals = trace.result()
    ref = _ref_distance(d, max_points)
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_array_equal(vals["v"], v[ref])
    np.testing.assert_array_equal(distance_indices(d, max_points), ref)
    assert len(idx) <= max_points


def test_bucket_size_is_the_smallest_power_of_two_that_fits() -> None:
    for n in (1, 99, 2497, 2498, 2499, 100_003, 3_600_000):
        s = bucket_size(n, 5000)
        assert s & (s - 1) == 0 and math.ceil(n / s) <= 2499
        assert s == 1 or math.ceil(n / (s // 2)) > 2499
    assert grid_step_m(0.0, 10) == 1.0 and grid_step_m(800_000.0, 5000) == 256.0


def test_minmax_keeps_extremes_and_bounds_points() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=100_003)
    y[12_345] = 50.0
    y[77_777] = -60.0
    idx = minmax_indices(y, 5000)
    assert len(idx) <= 5000 and np.all(np.diff(idx) > 0)
    assert {0, 12_345, 77_777, len(y) - 1} <= set(idx.tolist())
    # every bucket's envelope is preserved: max/min of the kept points equal the data's
    assert y[idx].max() == y.max() and y[idx].min() == y.min()
    np.testing.assert_array_equal(minmax_indices(y[:100], 5000), np.arange(100))


def test_minmax_ignores_nan() -> None:
    y = np.full(20_000, np.nan)
    y[5000:6000] = np.linspace(0, 1, 1000)
    idx = minmax_indices(y, 100)
    assert 5000 in idx and 5999 in idx


def test_distance_indices_spread_evenly() -> None:
    d = np.concatenate([np.linspace(0, 100, 50_000), np.linspace(100, 10_000, 1000)])
    idx = distance_indices(d, 500)
    assert len(idx) <= 500
    assert np.max(np.diff(d[idx])) < 3 * 10_000 / 500


def test_memory_is_fixed_by_max_points() -> None:
    """A stream 100x longer keeps the same number of buckets and grid points."""
    trace, path = MinMaxTrace(200), DistanceTrace(200, ["v"])
    for k in range(100):
        y = np.sin(np.arange(10_000) + k)
        trace.update(y, y)
        path.update(10_000.0 * k + np.arange(10_000.0), {"v": y})
        assert trace._b["lo"].shape == (99,) and len(path._j) <= 199
    assert len(trace.result()[0]) <= 200 and len(path.result()[0]) <= 200
