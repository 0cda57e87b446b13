"""Every ``SAMPLE_EVERY`` steps: the state's sanity checks and one telemetry row."""

from __future__ import annotations

import math

import numpy as np

from raidsim.physics.interp import grid_cell_value
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part
from raidsim.units import RADPS_TO_RPM

#: a CG speed above this is a diverged integration, m/s
MAX_SPEED_MPS = 150.0
#: an engine above this multiple of its rev limit is a diverged integration
MAX_REV_MULTIPLE = 3.0
#: a wheel spinning faster than this is a diverged integration, rad/s
MAX_WHEEL_RADPS = 1000.0


@kernel_part
def diverged_state(S: np.ndarray, P: np.ndarray) -> int:
    """Index of the first non-finite or out-of-range state, or -1 when all are sane."""
    for j in range(ix.N_STATE):
        if not math.isfinite(S[j]):
            return j
    vabs = math.sqrt(S[ix.S_VX] ** 2 + S[ix.S_VY] ** 2 + S[ix.S_VZ] ** 2)
    if vabs > MAX_SPEED_MPS:
        return ix.S_VX
    if S[ix.S_OMEGA_E] > MAX_REV_MULTIPLE * P[ix.P_REV_W]:
        return ix.S_OMEGA_E
    for i in range(4):
        if abs(S[ix.S_OMEGA + i]) > MAX_WHEEL_RADPS:
            return ix.S_OMEGA + i
    return -1


@kernel_part
def write_row(
    row: np.ndarray,
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    A: np.ndarray,
    surface: np.ndarray,
    s_cg: float,
    n_cg: float,
) -> None:
    """One telemetry row (channel order of :data:`raidsim.sim.layout.CHANNELS`); resets
    the halfshaft peak hold."""
    row[ix.C_TIME_S] = S[ix.S_T]
    row[ix.C_DISTANCE_M] = s_cg
    row[ix.C_ODOMETER_M] = S[ix.S_ODOMETER]
    row[ix.C_X_M] = S[ix.S_X]
    row[ix.C_Y_M] = S[ix.S_Y]
    row[ix.C_Z_M] = S[ix.S_Z]
    row[ix.C_LATERAL_OFFSET_M] = n_cg
    row[ix.C_SPEED_MPS] = math.sqrt(S[ix.S_VX] ** 2 + S[ix.S_VY] ** 2)
    row[ix.C_TARGET_SPEED_MPS] = A[ix.A_V_TARGET]
    row[ix.C_VERTICAL_SPEED_MPS] = S[ix.S_VZ]
    row[ix.C_AX_MPS2] = A[ix.A_AX]
    row[ix.C_AY_MPS2] = A[ix.A_AY]
    row[ix.C_SPECIFIC_FORCE_Z_MPS2] = A[ix.A_SFZ]
    row[ix.C_ROLL_RAD] = S[ix.S_PHI]
    row[ix.C_PITCH_RAD] = S[ix.S_THETA]
    row[ix.C_YAW_RAD] = S[ix.S_PSI]
    row[ix.C_YAW_RATE_RADPS] = S[ix.S_R]
    row[ix.C_STEER_RAD] = S[ix.S_STEER]
    row[ix.C_THROTTLE] = S[ix.S_THROTTLE]
    row[ix.C_BRAKE] = S[ix.S_BRAKE]
    row[ix.C_GEAR] = S[ix.S_GEAR]
    row[ix.C_ENGINE_SPEED_RPM] = S[ix.S_OMEGA_E] * RADPS_TO_RPM
    row[ix.C_TURBINE_SPEED_RPM] = S[ix.S_OMEGA_T] * RADPS_TO_RPM
    row[ix.C_ENGINE_TORQUE_NM] = A[ix.A_T_E]
    row[ix.C_ENGINE_POWER_KW] = A[ix.A_P_E] / 1000.0
    row[ix.C_BOOST] = S[ix.S_BOOST]
    row[ix.C_LOCKUP] = S[ix.S_LOCKUP]
    row[ix.C_SURFACE] = grid_cell_value(surface, s_cg)
    row[ix.C_FUEL_USED_KG] = S[ix.S_FUEL_USED]
    row[ix.C_COOLANT_C] = S[ix.S_T_COOLANT]
    row[ix.C_OIL_C] = S[ix.S_T_OIL]
    row[ix.C_FAN_DUTY] = S[ix.S_FAN_DUTY]
    row[ix.C_FILTER_LOADING] = S[ix.S_FILTER_LOAD]
    row[ix.C_DERATE_FACTOR] = S[ix.S_DERATE]
    row[ix.C_FUEL_L] = P[ix.P_FUEL_LOAD_L] - S[ix.S_FUEL_USED] / P[ix.P_FUEL_DENSITY]
    row[ix.C_MASS_KG] = S[ix.S_M_TOTAL]
    row[ix.C_ENERGY_DISSIPATED_J] = S[ix.S_E_DISSIPATED]
    contact = A[ix.A_CONTACT]
    row[ix.C_WHEELS_IN_CONTACT] = contact
    row[ix.C_AIRBORNE_TRUTH] = 1.0 if contact == 0 else 0.0
    row[ix.C_FLIGHT_MODE_STATE] = S[ix.S_FM_STATE]
    for i in range(4):
        row[ix.C_BRAKE_DISC_C_FL + i] = S[ix.S_T_DISC + i]
        row[ix.C_WHEEL_SPEED_FL_RADPS + i] = S[ix.S_OMEGA + i]
        row[ix.C_HALFSHAFT_TORQUE_FL_NM + i] = W[ix.W_THS, i]
        row[ix.C_HALFSHAFT_TORQUE_PEAK_FL_NM + i] = S[ix.S_HS_PEAK + i]
        S[ix.S_HS_PEAK + i] = 0.0
        row[ix.C_TYRE_LOAD_FL_N + i] = W[ix.W_FZ, i]
        row[ix.C_TYRE_FX_FL_N + i] = W[ix.W_FX_USED, i]
        row[ix.C_TYRE_FY_FL_N + i] = W[ix.W_FYW, i]
        row[ix.C_SLIP_RATIO_FL + i] = W[ix.W_SLIP, i]
        row[ix.C_SUSPENSION_TRAVEL_FL_M + i] = W[ix.W_TRAVEL, i]
