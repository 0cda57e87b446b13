"""Forces and moments on the sprung body, and the semi-implicit Euler update of every
mechanical state (physics.md §6.3, §10.1)."""

from __future__ import annotations

import math

import numpy as np

from raidsim.control.flight_mode import ROAD_TORQUE_TAU_S, road_torque_estimate_Nm
from raidsim.physics.aero import drag_force_N
from raidsim.physics.body import euler_angle_increments, euler_rate_update
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part


@kernel_part
def contact_forces(
    S: np.ndarray, P: np.ndarray, W: np.ndarray
) -> tuple[float, float, float, float, float, float, float]:
    """Tyre forces to the world frame on the ground's slope and their moments about the
    sprung CG (horizontal at the hub, suspension at the corner); brake reaction torque.
    Writes the world-vertical contact force into ``W[FZW]``. Returns
    (Fx, Fy, sum of suspension forces, Mx, My, Mz (world), brake reaction)."""
    fx_tot = 0.0
    fy_tot = 0.0
    fsum_z = 0.0
    mwx = 0.0
    mwy = 0.0
    mwz = 0.0
    brake_react = 0.0
    for i in range(4):
        fxw = W[ix.W_FX_USED, i]
        fyw = W[ix.W_FYW, i]
        cw = W[ix.W_COSW, i]
        sw = W[ix.W_SINW, i]
        fhx = fxw * cw - fyw * sw  # world horizontal tangential force
        fhy = fxw * sw + fyw * cw
        fz = W[ix.W_FZ, i]
        nrm = W[ix.W_NRM, i]
        gx = W[ix.W_GX, i]
        gy = W[ix.W_GY, i]
        fwx = fhx - fz * gx / nrm
        fwy = fhy - fz * gy / nrm
        W[ix.W_FZW, i] = fz / nrm + gx * fhx + gy * fhy
        fx_tot += fwx
        fy_tot += fwy
        fs = W[ix.W_FS, i]
        fsum_z += fs
        hzr = S[ix.S_ZU + i] - S[ix.S_Z]
        rwx = W[ix.W_RWX, i]
        rwy = W[ix.W_RWY, i]
        mwx += rwy * fs - hzr * fwy
        mwy += -rwx * fs + hzr * fwx
        mwz += rwx * fwy - rwy * fwx
        # brake reaction on the upright: the torque on the wheel is -sign(omega) Tb
        om_n = W[ix.W_OM_NEW, i]
        if om_n > 0.0:
            brake_react -= W[ix.W_TBRK, i]
        elif om_n < 0.0:
            brake_react += W[ix.W_TBRK, i]
    return fx_tot, fy_tot, fsum_z, mwx, mwy, mwz, brake_react


@kernel_part
def body_loads(
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    rot: tuple,  # type: ignore[type-arg]
    vel: tuple,  # type: ignore[type-arg]
    reaction_Nm: float,
) -> tuple[float, float, float, float, float, float]:
    """Horizontal force (world), vertical suspension force + lift and body-frame
    moments: contact forces, aero drag and lift, the unsprung masses' share of the
    horizontal acceleration, and the driveline reaction about body y.
    Returns (Fx, Fy, Fz_body, Mx, My, Mz)."""
    r00, r01, r02, r10, r11, r12, r20, r21, r22 = rot
    vx, vy, cps, sps = vel
    fx_tot, fy_tot, fsum_z, mwx, mwy, mwz, brake_react = contact_forces(S, P, W)
    fdx, fdy, vrel = drag_force_N(vx, vy, P[ix.P_HEADWIND], cps, sps, P[ix.P_AERO_K])
    fx_tot += fdx
    fy_tot += fdy
    lift = P[ix.P_LIFT_K] * vrel * vrel
    # the unsprung masses take their share of the horizontal acceleration at the hubs,
    # not at the sprung CG: moment correction -d x F with d = sum(m_u r_hub) / M
    dxm = 0.0
    dym = 0.0
    dzm = 0.0
    for i in range(4):
        mu_i = P[ix.P_M_U + i]
        dxm += mu_i * W[ix.W_RWX, i]
        dym += mu_i * W[ix.W_RWY, i]
        dzm += mu_i * (S[ix.S_ZU + i] - S[ix.S_Z])
    m_tot = S[ix.S_M_TOTAL]
    dxm /= m_tot
    dym /= m_tot
    dzm /= m_tot
    mwx += dzm * fy_tot
    mwy -= dzm * fx_tot
    mwz -= dxm * fy_tot - dym * fx_tot
    mbx = r00 * mwx + r10 * mwy + r20 * mwz
    mby = r01 * mwx + r11 * mwy + r21 * mwz
    mbz = r02 * mwx + r12 * mwy + r22 * mwz
    mby -= reaction_Nm + brake_react
    return fx_tot, fy_tot, fsum_z + lift, mbx, mby, mbz


