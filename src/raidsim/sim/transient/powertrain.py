"""Engine and driveline inside the kernel step (physics.md §2-4, §10.1).

Engine: throttle through the ECU's limiters, launch control (:mod:`raidsim.control.launch`),
full-load torque behind the restrictor and the intake filter, ECU derate, friction and
fan load, turbo lag, Flight Mode's torque request, shift cut, Willans fuel. Driveline:
converter with lock-up clutch, gear and final drive, centre and axle differentials with
lock clutches, compliant halfshafts, the implicit wheel-spin update and the
engine/turbine speeds.
"""

from __future__ import annotations

import numpy as np

from raidsim.control.ecu import (
    SLIP_SPEED_FLOOR_MPS,
    idle_throttle,
    rev_limiter_factor,
    speed_limiter_factor,
    wheel_slip_estimate,
)
from raidsim.control.flight_mode import FM_AIRBORNE, FM_RAMP_IN, matching_throttle
from raidsim.control.launch import launch_curve_Nm, launch_engaged, launch_torque_factor
from raidsim.physics.converter import converter_torques, lockup_clutch_torque_Nm
from raidsim.physics.driveline import (
    clutch_lock_torque_Nm,
    halfshaft_torque_Nm,
    karnopp_spin,
    overall_ratio,
)
from raidsim.physics.engine import (
    boost_limited_torque_Nm,
    boost_step,
    friction_torque_Nm,
    full_load_torque_Nm,
    turbo_tau_s,
)
from raidsim.physics.fuel import fuel_burnt_kg
from raidsim.physics.interp import interp_table
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part
from raidsim.sim.transient.controls import tread_speed

#: engine speed above which the fans' alternator load is charged to the engine, rad/s
ALTERNATOR_MIN_RADPS = 50.0
#: the lock-up clutch's capacity while slipping: engine torque + this margin, N m
LOCKUP_SLIP_MARGIN_NM = 200.0
#: engine and turbine count as synchronised within this speed difference, rad/s
LOCKUP_SYNC_RADPS = 5.0
#: an upshift's inertia phase (torque cut) lasts until the converter's speed ratio is back
#: above this (estimate: the coupling point SR_c 0.85-0.90, physics.md §3.2)
SHIFT_SYNC_SR = 0.9


@kernel_part
def engine_fuel_kg(
    P: np.ndarray, dt: float, t_e: float, w_e: float, t_fric: float, load: float
) -> float:
    """Fuel the engine burns over ``dt`` at torque ``t_e`` and speed ``w_e``: Willans with
    enrichment (:func:`~raidsim.physics.fuel.fuel_burnt_kg`) with this car's parameters;
    both tiers call it (physics.md §2.3)."""
    return fuel_burnt_kg(
        dt,
        t_e,
        w_e,
        t_fric,
        P[ix.P_WILLANS_E],
        P[ix.P_FUEL_LHV],
        load,
        P[ix.P_ENRICH_START],
        P[ix.P_LAMBDA_FULL],
    )


@kernel_part
def torque_split(P: np.ndarray, i: int) -> float:
    """Share of the gearbox output torque that reaches side gear ``i`` (open diffs)."""
    ff = P[ix.P_FRONT_FRAC]
    return 0.5 * ff if i < 2 else 0.5 * (1.0 - ff)


@kernel_part
def launch_control(S: np.ndarray, P: np.ndarray, speed: float) -> float:
    """Launch control (:mod:`raidsim.control.launch`) on the kernel's state: stages and
    ends the launch, sets the boost at staging; returns the slip-holding torque scale
    (1 when no launch runs or the car has none)."""
    if P[ix.P_LAUNCH_T_RATIO] <= 0.0:
        return 1.0
    engaged, staged = launch_engaged(S[ix.S_LAUNCH] > 0.5, S[ix.S_THROTTLE], S[ix.S_BRAKE], speed)
    S[ix.S_LAUNCH] = 1.0 if engaged else 0.0
    if staged:
        S[ix.S_BOOST] = 1.0
    if not engaged:
        return 1.0
    slip = wheel_slip_estimate(tread_speed(S, P), speed, SLIP_SPEED_FLOOR_MPS)
    return launch_torque_factor(slip, P[ix.P_LAUNCH_SLIP])


