"""Pack a Vehicle + Ambient + Settings + Stage into the kernel's parameter array.

Packing only packs: what is derived from the spec (static loads, preloads, sprung CG,
tyre stiffness at the set pressure, restrictor power cap) comes from
:mod:`raidsim.model.derived`; this module writes it, and the spec's own values, into the
slots of ``layout.PARAM``. ``build_params`` composes one packer per preset table
(``_pack_*``); each writes its slots through a ``_Writer`` (``tests/sim/test_params.py``
checks that together they write every slot).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.derived import (
    Geometry,
    geometry,
    per_wheel,
    restrictor_cap_W,
    tyre_pressures_bar,
    unsprung_masses_kg,
)
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
from raidsim.physics.aero import drag_constant
from raidsim.physics.engine import friction_coefficients
from raidsim.physics.terramechanics import SAND_SPEED_REF_MPS, compaction_table
from raidsim.physics.tyre import rolling_resistance_coefficients
from raidsim.route.stage import TERRAIN_STEP_M, Stage
from raidsim.sim.layout import (
    LAYOUT_HASH,
    N_PARAM,
    N_RC,
    N_TABLE,
    PARAM,
    SURFACES,
)
from raidsim.units import BAR_TO_PA, G_MPS2, KMH_PER_MPS, RPM_TO_RADPS

F64 = NDArray[np.float64]

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
    m_u = unsprung_masses_kg(v)
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
    sus = per_wheel(front, rear)
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
    w["FD"] = gb.final_drive_ratio * gb.transfer_ratio
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
    w["TB_MAX"] = per_wheel(v.brakes.max_torque_front_Nm, v.brakes.max_torque_rear_Nm)
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
    w["MODE"] = 0.0
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
    p_bar = tyre_pressures_bar(v)
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
