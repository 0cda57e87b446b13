"""The powertrain's blocks: engine ([engine] + the [restrictor] cap) and its launch
control, torque converter, gearbox, driveline, fuel."""

from __future__ import annotations

import math

import numpy as np

from raidsim.physics.engine import friction_coefficients
from raidsim.sim.blocks.base import N_GEARS_MAX, N_TABLE, PackInputs, ParamBlock, SlotWriter
from raidsim.units import KMH_PER_MPS, RPM_TO_RADPS


def pack_engine(w: SlotWriter, x: PackInputs) -> None:
    """[engine] + [restrictor] cap: torque curve, friction, turbo lag (physics.md §1, §2.1-2.2)."""
    e = x.vehicle.engine
    n = len(e.torque_curve_rpm)
    if n > N_TABLE:
        raise ValueError(f"engine.torque_curve has {n} points; at most {N_TABLE} supported")
    w["ENG_N"] = n
    w["ENG_W"] = np.array(e.torque_curve_rpm) * RPM_TO_RADPS
    w["ENG_T"] = e.torque_curve_Nm
    w["IDLE_W"] = e.idle_rpm * RPM_TO_RADPS
    w["REV_W"] = e.rev_limit_rpm * RPM_TO_RADPS
    w["J_E"] = e.inertia_kgm2
    fa, fb, fc = friction_coefficients(e.displacement_L / 1000.0, e.friction_scale)
    w["FRIC_A"], w["FRIC_B"], w["FRIC_C"] = fa, fb, fc
    w["NA_FRAC"] = e.natural_aspiration_fraction
    w["LAG_LOW"], w["LAG_HIGH"] = e.turbo_lag_low_s, e.turbo_lag_high_s
    w["LAG_W_LOW"] = e.turbo_lag_low_rpm * RPM_TO_RADPS
    w["LAG_W_HIGH"] = e.turbo_lag_high_rpm * RPM_TO_RADPS
    w["P_CAP"] = x.cap_W


ENGINE = ParamBlock(
    "engine",
    (
        ("ENG_N", 1),
        ("ENG_W", N_TABLE),
        ("ENG_T", N_TABLE),
        ("IDLE_W", 1),
        ("REV_W", 1),
        ("J_E", 1),
        ("FRIC_A", 1),
        ("FRIC_B", 1),
        ("FRIC_C", 1),
        ("NA_FRAC", 1),
        ("LAG_LOW", 1),
        ("LAG_HIGH", 1),
        ("LAG_W_LOW", 1),
        ("LAG_W_HIGH", 1),
        ("P_CAP", 1),  # restrictor power ceiling, W (inf = none)
    ),
    pack_engine,
)


def pack_launch(w: SlotWriter, x: PackInputs) -> None:
    """[engine] launch control: launch-mode torque over the production peak, the peak
    power that caps it, the slip target (physics.md §2.1); ratio 0 = no launch control."""
    e = x.vehicle.engine
    rpm = np.asarray(e.torque_curve_rpm)
    torque = np.asarray(e.torque_curve_Nm)
    if e.launch_torque_Nm is None:
        w["LAUNCH_T_RATIO"] = 0.0
    else:
        w["LAUNCH_T_RATIO"] = e.launch_torque_Nm / float(torque.max())
    w["LAUNCH_P"] = float((torque * rpm * RPM_TO_RADPS).max())
    w["LAUNCH_SLIP"] = e.launch_slip_target


LAUNCH = ParamBlock(
    "launch",
    (
        ("LAUNCH_T_RATIO", 1),  # launch-mode torque / production peak torque (0 = none)
        ("LAUNCH_P", 1),  # production peak power, the launch-mode curve's ceiling, W
        ("LAUNCH_SLIP", 1),  # launch control's wheel-slip target
    ),
    pack_launch,
)


def pack_converter(w: SlotWriter, x: PackInputs) -> None:
    """[converter]: K-factor and torque-ratio tables, lock-up (physics.md §3.2)."""
    cv = x.vehicle.converter
    w["TC_N"] = len(cv.speed_ratio)
    w["TC_SR"] = cv.speed_ratio
    w["TC_K"] = cv.capacity_factor_radps_per_sqrtNm
    w["TC_TR"] = cv.torque_ratio
    w["LU_CAP"] = cv.lockup_capacity_Nm
    w["LU_MIN_GEAR"] = cv.lockup_min_gear
    w["LU_MIN_V"] = cv.lockup_min_speed_kmh / KMH_PER_MPS
    w["J_T"] = cv.turbine_inertia_kgm2


