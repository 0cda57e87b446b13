"""Evenly spaced table interpolation (physics.interp) against numpy.interp."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from raidsim.physics.interp import grid_cell_value, interp_grid, interp_grid_at

values = st.floats(-1e3, 1e3, allow_nan=False)
tables = st.integers(2, 30).flatmap(lambda n: arrays(np.float64, n, elements=values))


@settings(max_examples=80, deadline=None)
@given(tables, st.floats(-3.0, 35.0))
def test_interp_grid_is_numpy_interp_on_the_index_grid(arr: np.ndarray, u: float) -> None:
    """Linear between grid points k and k+1 (point k at u = k), clamped at both ends:
    the same as numpy.interp(u, arange(n), arr)."""
    want = float(np.interp(u, np.arange(arr.shape[0], dtype=np.float64), arr))
    assert interp_grid(arr, u) == pytest.approx(want, rel=1e-12, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.integers(6, 40), elements=values),
    st.data(),
    st.floats(-3.0, 40.0),
)
def test_interp_grid_at_is_interp_on_the_slice(
    arr: np.ndarray, data: st.DataObject, u: float
) -> None:
    """interp_grid_at(arr, off, n, u) = interp on arr[off : off + n] (no slice made)."""
    size = arr.shape[0]
    off = data.draw(st.integers(0, size - 2))
    n = data.draw(st.integers(2, size - off))
    want = float(np.interp(u, np.arange(n, dtype=np.float64), arr[off : off + n]))
    assert interp_grid_at(arr, off, n, u) == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_grid_points_and_midpoints() -> None:
    """Exact at the nodes, the mean at midpoints, end values outside."""
    arr = np.array([1.0, 3.0, -2.0, 5.0])
    for k, y in enumerate(arr):
        assert interp_grid(arr, float(k)) == y
    assert interp_grid(arr, 0.5) == 2.0
    assert interp_grid(arr, 2.5) == 1.5
    assert interp_grid(arr, -7.0) == 1.0
    assert interp_grid(arr, 9.0) == 5.0


def test_grid_cell_value_is_the_cell_holding_the_index_clamped() -> None:
    """Per-metre codes and markers: the cell int(u), the first below 0, the last past it."""
    arr = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    assert grid_cell_value(arr, 2.9) == 4.0
    assert grid_cell_value(arr, 3.0) == 1.0
    assert grid_cell_value(arr, -7.5) == 3.0
    assert grid_cell_value(arr, 99.0) == 5.0
