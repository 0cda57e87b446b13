"""Steering geometry: Ackermann split of the bicycle road-wheel angle (physics.md §6.2)."""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def ackermann_angles(steer_rad: float, wheelbase_m: float, track_m: float) -> tuple[float, float]:
    """Left and right front road-wheel angles of ideal Ackermann geometry for the
    bicycle angle delta: turn radius R = L / tan(delta), delta_l,r = atan(L / (R -/+ t/2))."""
    if abs(steer_rad) > 1e-6:
        rad = wheelbase_m / math.tan(steer_rad)
        half = 0.5 * track_m
        return math.atan(wheelbase_m / (rad - half)), math.atan(wheelbase_m / (rad + half))
    return steer_rad, steer_rad
