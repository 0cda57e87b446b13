"""Where the car is on the route: the CG's projection onto the centre-line polyline."""

from __future__ import annotations

import math

import numpy as np

from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part


@kernel_part
def track_route(S: np.ndarray, rx: np.ndarray, ry: np.ndarray) -> tuple[float, float, float, float]:
    """Project the CG onto the route polyline (rx, ry), walking from the last segment
    (never reversing: a point off a convex bend can project beyond one segment and
    before the next).
    Updates ROUTE_IDX, S_ROUTE, N_ROUTE; returns (s, n, tangent x, tangent y)."""
    n_route = rx.shape[0]
    k = int(S[ix.S_ROUTE_IDX])
    if k > n_route - 2:
        k = n_route - 2
    moved = 0  # +1 forward, -1 backward
    x = S[ix.S_X]
    y = S[ix.S_Y]
    while True:
        tx = rx[k + 1] - rx[k]
        ty = ry[k + 1] - ry[k]
        inv = 1.0 / math.sqrt(tx * tx + ty * ty)
        tx *= inv
        ty *= inv
        proj = (x - rx[k]) * tx + (y - ry[k]) * ty
        if proj > 1.0 and k < n_route - 2 and moved >= 0:
            k += 1
            moved = 1
        elif proj < 0.0 and k > 0 and moved <= 0:
            k -= 1
            moved = -1
        else:
            break
    S[ix.S_ROUTE_IDX] = k
    s_cg = k + proj
    n_cg = -(x - rx[k]) * ty + (y - ry[k]) * tx
    S[ix.S_S_ROUTE] = s_cg
    S[ix.S_N_ROUTE] = n_cg
    return s_cg, n_cg, tx, ty
