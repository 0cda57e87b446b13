"""The slow states, one step of ``TH_DT`` (physics.md §7-8, multi-rate), shared by both
tiers: the transient kernel calls it from its step, the QSS from its forward pass
(:mod:`raidsim.sim.qss.heat`), each with its own operating points in the accumulators.

Coolant and oil nodes with the e-NTU radiator; fans and ram air through radiator, ducts
and sand filter; filter loading; ECU derate; restrictor p0 after the intake filter; disc
temperatures with pad fade; fuel mass leaving the car.
"""

from __future__ import annotations

import numpy as np

from raidsim.physics.brakes import disc_convection_W, disc_radiation_W, disc_step
from raidsim.physics.cooling import (
    coolant_step,
    core_air_flow_m3s,
    derate_factor,
    fan_duty,
    fan_electrical_power_W,
    filter_k,
    filter_loading_increment,
    filter_pressure_drop_Pa,
    heat_to_coolant_W,
    intake_p0_Pa,
    radiator_ua_W_per_K,
)
from raidsim.physics.interp import interp_table
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part

#: the restrictor's p0 ratio never falls below this (a blocked filter still breathes)
MIN_CAP_FACTOR = 0.3
#: a derate factor below this counts as derating
DERATE_ACTIVE_BELOW = 0.999


@kernel_part
def cooling_step(S: np.ndarray, P: np.ndarray, speed: float, dt: float) -> None:
    """Coolant and oil nodes, fans and cooling air, ECU derate."""
    rho = P[ix.P_RHO_AIR]
    fuel_power = S[ix.S_ACC_FUEL] * P[ix.P_FUEL_LHV] / dt
    load = S[ix.S_ACC_LOAD] / dt
    q_eng = heat_to_coolant_W(fuel_power, load, P[ix.P_CL_FRAC_FULL], P[ix.P_CL_FRAC_PART])
    q_slip = S[ix.S_ACC_SLIP] / dt
    duty = fan_duty(S[ix.S_T_COOLANT], P[ix.P_CL_FAN_ON], P[ix.P_CL_FAN_FULL], P[ix.P_CL_FAN_LOW])
    S[ix.S_FAN_DUTY] = duty
    S[ix.S_FAN_LOAD_W] = fan_electrical_power_W(duty, P[ix.P_CL_N_FANS], P[ix.P_CL_FAN_W])
    k_sys = P[ix.P_CL_K_SYS0] + filter_k(
        S[ix.S_FILTER_LOAD], P[ix.P_CL_FK_CLEAN], P[ix.P_CL_FK_PER]
    )
    flow = core_air_flow_m3s(
        speed,
        rho,
        duty,
        P[ix.P_CL_N_FANS],
        P[ix.P_CL_FAN_DP0],
        P[ix.P_CL_FAN_Q0],
        k_sys,
        P[ix.P_CL_FACE_A],
        P[ix.P_CL_C_RAM],
    )
    ua = radiator_ua_W_per_K(
        flow, P[ix.P_CL_FACE_A], P[ix.P_CL_UA_REF], P[ix.P_CL_V_REF], P[ix.P_CL_UA_EXP]
    )
    tc, to, _q = coolant_step(
        S[ix.S_T_COOLANT],
        S[ix.S_T_OIL],
        P[ix.P_T_AIR],
        dt,
        q_eng,
        q_slip,
        rho * flow,
        ua,
        P[ix.P_CL_PUMP],
        P[ix.P_CL_CP],
        P[ix.P_CL_TH_OPEN],
        P[ix.P_CL_TH_FULL],
        P[ix.P_CL_TH_MIN],
        P[ix.P_CL_C_ENG],
        P[ix.P_CL_C_OIL],
        P[ix.P_CL_G_LOSS],
        P[ix.P_CL_G_OC],
        P[ix.P_CL_G_OA],
    )
    S[ix.S_T_COOLANT] = tc
    S[ix.S_T_OIL] = to
    S[ix.S_DERATE] = derate_factor(
        tc,
        to,
        P[ix.P_CL_DER_C],
        P[ix.P_CL_MAX_C],
        P[ix.P_CL_DER_OIL],
        P[ix.P_CL_MAX_OIL],
        P[ix.P_CL_FLOOR],
    )
    if S[ix.S_DERATE] < DERATE_ACTIVE_BELOW:
        S[ix.S_DERATE_TIME] += dt


