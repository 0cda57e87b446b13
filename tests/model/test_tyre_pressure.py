"""Each tyre's allowed inflation range comes from its preset; a pressure outside it is
refused at the edge (Python ``with_changes`` and the CLI's ``--setup``) with the field, the
value and the range, exit 2 (docs/physics.md §5.4)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from raidsim.cli import app
from raidsim.errors import ConfigError
from raidsim.model.loader import load_vehicle, preset_names


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_runs_inside_its_tyre_range(name: str) -> None:
    v = load_vehicle(name)
    t = v.tyre
    assert 0.3 <= t.min_pressure_bar < t.max_pressure_bar
    for p in (v.tyre_pressure_front_bar, v.tyre_pressure_rear_bar):
        assert t.min_pressure_bar <= p <= t.max_pressure_bar
    # the sidewall is below the radius (a rim inside), and D - 2 h is a rim size 13-24 in
    rim_in = (2.0 * t.unloaded_radius_m - 2.0 * t.section_height_m) / 0.0254
    assert 13.0 <= rim_in <= 24.0, (name, rim_in)


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("octa", "tyre_pressure_front_bar", 0.8),  # a road tyre cannot be aired down so far
        ("d7x-r", "tyre_pressure_rear_bar", 0.4),
        ("d7x-r", "tyre_pressure_front_bar", 4.0),
    ],
)
def test_pressure_outside_the_tyre_range_names_field_value_and_range(
    name: str, key: str, value: float
) -> None:
    v = load_vehicle(name)
    lo, hi = v.tyre.min_pressure_bar, v.tyre.max_pressure_bar
    with pytest.raises(ConfigError) as info:
        v.with_changes(**{key: value})
    message = str(info.value)
    assert f"{key}={value:g}" in message
    assert f"{lo:g}-{hi:g} bar" in message
    assert "tyre.min_pressure_bar" in message


def test_cli_setup_outside_the_range_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(
        app, ["estimate", "default", "--vehicle", "octa", "--setup", "tyre_pressure_front_bar=1.0"]
    )
    assert result.exit_code == 2
    text = result.output.strip()
    assert "Traceback" not in text
    assert "tyre_pressure_front_bar=1 is outside the tyre's allowed range 1.6-3.5 bar" in text


def test_inside_the_range_is_accepted_and_changes_the_pressure() -> None:
    v = load_vehicle("d7x-r").with_changes(tyre_pressure_front_bar=0.8, tyre_pressure_rear_bar=0.8)
    assert v.tyre_pressure_front_bar == 0.8 == v.tyre_pressure_rear_bar


def test_tyre_range_itself_is_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    src = (resources.files("raidsim.model") / "presets" / "d7x-r.toml").read_text("utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(src.replace("min_pressure_bar = 0.6", "min_pressure_bar = 3.9"), "utf-8")
    with pytest.raises(ConfigError, match="tyre.min_pressure_bar=3.9 must be below"):
        load_vehicle(bad)
