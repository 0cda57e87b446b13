"""One exit-code contract for every command (raidsim.cli.errors), and the weather flags
accepted and validated by every command that simulates (raidsim.cli.options).

A stop is provoked by replacing the simulation entry point the command calls with one that
raises :class:`SimulationStopped` (cheap and certain, where a real stuck car needs a long
run); what it received is recorded, so the same stub checks that the flags reach it.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import raidsim
import raidsim.api
import raidsim.campaign.runner
import raidsim.sim.jump
import raidsim.sim.qss
from raidsim.cli import app
from raidsim.cli import optimize as cli_optimize
from raidsim.errors import SimulationDiverged, SimulationStopped
from raidsim.model.ambient import Ambient

runner = CliRunner()

WEATHER = ["--ambient-C", "12.5", "--altitude-m", "1500", "--headwind-mps", "-4"]
WEATHER_AMBIENT = Ambient(temp_C=12.5, altitude_m=1500.0, headwind_mps=-4.0)


def invoke(args: list[str]) -> Result:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


class Stop:
    """Stand-in for a simulation entry point: records its ambient (given, or the
    conditions of the stage it was given), then stops."""

    def __init__(self, exc: Exception | None = None) -> None:
        self.exc = exc or SimulationStopped("time limit 6120 s reached at s=812 m of 50000 m")
        self.ambient: Any = None
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.ambient = kwargs.get("ambient")
        if self.ambient is None:
            self.ambient = next((a for a in args if isinstance(a, Ambient)), None)
        if self.ambient is None:  # none given: the stage's own conditions (flags applied)
            stages = [a for a in args if hasattr(a, "conditions")]
            stages += [s for a in args if isinstance(a, list) for s in a]
            self.ambient = stages[0].conditions.ambient if stages else None
        raise self.exc


def _patch_campaign(monkeypatch: pytest.MonkeyPatch, stop: Stop) -> None:
    def run_campaign(rally: str, spec: Any, **kwargs: Any) -> Any:
        stop.ambient = Ambient(temp_C=spec.ambient_C)
        stop.calls += 1
        raise stop.exc

    # a manifest and base table just big enough for the work estimate
    small = ({"chunk_size": 10}, SimpleNamespace(crews=["a"], stages=["s"]))
    monkeypatch.setattr(raidsim.campaign.runner, "prepare", lambda *a, **k: small)
    monkeypatch.setattr(raidsim.campaign.runner, "run_campaign", run_campaign)


#: command -> (argv without weather flags, how to make it stop)
STOPPING: dict[str, tuple[list[str], Any]] = {
    "run": (["run", "--quiet", "--no-report"], (raidsim.api, "simulate")),
    "estimate": (["estimate", "default"], (raidsim.sim.qss, "estimate")),
    "optimize": (["optimize", "default", "--trials", "1"], (cli_optimize, "run_study")),
    "jump": (["jump", "--flight-mode", "on"], (raidsim.sim.jump, "run_jump")),
    "campaign": (["campaign", "dakar-2026", "--workers", "0", "--quiet"], None),
}


def _stub(monkeypatch: pytest.MonkeyPatch, name: str, stop: Stop) -> None:
    target = STOPPING[name][1]
    if target is None:
        _patch_campaign(monkeypatch, stop)
    else:
        monkeypatch.setattr(*target, stop)


@pytest.mark.parametrize("name", sorted(STOPPING))
def test_stopped_simulation_exits_3_everywhere(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stop = Stop()
    _stub(monkeypatch, name, stop)
    monkeypatch.chdir(tmp_path)
    result = invoke(STOPPING[name][0])
    assert stop.calls == 1
    assert result.exit_code == 3, result.output
    text = result.output.strip()
    assert text == "error: time limit 6120 s reached at s=812 m of 50000 m"


def test_diverged_simulation_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stop = Stop(SimulationDiverged(12.0, 340.0, "OMEGA[rl]", float("nan")))
    monkeypatch.setattr(raidsim.api, "simulate", stop)
    result = invoke(["run", "--quiet", "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert "channel 'OMEGA[rl]' = nan" in result.output  # brackets survive (no markup)


@pytest.mark.parametrize("name", sorted(STOPPING))
def test_weather_flags_reach_the_simulation(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stop = Stop()
    _stub(monkeypatch, name, stop)
    monkeypatch.chdir(tmp_path)
    args = list(STOPPING[name][0])
    if name == "campaign":  # a campaign's weather is a temperature only (spec.ambient_C)
        result = invoke([*args, "--ambient-C", "12.5"])
        assert result.exit_code == 3, result.output
        assert stop.ambient.temp_C == 12.5
        return
    result = invoke([*args, *WEATHER])
    assert result.exit_code == 3, result.output
    assert stop.ambient == WEATHER_AMBIENT


def test_estimate_with_weather_flags_runs() -> None:
    base = invoke(["estimate", "default", "--json"])
    windy = invoke(
        ["estimate", "default", "--json", "--headwind-mps", "10", "--altitude-m", "2000"]
    )
    assert base.exit_code == windy.exit_code == 0, windy.output
    assert base.stdout != windy.stdout


def test_correlate_accepts_the_weather_flags(tmp_path: Path) -> None:
    # the flags parse and pass validation; the missing log is the (bad input) error
    result = invoke(["correlate", str(tmp_path / "none.csv"), "--out", str(tmp_path), *WEATHER])
    assert result.exit_code == 2
    assert "none.csv" in result.output and "--ambient-C" not in result.output


#: every simulating command, as the minimal argv that reaches flag validation
SIMULATING = {
    "run": ["run", "--quiet"],
    "estimate": ["estimate"],
    "optimize": ["optimize", "--trials", "1"],
    "jump": ["jump"],
    "correlate": ["correlate", "no-such-log.csv"],
    "campaign": ["campaign", "--workers", "0", "--quiet"],
}


#: (flag, value, allowed range as printed)
BAD_FLAGS = [
    ("--ambient-C", "nan", "between -30 and 60 °C"),
    ("--ambient-C", "99", "between -30 and 60 °C"),
    ("--ambient-C", "-300", "between -30 and 60 °C"),
    ("--altitude-m", "9000", "between -400 and 5000 m"),
    ("--altitude-m", "inf", "between -400 and 5000 m"),
    ("--headwind-mps", "-41", "between -40 and 40 m/s"),
]


@pytest.mark.parametrize(
    ("name", "flag", "value", "allowed"),
    [
        (name, *bad)
        for name in sorted(SIMULATING)
        for bad in BAD_FLAGS
        if name != "campaign" or bad[0] == "--ambient-C"  # a campaign takes --ambient-C only
    ],
)
def test_flag_validation_names_flag_value_and_range(
    name: str, flag: str, value: str, allowed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke([*SIMULATING[name], flag, value])
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text == f"error: {flag}: value {value} is not allowed (must be {allowed})"
    assert not any(tmp_path.iterdir())  # nothing written before the check


@pytest.mark.parametrize("name", sorted(SIMULATING))
def test_bad_input_exits_2_everywhere(name: str, tmp_path: Path) -> None:
    args = {
        "campaign": ["campaign", "--workers", "0", "--crews", str(tmp_path / "x[red].toml")],
        "correlate": ["correlate", str(tmp_path / "x[red].csv")],
    }.get(name, [*SIMULATING[name], "--vehicle", "x[red]y"])
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert "x[red]" in result.output  # printed literally
    assert len(result.output.strip().splitlines()) == 1


def test_internal_error_is_one_line_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAIDSIM_TRACEBACK", raising=False)
    monkeypatch.setattr(raidsim.sim.qss, "estimate", Stop(ZeroDivisionError("division by zero")))
    result = invoke(["estimate"])
    assert result.exit_code == 70
    assert result.output.strip().startswith("error: internal error (ZeroDivisionError")
    assert len(result.output.strip().splitlines()) == 1
