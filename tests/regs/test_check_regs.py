"""``raidsim check-regs``: d7x-r passes; no limiter / small tank fail; bad input exits 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from raidsim.cli import regs as commands
from raidsim.cli.regs import check_regs_command
from raidsim.model.vehicle import Vehicle
from raidsim.regs.check import check_vehicle, failed
from raidsim.regs.rules import load_rules

app = typer.Typer()
app.command("check-regs")(check_regs_command)
app.command("noop")(lambda: None)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables wide enough that no cell is cut, whatever the test runner's terminal."""
    monkeypatch.setattr(commands, "console", Console(width=250))


runner = CliRunner(env={"COLUMNS": "250"})


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def write_vehicle_toml(vehicle: Vehicle, path: Path) -> Path:
    """Minimal TOML writer for a vehicle spec (None values left to their defaults)."""
    data = vehicle.model_dump()
    lines = [
        f"{k} = {_toml_value(v)}"
        for k, v in data.items()
        if not isinstance(v, dict) and v is not None
    ]
    for table, body in data.items():
        if not isinstance(body, dict):
            continue
        lines.append(f"\n[{table}]")
        for k, v in body.items():
            if v is None:
                continue
            if isinstance(v, dict):
                inline = ", ".join(f"{kk} = {_toml_value(vv)}" for kk, vv in v.items())
                lines.append(f"{k} = {{ {inline} }}")
            else:
                lines.append(f"{k} = {_toml_value(v)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_d7xr_passes() -> None:
    res = runner.invoke(app, ["check-regs", "d7x-r"])
    assert res.exit_code == 0, res.output
    assert "FAIL" not in res.output and "UNSOURCED" in res.output


def test_every_rule_cites_a_source() -> None:
    rules = load_rules()
    assert {r.check for r in rules.rule} >= {
        "speed_limiter",
        "restrictor_present",
        "restrictor_power_to_weight",
        "category",
        "tank_capacity",
        "spare_wheels",
        "minimum_weight",
        "tyre_size",
    }
    for r in rules.rule:
        assert r.source.strip()
        if not r.sourced:
            assert "UNSOURCED" in r.source


def test_no_limiter_fails(d7xr: Vehicle) -> None:
    car = d7xr.with_changes(speed_limit_kmh=None)
    bad = failed(check_vehicle(car, load_rules()))
    assert [r.rule.id for r in bad] == ["speed_limiter"]
    assert bad[0].value == "no limiter"


def test_small_tank_fails_from_a_toml(d7xr: Vehicle, tmp_path: Path) -> None:
    car = d7xr.with_changes(**{"fuel.tank_capacity_L": 90.0, "fuel.fuel_load_L": 80.0})
    path = write_vehicle_toml(car, tmp_path / "small-tank.toml")
    res = runner.invoke(app, ["check-regs", str(path)])
    assert res.exit_code == 1, res.output
    assert "tank_capacity" in res.output and "90 L" in res.output


def test_fast_limiter_fails_from_a_toml(d7xr: Vehicle, tmp_path: Path) -> None:
    path = write_vehicle_toml(d7xr.with_changes(speed_limit_kmh=250.0), tmp_path / "fast.toml")
    res = runner.invoke(app, ["check-regs", str(path)])
    assert res.exit_code == 1, res.output
    assert "speed_limiter" in res.output


def test_road_car_fails_several_rules() -> None:
    res = runner.invoke(app, ["check-regs", "octa"])
    assert res.exit_code == 1
    for rule in ("speed_limiter", "restrictor_present", "production_powertrain", "tank_capacity"):
        assert rule in res.output


def test_bad_input_exits_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check-regs", "no-such-car"]).exit_code == 2
    missing = runner.invoke(app, ["check-regs", str(tmp_path / "missing.toml")])
    assert missing.exit_code == 2 and "missing.toml" in missing.output
    assert runner.invoke(app, ["check-regs", "d7x-r", "--rules", "t1"]).exit_code == 2
