"""raidsim.cli.options: the one load/validate path every command uses."""

from __future__ import annotations

import math

import pytest

from raidsim.cli.options import (
    check_flag,
    field_bounds,
    load_car,
    parse_setup,
    resolve_stages,
    weather_flags,
)
from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient


def test_parse_setup_numbers_and_strings() -> None:
    assert parse_setup(["final_drive=4", "fuel_load_L=120.5", "mode=dune"]) == {
        "final_drive": 4,
        "fuel_load_L": 120.5,
        "mode": "dune",
    }
    with pytest.raises(ConfigError, match="--setup expects key=value, got 'final_drive'"):
        parse_setup(["final_drive"])


def test_load_car_applies_setup() -> None:
    car = load_car("d7x-r", ["final_drive=4.3"])
    assert car.gearbox.final_drive_ratio == 4.3
    assert load_car("d7x-r", None) == load_car("d7x-r", [])


def test_no_flag_given_is_no_override() -> None:
    # the CLI's defaults override nothing: a stage keeps its own conditions
    assert weather_flags(None, None) == dict.fromkeys(("temp_C", "altitude_m", "headwind_mps"))
    given = weather_flags(12.0, 1500.0, -3.0)
    assert given == {"temp_C": 12.0, "altitude_m": 1500.0, "headwind_mps": -3.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"ambient_C": math.nan},
            "--ambient-C: value nan is not allowed (must be between -30 and 60 °C)",
        ),
        (
            {"ambient_C": 99.0},
            "--ambient-C: value 99 is not allowed (must be between -30 and 60 °C)",
        ),
        (
            {"ambient_C": -300.0},
            "--ambient-C: value -300 is not allowed (must be between -30 and 60 °C)",
        ),
        (
            {"altitude_m": 6000.0},
            "--altitude-m: value 6000 is not allowed (must be between -400 and 5000 m)",
        ),
        (
            {"headwind_mps": math.inf},
            "--headwind-mps: value inf is not allowed (must be between -40 and 40 m/s)",
        ),
    ],
)
def test_flag_messages_name_flag_value_and_range(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        weather_flags(**{"ambient_C": None, "altitude_m": None, **kwargs})
    assert str(info.value) == message


def test_bounds_come_from_the_model() -> None:
    assert field_bounds(Ambient, "temp_C") == (-30.0, 60.0)
    assert field_bounds(Ambient, "pressure_Pa") == (40000.0, 110000.0)
    assert check_flag("--x", 1.0, 0.0, 1.0) == 1.0
    with pytest.raises(
        ConfigError, match=r"^--x: value 2 is not allowed \(must be between 0 and 1\)$"
    ):
        check_flag("--x", 2.0, 0.0, 1.0)


def test_resolve_stages_single_stage_and_rally() -> None:
    title, stages = resolve_stages("default")
    assert title == "default" and [label for label, _ in stages] == ["default"]
    catalogue = pytest.importorskip("raidsim.route.catalogue")
    if "dakar-2026" in catalogue.rally_names():
        title, stages = resolve_stages("dakar-2026")
        assert len(stages) > 1
