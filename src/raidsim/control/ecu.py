"""Engine control: speed limiter, rev limiter and idle governor as throttle factors
(physics.md §2)."""

from __future__ import annotations

from numba import njit

#: the rev limiter cuts over this fraction of the rev limit
REV_LIMIT_BAND = 0.01
#: idle governor gain (throttle per rad/s below idle) and its throttle ceiling
IDLE_GAIN_PER_RADPS = 0.004
IDLE_MAX_THROTTLE = 0.3


@njit(cache=True)
def speed_limiter_factor(speed_limit_mps: float, speed_mps: float, band_mps: float) -> float:
    """Throttle factor of the vehicle's speed limiter, a governor about its set speed:
    1 below limit - band/2, 0 above limit + band/2, linear between (the car holds the
    set speed where the factor meets the throttle the drag needs)."""
    return min(1.0, max(0.0, (speed_limit_mps + 0.5 * band_mps - speed_mps) / band_mps))


@njit(cache=True)
def rev_limiter_factor(rev_limit_radps: float, engine_radps: float) -> float:
    """Throttle factor of the rev limiter: falls from 1 to 0 over the last 1 %."""
    return min(1.0, max(0.0, (rev_limit_radps - engine_radps) / (REV_LIMIT_BAND * rev_limit_radps)))


@njit(cache=True)
def idle_throttle(idle_radps: float, engine_radps: float) -> float:
    """Throttle the idle governor asks for below idle speed."""
    return min(IDLE_MAX_THROTTLE, max(0.0, IDLE_GAIN_PER_RADPS * (idle_radps - engine_radps)))