@kernel_part
def engine_torque(S: np.ndarray, P: np.ndarray, speed: float, fm: int) -> float:
    """Engine brake torque this step (N m); advances boost and books fuel and load."""
    h = P[ix.P_DT]
    w_e = S[ix.S_OMEGA_E]
    thr_eff = (
        S[ix.S_THROTTLE]
        * speed_limiter_factor(P[ix.P_V_LIM], speed, P[ix.P_V_BAND])
        * rev_limiter_factor(P[ix.P_REV_W], w_e)
    )
    idle_thr = idle_throttle(P[ix.P_IDLE_W], w_e)
    if idle_thr > thr_eff:
        thr_eff = idle_thr
    n_tab = int(P[ix.P_ENG_N])
    t_prod = interp_table(
        w_e,
        P[ix.P_ENG_W : ix.P_ENG_W + ix.N_TABLE],
        P[ix.P_ENG_T : ix.P_ENG_T + ix.N_TABLE],
        n_tab,
        0,
    )
    f_launch = launch_control(S, P, speed)
    if S[ix.S_LAUNCH] > 0.5:
        t_prod = launch_curve_Nm(t_prod, P[ix.P_LAUNCH_T_RATIO], P[ix.P_LAUNCH_P], w_e)
    # the intake filter's pressure drop lowers the restrictor's p0; ECU derate on heat
    t_full = full_load_torque_Nm(t_prod, P[ix.P_P_CAP] * S[ix.S_CAP_FACTOR], w_e)
    t_full *= S[ix.S_DERATE]
    t_fric = friction_torque_Nm(w_e, P[ix.P_FRIC_A], P[ix.P_FRIC_B], P[ix.P_FRIC_C])
    if w_e > ALTERNATOR_MIN_RADPS:  # alternator load of the electric fans
        t_fric += S[ix.S_FAN_LOAD_W] / (P[ix.P_CL_ALT_EFF] * w_e)
    tau = turbo_tau_s(w_e, P[ix.P_LAG_W_LOW], P[ix.P_LAG_W_HIGH], P[ix.P_LAG_LOW], P[ix.P_LAG_HIGH])
    S[ix.S_BOOST] = boost_step(S[ix.S_BOOST], thr_eff, tau, h)
    t_avail = boost_limited_torque_Nm(t_full, P[ix.P_NA_FRAC], S[ix.S_BOOST])
    if fm == FM_AIRBORNE:
        if P[ix.P_FM_MATCH] > 0.5:
            thr_eff = matching_throttle(
                tread_speed(S, P),
                speed,
                P[ix.P_FM_SLIP_TARGET],
                P[ix.P_FM_MATCH_GAIN],
                t_fric,
                t_full,
            )
        else:
            thr_eff = 0.0  # plain torque cut
    t_pos = min(thr_eff * t_full, t_avail) * f_launch
    # the shift cut acts in an upshift's inertia phase only: until the engine has been
    # pulled down to the new gear (converter back at coupling, or locked) (physics.md §3.3)
    inertia_phase = S[ix.S_LOCKUP] < 0.5 and S[ix.S_OMEGA_T] < SHIFT_SYNC_SR * w_e
    if S[ix.S_SHIFT_TIMER] > 0.0 and inertia_phase:
        t_pos *= 1.0 - P[ix.P_SHIFT_CUT]
    if fm == FM_RAMP_IN and P[ix.P_FM_RAMP_S] > 0.0:
        t_pos *= min(1.0, S[ix.S_FM_RAMP_T] / P[ix.P_FM_RAMP_S])  # ramp-in after touchdown
    t_e = t_pos - (1.0 - thr_eff) * t_fric
    if w_e < 0.5 * P[ix.P_IDLE_W] and t_e < 0.0:
        t_e = 0.0
    load = t_pos / t_full if t_full > 1.0 else 0.0
    dfuel = engine_fuel_kg(P, h, t_e, w_e, t_fric, load)
    S[ix.S_FUEL_USED] += dfuel
    S[ix.S_ACC_FUEL] += dfuel
    S[ix.S_ACC_LOAD] += load * h
    return t_e


@kernel_part
def gearbox_input(
    S: np.ndarray, P: np.ndarray, t_e: float, gear: int, locked: bool
) -> tuple[float, float, float, float, float]:
    """Torque into the gearbox and its inertia: locked converter = engine torque;
    otherwise the converter maps plus a slipping lock-up clutch when commanded.
    Returns (t_in, j_in, t_impeller, t_turbine, t_clutch)."""
    if locked and gear >= 1:
        return t_e, P[ix.P_J_E] + P[ix.P_J_T], 0.0, 0.0, 0.0
    w_e = S[ix.S_OMEGA_E]
    w_t = S[ix.S_OMEGA_T]
    t_imp, t_turb = converter_torques(
        w_e,
        w_t,
        P[ix.P_TC_SR : ix.P_TC_SR + ix.N_TABLE],
        P[ix.P_TC_K : ix.P_TC_K + ix.N_TABLE],
        P[ix.P_TC_TR : ix.P_TC_TR + ix.N_TABLE],
        int(P[ix.P_TC_N]),
        0,
    )
    t_cl = 0.0
    if S[ix.S_LOCKUP_CMD] > 0.5 and gear >= 1:
        cap = min(P[ix.P_LU_CAP], abs(t_e) + LOCKUP_SLIP_MARGIN_NM)
        t_cl = lockup_clutch_torque_Nm(cap, w_e - w_t)
    return t_turb + t_cl, P[ix.P_J_T], t_imp, t_turb, t_cl


