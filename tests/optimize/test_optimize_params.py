"""Allowed ranges: spec Field bounds intersected with engineering ranges and the parts' own
limits (the tyre pressure floor at stage speed)."""

from __future__ import annotations

import pytest

from raidsim.errors import ConfigError
from raidsim.model.vehicle import Vehicle
from raidsim.optimize.params import allowed_range, build_ranges, parse_ranges, path_bounds
from raidsim.optimize.tyres import min_tyre_pressure_bar


def test_field_bounds_come_from_the_spec() -> None:
    lo, hi, integer = path_bounds("gearbox.final_drive_ratio")
    assert lo == pytest.approx(2.0) and lo > 2.0 and hi == 7.0 and not integer
    assert path_bounds("suspension_front.damper_clicks") == (-10, 10, True)


def test_allowed_range_is_the_intersection(d7xr: Vehicle) -> None:
    fd = allowed_range(d7xr, "final_drive")
    assert (fd.low, fd.high) == (3.0, 6.0)
    fuel = allowed_range(d7xr, "fuel_load_L")
    assert fuel.high == d7xr.fuel.tank_capacity_L
    # the tyre's own limit at stage speed raises the engineering 0.8 bar (optimize/tyres.py)
    p = allowed_range(d7xr, "tyre_pressure_front_bar")
    assert (p.low, p.high) == (0.90, 2.5)
    p = allowed_range(d7xr, "tyre_pressure_rear_bar")
    assert (p.low, p.high) == (1.04, 2.5)


def test_tyre_pressure_floor_from_static_deflection(d7xr: Vehicle) -> None:
    """p_min = F (p_ref + p_c) / (k_ref 0.25 H) - p_c with H = r0 / 2 and the static
    wheel load with the tank full, worked by hand from the preset (physics.md §5.4)."""
    c, t = d7xr.chassis, d7xr.tyre
    fuel_kg = d7xr.fuel.tank_capacity_L * d7xr.fuel.density_kg_per_L
    mass = c.empty_mass_kg + c.crew_mass_kg + c.payload_mass_kg + fuel_kg
    rear_N = mass * 9.80665 * c.cg_to_front_axle_m / c.wheelbase_m / 2.0
    front_N = mass * 9.80665 / 2.0 - rear_N
    p_ref, p_c = t.reference_pressure_bar * 1e5, t.carcass_pressure_kPa * 1e3
    height = 0.5 * t.unloaded_radius_m
    for name, load in (("tyre_pressure_front_bar", front_N), ("tyre_pressure_rear_bar", rear_N)):
        want = (load * (p_ref + p_c) / (t.vertical_stiffness_N_per_m * 0.25 * height) - p_c) / 1e5
        assert min_tyre_pressure_bar(d7xr, name) == pytest.approx(want, rel=1e-9)
    # the D7X-R: about the 1 bar crews run in dunes (0.89 front, 1.03 rear)
    assert min_tyre_pressure_bar(d7xr, "tyre_pressure_front_bar") == pytest.approx(0.89, abs=0.01)
    assert min_tyre_pressure_bar(d7xr, "tyre_pressure_rear_bar") == pytest.approx(1.03, abs=0.01)
    # a softer tyre (half the stiffness) needs a higher pressure for the same deflection
    soft = d7xr.with_changes(**{"tyre.vertical_stiffness_N_per_m": 125000.0})
    assert min_tyre_pressure_bar(soft, "tyre_pressure_rear_bar") > 2.0


def test_a_range_below_the_tyre_floor_is_refused(d7xr: Vehicle) -> None:
    with pytest.raises(ConfigError, match=r"tyre_pressure_rear_bar.*\[1\.04, 2\.5\]"):
        build_ranges(d7xr, ["tyre_pressure_rear_bar"], {"tyre_pressure_rear_bar": (0.81, 2.0)})


@pytest.mark.parametrize(
    ("names", "ranges", "needle"),
    [
        (["final_drive", "wing_angle"], {}, "wing_angle"),
        (["restrictor_mm"], {}, "restrictor_mm"),
        (["final_drive"], {"final_drive": (2.5, 5.0)}, "final_drive"),
        (["tyre_pressure_front_bar"], {"tyre_pressure_front_bar": (0.3, 1.2)}, "tyre_pressure"),
        (["fuel_load_L"], {"fuel_load_L": (100.0, 900.0)}, "fuel_load_L"),
        (["final_drive"], {"final_drive": (5.0, 4.0)}, "final_drive"),
        (["final_drive"], {"fuel_load_L": (100.0, 200.0)}, "fuel_load_L"),
    ],
)
def test_bad_parameter_or_range_names_it(
    d7xr: Vehicle, names: list[str], ranges: dict[str, tuple[float, float]], needle: str
) -> None:
    with pytest.raises(ConfigError, match=needle):
        build_ranges(d7xr, names, ranges)


def test_parse_ranges() -> None:
    assert parse_ranges(["final_drive=4:5"]) == {"final_drive": (4.0, 5.0)}
    with pytest.raises(ConfigError, match="name=low:high"):
        parse_ranges(["final_drive=4"])
