"""One corner of the car for one step: suspension, ground contact, tyre load, slip and
the TMeasy forces with surface scaling, WES sand traction cap and Bekker compaction on soft soil
(physics.md §5, §6.1). Results go to column ``i`` of the per-wheel scratch ``W``."""

from __future__ import annotations

import math

import numpy as np

from raidsim.control.abs import abs_brake_scale
from raidsim.physics.brakes import fade_scaled_brake_torque_Nm
from raidsim.physics.interp import interp_grid_at
from raidsim.physics.suspension import damper_force_N, stop_forces_N
from raidsim.physics.terramechanics import sand_traction_N
from raidsim.physics.tyre import (
    MIN_SLIDING_OVER_PEAK_SLIP,
    dynamic_rolling_radius_m,
    load_linear,
    load_scaled,
    rolling_resistance_N,
    tmeasy_forces,
)
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part
from raidsim.sim.transient.terrain import ground_under_tracks

#: load ratio Fz/Fn above which the TMeasy load scaling is held (extrapolation guard)
MAX_LOAD_RATIO = 3.0


@kernel_part
def suspension_force(
    i: int, S: np.ndarray, P: np.ndarray, W: np.ndarray, oz: float, cvz: float, h: float
) -> None:
    """Spring + digressive damper + bump/droop stops between body and hub; adds their
    dissipation to the energy account."""
    x = S[ix.S_ZU + i] - (S[ix.S_Z] + oz)
    xd = S[ix.S_WU + i] - cvz
    W[ix.W_TRAVEL, i] = x
    fd = damper_force_N(
        xd,
        x,
        P[ix.P_C_COMP + i],
        P[ix.P_C_REB + i],
        P[ix.P_D_DIG + i],
        P[ix.P_ENDZ_START + i],
        P[ix.P_ENDZ_MULT + i],
    )
    fsp = P[ix.P_PRELOAD + i] + P[ix.P_K_S + i] * x
    fst = stop_forces_N(
        x,
        xd,
        P[ix.P_BUMP + i],
        P[ix.P_DROOP + i],
        P[ix.P_BS_LEN + i],
        P[ix.P_BS_F + i],
        P[ix.P_BS_P + i],
        P[ix.P_BS_C + i],
        P[ix.P_DROOP_K + i],
    )
    W[ix.W_FS, i] = fsp + fd + fst
    S[ix.S_E_DISSIPATED] += fd * xd * h
    if x > P[ix.P_BUMP + i] - P[ix.P_BS_LEN + i] and xd > 0.0:
        S[ix.S_E_DISSIPATED] += P[ix.P_BS_C + i] * xd * xd * h


@kernel_part
def tyre_load(
    i: int,
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    ground_m: float,
    cvx: float,
    cvy: float,
    h: float,
) -> tuple[float, float]:
    """One-sided tyre spring-damper on the ground (lift-off); returns (Fz, deflection)."""
    r0 = P[ix.P_R0]
    gx = W[ix.W_GX, i]
    gy = W[ix.W_GY, i]
    defl = ground_m - (S[ix.S_ZU + i] - r0)
    fz = 0.0
    if defl > 0.0:
        ddefl = gx * cvx + gy * cvy - S[ix.S_WU + i]
        fk = P[ix.P_KZ_T + i] * defl
        fz = fk + P[ix.P_CZ_T] * ddefl
        if fz < 0.0:
            fz = 0.0
        if fz > 0.0:
            S[ix.S_E_DISSIPATED] += (fz - fk) * ddefl * h
    else:
        defl = 0.0
    W[ix.W_FZ, i] = fz
    return fz, defl


@kernel_part
def tyre_forces(
    i: int,
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    sc: int,
    fz: float,
    defl: float,
    speed: float,
    soft_speed: float,
) -> None:
    """TMeasy combined-slip forces with load and surface scaling; on soft soil the WES
    sand traction at each curve's peak and sliding slips (longitudinal and lateral) caps
    those forces (the sand's rising, saturating curve, physics.md §5.4) and the Bekker
    compaction table adds resistance; ABS
    releases the brake beyond its slip limit."""
    r0 = P[ix.P_R0]
    rd = W[ix.W_RD, i]
    om = S[ix.S_OMEGA + i]
    fzr = min(fz / P[ix.P_FZ_NOM], MAX_LOAD_RATIO)
    mu = P[ix.P_SURF_MU + sc]
    smul = P[ix.P_SURF_SM + sc]
    fsl = P[ix.P_SURF_FS + sc]
    dfx0 = load_scaled(fzr, P[ix.P_DFX0], P[ix.P_DFX0 + 1]) * mu
    fxm = load_scaled(fzr, P[ix.P_FXM], P[ix.P_FXM + 1]) * mu
    sxm = load_linear(fzr, P[ix.P_SXM], P[ix.P_SXM + 1]) * smul
    fxs = max(load_scaled(fzr, P[ix.P_FXS], P[ix.P_FXS + 1]) * mu, fsl * fxm)
    sxs = max(load_linear(fzr, P[ix.P_SXS], P[ix.P_SXS + 1]), MIN_SLIDING_OVER_PEAK_SLIP * sxm)
    dfy0 = load_scaled(fzr, P[ix.P_DFY0], P[ix.P_DFY0 + 1]) * mu
    fym = load_scaled(fzr, P[ix.P_FYM], P[ix.P_FYM + 1]) * mu
    sym = load_linear(fzr, P[ix.P_SYM], P[ix.P_SYM + 1]) * smul
    fys = max(load_scaled(fzr, P[ix.P_FYS], P[ix.P_FYS + 1]) * mu, fsl * fym)
    sys = max(load_linear(fzr, P[ix.P_SYS], P[ix.P_SYS + 1]), MIN_SLIDING_OVER_PEAK_SLIP * sym)
    rres = rolling_resistance_N(P[ix.P_RR_A + i], P[ix.P_RR_B + i], speed, P[ix.P_SURF_RR + sc], fz)
    if P[ix.P_SURF_SOFT + sc] > 0.5:
        g = P[ix.P_SURF_SAND_G + sc]
        b = P[ix.P_TYRE_W]
        h = P[ix.P_TYRE_H]
        d = 2.0 * r0
        fxm = min(fxm, sand_traction_N(g, b, d, defl, h, fz, sxm))
        fxs = min(fxs, sand_traction_N(g, b, d, defl, h, fz, sxs))
        fym = min(fym, sand_traction_N(g, b, d, defl, h, fz, sym))
        fys = min(fys, sand_traction_N(g, b, d, defl, h, fz, sys))
        off = ix.P_RC_TABLE + (sc * 4 + i) * ix.N_RC
        rc = interp_grid_at(P, off, ix.N_RC, fz / P[ix.P_RC_WMAX] * (ix.N_RC - 1))
        rres += rc * soft_speed
    den = rd * abs(om) + P[ix.P_V_N]
    sx = -(W[ix.W_VLONG, i] - rd * om) / den
    sy = -W[ix.W_VLAT, i] / den
    W[ix.W_SLIP, i] = sx
    tb = W[ix.W_TBRK, i]
    if tb > 0.0:
        tb *= abs_brake_scale(sx, P[ix.P_ABS_SLIP], P[ix.P_ABS_RELEASE])
        W[ix.W_TBRK, i] = tb
    fxt, fyt, sec = tmeasy_forces(sx, sy, dfx0, sxm, fxm, sxs, fxs, dfy0, sym, fym, sys, fys)
    W[ix.W_FXW, i] = fxt
    W[ix.W_FYW, i] = fyt
    W[ix.W_DFX, i] = sec * rd / den
    W[ix.W_TFRIC, i] = tb + rres * rd


