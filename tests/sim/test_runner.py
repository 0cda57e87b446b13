"""The stage runner (sim.runner): the plan it gives the model, the weather a run is at and
its record in the summary, the stored channel formats."""

from __future__ import annotations

import numpy as np
import pytest

from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.ride.limits import planned_route_arrays
from raidsim.sim.runner import channel_formats, planned_model, simulate


def test_the_planned_model_drives_the_crews_plan(d7xr: Vehicle) -> None:
    """planned_model plans (the speed table's limits) and the model drives that plan at the
    given weather."""
    stage = straight_stage(300.0, limit_kmh=90.0)
    model = planned_model(d7xr, stage, Ambient(temp_C=40.0), initial_speed_mps=10.0)
    plan = planned_route_arrays(d7xr, Settings(), stage)
    assert np.array_equal(model.route.target_speed, plan.target_speed)
    assert 0.0 < model.route.target_speed.max() <= 90.0 / 3.6 + 1e-9
    assert model.ambient == Ambient(temp_C=40.0)
    assert model["VX"] == pytest.approx(10.0)


def test_the_summary_records_the_weather_and_where_it_came_from(d7xr: Vehicle) -> None:
    stage = straight_stage(150.0).with_conditions("test", altitude_m=1500.0)
    s = simulate(d7xr, stage).summary
    assert (s["ambient_C"], s["altitude_m"], s["headwind_mps"]) == (35.0, 1500.0, 0.0)
    assert s["conditions_source"] == {
        "temp_C": "default",
        "altitude_m": "test",
        "headwind_mps": "default",
    }
    assert s["distance_m"] == pytest.approx(150.0, abs=2.0)


def test_channel_formats_grid_and_overrides() -> None:
    grid, formats = channel_formats(100.0)
    assert grid == 100.0
    rates = {f.name: f.rate_hz for f in formats}
    assert rates["time_s"] == rates["speed_mps"] == 100.0
    assert rates["coolant_C"] == 10.0  # a thermal channel at its own rate
    grid, formats = channel_formats(100.0, {"coolant_C": 200.0})
    assert grid == 200.0  # the fastest rate asked for sets the grid
    with pytest.raises(ConfigError, match="no channel matches 'nope'"):
        channel_formats(100.0, {"nope": 10.0})
