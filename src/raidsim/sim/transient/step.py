"""The transient hot loop: one Numba function advancing the 14-DOF vehicle N steps.

Model (physics.md §6.3, §11; docs/design.md "The two simulation tiers"):

* Body: 6 DOF rigid sprung mass. Horizontal translation is integrated in the world
  frame with the total mass (unsprung masses follow the body horizontally); vertical
  translation with the sprung mass; rotation with Euler's equations in the body frame,
  attitude as ZYX Euler angles (:mod:`raidsim.sim.transient.body`).
* 4 unsprung masses moving vertically (world z) under suspension force, gravity and the
  world-vertical part of the tyre contact force: in flight the system CG follows the
  ballistic parabola.
* Corners (:mod:`raidsim.sim.transient.corners`): spring with preload, digressive
  position-sensitive damper, bump and droop stops; one-sided tyre spring-damper; TMeasy
  combined slip with load dependence, surface scaling, WES sand traction cap and Bekker
  compaction.
* Powertrain (:mod:`raidsim.sim.transient.powertrain`): restrictor-capped engine with
  turbo lag, converter with lock-up clutch, 8-speed gearbox, differentials with lock
  clutches, compliant halfshafts, implicit wheel spin.
* Controllers (:mod:`raidsim.control` via :mod:`raidsim.sim.transient.controls` and
  :mod:`raidsim.sim.transient.flight`): driver and TCU at ``CTRL_DT``, Flight Mode and
  ABS every step. Slow states at ``TH_DT`` (:mod:`raidsim.sim.thermal`).
* Integration: 1 ms semi-implicit (symplectic) Euler; leapfrog start (half kick on the
  first step); wheel spin implicit in the tyre force (physics.md §10.1).

Every index comes from :mod:`raidsim.sim.indices`, generated from
:mod:`raidsim.sim.layout`. The kernel returns a status code (``layout.STATUS``), the
number of samples written and (on divergence) the offending state index.
"""

from __future__ import annotations

import math

import numpy as np

from raidsim.physics.body import rotation_zyx
from raidsim.physics.interp import grid_cell_value
from raidsim.physics.steering import ackermann_angles
from raidsim.physics.terramechanics import sand_speed_factor
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_entry, kernel_loop
from raidsim.sim.thermal import thermal_step
from raidsim.sim.transient.body import body_loads, integrate_body, wheel_states_update
from raidsim.sim.transient.controls import controller_update
from raidsim.sim.transient.corners import corner
from raidsim.sim.transient.flight import flight_mode_update
from raidsim.sim.transient.powertrain import driveline_step, engine_torque
from raidsim.sim.transient.sample import diverged_state, write_row
from raidsim.sim.transient.tracking import track_route
from raidsim.sim.transient.watch import lost_control_cause

#: below this ground speed for STUCK_LIMIT_S the car is stuck, m/s
STUCK_SPEED_MPS = 1.0
#: time below STUCK_SPEED_MPS after which the run stops as stuck, s
STUCK_LIMIT_S = 120.0


@kernel_entry
def step_chunk(
    S: np.ndarray,
    P: np.ndarray,
    route: tuple,  # type: ignore[type-arg]
    out: np.ndarray,
    n_steps: int,
) -> tuple[int, int, int]:
    """Advance the state ``S`` in place by up to ``n_steps`` steps of ``P[DT]``.

    ``route``: the route arrays in the order of ``layout.ROUTE_ARRAYS``. Writes one row
    of ``out`` every ``SAMPLE_EVERY`` steps. Returns (status, samples_written,
    bad_state_index or -1).
    """
    if P[ix.P_LAYOUT_HASH] != ix.LAYOUT_HASH:
        return ix.STATUS_LAYOUT_MISMATCH, 0, -1
    W = np.empty((ix.N_WHEEL_VAR, 4))
    A = np.zeros(ix.N_AUX)
    A[ix.A_SFZ] = P[ix.P_G]
    return advance(S, P, route, W, A, out, n_steps)


