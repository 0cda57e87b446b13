"""The vehicle's speed table: seat response against speed on the canonical courses, and
the limited speed a crew tolerance gives (docs/physics.md §13.3).

A :class:`SpeedCurve` is one course driven at the set speeds :data:`SET_SPEEDS_MPS` (up to
the vehicle's limiter): measured speed, absorbed power (W) and peak shock (g). The ride
table holds one curve per ISO 8608 level :data:`GD_LEVELS_M3` (the class means A-G); shock
curves are per feature (whoops wavelength and amplitude, rock amplitude).

Limited speed (:func:`crossing_speed`): the lowest speed at which the measure reaches the
crew's limit, interpolated between grid speeds in log(measure). Below the first grid speed
the linear-ride scalings extrapolate: absorbed power grows as v for an ISO w = 2 profile
(the vertical velocity input is white, its level proportional to Gd(n0) v), quasi-static
shock over a feature as v^2. Between levels of the ride table log(P_abs) and the speed
are interpolated linearly in log Gd(n0); outside the grid P_abs scales with Gd(n0) (the
same linear theory). A level of 0 (smooth) has no ride limit; a measure that never reaches
the limit on the grid gives no limit (inf).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from raidsim.physics import fpmath
from raidsim.route.roughness import CLASS_GD_M3

F64 = NDArray[np.float64]

#: set speeds of the sweep, m/s (18-252 km/h), capped at the vehicle's limiter
SET_SPEEDS_MPS: tuple[float, ...] = (5.0, 8.0, 12.0, 17.0, 23.0, 30.0, 38.0, 47.0, 57.0, 70.0)
#: ISO 8608 class means A..G, m^3 (H lies beyond the validated Gd range of 0.1 m^3)
GD_LEVELS_M3: tuple[float, ...] = tuple(CLASS_GD_M3[c] for c in "ABCDEFG")
#: the sweep of one course stops past these (far beyond any crew's tolerance)
STOP_POWER_W = 2000.0
STOP_SHOCK_G = 20.0
#: growth exponents below the first grid speed: P_abs ~ v, quasi-static shock ~ v^2
RIDE_EXPONENT = 1.0
SHOCK_EXPONENT = 2.0
#: below the first grid speed the compression grows like the quasi-static shock, as v^2
TRAVEL_EXPONENT = 2.0


@dataclass(frozen=True)
class SpeedCurve:
    """One course driven at each set speed: what the speed was and what the seat felt."""

    speed_mps: F64
    absorbed_power_W: F64
    shock_peak_g: F64
    #: dynamic load coefficient: std / mean of the tyre loads, mean over the four tyres
    load_variation: F64
    #: the deepest compression of any corner over the measured part, as a share of its
    #: bump travel (1 = the bump stop fully compressed: the suspension bottoms out)
    travel_use: F64


def set_speeds(vehicle_limit_mps: float) -> tuple[float, ...]:
    """The grid below the vehicle's limiter, and the limiter's speed itself."""
    below = tuple(v for v in SET_SPEEDS_MPS if v < vehicle_limit_mps - 1.0)
    return below + (min(vehicle_limit_mps, SET_SPEEDS_MPS[-1]),)


def crossing_speed(speed_mps: F64, measure: F64, limit: float, exponent: float) -> float:
    """Lowest speed at which ``measure`` reaches ``limit`` (see module docstring)."""
    if not limit > 0.0:
        return 0.0
    over = np.flatnonzero(measure >= limit)
    if over.size == 0:
        return math.inf
    k = int(over[0])
    if k == 0:
        m0 = float(measure[0])
        return float(speed_mps[0]) * (limit / m0) ** (1.0 / exponent) if m0 > 0 else math.inf
    m_lo, m_hi = float(measure[k - 1]), float(measure[k])
    v_lo, v_hi = float(speed_mps[k - 1]), float(speed_mps[k])
    if not math.isfinite(m_hi) or m_lo <= 0.0:
        return v_lo + (v_hi - v_lo) * 0.5 if not math.isfinite(m_hi) else v_lo
    w = (math.log(limit) - math.log(m_lo)) / (math.log(m_hi) - math.log(m_lo))
    return v_lo + (v_hi - v_lo) * min(max(w, 0.0), 1.0)


def ride_curve_at(levels_m3: F64, curves: list[SpeedCurve], gd_m3: float) -> SpeedCurve:
    """The ride curve at level ``gd_m3``: log(P_abs) and speed interpolated in log Gd
    between the grid levels, P_abs ~ Gd outside them."""
    x = fpmath.log(levels_m3)
    xg = math.log(gd_m3)
    if xg <= x[0] or xg >= x[-1]:
        c = curves[0] if xg <= x[0] else curves[-1]
        ratio = gd_m3 / float(levels_m3[0] if xg <= x[0] else levels_m3[-1])
        dlc = c.load_variation * math.sqrt(ratio)
        travel = c.travel_use * math.sqrt(ratio)  # linear ride: the rms stroke ~ sqrt(Gd)
        return SpeedCurve(c.speed_mps, c.absorbed_power_W * ratio, c.shock_peak_g, dlc, travel)
    k = int(np.searchsorted(x, xg)) - 1
    w = (xg - x[k]) / (x[k + 1] - x[k])
    lo, hi = curves[k], curves[k + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = (1.0 - w) * fpmath.log(lo.absorbed_power_W) + w * fpmath.log(hi.absorbed_power_W)
    speed = (1.0 - w) * lo.speed_mps + w * hi.speed_mps
    p = np.where(
        np.isfinite(lo.absorbed_power_W) & np.isfinite(hi.absorbed_power_W),
        fpmath.exp(log_p),
        np.inf,
    )
    dlc = (1.0 - w) * lo.load_variation + w * hi.load_variation
    travel = (1.0 - w) * lo.travel_use + w * hi.travel_use
    return SpeedCurve(speed, p, lo.shock_peak_g, dlc, travel)


def ride_limited_mps(
    levels_m3: F64,
    curves: list[SpeedCurve],
    gd_m3: float,
    limit_W: float,
    travel_limit: float = math.inf,
) -> float:
    """Speed at which the absorbed power on level ``gd_m3`` reaches ``limit_W``, or the
    suspension's deepest compression there reaches ``travel_limit`` of its bump travel,
    whichever is the lower."""
    if not gd_m3 > 0.0:
        return math.inf
    c = ride_curve_at(levels_m3, curves, gd_m3)
    v_ride = crossing_speed(c.speed_mps, c.absorbed_power_W, limit_W, RIDE_EXPONENT)
    return min(v_ride, travel_limited_mps(c, travel_limit))


def grip_factor(curve: SpeedCurve, speed_mps: F64) -> F64:
    """Share of the static grip the crew counts on at ``speed_mps`` on this ground:
    1 - DLC, the grip at one standard deviation below the mean tyre load (estimate: the
    load-variation reading of road holding, docs/physics.md §13.3), at least 0.3."""
    dlc = np.interp(
        speed_mps,
        curve.speed_mps,
        np.where(np.isfinite(curve.load_variation), curve.load_variation, 1.0),
    )
    return np.asarray(np.clip(1.0 - dlc, 0.3, 1.0), dtype=np.float64)


def shock_limited_mps(curve: SpeedCurve, limit_g: float, travel_limit: float = math.inf) -> float:
    """Speed at which the peak shock over a feature reaches ``limit_g`` (the crew's), or
    the suspension's deepest compression reaches ``travel_limit`` of its bump travel (the
    car's: :func:`travel_limited_mps`), whichever is the lower."""
    v_shock = crossing_speed(curve.speed_mps, curve.shock_peak_g, limit_g, SHOCK_EXPONENT)
    return min(v_shock, travel_limited_mps(curve, travel_limit))


def travel_limited_mps(curve: SpeedCurve, travel_limit: float) -> float:
    """Speed at which the deepest compression of any corner reaches ``travel_limit`` of its
    bump travel: past it the suspension bottoms out (docs/physics.md §13.3)."""
    if not math.isfinite(travel_limit):
        return math.inf
    return crossing_speed(curve.speed_mps, curve.travel_use, travel_limit, TRAVEL_EXPONENT)
