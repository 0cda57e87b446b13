"""Aerodynamic drag (physics.md §9.1): F = 0.5 rho CdA v_rel^2."""

from __future__ import annotations


def drag_constant(rho_kg_per_m3: float, drag_area_m2: float) -> float:
    """k in F = k v^2."""
    return 0.5 * rho_kg_per_m3 * drag_area_m2
