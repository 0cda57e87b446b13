"""``raidsim optimize`` on a local typer app: table, exit codes."""

from __future__ import annotations

import json

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from raidsim.cli import optimize as commands
from raidsim.cli.optimize import optimize_command

app = typer.Typer()
app.command("optimize")(optimize_command)
app.command("noop")(lambda: None)  # two commands: typer keeps the subcommand name


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables wide enough that no cell is cut, whatever the test runner's terminal."""
    monkeypatch.setattr(commands, "console", Console(width=250))


runner = CliRunner(env={"COLUMNS": "200"})


def test_optimize_prints_best_vs_baseline_and_no_effect_rows() -> None:
    res = runner.invoke(
        app,
        [
            "optimize",
            "default",
            "--params",
            "final_drive,damper_clicks_front",
            "--trials",
            "3",
            "--no-confirm",
        ],
    )
    assert res.exit_code == 0, res.output
    # the dampers change the ride-limited speed (speed table), so the QSS time sees them
    damper = [line for line in res.output.splitlines() if line.startswith("damper_clicks_front")]
    assert len(damper) == 2, res.output  # the setup row and the sensitivity row
    assert "no effect in QSS" not in damper[1]
    assert float(damper[1].split()[2]) != 0.0  # s per step
    assert "derate-time constraint ignored" not in res.output  # the QSS reports derate


def test_optimize_json_and_storage_resume(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    args = [
        "optimize",
        "default",
        "--params",
        "fuel_load_L",
        "--storage",
        db,
        "--json",
        "--no-confirm",
    ]
    first = runner.invoke(app, [*args, "--trials", "2"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, [*args, "--trials", "4"])
    assert second.exit_code == 0, second.output
    out = json.loads(second.stdout)
    assert out["trials_completed"] == 4 and out["trials_run_now"] == 2


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--params", "final_drive,wing_angle"], "wing_angle"),
        (["--params", "final_drive", "--range", "final_drive=1.5:4"], "final_drive"),
        (
            ["--params", "tyre_pressure_rear_bar", "--range", "tyre_pressure_rear_bar=0.2:1"],
            "tyre_pressure_rear_bar",
        ),
        (["--objective", "fastest"], "fastest"),
        (["--vehicle", "no-such-car"], "no-such-car"),
    ],
)
def test_bad_input_exits_2_naming_it(extra: list[str], needle: str) -> None:
    res = runner.invoke(app, ["optimize", "default", "--trials", "1", "--no-confirm", *extra])
    assert res.exit_code == 2, res.output
    assert needle in res.output


@pytest.mark.slow
def test_confirmation_run_on_a_short_stage() -> None:
    res = runner.invoke(
        app, ["optimize", "default", "--params", "final_drive", "--trials", "2", "--confirm"]
    )
    assert res.exit_code == 0, res.output
    assert "transient confirmation" in res.output


@pytest.mark.slow
def test_plain_optimize_ends_with_a_confirmed_setup() -> None:
    """``raidsim optimize`` with no arguments (default stage, final drive, both tyre
    pressures, fuel load; 50 trials) exits 0 with a setup the transient twin drives to the
    finish, inside the tyre's own pressure floor (issue 27: it used to pick 0.81 bar rear
    and stop at the 46.5 km jump, exit 3)."""
    res = runner.invoke(app, ["optimize"])
    assert res.exit_code == 0, res.output
    assert "transient confirmation:" in res.output
    rows: dict[str, list[str]] = {}
    for line in res.output.splitlines():  # the setup table's rows come first
        if line.strip().startswith("tyre_pressure_"):
            rows.setdefault(line.split()[0], line.split())
    assert float(rows["tyre_pressure_front_bar"][-1]) >= 0.90
    assert float(rows["tyre_pressure_rear_bar"][-1]) >= 1.04
