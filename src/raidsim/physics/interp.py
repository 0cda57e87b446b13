"""Small-table interpolation usable inside Numba kernels."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def interp_table(x: float, xs: np.ndarray, ys: np.ndarray, n: int, off: int) -> float:
    """Piecewise-linear y(x) on the first ``n`` points of ``xs[off:]``/``ys[off:]``,
    clamped at both ends (no extrapolation)."""
    if x <= xs[off]:
        return ys[off]
    if x >= xs[off + n - 1]:
        return ys[off + n - 1]
    k = off
    while xs[k + 1] < x:
        k += 1
    f = (x - xs[k]) / (xs[k + 1] - xs[k])
    return ys[k] + f * (ys[k + 1] - ys[k])


@njit(cache=True)
def interp_grid(arr: np.ndarray, u: float) -> float:
    """Linear interpolation in an evenly spaced table at fractional index ``u`` (grid
    point k at u = k), clamped at both ends."""
    return interp_grid_at(arr, 0, arr.shape[0], u)


@njit(cache=True)
def interp_grid_at(arr: np.ndarray, off: int, n: int, u: float) -> float:
    """:func:`interp_grid` on the ``n`` points ``arr[off : off + n]`` (no slice made)."""
    if u <= 0.0:
        return arr[off]
    k = int(u)
    if k >= n - 1:
        return arr[off + n - 1]
    f = u - k
    return arr[off + k] + f * (arr[off + k + 1] - arr[off + k])


@njit(cache=True)
def grid_cell_value(arr: np.ndarray, u: float) -> float:
    """The value of the grid cell that holds fractional index ``u`` (``arr[int(u)]``, no
    interpolation: per-metre codes and markers), clamped at both ends."""
    return arr[min(max(int(u), 0), arr.shape[0] - 1)]
