"""Flight Mode inside the kernel step: the three airborne votes from the IMU, the
suspension and the wheels' road torque, then the state machine (physics.md §4.4)."""

from __future__ import annotations

import numpy as np

from raidsim.control.flight_mode import FM_AIRBORNE, flight_mode_next, low_pass_step
from raidsim.sim import indices as ix
from raidsim.sim.jit import kernel_part

#: the wheel-speed flare vote needs at least this ground speed, m/s
FLARE_MIN_SPEED_MPS = 5.0
#: wheels whose speed must flare for the flare vote
FLARE_WHEELS = 2


@kernel_part
def airborne_votes(
    S: np.ndarray, P: np.ndarray, W: np.ndarray, speed: float
) -> tuple[int, int, bool]:
    """(votes 0..3, loaded wheels, hanging): IMU specific force low for long enough;
    wheels at droop with little load; wheels flaring or carrying no road torque for long
    enough. Hanging: no tyre carries more than ``hanging_load_fraction`` of its static
    load, by the ECU's estimate from each corner's suspension force F_s and its hub
    accelerometer's vertical specific force f_u (the unsprung mass's balance,
    docs/physics.md §4.4):

        F_tyre ~ F_s + m_u f_u,   f_u = (F_tyre - F_s) / m_u,

    with the accelerometer read one step (1 ms, a 1 kHz sensor) earlier, held for the
    IMU vote's ``imu_min_time_s`` (both clocks start at a take-off, so a flight is not
    detected later for it). The suspension force alone misses a tyre that touches while
    its wheel is still extending: the rebound damping takes the push off the body
    although the ground carries the wheel; a tyre skimming a brink unloads for less
    than the persistence."""
    h = P[ix.P_DT]
    g = P[ix.P_G]
    S[ix.S_FM_IMU_F] = low_pass_step(S[ix.S_FM_IMU_F], S[ix.S_SF_MAG], P[ix.P_FM_IMU_FC], h)
    if S[ix.S_FM_IMU_F] < P[ix.P_FM_IMU_G] * g:
        S[ix.S_FM_IMU_T] += h
    else:
        S[ix.S_FM_IMU_T] = 0.0
    vote_imu = S[ix.S_FM_IMU_T] >= P[ix.P_FM_IMU_TMIN]
    n_droop = 0
    n_loaded = 0
    n_flare = 0
    n_free = 0
    n_pushing = 0
    r0 = P[ix.P_R0]
    for i in range(4):
        fs = W[ix.W_FS, i]
        pre = P[ix.P_PRELOAD + i]
        m_u = P[ix.P_M_U + i]
        tyre_est = fs + m_u * S[ix.S_FM_HUB_F + i]
        S[ix.S_FM_HUB_F + i] = (W[ix.W_FZW, i] - fs) / m_u
        if tyre_est >= P[ix.P_FM_HANG_FRAC] * (pre + m_u * g):
            n_pushing += 1
        if (
            W[ix.W_TRAVEL, i] < -P[ix.P_DROOP + i] + P[ix.P_FM_DROOP_MARGIN]
            and fs < P[ix.P_FM_LOAD_FRAC] * pre
        ):
            n_droop += 1
        if fs > P[ix.P_FM_EXIT_LOAD_FRAC] * pre:
            n_loaded += 1
        om = S[ix.S_OMEGA + i]
        if speed > FLARE_MIN_SPEED_MPS and abs(om * r0 - speed) > P[ix.P_FM_FLARE_FRAC] * speed:
            n_flare += 1
        if abs(S[ix.S_ROAD_TORQUE + i]) < P[ix.P_FM_ROAD_FRAC] * (pre + P[ix.P_M_U + i] * g) * r0:
            n_free += 1
    if n_free >= P[ix.P_FM_FREE_WHEELS]:
        S[ix.S_FM_FREE_T] += h
    else:
        S[ix.S_FM_FREE_T] = 0.0
    votes = (
        (1 if vote_imu else 0)
        + (1 if n_droop >= P[ix.P_FM_DROOP_WHEELS] else 0)
        + (1 if (n_flare >= FLARE_WHEELS or S[ix.S_FM_FREE_T] >= P[ix.P_FM_FREE_TMIN]) else 0)
    )
    if n_pushing == 0:
        S[ix.S_FM_HANG_T] += h
    else:
        S[ix.S_FM_HANG_T] = 0.0
    return votes, n_loaded, S[ix.S_FM_HANG_T] >= P[ix.P_FM_IMU_TMIN]


@kernel_part
def flight_mode_update(S: np.ndarray, P: np.ndarray, W: np.ndarray, speed: float) -> int:
    """Vote, advance the state machine (when enabled) and open the lock-up while
    airborne; returns the Flight Mode state."""
    votes, n_loaded, hanging = airborne_votes(S, P, W, speed)
    fm = int(S[ix.S_FM_STATE])
    if P[ix.P_FM_ENABLED] > 0.5:
        fm, ramp_t = flight_mode_next(
            fm,
            votes,
            P[ix.P_FM_VOTES],
            n_loaded,
            P[ix.P_FM_EXIT_WHEELS],
            S[ix.S_SF_MAG],
            P[ix.P_FM_EXIT_AZ_G] * P[ix.P_G],
            S[ix.S_FM_RAMP_T],
            P[ix.P_FM_RAMP_S],
            P[ix.P_DT],
            hanging,
        )
        S[ix.S_FM_RAMP_T] = ramp_t
        S[ix.S_FM_STATE] = fm
        if fm >= FM_AIRBORNE and P[ix.P_FM_OPEN_LU] > 0.5:
            S[ix.S_LOCKUP_CMD] = 0.0
            S[ix.S_LOCKUP] = 0.0
    return fm
