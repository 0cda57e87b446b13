"""Aerodynamic drag (physics.md §9.1): F = 0.5 rho CdA v_rel^2."""

from __future__ import annotations

import math

from numba import njit


def drag_constant(rho_kg_per_m3: float, drag_area_m2: float) -> float:
    """k in F = k v^2."""
    return 0.5 * rho_kg_per_m3 * drag_area_m2


@njit(cache=True)
def drag_force_N(
    vx_mps: float, vy_mps: float, headwind_mps: float, cos_yaw: float, sin_yaw: float, k: float
) -> tuple[float, float, float]:
    """Horizontal drag F = -k |v_rel| v_rel on the air-relative velocity
    v_rel = v + w_head (cos psi, sin psi) (physics.md §9.1). Returns (Fx, Fy, |v_rel|)."""
    hwx = vx_mps + headwind_mps * cos_yaw
    hwy = vy_mps + headwind_mps * sin_yaw
    vrel = math.sqrt(hwx * hwx + hwy * hwy)
    return -k * vrel * hwx, -k * vrel * hwy, vrel


@njit(cache=True)
def drag_along_N(v_mps: float, headwind_mps: float, k: float) -> float:
    """Drag resisting straight-line motion at v with a head wind: k v_rel |v_rel|
    (physics.md §9.1), the one-dimensional form of :func:`drag_force_N`."""
    vr = v_mps + headwind_mps
    return k * vr * abs(vr)
