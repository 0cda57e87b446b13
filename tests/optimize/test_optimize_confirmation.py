"""A transient confirmation that stops is a failed candidate: the next setup towards the
baseline is driven, and the best that finishes is reported (exit 0). When none finishes,
not even the baseline, the study's results come first, then exit 3 naming the run that
failed (setup values, stage, the stop message)."""

from __future__ import annotations

import json
from typing import Any

import optuna
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import raidsim as rs
import raidsim.sim.runner as transient
from raidsim.cli import optimize as commands
from raidsim.cli.errors import EXIT_SIM_FAILED, exit_code_for
from raidsim.cli.optimize import optimize_command
from raidsim.errors import SimulationStopped
from raidsim.optimize.study import CONFIRM_FRACTIONS, ConfirmationFailed, confirm

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
    # 10 trials: enough for the best setup not to be the baseline (with 8 the baseline won,
    # and only one candidate would be driven)
    res = runner.invoke(app, [*ARGS, "--trials", "10", "--storage", db, "--confirm"])
    assert res.exit_code == EXIT_SIM_FAILED, res.output
    out = res.output
    # the study's tables come first and are complete
    assert "10 trials (10 run now)" in out and "QSS time, s" in out and "constraints met" in out
    assert out.index("constraints met") < out.index("error:")
    # the error names the run: the confirmation, the setup values, the stage, the stop
    err = out[out.index("error:") :]
    assert "transient confirmation run of the best setup" in err
    assert "final_drive=" in err and "tyre_pressure_front_bar=" in err
    assert "stage 'default'" in err and STOP in " ".join(err.split())
    assert "10 trials are kept" in err and "study.db" in err
    assert "stopped too" in err  # the candidates towards the baseline were driven as well
    # the trials are in the storage; the first car driven is the best setup, the last the
    # baseline (every candidate stopped)
    study = optuna.load_study(study_name="raidsim-d7x-r-time", storage=db)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == 10
    assert 2 <= len(stopping_transient) <= len(CONFIRM_FRACTIONS) + 1
    baseline = rs.load_vehicle("d7x-r")
    assert stopping_transient[-1].gearbox.final_drive_ratio == baseline.gearbox.final_drive_ratio
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


def test_a_stopped_candidate_gives_way_to_the_next_that_finishes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The QSS best stops in the transient twin: the next candidate towards the baseline
    finishes and is reported as the best setup, the stop named in a note (exit 0)."""
    driven: list[float] = []
    base_fd = rs.load_vehicle("d7x-r").gearbox.final_drive_ratio

    def simulate(vehicle: Any, stage: Any, *args: Any, **kwargs: Any) -> Any:
        fd = vehicle.gearbox.final_drive_ratio
        driven.append(fd)
        if len(driven) == 1:
            raise SimulationStopped(STOP)
        return type("Run", (), {"summary": {"stage_time_s": 2100.0}})()

    monkeypatch.setattr(transient, "simulate", simulate)
    # 6 trials: with fewer the baseline is the best on the default stage (nothing to fall
    # back from)
    res = runner.invoke(
        app, ["optimize", "default", "--params", "final_drive", "--trials", "6", "--confirm"]
    )
    assert res.exit_code == 0, res.output
    assert len(driven) == 2
    out = " ".join(res.output.split())
    assert "transient confirmation: 2100.0 s" in out
    assert "a failed candidate" in out and STOP in out
    # the second car lies halfway between the baseline and the QSS best
    assert driven[1] == pytest.approx(base_fd + 0.5 * (driven[0] - base_fd))
    assert f"{driven[1]:.4g}" in res.output
