"""Quasi-steady-state (QSS) stage estimator: the classic lap-time method along the route.

The fast tier of DESIGN.md "The two simulation tiers". On the stage's 1 m grid:

* ceiling: the driver's speed plan, the same :func:`target_speed_profile` the transient
  driver tracks (curvature grip, surface caps, speed zones, jump/crest caps, limiter,
  friction-ellipse backward pass), so both tiers share one plan; the driver's preview
  (``DriverSpec.preview_time_s``) is applied as in the kernel;
* forward pass (full throttle), per metre ``v_{i+1}^2 = v_i^2 + 2 a ds`` with

      m_eff a = min(F_drive(v), F_traction) - F_roll(v) - m g sin(theta) - k_aero v_rel |v_rel|
      F_drive(v) = max over gears of T_out(omega) i_g i_fd eta_g eta_axle / r_d
      T_out = min(T_prod(omega), P_cap/omega) when locked; converter-multiplied below
              lock-up (solve T_full(w_e) = (w_e / K(SR))^2, T_out = TR(SR) T_imp, §3.2)
      m_eff = m + (4 (J_w + J_sg) + J_in i_tot^2) / r_d^2     (rotating-mass equivalent)
      F_traction = sum over wheels min(mu_surface FxM(Fz), Janosi A c + Fz tan phi)
      F_roll = sum_i Fz_i (0.005 + (1/p_i)(0.01 + 0.0095 (v/100)^2)) x surface scale
               + Bekker compaction R_c(Fz_i) / (1 + v / v_sand_ref)        (§5.2)

  scaled by the surface's ``DriverSpec.qss_tractive_efficiency`` (calibrated against the
  transient tier, see that field); v = min(forward, ceiling);
* backward pass: the plan's (brakeable by construction);
* heat along the pass (:mod:`raidsim.sim.qss_thermal`): the kernel's coolant/oil/filter/
  derate/disc step per metre, its derate x p0 ratio scaling the next metre's torque;
* integrals along distance: time ``dt = 2 ds / (v_i + v_{i+1})``, fuel from the Willans
  line ``mdot = (T_brake + T_fric) omega / (e LHV)`` with the gear the TCU's shift map
  would hold at part throttle (physics.md §2.3, §3.3), brake energy (deceleration the
  engine drag does not supply), landings = jumps on the stage.

Everything per metre is in one Numba loop; the per-gear tables (drive force, effective
mass, engine speed and torque at full load over a 0.05 m/s speed grid) are built once
in numpy. An 800 km stage runs in well under a second JIT-warm (benchmarks/bench_qss.py).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numba import njit
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACE_TABLE
from raidsim.model.vehicle import BAR_TO_PA, RPM_TO_RADPS, Vehicle
from raidsim.physics.aero import drag_constant
from raidsim.physics.engine import friction_coefficients
from raidsim.physics.terramechanics import compaction_table
from raidsim.physics.tyre import load_scaled
from raidsim.route.stage import Stage
from raidsim.sim import indices as ix
from raidsim.sim.layout import SURFACES
from raidsim.sim.params import (
    build_params,
    build_route_arrays,
    geometry,
    initial_state,
    restrictor_cap_W,
)
from raidsim.sim.qss_thermal import ThermalTrace, heat_step, record, trace_from

G = 9.80665
F64 = NDArray[np.float64]
#: speed grid of the full-load tables, m/s
V_STEP_MPS = 0.05
#: lowest speed the forward pass carries (a stalled car would give infinite time), m/s
V_FLOOR_MPS = 0.5
#: sand compaction falls with speed (Bekker statics overstate it at speed, physics.md
#: §5.3); the same reference speed as the transient kernel's SAND_SPEED_REF
SAND_SPEED_REF_MPS = 30.0
#: grade clip: the lip of a jump drops the ground by metres within one grid step; the
#: car flies over it, it does not fall down it (a landing gives no forward speed)
MAX_GRADE = 0.6


@dataclass(frozen=True)
class FullLoad:
    """Per-gear full-throttle tables over the speed grid ``v = k V_STEP_MPS``."""

    force_N: F64  # (n_gears, n_v) tractive force at the wheels, no slip
    mass_eff_kg: F64  # (n_gears, n_v) translational + rotating-mass equivalent
    engine_speed_radps: F64  # (n_gears, n_v)
    engine_torque_Nm: F64  # (n_gears, n_v) brake torque at full load
    total_ratio: F64  # (n_gears,) gear x final drive x transfer
    efficiency: F64  # (n_gears,) gear x axle


def _interp(x: F64, xp: list[float] | F64, fp: list[float] | F64) -> F64:
    return np.asarray(np.interp(x, np.asarray(xp, float), np.asarray(fp, float)), dtype=np.float64)


def full_torque_Nm(v: Vehicle, p_cap_W: float, omega: F64) -> F64:
    """T_full(omega) = min(T_prod, P_cap / omega) (physics.md §2.1)."""
    e = v.engine
    t_prod = _interp(omega, np.array(e.torque_curve_rpm) * RPM_TO_RADPS, e.torque_curve_Nm)
    with np.errstate(divide="ignore"):
        cap = np.where(omega > 1.0, p_cap_W / np.maximum(omega, 1e-9), np.inf)
    return np.asarray(np.minimum(t_prod, cap), dtype=np.float64)


def rolling_radius_m(v: Vehicle) -> float:
    """Mean TMeasy dynamic rolling radius at static load, r0 - defl/3 (as the kernel)."""
    geo = geometry(v)
    defl = v.tyre.unloaded_radius_m - geo.loaded_radius_m
    return float(np.mean(v.tyre.unloaded_radius_m - defl / 3.0))


def full_load_tables(v: Vehicle, ambient: Ambient, n_v: int) -> FullLoad:
    """Drive force, effective mass and engine point at full throttle, per gear and speed.

    Locked converter (gear >= lock-up gear and above the lock-up speed): engine speed =
    turbine speed. Otherwise the converter sets the engine speed where the engine's full
    torque equals the impeller's absorption, and multiplies it by TR(SR) (§3.2).
    """
    p_cap = restrictor_cap_W(v, ambient)
    rd = rolling_radius_m(v)
    gb, cv, d, e = v.gearbox, v.converter, v.driveline, v.engine
    speed = np.arange(n_v) * V_STEP_MPS
    w_wheel = speed / rd
    ratios = np.array(gb.ratios) * gb.final_drive_ratio * gb.transfer_ratio
    eff = np.array(gb.efficiencies) * d.axle_efficiency
    rev = e.rev_limit_rpm * RPM_TO_RADPS
    idle = e.idle_rpm * RPM_TO_RADPS
    sr_tab = np.array(cv.speed_ratio)
    j_wheels = 4.0 * (v.tyre.spin_inertia_kgm2 + d.side_gear_inertia_kgm2)
    ng = gb.n_gears
    force = np.zeros((ng, n_v))
    mass = np.zeros((ng, n_v))
    w_eng = np.zeros((ng, n_v))
    t_eng = np.zeros((ng, n_v))
    for g in range(ng):
        w_t = w_wheel * ratios[g]
        locked = (g + 1 >= cv.lockup_min_gear) & (speed > cv.lockup_min_speed_kmh / 3.6)
        # converter: bisection on T_full(w_e) - (w_e / K(w_t / w_e))^2 over [w_t, rev]
        lo = np.maximum(w_t, 1.0)
        hi = np.full_like(lo, rev)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            k = _interp(np.minimum(w_t / mid, 1.0), sr_tab, cv.capacity_factor_radps_per_sqrtNm)
            f = full_torque_Nm(v, p_cap, mid) - (mid / k) ** 2
            lo = np.where(f > 0.0, mid, lo)
            hi = np.where(f > 0.0, hi, mid)
        w_conv = np.maximum(0.5 * (lo + hi), w_t)
        sr = np.minimum(w_t / w_conv, 1.0)
        k = _interp(sr, sr_tab, cv.capacity_factor_radps_per_sqrtNm)
        t_turbine = (w_conv / k) ** 2 * _interp(sr, sr_tab, cv.torque_ratio)
        w_e = np.where(locked, np.maximum(w_t, idle), w_conv)
        t_e = full_torque_Nm(v, p_cap, w_e)
        t_out = np.where(locked, t_e, t_turbine)
        f_drive = t_out * ratios[g] * eff[g] / rd
        # the TCU upshifts at upshift_rpm_full; the rev limiter cuts just above
        valid = w_t <= min(gb.upshift_rpm_full * RPM_TO_RADPS, rev)
        force[g] = np.where(valid, f_drive, 0.0)
        j_in = np.where(locked, e.inertia_kgm2 + cv.turbine_inertia_kgm2, cv.turbine_inertia_kgm2)
        mass[g] = v.total_mass_kg + (j_wheels + j_in * ratios[g] ** 2) / rd**2
        w_eng[g] = w_e
        t_eng[g] = t_e
    return FullLoad(force, mass, w_eng, t_eng, ratios, eff)


@dataclass(frozen=True)
class SurfaceLoads:
    """Per surface class: traction limit, rolling-resistance coefficients (F = a + b v^2),
    static compaction resistance (sand) and the calibrated tractive efficiency."""

    traction_N: F64
    roll_a_N: F64
    roll_b_N_s2_per_m2: F64
    compaction_N: F64
    tractive_efficiency: F64


def surface_loads(v: Vehicle, settings: Settings) -> SurfaceLoads:
    """Static-load forces per surface class (4WD, all four wheels), physics.md §5."""
    geo = geometry(v)
    t = v.tyre
    loads = geo.static_tyre_load_N
    p_bar = np.array([v.tyre_pressure_front_bar] * 2 + [v.tyre_pressure_rear_bar] * 2)
    defl = loads / geo.tyre_stiffness_N_per_m
    contact_len = 2.0 * np.sqrt(np.maximum(0.0, 2.0 * t.unloaded_radius_m * defl - defl**2))
    fxm = np.array([load_scaled(fz / t.nominal_load_N, t.fxm_N[0], t.fxm_N[1]) for fz in loads])
    # hard-road formula f = 0.005 + (1/p)(0.01 + 0.0095 (v/100 km/h)^2) [S68]
    rr_a = float(np.sum((0.005 + 0.01 / p_bar) * loads))
    rr_b = float(np.sum(0.0095 / p_bar / (100.0 / 3.6) ** 2 * loads))
    n = len(SURFACES)
    trac = np.zeros(n)
    ra = np.zeros(n)
    rb = np.zeros(n)
    rc = np.zeros(n)
    for k, name in enumerate(SURFACES):
        s = SURFACE_TABLE[name]
        per_wheel = fxm * s.mu_scale
        ra[k] = rr_a * s.rolling_scale
        rb[k] = rr_b * s.rolling_scale
        if s.soil is not None:
            janosi = t.width_m * contact_len * s.soil.cohesion_Pa + loads * math.tan(
                math.radians(s.soil.friction_angle_deg)
            )
            per_wheel = np.minimum(per_wheel, janosi)
            pc = t.carcass_pressure_kPa * 1000.0
            rc[k] = sum(
                float(
                    compaction_table(
                        s.soil,
                        np.array([loads[i]]),
                        2.0 * t.unloaded_radius_m,
                        t.width_m,
                        p_bar[i] * BAR_TO_PA,
                        pc,
                    )[0]
                )
                for i in range(4)
            )
        trac[k] = float(per_wheel.sum())
    factor = np.array([settings.driver.qss_tractive_efficiency[s] for s in SURFACES])
    return SurfaceLoads(trac, ra, rb, rc, factor)


@njit(cache=True)
def _preview_ceiling(vt: np.ndarray, preview_s: float, ds: float) -> np.ndarray:
    """What the transient driver aims at: min(v_t(s), v_t(s + v_t(s) t_preview))."""
    n = vt.shape[0]
    out = vt.copy()
    for i in range(n):
        j = i + int(vt[i] * preview_s / ds)
        if j > n - 1:
            j = n - 1
        if vt[j] < out[i]:
            out[i] = vt[j]
    return out


@njit(cache=True)
def converter_part_load(
    w_t: float,
    t_turb: float,
    idle: float,
    sr_tab: np.ndarray,
    k_tab: np.ndarray,
    tr_tab: np.ndarray,
) -> tuple[float, float]:
    """Engine speed and impeller torque of an unlocked converter that must deliver
    ``t_turb`` at turbine speed ``w_t`` (physics.md §3.2): solve

        TR(SR) (w_t / (SR K(SR)))^2 = t_turb,   w_e = w_t / SR,   T_imp = (w_e / K(SR))^2

    by bisection on SR in [0.05, 0.999] (the left side falls with SR). Below idle the
    engine idles and the converter slips (creep): SR = w_t / idle. Returns (w_e, T_imp).
    """
    if t_turb <= 0.0 or w_t <= 0.0:
        return max(w_t, idle), 0.0
    lo = 0.05
    hi = 0.999
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        w_e = w_t / mid
        t_i = (w_e / np.interp(mid, sr_tab, k_tab)) ** 2
        if np.interp(mid, sr_tab, tr_tab) * t_i > t_turb:
            lo = mid
        else:
            hi = mid
    sr = 0.5 * (lo + hi)
    w_e = w_t / sr
    if w_e < idle:
        w_e = idle
        sr = w_t / idle
    return w_e, t_turb / np.interp(sr, sr_tab, tr_tab)


@njit(cache=True)
def _forward_pass(
    ceiling: np.ndarray,
    surf: np.ndarray,
    grade: np.ndarray,
    ds: float,
    force_tab: np.ndarray,
    mass_tab: np.ndarray,
    we_tab: np.ndarray,
    te_tab: np.ndarray,
    ratio: np.ndarray,
    eff: np.ndarray,
    rd: float,
    trac: np.ndarray,
    roll_a: np.ndarray,
    roll_b: np.ndarray,
    compaction: np.ndarray,
    tractive_eff: np.ndarray,
    mass: float,
    aero_k: float,
    headwind: float,
    eng_w: np.ndarray,
    eng_t: np.ndarray,
    p_cap: float,
    fric: np.ndarray,
    willans_e: float,
    lhv: float,
    shift: np.ndarray,
    cv_sr: np.ndarray,
    cv_k: np.ndarray,
    cv_tr: np.ndarray,
    S: np.ndarray,
    P: np.ndarray,
    out_v: np.ndarray,
    out_t: np.ndarray,
    out_gear: np.ndarray,
    out_fuel: np.ndarray,
    out_power: np.ndarray,
    out_heat: np.ndarray,
) -> float:
    """Full-throttle forward pass under the ceiling with time, gear and fuel integrals.

    ``shift`` = (up_part, up_full, down_part, down_full, rev_limit, idle, min_time_in_gear,
    lockup_min_gear, lockup_min_speed) with speeds in rad/s. ``S``, ``P``: the kernel's
    state and parameter vectors, for the slow states (:mod:`raidsim.sim.qss_thermal`):
    each step's fuel, load (t_pos / t_full), converter slip heat (``T_e (w_e - TR(SR) w_t)``
    while unlocked, physics.md §3.2; part throttle via :func:`converter_part_load`) and
    friction-brake energy go through the kernel's thermal step, and the next step's engine
    torque is scaled by its ECU derate x restrictor p0 ratio. ``out_heat`` (6 x n) records
    the slow states per metre. Returns the brake energy, J.
    """
    n = ceiling.shape[0]
    ng = force_tab.shape[0]
    nv = force_tab.shape[1]
    up_p, up_f, dn_p, dn_f = shift[0], shift[1], shift[2], shift[3]
    rev, idle, min_tig = shift[4], shift[5], shift[6]
    lu_gear, lu_v = int(shift[7]), shift[8]
    fa, fb, fc = fric[0], fric[1], fric[2]
    v = 0.0
    t = 0.0
    fuel = 0.0
    e_brake = 0.0
    gear = 1
    tig = 1e9  # time in gear
    out_v[0] = 0.0
    out_t[0] = 0.0
    out_gear[0] = 1.0
    out_fuel[0] = 0.0
    out_power[0] = 0.0
    scale = S[ix.S_DERATE] * S[ix.S_CAP_FACTOR]
    record(S, 0, out_heat)
    for i in range(n - 1):
        e_step = e_brake
        fuel_step = fuel
        sc = surf[i]
        # full-load tables at v (linear in the speed grid)
        u = v / 0.05
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
        vr = v + headwind
        f_res = (
            roll_a[sc]
            + roll_b[sc] * v * v
            + compaction[sc] / (1.0 + v / 30.0)
            + mass * 9.80665 * grade[i]
            + aero_k * vr * abs(vr)
        )
        eta_s = tractive_eff[sc]
        f_drive = min(f_best * scale * eta_s, trac[sc])
        acc = (f_drive - f_res) / m_eff
        v2 = v * v + 2.0 * acc * ds
        v_fwd = math.sqrt(v2) if v2 > 0.0 else 0.0
        if v_fwd < 0.5:
            v_fwd = 0.5
        vn = v_fwd
        full = True
        if ceiling[i + 1] < vn:
            vn = ceiling[i + 1]
            full = False
        dt = 2.0 * ds / (v + vn) if v + vn > 1e-9 else 0.0
        # engine operating point
        w_w = 0.5 * (v + vn) / rd
        load = 1.0
        if full:
            gear = best + 1
            tig = 0.0
            w_e = we_tab[best, k] + fr * (we_tab[best, k + 1] - we_tab[best, k])
            t_e = scale * (te_tab[best, k] + fr * (te_tab[best, k + 1] - te_tab[best, k]))
        else:
            a_req = (vn * vn - v * v) / (2.0 * ds)
            f_req = m_eff * a_req + f_res
            # TCU shift map with hysteresis at the current load (physics.md §3.3)
            t_e = 0.0
            w_e = idle
            for _ in range(ng):
                g = gear - 1
                w_t = w_w * ratio[g]
                w_e = w_t if w_t > idle else idle
                t_full = scale * min(np.interp(w_e, eng_w, eng_t), p_cap / w_e)
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
                if tig < min_tig:
                    break
                up = up_p + (up_f - up_p) * thr
                dn = dn_p + (dn_f - dn_p) * thr
                if gear < ng and w_t > up:
                    gear += 1
                    tig = 0.0
                elif gear > 1 and w_t < dn and w_t * ratio[g - 1] / ratio[g] < 0.92 * rev:
                    gear -= 1
                    tig = 0.0
                break
            if gear < lu_gear or vn < lu_v:
                w_e = max(w_e, idle)
                if t_e > 0.0:
                    # unlocked: the engine turns faster than the turbine and the converter
                    # multiplies its torque; the difference in power heats the oil
                    w_e, t_e = converter_part_load(
                        w_w * ratio[gear - 1], t_e, idle, cv_sr, cv_k, cv_tr
                    )
                    t_full = scale * min(np.interp(w_e, eng_w, eng_t), p_cap / w_e)
                    load = min(1.0, t_e / t_full) if t_full > 0.0 else 1.0
            t_fric = fa + fb * w_e + fc * w_e * w_e
            if t_e < 0.0:
                # overrun: engine drag (closed throttle, fuel cut); brakes do the rest
                g = gear - 1
                f_engine = -t_fric * ratio[g] / (eff[g] * rd)
                if f_req < f_engine:
                    e_brake += (f_engine - f_req) * ds
                t_e = -t_fric
        tig += dt
        t_fric = fa + fb * w_e + fc * w_e * w_e
        if t_e > 0.0:
            fuel += (t_e + t_fric) * w_e / (willans_e * lhv) * dt
        v = vn
        t += dt
        out_v[i + 1] = v
        out_t[i + 1] = t
        out_gear[i + 1] = gear
        out_fuel[i + 1] = fuel
        out_power[i + 1] = t_e * w_e if t_e > 0.0 else 0.0
        slip = 0.0
        if t_e > 0.0 and (gear < lu_gear or vn < lu_v):
            w_t = w_w * ratio[gear - 1]
            sr = min(w_t / w_e, 1.0) if w_e > 0.0 else 0.0
            slip = max(0.0, t_e * (w_e - np.interp(sr, cv_sr, cv_tr) * w_t))
        scale = heat_step(
            S,
            P,
            dt,
            fuel - fuel_step,
            load if t_e > 0.0 else 0.0,
            slip,
            e_brake - e_step,
            0.5 * (out_v[i] + v),
            sc,
        )
        record(S, i + 1, out_heat)
    return e_brake


#: units of the per-metre columns written by :meth:`QssResult.to_parquet`
COLUMNS = {
    "distance_m": "m",
    "speed_mps": "m/s",
    "target_speed_mps": "m/s",
    "time_s": "s",
    "gear": "-",
    "fuel_used_kg": "kg",
    "engine_power_kW": "kW",
    "coolant_C": "degC",
    "oil_C": "degC",
    "brake_disc_max_C": "degC",
    "filter_loading": "-",
    "derate": "-",
}


@dataclass
class QssResult:
    """A QSS estimate: per-metre arrays and a summary."""

    s_m: F64
    speed_mps: F64
    target_speed_mps: F64
    time_s: F64
    gear: F64
    fuel_used_kg: F64
    engine_power_kW: F64
    summary: dict[str, Any] = field(default_factory=dict)
    #: slow states per metre (coolant, oil, discs, filter, derate); None if not computed
    heat: ThermalTrace | None = None

    def columns(self) -> dict[str, F64]:
        cols = {
            "distance_m": self.s_m,
            "speed_mps": self.speed_mps,
            "target_speed_mps": self.target_speed_mps,
            "time_s": self.time_s,
            "gear": self.gear,
            "fuel_used_kg": self.fuel_used_kg,
            "engine_power_kW": self.engine_power_kW,
        }
        if self.heat is not None:
            cols["coolant_C"] = self.heat.coolant_C
            cols["oil_C"] = self.heat.oil_C
            cols["brake_disc_max_C"] = self.heat.disc_max_C
            cols["filter_loading"] = self.heat.filter_loading
            cols["derate"] = self.heat.derate
        return cols

    def to_parquet(self, path: Path | str) -> Path:
        """Write the per-metre profile (units in the schema metadata; summary as JSON
        metadata), to a temporary file renamed into place."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        cols = self.columns()
        fields = [
            pa.field(name, pa.float64(), metadata={b"unit": COLUMNS[name].encode()})
            for name in cols
        ]
        meta = {
            b"raidsim.units": json.dumps({k: COLUMNS[k] for k in cols}).encode(),
            b"raidsim.summary": json.dumps(self.summary).encode(),
        }
        schema = pa.schema(fields, metadata=meta)
        table = pa.Table.from_arrays([pa.array(a) for a in cols.values()], schema=schema)
        tmp = path.with_name(path.name + ".partial")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return path


