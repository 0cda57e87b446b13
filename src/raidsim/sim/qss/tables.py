"""Tables the QSS builds once per vehicle in numpy: full-load drive force, effective
mass and engine point per gear over a speed grid; per-surface traction and compaction
at the static wheel loads (physics.md §2-5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.derived import geometry, restrictor_cap_W, soil_forces_N
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACE_TABLE, SURFACES
from raidsim.model.vehicle import Vehicle
from raidsim.physics.engine import full_load_torque_array_Nm
from raidsim.physics.terramechanics import compaction_table
from raidsim.physics.tyre import dynamic_rolling_radius_m, load_scaled
from raidsim.sim.qss.forward import N_SURF_ROWS, SURF_COMPACTION, SURF_EFFICIENCY, SURF_TRACTION
from raidsim.sim.qss.forward import V_STEP_MPS as V_STEP_MPS
from raidsim.units import BAR_TO_PA, KMH_PER_MPS, RPM_TO_RADPS

F64 = NDArray[np.float64]
#: bisection steps of the converter's full-load point
CONVERTER_BISECTION_STEPS = 60


@dataclass(frozen=True)
class FullLoad:
    """Per-gear full-throttle tables over the speed grid ``v = k V_STEP_MPS``."""

    force_N: F64  # (n_gears, n_v) tractive force at the wheels, no slip
    mass_eff_kg: F64  # (n_gears, n_v) translational + rotating-mass equivalent
    engine_speed_radps: F64  # (n_gears, n_v)
    engine_torque_Nm: F64  # (n_gears, n_v) brake torque at full load
    total_ratio: F64  # (n_gears,) gear x final drive x transfer
    efficiency: F64  # (n_gears,) gear x axle
    rolling_radius_m: float

    def as_tuple(self) -> tuple[F64, F64, F64, F64, F64, F64, float]:
        """The tables in the forward pass's order."""
        return (
            self.force_N,
            self.mass_eff_kg,
            self.engine_speed_radps,
            self.engine_torque_Nm,
            self.total_ratio,
            self.efficiency,
            self.rolling_radius_m,
        )


def full_torque_Nm(v: Vehicle, p_cap_W: float, omega: F64) -> F64:
    """T_full(omega) = min(T_prod, P_cap / omega) (physics.md §2.1), the law
    :func:`~raidsim.physics.engine.full_load_torque_Nm` over an array."""
    e = v.engine
    w = np.ascontiguousarray(omega, dtype=np.float64)
    t_prod = np.interp(w, np.array(e.torque_curve_rpm) * RPM_TO_RADPS, e.torque_curve_Nm)
    return full_load_torque_array_Nm(np.ascontiguousarray(t_prod), p_cap_W, w)


def rolling_radius_m(v: Vehicle) -> float:
    """Mean TMeasy dynamic rolling radius at static load, r0 - defl/3 (as the kernel)."""
    geo = geometry(v)
    defl = v.tyre.unloaded_radius_m - geo.loaded_radius_m
    return float(np.mean([dynamic_rolling_radius_m(v.tyre.unloaded_radius_m, d) for d in defl]))


