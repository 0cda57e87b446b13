"""Suspension corner forces (physics.md §6.1). Travel x: + = compression (bump).

digressive damper [S73]: compression F = c_c v/(1 + d v), rebound F = c_r v/(1 - d v)
position-sensitive end zone [S74]: x multiplier in the last part of bump travel
bump stop: F = F_full ((x - x_bs)/L)^p + c_bs max(0, v) for x > x_bs
droop stop: stiff one-sided spring at full extension.
Force returned is positive when it pushes the body up and the wheel down.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def damper_force_N(
    v: float, x: float, c_comp: float, c_reb: float, d: float, endz_start: float, endz_mult: float
) -> float:
    """Digressive, position-sensitive damper; v = compression speed, m/s."""
    if v >= 0.0:
        f = c_comp * v / (1.0 + d * v)
    else:
        f = c_reb * v / (1.0 - d * v)
    if x > endz_start:
        f *= endz_mult
    return f


@njit(cache=True)
def stop_forces_N(
    x: float,
    v: float,
    bump: float,
    droop: float,
    bs_len: float,
    bs_f: float,
    bs_p: float,
    bs_c: float,
    droop_k: float,
) -> float:
    """Bump-stop and droop-stop force."""
    f = 0.0
    x_bs = bump - bs_len
    if x > x_bs:
        f += bs_f * ((x - x_bs) / bs_len) ** bs_p
        if v > 0.0:
            f += bs_c * v
    if x < -droop:
        f += droop_k * (x + droop)
    return f