def estimate(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
) -> QssResult:
    """Quasi-steady-state estimate of a stage (see the module docstring)."""
    ambient = ambient or Ambient()
    settings = settings or Settings()
    cl = stage.centreline
    ds = float(cl.step_m)
    driver = settings.driver
    plan = build_route_arrays(vehicle, settings, stage).target_speed
    ceiling = _preview_ceiling(plan, driver.preview_time_s, ds)
    z = stage.height_at(cl.s_m)
    grade = np.empty_like(z)
    grade[:-1] = np.diff(z) / ds
    grade[-1] = grade[-2] if len(z) > 1 else 0.0
    grade = np.clip(grade, -MAX_GRADE, MAX_GRADE)
    grade = np.ascontiguousarray(grade / np.sqrt(1.0 + grade * grade))  # sin(theta)

    n_v = int(math.ceil(float(plan.max(initial=0.0)) / V_STEP_MPS)) + 40
    fl = full_load_tables(vehicle, ambient, n_v)
    sl = surface_loads(vehicle, settings)
    e, gb, cv = vehicle.engine, vehicle.gearbox, vehicle.converter
    p_cap = restrictor_cap_W(vehicle, ambient)
    fric = np.array(friction_coefficients(e.displacement_L / 1000.0, e.friction_scale))
    shift = np.array(
        [
            gb.upshift_rpm_part * RPM_TO_RADPS,
            gb.upshift_rpm_full * RPM_TO_RADPS,
            gb.downshift_rpm_part * RPM_TO_RADPS,
            gb.downshift_rpm_full * RPM_TO_RADPS,
            e.rev_limit_rpm * RPM_TO_RADPS,
            e.idle_rpm * RPM_TO_RADPS,
            gb.min_time_in_gear_s,
            float(cv.lockup_min_gear),
            cv.lockup_min_speed_kmh / 3.6,
        ]
    )
    n = len(cl.s_m)
    surface_code = np.ascontiguousarray(stage.surface_code, dtype=np.int64)
    ceiling_c = np.ascontiguousarray(ceiling, dtype=np.float64)
    out_v, out_t, out_gear, out_fuel, out_power = (np.empty(n) for _ in range(5))
    out_heat = np.empty((6, n))
    params = build_params(vehicle, ambient, settings, stage)
    state = initial_state(vehicle, stage, params)
    e_brake = _forward_pass(
        ceiling_c,
        surface_code,
        grade,
        ds,
        fl.force_N,
        fl.mass_eff_kg,
        fl.engine_speed_radps,
        fl.engine_torque_Nm,
        fl.total_ratio,
        fl.efficiency,
        rolling_radius_m(vehicle),
        sl.traction_N,
        sl.roll_a_N,
        sl.roll_b_N_s2_per_m2,
        sl.compaction_N,
        sl.tractive_efficiency,
        vehicle.total_mass_kg,
        drag_constant(ambient.air_density_kg_per_m3, vehicle.aero.drag_area_m2),
        ambient.headwind_mps,
        np.array(e.torque_curve_rpm) * RPM_TO_RADPS,
        np.array(e.torque_curve_Nm, dtype=np.float64),
        p_cap,
        fric,
        vehicle.fuel.willans_efficiency,
        vehicle.fuel.lhv_MJ_per_kg * 1e6,
        shift,
        np.array(cv.speed_ratio, dtype=np.float64),
        np.array(cv.capacity_factor_radps_per_sqrtNm, dtype=np.float64),
        np.array(cv.torque_ratio, dtype=np.float64),
        state,
        params,
        out_v,
        out_t,
        out_gear,
        out_fuel,
        out_power,
        out_heat,
    )
    heat = trace_from(out_heat, state)
    stage_time = float(out_t[-1])
    fuel_kg = float(out_fuel[-1])
    length = float(cl.s_m[-1] - cl.s_m[0])
    summary: dict[str, Any] = {
        "vehicle": vehicle.name,
        "stage": stage.name,
        "seed": int(stage.definition.seed),
        "ambient_C": ambient.temp_C,
        "distance_m": length,
        "stage_time_s": stage_time,
        "avg_speed_kmh": length / stage_time * 3.6 if stage_time > 0 else 0.0,
        "max_speed_kmh": float(out_v.max() * 3.6),
        "fuel_used_kg": fuel_kg,
        "fuel_used_L": fuel_kg / vehicle.fuel.density_kg_per_L,
        "brake_energy_MJ": e_brake / 1e6,
        "landings": len(stage.jump_lip_s_m),
        "max_coolant_C": float(heat.coolant_C.max()),
        "max_oil_C": float(heat.oil_C.max()),
        "max_brake_disc_C": float(heat.disc_max_C.max()),
        "derate_time_s": heat.derate_time_s,
        "min_derate": float(heat.derate.min()),
        "final_filter_loading": float(heat.filter_loading[-1]),
        "min_cap_factor": float(heat.cap_factor.min()),
    }
    return QssResult(
        s_m=np.asarray(cl.s_m, dtype=np.float64),
        speed_mps=out_v,
        target_speed_mps=np.asarray(ceiling, dtype=np.float64),
        time_s=out_t,
        gear=out_gear,
        fuel_used_kg=out_fuel,
        engine_power_kW=out_power / 1000.0,
        summary=summary,
        heat=heat,
    )
