"""Anti-lock braking: release the brake progressively beyond the slip limit
(physics.md §8)."""

from __future__ import annotations

from numba import njit

#: slip beyond the limit over which the brake is fully released
ABS_RELEASE_SLIP = 0.08


@njit(cache=True)
def abs_brake_scale(slip_ratio: float, slip_limit: float) -> float:
    """Factor on the brake torque: 1 within the limit, falling linearly to 0 at
    ``slip_limit + ABS_RELEASE_SLIP`` of wheel lock (slip < 0 when braking)."""
    if slip_limit > 0.0 and slip_ratio < -slip_limit:
        return max(0.0, 1.0 - (-slip_ratio - slip_limit) / ABS_RELEASE_SLIP)
    return 1.0
