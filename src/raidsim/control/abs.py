"""Anti-lock braking: release the brake progressively beyond the slip limit
(physics.md §8)."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def abs_brake_scale(slip_ratio: float, slip_limit: float, release_slip: float) -> float:
    """Factor on the brake torque: 1 within the limit, falling linearly to 0 at
    ``slip_limit + release_slip`` of wheel lock (slip < 0 when braking;
    ``brakes.abs_slip_limit``, ``brakes.abs_release_slip``)."""
    if slip_limit > 0.0 and slip_ratio < -slip_limit:
        return max(0.0, 1.0 - (-slip_ratio - slip_limit) / release_slip)
    return 1.0
