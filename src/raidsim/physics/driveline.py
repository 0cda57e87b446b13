"""Driveline laws: overall gear ratio, halfshaft compliance, lock clutches, the side-gear
solve and the implicit wheel-spin update (physics.md §3.1, §4.1, §4.2, §10.1)."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def axle_ratio(final_drive_ratio: float, transfer_ratio: float) -> float:
    """Ratio from the gearbox output to the wheels: i_axle = i_final x i_transfer (§3.1)."""
    return final_drive_ratio * transfer_ratio


@njit(cache=True)
def overall_ratio(gear_ratio: float, axle_ratio: float) -> float:
    """Engine-side (turbine) speed per wheel speed in a gear: i = i_gear x i_axle (§3.1),
    ``axle_ratio`` from :func:`axle_ratio`. The one place the product is formed: the
    kernel, the QSS tables, the initial gear, the correlation and the synthetic logs all
    call it (through :meth:`raidsim.model.vehicle.GearboxSpec.overall_ratios` in Python)."""
    return gear_ratio * axle_ratio


@njit(cache=True)
def halfshaft_torque_Nm(
    stiffness_Nm_per_rad: float, damping_Nms: float, twist_rad: float, slip_radps: float
) -> float:
    """Torsional spring-damper T = k theta + c (omega_sg - omega_w)."""
    return stiffness_Nm_per_rad * twist_rad + damping_Nms * slip_radps


@njit(cache=True)
def clutch_lock_torque_Nm(torque_to_lock_Nm: float, capacity_Nm: float) -> float:
    """A lock clutch transmits the torque that would lock it, up to its capacity:
    T = clip(T_lock, -T_cap, T_cap) (static/kinetic friction as one saturation)."""
    return min(capacity_Nm, max(-capacity_Nm, torque_to_lock_Nm))


@njit(cache=True)
def karnopp_spin(omega_free: float, friction_step: float) -> float:
    """Wheel speed after friction torque (brake, rolling) acts for one step (Karnopp):
    the friction removes up to ``friction_step`` rad/s and never reverses the spin."""
    if omega_free > friction_step:
        return omega_free - friction_step
    if omega_free < -friction_step:
        return omega_free + friction_step
    return 0.0