@kernel_part
def side_gear_torques(
    S: np.ndarray, P: np.ndarray, W: np.ndarray, t_in: float, fac: float, gear: int, fm: int
) -> float:
    """Generalised torques on the four side gears (wheel-referred) into ``W[QSG]``:
    gearbox output split by the open differentials minus the halfshafts, then the centre
    and axle lock clutches. Returns the sum of the halfshaft torques."""
    h = P[ix.P_DT]
    j_sg = P[ix.P_J_SG]
    sg = ix.S_OMEGA_SG
    t_hs_sum = 0.0
    for i in range(4):
        ths = halfshaft_torque_Nm(
            P[ix.P_K_HS], P[ix.P_C_HS], S[ix.S_TWIST + i], S[sg + i] - S[ix.S_OMEGA + i]
        )
        W[ix.W_THS, i] = ths
        t_hs_sum += ths
        if abs(ths) > S[ix.S_HS_PEAK + i]:
            S[ix.S_HS_PEAK + i] = abs(ths)
        if gear >= 1:
            W[ix.W_QSG, i] = torque_split(P, i) * fac * t_in - ths
        else:
            W[ix.W_QSG, i] = -ths
    q = ix.W_QSG
    # centre lock clutch (front pair vs rear pair); Flight Mode may release it
    dfr = 0.5 * (S[sg] + S[sg + 1]) - 0.5 * (S[sg + 2] + S[sg + 3])
    tc = 0.5 * ((W[q, 0] + W[q, 1]) - (W[q, 2] + W[q, 3])) + j_sg * dfr / h
    cap_c = 0.0 if (fm == FM_AIRBORNE and P[ix.P_FM_RELEASE_CLOCK] > 0.5) else P[ix.P_CLOCK_CAP]
    tc = clutch_lock_torque_Nm(tc, cap_c)
    W[q, 0] -= 0.5 * tc
    W[q, 1] -= 0.5 * tc
    W[q, 2] += 0.5 * tc
    W[q, 3] += 0.5 * tc
    # axle lock clutches
    for a in range(2):
        il = 2 * a
        ir = 2 * a + 1
        capx = P[ix.P_FLOCK_CAP] if a == 0 else P[ix.P_RLOCK_CAP]
        dlr = S[sg + il] - S[sg + ir]
        ta = clutch_lock_torque_Nm(0.5 * (W[q, il] - W[q, ir]) + 0.5 * j_sg * dlr / h, capx)
        W[q, il] -= ta
        W[q, ir] += ta
    return t_hs_sum


@kernel_part
def side_gear_step(P: np.ndarray, S: np.ndarray, W: np.ndarray, j_ref: float, hk: float) -> float:
    """Side-gear speeds after the step into ``W[SG_NEW]``: solve
    (J_sg I + J_ref w w^T) wdot = Q by Sherman-Morrison (w = torque split). Returns the
    reaction torque sum J_sg wdot on the body."""
    j_sg = P[ix.P_J_SG]
    wq = 0.0
    ww = 0.0
    for i in range(4):
        wi = torque_split(P, i)
        wq += wi * W[ix.W_QSG, i]
        ww += wi * wi
    corr = j_ref * wq / (j_sg + j_ref * ww)
    sg_react = 0.0
    for i in range(4):
        acc = (W[ix.W_QSG, i] - torque_split(P, i) * corr) / j_sg
        W[ix.W_SG_NEW, i] = S[ix.S_OMEGA_SG + i] + hk * acc
        sg_react += j_sg * acc
    return sg_react


@kernel_part
def wheel_spin_step(S: np.ndarray, P: np.ndarray, W: np.ndarray) -> None:
    """Wheel speeds after the step, implicit in the tyre force (dFx/domega) with
    Karnopp friction for brake + rolling resistance (physics.md §10.1); the tyre force
    at the new speed; contact-patch slip and friction dissipation."""
    h = P[ix.P_DT]
    j_w = P[ix.P_J_W]
    for i in range(4):
        om = S[ix.S_OMEGA + i]
        rd = W[ix.W_RD, i]
        dfx = W[ix.W_DFX, i]
        fxw = W[ix.W_FXW, i]
        tfric = W[ix.W_TFRIC, i]
        jeff = j_w + h * rd * dfx
        om_free = om + h * (W[ix.W_THS, i] - fxw * rd) / jeff
        om_n = karnopp_spin(om_free, h * tfric / jeff)
        W[ix.W_OM_NEW, i] = om_n
        fx_used = fxw + dfx * (om_n - om)
        W[ix.W_FX_USED, i] = fx_used
        S[ix.S_E_DISSIPATED] += h * (
            fx_used * (rd * om_n - W[ix.W_VLONG, i])
            - W[ix.W_FYW, i] * W[ix.W_VLAT, i]
            + tfric * abs(om_n)
        )


