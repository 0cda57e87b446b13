"""TMeasy combined-slip tyre (Rill, Road Vehicle Dynamics; as in Chrono [S62][S50]).

Slips with rolling-speed regulariser v_N:
    sx = -(vx - r omega)/(r|omega| + v_N),  sy = -vy/(r|omega| + v_N)
Normalised combined slip s = sqrt((sx/sx^)^2 + (sy/sy^)^2), direction (cos phi, sin phi).
Generalised force curve F(s) with initial slope dF0, peak (sM, FM), sliding (sS, FS):
    0 <= s <= sM :  F = s dF0 / (1 + (s/sM)(s/sM + dF0 sM/FM - 2))
    sM < s <= sS :  F = FM - (FM - FS) sigma^2 (3 - 2 sigma),  sigma = (s - sM)/(sS - sM)
    s > sS       :  F = FS
Load dependence of forces and slopes (Rill): y(Fz) = (Fz/Fn)(2 y1 - y2/2 - (y1 - y2/2) Fz/Fn),
slip positions linear in Fz between Fn and 2 Fn.
"""

from __future__ import annotations

import math

from numba import njit

from raidsim.units import KMH_PER_MPS

#: on a surface's scaled curve the sliding slip is at least this multiple of the peak slip
#: (flattens the curve after the peak on sand, physics.md §5.1)
MIN_SLIDING_OVER_PEAK_SLIP = 1.5


@njit(cache=True)
def load_scaled(fz_ratio: float, y1: float, y2: float) -> float:
    """Rill's quadratic load interpolation through (0,0), (Fn, y1), (2Fn, y2)."""
    return fz_ratio * (2.0 * y1 - 0.5 * y2 - (y1 - 0.5 * y2) * fz_ratio)


@njit(cache=True)
def load_linear(fz_ratio: float, y1: float, y2: float) -> float:
    return y1 + (y2 - y1) * (fz_ratio - 1.0)


@njit(cache=True)
def generalised_force(s: float, df0: float, sm: float, fm: float, ss: float, fs: float) -> float:
    """TMeasy force magnitude for normalised combined slip s >= 0."""
    if s <= sm:
        x = s / sm
        return s * df0 / (1.0 + x * (x + df0 * sm / fm - 2.0))
    if s <= ss:
        sig = (s - sm) / (ss - sm)
        return fm - (fm - fs) * sig * sig * (3.0 - 2.0 * sig)
    return fs


@njit(cache=True)
def tmeasy_forces(
    sx: float,
    sy: float,
    dfx0: float,
    sxm: float,
    fxm: float,
    sxs: float,
    fxs: float,
    dfy0: float,
    sym: float,
    fym: float,
    sys: float,
    fys: float,
) -> tuple[float, float, float]:
    """Combined-slip forces (Fx, Fy) and the secant stiffness dFx/dsx (N per unit slip)
    used by the implicit wheel-spin update. Inputs are load- and surface-scaled."""
    # normalising factors (Rill): sx^ = sxm/(sxm+sym) + (fxm/dfx0)/(fxm/dfx0 + fym/dfy0)
    ax = fxm / dfx0
    ay = fym / dfy0
    sxh = sxm / (sxm + sym) + ax / (ax + ay)
    syh = sym / (sxm + sym) + ay / (ax + ay)
    sxn = sx / sxh
    syn = sy / syh
    s = math.sqrt(sxn * sxn + syn * syn)
    if s < 1e-9:
        # linear limit: F = dF0 s in the slip direction
        return dfx0 * sx, dfy0 * sy, dfx0
    c = sxn / s
    si = syn / s
    df0 = math.sqrt((dfx0 * sxh * c) ** 2 + (dfy0 * syh * si) ** 2)
    sm = math.sqrt((sxm / sxh * c) ** 2 + (sym / syh * si) ** 2)
    fm = math.sqrt((fxm * c) ** 2 + (fym * si) ** 2)
    ss = math.sqrt((sxs / sxh * c) ** 2 + (sys / syh * si) ** 2)
    fs = math.sqrt((fxs * c) ** 2 + (fys * si) ** 2)
    f = generalised_force(s, df0, sm, fm, ss, fs)
    secant = f / s / sxh
    return f * c, f * si, secant


def rolling_resistance_coefficients(pressure_bar: float) -> tuple[float, float]:
    """Hard-road rolling-resistance coefficient f = a + b v^2 at inflation p (bar), from
    f = 0.005 + (1/p)(0.01 + 0.0095 (v / 100 km/h)^2) [S68]; returns (a, b in s^2/m^2)."""
    return 0.005 + 0.01 / pressure_bar, 0.0095 / pressure_bar / (100.0 / KMH_PER_MPS) ** 2


@njit(cache=True)
def rolling_resistance_N(
    a: float, b_s2_per_m2: float, speed_mps: float, surface_scale: float, load_N: float
) -> float:
    """Rolling resistance F = (a + b v^2) k_surface Fz (physics.md §5.2) [S68]."""
    return (a + b_s2_per_m2 * speed_mps * speed_mps) * surface_scale * load_N


@njit(cache=True)
def dynamic_rolling_radius_m(unloaded_radius_m: float, deflection_m: float) -> float:
    """TMeasy dynamic rolling radius r_d = r0 - defl / 3 (Rill) [S62]."""
    return unloaded_radius_m - deflection_m / 3.0
