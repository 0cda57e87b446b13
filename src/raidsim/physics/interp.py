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