@kernel_loop
def advance(
    S: np.ndarray,
    P: np.ndarray,
    route: tuple,  # type: ignore[type-arg]
    W: np.ndarray,
    A: np.ndarray,
    out: np.ndarray,
    n_steps: int,
) -> tuple[int, int, int]:
    """The step loop of :func:`step_chunk` over the per-wheel scratch ``W``
    (``layout.WHEEL_VAR`` rows x 4) and the carried values ``A`` (``layout.AUX``)."""
    h = P[ix.P_DT]
    sample_every = int(P[ix.P_SAMPLE_EVERY])
    mode = int(P[ix.P_MODE])
    rx, ry, rz, surface, plan, fh, cross, rock, rough_l, rough_r, crest = route
    terrain = (rz, fh, cross, rock, rough_l, rough_r)
    samples = 0
    for step in range(n_steps):
        hk = h * (0.5 if S[ix.S_FIRST_STEP] > 0.5 else 1.0)
        S[ix.S_FIRST_STEP] = 0.0
        rot = rotation_zyx(S[ix.S_PHI], S[ix.S_THETA], S[ix.S_PSI])
        r00, r01, r02, r10, r11, r12, r20, r21, r22 = rot
        p = S[ix.S_P]
        q = S[ix.S_Q]
        r = S[ix.S_R]
        wx = r00 * p + r01 * q + r02 * r  # angular velocity, world frame
        wy = r10 * p + r11 * q + r12 * r
        wz = r20 * p + r21 * q + r22 * r
        vx = S[ix.S_VX]
        vy = S[ix.S_VY]
        vz = S[ix.S_VZ]
        speed = math.sqrt(vx * vx + vy * vy)
        psi = S[ix.S_PSI]
        cps = math.cos(psi)
        sps = math.sin(psi)
        s_cg, n_cg, tx, ty = track_route(S, rx, ry)
        A[ix.A_V_TARGET] = controller_update(
            S, P, rx, ry, plan, surface, crest, s_cg, speed, cps, sps, A[ix.A_V_TARGET]
        )
        d_fl, d_fr = ackermann_angles(S[ix.S_STEER], P[ix.P_WHEELBASE], P[ix.P_TRACK_F])
        frame = (vx, vy, vz, wx, wy, wz, speed, s_cg, n_cg, tx, ty)
        soft_speed = sand_speed_factor(speed, P[ix.P_SAND_SPEED_REF])
        brake = S[ix.S_BRAKE]
        contact = 0
        for i in range(4):
            yaw_i = psi + d_fl if i == 0 else (psi + d_fr if i == 1 else psi)
            contact += corner(i, S, P, W, terrain, surface, rot, frame, yaw_i, brake, soft_speed)
        A[ix.A_CONTACT] = contact
        if contact == 0:
            S[ix.S_AIR_T] += h
        elif S[ix.S_AIR_T] > 0.0:  # touchdown: remember the flight, fading at 1 s/s
            S[ix.S_LAST_AIR_T] = S[ix.S_AIR_T]
            S[ix.S_AIR_T] = 0.0
        else:
            S[ix.S_LAST_AIR_T] = max(0.0, S[ix.S_LAST_AIR_T] - h)
        fm = flight_mode_update(S, P, W, speed)
        gear = int(S[ix.S_GEAR])
        t_e = engine_torque(S, P, speed, fm)
        A[ix.A_T_E] = t_e
        A[ix.A_P_E] = t_e * S[ix.S_OMEGA_E]  # the speed the torque was produced at
        w_e_new, w_t_new, t_hs_sum, sg_react = driveline_step(S, P, W, t_e, gear, fm, hk)
        S[ix.S_THERMAL_TIMER] += h
        if S[ix.S_THERMAL_TIMER] >= P[ix.P_TH_DT] - 1e-12:
            sc = int(grid_cell_value(surface, s_cg))
            thermal_step(S, P, speed, sc)
        loads = body_loads(S, P, W, rot, (vx, vy, cps, sps), t_hs_sum + sg_react)
        ax_w, ay_w, az_s = integrate_body(S, P, loads, (vx, vy, vz, p, q, r), hk)
        wheel_states_update(S, P, W, hk)
        S[ix.S_OMEGA_E] = w_e_new
        S[ix.S_OMEGA_T] = w_t_new
        A[ix.A_AX] = ax_w * cps + ay_w * sps
        A[ix.A_AY] = -ax_w * sps + ay_w * cps
        A[ix.A_SFZ] = az_s
        S[ix.S_SF_MAG] = math.sqrt(ax_w * ax_w + ay_w * ay_w + az_s * az_s)
        if speed < STUCK_SPEED_MPS and mode == ix.MODE_DRIVER:
            S[ix.S_STUCK_TIME] += h
        else:
            S[ix.S_STUCK_TIME] = 0.0
        if (step + 1) % sample_every == 0:
            bad = diverged_state(S, P)
            if bad >= 0:
                return ix.STATUS_DIVERGED, samples, bad
            if samples < out.shape[0]:
                write_row(out[samples], S, P, W, A, surface, s_cg, n_cg)
                samples += 1
            if mode == ix.MODE_DRIVER:
                cause = lost_control_cause(S, P, tx, ty, h * sample_every)
                if cause != 0:
                    S[ix.S_LOST_CONTROL] = cause
                    return ix.STATUS_LOST_CONTROL, samples, -1
            if mode == ix.MODE_DRIVER and s_cg >= P[ix.P_STAGE_END]:
                return ix.STATUS_FINISHED, samples, -1
            if S[ix.S_T] >= P[ix.P_MAX_TIME]:
                return ix.STATUS_TIMEOUT, samples, -1
            if S[ix.S_STUCK_TIME] > STUCK_LIMIT_S:
                return ix.STATUS_STUCK, samples, -1
    return ix.STATUS_RUNNING, samples, -1
