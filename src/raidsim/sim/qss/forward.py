"""The QSS forward pass: full throttle under the speed ceiling, metre by metre, with
the integrals of time, gear, fuel and heat (docs/design.md "The two simulation tiers").

Per metre ``v_{i+1}^2 = v_i^2 + 2 a ds`` with

    m_eff a = min(F_drive(v) k_heat eta_s, F_traction) - F_roll(v) - F_sand(v)
              - m g sin(theta) - F_drag(v)

A car whose drive cannot beat resistance + grade on a face and whose momentum runs out
bogs down: the retry's time (:func:`bog_retry_s`) is added and counted, and the rest of
the face is crawled at ``V_FLOOR_MPS`` (docs/physics.md §14.3).

where every force is the law the transient kernel uses: rolling resistance
(:func:`~raidsim.physics.tyre.rolling_resistance_N` at the static wheel loads), Bekker
compaction x :func:`~raidsim.physics.terramechanics.sand_speed_factor`, drag
(:func:`~raidsim.physics.aero.drag_along_N`); the gear at part throttle comes from the
TCU's shift map (:mod:`raidsim.control.tcu`), the engine's friction, full-load torque
and Willans fuel with enrichment from :mod:`raidsim.physics.engine` /
:mod:`raidsim.physics.fuel`, the converter at part load from
:func:`~raidsim.physics.converter.converter_part_load`. Parameters come from the
kernel's own parameter vector ``P`` (indices :mod:`raidsim.sim.indices`), so both tiers
read the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from raidsim.control.tcu import DOWNSHIFT_REV_MARGIN, shift_decision, shift_points
from raidsim.physics.aero import drag_along_N
from raidsim.physics.converter import converter_part_load
from raidsim.physics.engine import friction_torque_Nm, full_load_torque_Nm
from raidsim.physics.interp import interp_table
from raidsim.physics.terramechanics import sand_speed_factor
from raidsim.physics.tyre import rolling_resistance_N
from raidsim.sim import indices as ix
from raidsim.sim.qss.heat import heat_step, record
from raidsim.sim.transient.powertrain import engine_fuel_kg
from raidsim.units import RPM_TO_RADPS

#: speed grid of the full-load tables, m/s
V_STEP_MPS = 0.05
#: lowest speed the forward pass carries (a stalled car would give infinite time), m/s
V_FLOOR_MPS = 0.5

#: rows of the per-surface table (``surface_table``)
SURF_TRACTION = 0  # traction limit at static loads, N
SURF_COMPACTION = 1  # static Bekker compaction resistance, N
SURF_EFFICIENCY = 2  # calibrated tractive efficiency
N_SURF_ROWS = 3

#: rows of the output array
OUT_SPEED = 0
OUT_TIME = 1
OUT_GEAR = 2
OUT_FUEL = 3
OUT_POWER = 4
OUT_HEAT = 5  # 6 rows from here: see :func:`raidsim.sim.qss.heat.record`
N_HEAT_ROWS = 6
OUT_BOGS = 11  # bog-downs so far
OUT_BOG_TIME = 12  # time lost to them so far, s
N_OUT_ROWS = 13

#: a bog-down (docs/physics.md §14.3): the car cannot beat resistance + grade on a face
#: and its momentum runs out; the crew stops, backs down the distance climbed plus a
#: run-up, and comes again. Estimates (no typical figure published, sand_and_dunes §3):
#: stop, reverse gear and a look at the line, s
BOG_RECOVERY_S = 20.0
#: reversing down the face in the car's own tracks, m/s
BOG_REVERSE_MPS = 2.0
#: extra run-up taken before the retry, m
BOG_RUNUP_M = 30.0
#: sin(grade) above which the ground counts as a face being climbed
BOG_MIN_SIN = 0.03


@njit(cache=True)
def bog_retry_s(climbed_m: float) -> float:
    """Time of one retry: recovery, back down ``climbed_m`` + the run-up and drive it
    again (both ways at the reversing speed, a conservative average)."""
    return BOG_RECOVERY_S + 2.0 * (climbed_m + BOG_RUNUP_M) / BOG_REVERSE_MPS


@njit(cache=True)
def full_load_at(tables: tuple, v: float) -> tuple[int, int, float, float, float]:  # type: ignore[type-arg]
    """Best full-throttle gear at speed v on the speed grid: (gear index, grid index,
    fraction, drive force, effective mass)."""
    force_tab, mass_tab = tables[0], tables[1]
    ng = force_tab.shape[0]
    nv = force_tab.shape[1]
    u = v / V_STEP_MPS
    k = int(u)
    if k >= nv - 1:
        k = nv - 2
        fr = 1.0
    else:
        fr = u - k
    best = 0
    f_best = -1.0
    for g in range(ng):
        fg = force_tab[g, k] + fr * (force_tab[g, k + 1] - force_tab[g, k])
        if fg > f_best:
            f_best = fg
            best = g
    m_eff = mass_tab[best, k] + fr * (mass_tab[best, k + 1] - mass_tab[best, k])
    return best, k, fr, f_best, m_eff


@njit(cache=True)
def resistance_N(
    S: np.ndarray,
    P: np.ndarray,
    surface_table: np.ndarray,
    wheel_load_N: np.ndarray,
    sc: int,
    v: float,
    sin_grade: float,
) -> float:
    """Rolling + sand compaction + grade + drag at speed v on surface ``sc``."""
    f = 0.0
    for w in range(4):
        f += rolling_resistance_N(
            P[ix.P_RR_A + w], P[ix.P_RR_B + w], v, P[ix.P_SURF_RR + sc], wheel_load_N[w]
        )
    f += surface_table[SURF_COMPACTION, sc] * sand_speed_factor(v, P[ix.P_SAND_SPEED_REF])
    f += S[ix.S_M_TOTAL] * P[ix.P_G] * sin_grade
    return f + drag_along_N(v, P[ix.P_HEADWIND], P[ix.P_AERO_K])


@njit(cache=True)
def engine_full_torque_Nm(P: np.ndarray, w_e: float, scale: float) -> float:
    """Full-load torque at engine speed w_e behind the restrictor, x derate x p0 ratio."""
    t_prod = interp_table(
        w_e,
        P[ix.P_ENG_W : ix.P_ENG_W + ix.N_TABLE],
        P[ix.P_ENG_T : ix.P_ENG_T + ix.N_TABLE],
        int(P[ix.P_ENG_N]),
        0,
    )
    return scale * full_load_torque_Nm(t_prod, P[ix.P_P_CAP], w_e)


@njit(cache=True)
def part_load_gear(
    P: np.ndarray,
    ratio: np.ndarray,
    eff: np.ndarray,
    rd: float,
    gear: int,
    tig: float,
    best: int,
    w_w: float,
    f_req: float,
    eta_s: float,
    scale: float,
) -> tuple[int, float, float, float, float]:
    """The gear the TCU holds at the required force (shift map with hysteresis at the
    current load, kick-down to the full-throttle gear when the plan needs it) and the
    engine point. Returns (gear, time in gear, engine speed, engine torque, load)."""
    ng = ratio.shape[0]
    idle = P[ix.P_IDLE_W]
    t_e = 0.0
    w_e = idle
    load = 1.0
    for _ in range(ng):
        g = gear - 1
        w_t = w_w * ratio[g]
        w_e = w_t if w_t > idle else idle
        t_full = engine_full_torque_Nm(P, w_e, scale)
        if f_req > 0.0:
            t_e = f_req * rd / (ratio[g] * eff[g] * eta_s)
        else:
            t_e = f_req * rd * eff[g] / ratio[g]
        thr = t_e / t_full if t_e > 0.0 else 0.0
        if thr > 1.0:
            # kick-down: the full-throttle gear can always hold the plan
            if gear != best + 1:
                gear = best + 1
                tig = 0.0
                continue
            thr = 1.0
            t_e = t_full
        load = thr
        if tig < P[ix.P_MIN_T_GEAR]:
            break
        up, dn = shift_points(
            thr,
            P[ix.P_UP_PART] * RPM_TO_RADPS,
            P[ix.P_UP_FULL] * RPM_TO_RADPS,
            P[ix.P_DN_PART] * RPM_TO_RADPS,
            P[ix.P_DN_FULL] * RPM_TO_RADPS,
        )
        step = shift_decision(
            gear, ng, w_t, up, dn, True, True, ratio, DOWNSHIFT_REV_MARGIN * P[ix.P_REV_W]
        )
        if step != 0:
            gear += step
            tig = 0.0
        break
    return gear, tig, w_e, t_e, load


@njit(cache=True)
def unlocked_point(
    P: np.ndarray, w_t: float, w_e: float, t_e: float, load: float, scale: float
) -> tuple[float, float, float]:
    """Below lock-up the engine turns faster than the turbine and the converter
    multiplies its torque: (engine speed, torque, load) at part throttle."""
    w_e = max(w_e, P[ix.P_IDLE_W])
    if t_e > 0.0:
        n = ix.N_TABLE
        w_e, t_e = converter_part_load(
            w_t,
            t_e,
            P[ix.P_IDLE_W],
            P[ix.P_TC_SR : ix.P_TC_SR + n],
            P[ix.P_TC_K : ix.P_TC_K + n],
            P[ix.P_TC_TR : ix.P_TC_TR + n],
            int(P[ix.P_TC_N]),
        )
        t_full = engine_full_torque_Nm(P, w_e, scale)
        if t_e > t_full > 0.0:  # the converter cannot ask more than the engine makes
            t_e = t_full
        load = min(1.0, t_e / t_full) if t_full > 0.0 else 1.0
    return w_e, t_e, load


@njit(cache=True)
def converter_slip_W(P: np.ndarray, w_t: float, w_e: float, t_e: float) -> float:
    """Converter slip heat T_e (w_e - TR(SR) w_t) of an unlocked converter (§3.2)."""
    sr = min(w_t / w_e, 1.0) if w_e > 0.0 else 0.0
    tr = interp_table(
        sr,
        P[ix.P_TC_SR : ix.P_TC_SR + ix.N_TABLE],
        P[ix.P_TC_TR : ix.P_TC_TR + ix.N_TABLE],
        int(P[ix.P_TC_N]),
        0,
    )
    return max(0.0, t_e * (w_e - tr * w_t))


@njit(cache=True)
def forward_pass(
    ceiling: np.ndarray,
    surf: np.ndarray,
    sin_grade: np.ndarray,
    ds: float,
    tables: tuple,  # type: ignore[type-arg]
    surface_table: np.ndarray,
    wheel_load_N: np.ndarray,
    S: np.ndarray,
    P: np.ndarray,
    out: np.ndarray,
) -> float:
    """Full-throttle forward pass under the ceiling; fills ``out`` (N_OUT_ROWS x n) and
    returns the friction-brake energy, J.

    ``tables`` = (force, effective mass, engine speed, engine torque) per gear over the
    speed grid, total ratios, efficiencies, mean rolling radius (from
    :func:`raidsim.sim.qss.tables.full_load_tables`); ``surface_table`` per surface
    class (rows SURF_*); ``S``/``P`` the kernel's state and parameters, whose slow
    states the pass advances with the kernel's own thermal step; the next metre's
    torque is scaled by its derate x restrictor p0 ratio. Returns NaN when compiled for
    another layout or other kernel sources (a stale cache: recompile).
    """
    if P[ix.P_LAYOUT_HASH] != ix.LAYOUT_HASH:
        return math.nan
    n = ceiling.shape[0]
    we_tab, te_tab, ratio, eff, rd = tables[2], tables[3], tables[4], tables[5], tables[6]
    lu_gear = P[ix.P_LU_MIN_GEAR]
    lu_v = P[ix.P_LU_MIN_V]
    v = 0.0
    t = 0.0
    fuel = 0.0
    e_brake = 0.0
    gear = 1
    tig = 1e9  # time in gear
    for row in range(N_OUT_ROWS):
        out[row, 0] = 0.0
    out[OUT_GEAR, 0] = 1.0
    scale = S[ix.S_DERATE] * S[ix.S_CAP_FACTOR]
    heat_out = out[OUT_HEAT : OUT_HEAT + N_HEAT_ROWS]
    bogs = 0.0
    t_bog = 0.0
    bogged = False
    face_start = 0
    record(S, 0, heat_out)
    for i in range(n - 1):
        e_step = e_brake
        fuel_step = fuel
        sc = surf[i]
        best, k, fr, f_best, m_eff = full_load_at(tables, v)
        f_res = resistance_N(S, P, surface_table, wheel_load_N, sc, v, sin_grade[i])
        eta_s = surface_table[SURF_EFFICIENCY, sc]
        f_engine = f_best * scale * eta_s
        f_drive = min(f_engine, surface_table[SURF_TRACTION, sc])
        acc = (f_drive - f_res) / m_eff
        v2 = v * v + 2.0 * acc * ds
        if sin_grade[i] <= BOG_MIN_SIN:
            face_start = i + 1
            bogged = False
        stuck = v2 < V_FLOOR_MPS * V_FLOOR_MPS and f_drive < f_res and sin_grade[i] > BOG_MIN_SIN
        if stuck and not bogged:
            retry = bog_retry_s((i - face_start) * ds)
            bogs += 1.0
            t_bog += retry
            t += retry
            bogged = True
        vn = max(math.sqrt(v2) if v2 > 0.0 else 0.0, V_FLOOR_MPS)
        full = True
        if ceiling[i + 1] < vn:
            vn = ceiling[i + 1]
            full = False
        dt = 2.0 * ds / (v + vn) if v + vn > 1e-9 else 0.0
        w_w = 0.5 * (v + vn) / rd
        load = 1.0
        if full:
            gear = best + 1
            tig = 0.0
            w_e = we_tab[best, k] + fr * (we_tab[best, k + 1] - we_tab[best, k])
            t_e = scale * (te_tab[best, k] + fr * (te_tab[best, k + 1] - te_tab[best, k]))
            if f_drive < f_engine:
                # traction-limited (soft sand): the crew holds the tyres at their peak
                # pull and the engine gives that pull, not its full torque; the slip loss
                # is in the tractive efficiency, as at part load (physics.md §5.4)
                load = f_drive / f_engine
                t_e *= load
        else:
            a_req = (vn * vn - v * v) / (2.0 * ds)
            f_req = m_eff * a_req + f_res
            gear, tig, w_e, t_e, load = part_load_gear(
                P, ratio, eff, rd, gear, tig, best, w_w, f_req, eta_s, scale
            )
            if gear < lu_gear or vn < lu_v:
                w_e, t_e, load = unlocked_point(P, w_w * ratio[gear - 1], w_e, t_e, load, scale)
            if t_e < 0.0:
                # overrun: engine drag (closed throttle, fuel cut); brakes do the rest
                t_fric = friction_torque_Nm(w_e, P[ix.P_FRIC_A], P[ix.P_FRIC_B], P[ix.P_FRIC_C])
                f_engine = -t_fric * ratio[gear - 1] / (eff[gear - 1] * rd)
                if f_req < f_engine:
                    e_brake += (f_engine - f_req) * ds
                t_e = -t_fric
        tig += dt
        t_fric = friction_torque_Nm(w_e, P[ix.P_FRIC_A], P[ix.P_FRIC_B], P[ix.P_FRIC_C])
        if t_e > 0.0:
            # the flow (fuel in 1 s) times the metre's time, in that order
            fuel += engine_fuel_kg(P, 1.0, t_e, w_e, t_fric, load) * dt
        v_old = v
        v = vn
        t += dt
        if stuck:  # working up the rest of the face at a crawl
            t_bog += dt
        out[OUT_SPEED, i + 1] = v
        out[OUT_TIME, i + 1] = t
        out[OUT_GEAR, i + 1] = gear
        out[OUT_FUEL, i + 1] = fuel
        out[OUT_POWER, i + 1] = t_e * w_e if t_e > 0.0 else 0.0
        out[OUT_BOGS, i + 1] = bogs
        out[OUT_BOG_TIME, i + 1] = t_bog
        slip = 0.0
        if t_e > 0.0 and (gear < lu_gear or vn < lu_v):
            slip = converter_slip_W(P, w_w * ratio[gear - 1], w_e, t_e)
        scale = heat_step(
            S,
            P,
            dt,
            fuel - fuel_step,
            load if t_e > 0.0 else 0.0,
            slip,
            e_brake - e_step,
            0.5 * (v_old + v),
            sc,
        )
        record(S, i + 1, heat_out)
    return e_brake
