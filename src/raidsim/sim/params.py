"""Flatten a Vehicle + Ambient + Settings + Stage into the kernel's float64 arrays.

Derived quantities (static loads, preloads, sprung CG, tyre stiffness at the set
pressure, restrictor power cap, Bekker tables) are computed here, once, in Python.
``build_params`` composes one packer per preset table (``_pack_*``); each writes its
slots of ``layout.PARAM`` through a ``_Writer`` (``tests/sim/test_params.py`` checks that
together they write every slot).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Literal, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from raidsim.control.limits import Limit, binding_limits
from raidsim.control.speed_profile import target_speed_profile
from raidsim.model.ambient import Ambient
from raidsim.model.flight_mode import FlightModeSpec
from raidsim.model.settings import DriverSpec, LostControlSpec, Settings
from raidsim.model.surfaces import SURFACE_TABLE
from raidsim.model.vehicle import (
    AeroSpec,
    BrakeThermalSpec,
    ConverterSpec,
    CoolingSpec,
    DrivelineSpec,
    EngineSpec,
    FuelSpec,
    GearboxSpec,
    SuspensionAxleSpec,
    TyreSpec,
    Vehicle,
)
from raidsim.physics import restrictor
from raidsim.physics.aero import drag_constant
from raidsim.physics.engine import friction_coefficients
from raidsim.physics.terramechanics import SAND_SPEED_REF_MPS, compaction_table
from raidsim.physics.tyre import load_scaled, rolling_resistance_coefficients
from raidsim.route.stage import TERRAIN_STEP_M, Stage
from raidsim.sim.layout import (
    LAYOUT_HASH,
    MODE_DRIVER,
    N_PARAM,
    N_RC,
    N_STATE,
    N_TABLE,
    PARAM,
    ROUTE_ARRAYS,
    STATE,
    SURFACES,
)
from raidsim.units import BAR_TO_PA, G_MPS2, KMH_PER_MPS, RPM_TO_RADPS

F64 = NDArray[np.float64]
_T = TypeVar("_T")

#: per-wheel axle names, in ``layout.WHEELS`` order (fl, fr, rl, rr)
_AXLE: tuple[Literal["front", "rear"], ...] = ("front", "front", "rear", "rear")
#: J per kWh (brake-specific fuel consumption g/kWh -> kg/J)
_J_PER_KWH = 3.6e6


def _slot_sizes() -> dict[str, int]:
    names = list(PARAM)
    ends = [PARAM[n] for n in names[1:]] + [N_PARAM]
    return {n: end - PARAM[n] for n, end in zip(names, ends, strict=True)}


#: number of float64 slots of each parameter
_SLOTS: dict[str, int] = _slot_sizes()


class _Writer:
    """The parameter array, written by name at the ``layout.PARAM`` offsets; slots no
    packer writes keep ``fill`` (0; the tests fill NaN to find them)."""

    def __init__(self, fill: float = 0.0) -> None:
        self.p = np.full(N_PARAM, fill, dtype=np.float64)

    def __setitem__(self, name: str, value: float | list[float] | F64) -> None:
        off = PARAM[name]
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if len(arr) > _SLOTS[name]:
            raise ValueError(f"parameter {name} has {_SLOTS[name]} slots, got {len(arr)}")
        self.p[off : off + len(arr)] = arr


def _per_wheel(front: _T, rear: _T) -> list[_T]:
    """A front and a rear value, per wheel (fl, fr, rl, rr)."""
    return [front] * 2 + [rear] * 2


@dataclass(frozen=True)
class Geometry:
    """Static geometry derived from the spec (sprung-CG frame)."""

    hub_x_m: F64
    hub_y_m: F64
    hub_z_m: F64  # hub height relative to sprung CG at ride height (negative)
    sprung_cg_height_m: float
    static_tyre_load_N: F64
    static_spring_force_N: F64
    tyre_stiffness_N_per_m: F64
    loaded_radius_m: F64


def _unsprung_masses(v: Vehicle) -> F64:
    return np.array(
        _per_wheel(v.suspension_front.unsprung_mass_kg, v.suspension_rear.unsprung_mass_kg)
    )


def _tyre_pressures_bar(v: Vehicle) -> F64:
    return np.array(_per_wheel(v.tyre_pressure_front_bar, v.tyre_pressure_rear_bar))


def geometry(v: Vehicle) -> Geometry:
    c = v.chassis
    m = v.total_mass_kg
    a = c.cg_to_front_axle_m
    b = c.wheelbase_m - a
    mu = _unsprung_masses(v)
    x_total = np.array([a, a, -b, -b])
    y = np.array(
        [c.track_front_m / 2, -c.track_front_m / 2, c.track_rear_m / 2, -c.track_rear_m / 2]
    )
    axle_front = m * G_MPS2 * b / c.wheelbase_m
    axle_rear = m * G_MPS2 * a / c.wheelbase_m
    tyre_load = np.array(_per_wheel(axle_front / 2, axle_rear / 2))
    p_ref = v.tyre.reference_pressure_bar * BAR_TO_PA
    pc = v.tyre.carcass_pressure_kPa * 1000.0
    pressures = _tyre_pressures_bar(v) * BAR_TO_PA
    # tyre vertical stiffness ~ (p_i + p_c) (physics.md §5.2: roughly linear in pressure)
    kz = v.tyre.vertical_stiffness_N_per_m * (pressures + pc) / (p_ref + pc)
    loaded_r = v.tyre.unloaded_radius_m - tyre_load / kz
    m_s = v.sprung_mass_kg
    x_s = float(-(mu * x_total).sum() / m_s)  # sprung CG x relative to the total CG
    h_s = float((c.cg_height_m * m - (mu * loaded_r).sum()) / m_s)
    return Geometry(
        hub_x_m=x_total - x_s,
        hub_y_m=y,
        hub_z_m=loaded_r - h_s,
        sprung_cg_height_m=h_s,
        static_tyre_load_N=tyre_load,
        static_spring_force_N=tyre_load - mu * G_MPS2,
        tyre_stiffness_N_per_m=kz,
        loaded_radius_m=loaded_r,
    )


def restrictor_cap_W(v: Vehicle, ambient: Ambient) -> float:
    r = v.restrictor
    if r.model == "none":
        return math.inf
    return restrictor.power_cap_W(
        r.diameter_mm / 1000.0,
        r.count,
        r.discharge_coefficient,
        r.choke_fraction,
        r.afr_full_load,
        r.bsfc_full_load_g_per_kWh,
        ambient.p_Pa,
        ambient.temp_K + r.intake_temp_rise_K,
    )


def tyre_lateral_mu(v: Vehicle) -> float:
    """Peak lateral friction at nominal load on hard ground: the cornering limit the
    driver's speed plan scales by surface and grip usage (lower than the longitudinal
    peak for this tyre set, and closer to what a 3 t car with a high CG can use)."""
    t = v.tyre
    return load_scaled(1.0, t.fym_N[0], t.fym_N[1]) / t.nominal_load_N


def tyre_peak_mu(v: Vehicle) -> float:
    """Peak longitudinal friction at nominal load on hard ground."""
    t = v.tyre
    return load_scaled(1.0, t.fxm_N[0], t.fxm_N[1]) / t.nominal_load_N


# ----------------------------------------------------------------------------- packers


def _pack_timing(w: _Writer, settings: Settings) -> None:
    """Settings: layout check, vehicle, sample, controller and thermal steps (physics.md §10.1)."""
    w["LAYOUT_HASH"] = LAYOUT_HASH
    w["DT"] = settings.dt_s
    w["G"] = G_MPS2
    w["SAMPLE_EVERY"] = max(1, int(round(1.0 / (settings.sample_rate_hz * settings.dt_s))))
    w["CTRL_DT"] = settings.controller_dt_s
    w["TH_DT"] = settings.thermal_dt_s


def _pack_body(w: _Writer, v: Vehicle, geo: Geometry) -> None:
    """[chassis] + unsprung masses: masses, inertias, hub positions (physics.md §9, §6.1)."""
    c = v.chassis
    m_u = _unsprung_masses(v)
    w["M_TOTAL"] = v.total_mass_kg
    w["M_SPRUNG"] = v.sprung_mass_kg
    w["IXX"] = c.roll_inertia_kgm2
    w["IYY"] = c.pitch_inertia_kgm2
    # unsprung masses follow the body in yaw: add their m r^2
    w["IZZ"] = c.yaw_inertia_kgm2 + float((m_u * (geo.hub_x_m**2 + geo.hub_y_m**2)).sum())
    w["CX"] = geo.hub_x_m
    w["CY"] = geo.hub_y_m
    w["CZ"] = geo.hub_z_m
    w["M_U"] = m_u


def _pack_suspension(
    w: _Writer, front: SuspensionAxleSpec, rear: SuspensionAxleSpec, geo: Geometry
) -> None:
    """[suspension_front], [suspension_rear]: springs, dampers, stops (physics.md §6.1)."""
    sus = _per_wheel(front, rear)
    clicks = np.array([1.0 + 0.05 * s.damper_clicks for s in sus])  # estimate: +5 % per click
    w["K_S"] = [s.spring_rate_N_per_m for s in sus]
    w["PRELOAD"] = geo.static_spring_force_N
    w["C_COMP"] = np.array([s.damper_compression_Ns_per_m for s in sus]) * clicks
    w["C_REB"] = np.array([s.damper_rebound_Ns_per_m for s in sus]) * clicks
    w["D_DIG"] = [s.damper_digressivity_s_per_m for s in sus]
    w["BUMP"] = [s.bump_travel_m for s in sus]
    w["DROOP"] = [s.droop_travel_m for s in sus]
    w["ENDZ_START"] = [s.bump_travel_m * (1.0 - s.damper_end_zone_fraction) for s in sus]
    w["ENDZ_MULT"] = [s.damper_end_zone_multiplier for s in sus]
    w["BS_LEN"] = [s.bump_stop_length_m for s in sus]
    w["BS_F"] = [s.bump_stop_force_full_N for s in sus]
    w["BS_P"] = [s.bump_stop_exponent for s in sus]
    w["BS_C"] = [s.bump_stop_damping_Ns_per_m for s in sus]
    w["DROOP_K"] = [s.droop_stop_rate_N_per_m for s in sus]


def _pack_tyre(w: _Writer, t: TyreSpec, p_bar: F64, geo: Geometry) -> None:
    """[tyre] + pressures: TMeasy, vertical stiffness, rolling resistance (physics.md §5.1-5.2)."""
    w["R0"] = t.unloaded_radius_m
    w["TYRE_W"] = t.width_m
    w["TYRE_H"] = t.section_height_m
    w["J_W"] = t.spin_inertia_kgm2
    w["KZ_T"] = geo.tyre_stiffness_N_per_m
    w["CZ_T"] = t.vertical_damping_Ns_per_m
    w["FZ_NOM"] = t.nominal_load_N
    for key in ("dfx0", "fxm", "fxs", "dfy0", "fym", "fys"):
        w[key.upper()] = getattr(t, f"{key}_N")
    for key in ("sxm", "sxs", "sym", "sys"):
        w[key.upper()] = getattr(t, key)
    w["V_N"] = t.rolling_speed_regulariser_mps
    # hard-road rolling resistance f = a + b v^2 at each wheel's pressure [S68]
    rr = [rolling_resistance_coefficients(float(p)) for p in p_bar]
    w["RR_A"] = [a for a, _ in rr]
    w["RR_B"] = [b for _, b in rr]


def _pack_surfaces(w: _Writer, t: TyreSpec, p_bar: F64) -> None:
    """Surface table (model.surfaces) + per-wheel Bekker R_c(W) tables and the WES sand
    gradient (physics.md §5.1, §5.3, §5.4)."""
    surf = [SURFACE_TABLE[s] for s in SURFACES]
    w["SURF_MU"] = [s.mu_scale for s in surf]
    w["SURF_RR"] = [s.rolling_scale for s in surf]
    w["SURF_SM"] = [s.slip_peak_scale for s in surf]
    w["SURF_FS"] = [s.sliding_ratio for s in surf]
    w["SURF_SOFT"] = [1.0 if s.soil is not None else 0.0 for s in surf]
    w["SURF_SAND_G"] = [s.soil.sand_gradient_Pa_per_m if s.soil else 0.0 for s in surf]
    w_max = 4.0 * t.nominal_load_N
    loads = np.linspace(0.0, w_max, N_RC)
    table = np.zeros((len(SURFACES), 4, N_RC))
    pc = t.carcass_pressure_kPa * 1000.0
    for k, s in enumerate(surf):
        if s.soil is None:
            continue
        for i in range(4):
            table[k, i] = compaction_table(
                s.soil, loads, 2.0 * t.unloaded_radius_m, t.width_m, p_bar[i] * BAR_TO_PA, pc
            )
    w["RC_WMAX"] = w_max
    w["RC_TABLE"] = table.ravel()
    w["SAND_SPEED_REF"] = SAND_SPEED_REF_MPS


def _pack_aero(w: _Writer, aero: AeroSpec, ambient: Ambient) -> None:
    """[aero] + Ambient: drag and lift constants, headwind (physics.md §9.1)."""
    w["AERO_K"] = drag_constant(ambient.air_density_kg_per_m3, aero.drag_area_m2)
    w["LIFT_K"] = drag_constant(ambient.air_density_kg_per_m3, aero.lift_area_m2)
    w["HEADWIND"] = ambient.headwind_mps


def _pack_ambient(w: _Writer, ambient: Ambient) -> None:
    """Ambient: air temperature, density, pressure for the thermal models (physics.md §1.2, §7)."""
    w["T_AIR"] = ambient.temp_C
    w["RHO_AIR"] = ambient.air_density_kg_per_m3
    w["P_AMB"] = ambient.p_Pa


def _pack_engine(w: _Writer, e: EngineSpec, cap_W: float) -> None:
    """[engine] + [restrictor] cap: torque curve, friction, turbo lag (physics.md §1, §2.1-2.2)."""
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
    w["P_CAP"] = cap_W


def _pack_converter(w: _Writer, cv: ConverterSpec) -> None:
    """[converter]: K-factor and torque-ratio tables, lock-up (physics.md §3.2)."""
    w["TC_N"] = len(cv.speed_ratio)
    w["TC_SR"] = cv.speed_ratio
    w["TC_K"] = cv.capacity_factor_radps_per_sqrtNm
    w["TC_TR"] = cv.torque_ratio
    w["LU_CAP"] = cv.lockup_capacity_Nm
    w["LU_MIN_GEAR"] = cv.lockup_min_gear
    w["LU_MIN_V"] = cv.lockup_min_speed_kmh / KMH_PER_MPS
    w["J_T"] = cv.turbine_inertia_kgm2


def _pack_gearbox(w: _Writer, gb: GearboxSpec) -> None:
    """[gearbox]: ratios, efficiencies, shift schedule (physics.md §3.1, §3.3)."""
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


def _pack_driveline(w: _Writer, d: DrivelineSpec, gb: GearboxSpec, t: TyreSpec) -> None:
    """[driveline]: torque split, diff locks, halfshaft stiffness and damping (physics.md §4.1)."""
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


def _pack_steering_brakes_limiter(w: _Writer, v: Vehicle) -> None:
    """[steering], [brakes], [limiter] + wheelbase, track (physics.md §6.3, §8.1, §2.1)."""
    w["MAX_STEER"] = math.radians(v.steering.max_road_wheel_angle_deg)
    w["MAX_STEER_RATE"] = math.radians(v.steering.max_rate_deg_per_s)
    w["WHEELBASE"] = v.chassis.wheelbase_m
    w["TRACK_F"] = v.chassis.track_front_m
    w["TB_MAX"] = _per_wheel(v.brakes.max_torque_front_Nm, v.brakes.max_torque_rear_Nm)
    w["ABS_SLIP"] = v.brakes.abs_slip_limit or 0.0
    lim = v.limiter.speed_limit_kmh
    w["V_LIM"] = lim / KMH_PER_MPS if lim is not None else 1e9
    w["V_BAND"] = v.limiter.band_kmh / KMH_PER_MPS


def _pack_driver(w: _Writer, dr: DriverSpec) -> None:
    """Settings [driver]: Stanley steering, speed PI, preview, brake gain (physics.md §11)."""
    w["DRV_HEADING_PREVIEW"] = dr.heading_preview_s
    w["DRV_STANLEY_K"] = dr.stanley_gain
    w["DRV_KP"] = dr.speed_kp_per_mps
    w["DRV_KI"] = dr.speed_ki_per_m
    w["DRV_PREVIEW_T"] = dr.preview_time_s
    w["DRV_BRAKE_GAIN"] = dr.brake_gain
    w["PACE_TOL"] = dr.offline_tolerance_m
    w["PACE_GAIN"] = dr.offline_slowdown_per_m
    w["PACE_MIN"] = dr.min_pace
    w["PACE_RECOVERY"] = dr.pace_recovery_per_s
    w["PACE_LANDING_G"] = dr.hard_landing_g
    w["PACE_LANDING"] = dr.hard_landing_pace
    w["PACE_SLIDE_BETA"] = math.radians(dr.slide_angle_deg)
    w["PACE_SLIDE"] = dr.slide_pace
    w["PACE_LANDING_AIR_T"] = dr.hard_landing_air_s


def _pack_lost_control(w: _Writer, lc: LostControlSpec) -> None:
    """Settings [lost_control]: when the run stops as out of control (docs/design.md
    "Edges")."""
    w["LC_MAX_OFFSET"] = lc.max_offset_m
    w["LC_MAX_HEADING"] = math.radians(lc.max_heading_error_deg)
    w["LC_HEADING_T"] = lc.heading_error_time_s
    w["LC_PROGRESS_T"] = lc.progress_window_s
    w["LC_MIN_PROGRESS"] = lc.min_progress_m


def _pack_cooling(w: _Writer, cl: CoolingSpec) -> None:
    """[cooling]: radiator, fans, coolant loop, thermostat, oil, derates (physics.md §7.1)."""
    w["CL_FRAC_FULL"] = cl.coolant_fraction_full_load
    w["CL_FRAC_PART"] = cl.coolant_fraction_part_load
    w["CL_UA_REF"] = cl.radiator_ua_ref_W_per_K
    w["CL_V_REF"] = cl.radiator_ref_face_velocity_mps
    w["CL_UA_EXP"] = cl.radiator_ua_exponent
    w["CL_FACE_A"] = cl.radiator_face_area_m2
    w["CL_K_SYS0"] = cl.radiator_k + cl.ducting_k
    w["CL_C_RAM"] = cl.ram_pressure_coefficient
    w["CL_N_FANS"] = cl.n_fans
    w["CL_FAN_DP0"] = cl.fan_dp0_Pa
    w["CL_FAN_Q0"] = cl.fan_q0_m3s
    w["CL_FAN_W"] = cl.fan_power_W
    w["CL_FAN_LOW"] = cl.fan_duty_low
    w["CL_FAN_ON"] = cl.fan_on_C
    w["CL_FAN_FULL"] = cl.fan_full_C
    w["CL_ALT_EFF"] = cl.alternator_efficiency
    w["CL_PUMP"] = cl.coolant_pump_flow_kg_s
    w["CL_CP"] = cl.coolant_cp_J_per_kgK
    w["CL_TH_OPEN"] = cl.thermostat_open_C
    w["CL_TH_FULL"] = cl.thermostat_full_C
    w["CL_TH_MIN"] = cl.thermostat_min_opening
    w["CL_C_ENG"] = cl.engine_heat_capacity_J_per_K
    w["CL_C_OIL"] = cl.oil_heat_capacity_J_per_K
    w["CL_G_LOSS"] = cl.engine_loss_W_per_K
    w["CL_G_OC"] = cl.oil_coolant_W_per_K
    w["CL_G_OA"] = cl.oil_ambient_W_per_K
    w["CL_DER_C"] = cl.coolant_derate_C
    w["CL_MAX_C"] = cl.coolant_max_C
    w["CL_DER_OIL"] = cl.oil_derate_C
    w["CL_MAX_OIL"] = cl.oil_max_C
    w["CL_FLOOR"] = cl.derate_floor


def _pack_filters(w: _Writer, v: Vehicle, ambient: Ambient, cap_W: float) -> None:
    """[cooling] sand filters + [restrictor]: filter loading, intake air flow (physics.md §7.1)."""
    cl = v.cooling
    w["CL_FK_CLEAN"] = cl.filter_k_clean
    w["CL_FK_PER"] = cl.filter_k_per_loading
    w["CL_IF_AREA"] = cl.intake_filter_area_m2
    w["CL_IF_K0"] = cl.intake_filter_k_clean
    w["CL_IF_KPER"] = cl.intake_filter_k_per_loading
    w["CL_LOAD_PER_KM"] = [cl.filter_loading_per_km[s] for s in SURFACES]
    # intake air volume flow at the restrictor cap (for the intake filter drop)
    r = v.restrictor
    mdot_air = (
        0.0
        if math.isinf(cap_W)
        else cap_W * r.afr_full_load * (r.bsfc_full_load_g_per_kWh / 1000.0 / _J_PER_KWH)
    )
    w["P_CAP_FLOW"] = mdot_air / ambient.air_density_kg_per_m3


def _pack_brake_thermal(w: _Writer, bt: BrakeThermalSpec) -> None:
    """[brake_thermal]: disc masses and geometry, vane convection, pad mu(T) (physics.md §8.1)."""
    w["BR_MASS"] = [getattr(bt, f"disc_mass_{a}_kg") for a in _AXLE]
    w["BR_DO"] = [getattr(bt, f"disc_diameter_{a}_m") for a in _AXLE]
    w["BR_DI"] = [getattr(bt, f"ring_inner_diameter_{a}_m") for a in _AXLE]
    w["BR_FACE_A"] = [bt.face_area_m2(a) for a in _AXLE]
    w["BR_VANE_A"] = [bt.face_area_m2(a) * bt.vane_area_ratio for a in _AXLE]
    w["BR_VANE_L"] = [bt.vane_length_m(a) for a in _AXLE]
    w["BR_DH"] = bt.vane_hydraulic_diameter_m
    w["BR_PUMP"] = bt.vane_pump_coeff
    w["BR_CP"] = bt.disc_cp_J_per_kgK
    w["BR_EMIS"] = bt.disc_emissivity
    w["BR_PART"] = bt.heat_partition
    w["BR_MU_N"] = len(bt.pad_mu)
    w["BR_MU_T"] = bt.pad_mu_temp_C
    w["BR_MU"] = bt.pad_mu
    w["BR_MU_NOM"] = bt.pad_mu_nominal


def _pack_fuel(w: _Writer, f: FuelSpec, sprung_cg_x_m: float) -> None:
    """[fuel]: Willans line, enrichment, density, load, tank position (physics.md §2.3-2.4, §9)."""
    w["WILLANS_E"] = f.willans_efficiency
    w["FUEL_LHV"] = f.lhv_MJ_per_kg * 1e6
    w["LAMBDA_FULL"] = f.lambda_full_load
    w["ENRICH_START"] = f.enrichment_start_load
    w["FUEL_DENSITY"] = f.density_kg_per_L
    w["FUEL_LOAD_L"] = f.fuel_load_L
    w["TANK_X"] = f.tank_x_from_cg_m - sprung_cg_x_m  # tank from the sprung CG


def _pack_flight_mode(w: _Writer, fm: FlightModeSpec) -> None:
    """[flight_mode]: airborne detection votes, torque strategy, exit (physics.md §4.4)."""
    w["FM_ENABLED"] = 1.0 if fm.enabled else 0.0
    w["FM_IMU_G"] = fm.imu_threshold_g
    w["FM_IMU_TMIN"] = fm.imu_min_time_s
    w["FM_IMU_FC"] = fm.imu_filter_hz
    w["FM_DROOP_MARGIN"] = fm.droop_margin_m
    w["FM_DROOP_WHEELS"] = fm.droop_wheels
    w["FM_LOAD_FRAC"] = fm.load_fraction
    w["FM_FLARE_FRAC"] = fm.flare_fraction
    w["FM_ROAD_FRAC"] = fm.road_torque_fraction
    w["FM_FREE_WHEELS"] = fm.free_wheels
    w["FM_FREE_TMIN"] = fm.free_min_time_s
    w["FM_VOTES"] = fm.votes_to_enter
    w["FM_EXIT_LOAD_FRAC"] = fm.exit_load_fraction
    w["FM_EXIT_AZ_G"] = fm.exit_vertical_g
    w["FM_EXIT_WHEELS"] = fm.exit_wheels
    w["FM_MATCH"] = 1.0 if fm.wheel_speed_matching else 0.0
    w["FM_OPEN_LU"] = 1.0 if fm.open_lockup else 0.0
    w["FM_HOLD_GEAR"] = 1.0 if fm.hold_gear else 0.0
    w["FM_RELEASE_CLOCK"] = 1.0 if fm.release_centre_lock else 0.0
    w["FM_RAMP_S"] = fm.ramp_in_s
    w["FM_MATCH_GAIN"] = fm.matching_gain_Nm_per_mps
    w["FM_SLIP_TARGET"] = fm.slip_target


def _pack_run(w: _Writer, settings: Settings, stage: Stage) -> None:
    """Settings + Stage: mode, stage end, time limit, terrain step, rock seed (physics.md §10.1)."""
    w["MODE"] = float(MODE_DRIVER)
    w["STAGE_END"] = stage.length_m - 1.0
    w["MAX_TIME"] = settings.max_time_s if settings.max_time_s else 0.12 * stage.length_m + 120.0
    w["TERRAIN_DS"] = TERRAIN_STEP_M
    w["ROCK_SEED"] = float(stage.definition.seed % 1_000_003)


def _pack_launch(w: _Writer, e: EngineSpec) -> None:
    """[engine] launch control: launch-mode torque over the production peak, the peak
    power that caps it, the slip target (physics.md §2.1); ratio 0 = no launch control."""
    rpm = np.asarray(e.torque_curve_rpm)
    torque = np.asarray(e.torque_curve_Nm)
    if e.launch_torque_Nm is None:
        w["LAUNCH_T_RATIO"] = 0.0
    else:
        w["LAUNCH_T_RATIO"] = e.launch_torque_Nm / float(torque.max())
    w["LAUNCH_P"] = float((torque * rpm * RPM_TO_RADPS).max())
    w["LAUNCH_SLIP"] = e.launch_slip_target


def build_params(
    v: Vehicle, ambient: Ambient, settings: Settings, stage: Stage, *, fill: float = 0.0
) -> F64:
    """The kernel's parameter array (``layout.PARAM``); ``fill`` goes to slots no packer
    writes (the unused tails of the engine, converter, gear and pad-mu tables)."""
    geo = geometry(v)
    cap_W = restrictor_cap_W(v, ambient)
    p_bar = _tyre_pressures_bar(v)
    # the sprung CG's x from the total CG (hub_x[0] is the front axle from the sprung CG)
    sprung_cg_x = float(-geo.hub_x_m[0] + v.chassis.cg_to_front_axle_m)
    w = _Writer(fill)
    _pack_timing(w, settings)
    _pack_body(w, v, geo)
    _pack_suspension(w, v.suspension_front, v.suspension_rear, geo)
    _pack_tyre(w, v.tyre, p_bar, geo)
    _pack_surfaces(w, v.tyre, p_bar)
    _pack_aero(w, v.aero, ambient)
    _pack_ambient(w, ambient)
    _pack_engine(w, v.engine, cap_W)
    _pack_converter(w, v.converter)
    _pack_gearbox(w, v.gearbox)
    _pack_driveline(w, v.driveline, v.gearbox, v.tyre)
    _pack_steering_brakes_limiter(w, v)
    _pack_driver(w, settings.driver)
    _pack_lost_control(w, settings.lost_control)
    _pack_cooling(w, v.cooling)
    _pack_filters(w, v, ambient, cap_W)
    _pack_brake_thermal(w, v.brake_thermal)
    _pack_fuel(w, v.fuel, sprung_cg_x)
    _pack_flight_mode(w, v.flight_mode)
    _pack_run(w, settings, stage)
    _pack_launch(w, v.engine)
    return w.p


class TerrainLike(Protocol):
    """What the plan needs of the ground's limits (:class:`raidsim.sim.ride.limits.
    TerrainLimits`)."""

    @property
    def limit_mps(self) -> F64: ...

    @property
    def shock_mps(self) -> F64: ...

    @property
    def crest_mps(self) -> F64: ...

    def grip_factor(self, speed_mps: F64) -> F64: ...


@dataclass(frozen=True)
class RouteArrays:
    """Contiguous float64 route arrays passed to the kernel."""

    x: F64
    y: F64
    z: F64
    surface: F64
    target_speed: F64
    feature_height: F64
    cross_slope: F64
    rock: F64
    rough_left: F64
    rough_right: F64
    #: per metre, the :class:`~raidsim.control.limits.Limit` code of the plan's binding term
    limit_code: NDArray[np.int8] | None = None

    def as_tuple(self) -> tuple[F64, ...]:
        """The arrays in the kernel's order (``layout.ROUTE_ARRAYS``)."""
        return tuple(getattr(self, name) for name in ROUTE_ARRAYS)


#: passes of the plan with the speed-dependent grip factor (damped fixed point, >= 2)
GRIP_PASSES = 3


def vehicle_limit_mps(v: Vehicle) -> float:
    """The vehicle's own speed limiter, m/s (400 km/h where it has none)."""
    return (v.limiter.speed_limit_kmh or 400.0) / KMH_PER_MPS


def build_route_arrays(
    v: Vehicle,
    settings: Settings,
    stage: Stage,
    terrain: TerrainLike | None = None,
    plan_speed_mps: float | None = None,
) -> RouteArrays:
    """The kernel's route arrays. The driver's plan: :func:`target_speed_profile` with the
    ride/shock limit and the rough-ground grip of ``terrain``
    (:class:`raidsim.sim.ride.limits.TerrainLimits`; none when omitted), or the constant
    set speed ``plan_speed_mps`` (the speed-table sweeps).

    The grip factor depends on the speed, the speed on the grip: the plan is solved as a
    damped fixed point over :data:`GRIP_PASSES` passes (grip evaluated along the last
    plan, averaged with the previous factor)."""
    cl = stage.centreline
    if abs(cl.step_m - 1.0) > 1e-9:
        raise ValueError(f"stage centre line must be at 1 m spacing, got {cl.step_m}")
    # the driver plans to the limiter's speed and lets the limiter govern it
    v_lim = vehicle_limit_mps(v)
    # every term of the plan by the limit it stands for (raidsim.control.limits)
    terms: dict[Limit, F64] = {}
    if plan_speed_mps is not None:
        vt = np.full(len(cl.s_m), min(plan_speed_mps, v_lim))
    else:
        # the roadbook's feature speeds (jump take-offs) at the crew's pace over them
        features_mps = stage.feature_speed_cap_mps * settings.driver.feature_speed_scale
        limit = np.minimum(stage.speed_limit_mps, features_mps)
        terms[Limit.ZONE] = stage.speed_limit_mps
        terms[Limit.FEATURE] = features_mps
        if terrain is not None:
            limit = np.minimum(limit, terrain.limit_mps)
            terms[Limit.CREST] = terrain.crest_mps
            terms[Limit.SHOCK] = terrain.shock_mps
            terms[Limit.RIDE] = terrain.limit_mps
        plan = partial(
            target_speed_profile,
            cl.curvature_1pm,
            stage.surface_code,
            limit,
            cl.step_m,
            settings.driver,
            tyre_lateral_mu(v),
            v_lim,
            terms=terms,
        )
        vt = plan()
        if terrain is not None:
            grip = terrain.grip_factor(vt)
            vt = plan(grip)
            for _ in range(GRIP_PASSES - 2):
                grip = 0.5 * (grip + terrain.grip_factor(vt))
                vt = plan(grip)
    f = np.ascontiguousarray
    return RouteArrays(
        x=f(cl.x_m, dtype=np.float64),
        y=f(cl.y_m, dtype=np.float64),
        z=f(cl.z_m, dtype=np.float64),
        surface=f(stage.surface_code, dtype=np.float64),
        target_speed=f(vt, dtype=np.float64),
        feature_height=f(stage.feature_height_m, dtype=np.float64),
        cross_slope=f(stage.cross_slope, dtype=np.float64),
        rock=f(stage.rock_amplitude_m, dtype=np.float64),
        rough_left=f(stage.rough_left_m, dtype=np.float64),
        rough_right=f(stage.rough_right_m, dtype=np.float64),
        limit_code=binding_limits(vt, terms),
    )


def initial_state(v: Vehicle, stage: Stage, params: F64, speed_mps: float = 0.0) -> F64:
    """Car at the start line, on the route heading, at static ride height (level)."""
    geo = geometry(v)
    s = np.zeros(N_STATE, dtype=np.float64)
    cl = stage.centreline
    heading = float(cl.heading_rad[0])
    ground = float(stage.height_at(np.array([0.0]))[0])
    s[STATE["X"]] = cl.x_m[0]
    s[STATE["Y"]] = cl.y_m[0]
    s[STATE["Z"]] = ground + geo.sprung_cg_height_m
    s[STATE["PSI"]] = heading
    s[STATE["VX"]] = speed_mps * math.cos(heading)
    s[STATE["VY"]] = speed_mps * math.sin(heading)
    zu = STATE["ZU"]
    s[zu : zu + 4] = ground + geo.loaded_radius_m
    r_dyn = v.tyre.unloaded_radius_m
    om = STATE["OMEGA"]
    s[om : om + 4] = speed_mps / r_dyn
    sg = STATE["OMEGA_SG"]
    s[sg : sg + 4] = speed_mps / r_dyn
    # a gear that suits the initial speed (below 85 % of the full-throttle upshift)
    gb = v.gearbox
    gear = 1
    wheel_w = speed_mps / r_dyn
    for k, ratio in enumerate(gb.ratios):
        w_t = wheel_w * ratio * gb.final_drive_ratio * gb.transfer_ratio
        gear = k + 1
        if w_t / RPM_TO_RADPS < 0.85 * gb.upshift_rpm_full:
            break
    s[STATE["GEAR"]] = float(gear)
    w_turb = wheel_w * gb.ratios[gear - 1] * gb.final_drive_ratio * gb.transfer_ratio
    s[STATE["OMEGA_T"]] = w_turb
    s[STATE["OMEGA_E"]] = max(v.engine.idle_rpm * RPM_TO_RADPS, w_turb)
    s[STATE["FIRST_STEP"]] = 1.0
    s[STATE["TIME_IN_GEAR"]] = 10.0
    # warm engine at the start line (thermostat opening), discs and oil above ambient
    s[STATE["T_COOLANT"]] = v.cooling.thermostat_open_C
    s[STATE["T_OIL"]] = v.cooling.thermostat_open_C - 10.0
    t_air = float(params[PARAM["T_AIR"]])
    s[STATE["T_DISC"] : STATE["T_DISC"] + 4] = t_air + 20.0
    s[STATE["FAN_DUTY"]] = v.cooling.fan_duty_low
    s[STATE["DERATE"]] = 1.0
    s[STATE["CAP_FACTOR"]] = 1.0
    bt = v.brake_thermal
    mu0 = float(np.interp(t_air + 20.0, bt.pad_mu_temp_C, bt.pad_mu))
    s[STATE["MU_PAD"] : STATE["MU_PAD"] + 4] = mu0
    # mass properties at the start line; the thermal step moves them as fuel burns
    for name, size in (("M_TOTAL", 1), ("M_SPRUNG", 1), ("IYY", 1), ("IZZ", 1), ("CX", 4)):
        s[STATE[name] : STATE[name] + size] = params[PARAM[name] : PARAM[name] + size]
    s[STATE["TANK_X"]] = params[PARAM["TANK_X"]]
    s[STATE["CREW_PACE"]] = 1.0
    return s
