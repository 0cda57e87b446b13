"""Vehicle specification: frozen, validated pydantic models, one per subsystem.

A preset TOML has one table per subsystem (``[engine]``, ``[gearbox]`` ...); each
table names its model (``model = "..."``) so that a subsystem's model can be
swapped without touching the others. Unknown keys are errors. Keys carry units.
SI inside, with two edge exceptions kept in the preset for readability:
rpm for engine speeds and bar for tyre pressures (converted by properties).

Physics and parameter sources: ``docs/physics.md`` (cited per value in the TOML).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import ConfigError, ConfigWarning
from raidsim.model.flight_mode import FlightModeSpec
from raidsim.model.setup import SETUP_KEYS, format_validation_error
from raidsim.model.surfaces import SURFACES
from raidsim.physics.driveline import axle_ratio, overall_ratio
from raidsim.physics.fuel import FUEL_PROPERTIES
from raidsim.units import BAR_TO_PA as BAR_TO_PA  # re-exported (defined in raidsim.units)
from raidsim.units import RPM_TO_RADPS as RPM_TO_RADPS  # re-exported


class Spec(BaseModel):
    """Base for every spec: frozen, strict about unknown keys."""

    # defer_build: each schema is built on its first validation, not at import (start-up)
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, defer_build=True)


def _check_positive(values: list[float], name: str, unit: str = "") -> None:
    """Every value finite and > 0, else a ValueError naming the table and the bad value."""
    bad = [v for v in values if not (math.isfinite(v) and v > 0.0)]
    if bad:
        units = f" {unit}" if unit else ""
        raise ValueError(f"{name}: values must be finite and > 0{units}, got {bad[0]!r}")


def _check_table(xs: list[float], ys: list[float], name: str, increasing: bool = True) -> None:
    if not all(math.isfinite(v) for v in (*xs, *ys)):
        raise ValueError(f"{name}: values must be finite numbers")
    if len(xs) != len(ys):
        raise ValueError(f"{name}: x and y tables differ in length ({len(xs)} vs {len(ys)})")
    if len(xs) < 2:
        raise ValueError(f"{name}: needs at least 2 points, got {len(xs)}")
    if increasing and any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
        raise ValueError(f"{name}: x values must be strictly increasing, got {xs}")


class ChassisSpec(Spec):
    empty_mass_kg: float = Field(
        gt=500, le=6000, description="race-trim mass without fuel and crew"
    )
    crew_mass_kg: float = Field(ge=0, le=400, description="driver + co-driver with kit")
    payload_mass_kg: float = Field(ge=0, le=1000, description="spares, water, tools aboard")
    wheelbase_m: float = Field(gt=1.5, le=5.0)
    cg_to_front_axle_m: float = Field(gt=0.3, le=4.0, description="horizontal CG-front axle")
    cg_height_m: float = Field(gt=0.2, le=2.0, description="CG height above ground at ride height")
    track_front_m: float = Field(gt=1.0, le=2.6)
    track_rear_m: float = Field(gt=1.0, le=2.6)
    roll_inertia_kgm2: float = Field(gt=100, le=20000, description="sprung mass about x")
    pitch_inertia_kgm2: float = Field(gt=300, le=40000, description="sprung mass about y")
    yaw_inertia_kgm2: float = Field(gt=300, le=40000, description="sprung mass about z")
    spare_wheels: int = Field(ge=0, le=6)
    # the springs' preload sets the ride height for one load: with more aboard (fuel,
    # payload) the car sits lower on the same springs, by the extra corner load / wheel
    # rate, and has that much less bump travel left (docs/physics.md §6.4)
    ride_height_mass_kg: float | None = Field(
        default=None,
        gt=500,
        le=10000,
        description="total mass at which the ride height was set (spring preload); "
        "None: at this car's own mass",
    )

    @model_validator(mode="after")
    def _cg_inside_wheelbase(self) -> ChassisSpec:
        if not 0.0 < self.cg_to_front_axle_m < self.wheelbase_m:
            raise ValueError(
                f"cg_to_front_axle_m={self.cg_to_front_axle_m} must lie inside the wheelbase "
                f"(0, {self.wheelbase_m})"
            )
        return self


class AeroSpec(Spec):
    drag_area_m2: float = Field(gt=0.1, le=5.0, description="Cd * A")
    lift_area_m2: float = Field(ge=-2.0, le=2.0, default=0.0, description="Cl * A (+ = lift)")


class RestrictorSpec(Spec):
    model: Literal["choked_flow", "none"] = "choked_flow"
    diameter_mm: float = Field(gt=10, le=80, default=38.0, description="throat diameter (total)")
    count: int = Field(ge=1, le=2, default=1, description="number of throats of that diameter")
    discharge_coefficient: float = Field(gt=0.3, le=1.0, default=0.97)
    choke_fraction: float = Field(gt=0.5, le=1.0, default=0.95, description="achieved/choked")
    afr_full_load: float = Field(gt=8, le=18, default=12.5, description="air-fuel ratio at cap")
    bsfc_full_load_g_per_kWh: float = Field(gt=150, le=500, default=270.0)
    intake_temp_rise_K: float = Field(ge=0, le=40, default=8.0, description="heat-soaked intake")


class EngineSpec(Spec):
    displacement_L: float = Field(gt=0.5, le=10)
    torque_curve_rpm: list[float] = Field(description="production full-load curve, rpm")
    torque_curve_Nm: list[float] = Field(description="production full-load brake torque")
    idle_rpm: float = Field(gt=400, le=1500)
    rev_limit_rpm: float = Field(gt=3000, le=10000)
    inertia_kgm2: float = Field(gt=0.05, le=2.0, description="crank + flywheel + impeller")
    friction_scale: float = Field(gt=0.2, le=1.5, default=0.8, description="x Heywood fmep")
    natural_aspiration_fraction: float = Field(gt=0.1, le=1.0, default=0.45)
    turbo_lag_low_s: float = Field(gt=0.01, le=3.0, default=0.8, description="tau at low rpm")
    turbo_lag_high_s: float = Field(gt=0.01, le=3.0, default=0.2, description="tau at high rpm")
    turbo_lag_low_rpm: float = Field(gt=500, le=6000, default=1500)
    turbo_lag_high_rpm: float = Field(gt=1000, le=8000, default=3000)
    launch_torque_Nm: float | None = Field(
        default=None, gt=0, le=3000, description="launch-mode torque; None = no launch control"
    )
    launch_slip_target: float = Field(
        default=0.10, gt=0.02, le=0.3, description="launch control's driven-wheel slip target"
    )

    @model_validator(mode="after")
    def _tables(self) -> EngineSpec:
        _check_table(self.torque_curve_rpm, self.torque_curve_Nm, "engine.torque_curve")
        _check_positive(self.torque_curve_rpm, "engine.torque_curve_rpm", "rpm")
        _check_positive(self.torque_curve_Nm, "engine.torque_curve_Nm (full-load torque)", "N m")
        if self.idle_rpm >= self.rev_limit_rpm:
            raise ValueError(f"idle_rpm={self.idle_rpm} must be below rev_limit_rpm")
        return self


class ConverterSpec(Spec):
    speed_ratio: list[float] = Field(description="turbine/impeller speed ratio points 0..1")
    capacity_factor_radps_per_sqrtNm: list[float] = Field(description="K(SR)")
    torque_ratio: list[float] = Field(description="TR(SR), >= 1")
    lockup_capacity_Nm: float = Field(gt=100, le=5000)
    lockup_min_gear: int = Field(ge=1, le=8)
    lockup_min_speed_kmh: float = Field(ge=0, le=200)
    turbine_inertia_kgm2: float = Field(gt=0.005, le=1.0, default=0.06)

    @model_validator(mode="after")
    def _tables(self) -> ConverterSpec:
        _check_table(self.speed_ratio, self.capacity_factor_radps_per_sqrtNm, "converter.K")
        _check_table(self.speed_ratio, self.torque_ratio, "converter.TR")
        if self.speed_ratio[0] != 0.0 or abs(self.speed_ratio[-1] - 1.0) > 1e-9:
            raise ValueError("converter.speed_ratio must run from 0.0 to 1.0")
        if min(self.torque_ratio) < 1.0:
            raise ValueError("converter.torque_ratio values must be >= 1")
        return self


class GearboxSpec(Spec):
    ratios: list[float] = Field(min_length=2, max_length=10)
    efficiencies: list[float] = Field(min_length=2, max_length=10)
    final_drive_ratio: float = Field(gt=2.0, le=7.0)
    transfer_ratio: float = Field(gt=0.8, le=3.5, default=1.0, description="high range 1:1")
    shift_time_s: float = Field(gt=0.02, le=1.5, default=0.25)
    shift_torque_cut: float = Field(ge=0.0, le=1.0, default=0.4)
    upshift_rpm_part: float = Field(gt=1000, le=9000, description="upshift at light throttle")
    upshift_rpm_full: float = Field(gt=1000, le=9000, description="upshift at full throttle")
    downshift_rpm_part: float = Field(gt=500, le=6000)
    downshift_rpm_full: float = Field(gt=500, le=7000)
    min_time_in_gear_s: float = Field(ge=0.0, le=5.0, default=0.8)
    sand_slip_hold: float = Field(gt=0.0, le=2.0, default=0.15, description="no upshift above")

    @model_validator(mode="after")
    def _ratios(self) -> GearboxSpec:
        _check_positive(self.ratios, "gearbox.ratios")
        if not all(math.isfinite(e) for e in self.efficiencies):
            raise ValueError("gearbox.efficiencies must be finite numbers")
        if len(self.ratios) != len(self.efficiencies):
            raise ValueError("gearbox.ratios and gearbox.efficiencies must have equal length")
        if any(b >= a for a, b in zip(self.ratios, self.ratios[1:], strict=False)):
            raise ValueError(f"gearbox.ratios must decrease from 1st gear, got {self.ratios}")
        if any(not 0.5 < e <= 1.0 for e in self.efficiencies):
            raise ValueError("gearbox.efficiencies must lie in (0.5, 1.0]")
        worst_step = min(b / a for a, b in zip(self.ratios, self.ratios[1:], strict=False))
        for kind in ("part", "full"):
            up = getattr(self, f"upshift_rpm_{kind}")
            down = getattr(self, f"downshift_rpm_{kind}")
            if down >= up * worst_step:
                raise ValueError(
                    f"gearbox.downshift_rpm_{kind}={down} must lie below upshift_rpm_{kind} x "
                    f"smallest step ratio ({up * worst_step:.0f} rpm) or the box hunts"
                )
        return self

    @property
    def n_gears(self) -> int:
        return len(self.ratios)

    @property
    def axle_ratio(self) -> float:
        """Gearbox output to wheel, final drive x transfer
        (:func:`raidsim.physics.driveline.axle_ratio`)."""
        return float(axle_ratio(self.final_drive_ratio, self.transfer_ratio))

    @property
    def overall_ratios(self) -> tuple[float, ...]:
        """Turbine speed per wheel speed in each gear, gear x final drive x transfer
        (:func:`raidsim.physics.driveline.overall_ratio`, the kernel's law)."""
        axle = self.axle_ratio
        return tuple(float(overall_ratio(r, axle)) for r in self.ratios)


class DrivelineSpec(Spec):
    front_torque_fraction: float = Field(gt=0.0, lt=1.0, default=0.5)
    centre_lock_torque_Nm: float = Field(ge=0, le=20000, description="lock clutch capacity")
    front_diff_lock_torque_Nm: float = Field(ge=0, le=20000)
    rear_diff_lock_torque_Nm: float = Field(ge=0, le=20000)
    axle_efficiency: float = Field(gt=0.8, le=1.0, description="hypoid + transfer + CV")
    side_gear_inertia_kgm2: float = Field(gt=0.01, le=5.0, description="per side, wheel-referred")
    halfshaft_stiffness_Nm_per_rad: float = Field(gt=1000, le=200000)
    halfshaft_damping_ratio: float = Field(gt=0.0, le=1.0)


class TyreSpec(Spec):
    """TMeasy parameters at nominal load Fz_nom and 2 Fz_nom (Rill; physics.md §5)."""

    unloaded_radius_m: float = Field(gt=0.25, le=0.7)
    width_m: float = Field(gt=0.15, le=0.6)
    section_height_m: float = Field(
        gt=0.05, le=0.4, description="sidewall height (D - rim) / 2, WES sand numeric"
    )
    min_pressure_bar: float = Field(
        ge=0.3, le=4.0, description="lowest inflation the tyre may run (bead, rim, heat)"
    )
    max_pressure_bar: float = Field(gt=0.5, le=5.0, description="highest inflation allowed")
    spin_inertia_kgm2: float = Field(gt=0.5, le=20, description="wheel + tyre")
    nominal_load_N: float = Field(gt=1000, le=30000)
    vertical_stiffness_N_per_m: float = Field(gt=5e4, le=2e6, description="at reference pressure")
    vertical_damping_Ns_per_m: float = Field(ge=0, le=20000)
    reference_pressure_bar: float = Field(gt=0.5, le=5.0)
    carcass_pressure_kPa: float = Field(ge=0, le=100, description="p_c of Bekker flexible tyre")
    dfx0_N: list[float] = Field(min_length=2, max_length=2, description="initial slope @Fz,2Fz")
    fxm_N: list[float] = Field(min_length=2, max_length=2)
    sxm: list[float] = Field(min_length=2, max_length=2)
    fxs_N: list[float] = Field(min_length=2, max_length=2)
    sxs: list[float] = Field(min_length=2, max_length=2)
    dfy0_N: list[float] = Field(min_length=2, max_length=2)
    fym_N: list[float] = Field(min_length=2, max_length=2)
    sym: list[float] = Field(min_length=2, max_length=2)
    fys_N: list[float] = Field(min_length=2, max_length=2)
    sys: list[float] = Field(min_length=2, max_length=2)
    rolling_speed_regulariser_mps: float = Field(gt=0.01, le=5.0, default=0.5, description="v_N")

    @model_validator(mode="after")
    def _shape(self) -> TyreSpec:
        if self.section_height_m >= self.unloaded_radius_m:
            raise ValueError(
                f"tyre.section_height_m={self.section_height_m} must be below "
                f"unloaded_radius_m={self.unloaded_radius_m} (the rim lies inside the tyre)"
            )
        if self.min_pressure_bar >= self.max_pressure_bar:
            raise ValueError(
                f"tyre.min_pressure_bar={self.min_pressure_bar} must be below "
                f"max_pressure_bar={self.max_pressure_bar}"
            )
        for key in ("dfx0_N", "fxm_N", "sxm", "fxs_N", "sxs", "dfy0_N", "fym_N", "sym", "fys_N"):
            _check_positive(getattr(self, key), f"tyre.{key}", "N" if key.endswith("_N") else "")
        _check_positive(self.sys, "tyre.sys")
        for k in range(2):
            if not self.sxm[k] < self.sxs[k]:
                raise ValueError(f"tyre.sxm[{k}] must be below tyre.sxs[{k}]")
            if not self.sym[k] < self.sys[k]:
                raise ValueError(f"tyre.sym[{k}] must be below tyre.sys[{k}]")
            if self.fxs_N[k] > self.fxm_N[k] or self.fys_N[k] > self.fym_N[k]:
                raise ValueError("tyre sliding forces must not exceed peak forces")
        return self


class SuspensionAxleSpec(Spec):
    """One axle, values at the wheel (motion ratio already applied)."""

    spring_rate_N_per_m: float = Field(gt=5000, le=500000)
    unsprung_mass_kg: float = Field(gt=20, le=300)
    bump_travel_m: float = Field(gt=0.05, le=0.6, description="ride height to full bump")
    droop_travel_m: float = Field(gt=0.03, le=0.5, description="ride height to full droop")
    damper_compression_Ns_per_m: float = Field(gt=100, le=100000, description="low-speed slope")
    damper_rebound_Ns_per_m: float = Field(gt=100, le=100000)
    damper_digressivity_s_per_m: float = Field(ge=0, le=50, description="d in c v/(1+d|v|)")
    damper_end_zone_fraction: float = Field(ge=0, le=0.5, description="last part of bump travel")
    damper_end_zone_multiplier: float = Field(ge=1, le=8)
    bump_stop_length_m: float = Field(gt=0.005, le=0.2, description="engages this far from bump")
    bump_stop_force_full_N: float = Field(gt=1e3, le=5e5, description="F at full compression")
    bump_stop_exponent: float = Field(ge=1.0, le=4.0, description="p in F_full (x/L)^p")
    bump_stop_damping_Ns_per_m: float = Field(ge=0, le=2e5, description="hydraulic, bump only")
    droop_stop_rate_N_per_m: float = Field(gt=1e4, le=1e8)
    damper_clicks: int = Field(ge=-10, le=10, default=0, description="setup: +1 click = +5 %")


class SteeringSpec(Spec):
    max_road_wheel_angle_deg: float = Field(gt=10, le=50)
    max_rate_deg_per_s: float = Field(gt=5, le=500, description="road-wheel angle rate")


class BrakeSpec(Spec):
    max_torque_front_Nm: float = Field(gt=500, le=20000, description="per wheel, pedal at 1")
    max_torque_rear_Nm: float = Field(gt=300, le=20000)
    abs_slip_limit: float | None = Field(
        default=0.12, gt=0.02, le=0.5, description="ABS releases beyond this slip; None = off"
    )
    # estimate: the ABS's release band, linear to no brake 0.08 of slip past the limit (a
    # slip of 0.20 with the 0.12 default limit; physics.md §8.1)
    abs_release_slip: float = Field(
        default=0.08, gt=0.0, le=0.5, description="slip past the limit at which ABS fully releases"
    )


class LimiterSpec(Spec):
    speed_limit_kmh: float | None = Field(default=170.0, gt=30, le=400)
    band_kmh: float = Field(gt=0.1, le=20, default=3.0, description="torque fade-out band")


class FuelSpec(Spec):
    kind: Literal["pump_petrol", "sustainable_petrol", "diesel"] = Field(
        description="fuel family; LHV and density must lie in its band (physics.md §2.4)"
    )
    tank_capacity_L: float = Field(gt=10, le=1000)
    fuel_load_L: float = Field(ge=0, le=1000)
    density_kg_per_L: float = Field(gt=0.6, le=0.9)
    lhv_MJ_per_kg: float = Field(gt=20, le=50)
    tank_x_from_cg_m: float = Field(
        default=0.0, ge=-3.0, le=3.0, description="fuel CG ahead (+) of the vehicle CG"
    )
    willans_efficiency: float = Field(gt=0.2, le=0.6, description="e in the Willans line")
    lambda_full_load: float = Field(
        gt=0.7,
        le=1.0,
        description="full-load lambda applied as 1/lambda fuel; 1.0 = none or already in e",
    )
    enrichment_start_load: float = Field(
        ge=0.0, lt=1.0, description="load fraction where full-load enrichment begins"
    )

    @model_validator(mode="after")
    def _fits(self) -> FuelSpec:
        if self.fuel_load_L > self.tank_capacity_L:
            raise ValueError(
                f"fuel.fuel_load_L={self.fuel_load_L} exceeds tank_capacity_L="
                f"{self.tank_capacity_L}"
            )
        props = FUEL_PROPERTIES[self.kind]
        lo, hi = props.lhv_band_MJ_per_kg
        if not lo <= self.lhv_MJ_per_kg <= hi:
            raise ValueError(
                f"fuel.lhv_MJ_per_kg={self.lhv_MJ_per_kg} is outside the {self.kind} band "
                f"{lo}-{hi} MJ/kg (physics.md §2.4); check fuel.kind or the value"
            )
        lo, hi = props.density_band_kg_per_L
        if not lo <= self.density_kg_per_L <= hi:
            raise ValueError(
                f"fuel.density_kg_per_L={self.density_kg_per_L} is outside the {self.kind} "
                f"band {lo}-{hi} kg/L (physics.md §2.4); check fuel.kind or the value"
            )
        return self


class CoolingSpec(Spec):
    """Lumped engine/coolant + transmission-oil nodes, effectiveness-NTU radiator, fans +
    ram air, sand filter, ECU derate (physics.md §2.5, §7; ``raidsim.physics.cooling``)."""

    coolant_fraction_full_load: float = Field(
        gt=0.1, le=0.5, description="heat to coolant + oil / fuel power at full load"
    )
    coolant_fraction_part_load: float = Field(
        gt=0.1, le=0.5, description="same at zero load (linear in between)"
    )
    radiator_ua_ref_W_per_K: float = Field(gt=500, le=1e5, description="UA at v_ref")
    radiator_ref_face_velocity_mps: float = Field(gt=0.5, le=20)
    radiator_ua_exponent: float = Field(ge=0.3, le=1.0, description="UA ~ v_face^n")
    radiator_face_area_m2: float = Field(gt=0.05, le=3.0, description="core face, all cores")
    radiator_k: float = Field(gt=0, le=50, description="core loss on face velocity")
    ducting_k: float = Field(ge=0, le=30, description="inlet + outlet ducts, on face velocity")
    ram_pressure_coefficient: float = Field(ge=0, le=1.0, description="c_p,ram")
    n_fans: int = Field(ge=0, le=8)
    fan_dp0_Pa: float = Field(gt=0, le=2000, description="shut-off pressure of one fan")
    fan_q0_m3s: float = Field(gt=0, le=5, description="free-air flow of one fan")
    fan_power_W: float = Field(ge=0, le=3000, description="electrical, one fan at full duty")
    fan_duty_low: float = Field(ge=0, le=1, description="duty below fan_on_C")
    fan_on_C: float = Field(gt=40, le=130, description="fans ramp up from here")
    fan_full_C: float = Field(gt=40, le=140, description="full duty at/above")
    alternator_efficiency: float = Field(gt=0.3, le=1.0)
    coolant_pump_flow_kg_s: float = Field(gt=0.1, le=20)
    coolant_cp_J_per_kgK: float = Field(gt=2000, le=4300)
    thermostat_open_C: float = Field(gt=50, le=120)
    thermostat_full_C: float = Field(gt=55, le=130)
    thermostat_min_opening: float = Field(ge=0, lt=1, description="bypass leak fraction")
    engine_heat_capacity_J_per_K: float = Field(gt=5e4, le=1e6, description="coolant + metal")
    engine_loss_W_per_K: float = Field(ge=0, le=2000, description="block to under-bonnet air")
    oil_heat_capacity_J_per_K: float = Field(gt=5e3, le=5e5, description="transmission oil")
    oil_coolant_W_per_K: float = Field(ge=0, le=5000, description="oil-to-coolant exchanger")
    oil_ambient_W_per_K: float = Field(ge=0, le=5000, description="case + oil cooler to air")
    coolant_derate_C: float = Field(gt=80, le=140)
    coolant_max_C: float = Field(gt=85, le=150)
    oil_derate_C: float = Field(gt=80, le=170)
    oil_max_C: float = Field(gt=85, le=180)
    derate_floor: float = Field(ge=0.3, le=1.0, description="torque scale at the max temp")
    filter_k_clean: float = Field(ge=0, le=50, description="cooling-air sand filter, clean")
    filter_k_per_loading: float = Field(ge=0, le=200, description="K rise per unit loading")
    intake_filter_area_m2: float = Field(gt=0.005, le=1.0, description="engine intake filter")
    intake_filter_k_clean: float = Field(ge=0, le=2000)
    intake_filter_k_per_loading: float = Field(ge=0, le=5000)
    filter_loading_per_km: dict[str, float] = Field(
        description="filter loading index gained per km, per surface class"
    )

    @model_validator(mode="after")
    def _order(self) -> CoolingSpec:
        for lo, hi in (
            ("fan_on_C", "fan_full_C"),
            ("thermostat_open_C", "thermostat_full_C"),
            ("coolant_derate_C", "coolant_max_C"),
            ("oil_derate_C", "oil_max_C"),
        ):
            if getattr(self, lo) >= getattr(self, hi):
                raise ValueError(f"cooling.{lo}={getattr(self, lo)} must be below {hi}")
        if set(self.filter_loading_per_km) != set(SURFACES):
            raise ValueError(
                f"cooling.filter_loading_per_km needs exactly the surfaces {list(SURFACES)}, "
                f"got {sorted(self.filter_loading_per_km)}"
            )
        if any(r < 0 for r in self.filter_loading_per_km.values()):
            raise ValueError("cooling.filter_loading_per_km values must be >= 0")
        return self


class BrakeThermalSpec(Spec):
    """One lumped thermal node per vented disc, Limpert convection, pad mu(T) fade
    (physics.md §8; ``raidsim.physics.brakes``). Torque at pedal 1 and balance stay in
    ``brakes``; they hold at ``pad_mu_nominal`` and scale with mu(T)/pad_mu_nominal."""

    disc_mass_front_kg: float = Field(gt=2, le=30)
    disc_mass_rear_kg: float = Field(gt=2, le=30)
    disc_diameter_front_m: float = Field(gt=0.2, le=0.5)
    disc_diameter_rear_m: float = Field(gt=0.2, le=0.5)
    ring_inner_diameter_front_m: float = Field(gt=0.08, le=0.4, description="friction ring")
    ring_inner_diameter_rear_m: float = Field(gt=0.08, le=0.4)
    disc_thickness_front_m: float = Field(gt=0.01, le=0.06)
    disc_thickness_rear_m: float = Field(gt=0.01, le=0.06)
    disc_cp_J_per_kgK: float = Field(gt=300, le=1500)
    disc_emissivity: float = Field(gt=0, le=1)
    vane_hydraulic_diameter_m: float = Field(gt=0.002, le=0.05, description="d_h")
    vane_area_ratio: float = Field(ge=0, le=5, description="vane surface / friction faces")
    vane_pump_coeff: float = Field(gt=0, le=1, description="v_ch / (omega sqrt(ro^2-ri^2))")
    heat_partition: float = Field(gt=0.5, le=1.0, description="share of friction heat to disc")
    pad_mu_temp_C: list[float] = Field(description="disc temperature points, deg C")
    pad_mu: list[float] = Field(description="pad friction coefficient at those points")
    pad_mu_nominal: float = Field(gt=0.1, le=1.0, description="mu at which brakes.* hold")

    @model_validator(mode="after")
    def _geometry(self) -> BrakeThermalSpec:
        _check_table(self.pad_mu_temp_C, self.pad_mu, "brake_thermal.pad_mu")
        if any(not 0.05 < m <= 1.0 for m in self.pad_mu):
            raise ValueError(
                f"brake_thermal.pad_mu values must lie in (0.05, 1], got {self.pad_mu}"
            )
        for axle in ("front", "rear"):
            d_o = getattr(self, f"disc_diameter_{axle}_m")
            d_i = getattr(self, f"ring_inner_diameter_{axle}_m")
            if d_i >= d_o:
                raise ValueError(
                    f"brake_thermal.ring_inner_diameter_{axle}_m={d_i} must be below "
                    f"disc_diameter_{axle}_m={d_o}"
                )
        return self

    def face_area_m2(self, axle: Literal["front", "rear"]) -> float:
        """Both friction faces of one disc, 2 pi/4 (D_o^2 - D_i^2)."""
        d_o = getattr(self, f"disc_diameter_{axle}_m")
        d_i = getattr(self, f"ring_inner_diameter_{axle}_m")
        return 2.0 * math.pi / 4.0 * (d_o**2 - d_i**2)

    def vane_length_m(self, axle: Literal["front", "rear"]) -> float:
        """Radial vane length l = (D_o - D_i)/2."""
        return 0.5 * (
            getattr(self, f"disc_diameter_{axle}_m")
            - getattr(self, f"ring_inner_diameter_{axle}_m")
        )


#: ``model = "..."`` keys that older vehicle files carry in these sections. Each subsystem
#: has one model, so the keys promised a swap nothing performed: they are no longer part of
#: the schema. A file that still has one loads with a :class:`ConfigWarning` (the one value
#: the key could take); any other value is an error. Only ``[restrictor] model`` remains (it
#: switches the restrictor off: ``"none"``).
RETIRED_MODEL_KEYS: dict[str, str] = {
    "chassis": "rigid_body_14dof",
    "aero": "drag_only",
    "engine": "map_turbo",
    "converter": "k_factor_map",
    "gearbox": "automatic_8hp",
    "driveline": "awd_centre_diff",
    "tyre": "tmeasy",
    "suspension_front": "coilover_digressive",
    "suspension_rear": "coilover_digressive",
    "steering": "ackermann_rate_limited",
    "brakes": "fixed_balance",
    "fuel": "willans",
    "cooling": "lumped_ntu",
    "brake_thermal": "lumped_disc",
    "flight_mode": "vote_2of3",
}


def _drop_retired_model_keys(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the retired ``model`` keys (:data:`RETIRED_MODEL_KEYS`), with one
    :class:`ConfigWarning` naming the sections; a value other than the retired one raises
    a ValueError naming the field and the value."""
    found = [k for k in RETIRED_MODEL_KEYS if isinstance(data.get(k), dict) and "model" in data[k]]
    if not found:
        return data
    out = dict(data)
    for k in found:
        value = data[k]["model"]
        if value != RETIRED_MODEL_KEYS[k]:
            raise ValueError(
                f"{k}.model = {value!r} is not a model raidsim has; the key is retired "
                f"(the one {k} model was {RETIRED_MODEL_KEYS[k]!r}): delete the line"
            )
        out[k] = {kk: vv for kk, vv in data[k].items() if kk != "model"}
    names = ", ".join(f"[{k}]" for k in found)
    warnings.warn(
        f"vehicle {data.get('name', '?')}: the model keys in {names} are no longer read "
        "(each of these subsystems has one model); delete them",
        ConfigWarning,
        stacklevel=2,
    )
    return out


class Vehicle(Spec):
    """A complete vehicle. ``with_changes`` gives a validated modified copy."""

    name: str
    description: str = ""
    category: Literal["w2rc_stock", "road", "t1_ultimate", "t3_challenger", "t4_ssv"] = "w2rc_stock"
    chassis: ChassisSpec
    aero: AeroSpec
    restrictor: RestrictorSpec
    engine: EngineSpec
    converter: ConverterSpec
    gearbox: GearboxSpec
    driveline: DrivelineSpec
    tyre: TyreSpec
    tyre_pressure_front_bar: float = Field(ge=0.3, le=4.5, description="in tyre's range")
    tyre_pressure_rear_bar: float = Field(ge=0.3, le=4.5, description="in tyre's range")
    suspension_front: SuspensionAxleSpec
    suspension_rear: SuspensionAxleSpec
    steering: SteeringSpec
    brakes: BrakeSpec
    limiter: LimiterSpec
    fuel: FuelSpec
    cooling: CoolingSpec
    brake_thermal: BrakeThermalSpec
    flight_mode: FlightModeSpec

    @model_validator(mode="before")
    @classmethod
    def _retired_keys(cls, data: object) -> object:
        return _drop_retired_model_keys(data) if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _pressures_in_tyre_range(self) -> Vehicle:
        lo, hi = self.tyre.min_pressure_bar, self.tyre.max_pressure_bar
        for key in ("tyre_pressure_front_bar", "tyre_pressure_rear_bar"):
            p = getattr(self, key)
            if not lo <= p <= hi:
                raise ValueError(
                    f"{key}={p:g} is outside the tyre's allowed range {lo:g}-{hi:g} bar "
                    "(tyre.min_pressure_bar, tyre.max_pressure_bar)"
                )
        return self

    @property
    def fuel_mass_kg(self) -> float:
        return self.fuel.fuel_load_L * self.fuel.density_kg_per_L

    @property
    def total_mass_kg(self) -> float:
        c = self.chassis
        return c.empty_mass_kg + c.crew_mass_kg + c.payload_mass_kg + self.fuel_mass_kg

    @property
    def unsprung_mass_kg(self) -> float:
        return 2.0 * (
            self.suspension_front.unsprung_mass_kg + self.suspension_rear.unsprung_mass_kg
        )

    @property
    def sprung_mass_kg(self) -> float:
        return self.total_mass_kg - self.unsprung_mass_kg

    def with_changes(self, **changes: Any) -> Vehicle:
        """Return a validated copy with setup changes applied.

        Keys are either top-level fields (``tyre_pressure_front_bar=1.2``), a shorthand
        from :data:`SETUP_KEYS` (``final_drive=4.3``) or dotted paths
        (``gearbox.final_drive_ratio=4.3``). Unknown keys raise ``ConfigError``.
        """
        return apply_changes(self, changes)


def apply_changes(vehicle: Vehicle, changes: dict[str, Any]) -> Vehicle:
    """Apply dotted or shorthand changes and re-validate the whole vehicle."""
    data = vehicle.model_dump()
    for key, value in changes.items():
        path = SETUP_KEYS.get(key, key)
        parts = path.split(".")
        node: Any = data
        for p in parts[:-1]:
            if not isinstance(node, dict) or p not in node:
                raise ConfigError(
                    f"unknown setup key '{key}' (known shorthands: {', '.join(sorted(SETUP_KEYS))})"
                )
            node = node[p]
        if not isinstance(node, dict) or parts[-1] not in node:
            raise ConfigError(
                f"unknown setup key '{key}' (known shorthands: {', '.join(sorted(SETUP_KEYS))})"
            )
        node[parts[-1]] = value
    try:
        return Vehicle.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, f"setup of '{vehicle.name}'")) from exc
