"""The controllers' update at ``CTRL_DT`` inside the kernel step: driver (steering and
pedals on the previewed plan) and the TCU (shift map, lock-up), by kernel mode.

Modes (``PARAM["MODE"]``, :data:`raidsim.sim.layout.MODES`): ``MODE_DRIVER``,
``MODE_OPEN_LOOP`` (pedals and steering held with the automatic gearbox), ``MODE_HELD``
(everything held), ``MODE_SPEED_HOLD`` (speed held by the driver with the steering
fixed: constant-steer tests).
"""

from __future__ import annotations

import numpy as np

from raidsim.control.driver import (
    body_slip_angle_rad,
    crew_pace,
    pi_pedals,
    rate_limited,
    stanley_steer_rad,
)
from raidsim.control.ecu import SLIP_SPEED_FLOOR_MPS, tread_speed_mps, wheel_slip_estimate
from raidsim.control.tcu import (
    DOWNSHIFT_REV_MARGIN,
    at_rev_limit,
    lockup_command,
    shift_decision,
    shift_points,
    upshift_permitted,
)
from raidsim.physics.interp import grid_cell_value, interp_grid
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part
from raidsim.units import RADPS_TO_RPM

#: below this ground speed the crew does not count a body slip angle as a slide, m/s
#: (the speed below which the run's supervisor takes the travel direction from the
#: body's heading, :data:`raidsim.sim.transient.watch.HEADING_FROM_VELOCITY_MPS`)
SLIDE_MIN_SPEED_MPS = 3.0


@kernel_part
def tread_speed(S: np.ndarray, P: np.ndarray) -> float:
    """Mean tread speed of the four wheels, m/s (:func:`raidsim.control.ecu.tread_speed_mps`)."""
    om = ix.S_OMEGA
    return tread_speed_mps(P[ix.P_R0], S[om], S[om + 1], S[om + 2], S[om + 3])


@kernel_part
def previewed_target_mps(plan: np.ndarray, s_m: float, speed: float, preview_s: float) -> float:
    """The driver aims at min(v_plan(s + v t_preview), v_plan(s)): never above the plan
    here (zones end at FZ, not before)."""
    return min(interp_grid(plan, (s_m + speed * preview_s) / 1.0), interp_grid(plan, s_m / 1.0))


@kernel_part
def tcu_update(S: np.ndarray, P: np.ndarray, speed: float, cdt: float, soft: bool) -> None:
    """Shift map with hysteresis (held by Flight Mode; at the rev limit an upshift at
    once; below it slip hold and, on soft ground, sand mode), then lock-up."""
    n_gears = int(P[ix.P_N_GEARS])
    gear = int(S[ix.S_GEAR])
    S[ix.S_TIME_IN_GEAR] += cdt
    hold = S[ix.S_FM_STATE] > 0.5 and P[ix.P_FM_HOLD_GEAR] > 0.5
    if S[ix.S_SHIFT_TIMER] > 0.0:
        S[ix.S_SHIFT_TIMER] = max(0.0, S[ix.S_SHIFT_TIMER] - cdt)
    elif gear >= 1 and not hold:
        rpm_t = S[ix.S_OMEGA_T] * RADPS_TO_RPM
        up, dn = shift_points(
            S[ix.S_THROTTLE], P[ix.P_UP_PART], P[ix.P_UP_FULL], P[ix.P_DN_PART], P[ix.P_DN_FULL]
        )
        slip = wheel_slip_estimate(tread_speed(S, P), speed, SLIP_SPEED_FLOOR_MPS)
        tig = S[ix.S_TIME_IN_GEAR]
        rev_rpm = P[ix.P_REV_W] * RADPS_TO_RPM
        if gear < n_gears and at_rev_limit(S[ix.S_OMEGA_E] * RADPS_TO_RPM, rev_rpm, S[ix.S_BRAKE]):
            step = 1
        else:
            step = shift_decision(
                gear,
                n_gears,
                rpm_t,
                up,
                dn,
                upshift_permitted(
                    tig,
                    P[ix.P_MIN_T_GEAR],
                    slip,
                    P[ix.P_SAND_SLIP],
                    S[ix.S_BRAKE],
                    soft,
                    S[ix.S_THROTTLE],
                ),
                tig > 0.5 * P[ix.P_MIN_T_GEAR],
                P[ix.P_RATIO : ix.P_RATIO + n_gears],
                DOWNSHIFT_REV_MARGIN * rev_rpm,
            )
        if step != 0:
            S[ix.S_GEAR] = gear + step
            S[ix.S_SHIFT_TIMER] = P[ix.P_SHIFT_T]
            S[ix.S_TIME_IN_GEAR] = 0.0
            S[ix.S_LOCKUP] = 0.0
    S[ix.S_LOCKUP_CMD] = lockup_command(
        S[ix.S_LOCKUP_CMD],
        int(S[ix.S_GEAR]),
        speed,
        P[ix.P_LU_MIN_GEAR],
        P[ix.P_LU_MIN_V],
        S[ix.S_SHIFT_TIMER] > 0.0,
    )


