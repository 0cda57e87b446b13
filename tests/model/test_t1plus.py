"""The T1+ (Ultimate) reference car: the Dacia Sandrider preset loads, drives, and matches
the figures published for it (docs/physics.md "The T1+ reference car", [S103]-[S110])."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli import app
from raidsim.model.loader import load_vehicle, preset_names
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.physics.restrictor import power_cap_W
from raidsim.route.scenarios import straight_stage
from raidsim.sim.runner import planned_model

NAME = "sandrider"
INCH_M = 0.0254


@pytest.fixture(scope="module")
def car() -> Vehicle:
    return load_vehicle(NAME)


def test_preset_is_listed_and_loads(car: Vehicle) -> None:
    assert NAME in preset_names()
    assert car.name == NAME
    assert car.category == "t1_ultimate"
    assert car.gearbox.n_gears == 6  # six-speed sequential [S103]


def test_restricted_power_at_sea_level_is_the_published_figure(car: Vehicle) -> None:
    """Restrictor law (physics.md §1.1) at 25 C, 101.325 kPa: 360 CV = 265 kW [S103]; the
    published figures span 256 kW [S104] to 265 kW (355 bhp = 265 kW, autocar)."""
    r = car.restrictor
    p_kW = (
        power_cap_W(
            r.diameter_mm / 1000.0,
            r.count,
            r.discharge_coefficient,
            r.choke_fraction,
            r.afr_full_load,
            r.bsfc_full_load_g_per_kWh,
            101325.0,
            298.15,
        )
        / 1e3
    )
    assert 256.0 <= p_kW <= 268.0, p_kW
    # and the race curve reaches the published 539 Nm peak and 265 kW at 5000 rpm [S103]
    e = car.engine
    rpm = np.asarray(e.torque_curve_rpm)
    torque = np.asarray(e.torque_curve_Nm)
    assert torque.max() == pytest.approx(539.0)
    assert rpm[int(np.argmax(torque))] == pytest.approx(4250.0)
    power_kW = torque * rpm * RPM_TO_RADPS / 1e3
    assert power_kW.max() == pytest.approx(265.0, rel=0.01)
    assert rpm[int(np.argmax(power_kW))] == pytest.approx(5000.0)


def test_mass_tyres_travel_and_tank_match_the_rules_and_press(car: Vehicle) -> None:
    c = car.chassis
    assert c.empty_mass_kg == pytest.approx(2010.0)  # FIA T1+ minimum [S105]
    assert 2500.0 <= car.total_mass_kg <= 2750.0  # + crew, kit, 560 L of fuel (417 kg)
    assert c.wheelbase_m == pytest.approx(3.0)  # [S104]
    assert c.spare_wheels == 2  # T1+ rule [S109]
    assert 2.0 * car.tyre.unloaded_radius_m == pytest.approx(37.0 * INCH_M, rel=0.002)
    assert car.tyre.width_m == pytest.approx(0.320)  # [S109]
    for axle in (car.suspension_front, car.suspension_rear):
        assert axle.bump_travel_m + axle.droop_travel_m == pytest.approx(0.350)  # [S104]
    assert car.fuel.tank_capacity_L == pytest.approx(560.0)  # [S108]
    assert car.fuel.fuel_load_L * car.fuel.density_kg_per_L > 400.0  # "over 400 kg" [S108]
    assert car.limiter.speed_limit_kmh == pytest.approx(170.0)  # Ultimate cap [S31]
    assert car.brake_thermal.disc_diameter_front_m == pytest.approx(0.355)  # [S107]


def test_plausibility_bands_of_the_preset_suite(car: Vehicle) -> None:
    """The bands tests/model/test_presets.py holds the other presets to."""
    c = car.chassis
    m = car.total_mass_kg
    assert 0.1 < car.unsprung_mass_kg / m < 0.2
    assert 0.40 <= c.cg_to_front_axle_m / c.wheelbase_m <= 0.58
    assert 0.8 <= m * 9.81 / 4.0 / car.tyre.nominal_load_N <= 1.25
    assert min(c.track_front_m, c.track_rear_m) / (2.0 * c.cg_height_m) > 1.0
    assert 0.55 < np.sqrt(c.roll_inertia_kgm2 / m) < 0.9
    assert 1.0 < np.sqrt(c.pitch_inertia_kgm2 / m) < 1.5
    assert 1.1 < np.sqrt(c.yaw_inertia_kgm2 / m) < 1.6
    gb = car.gearbox
    overall = gb.ratios[-1] * gb.final_drive_ratio * gb.transfer_ratio
    top_kmh = car.engine.rev_limit_rpm * RPM_TO_RADPS / overall * car.tyre.unloaded_radius_m * 3.6
    assert top_kmh > 170.0


def test_estimate_cli_runs_with_the_preset() -> None:
    result = CliRunner().invoke(app, ["estimate", "default", "--vehicle", NAME])
    assert result.exit_code == 0, result.output
    assert NAME in result.output


def test_short_transient_run(car: Vehicle) -> None:
    out = planned_model(car, straight_stage(1500.0)).run_for(12.0)
    assert np.all(np.isfinite(out["speed_mps"]))
    v_8s = out["speed_mps"][int(np.searchsorted(out["time_s"], 8.0))]
    assert v_8s > 100.0 / 3.6  # 0-100 km/h within 8 s on hard ground
    d7xr = planned_model(rs.load_vehicle("d7x-r"), straight_stage(1500.0)).run_for(12.0)
    # about the Stock car's power on 88 % of its mass: as quick, within 10 %
    assert out["distance_m"][-1] > 0.9 * d7xr["distance_m"][-1]


def test_sandrider_meets_the_t1plus_rules(car: Vehicle) -> None:
    """FIA Appendix J art. 285-11 (T1+) as quoted in docs/physics.md §5.5: suspension
    travel at most 350 mm, complete wheel diameter 910-940 mm, minimum weight 2010 kg
    (petrol) or 2040 kg (diesel)."""
    for axle in (car.suspension_front, car.suspension_rear):
        assert axle.bump_travel_m + axle.droop_travel_m <= 0.350 + 1e-9
    wheel_mm = 2000.0 * car.tyre.unloaded_radius_m
    assert 910.0 <= wheel_mm <= 940.0, wheel_mm
    min_kg = 2040.0 if car.fuel.kind == "diesel" else 2010.0
    assert car.chassis.empty_mass_kg >= min_kg
    assert car.limiter.speed_limit_kmh == 170.0
