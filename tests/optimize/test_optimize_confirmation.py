"""A transient confirmation that stops keeps the study: results first, then exit 3 naming
the run that failed (setup values, stage, the stop message)."""

from __future__ import annotations

import json
from typing import Any

import optuna
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import raidsim as rs
import raidsim.sim.transient as transient
from raidsim.cli import optimize as commands
from raidsim.cli.errors import EXIT_SIM_FAILED, exit_code_for
from raidsim.cli.optimize import optimize_command
from raidsim.optimize.study import ConfirmationFailed, confirm
from raidsim.sim.transient import SimulationStopped

app = typer.Typer()
app.command("optimize")(optimize_command)
app.command("noop")(lambda: None)

runner = CliRunner(env={"COLUMNS": "200"})

STOP = "lost control at t=812.4 s, km 17.250: left the route (lateral offset +9.1 m)"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "console", Console(width=250))


@pytest.fixture
def stopping_transient(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The transient tier stops with a lost-control message; records its vehicles."""
    calls: list[Any] = []

    def simulate(vehicle: Any, stage: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(vehicle)
        raise SimulationStopped(STOP)

    monkeypatch.setattr(transient, "simulate", simulate)
    return calls


ARGS = ["optimize", "default", "--params", "final_drive,tyre_pressure_front_bar"]


def test_failed_confirmation_prints_the_study_then_exits_3(
    stopping_transient: list[Any], tmp_path: Any
) -> None:
    db = f"sqlite:///{tmp_path / 'study.db'}"
    res = runner.invoke(app, [*ARGS, "--trials", "4", "--storage", db, "--confirm"])
    assert res.exit_code == EXIT_SIM_FAILED, res.output
    out = res.output
    # the study's tables come first and are complete
    assert "4 trials (4 run now)" in out and "QSS time, s" in out and "constraints met" in out
    assert out.index("constraints met") < out.index("error:")
    # the error names the run: the confirmation, the setup values, the stage, the stop
    err = out[out.index("error:") :]
    assert "transient confirmation run of the best setup" in err
    assert "final_drive=" in err and "tyre_pressure_front_bar=" in err
    assert "stage 'default'" in err and STOP in " ".join(err.split())
    assert "4 trials are kept" in err and "study.db" in err
    # the trials are in the storage, and the confirmed car is the best setup
    study = optuna.load_study(study_name="raidsim-d7x-r-time", storage=db)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == 4
    assert len(stopping_transient) == 1
    best = min(done, key=lambda t: float(t.value or 0.0))
    assert stopping_transient[0].gearbox.final_drive_ratio == pytest.approx(
        best.params["final_drive"]
    )
    assert f"final_drive={best.params['final_drive']:.4g}" in err


def test_failed_confirmation_json_holds_results_and_the_failure(
    stopping_transient: list[Any],
) -> None:
    res = runner.invoke(app, [*ARGS, "--trials", "3", "--confirm", "--json"])
    assert res.exit_code == EXIT_SIM_FAILED, res.output
    doc = json.loads(res.stdout)
    assert doc["trials_completed"] == 3 and set(doc["best_setup"]) == {
        "final_drive",
        "tyre_pressure_front_bar",
    }
    c = doc["confirmation"]
    assert c["failed"] is True and c["stage"] == "default" and STOP in c["error"]
    assert c["setup"] == doc["best_setup"]


def test_confirm_wraps_a_stopped_run(stopping_transient: list[Any]) -> None:
    car = rs.load_vehicle("d7x-r")
    stage = rs.load_stage("default", seed=0)
    with pytest.raises(ConfirmationFailed) as info:
        confirm(car, stage, 1000.0, setup={"final_drive": 4.3}, kept="kept here")
    exc = info.value
    assert exc.setup == {"final_drive": 4.3} and exc.stage == "default"
    assert isinstance(exc.cause, SimulationStopped)
    assert str(exc).startswith("transient confirmation run of the best setup (final_drive=4.3)")
    assert STOP in str(exc) and str(exc).endswith("; kept here")
    assert exit_code_for(exc) == EXIT_SIM_FAILED
