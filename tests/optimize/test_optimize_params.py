"""Allowed ranges: spec Field bounds intersected with engineering ranges."""

from __future__ import annotations

import pytest

from raidsim.errors import ConfigError
from raidsim.model.vehicle import Vehicle
from raidsim.optimize.params import allowed_range, build_ranges, field_bounds, parse_ranges


def test_field_bounds_come_from_the_spec() -> None:
    lo, hi, integer = field_bounds("gearbox.final_drive_ratio")
    assert lo == pytest.approx(2.0) and lo > 2.0 and hi == 7.0 and not integer
    assert field_bounds("suspension_front.damper_clicks") == (-10, 10, True)


def test_allowed_range_is_the_intersection(d7xr: Vehicle) -> None:
    fd = allowed_range(d7xr, "final_drive")
    assert (fd.low, fd.high) == (3.0, 6.0)
    fuel = allowed_range(d7xr, "fuel_load_L")
    assert fuel.high == d7xr.fuel.tank_capacity_L
    p = allowed_range(d7xr, "tyre_pressure_front_bar")
    assert (p.low, p.high) == (0.8, 2.5)


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
