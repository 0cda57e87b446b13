"""Transmission control: shift map with hysteresis and the lock-up command
(physics.md §3.3). Used by the transient TCU and by the QSS gear choice."""

from __future__ import annotations

import numpy as np
from numba import njit

#: a downshift must leave the engine below this fraction of the rev limit
DOWNSHIFT_REV_MARGIN = 0.92
#: lock-up opens this far (m/s) below its minimum speed (hysteresis)
LOCKUP_SPEED_HYSTERESIS_MPS = 2.0
#: the engine this close to its rev limit upshifts whatever the turbine speed, the slip
#: or the time in gear (a converter slipping at launch holds the turbine below the line)
LIMIT_UPSHIFT_FRACTION = 0.98
#: sand mode: on soft soil no upshift below this throttle (a lift over a dune crest is
#: not a reason to upshift; the gear is held for the climb after it)
SAND_MIN_UPSHIFT_THROTTLE = 0.6
#: the TCU may upshift only below this brake pedal
UPSHIFT_MAX_BRAKE = 0.05


@njit(cache=True)
def upshift_permitted(
    time_in_gear_s: float,
    min_time_in_gear_s: float,
    slip: float,
    slip_hold: float,
    brake: float,
    soft_ground: bool,
    throttle: float,
) -> bool:
    """May the TCU upshift below the rev limit? Not within the minimum time in gear, not
    on the brakes, not while the driven wheels slip more than the hold (sand: the next
    gear would bog down), and in sand mode not on a throttle lift."""
    if time_in_gear_s <= min_time_in_gear_s or brake >= UPSHIFT_MAX_BRAKE:
        return False
    if slip >= slip_hold:
        return False
    return not (soft_ground and throttle < SAND_MIN_UPSHIFT_THROTTLE)


@njit(cache=True)
def at_rev_limit(engine_rpm: float, rev_limit_rpm: float, brake: float) -> bool:
    """The engine is at the limiter (and the driver is not braking): upshift now."""
    return engine_rpm >= LIMIT_UPSHIFT_FRACTION * rev_limit_rpm and brake < UPSHIFT_MAX_BRAKE


@njit(cache=True)
def shift_points(
    throttle: float, up_part: float, up_full: float, down_part: float, down_full: float
) -> tuple[float, float]:
    """Up- and downshift turbine speeds, linear in throttle between the part- and
    full-load lines of the shift map (any speed unit, as given)."""
    return (
        up_part + (up_full - up_part) * throttle,
        down_part + (down_full - down_part) * throttle,
    )


@njit(cache=True)
def shift_decision(
    gear: int,
    n_gears: int,
    turbine_speed: float,
    upshift_speed: float,
    downshift_speed: float,
    upshift_allowed: bool,
    downshift_allowed: bool,
    ratios: np.ndarray,
    downshift_ceiling: float,
) -> int:
    """+1 to upshift, -1 to downshift, 0 to hold. An upshift above the upshift line; a
    downshift below the downshift line if the lower gear keeps the turbine under
    ``downshift_ceiling`` (DOWNSHIFT_REV_MARGIN x the rev limit; ``ratios[g - 1]`` is
    gear g's ratio; speeds in one unit)."""
    if gear < n_gears and turbine_speed > upshift_speed and upshift_allowed:
        return 1
    if (
        gear > 1
        and turbine_speed < downshift_speed
        and downshift_allowed
        and turbine_speed * ratios[gear - 2] / ratios[gear - 1] < downshift_ceiling
    ):
        return -1
    return 0


@njit(cache=True)
def lockup_command(
    command: float,
    gear: int,
    speed_mps: float,
    min_gear: float,
    min_speed_mps: float,
    shifting: bool,
) -> float:
    """Lock-up clutch command 0/1: close in a high enough gear above the minimum speed
    when not shifting; open below the speed minus the hysteresis or in a low gear."""
    if gear >= min_gear and speed_mps > min_speed_mps and not shifting:
        return 1.0
    if speed_mps < min_speed_mps - LOCKUP_SPEED_HYSTERESIS_MPS or gear < min_gear:
        return 0.0
    return command
