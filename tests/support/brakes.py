"""Caliper law that derives the presets' ``brakes.max_torque_*_Nm`` (physics.md §8.1).

The tiers take the torque at full pedal from the preset; this law only checks that value
against caliper data, so it lives with the tests.
"""

from __future__ import annotations


def brake_torque_Nm(
    pedal: float, p_max_Pa: float, piston_area_m2: float, r_eff_m: float, mu: float
) -> float:
    """Brake torque of one wheel, T_b = 2 mu p_line A r_eff with p_line = pedal p_max and
    A the total piston area on one side of an opposed caliper (two pad faces; §8.1)."""
    p = min(max(pedal, 0.0), 1.0) * p_max_Pa
    return 2.0 * mu * p * piston_area_m2 * r_eff_m