@kernel_part
def intake_filter_step(S: np.ndarray, P: np.ndarray, speed: float, dt: float, surface: int) -> None:
    """Sand filter loading with the dust of the surface, and the restrictor's p0 ratio
    after the intake filter's pressure drop."""
    S[ix.S_FILTER_LOAD] += filter_loading_increment(speed, P[ix.P_CL_LOAD_PER_KM + surface], dt)
    if P[ix.P_P_CAP_FLOW] > 0.0:
        dp = filter_pressure_drop_Pa(
            S[ix.S_FILTER_LOAD],
            P[ix.P_CL_IF_K0],
            P[ix.P_CL_IF_KPER],
            P[ix.P_RHO_AIR],
            P[ix.P_P_CAP_FLOW],
            P[ix.P_CL_IF_AREA],
        )
        p0 = intake_p0_Pa(P[ix.P_P_AMB], dp)
        S[ix.S_CAP_FACTOR] = max(MIN_CAP_FACTOR, p0 / P[ix.P_P_AMB])


@kernel_part
def brake_disc_step(S: np.ndarray, P: np.ndarray, speed: float, dt: float) -> None:
    """Disc temperatures from friction heat, convection and radiation; pad friction at
    the disc temperature (fade)."""
    t_air = P[ix.P_T_AIR]
    rho = P[ix.P_RHO_AIR]
    for i in range(4):
        q_fric = S[ix.S_ACC_BRAKE + i] / dt
        S[ix.S_ACC_BRAKE + i] = 0.0
        omega = speed / P[ix.P_R0]
        q_loss = disc_convection_W(
            S[ix.S_T_DISC + i],
            t_air,
            speed,
            omega,
            rho,
            P[ix.P_BR_DO + i],
            P[ix.P_BR_DI + i],
            P[ix.P_BR_FACE_A + i],
            P[ix.P_BR_VANE_A + i],
            P[ix.P_BR_DH],
            P[ix.P_BR_VANE_L + i],
            P[ix.P_BR_PUMP],
        )
        q_loss += disc_radiation_W(
            S[ix.S_T_DISC + i], t_air, P[ix.P_BR_EMIS], P[ix.P_BR_FACE_A + i]
        )
        S[ix.S_MU_PAD + i] = interp_table(
            S[ix.S_T_DISC + i],
            P[ix.P_BR_MU_T : ix.P_BR_MU_T + ix.N_TABLE],
            P[ix.P_BR_MU : ix.P_BR_MU + ix.N_TABLE],
            int(P[ix.P_BR_MU_N]),
            0,
        )
        S[ix.S_T_DISC + i] = disc_step(
            S[ix.S_T_DISC + i],
            q_fric,
            P[ix.P_BR_PART],
            q_loss,
            P[ix.P_BR_MASS + i],
            P[ix.P_BR_CP],
            dt,
        )


@kernel_part
def fuel_mass_step(S: np.ndarray) -> None:
    """Fuel leaves the sprung mass from the tank: the sprung CG moves away from the tank
    (hub offsets are measured from it) and the tank's m x^2 leaves pitch and yaw inertia."""
    dm = S[ix.S_ACC_FUEL]
    x_tank = S[ix.S_TANK_X]
    shift = -dm * x_tank / (S[ix.S_M_SPRUNG] - dm)
    for i in range(4):
        S[ix.S_CX + i] -= shift
    S[ix.S_TANK_X] -= shift
    S[ix.S_IYY] -= dm * x_tank * x_tank
    S[ix.S_IZZ] -= dm * x_tank * x_tank
    S[ix.S_M_TOTAL] -= dm
    S[ix.S_M_SPRUNG] -= dm


@kernel_part
def thermal_step(S: np.ndarray, P: np.ndarray, speed: float, surface: int) -> None:
    """One slow step over the time built up in ``THERMAL_TIMER``; clears the
    accumulators of fuel, load, slip heat and brake energy."""
    dt = S[ix.S_THERMAL_TIMER]
    S[ix.S_THERMAL_TIMER] = 0.0
    cooling_step(S, P, speed, dt)
    intake_filter_step(S, P, speed, dt, surface)
    brake_disc_step(S, P, speed, dt)
    fuel_mass_step(S)
    S[ix.S_ACC_FUEL] = 0.0
    S[ix.S_ACC_LOAD] = 0.0
    S[ix.S_ACC_SLIP] = 0.0
