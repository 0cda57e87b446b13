"""The twin keeps control or says so: the lost-control supervisor and the crew's pace.

Seeds 0-31 of the default stage and every front tyre pressure in the optimizer's range
(0.8-2.5 bar) either finish within 10 m of the route centre or stop with the
lost-control diagnostic; the supervisor stops a car that left the route, drives against
it, or makes no progress.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.settings import LostControlSpec, Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import LOST_CONTROL_CAUSES, STATUS_LOST_CONTROL
from raidsim.sim.runner import LostControl, planned_model
from raidsim.sim.transient import TransientModel
from raidsim.sim.transient.watch import LEFT_ROUTE, NO_PROGRESS, WRONG_WAY

ON_ROUTE_M = 10.0


def _finishes_on_route_or_says_so(car: Vehicle, stage: rs.route.stage.Stage) -> None:
    try:
        run = rs.simulate(car, stage)
    except LostControl as stop:
        assert "lost control at t=" in str(stop)
        return
    assert run.summary["distance_m"] >= stage.length_m - 2.0
    assert float(np.abs(run.telemetry["lateral_offset_m"].to_numpy()).max()) < ON_ROUTE_M


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(32))
def test_default_stage_seeds_finish_on_the_route(d7xr: Vehicle, seed: int) -> None:
    _finishes_on_route_or_says_so(d7xr, rs.load_stage("default", seed=seed))


@pytest.mark.slow
@pytest.mark.parametrize("front_bar", [0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.5])
def test_tyre_pressures_of_the_optimizer_range_finish(d7xr: Vehicle, front_bar: float) -> None:
    car = d7xr.with_changes(tyre_pressure_front_bar=front_bar)
    _finishes_on_route_or_says_so(car, rs.load_stage("default"))


def _stopped(model: TransientModel, seconds: float) -> tuple[int, int]:
    status = 0
    for _ in range(int(seconds / 5.0)):
        status, _ = model.advance(5000)
        if status != 0:
            break
    return status, int(model["LOST_CONTROL"])


def test_a_car_off_the_route_is_stopped(d7xr: Vehicle) -> None:
    """Placed 30 m beside the centre line: stopped at the first check as 'left the
    route', never driven back as if nothing happened."""
    m = planned_model(d7xr, straight_stage(2000.0))
    m["Y"] = m["Y"] + 30.0
    assert _stopped(m, 5.0) == (STATUS_LOST_CONTROL, LEFT_ROUTE)
    assert LOST_CONTROL_CAUSES[LEFT_ROUTE] == "left the route"


def test_a_car_driving_against_the_route_is_stopped(d7xr: Vehicle) -> None:
    """Facing backwards at 15 m/s: the travel direction is 180 deg off the route's for
    longer than the allowed 2 s."""
    m = planned_model(d7xr, straight_stage(3000.0), initial_speed_mps=15.0)
    m["PSI"] = m["PSI"] + math.pi
    m["VX"], m["VY"] = -m["VX"], -m["VY"]
    m["X"] = m["X"] + 1000.0 * math.cos(m["PSI"] - math.pi)
    m["Y"] = m["Y"] + 1000.0 * math.sin(m["PSI"] - math.pi)
    status, cause = _stopped(m, 30.0)
    assert status == STATUS_LOST_CONTROL
    assert cause == WRONG_WAY


def test_no_progress_is_stopped(d7xr: Vehicle) -> None:
    """A crew that cannot make 5 km in 10 s 'makes no progress' by that setting: the
    supervisor checks route distance per window (the stuck check misses slow circles)."""
    lc = LostControlSpec(progress_window_s=10.0, min_progress_m=5000.0)
    m = planned_model(d7xr, straight_stage(20000.0), settings=Settings(lost_control=lc))
    status, cause = _stopped(m, 30.0)
    assert status == STATUS_LOST_CONTROL
    assert cause == NO_PROGRESS
    assert 9.9 < m.time_s < 10.5


def test_simulate_reports_the_diagnostic(d7xr: Vehicle) -> None:
    """The stop names time, km and cause, and for a stall the grade and the tyres' pull
    against the resistance there (raidsim.sim.stall)."""
    lc = LostControlSpec(progress_window_s=10.0, min_progress_m=5000.0)
    with pytest.raises(
        LostControl,
        match=r"lost control at t=1\d\.\d s, km .*no progress along the route; on \w+ at a "
        r"\+0 % grade: the tyres' pull at rest [\d.]+ kN against [\d.]+ kN",
    ):
        rs.simulate(d7xr, straight_stage(20000.0), settings=Settings(lost_control=lc))


def test_a_stopped_run_keeps_its_telemetry(d7xr: Vehicle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The telemetry up to the stop stays, readable and marked incomplete: a closed
    ``telemetry.parquet.partial`` (never ``telemetry.parquet``) and ``stopped.json``."""
    import json

    import pyarrow.parquet as pq

    lc = LostControlSpec(progress_window_s=10.0, min_progress_m=5000.0)
    with pytest.raises(LostControl):
        rs.simulate(
            d7xr, straight_stage(20000.0), settings=Settings(lost_control=lc), out_dir=tmp_path
        )
    assert not (tmp_path / "telemetry.parquet").exists()
    table = pq.read_table(tmp_path / "telemetry.parquet.partial")
    assert table.num_rows > 900  # ~10 s at 100 Hz
    stopped = json.loads((tmp_path / "stopped.json").read_text())
    assert stopped["complete"] is False and "no progress" in stopped["stopped"]
    assert stopped["telemetry"] == "telemetry.parquet.partial"


def test_cli_run_that_loses_control_exits_3_and_keeps_the_diagnostic(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from raidsim.cli import app

    tight = Settings(lost_control=LostControlSpec(progress_window_s=5.0, min_progress_m=5000.0))
    monkeypatch.setattr("raidsim.cli.run.telemetry_settings", lambda *a: (tight, None))
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--no-report", "--quiet", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "lost control at t=" in result.output and "Traceback" not in result.output
    assert (out / "stopped.json").is_file() and (out / "telemetry.parquet.partial").is_file()