@kernel_part
def engine_turbine_speeds(
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    t_e: float,
    gear: int,
    i_tot: float,
    torques: tuple,  # type: ignore[type-arg]
    hk: float,
) -> tuple[float, float]:
    """Turbine speed from the side gears (in gear) and the engine speed: with the
    converter locked it follows the turbine until the clutch would slip; unlocked it
    integrates its own torque balance and the clutch locks when the speeds cross.

    The crossing is judged against the turbine speed in the gear now engaged (side-gear
    speeds times its ratio), not the speed stored before a shift: right after a shift
    from lock-up that stored speed still equals the engine speed, and judging by it
    re-locked the clutch at once and moved the engine to the new gear's speed within one
    step, without its inertia (a single sample up to 36 % above the restrictor cap)."""
    h = P[ix.P_DT]
    t_in, t_imp, t_cl = torques
    w_e = S[ix.S_OMEGA_E]
    w_t = S[ix.S_OMEGA_T]
    locked = S[ix.S_LOCKUP] > 0.5
    wbar_new = 0.0
    wbar = 0.0
    for i in range(4):
        wbar_new += torque_split(P, i) * W[ix.W_SG_NEW, i]
        wbar += torque_split(P, i) * S[ix.S_OMEGA_SG + i]
    if gear >= 1:
        w_t_new = i_tot * wbar_new
        w_t = i_tot * wbar
    else:
        w_t_new = w_t + hk * (t_in) / P[ix.P_J_T]
    if locked and gear >= 1:
        w_e_new = w_t_new
        t_needed = t_e - P[ix.P_J_E] * (w_t_new - w_t) / h
        if abs(t_needed) > P[ix.P_LU_CAP] or S[ix.S_LOCKUP_CMD] < 0.5:
            S[ix.S_LOCKUP] = 0.0
    else:
        w_e_new = w_e + hk * (t_e - t_imp - t_cl) / P[ix.P_J_E]
        synced = (w_e - w_t) * (w_e_new - w_t_new) <= 0.0 or abs(
            w_e_new - w_t_new
        ) < LOCKUP_SYNC_RADPS
        if S[ix.S_LOCKUP_CMD] > 0.5 and gear >= 1 and synced:
            S[ix.S_LOCKUP] = 1.0
            w_e_new = w_t_new
    if w_e_new < 0.0:
        w_e_new = 0.0
    return w_e_new, w_t_new


@kernel_part
def driveline_step(
    S: np.ndarray, P: np.ndarray, W: np.ndarray, t_e: float, gear: int, fm: int, hk: float
) -> tuple[float, float, float, float]:
    """One driveline step; returns (engine speed, turbine speed, sum of halfshaft
    torques, side-gear reaction torque) for the body and the integrator."""
    h = P[ix.P_DT]
    w_e = S[ix.S_OMEGA_E]
    w_t = S[ix.S_OMEGA_T]
    locked = S[ix.S_LOCKUP] > 0.5
    if gear >= 1:
        i_tot = overall_ratio(P[ix.P_RATIO + gear - 1], P[ix.P_FD])
        eta = P[ix.P_EFF + gear - 1] * P[ix.P_AXLE_EFF]
    else:
        i_tot = 0.0
        eta = 1.0
    t_in, j_in, t_imp, t_turb, t_cl = gearbox_input(S, P, t_e, gear, locked)
    # efficiency by the direction of power flow
    fac = i_tot * eta if t_in * w_t >= 0.0 else i_tot / eta
    t_hs_sum = side_gear_torques(S, P, W, t_in, fac, gear, fm)
    j_ref = j_in * i_tot * i_tot if gear >= 1 else 0.0
    sg_react = side_gear_step(P, S, W, j_ref, hk)
    wheel_spin_step(S, P, W)
    w_e_new, w_t_new = engine_turbine_speeds(S, P, W, t_e, gear, i_tot, (t_in, t_imp, t_cl), hk)
    # torque-converter and lock-up slip heat into the transmission oil
    S[ix.S_ACC_SLIP] += h * max(0.0, t_imp * w_e - t_turb * w_t + t_cl * (w_e - w_t))
    return w_e_new, w_t_new, t_hs_sum, sg_react
