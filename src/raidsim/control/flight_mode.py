"""Flight Mode: airborne detection by vote, state machine and the torque request while
airborne (physics.md §4.3-4.4; calibration in :mod:`raidsim.model.flight_mode`).

States: 0 on the ground, 1 airborne, 2 landing ramp-in.
"""

from __future__ import annotations

import math

from numba import njit

FM_GROUND = 0
FM_AIRBORNE = 1
FM_RAMP_IN = 2


@njit(cache=True)
def low_pass_step(filtered: float, raw: float, cutoff_hz: float, dt_s: float) -> float:
    """First-order low-pass, backward Euler: y += wc/(1 + wc) (x - y), wc = 2 pi fc dt."""
    wc = 2.0 * math.pi * cutoff_hz * dt_s
    return filtered + wc / (1.0 + wc) * (raw - filtered)


@njit(cache=True)
def flight_mode_next(
    state: int,
    votes: int,
    votes_to_enter: float,
    wheels_loaded: int,
    exit_wheels: float,
    specific_force_mps2: float,
    exit_specific_force_mps2: float,
    ramp_time_s: float,
    ramp_in_s: float,
    dt_s: float,
    hanging: bool = True,
) -> tuple[int, float]:
    """Enter on ``votes_to_enter`` votes while the car ``hanging`` (by the ECU's estimate
    no tyre carries load, for long enough: :func:`raidsim.sim.transient.flight.
    airborne_votes`); leave the airborne state on landing (enough loaded wheels, a
    vertical-acceleration spike, or no vote left) into the ramp-in, which ends after
    ``ramp_in_s``. Returns (state, time in the ramp-in).

    A real flight (a jump, a drop off a slip face) unloads every tyre; a crest or whoop
    skimmed with one tyre still on the ground does not, however light the car feels and
    however little road torque the wheels carry (docs/physics.md §14.4)."""
    if state != FM_AIRBORNE:
        if votes >= votes_to_enter and hanging:
            return FM_AIRBORNE, ramp_time_s
        if state == FM_RAMP_IN:
            ramp_time_s += dt_s
            if ramp_time_s >= ramp_in_s:
                return FM_GROUND, ramp_time_s
        return state, ramp_time_s
    if wheels_loaded >= exit_wheels or specific_force_mps2 > exit_specific_force_mps2 or votes == 0:
        return FM_RAMP_IN, 0.0
    return state, ramp_time_s


@njit(cache=True)
def matching_throttle(
    tread_speed_mps: float,
    ground_speed_mps: float,
    slip_target: float,
    gain_Nm_per_mps: float,
    friction_Nm: float,
    full_torque_Nm: float,
) -> float:
    """Wheel-speed matching while airborne: the engine torque that makes the mean tread
    speed track the ground speed x (1 + slip target), as a throttle 0..1:

        T_req = -K (v_tread - v (1 + s*)),  thr = clip((T_req + T_f) / (T_full + T_f)).
    """
    t_req = -gain_Nm_per_mps * (tread_speed_mps - ground_speed_mps * (1.0 + slip_target))
    return min(1.0, max(0.0, (t_req + friction_Nm) / (full_torque_Nm + friction_Nm)))


#: time constant of the ECU's road-torque filter, s
ROAD_TORQUE_TAU_S = 0.005


@njit(cache=True)
def road_torque_estimate_Nm(
    shaft_Nm: float,
    brake_signed_Nm: float,
    wheel_inertia_kgm2: float,
    omega_new: float,
    omega_old: float,
    dt_s: float,
) -> float:
    """The road torque the ECU infers on a wheel (the Ford wheel-lift test [S54]):
    T_road = T_shaft + T_brake - J domega/dt (~0 while the wheel is in the air)."""
    return shaft_Nm + brake_signed_Nm - wheel_inertia_kgm2 * (omega_new - omega_old) / dt_s
