"""The transient hot loop: one Numba function advancing the 14-DOF vehicle N steps.

Model (physics.md §6.3, §11; DESIGN.md "The two simulation tiers"):

* Body: 6 DOF rigid sprung mass. Horizontal translation is integrated in the world
  frame with the total mass (unsprung masses follow the body horizontally);
  vertical translation with the sprung mass; rotation with Euler's equations in the
  body frame, attitude as ZYX Euler angles.
* 4 unsprung masses moving vertically (world z) under suspension force, gravity and
  the world-vertical part of the tyre contact force. Total linear momentum is
  therefore exact: in flight the system CG follows the ballistic parabola.
* Suspension per corner: linear spring with static preload, digressive and
  position-sensitive damper, progressive hydraulic bump stop, stiff droop stop.
* Tyres: one-sided vertical spring-damper (lift-off), TMeasy combined slip with load
  dependence, surface scaling, Janosi thrust cap and Bekker compaction resistance on
  sand (precomputed table), pressure-dependent rolling resistance.
* Driveline: engine + impeller inertia, torque converter maps with a Karnopp-type
  lock-up clutch, 8-speed ratio with per-gear efficiency, centre and axle
  differentials as torque-splitting open differentials with clutch locks, four
  halfshaft torsional spring-dampers, four wheel spins.
* Integration: 1 ms semi-implicit (symplectic) Euler; leapfrog start (half kick on the
  first step) so positions are second-order for smooth forces; wheel spin implicit in
  the tyre force (physics.md §10.1); brake and rolling resistance as Karnopp friction.
* Driver (pure pursuit + PI on a previewed speed plan) and TCU at ``CTRL_DT``.

All indices come from :mod:`raidsim.sim.layout`. The kernel returns a status code, the
number of samples written and (on divergence) the offending state index.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from raidsim.physics.brakes import disc_convection_W, disc_radiation_W, disc_step
from raidsim.physics.converter import converter_torques
from raidsim.physics.cooling import (
    coolant_step,
    core_air_flow_m3s,
    derate_factor,
    fan_duty,
    fan_electrical_power_W,
    filter_k,
    filter_pressure_drop_Pa,
    heat_to_coolant_W,
    radiator_ua_W_per_K,
)
from raidsim.physics.engine import friction_torque_Nm, turbo_tau_s, willans_fuel_rate_kg_s
from raidsim.physics.fuel import enrichment_factor
from raidsim.physics.interp import interp_table
from raidsim.physics.suspension import damper_force_N, stop_forces_N
from raidsim.physics.tyre import load_linear, load_scaled, tmeasy_forces
from raidsim.sim.layout import CH, LAYOUT_HASH, N_RC, N_STATE, N_TABLE, PARAM, STATE

# ---- state indices (module constants are frozen into the compiled kernel)
T_ = STATE["T"]
X_, Y_, Z_ = STATE["X"], STATE["Y"], STATE["Z"]
PHI_, THETA_, PSI_ = STATE["PHI"], STATE["THETA"], STATE["PSI"]
VX_, VY_, VZ_ = STATE["VX"], STATE["VY"], STATE["VZ"]
P_, Q_, R_ = STATE["P"], STATE["Q"], STATE["R"]
ZU_, WU_, OM_, SG_, TW_ = (
    STATE["ZU"],
    STATE["WU"],
    STATE["OMEGA"],
    STATE["OMEGA_SG"],
    STATE["TWIST"],
)
WE_, WT_, BOOST_ = STATE["OMEGA_E"], STATE["OMEGA_T"], STATE["BOOST"]
GEAR_, SHIFT_, TIG_ = STATE["GEAR"], STATE["SHIFT_TIMER"], STATE["TIME_IN_GEAR"]
LU_, LUCMD_ = STATE["LOCKUP"], STATE["LOCKUP_CMD"]
STEER_, THR_, BRK_, SINT_ = STATE["STEER"], STATE["THROTTLE"], STATE["BRAKE"], STATE["SPEED_INT"]
RIDX_, SR_, NR_, ODO_ = STATE["ROUTE_IDX"], STATE["S_ROUTE"], STATE["N_ROUTE"], STATE["ODOMETER"]
FUEL_, EDIS_, EDRV_ = STATE["FUEL_USED"], STATE["E_DISSIPATED"], STATE["E_DRIVE"]
FIRST_, CTRLT_, STUCK_ = STATE["FIRST_STEP"], STATE["CTRL_TIMER"], STATE["STUCK_TIME"]

# ---- parameter offsets
pHASH = PARAM["LAYOUT_HASH"]
pDT, pG, pSAMPLE, pCTRL = PARAM["DT"], PARAM["G"], PARAM["SAMPLE_EVERY"], PARAM["CTRL_DT"]
pMT, pMS = PARAM["M_TOTAL"], PARAM["M_SPRUNG"]
pIXX, pIYY, pIZZ = PARAM["IXX"], PARAM["IYY"], PARAM["IZZ"]
pCX, pCY, pCZ = PARAM["CX"], PARAM["CY"], PARAM["CZ"]
pMU, pKS, pPRE = PARAM["M_U"], PARAM["K_S"], PARAM["PRELOAD"]
pCC, pCR, pDD = PARAM["C_COMP"], PARAM["C_REB"], PARAM["D_DIG"]
pBUMP, pDROOP, pEZS, pEZM = PARAM["BUMP"], PARAM["DROOP"], PARAM["ENDZ_START"], PARAM["ENDZ_MULT"]
pBSL, pBSF, pBSP, pBSC, pDRK = (
    PARAM["BS_LEN"],
    PARAM["BS_F"],
    PARAM["BS_P"],
    PARAM["BS_C"],
    PARAM["DROOP_K"],
)
pR0, pTW, pJW, pKZ, pCZT, pFZN = (
    PARAM["R0"],
    PARAM["TYRE_W"],
    PARAM["J_W"],
    PARAM["KZ_T"],
    PARAM["CZ_T"],
    PARAM["FZ_NOM"],
)
pDFX0, pFXM, pSXM, pFXS, pSXS = (
    PARAM["DFX0"],
    PARAM["FXM"],
    PARAM["SXM"],
    PARAM["FXS"],
    PARAM["SXS"],
)
pDFY0, pFYM, pSYM, pFYS, pSYS = (
    PARAM["DFY0"],
    PARAM["FYM"],
    PARAM["SYM"],
    PARAM["FYS"],
    PARAM["SYS"],
)
pVN, pRRA, pRRB = PARAM["V_N"], PARAM["RR_A"], PARAM["RR_B"]
pSMU, pSRR, pSSM, pSFS = PARAM["SURF_MU"], PARAM["SURF_RR"], PARAM["SURF_SM"], PARAM["SURF_FS"]
pSSOFT, pSCOH, pSTPHI = PARAM["SURF_SOFT"], PARAM["SURF_COH"], PARAM["SURF_TANPHI"]
pRCW, pRCT, pSSR = PARAM["RC_WMAX"], PARAM["RC_TABLE"], PARAM["SAND_SPEED_REF"]
pAERO, pLIFT, pWIND = PARAM["AERO_K"], PARAM["LIFT_K"], PARAM["HEADWIND"]
pENGN, pENGW, pENGT = PARAM["ENG_N"], PARAM["ENG_W"], PARAM["ENG_T"]
pIDLE, pREV, pJE = PARAM["IDLE_W"], PARAM["REV_W"], PARAM["J_E"]
pFA, pFB, pFC = PARAM["FRIC_A"], PARAM["FRIC_B"], PARAM["FRIC_C"]
pNA, pLAGL, pLAGH, pLAGWL, pLAGWH = (
    PARAM["NA_FRAC"],
    PARAM["LAG_LOW"],
    PARAM["LAG_HIGH"],
    PARAM["LAG_W_LOW"],
    PARAM["LAG_W_HIGH"],
)
pPCAP, pWE, pLHV = PARAM["P_CAP"], PARAM["WILLANS_E"], PARAM["FUEL_LHV"]
pTCN, pTCSR, pTCK, pTCTR = PARAM["TC_N"], PARAM["TC_SR"], PARAM["TC_K"], PARAM["TC_TR"]
pLUCAP, pLUG, pLUV, pJT = PARAM["LU_CAP"], PARAM["LU_MIN_GEAR"], PARAM["LU_MIN_V"], PARAM["J_T"]
pNG, pRAT, pEFF, pFD = PARAM["N_GEARS"], PARAM["RATIO"], PARAM["EFF"], PARAM["FD"]
pSHT, pSHC = PARAM["SHIFT_T"], PARAM["SHIFT_CUT"]
pUPP, pUPF, pDNP, pDNF = PARAM["UP_PART"], PARAM["UP_FULL"], PARAM["DN_PART"], PARAM["DN_FULL"]
pMTG, pSSLIP = PARAM["MIN_T_GEAR"], PARAM["SAND_SLIP"]
pFF, pCLK, pFLK, pRLK = (
    PARAM["FRONT_FRAC"],
    PARAM["CLOCK_CAP"],
    PARAM["FLOCK_CAP"],
    PARAM["RLOCK_CAP"],
)
pAXE, pJSG, pKHS, pCHS = PARAM["AXLE_EFF"], PARAM["J_SG"], PARAM["K_HS"], PARAM["C_HS"]
pMXS, pMXSR, pWB, pTRF = (
    PARAM["MAX_STEER"],
    PARAM["MAX_STEER_RATE"],
    PARAM["WHEELBASE"],
    PARAM["TRACK_F"],
)
pTB, pVLIM, pVBAND, pABS = PARAM["TB_MAX"], PARAM["V_LIM"], PARAM["V_BAND"], PARAM["ABS_SLIP"]
pLKT, pLKM, pKP, pKI, pPRV, pBG = (
    PARAM["DRV_HEADING_PREVIEW"],
    PARAM["DRV_STANLEY_K"],
    PARAM["DRV_KP"],
    PARAM["DRV_KI"],
    PARAM["DRV_PREVIEW_T"],
    PARAM["DRV_BRAKE_GAIN"],
)
pMODE, pEND, pMAXT, pTDS, pRSEED = (
    PARAM["MODE"],
    PARAM["STAGE_END"],
    PARAM["MAX_TIME"],
    PARAM["TERRAIN_DS"],
    PARAM["ROCK_SEED"],
)

SFMAG_, FMS_, FMF_, FMT_, FMR_, HSPK_ = (
    STATE["SF_MAG"],
    STATE["FM_STATE"],
    STATE["FM_IMU_F"],
    STATE["FM_IMU_T"],
    STATE["FM_RAMP_T"],
    STATE["HS_PEAK"],
)
pFMEN, pFMG, pFMTMIN, pFMFC = (
    PARAM["FM_ENABLED"],
    PARAM["FM_IMU_G"],
    PARAM["FM_IMU_TMIN"],
    PARAM["FM_IMU_FC"],
)
pFMDM, pFMLF, pFMFL, pFMRF, pFMFW, pFMV = (
    PARAM["FM_DROOP_MARGIN"],
    PARAM["FM_LOAD_FRAC"],
    PARAM["FM_FLARE_FRAC"],
    PARAM["FM_ROAD_FRAC"],
    PARAM["FM_FREE_WHEELS"],
    PARAM["FM_VOTES"],
)
pFMXL, pFMXAZ, pFMXW = PARAM["FM_EXIT_LOAD_FRAC"], PARAM["FM_EXIT_AZ_G"], PARAM["FM_EXIT_WHEELS"]
pFMDW = PARAM["FM_DROOP_WHEELS"]
pFMMATCH, pFMLU, pFMHOLD, pFMCL = (
    PARAM["FM_MATCH"],
    PARAM["FM_OPEN_LU"],
    PARAM["FM_HOLD_GEAR"],
    PARAM["FM_RELEASE_CLOCK"],
)
pFMRAMP, pFMK, pFMSLIP = PARAM["FM_RAMP_S"], PARAM["FM_MATCH_GAIN"], PARAM["FM_SLIP_TARGET"]
cAIR, cFMS, cHSPK = CH["airborne_truth"], CH["flight_mode_state"], CH["halfshaft_torque_peak_fl_Nm"]

TC_, TO_, TD_, FL_ = STATE["T_COOLANT"], STATE["T_OIL"], STATE["T_DISC"], STATE["FILTER_LOAD"]
FAN_, DER_, CAPF_, THT_ = (
    STATE["FAN_DUTY"],
    STATE["DERATE"],
    STATE["CAP_FACTOR"],
    STATE["THERMAL_TIMER"],
)
AFUEL_, ALOAD_, ASLIP_, ABRK_ = (
    STATE["ACC_FUEL"],
    STATE["ACC_LOAD"],
    STATE["ACC_SLIP"],
    STATE["ACC_BRAKE"],
)
DERT_, MUPAD_, FANW_ = STATE["DERATE_TIME"], STATE["MU_PAD"], STATE["FAN_LOAD_W"]
ROADT_, FMFT_ = STATE["ROAD_TORQUE"], STATE["FM_FREE_T"]
pFMFTMIN = PARAM["FM_FREE_TMIN"]
pTHDT, pTAIR, pRHO, pPAMB = PARAM["TH_DT"], PARAM["T_AIR"], PARAM["RHO_AIR"], PARAM["P_AMB"]
pLAMF, pENST, pFDEN = PARAM["LAMBDA_FULL"], PARAM["ENRICH_START"], PARAM["FUEL_DENSITY"]
pBRMUN, pBRMUT, pBRMU, pBRNOM = (
    PARAM["BR_MU_N"],
    PARAM["BR_MU_T"],
    PARAM["BR_MU"],
    PARAM["BR_MU_NOM"],
)
cCOOL, cOIL, cFAN, cFILT = CH["coolant_C"], CH["oil_C"], CH["fan_duty"], CH["filter_loading"]
cDER, cFUELL, cMASS, cDISC = CH["derate_factor"], CH["fuel_L"], CH["mass_kg"], CH["brake_disc_C_fl"]
pCLFF, pCLFP, pCLUA, pCLVREF = (
    PARAM["CL_FRAC_FULL"],
    PARAM["CL_FRAC_PART"],
    PARAM["CL_UA_REF"],
    PARAM["CL_V_REF"],
)
pCLUAX, pCLA, pCLK0, pCLCRAM = (
    PARAM["CL_UA_EXP"],
    PARAM["CL_FACE_A"],
    PARAM["CL_K_SYS0"],
    PARAM["CL_C_RAM"],
)
pCLNF, pCLDP0, pCLQ0, pCLFW = (
    PARAM["CL_N_FANS"],
    PARAM["CL_FAN_DP0"],
    PARAM["CL_FAN_Q0"],
    PARAM["CL_FAN_W"],
)
pCLFLOW, pCLFON, pCLFFULL = PARAM["CL_FAN_LOW"], PARAM["CL_FAN_ON"], PARAM["CL_FAN_FULL"]
pCLALT, pCLPUMP, pCLCP = PARAM["CL_ALT_EFF"], PARAM["CL_PUMP"], PARAM["CL_CP"]
pCLTHO, pCLTHF, pCLTHM = PARAM["CL_TH_OPEN"], PARAM["CL_TH_FULL"], PARAM["CL_TH_MIN"]
pCLCE, pCLCO, pCLGL, pCLGOC, pCLGOA = (
    PARAM["CL_C_ENG"],
    PARAM["CL_C_OIL"],
    PARAM["CL_G_LOSS"],
    PARAM["CL_G_OC"],
    PARAM["CL_G_OA"],
)
pCLDC, pCLMC, pCLDO, pCLMO, pCLFLOOR = (
    PARAM["CL_DER_C"],
    PARAM["CL_MAX_C"],
    PARAM["CL_DER_OIL"],
    PARAM["CL_MAX_OIL"],
    PARAM["CL_FLOOR"],
)
pCLFK0, pCLFKP, pCLIA, pCLIK0, pCLIKP = (
    PARAM["CL_FK_CLEAN"],
    PARAM["CL_FK_PER"],
    PARAM["CL_IF_AREA"],
    PARAM["CL_IF_K0"],
    PARAM["CL_IF_KPER"],
)
pCLLPK, pPCAPF = PARAM["CL_LOAD_PER_KM"], PARAM["P_CAP_FLOW"]
pBRM, pBRDO, pBRDI, pBRFA, pBRVA, pBRVL = (
    PARAM["BR_MASS"],
    PARAM["BR_DO"],
    PARAM["BR_DI"],
    PARAM["BR_FACE_A"],
    PARAM["BR_VANE_A"],
    PARAM["BR_VANE_L"],
)
pBRDH, pBRPUMP, pBRCP, pBREMIS, pBRPART = (
    PARAM["BR_DH"],
    PARAM["BR_PUMP"],
    PARAM["BR_CP"],
    PARAM["BR_EMIS"],
    PARAM["BR_PART"],
)
pFUEL0, pTANKX = PARAM["FUEL_LOAD_L"], PARAM["TANK_X"]

RPM = 60.0 / (2.0 * math.pi)
ROCK_CELL_M = 0.7  # value-noise cell of the rock field, m (estimate: fist-to-boulder scale)

# ---- channel indices
cT, cS, cODO, cX, cY, cZ = (
    CH["time_s"],
    CH["distance_m"],
    CH["odometer_m"],
    CH["x_m"],
    CH["y_m"],
    CH["z_m"],
)
cN, cV, cVT, cVZ = (
    CH["lateral_offset_m"],
    CH["speed_mps"],
    CH["target_speed_mps"],
    CH["vertical_speed_mps"],
)
cAX, cAY, cSFZ = CH["ax_mps2"], CH["ay_mps2"], CH["specific_force_z_mps2"]
cROLL, cPITCH, cYAW, cYR = CH["roll_rad"], CH["pitch_rad"], CH["yaw_rad"], CH["yaw_rate_radps"]
cSTEER, cTHR, cBRK, cGEAR = CH["steer_rad"], CH["throttle"], CH["brake"], CH["gear"]
cRPM, cTRPM, cTE, cPE = (
    CH["engine_speed_rpm"],
    CH["turbine_speed_rpm"],
    CH["engine_torque_Nm"],
    CH["engine_power_kW"],
)
cBOOST, cLU, cSURF, cFUEL = CH["boost"], CH["lockup"], CH["surface"], CH["fuel_used_kg"]
cEDIS, cCONTACT = CH["energy_dissipated_J"], CH["wheels_in_contact"]
cWS, cHS, cFZ = CH["wheel_speed_fl_radps"], CH["halfshaft_torque_fl_Nm"], CH["tyre_load_fl_N"]
cFX, cFY, cSLIP, cTRAV = (
    CH["tyre_fx_fl_N"],
    CH["tyre_fy_fl_N"],
    CH["slip_ratio_fl"],
    CH["suspension_travel_fl_m"],
)


@njit(cache=True)
def _interp_uniform(arr: np.ndarray, x: float, ds: float) -> float:
    """Linear interpolation in an array sampled every ds from 0, clamped."""
    u = x / ds
    n = arr.shape[0]
    if u <= 0.0:
        return arr[0]
    k = int(u)
    if k >= n - 1:
        return arr[n - 1]
    f = u - k
    return arr[k] + f * (arr[k + 1] - arr[k])


@njit(cache=True)
def _hash01(i: int, j: int, seed: int) -> float:
    """Deterministic hash of an integer lattice point to [0, 1)."""
    h = (i * 73856093) ^ (j * 19349663) ^ (seed * 83492791)
    h = h & 0xFFFFFFFF
    h = ((h >> 16) ^ h) * 0x45D9F3B
    h = h & 0xFFFFFFFF
    h = ((h >> 16) ^ h) * 0x45D9F3B
    h = h & 0xFFFFFFFF
    h = (h >> 16) ^ h
    return (h & 0xFFFFFF) / 16777216.0


@njit(cache=True)
def rock_noise(s: float, n: float, seed: int) -> float:
    """Smooth value noise in [-1, 1] over (s, lateral), cell ROCK_CELL_M."""
    u = s / ROCK_CELL_M
    v = n / ROCK_CELL_M
    i = int(math.floor(u))
    j = int(math.floor(v))
    fu = u - i
    fv = v - j
    fu = fu * fu * (3.0 - 2.0 * fu)
    fv = fv * fv * (3.0 - 2.0 * fv)
    a = _hash01(i, j, seed)
    b = _hash01(i + 1, j, seed)
    c = _hash01(i, j + 1, seed)
    d = _hash01(i + 1, j + 1, seed)
    val = a + (b - a) * fu + (c - a) * fv + (a - b - c + d) * fu * fv
    return 2.0 * val - 1.0


@njit(cache=True)
def _centre_height(rz: np.ndarray, fh: np.ndarray, s: float, tds: float) -> float:
    return _interp_uniform(rz, s, 1.0) + _interp_uniform(fh, s, tds)


@njit(cache=True)
def step_chunk(
    S: np.ndarray,
    P: np.ndarray,
    RX: np.ndarray,
    RY: np.ndarray,
    RZ: np.ndarray,
    RSURF: np.ndarray,
    RVT: np.ndarray,
    FH: np.ndarray,
    RCROSS: np.ndarray,
    RROCK: np.ndarray,
    out: np.ndarray,
    n_steps: int,
) -> tuple[int, int, int]:
    """Advance the state ``S`` in place by up to ``n_steps`` steps of ``P[DT]``.

    Writes one row of ``out`` every ``SAMPLE_EVERY`` steps. Returns
    (status, samples_written, bad_state_index or -1).
    """
    if P[pHASH] != LAYOUT_HASH:
        return 5, 0, -1
    h = P[pDT]
    g = P[pG]
    sample_every = int(P[pSAMPLE])
    n_route = RX.shape[0]
    tds = P[pTDS]
    seed = int(P[pRSEED])
    mode = int(P[pMODE])
    n_gears = int(P[pNG])
    m_tot = P[pMT]
    m_s = P[pMS]
    r0 = P[pR0]
    j_w = P[pJW]
    j_sg = P[pJSG]
    ff = P[pFF]
    wts = np.empty(4)
    wts[0] = 0.5 * ff
    wts[1] = 0.5 * ff
    wts[2] = 0.5 * (1.0 - ff)
    wts[3] = 0.5 * (1.0 - ff)

    # per-wheel scratch
    fs_ = np.empty(4)
    fz_ = np.empty(4)
    fzw_ = np.empty(4)
    vlong_ = np.empty(4)
    vlat_ = np.empty(4)
    fxw_ = np.empty(4)  # tyre longitudinal force at omega_n (wheel frame)
    fyw_ = np.empty(4)
    dfx_ = np.empty(4)  # dFx/domega
    rd_ = np.empty(4)
    tfric_ = np.empty(4)  # brake + rolling resistance torque magnitude
    tbrk_ = np.empty(4)
    cosw_ = np.empty(4)
    sinw_ = np.empty(4)
    gx_ = np.empty(4)
    gy_ = np.empty(4)
    nrm_ = np.empty(4)
    travel_ = np.empty(4)
    slip_ = np.empty(4)
    rwx = np.empty(4)
    rwy = np.empty(4)
    rwz = np.empty(4)
    thw = np.empty(4)
    q_ = np.empty(4)
    om_new = np.empty(4)
    sg_new = np.empty(4)
    fx_used = np.empty(4)

    samples = 0
    t_e_out = 0.0
    ax_out = 0.0
    ay_out = 0.0
    sfz_out = g
    contact = 0
    vt_out = 0.0

    for step in range(n_steps):
        kick = 0.5 if S[FIRST_] > 0.5 else 1.0
        S[FIRST_] = 0.0
        hk = h * kick

        # ------------------------------------------------------------ kinematics
        phi = S[PHI_]
        th = S[THETA_]
        psi = S[PSI_]
        cph, sph = math.cos(phi), math.sin(phi)
        cth, sth = math.cos(th), math.sin(th)
        cps, sps = math.cos(psi), math.sin(psi)
        r00 = cps * cth
        r01 = cps * sth * sph - sps * cph
        r02 = cps * sth * cph + sps * sph
        r10 = sps * cth
        r11 = sps * sth * sph + cps * cph
        r12 = sps * sth * cph - cps * sph
        r20 = -sth
        r21 = cth * sph
        r22 = cth * cph
        p = S[P_]
        q = S[Q_]
        r = S[R_]
        wx = r00 * p + r01 * q + r02 * r  # angular velocity, world frame
        wy = r10 * p + r11 * q + r12 * r
        wz = r20 * p + r21 * q + r22 * r
        vx = S[VX_]
        vy = S[VY_]
        vz = S[VZ_]
        speed = math.sqrt(vx * vx + vy * vy)

        # ------------------------------------------------------------ route tracking
        k = int(S[RIDX_])
        if k > n_route - 2:
            k = n_route - 2
        moved = 0  # +1 forward, -1 backward: never reverse (a point off a convex bend
        # can project beyond one segment and before the next)
        while True:
            tx = RX[k + 1] - RX[k]
            ty = RY[k + 1] - RY[k]
            inv = 1.0 / math.sqrt(tx * tx + ty * ty)
            tx *= inv
            ty *= inv
            proj = (S[X_] - RX[k]) * tx + (S[Y_] - RY[k]) * ty
            if proj > 1.0 and k < n_route - 2 and moved >= 0:
                k += 1
                moved = 1
            elif proj < 0.0 and k > 0 and moved <= 0:
                k -= 1
                moved = -1
            else:
                break
        S[RIDX_] = k
        s_cg = k + proj
        n_cg = -(S[X_] - RX[k]) * ty + (S[Y_] - RY[k]) * tx
        S[SR_] = s_cg
        S[NR_] = n_cg

        # ------------------------------------------------------------ driver + TCU
        S[CTRLT_] += h
        if S[CTRLT_] >= P[pCTRL] - 1e-12:
            cdt = S[CTRLT_]
            S[CTRLT_] = 0.0
            # previewed target, never above the target here (zones end at FZ, not before)
            vt_out = min(
                _interp_uniform(RVT, s_cg + speed * P[pPRV], 1.0), _interp_uniform(RVT, s_cg, 1.0)
            )
            if mode == 0:
                # Stanley path follower on the front axle with curvature feed-forward
                # (Thrun et al. 2006): delta = psi_e + atan(k e_f / (v + v0)) + L kappa
                a_f = P[pCX]
                xf = S[X_] + a_f * cps
                yf = S[Y_] + a_f * sps
                s_f = s_cg + a_f
                kf = min(max(int(s_f), 0), n_route - 2)
                txf = RX[kf + 1] - RX[kf]
                tyf = RY[kf + 1] - RY[kf]
                e_f = (-(xf - RX[kf]) * tyf + (yf - RY[kf]) * txf) / math.sqrt(
                    txf * txf + tyf * tyf
                )
                s_h = s_f + P[pLKT] * speed
                kh = min(max(int(s_h), 0), n_route - 3)
                h1 = math.atan2(RY[kh + 1] - RY[kh], RX[kh + 1] - RX[kh])
                h2 = math.atan2(RY[kh + 2] - RY[kh + 1], RX[kh + 2] - RX[kh + 1])
                kap = h2 - h1
                kap = (kap + math.pi) % (2.0 * math.pi) - math.pi
                psi_e = h1 - psi
                psi_e = (psi_e + math.pi) % (2.0 * math.pi) - math.pi
                d_cmd = psi_e + math.atan(-P[pLKM] * e_f / (speed + 2.0)) + P[pWB] * kap
                mx = P[pMXS]
                d_cmd = min(mx, max(-mx, d_cmd))
                dmax = P[pMXSR] * cdt
                S[STEER_] += min(dmax, max(-dmax, d_cmd - S[STEER_]))
            if mode == 0 or mode == 3:
                # PI speed control (mode 3: speed held, steering fixed - constant-steer tests)
                err = vt_out - speed
                u = P[pKP] * err + P[pKI] * S[SINT_]
                thr = min(1.0, max(0.0, u))
                brk = min(1.0, max(0.0, -u * P[pBG]))
                if not ((thr >= 1.0 and err > 0.0) or (brk >= 1.0 and err < 0.0)):
                    S[SINT_] = min(20.0, max(-20.0, S[SINT_] + err * cdt))
                S[THR_] = thr
                S[BRK_] = brk
            if mode <= 1 or mode == 3:
                # transmission control: shift map with hysteresis, sand hold, lock-up
                gear = int(S[GEAR_])
                S[TIG_] += cdt
                hold = S[FMS_] > 0.5 and P[pFMHOLD] > 0.5  # Flight Mode: freeze the gear
                if S[SHIFT_] > 0.0:
                    S[SHIFT_] = max(0.0, S[SHIFT_] - cdt)
                elif gear >= 1 and not hold:
                    thr = S[THR_]
                    rpm_t = S[WT_] * RPM
                    up = P[pUPP] + (P[pUPF] - P[pUPP]) * thr
                    dn = P[pDNP] + (P[pDNF] - P[pDNP]) * thr
                    v_wheels = 0.25 * r0 * (S[OM_] + S[OM_ + 1] + S[OM_ + 2] + S[OM_ + 3])
                    slip = (v_wheels - speed) / max(speed, 2.0)
                    if (
                        gear < n_gears
                        and rpm_t > up
                        and S[TIG_] > P[pMTG]
                        and slip < P[pSSLIP]
                        and S[BRK_] < 0.05
                    ):
                        S[GEAR_] = gear + 1
                        S[SHIFT_] = P[pSHT]
                        S[TIG_] = 0.0
                        S[LU_] = 0.0
                    elif gear > 1 and rpm_t < dn and S[TIG_] > 0.5 * P[pMTG]:
                        rpm_low = rpm_t * P[pRAT + gear - 2] / P[pRAT + gear - 1]
                        if rpm_low < 0.92 * P[pREV] * RPM:
                            S[GEAR_] = gear - 1
                            S[SHIFT_] = P[pSHT]
                            S[TIG_] = 0.0
                            S[LU_] = 0.0
                gear = int(S[GEAR_])
                if gear >= P[pLUG] and speed > P[pLUV] and S[SHIFT_] <= 0.0:
                    S[LUCMD_] = 1.0
                elif speed < P[pLUV] - 2.0 or gear < P[pLUG]:
                    S[LUCMD_] = 0.0
        thr = S[THR_]
        brk = S[BRK_]
        delta = S[STEER_]

        # Ackermann split of the bicycle steer angle
        if abs(delta) > 1e-6:
            rad = P[pWB] / math.tan(delta)
            half = 0.5 * P[pTRF]
            d_fl = math.atan(P[pWB] / (rad - half))
            d_fr = math.atan(P[pWB] / (rad + half))
        else:
            d_fl = delta
            d_fr = delta

        # ------------------------------------------------------------ corners
        fsum_z = 0.0
        fx_tot = 0.0
        fy_tot = 0.0
        mwx = 0.0
        mwy = 0.0
        mwz = 0.0
        contact = 0
        soft_speed = 1.0 / (1.0 + speed / P[pSSR])
        for i in range(4):
            cx = P[pCX + i]
            cy = P[pCY + i]
            cz = P[pCZ + i]
            ox = r00 * cx + r01 * cy + r02 * cz
            oy = r10 * cx + r11 * cy + r12 * cz
            oz = r20 * cx + r21 * cy + r22 * cz
            rwx[i] = ox
            rwy[i] = oy
            rwz[i] = oz
            # corner velocity = V + w x r
            cvx = vx + wy * oz - wz * oy
            cvy = vy + wz * ox - wx * oz
            cvz = vz + wx * oy - wy * ox
            # suspension
            x = S[ZU_ + i] - (S[Z_] + oz)
            xd = S[WU_ + i] - cvz
            travel_[i] = x
            fd = damper_force_N(xd, x, P[pCC + i], P[pCR + i], P[pDD + i], P[pEZS + i], P[pEZM + i])
            fsp = P[pPRE + i] + P[pKS + i] * x
            fst = stop_forces_N(
                x,
                xd,
                P[pBUMP + i],
                P[pDROOP + i],
                P[pBSL + i],
                P[pBSF + i],
                P[pBSP + i],
                P[pBSC + i],
                P[pDRK + i],
            )
            fs = fsp + fd + fst
            fs_[i] = fs
            S[EDIS_] += fd * xd * h
            if x > P[pBUMP + i] - P[pBSL + i] and xd > 0.0:
                S[EDIS_] += P[pBSC + i] * xd * xd * h
            # terrain under the wheel (route frame of the CG)
            s_i = s_cg + ox * tx + oy * ty
            n_i = n_cg - ox * ty + oy * tx
            idx = int(s_i)
            if idx < 0:
                idx = 0
            elif idx > n_route - 1:
                idx = n_route - 1
            ground = _centre_height(RZ, FH, s_i, tds) + RCROSS[idx] * n_i
            ramp = RROCK[idx]
            if ramp > 0.0:
                ground += ramp * rock_noise(s_i, n_i, seed)
            gs = (
                _centre_height(RZ, FH, s_i + 0.25, tds) - _centre_height(RZ, FH, s_i - 0.25, tds)
            ) * 2.0
            gn = RCROSS[idx]
            gx = gs * tx - gn * ty
            gy = gs * ty + gn * tx
            gx_[i] = gx
            gy_[i] = gy
            nrm = math.sqrt(1.0 + gx * gx + gy * gy)
            nrm_[i] = nrm
            # tyre vertical: one-sided spring-damper
            defl = ground - (S[ZU_ + i] - r0)
            fz = 0.0
            if defl > 0.0:
                ddefl = gx * cvx + gy * cvy - S[WU_ + i]
                fk = P[pKZ + i] * defl
                fz = fk + P[pCZT] * ddefl
                if fz < 0.0:
                    fz = 0.0
                if fz > 0.0:
                    S[EDIS_] += (fz - fk) * ddefl * h
                    contact += 1
            else:
                defl = 0.0
            fz_[i] = fz
            rd = r0 - defl / 3.0  # TMeasy dynamic rolling radius
            rd_[i] = rd
            # wheel heading and slip velocities
            if i == 0:
                psw = psi + d_fl
            elif i == 1:
                psw = psi + d_fr
            else:
                psw = psi
            cw = math.cos(psw)
            sw = math.sin(psw)
            cosw_[i] = cw
            sinw_[i] = sw
            vlong = cvx * cw + cvy * sw
            vlat = -cvx * sw + cvy * cw
            vlong_[i] = vlong
            vlat_[i] = vlat
            om = S[OM_ + i]
            # brake torque magnitude
            # pad friction falls off with disc temperature (fade, physics.md §8.1)
            tb = brk * P[pTB + i] * S[MUPAD_ + i] / P[pBRNOM]
            tbrk_[i] = tb
            if fz > 0.0:
                sc = int(RSURF[idx])
                fzr = min(fz / P[pFZN], 3.0)
                mu = P[pSMU + sc]
                smul = P[pSSM + sc]
                dfx0 = load_scaled(fzr, P[pDFX0], P[pDFX0 + 1]) * mu
                fxm = load_scaled(fzr, P[pFXM], P[pFXM + 1]) * mu
                sxm = load_linear(fzr, P[pSXM], P[pSXM + 1]) * smul
                fxs = max(load_scaled(fzr, P[pFXS], P[pFXS + 1]) * mu, P[pSFS + sc] * fxm)
                sxs = max(load_linear(fzr, P[pSXS], P[pSXS + 1]), 1.5 * sxm)
                dfy0 = load_scaled(fzr, P[pDFY0], P[pDFY0 + 1]) * mu
                fym = load_scaled(fzr, P[pFYM], P[pFYM + 1]) * mu
                sym = load_linear(fzr, P[pSYM], P[pSYM + 1]) * smul
                fys = max(load_scaled(fzr, P[pFYS], P[pFYS + 1]) * mu, P[pSFS + sc] * fym)
                sys = max(load_linear(fzr, P[pSYS], P[pSYS + 1]), 1.5 * sym)
                rres = (P[pRRA + i] + P[pRRB + i] * speed * speed) * P[pSRR + sc] * fz
                if P[pSSOFT + sc] > 0.5:
                    # Janosi thrust cap with the geometric contact length
                    lc = 2.0 * math.sqrt(max(0.0, 2.0 * r0 * defl - defl * defl))
                    cap = P[pTW] * lc * P[pSCOH + sc] + fz * P[pSTPHI + sc]
                    fxm = min(fxm, cap)
                    fxs = min(fxs, cap)
                    fym = min(fym, cap)
                    fys = min(fys, cap)
                    # Bekker compaction resistance table R_c(W)
                    off = pRCT + (sc * 4 + i) * N_RC
                    u = fz / P[pRCW] * (N_RC - 1)
                    kk = int(u)
                    if kk >= N_RC - 1:
                        rc = P[off + N_RC - 1]
                    else:
                        fr = u - kk
                        rc = P[off + kk] + fr * (P[off + kk + 1] - P[off + kk])
                    rres += rc * soft_speed
                den = rd * abs(om) + P[pVN]
                sx = -(vlong - rd * om) / den
                sy = -vlat / den
                slip_[i] = sx
                if P[pABS] > 0.0 and tb > 0.0 and sx < -P[pABS]:
                    # ABS: release the brake progressively beyond the slip limit
                    tb *= max(0.0, 1.0 - (-sx - P[pABS]) / 0.08)
                    tbrk_[i] = tb
                fxt, fyt, sec = tmeasy_forces(
                    sx, sy, dfx0, sxm, fxm, sxs, fxs, dfy0, sym, fym, sys, fys
                )
                fxw_[i] = fxt
                fyw_[i] = fyt
                dfx_[i] = sec * rd / den
                tfric_[i] = tb + rres * rd
            else:
                fxw_[i] = 0.0
                fyw_[i] = 0.0
                dfx_[i] = 0.0
                slip_[i] = 0.0
                tfric_[i] = tb

        # ------------------------------------------------------------ Flight Mode
        # airborne detection (physics.md §4.4): 2-of-3 vote to enter, any one to stay,
        # exit on landing (wheel loads back or a vertical-acceleration spike)
        wc = 2.0 * math.pi * P[pFMFC] * h
        S[FMF_] += wc / (1.0 + wc) * (S[SFMAG_] - S[FMF_])
        if S[FMF_] < P[pFMG] * g:
            S[FMT_] += h
        else:
            S[FMT_] = 0.0
        vote_imu = S[FMT_] >= P[pFMTMIN]
        n_droop = 0
        n_loaded = 0
        n_flare = 0
        n_free = 0
        for i in range(4):
            if travel_[i] < -P[pDROOP + i] + P[pFMDM] and fs_[i] < P[pFMLF] * P[pPRE + i]:
                n_droop += 1
            if fs_[i] > P[pFMXL] * P[pPRE + i]:
                n_loaded += 1
            if speed > 5.0 and abs(S[OM_ + i] * r0 - speed) > P[pFMFL] * speed:
                n_flare += 1
            if abs(S[ROADT_ + i]) < P[pFMRF] * (P[pPRE + i] + P[pMU + i] * g) * r0:
                n_free += 1
        if n_free >= P[pFMFW]:
            S[FMFT_] += h
        else:
            S[FMFT_] = 0.0
        votes = (
            (1 if vote_imu else 0)
            + (1 if n_droop >= P[pFMDW] else 0)
            + (1 if (n_flare >= 2 or S[FMFT_] >= P[pFMFTMIN]) else 0)
        )
        fm = int(S[FMS_])
        if P[pFMEN] > 0.5:
            if fm != 1:
                if votes >= P[pFMV]:
                    fm = 1
                elif fm == 2:
                    S[FMR_] += h
                    if S[FMR_] >= P[pFMRAMP]:
                        fm = 0
            elif n_loaded >= P[pFMXW] or S[SFMAG_] > P[pFMXAZ] * g or votes == 0:
                fm = 2
                S[FMR_] = 0.0
            S[FMS_] = fm
            if fm >= 1 and P[pFMLU] > 0.5:
                S[LUCMD_] = 0.0
                S[LU_] = 0.0

        # ------------------------------------------------------------ engine
        gear = int(S[GEAR_])
        w_e = S[WE_]
        w_t = S[WT_]
        v_lim_f = min(1.0, max(0.0, (P[pVLIM] - speed) / P[pVBAND]))
        rev_f = min(1.0, max(0.0, (P[pREV] - w_e) / (0.01 * P[pREV])))
        thr_eff = thr * v_lim_f * rev_f
        idle_thr = min(0.3, max(0.0, 0.004 * (P[pIDLE] - w_e)))
        if idle_thr > thr_eff:
            thr_eff = idle_thr
        t_prod = interp_table(
            w_e, P[pENGW : pENGW + N_TABLE], P[pENGT : pENGT + N_TABLE], int(P[pENGN]), 0
        )
        t_full = t_prod
        p_cap = P[pPCAP] * S[CAPF_]  # intake filter drop lowers the restrictor's p0
        if w_e > 1.0 and p_cap / w_e < t_full:
            t_full = p_cap / w_e
        t_full *= S[DER_]  # ECU derate on coolant / oil temperature
        t_fric = friction_torque_Nm(w_e, P[pFA], P[pFB], P[pFC])
        if w_e > 50.0:  # alternator load of the electric fans
            t_fric += S[FANW_] / (P[pCLALT] * w_e)
        tau = turbo_tau_s(w_e, P[pLAGWL], P[pLAGWH], P[pLAGL], P[pLAGH])
        S[BOOST_] += h * (thr_eff - S[BOOST_]) / tau
        t_avail = t_full * (P[pNA] + (1.0 - P[pNA]) * S[BOOST_])
        if fm == 1:
            if P[pFMMATCH] > 0.5:
                # wheel-speed matching: engine torque so the mean tread speed tracks the
                # horizontal ground speed (x (1 + slip target))
                tread = 0.25 * r0 * (S[OM_] + S[OM_ + 1] + S[OM_ + 2] + S[OM_ + 3])
                t_req = -P[pFMK] * (tread - speed * (1.0 + P[pFMSLIP]))
                thr_eff = min(1.0, max(0.0, (t_req + t_fric) / (t_full + t_fric)))
            else:
                thr_eff = 0.0  # plain torque cut
        t_pos = min(thr_eff * t_full, t_avail)
        if S[SHIFT_] > 0.0:
            t_pos *= 1.0 - P[pSHC]
        if fm == 2 and P[pFMRAMP] > 0.0:
            t_pos *= min(1.0, S[FMR_] / P[pFMRAMP])  # torque ramp-in after touchdown
        t_e = t_pos - (1.0 - thr_eff) * t_fric
        if w_e < 0.5 * P[pIDLE] and t_e < 0.0:
            t_e = 0.0
        t_e_out = t_e
        load = t_pos / t_full if t_full > 1.0 else 0.0
        dfuel = (
            h
            * willans_fuel_rate_kg_s(t_e, w_e, t_fric, P[pWE], P[pLHV])
            * enrichment_factor(load, P[pENST], P[pLAMF])
        )
        S[FUEL_] += dfuel
        S[AFUEL_] += dfuel
        S[ALOAD_] += load * h

        # ------------------------------------------------------------ driveline
        locked = S[LU_] > 0.5
        if gear >= 1:
            i_tot = P[pRAT + gear - 1] * P[pFD]
            eta = P[pEFF + gear - 1] * P[pAXE]
        else:
            i_tot = 0.0
            eta = 1.0
        t_cl = 0.0
        t_imp = 0.0
        t_turb = 0.0
        if locked and gear >= 1:
            t_in = t_e
            j_in = P[pJE] + P[pJT]
        else:
            t_imp, t_turb = converter_torques(
                w_e,
                w_t,
                P[pTCSR : pTCSR + N_TABLE],
                P[pTCK : pTCK + N_TABLE],
                P[pTCTR : pTCTR + N_TABLE],
                int(P[pTCN]),
                0,
            )
            if S[LUCMD_] > 0.5 and gear >= 1:
                cap = min(P[pLUCAP], abs(t_e) + 200.0)
                slipw = w_e - w_t
                t_cl = cap * slipw / (abs(slipw) + 1.0)
            t_in = t_turb + t_cl
            j_in = P[pJT]
        # generalised torques on side gears (wheel-referred), efficiency by power flow
        t_hs_sum = 0.0
        for i in range(4):
            ths = P[pKHS] * S[TW_ + i] + P[pCHS] * (S[SG_ + i] - S[OM_ + i])
            thw[i] = ths
            t_hs_sum += ths
            if abs(ths) > S[HSPK_ + i]:
                S[HSPK_ + i] = abs(ths)
        if gear >= 1:
            fac = i_tot * eta if t_in * w_t >= 0.0 else i_tot / eta
            for i in range(4):
                q_[i] = wts[i] * fac * t_in - thw[i]
        else:
            for i in range(4):
                q_[i] = -thw[i]
        # centre lock clutch (front pair vs rear pair)
        dfr = 0.5 * (S[SG_] + S[SG_ + 1]) - 0.5 * (S[SG_ + 2] + S[SG_ + 3])
        tc = 0.5 * ((q_[0] + q_[1]) - (q_[2] + q_[3])) + j_sg * dfr / h
        cap_c = 0.0 if (fm == 1 and P[pFMCL] > 0.5) else P[pCLK]
        tc = min(cap_c, max(-cap_c, tc))
        q_[0] -= 0.5 * tc
        q_[1] -= 0.5 * tc
        q_[2] += 0.5 * tc
        q_[3] += 0.5 * tc
        # axle lock clutches
        for a in range(2):
            il = 2 * a
            ir = 2 * a + 1
            capx = P[pFLK] if a == 0 else P[pRLK]
            dlr = S[SG_ + il] - S[SG_ + ir]
            ta = 0.5 * (q_[il] - q_[ir]) + 0.5 * j_sg * dlr / h
            ta = min(capx, max(-capx, ta))
            q_[il] -= ta
            q_[ir] += ta
        # Sherman-Morrison solve of (J_sg I + J_ref w w^T) wdot = Q
        j_ref = j_in * i_tot * i_tot if gear >= 1 else 0.0
        wq = 0.0
        ww = 0.0
        for i in range(4):
            wq += wts[i] * q_[i]
            ww += wts[i] * wts[i]
        corr = j_ref * wq / (j_sg + j_ref * ww)
        sg_react = 0.0
        for i in range(4):
            acc = (q_[i] - wts[i] * corr) / j_sg
            sg_new[i] = S[SG_ + i] + hk * acc
            sg_react += j_sg * acc
        # wheel spin: implicit in the tyre force, Karnopp friction for brake + rolling
        for i in range(4):
            om = S[OM_ + i]
            rd = rd_[i]
            jeff = j_w + h * rd * dfx_[i]
            om_free = om + h * (thw[i] - fxw_[i] * rd) / jeff
            dfric = h * tfric_[i] / jeff
            if om_free > dfric:
                om_n = om_free - dfric
            elif om_free < -dfric:
                om_n = om_free + dfric
            else:
                om_n = 0.0
            om_new[i] = om_n
            fx_used[i] = fxw_[i] + dfx_[i] * (om_n - om)
            # dissipation: contact-patch slip power and friction torques (brake, rolling)
            S[EDIS_] += h * (
                fx_used[i] * (rd * om_n - vlong_[i]) - fyw_[i] * vlat_[i] + tfric_[i] * abs(om_n)
            )
        # turbine / engine speeds
        wbar_new = 0.0
        for i in range(4):
            wbar_new += wts[i] * sg_new[i]
        w_t_old = w_t
        if gear >= 1:
            w_t_new = i_tot * wbar_new
        else:
            w_t_new = w_t + hk * (t_in) / P[pJT]
        if locked and gear >= 1:
            w_e_new = w_t_new
            t_needed = t_e - P[pJE] * (w_t_new - w_t_old) / h
            if abs(t_needed) > P[pLUCAP] or S[LUCMD_] < 0.5:
                S[LU_] = 0.0
        else:
            w_e_new = w_e + hk * (t_e - t_imp - t_cl) / P[pJE]
            synced = (w_e - w_t) * (w_e_new - w_t_new) <= 0.0 or abs(w_e_new - w_t_new) < 2.0
            if S[LUCMD_] > 0.5 and gear >= 1 and synced:
                S[LU_] = 1.0
                w_e_new = w_t_new
        if w_e_new < 0.0:
            w_e_new = 0.0
        # torque-converter and lock-up slip heat into the transmission oil
        S[ASLIP_] += h * max(0.0, t_imp * w_e - t_turb * w_t + t_cl * (w_e - w_t))

        # ------------------------------------------------------------ thermal (multi-rate)
        S[THT_] += h
        if S[THT_] >= P[pTHDT] - 1e-12:
            _thermal_step(S, P, speed, int(RSURF[min(max(int(s_cg), 0), n_route - 1)]))

        # ------------------------------------------------------------ body forces
        brake_react = 0.0
        for i in range(4):
            fxw = fx_used[i]
            fyw = fyw_[i]
            cw = cosw_[i]
            sw = sinw_[i]
            fhx = fxw * cw - fyw * sw  # world horizontal tangential force
            fhy = fxw * sw + fyw * cw
            fz = fz_[i]
            nrm = nrm_[i]
            gx = gx_[i]
            gy = gy_[i]
            fwx = fhx - fz * gx / nrm
            fwy = fhy - fz * gy / nrm
            fwz = fz / nrm + gx * fhx + gy * fhy
            fzw_[i] = fwz  # world-vertical contact force on the unsprung mass
            fx_tot += fwx
            fy_tot += fwy
            fs = fs_[i]
            fsum_z += fs
            # moments about the sprung CG (world): horizontal at hub, suspension at corner
            hzr = S[ZU_ + i] - S[Z_]
            mwx += rwy[i] * fs - hzr * fwy
            mwy += -rwx[i] * fs + hzr * fwx
            mwz += rwx[i] * fwy - rwy[i] * fwx
            # brake reaction on the upright: torque on wheel is -sign(omega) Tb
            om_n = om_new[i]
            if om_n > 0.0:
                brake_react -= tbrk_[i]
            elif om_n < 0.0:
                brake_react += tbrk_[i]
        # aero drag (horizontal), relative to the air
        hwx = vx + P[pWIND] * cps
        hwy = vy + P[pWIND] * sps
        vrel = math.sqrt(hwx * hwx + hwy * hwy)
        fx_tot -= P[pAERO] * vrel * hwx
        fy_tot -= P[pAERO] * vrel * hwy
        lift = P[pLIFT] * vrel * vrel
        # the unsprung masses take their share of the horizontal acceleration at the
        # hubs, not at the sprung CG: moment correction -d x F with d = sum(m_u r_hub)/M
        dxm = 0.0
        dym = 0.0
        dzm = 0.0
        for i in range(4):
            mu_i = P[pMU + i]
            dxm += mu_i * rwx[i]
            dym += mu_i * rwy[i]
            dzm += mu_i * (S[ZU_ + i] - S[Z_])
        dxm /= m_tot
        dym /= m_tot
        dzm /= m_tot
        mwx += dzm * fy_tot
        mwy -= dzm * fx_tot
        mwz -= dxm * fy_tot - dym * fx_tot
        # body moments to body frame; driveline + brake reaction about body y
        mbx = r00 * mwx + r10 * mwy + r20 * mwz
        mby = r01 * mwx + r11 * mwy + r21 * mwz
        mbz = r02 * mwx + r12 * mwy + r22 * mwz
        mby -= t_hs_sum + sg_react + brake_react

        # ------------------------------------------------------------ integrate
        ax_w = fx_tot / m_tot
        ay_w = fy_tot / m_tot
        az_s = (fsum_z + lift) / m_s
        S[VX_] = vx + hk * ax_w
        S[VY_] = vy + hk * ay_w
        S[VZ_] = vz + hk * (az_s - g)
        ixx = P[pIXX]
        iyy = P[pIYY]
        izz = P[pIZZ]
        S[P_] = p + hk * (mbx - (izz - iyy) * q * r) / ixx
        S[Q_] = q + hk * (mby - (ixx - izz) * r * p) / iyy
        S[R_] = r + hk * (mbz - (iyy - ixx) * p * q) / izz
        for i in range(4):
            S[WU_ + i] += hk * ((fzw_[i] - fs_[i]) / P[pMU + i] - g)
            S[ZU_ + i] += h * S[WU_ + i]
            # road torque the ECU infers: shaft torque - brake - J domega/dt (5 ms filter)
            t_brk_signed = -tbrk_[i] if om_new[i] > 0.0 else tbrk_[i]
            t_road = thw[i] + t_brk_signed - j_w * (om_new[i] - S[OM_ + i]) / h
            S[ROADT_ + i] += (h / 0.005) * (t_road - S[ROADT_ + i])
            S[OM_ + i] = om_new[i]
            S[SG_ + i] = sg_new[i]
            S[TW_ + i] += h * (sg_new[i] - om_new[i])
            S[EDRV_] += thw[i] * om_new[i] * h
            S[ABRK_ + i] += tbrk_[i] * abs(om_new[i]) * h
        S[WE_] = w_e_new
        S[WT_] = w_t_new
        S[X_] += h * S[VX_]
        S[Y_] += h * S[VY_]
        S[Z_] += h * S[VZ_]
        p = S[P_]
        q = S[Q_]
        r = S[R_]
        sph = math.sin(S[PHI_])
        cph = math.cos(S[PHI_])
        cth = math.cos(S[THETA_])
        S[PHI_] += h * (p + (q * sph + r * cph) * math.tan(S[THETA_]))
        S[THETA_] += h * (q * cph - r * sph)
        S[PSI_] += h * (q * sph + r * cph) / cth
        S[ODO_] += h * math.sqrt(S[VX_] ** 2 + S[VY_] ** 2)
        S[T_] += h
        ax_out = ax_w * cps + ay_w * sps
        ay_out = -ax_w * sps + ay_w * cps
        sfz_out = az_s
        S[SFMAG_] = math.sqrt(ax_w * ax_w + ay_w * ay_w + az_s * az_s)
        if speed < 1.0 and mode == 0:
            S[STUCK_] += h
        else:
            S[STUCK_] = 0.0

        # ------------------------------------------------------------ sample + checks
        if (step + 1) % sample_every == 0:
            for j in range(N_STATE):
                if not math.isfinite(S[j]):
                    return 2, samples, j
            vabs = math.sqrt(S[VX_] ** 2 + S[VY_] ** 2 + S[VZ_] ** 2)
            if vabs > 150.0:
                return 2, samples, VX_
            if S[WE_] > 3.0 * P[pREV]:
                return 2, samples, WE_
            for i in range(4):
                if abs(S[OM_ + i]) > 1000.0:
                    return 2, samples, OM_ + i
            if samples < out.shape[0]:
                row = out[samples]
                row[cT] = S[T_]
                row[cS] = s_cg
                row[cODO] = S[ODO_]
                row[cX] = S[X_]
                row[cY] = S[Y_]
                row[cZ] = S[Z_]
                row[cN] = n_cg
                row[cV] = math.sqrt(S[VX_] ** 2 + S[VY_] ** 2)
                row[cVT] = vt_out
                row[cVZ] = S[VZ_]
                row[cAX] = ax_out
                row[cAY] = ay_out
                row[cSFZ] = sfz_out
                row[cROLL] = S[PHI_]
                row[cPITCH] = S[THETA_]
                row[cYAW] = S[PSI_]
                row[cYR] = S[R_]
                row[cSTEER] = S[STEER_]
                row[cTHR] = S[THR_]
                row[cBRK] = S[BRK_]
                row[cGEAR] = S[GEAR_]
                row[cRPM] = S[WE_] * RPM
                row[cTRPM] = S[WT_] * RPM
                row[cTE] = t_e_out
                row[cPE] = t_e_out * S[WE_] / 1000.0
                row[cBOOST] = S[BOOST_]
                row[cLU] = S[LU_]
                ii = int(s_cg)
                row[cSURF] = RSURF[min(max(ii, 0), n_route - 1)]
                row[cFUEL] = S[FUEL_]
                row[cCOOL] = S[TC_]
                row[cOIL] = S[TO_]
                row[cFAN] = S[FAN_]
                row[cFILT] = S[FL_]
                row[cDER] = S[DER_]
                row[cFUELL] = P[pFUEL0] - S[FUEL_] / P[pFDEN]
                row[cMASS] = P[pMT]
                for i in range(4):
                    row[cDISC + i] = S[TD_ + i]
                row[cEDIS] = S[EDIS_]
                row[cCONTACT] = contact
                row[cAIR] = 1.0 if contact == 0 else 0.0
                row[cFMS] = S[FMS_]
                for i in range(4):
                    row[cWS + i] = S[OM_ + i]
                    row[cHS + i] = thw[i]
                    row[cHSPK + i] = S[HSPK_ + i]
                    S[HSPK_ + i] = 0.0
                    row[cFZ + i] = fz_[i]
                    row[cFX + i] = fx_used[i]
                    row[cFY + i] = fyw_[i]
                    row[cSLIP + i] = slip_[i]
                    row[cTRAV + i] = travel_[i]
                samples += 1
            if mode == 0 and s_cg >= P[pEND]:
                return 1, samples, -1
            if S[T_] >= P[pMAXT]:
                return 3, samples, -1
            if S[STUCK_] > 120.0:
                return 4, samples, -1
    return 0, samples, -1


@njit(cache=True)
def _thermal_step(S: np.ndarray, P: np.ndarray, speed: float, surface: int) -> None:
    """Slow states at TH_DT (physics.md §7-8, multi-rate): coolant and oil nodes with the
    e-NTU radiator, fans + ram air through radiator, ducts and sand filter; filter loading;
    ECU derate; restrictor p0 after the intake filter; disc temperatures; fuel mass."""
    dt = S[THT_]
    S[THT_] = 0.0
    t_air = P[pTAIR]
    rho = P[pRHO]
    fuel_power = S[AFUEL_] * P[pLHV] / dt
    load = S[ALOAD_] / dt
    q_eng = heat_to_coolant_W(fuel_power, load, P[pCLFF], P[pCLFP])
    q_slip = S[ASLIP_] / dt
    duty = fan_duty(S[TC_], P[pCLFON], P[pCLFFULL], P[pCLFLOW])
    S[FAN_] = duty
    S[FANW_] = fan_electrical_power_W(duty, P[pCLNF], P[pCLFW])
    k_sys = P[pCLK0] + filter_k(S[FL_], P[pCLFK0], P[pCLFKP])
    flow = core_air_flow_m3s(
        speed, rho, duty, P[pCLNF], P[pCLDP0], P[pCLQ0], k_sys, P[pCLA], P[pCLCRAM]
    )
    ua = radiator_ua_W_per_K(flow, P[pCLA], P[pCLUA], P[pCLVREF], P[pCLUAX])
    tc, to, _q = coolant_step(
        S[TC_],
        S[TO_],
        t_air,
        dt,
        q_eng,
        q_slip,
        rho * flow,
        ua,
        P[pCLPUMP],
        P[pCLCP],
        P[pCLTHO],
        P[pCLTHF],
        P[pCLTHM],
        P[pCLCE],
        P[pCLCO],
        P[pCLGL],
        P[pCLGOC],
        P[pCLGOA],
    )
    S[TC_] = tc
    S[TO_] = to
    S[DER_] = derate_factor(tc, to, P[pCLDC], P[pCLMC], P[pCLDO], P[pCLMO], P[pCLFLOOR])
    if S[DER_] < 0.999:
        S[DERT_] += dt
    S[FL_] += P[pCLLPK + surface] * speed * dt / 1000.0
    if P[pPCAPF] > 0.0:
        dp = filter_pressure_drop_Pa(S[FL_], P[pCLIK0], P[pCLIKP], rho, P[pPCAPF], P[pCLIA])
        S[CAPF_] = max(0.3, (P[pPAMB] - dp) / P[pPAMB])
    for i in range(4):
        q_fric = S[ABRK_ + i] / dt
        S[ABRK_ + i] = 0.0
        omega = speed / P[pR0]
        q_loss = disc_convection_W(
            S[TD_ + i],
            t_air,
            speed,
            omega,
            rho,
            P[pBRDO + i],
            P[pBRDI + i],
            P[pBRFA + i],
            P[pBRVA + i],
            P[pBRDH],
            P[pBRVL + i],
            P[pBRPUMP],
        )
        q_loss += disc_radiation_W(S[TD_ + i], t_air, P[pBREMIS], P[pBRFA + i])
        S[MUPAD_ + i] = interp_table(
            S[TD_ + i], P[pBRMUT : pBRMUT + N_TABLE], P[pBRMU : pBRMU + N_TABLE], int(P[pBRMUN]), 0
        )
        S[TD_ + i] = disc_step(S[TD_ + i], q_fric, P[pBRPART], q_loss, P[pBRM + i], P[pBRCP], dt)
    # fuel leaves the sprung mass from the tank: the sprung CG moves away from the tank
    # (hub offsets are measured from it) and the tank's m x^2 leaves pitch and yaw inertia
    dm = S[AFUEL_]
    x_tank = P[pTANKX]
    shift = -dm * x_tank / (P[pMS] - dm)
    for i in range(4):
        P[pCX + i] -= shift
    P[pTANKX] -= shift
    P[pIYY] -= dm * x_tank * x_tank
    P[pIZZ] -= dm * x_tank * x_tank
    P[pMT] -= dm
    P[pMS] -= dm
    S[AFUEL_] = 0.0
    S[ALOAD_] = 0.0
    S[ASLIP_] = 0.0
