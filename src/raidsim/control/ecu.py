"""Engine control: speed limiter, rev limiter and idle governor as throttle factors
(physics.md §2), and the control units' wheel-slip estimate (used by the TCU's slip hold,
launch control and Flight Mode's wheel-speed matching)."""

from __future__ import annotations

from numba import njit

#: the rev limiter cuts over this fraction of the rev limit
REV_LIMIT_BAND = 0.01
#: idle governor gain (throttle per rad/s below idle) and its throttle ceiling
IDLE_GAIN_PER_RADPS = 0.004
IDLE_MAX_THROTTLE = 0.3
#: ground speed floor of the wheel-slip estimate, m/s (no division by a standstill)
SLIP_SPEED_FLOOR_MPS = 2.0


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


@njit(cache=True)
def tread_speed_mps(
    rolling_radius_m: float, omega_fl: float, omega_fr: float, omega_rl: float, omega_rr: float
) -> float:
    """Mean tread speed of the four wheels from their spin, r0 mean(omega_i), m/s: what the
    control units read from the wheel-speed sensors."""
    return 0.25 * rolling_radius_m * (omega_fl + omega_fr + omega_rl + omega_rr)


@njit(cache=True)
def wheel_slip_estimate(tread_speed_mps: float, ground_speed_mps: float, floor_mps: float) -> float:
    """The control units' wheel-slip estimate, s = (v_tread - v) / max(v, v_floor)
    (``floor_mps`` keeps it finite at a standstill; :data:`SLIP_SPEED_FLOOR_MPS`)."""
    return (tread_speed_mps - ground_speed_mps) / max(ground_speed_mps, floor_mps)
