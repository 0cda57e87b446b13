"""Launch control of a road car (``engine.launch_torque_Nm`` set; physics.md §2.1).

A launch is staged at a standstill with the pedal floored: the ECU builds boost against
the held brakes before they are released, so the run starts with the boost state at 1
(the staging seconds are not simulated: the clock starts at brake release, as for
published 0-100 km/h times). The launch runs until the pedal lifts below
:data:`LAUNCH_MIN_THROTTLE` or the brake is pressed; meanwhile the launch-mode curve
applies (:func:`launch_curve_Nm`) and wheel slip is held at the target s* by a torque
reduction (ignition, fast; :func:`launch_torque_factor`):

    f = clip(1 - (s - s*) / band, 0, 1)

with s the control units' wheel-slip estimate (:func:`raidsim.control.ecu.wheel_slip_estimate`).
"""

from __future__ import annotations

from numba import njit

#: launch control stages a launch (boost built against the brakes) below this speed, m/s
LAUNCH_STAGE_SPEED_MPS = 0.5
#: launch control holds while the pedal stays above this (a lift ends the launch)
LAUNCH_MIN_THROTTLE = 0.9
#: a brake pedal above this ends the launch
LAUNCH_BRAKE_OFF = 0.05
#: launch control takes all torque off at slip target + this band (estimate, physics.md §2.1)
LAUNCH_SLIP_BAND = 0.20


@njit(cache=True)
def launch_engaged(
    engaged: bool, throttle: float, brake: float, speed_mps: float
) -> tuple[bool, bool]:
    """(engaged after this step, staged this step): a lift or the brake ends the launch;
    a floored pedal at a standstill stages one (boost built against the brakes)."""
    if throttle < LAUNCH_MIN_THROTTLE or brake > LAUNCH_BRAKE_OFF:
        return False, False
    if speed_mps < LAUNCH_STAGE_SPEED_MPS and not engaged:
        return True, True
    return engaged, False


@njit(cache=True)
def launch_torque_factor(slip: float, slip_target: float) -> float:
    """Torque scale that holds wheel slip at the target: clip(1 - (s - s*) / band, 0, 1)."""
    return min(1.0, max(0.0, 1.0 - (slip - slip_target) / LAUNCH_SLIP_BAND))


@njit(cache=True)
def launch_curve_Nm(
    production_Nm: float, torque_ratio: float, peak_power_W: float, engine_radps: float
) -> float:
    """Launch-mode full-load torque: the production curve raised by the launch ratio
    (800/750 Nm on the OCTA [S6]) but never above the production peak power:
    T = max(T_prod, min(r T_prod, P_peak / omega))."""
    boosted = torque_ratio * production_Nm
    if engine_radps > 1.0:
        boosted = min(boosted, peak_power_W / engine_radps)
    return max(production_Nm, boosted)