@kernel_part
def controller_update(
    S: np.ndarray,
    P: np.ndarray,
    rx: np.ndarray,
    ry: np.ndarray,
    plan: np.ndarray,
    surface: np.ndarray,
    crest: np.ndarray,
    s_cg: float,
    speed: float,
    cos_yaw: float,
    sin_yaw: float,
    v_target: float,
) -> float:
    """Run the controllers once ``CTRL_DT`` has built up (route centre line rx, ry, the
    speed plan and the crest marker per metre); returns the (new or held) speed target."""
    S[ix.S_CTRL_TIMER] += P[ix.P_DT]
    if S[ix.S_CTRL_TIMER] < P[ix.P_CTRL_DT] - 1e-12:
        return v_target
    cdt = S[ix.S_CTRL_TIMER]
    S[ix.S_CTRL_TIMER] = 0.0
    mode = int(P[ix.P_MODE])
    # a slide needs a speed to slide at: at a standstill the slip angle of a creeping
    # car is noise, and a crew stopped askew drives off (no slide to catch)
    sliding = (
        speed > SLIDE_MIN_SPEED_MPS
        and abs(body_slip_angle_rad(S[ix.S_VX], S[ix.S_VY], cos_yaw, sin_yaw))
        > P[ix.P_PACE_SLIDE_BETA]
    )
    if mode == ix.MODE_DRIVER:
        S[ix.S_CREW_PACE] = crew_pace(
            S[ix.S_CREW_PACE],
            S[ix.S_N_ROUTE],
            S[ix.S_SF_MAG],
            -S[ix.S_VZ] if S[ix.S_LAST_AIR_T] >= P[ix.P_PACE_LANDING_AIR_T] else 0.0,
            P[ix.P_G],
            cdt,
            P[ix.P_PACE_TOL],
            P[ix.P_PACE_GAIN],
            P[ix.P_PACE_MIN],
            P[ix.P_PACE_RECOVERY],
            P[ix.P_PACE_LANDING_G],
            P[ix.P_PACE_LANDING],
            sliding,
            P[ix.P_PACE_SLIDE],
        )
    v_target = S[ix.S_CREW_PACE] * previewed_target_mps(plan, s_cg, speed, P[ix.P_DRV_PREVIEW_T])
    if mode == ix.MODE_DRIVER:
        d_cmd = stanley_steer_rad(
            S[ix.S_X],
            S[ix.S_Y],
            S[ix.S_PSI],
            cos_yaw,
            sin_yaw,
            s_cg,
            speed,
            rx,
            ry,
            S[ix.S_CX],
            P[ix.P_DRV_HEADING_PREVIEW],
            P[ix.P_DRV_STANLEY_K],
            P[ix.P_WHEELBASE],
            P[ix.P_MAX_STEER],
        )
        S[ix.S_STEER] = rate_limited(S[ix.S_STEER], d_cmd, P[ix.P_MAX_STEER_RATE] * cdt)
    if mode == ix.MODE_DRIVER or mode == ix.MODE_SPEED_HOLD:
        thr, brk, integ = pi_pedals(
            v_target - speed,
            S[ix.S_SPEED_INT],
            P[ix.P_DRV_KP],
            P[ix.P_DRV_KI],
            P[ix.P_DRV_BRAKE_GAIN],
            cdt,
        )
        if sliding and mode == ix.MODE_DRIVER:
            # a crew catching a slide: off the throttle, off the brakes, let it roll
            thr = 0.0
            brk = 0.0
        air_t = S[ix.S_AIR_T]
        if air_t > 0.0 and (
            air_t > P[ix.P_DRV_AIR_LIFT_T]
            or S[ix.S_THROTTLE] == 0.0
            or grid_cell_value(crest, s_cg) > 0.5
        ):
            # airborne: the crew feels it and lifts, at once off a dune's brink it knows is
            # there, and does not open up again before the wheels are down (physics.md
            # §11.4); Flight Mode, where fitted, acts on the torque sooner and shapes it
            # for the landing
            thr = 0.0
        if S[ix.S_FM_STATE] > 0.5:
            brk = 0.0  # no braking in the air or on the landing ramp-in (locked wheels land hard)
        S[ix.S_SPEED_INT] = integ
        S[ix.S_THROTTLE] = thr
        S[ix.S_BRAKE] = brk
    if mode != ix.MODE_HELD:  # the TCU shifts in every mode but held
        sc = int(grid_cell_value(surface, s_cg))
        tcu_update(S, P, speed, cdt, P[ix.P_SURF_SOFT + sc] > 0.5)
    return v_target
