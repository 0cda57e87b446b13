"""The driver's speed plan along the route (a quasi-steady profile).

v_max(s) = min( sqrt(grip_usage mu g / |kappa|),  limit(s),  speed limiter )

where limit(s) holds the speed zones, the roadbook's named feature speeds (blind dune
crests, jump take-offs) and the ride/shock limits the vehicle itself gives on that ground
(:mod:`raidsim.sim.ride`, docs/physics.md §13.3); no per-surface cap.
then a backward pass v(s) <= sqrt(v(s+ds)^2 + 2 a_brake ds) so the plan is brakeable
(classic lap-time method, TUMFTM / physics.md DESIGN "QSS"). The transient driver tracks
this plan with a PI controller; the car's own traction limits acceleration.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from raidsim.control.limits import Limit
from raidsim.model.settings import DriverSpec
from raidsim.model.surfaces import SURFACE_TABLE, SURFACES
from raidsim.physics import fpmath

G = 9.80665


def smooth_curvature(curvature_1pm: NDArray[np.float64], window_m: float, step_m: float) -> NDArray:
    """Centred moving average of curvature over ``window_m`` (drivers cut corners)."""
    n = max(1, int(round(window_m / step_m)))
    if n <= 1:
        return np.asarray(curvature_1pm, dtype=np.float64)
    kernel = np.ones(n) / n
    padded = np.pad(curvature_1pm, (n // 2, n - 1 - n // 2), mode="edge")
    return fpmath.convolve_valid(padded, kernel)


def target_speed_profile(
    curvature_1pm: NDArray[np.float64],
    surface_code: NDArray[np.int8],
    limit_mps: NDArray[np.float64],
    step_m: float,
    driver: DriverSpec,
    tyre_mu: float | NDArray[np.float64],
    vehicle_limit_mps: float,
    grip_factor: NDArray[np.float64] | None = None,
    terms: dict[Limit, NDArray[np.float64]] | None = None,
) -> NDArray[np.float64]:
    """Brakeable target speed per route point, m/s (``limit_mps``: every limit along the
    route other than cornering grip and the vehicle's limiter, inf where none). With
    ``terms``, the cornering-grip and limiter speeds are added to it (for
    :func:`raidsim.control.limits.binding_limits`). ``tyre_mu``: the tyre's hard-ground
    lateral friction, scaled by each surface's mu scale, or per surface class the lateral
    friction the tyres have there (:func:`raidsim.model.derived.surface_lateral_mu`: on
    soil, what the sand holds)."""
    usage = np.array([driver.grip_usage[s] for s in SURFACES])
    if np.ndim(tyre_mu) == 0:
        mu_surface = np.array([SURFACE_TABLE[s].mu_scale for s in SURFACES]) * tyre_mu
    else:
        mu_surface = np.asarray(tyre_mu, dtype=np.float64)
    decel = np.array([driver.decel_g[s] for s in SURFACES]) * G
    code = surface_code.astype(np.int64)
    g_f = np.ones(len(code)) if grip_factor is None else grip_factor
    kappa = np.abs(smooth_curvature(curvature_1pm, driver.curvature_smoothing_m, step_m))
    a_lat_max = usage[code] * mu_surface[code] * g_f * G
    v_corner = np.sqrt(a_lat_max / np.maximum(kappa, 1e-6))
    v = np.minimum.reduce([v_corner, limit_mps, np.full_like(v_corner, vehicle_limit_mps)])
    if terms is not None:
        terms[Limit.CORNER] = v_corner
        terms[Limit.LIMITER] = np.full_like(v_corner, vehicle_limit_mps)
    a = decel[code] * g_f
    return np.ascontiguousarray(_backward_pass(v, a, a_lat_max, kappa, step_m), dtype=np.float64)


@njit(cache=True)
def _backward_pass(
    v: np.ndarray, decel: np.ndarray, a_lat_max: np.ndarray, kappa: np.ndarray, step_m: float
) -> np.ndarray:
    """Brakeable speeds: v_i <= sqrt(v_{i+1}^2 + 2 a_x ds) with the friction ellipse
    a_x = decel sqrt(1 - (v^2 kappa / a_lat_max)^2) (braking left over in a corner)."""
    out = v.copy()
    for i in range(len(out) - 2, -1, -1):
        vn = out[i + 1]
        lat = vn * vn * kappa[i] / a_lat_max[i]
        frac = 1.0 - lat * lat
        if frac < 0.05:
            frac = 0.05
        reach = math.sqrt(vn * vn + 2.0 * decel[i] * math.sqrt(frac) * step_m)
        if out[i] > reach:
            out[i] = reach
    return out