def full_load_tables(v: Vehicle, ambient: Ambient, n_v: int) -> FullLoad:
    """Drive force, effective mass and engine point at full throttle, per gear and speed.

    Locked converter (gear >= lock-up gear and above the lock-up speed): engine speed =
    turbine speed. Otherwise the converter sets the engine speed where the engine's full
    torque equals the impeller's absorption T_imp = (w_e / K(SR))^2, and multiplies it by
    TR(SR) (§3.2). The TCU upshifts at ``upshift_rpm_full``: a gear is not used above it.
    """
    p_cap = restrictor_cap_W(v, ambient)
    rd = rolling_radius_m(v)
    gb, cv, d, e = v.gearbox, v.converter, v.driveline, v.engine
    speed = np.arange(n_v) * V_STEP_MPS
    w_wheel = speed / rd
    ratios = np.array(gb.overall_ratios)
    eff = np.array(gb.efficiencies) * d.axle_efficiency
    rev = e.rev_limit_rpm * RPM_TO_RADPS
    idle = e.idle_rpm * RPM_TO_RADPS
    sr_tab = np.array(cv.speed_ratio)
    k_tab = np.array(cv.capacity_factor_radps_per_sqrtNm)
    j_wheels = 4.0 * (v.tyre.spin_inertia_kgm2 + d.side_gear_inertia_kgm2)
    ng = gb.n_gears
    force, mass, w_eng, t_eng = (np.zeros((ng, n_v)) for _ in range(4))
    for g in range(ng):
        w_t = w_wheel * ratios[g]
        locked = (g + 1 >= cv.lockup_min_gear) & (speed > cv.lockup_min_speed_kmh / KMH_PER_MPS)
        # converter: bisection on T_full(w_e) - (w_e / K(w_t / w_e))^2 over [w_t, rev]
        lo = np.maximum(w_t, 1.0)
        hi = np.full_like(lo, rev)
        for _ in range(CONVERTER_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            k = np.interp(np.minimum(w_t / mid, 1.0), sr_tab, k_tab)
            f = full_torque_Nm(v, p_cap, mid) - (mid / k) ** 2
            lo = np.where(f > 0.0, mid, lo)
            hi = np.where(f > 0.0, hi, mid)
        w_conv = np.maximum(0.5 * (lo + hi), w_t)
        sr = np.minimum(w_t / w_conv, 1.0)
        k = np.interp(sr, sr_tab, k_tab)
        t_turbine = (w_conv / k) ** 2 * np.interp(sr, sr_tab, cv.torque_ratio)
        w_e = np.where(locked, np.maximum(w_t, idle), w_conv)
        t_e = full_torque_Nm(v, p_cap, w_e)
        t_out = np.where(locked, t_e, t_turbine)
        valid = w_t <= min(gb.upshift_rpm_full * RPM_TO_RADPS, rev)
        force[g] = np.where(valid, t_out * ratios[g] * eff[g] / rd, 0.0)
        j_in = np.where(locked, e.inertia_kgm2 + cv.turbine_inertia_kgm2, cv.turbine_inertia_kgm2)
        mass[g] = v.total_mass_kg + (j_wheels + j_in * ratios[g] ** 2) / rd**2
        w_eng[g] = w_e
        t_eng[g] = t_e
    return FullLoad(force, mass, w_eng, t_eng, ratios, eff, rd)


def surface_table(v: Vehicle, settings: Settings) -> F64:
    """Per surface class (rows ``SURF_*`` of :mod:`raidsim.sim.qss.forward`): traction
    limit at the static loads (TMeasy peak x surface mu; on soil capped by the WES sand
    traction at the peak slip, as the kernel caps it), static Bekker compaction
    resistance, and the calibrated tractive efficiency
    (``DriverSpec.qss_tractive_efficiency``), all four wheels (physics.md §5)."""
    geo = geometry(v)
    t = v.tyre
    loads = geo.static_tyre_load_N
    p_bar = np.array([v.tyre_pressure_front_bar] * 2 + [v.tyre_pressure_rear_bar] * 2)
    fzr = loads / t.nominal_load_N
    fxm = np.array([load_scaled(r, t.fxm_N[0], t.fxm_N[1]) for r in fzr])
    table = np.zeros((N_SURF_ROWS, len(SURFACES)))
    pc = t.carcass_pressure_kPa * 1000.0
    diameter = 2.0 * t.unloaded_radius_m
    for k, name in enumerate(SURFACES):
        s = SURFACE_TABLE[name]
        per_wheel = fxm * s.mu_scale
        if s.soil is not None:
            per_wheel = soil_forces_N(v, name, "x")
            table[SURF_COMPACTION, k] = sum(
                float(
                    compaction_table(
                        s.soil,
                        np.array([loads[i]]),
                        diameter,
                        t.width_m,
                        p_bar[i] * BAR_TO_PA,
                        pc,
                    )[0]
                )
                for i in range(4)
            )
        table[SURF_TRACTION, k] = float(per_wheel.sum())
        table[SURF_EFFICIENCY, k] = settings.driver.qss_tractive_efficiency[name]
    return table


def static_wheel_loads_N(v: Vehicle) -> F64:
    """Static tyre loads (fl, fr, rl, rr), N."""
    return np.ascontiguousarray(geometry(v).static_tyre_load_N, dtype=np.float64)


def full_throttle_forces_N(
    vehicle: Vehicle,
    ambient: Ambient,
    settings: Settings,
    speed_mps: F64,
    surface: NDArray[np.integer],
    tables: tuple[F64, F64] | None = None,
) -> tuple[F64, F64]:
    """(full-load drive force in the best gear x tractive efficiency, traction limit) at
    each speed and surface class, N (the QSS forward pass's two sides of the min).
    ``tables``: the estimate's own (per-gear force over the speed grid, per-surface
    table), when it has them (else built here). The time-loss classification reads it
    (:func:`raidsim.sim.time_loss.car_limits`)."""
    v = np.nan_to_num(np.asarray(speed_mps, dtype=np.float64), nan=0.0)
    if tables is None:
        n_v = int(math.ceil(float(v.max(initial=0.0)) / V_STEP_MPS)) + 4
        tables = (full_load_tables(vehicle, ambient, n_v).force_N, surface_table(vehicle, settings))
    force = tables[0].max(axis=0)
    grid = np.arange(len(force)) * V_STEP_MPS
    surf = tables[1]
    sc = np.asarray(surface, dtype=np.int64)
    drive = np.interp(v, grid, force) * surf[SURF_EFFICIENCY, sc]
    return drive, surf[SURF_TRACTION, sc]
