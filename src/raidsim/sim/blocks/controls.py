"""The controllers' blocks: steering, brakes and limiter ([steering], [brakes], [limiter]),
the driver (Settings [driver]), the lost-control supervisor (Settings [lost_control]) and
Flight Mode ([flight_mode])."""

from __future__ import annotations

import math

from raidsim.model.derived import per_wheel
from raidsim.sim.blocks.base import PackInputs, ParamBlock, SlotWriter
from raidsim.units import KMH_PER_MPS


def pack_chassis_controls(w: SlotWriter, x: PackInputs) -> None:
    """[steering], [brakes], [limiter] + wheelbase, track (physics.md §6.3, §8.1, §2.1)."""
    v = x.vehicle
    w["MAX_STEER"] = math.radians(v.steering.max_road_wheel_angle_deg)
    w["MAX_STEER_RATE"] = math.radians(v.steering.max_rate_deg_per_s)
    w["WHEELBASE"] = v.chassis.wheelbase_m
    w["TRACK_F"] = v.chassis.track_front_m
    w["TB_MAX"] = per_wheel(v.brakes.max_torque_front_Nm, v.brakes.max_torque_rear_Nm)
    w["ABS_SLIP"] = v.brakes.abs_slip_limit or 0.0
    w["ABS_RELEASE"] = v.brakes.abs_release_slip
    lim = v.limiter.speed_limit_kmh
    w["V_LIM"] = lim / KMH_PER_MPS if lim is not None else 1e9
    w["V_BAND"] = v.limiter.band_kmh / KMH_PER_MPS


CHASSIS_CONTROLS = ParamBlock(
    "chassis_controls",
    (
        ("MAX_STEER", 1),
        ("MAX_STEER_RATE", 1),
        ("WHEELBASE", 1),
        ("TRACK_F", 1),
        ("TB_MAX", 4),
        ("ABS_SLIP", 1),
        ("ABS_RELEASE", 1),  # slip past ABS_SLIP at which the brake is fully released
        ("V_LIM", 1),
        ("V_BAND", 1),
    ),
    pack_chassis_controls,
)


def pack_driver(w: SlotWriter, x: PackInputs) -> None:
    """Settings [driver]: Stanley steering, speed PI, preview, brake gain (physics.md §11)."""
    dr = x.settings.driver
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
    w["DRV_AIR_LIFT_T"] = dr.airborne_lift_s


DRIVER = ParamBlock(
    "driver",
    (
        ("DRV_HEADING_PREVIEW", 1),
        ("DRV_STANLEY_K", 1),
        ("DRV_KP", 1),
        ("DRV_KI", 1),
        ("DRV_PREVIEW_T", 1),
        ("DRV_BRAKE_GAIN", 1),
        ("PACE_TOL", 1),
        ("PACE_GAIN", 1),
        ("PACE_MIN", 1),
        ("PACE_RECOVERY", 1),
        ("PACE_LANDING_G", 1),
        ("PACE_LANDING", 1),
        ("PACE_SLIDE_BETA", 1),
        ("PACE_SLIDE", 1),
        ("PACE_LANDING_AIR_T", 1),
        ("DRV_AIR_LIFT_T", 1),  # time airborne before the crew lifts, s
    ),
    pack_driver,
)


def pack_lost_control(w: SlotWriter, x: PackInputs) -> None:
    """Settings [lost_control]: when the run stops as out of control (docs/design.md
    "Edges")."""
    lc = x.settings.lost_control
    w["LC_MAX_OFFSET"] = lc.max_offset_m
    w["LC_MAX_HEADING"] = math.radians(lc.max_heading_error_deg)
    w["LC_HEADING_T"] = lc.heading_error_time_s
    w["LC_PROGRESS_T"] = lc.progress_window_s
    w["LC_MIN_PROGRESS"] = lc.min_progress_m


LOST_CONTROL = ParamBlock(
    "lost_control",
    (
        ("LC_MAX_OFFSET", 1),
        ("LC_MAX_HEADING", 1),
        ("LC_HEADING_T", 1),
        ("LC_PROGRESS_T", 1),
        ("LC_MIN_PROGRESS", 1),
    ),
    pack_lost_control,
)


def pack_flight_mode(w: SlotWriter, x: PackInputs) -> None:
    """[flight_mode]: airborne detection votes, torque strategy, exit (physics.md §4.4)."""
    fm = x.vehicle.flight_mode
    w["FM_ENABLED"] = 1.0 if fm.enabled else 0.0
    w["FM_IMU_G"] = fm.imu_threshold_g
    w["FM_IMU_TMIN"] = fm.imu_min_time_s
    w["FM_IMU_FC"] = fm.imu_filter_hz
    w["FM_DROOP_MARGIN"] = fm.droop_margin_m
    w["FM_DROOP_WHEELS"] = fm.droop_wheels
    w["FM_LOAD_FRAC"] = fm.load_fraction
    w["FM_HANG_FRAC"] = fm.hanging_load_fraction
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


FLIGHT_MODE = ParamBlock(
    "flight_mode",
    (
        ("FM_ENABLED", 1),
        ("FM_IMU_G", 1),
        ("FM_IMU_TMIN", 1),
        ("FM_IMU_FC", 1),
        ("FM_DROOP_MARGIN", 1),
        ("FM_DROOP_WHEELS", 1),
        ("FM_LOAD_FRAC", 1),
        ("FM_HANG_FRAC", 1),
        ("FM_FLARE_FRAC", 1),
        ("FM_ROAD_FRAC", 1),
        ("FM_FREE_WHEELS", 1),
        ("FM_FREE_TMIN", 1),
        ("FM_VOTES", 1),
        ("FM_EXIT_LOAD_FRAC", 1),
        ("FM_EXIT_AZ_G", 1),
        ("FM_EXIT_WHEELS", 1),
        ("FM_MATCH", 1),
        ("FM_OPEN_LU", 1),
        ("FM_HOLD_GEAR", 1),
        ("FM_RELEASE_CLOCK", 1),
        ("FM_RAMP_S", 1),
        ("FM_MATCH_GAIN", 1),
        ("FM_SLIP_TARGET", 1),
    ),
    pack_flight_mode,
)
