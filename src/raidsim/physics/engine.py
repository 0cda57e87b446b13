"""Turbo petrol engine: full-load curve, friction, turbo lag, Willans fuel (physics.md §2).

T_full(N) = min(T_prod(N), P_cap/omega)                       §2.1
fmep[kPa] = 97 + 15 (N/1000) + 5 (N/1000)^2, T_fric = fmep V_d/(4 pi)   Heywood [S32]
dT_boost/dt = (T_target - T_boost)/tau(N)                     §2.1 (E)
mdot_f = (T_brake + T_0(N)) omega / (e LHV)                    Willans [S33][S34]
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from raidsim.units import RADPS_TO_RPM

#: rad/s -> rpm, an alias of ``raidsim.units.RADPS_TO_RPM`` kept for importers
RPM = RADPS_TO_RPM


def friction_coefficients(displacement_m3: float, scale: float) -> tuple[float, float, float]:
    """Coefficients (a, b, c) of T_fric = a + b omega + c omega^2 (N m, omega in rad/s)
    from the Heywood/Barnes-Moss fmep correlation scaled by ``scale``."""
    k = displacement_m3 / (4.0 * math.pi) * 1000.0 * scale  # kPa -> Pa and V/(4 pi)
    n_per_omega = RADPS_TO_RPM / 1000.0  # N/1000 per rad/s
    return 97.0 * k, 15.0 * n_per_omega * k, 5.0 * n_per_omega**2 * k


@njit(cache=True)
def friction_torque_Nm(omega: float, a: float, b: float, c: float) -> float:
    """Closed-throttle drag torque (positive number), N m."""
    w = abs(omega)
    return a + b * w + c * w * w


@njit(cache=True)
def turbo_tau_s(
    omega: float, w_low: float, w_high: float, tau_low: float, tau_high: float
) -> float:
    """Boost time constant falling linearly from tau_low at w_low to tau_high at w_high."""
    if omega <= w_low:
        return tau_low
    if omega >= w_high:
        return tau_high
    return tau_low + (tau_high - tau_low) * (omega - w_low) / (w_high - w_low)


@njit(cache=True)
def willans_fuel_rate_kg_s(
    torque_Nm: float, omega: float, t0_Nm: float, efficiency: float, lhv_J_per_kg: float
) -> float:
    """Fuel mass flow from the Willans line; zero on overrun (fuel cut)."""
    tb = torque_Nm + t0_Nm
    if tb <= 0.0 or omega <= 0.0:
        return 0.0
    return tb * omega / (efficiency * lhv_J_per_kg)


@njit(cache=True)
def full_load_torque_Nm(production_Nm: float, power_cap_W: float, omega_radps: float) -> float:
    """Full-load torque behind the restrictor: T_full = min(T_prod(omega), P_cap / omega)
    (physics.md §2.1); the cap is ignored below 1 rad/s."""
    if omega_radps > 1.0 and power_cap_W / omega_radps < production_Nm:
        return power_cap_W / omega_radps
    return production_Nm


@njit(cache=True)
def boost_step(boost: float, throttle: float, tau_s: float, dt_s: float) -> float:
    """First-order turbo lag: b' = (throttle - b) / tau (physics.md §2.2)."""
    return boost + dt_s * (throttle - boost) / tau_s


@njit(cache=True)
def boost_limited_torque_Nm(full_Nm: float, natural_fraction: float, boost: float) -> float:
    """Torque available at the current boost: T_full (f_NA + (1 - f_NA) b) (§2.2)."""
    return full_Nm * (natural_fraction + (1.0 - natural_fraction) * boost)


@njit(cache=True)
def full_load_torque_array_Nm(
    production_Nm: np.ndarray, power_cap_W: float, omega_radps: np.ndarray
) -> np.ndarray:
    """:func:`full_load_torque_Nm` element by element over equal-shaped arrays."""
    out = np.empty_like(production_Nm)
    flat_t = production_Nm.ravel()
    flat_w = omega_radps.ravel()
    flat_o = out.ravel()
    for k in range(flat_t.shape[0]):
        flat_o[k] = full_load_torque_Nm(flat_t[k], power_cap_W, flat_w[k])
    return out