@kernel_part
def wheel_states_update(S: np.ndarray, P: np.ndarray, W: np.ndarray, hk: float) -> None:
    """Hub heave, wheel and side-gear spins, halfshaft twists, the ECU's road-torque
    estimate and the energy accounts."""
    h = P[ix.P_DT]
    g = P[ix.P_G]
    j_w = P[ix.P_J_W]
    for i in range(4):
        S[ix.S_WU + i] += hk * ((W[ix.W_FZW, i] - W[ix.W_FS, i]) / P[ix.P_M_U + i] - g)
        S[ix.S_ZU + i] += h * S[ix.S_WU + i]
        om_new = W[ix.W_OM_NEW, i]
        sg_new = W[ix.W_SG_NEW, i]
        tb = W[ix.W_TBRK, i]
        ths = W[ix.W_THS, i]
        t_road = road_torque_estimate_Nm(
            ths, -tb if om_new > 0.0 else tb, j_w, om_new, S[ix.S_OMEGA + i], h
        )
        S[ix.S_ROAD_TORQUE + i] += (h / ROAD_TORQUE_TAU_S) * (t_road - S[ix.S_ROAD_TORQUE + i])
        S[ix.S_OMEGA + i] = om_new
        S[ix.S_OMEGA_SG + i] = sg_new
        S[ix.S_TWIST + i] += h * (sg_new - om_new)
        S[ix.S_E_DRIVE] += ths * om_new * h
        S[ix.S_ACC_BRAKE + i] += tb * abs(om_new) * h


@kernel_part
def integrate_body(
    S: np.ndarray,
    P: np.ndarray,
    loads: tuple,  # type: ignore[type-arg]
    vel: tuple,  # type: ignore[type-arg]
    hk: float,
) -> tuple[float, float, float]:
    """Semi-implicit Euler: velocities (world translation, Euler's equations), then
    positions and attitude with the new velocities. Returns the horizontal world
    acceleration and the sprung vertical specific force (ax, ay, az)."""
    h = P[ix.P_DT]
    g = P[ix.P_G]
    fx_tot, fy_tot, fz_body, mbx, mby, mbz = loads
    vx, vy, vz, p, q, r = vel
    m_tot = S[ix.S_M_TOTAL]
    m_s = S[ix.S_M_SPRUNG]
    ax_w = fx_tot / m_tot
    ay_w = fy_tot / m_tot
    az_s = fz_body / m_s
    S[ix.S_VX] = vx + hk * ax_w
    S[ix.S_VY] = vy + hk * ay_w
    S[ix.S_VZ] = vz + hk * (az_s - g)
    S[ix.S_P], S[ix.S_Q], S[ix.S_R] = euler_rate_update(
        p, q, r, mbx, mby, mbz, P[ix.P_IXX], S[ix.S_IYY], S[ix.S_IZZ], hk
    )
    S[ix.S_X] += h * S[ix.S_VX]
    S[ix.S_Y] += h * S[ix.S_VY]
    S[ix.S_Z] += h * S[ix.S_VZ]
    dphi, dth, dpsi = euler_angle_increments(
        S[ix.S_P], S[ix.S_Q], S[ix.S_R], S[ix.S_PHI], S[ix.S_THETA], h
    )
    S[ix.S_PHI] += dphi
    S[ix.S_THETA] += dth
    S[ix.S_PSI] += dpsi
    S[ix.S_ODOMETER] += h * math.sqrt(S[ix.S_VX] ** 2 + S[ix.S_VY] ** 2)
    S[ix.S_T] += h
    return ax_w, ay_w, az_s
