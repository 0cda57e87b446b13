"""Torque converter, two-map model (SAE J643 style; Chrono/MathWorks) (physics.md §3.2).

SR = omega_t/omega_i;  T_impeller = (omega_i / K(SR))^2;  T_turbine = TR(SR) T_impeller
Coast (SR > 1): reverse flow, mirrored map with larger capacity factor, TR = 1.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from raidsim.physics.interp import interp_table

COAST_K_SCALE = 1.3  # estimate: reverse-flow capacity factor / drive capacity (physics.md §3.2)


@njit(cache=True)
def converter_torques(
    omega_i: float,
    omega_t: float,
    sr_tab: np.ndarray,
    k_tab: np.ndarray,
    tr_tab: np.ndarray,
    n: int,
    off: int,
) -> tuple[float, float]:
    """(T_impeller, T_turbine) in N m; positive = engine drives the turbine."""
    if omega_i < 1.0 and omega_t < 1.0:
        return 0.0, 0.0
    if omega_i >= omega_t:
        sr = omega_t / omega_i if omega_i > 1e-6 else 0.0
        if sr < 0.0:
            sr = 0.0
        k = interp_table(sr, sr_tab, k_tab, n, off)
        t_imp = (omega_i / k) ** 2
        return t_imp, t_imp * interp_table(sr, sr_tab, tr_tab, n, off)
    # coast: turbine faster than impeller, flow reverses
    sr = omega_i / omega_t if omega_t > 1e-6 else 0.0
    if sr < 0.0:
        sr = 0.0
    k = interp_table(sr, sr_tab, k_tab, n, off) * COAST_K_SCALE
    t = -((omega_t / k) ** 2)
    return t, t


@njit(cache=True)
def lockup_clutch_torque_Nm(capacity_Nm: float, slip_radps: float) -> float:
    """Slipping lock-up clutch, a smooth Karnopp-type friction law:
    T = T_cap (w_e - w_t) / (|w_e - w_t| + 1 rad/s) (physics.md §3.2)."""
    return capacity_Nm * slip_radps / (abs(slip_radps) + 1.0)


@njit(cache=True)
def converter_part_load(
    w_t: float,
    t_turb: float,
    idle: float,
    sr_tab: np.ndarray,
    k_tab: np.ndarray,
    tr_tab: np.ndarray,
    n: int,
) -> tuple[float, float]:
    """Engine speed and impeller torque of an unlocked converter that must deliver
    ``t_turb`` at turbine speed ``w_t`` in steady state (physics.md §3.2): solve

        TR(SR) (w_t / (SR K(SR)))^2 = t_turb,   w_e = w_t / SR,   T_imp = (w_e / K(SR))^2

    by bisection on SR in [0.05, 0.999] (the left side falls with SR), on the first
    ``n`` points of the maps. Below idle the engine idles and the converter slips
    (creep): SR = w_t / idle. Returns (w_e, T_imp)."""
    if t_turb <= 0.0 or w_t <= 0.0:
        return max(w_t, idle), 0.0
    lo = 0.05
    hi = 0.999
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        w_e = w_t / mid
        t_i = (w_e / interp_table(mid, sr_tab, k_tab, n, 0)) ** 2
        if interp_table(mid, sr_tab, tr_tab, n, 0) * t_i > t_turb:
            lo = mid
        else:
            hi = mid
    sr = 0.5 * (lo + hi)
    w_e = w_t / sr
    if w_e < idle:
        w_e = idle
        sr = w_t / idle
    return w_e, t_turb / interp_table(sr, sr_tab, tr_tab, n, 0)