@kernel_part
def corner(
    i: int,
    S: np.ndarray,
    P: np.ndarray,
    W: np.ndarray,
    terrain: tuple,  # type: ignore[type-arg]
    surface: np.ndarray,
    rot: tuple,  # type: ignore[type-arg]
    frame: tuple,  # type: ignore[type-arg]
    wheel_yaw_rad: float,
    brake: float,
    soft_speed: float,
) -> int:
    """Column ``i`` of ``W`` for this step. ``terrain``: see
    :func:`~raidsim.sim.transient.terrain.ground_under_tracks`; ``surface``: class code per
    metre; ``rot`` = body-to-world rotation (9 values),
    ``frame`` = (vx, vy, vz, wx, wy, wz, speed, s_cg, n_cg, tx, ty): CG velocity, world
    angular velocity, ground speed and the route frame under the CG. Returns 1 if the
    tyre touches the ground."""
    h = P[ix.P_DT]
    r00, r01, r02, r10, r11, r12, r20, r21, r22 = rot
    vx, vy, vz, wx, wy, wz, speed, s_cg, n_cg, tx, ty = frame
    cx = S[ix.S_CX + i]
    cy = P[ix.P_CY + i]
    cz = P[ix.P_CZ + i]
    ox = r00 * cx + r01 * cy + r02 * cz
    oy = r10 * cx + r11 * cy + r12 * cz
    oz = r20 * cx + r21 * cy + r22 * cz
    W[ix.W_RWX, i] = ox
    W[ix.W_RWY, i] = oy
    W[ix.W_RWZ, i] = oz
    # corner velocity = V + w x r
    cvx = vx + wy * oz - wz * oy
    cvy = vy + wz * ox - wx * oz
    cvz = vz + wx * oy - wy * ox
    suspension_force(i, S, P, W, oz, cvz, h)
    # terrain under the wheel (route frame of the CG)
    s_i = s_cg + ox * tx + oy * ty
    n_i = n_cg - ox * ty + oy * tx
    ground, gx, gy, idx = ground_under_tracks(
        terrain, s_i, n_i, tx, ty, P[ix.P_TERRAIN_DS], int(P[ix.P_ROCK_SEED])
    )
    W[ix.W_GX, i] = gx
    W[ix.W_GY, i] = gy
    W[ix.W_NRM, i] = math.sqrt(1.0 + gx * gx + gy * gy)
    fz, defl = tyre_load(i, S, P, W, ground, cvx, cvy, h)
    W[ix.W_RD, i] = dynamic_rolling_radius_m(P[ix.P_R0], defl)
    cw = math.cos(wheel_yaw_rad)
    sw = math.sin(wheel_yaw_rad)
    W[ix.W_COSW, i] = cw
    W[ix.W_SINW, i] = sw
    W[ix.W_VLONG, i] = cvx * cw + cvy * sw
    W[ix.W_VLAT, i] = -cvx * sw + cvy * cw
    # pad friction falls off with disc temperature (fade, physics.md §8.1)
    tb = fade_scaled_brake_torque_Nm(
        brake, P[ix.P_TB_MAX + i], S[ix.S_MU_PAD + i], P[ix.P_BR_MU_NOM]
    )
    W[ix.W_TBRK, i] = tb
    if fz > 0.0:
        sc = int(surface[idx])
        tyre_forces(i, S, P, W, sc, fz, defl, speed, soft_speed)
        return 1
    W[ix.W_FXW, i] = 0.0
    W[ix.W_FYW, i] = 0.0
    W[ix.W_DFX, i] = 0.0
    W[ix.W_SLIP, i] = 0.0
    W[ix.W_TFRIC, i] = tb
    return 0
