"""Every entry point runs a shipped rally stage in that stage's weather.

``argentina-2026/3`` is at 13 °C and 1,300 m in ``argentina-2026/rally.toml``. The API
(``simulate``, ``estimate``), every command (``estimate``, ``run``, ``optimize``,
``correlate``, ``jump --stage``, ``batch``), the campaign's base table and the terrain
calibration must all run it there unless told otherwise, and say where each value came
from.

Both tiers choose their weather in one place, :meth:`Conditions.for_run`, before any
work; the test replaces it with a recorder that notes what it resolved and stops the run
there (:class:`Reached`), so each entry point costs a stage load, not a simulation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli import app
from raidsim.model.ambient import Ambient, Conditions

STAGE = "argentina-2026/3"
SOURCE = "argentina-2026/rally.toml"
WEATHER = (13.0, 1300.0)  # argentina-2026/rally.toml, stage 3


class Reached(Exception):
    """The run got as far as choosing its weather (raised by the recorder)."""


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Conditions]]:
    """The conditions every run resolved, in order; the first run stops there."""
    import raidsim.campaign.model as campaign_model

    real = Conditions.for_run
    out: list[Conditions] = []

    def for_run(stage: Any, ambient: Ambient | None) -> Conditions:
        out.append(real(stage, ambient))
        raise Reached(stage.name)

    monkeypatch.setattr(Conditions, "for_run", staticmethod(for_run))
    monkeypatch.setattr(campaign_model, "_MEMO", {})  # no QSS entry remembered
    monkeypatch.setenv("RAIDSIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    yield out


def _cli(*args: str) -> Callable[[], Any]:
    return lambda: CliRunner().invoke(app, list(args), env={"RAIDSIM_TRACEBACK": "0"})


def _api_simulate() -> Any:
    return rs.simulate(rs.load_vehicle("d7x-r"), rs.load_stage(STAGE))


def _api_estimate() -> Any:
    return rs.estimate(rs.load_vehicle("d7x-r"), rs.load_stage(STAGE))


def _correlate() -> Any:
    """``raidsim correlate`` on a minimal logged run (time and speed) of the stage."""
    from raidsim.correlate.synthetic import write_aim_csv

    t = np.arange(0.0, 600.0, 0.5)
    speed = np.full_like(t, 90.0)
    log = write_aim_csv(Path("log.csv"), [("Time", "s", t, 3), ("GPS Speed", "km/h", speed, 1)], {})
    return _cli("correlate", str(log), "--stage", STAGE, "--out", "corr")()


def _campaign() -> Any:
    """The campaign's QSS base table on the stage (the season uses the same table)."""
    from raidsim.campaign.model import build_base_table
    from raidsim.campaign.spec import load_spec

    spec = load_spec(None)
    spec = spec.model_copy(update={"stages": ["3"], "crews": spec.crews[:1]})
    return build_base_table("argentina-2026", spec)


def _calibration() -> Any:
    """The terrain calibration of the stage (its procedure's first QSS estimate)."""
    from raidsim.correlate.terrain import StageTime, calibrate_stage
    from raidsim.route.catalogue import load_rally

    day = next(d for d in load_rally("argentina-2026").stages if d.name == STAGE)
    result = StageTime("3", 300.0, 3 * 3600.0, "nobody", "test")
    return calibrate_stage(rs.load_vehicle("sandrider"), day, result, None)


ENTRY_POINTS: dict[str, Callable[[], Any]] = {
    "rs.simulate": _api_simulate,
    "rs.estimate": _api_estimate,
    "estimate": _cli("estimate", STAGE),
    "run": _cli("run", STAGE, "--quiet", "--no-report", "--out", "run"),
    "optimize": _cli("optimize", STAGE, "--trials", "1", "--no-confirm"),
    "correlate": _correlate,
    "jump": _cli("jump", "--stage", STAGE, "--flight-mode", "off"),
    "batch": _cli("batch", STAGE, "--workers", "0", "--out", "batch", "--quiet"),
    "campaign": _campaign,
    "calibration": _calibration,
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_every_entry_point_runs_the_stage_in_its_own_weather(
    entry: str, seen: list[Conditions]
) -> None:
    try:
        result = ENTRY_POINTS[entry]()
    except Reached:
        result = None
    assert seen, f"{entry} never chose its weather: {getattr(result, 'output', result)}"
    amb = seen[0].ambient
    assert (amb.temp_C, amb.altitude_m) == WEATHER, entry
    assert amb.headwind_mps == 0.0


@pytest.mark.parametrize(
    ("entry", "source"),
    [("rs.simulate", SOURCE), ("estimate", SOURCE), ("batch", SOURCE), ("jump", SOURCE)],
)
def test_and_the_weather_says_where_it_came_from(
    entry: str, source: str, seen: list[Conditions]
) -> None:
    with contextlib.suppress(Reached):
        ENTRY_POINTS[entry]()
    if entry == "jump":  # the scenario's kicker is given the stage's weather as a whole
        assert (seen[0].ambient.temp_C, seen[0].ambient.altitude_m) == WEATHER
        return
    assert seen[0].source("temp_C") == seen[0].source("altitude_m") == source
    assert seen[0].source("headwind_mps") == "default"


@pytest.mark.parametrize(
    ("run", "given"),
    [
        (_cli("estimate", STAGE, "--ambient-C", "20"), "--ambient-C"),
        (_cli("optimize", STAGE, "--trials", "1", "--ambient-C", "20"), "--ambient-C"),
        (
            _cli("batch", STAGE, "--ambient-C", "20", "--workers", "0", "--out", "b", "--quiet"),
            "batch grid ambient_C",
        ),
    ],
)
def test_unless_told_otherwise(run: Callable[[], Any], given: str, seen: list[Conditions]) -> None:
    run()
    assert (seen[0].ambient.temp_C, seen[0].ambient.altitude_m) == (20.0, WEATHER[1])
    assert seen[0].source("temp_C") == given
    assert seen[0].source("altitude_m") == SOURCE


def test_a_stage_outside_a_catalogue_keeps_the_defaults() -> None:
    stage = rs.load_stage("default")
    assert stage.conditions == Conditions()
    assert Ambient.for_stage(stage) == Ambient() == Ambient.for_stage(None)
    assert Ambient.for_stage(rs.load_stage(STAGE), temp_C=20.0) == Ambient(
        temp_C=20.0, altitude_m=WEATHER[1]
    )
