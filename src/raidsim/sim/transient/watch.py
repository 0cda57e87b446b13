"""The run's supervisor: has the car lost control? Checked at the sample rate in the
driver mode; the kernel stops with ``STATUS_LOST_CONTROL`` and the cause in the
``LOST_CONTROL`` state (``layout.LOST_CONTROL_CAUSES``), never reports a finish."""

from __future__ import annotations

import math

import numpy as np

from raidsim.control.driver import wrap_angle_rad
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part

#: below this speed the travel direction is the body's heading, m/s
HEADING_FROM_VELOCITY_MPS = 3.0

LEFT_ROUTE = 1
WRONG_WAY = 2
NO_PROGRESS = 3


@kernel_part
def lost_control_cause(S: np.ndarray, P: np.ndarray, tx: float, ty: float, dt_s: float) -> int:
    """0 while the car is under control, else the cause: off the route by more than
    LC_MAX_OFFSET; travelling more than LC_MAX_HEADING off the route's direction for
    LC_HEADING_T (against the route, or spinning); less than LC_MIN_PROGRESS along the
    route in LC_PROGRESS_T. ``dt_s``: time since the last check."""
    if abs(S[ix.S_N_ROUTE]) > P[ix.P_LC_MAX_OFFSET]:
        return LEFT_ROUTE
    vx = S[ix.S_VX]
    vy = S[ix.S_VY]
    if vx * vx + vy * vy > HEADING_FROM_VELOCITY_MPS * HEADING_FROM_VELOCITY_MPS:
        travel = math.atan2(vy, vx)
    else:
        travel = S[ix.S_PSI]
    err = wrap_angle_rad(travel - math.atan2(ty, tx))
    if abs(err) > P[ix.P_LC_MAX_HEADING]:
        S[ix.S_HEADING_ERR_T] += dt_s
        if S[ix.S_HEADING_ERR_T] > P[ix.P_LC_HEADING_T]:
            return WRONG_WAY
    else:
        S[ix.S_HEADING_ERR_T] = 0.0
    if S[ix.S_T] - S[ix.S_PROGRESS_T] >= P[ix.P_LC_PROGRESS_T]:
        if S[ix.S_S_ROUTE] - S[ix.S_PROGRESS_S] < P[ix.P_LC_MIN_PROGRESS]:
            return NO_PROGRESS
        S[ix.S_PROGRESS_T] = S[ix.S_T]
        S[ix.S_PROGRESS_S] = S[ix.S_S_ROUTE]
    return 0