CONVERTER = ParamBlock(
    "converter",
    (
        ("TC_N", 1),
        ("TC_SR", N_TABLE),
        ("TC_K", N_TABLE),
        ("TC_TR", N_TABLE),
        ("LU_CAP", 1),
        ("LU_MIN_GEAR", 1),
        ("LU_MIN_V", 1),
        ("J_T", 1),
    ),
    pack_converter,
)


def pack_gearbox(w: SlotWriter, x: PackInputs) -> None:
    """[gearbox]: ratios, efficiencies, shift schedule (physics.md §3.1, §3.3)."""
    gb = x.vehicle.gearbox
    w["N_GEARS"] = gb.n_gears
    w["RATIO"] = gb.ratios
    w["EFF"] = gb.efficiencies
    w["FD"] = gb.axle_ratio
    w["SHIFT_T"] = gb.shift_time_s
    w["SHIFT_CUT"] = gb.shift_torque_cut
    w["UP_PART"], w["UP_FULL"] = gb.upshift_rpm_part, gb.upshift_rpm_full
    w["DN_PART"], w["DN_FULL"] = gb.downshift_rpm_part, gb.downshift_rpm_full
    w["MIN_T_GEAR"] = gb.min_time_in_gear_s
    w["SAND_SLIP"] = gb.sand_slip_hold


GEARBOX = ParamBlock(
    "gearbox",
    (
        ("N_GEARS", 1),
        ("RATIO", N_GEARS_MAX),
        ("EFF", N_GEARS_MAX),
        ("FD", 1),
        ("SHIFT_T", 1),
        ("SHIFT_CUT", 1),
        ("UP_PART", 1),
        ("UP_FULL", 1),
        ("DN_PART", 1),
        ("DN_FULL", 1),
        ("MIN_T_GEAR", 1),
        ("SAND_SLIP", 1),
    ),
    pack_gearbox,
)


def pack_driveline(w: SlotWriter, x: PackInputs) -> None:
    """[driveline]: torque split, diff locks, halfshaft stiffness and damping (physics.md §4.1)."""
    d, gb, t = x.vehicle.driveline, x.vehicle.gearbox, x.vehicle.tyre
    w["FRONT_FRAC"] = d.front_torque_fraction
    w["CLOCK_CAP"] = d.centre_lock_torque_Nm * gb.final_drive_ratio  # wheel-referred
    w["FLOCK_CAP"] = d.front_diff_lock_torque_Nm
    w["RLOCK_CAP"] = d.rear_diff_lock_torque_Nm
    w["AXLE_EFF"] = d.axle_efficiency
    w["J_SG"] = d.side_gear_inertia_kgm2
    w["K_HS"] = d.halfshaft_stiffness_Nm_per_rad
    j_eq = (
        t.spin_inertia_kgm2
        * d.side_gear_inertia_kgm2
        / (t.spin_inertia_kgm2 + d.side_gear_inertia_kgm2)
    )
    # modal damping c = 2 zeta sqrt(k J_eq) (physics.md §4.1)
    w["C_HS"] = 2.0 * d.halfshaft_damping_ratio * math.sqrt(d.halfshaft_stiffness_Nm_per_rad * j_eq)


DRIVELINE = ParamBlock(
    "driveline",
    (
        ("FRONT_FRAC", 1),
        ("CLOCK_CAP", 1),
        ("FLOCK_CAP", 1),
        ("RLOCK_CAP", 1),
        ("AXLE_EFF", 1),
        ("J_SG", 1),
        ("K_HS", 1),
        ("C_HS", 1),
    ),
    pack_driveline,
)


def pack_fuel(w: SlotWriter, x: PackInputs) -> None:
    """[fuel]: Willans line, enrichment, density, load, tank position (physics.md §2.3-2.4, §9)."""
    f = x.vehicle.fuel
    w["WILLANS_E"] = f.willans_efficiency
    w["FUEL_LHV"] = f.lhv_MJ_per_kg * 1e6
    w["LAMBDA_FULL"] = f.lambda_full_load
    w["ENRICH_START"] = f.enrichment_start_load
    w["FUEL_DENSITY"] = f.density_kg_per_L
    w["FUEL_LOAD_L"] = f.fuel_load_L
    w["TANK_X"] = f.tank_x_from_cg_m - x.sprung_cg_x_m  # tank from the sprung CG


FUEL = ParamBlock(
    "fuel",
    (
        ("WILLANS_E", 1),
        ("FUEL_LHV", 1),
        ("LAMBDA_FULL", 1),
        ("ENRICH_START", 1),
        ("FUEL_DENSITY", 1),
        ("FUEL_LOAD_L", 1),
        ("TANK_X", 1),
    ),
    pack_fuel,
)
