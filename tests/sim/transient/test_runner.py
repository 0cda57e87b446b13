"""The runner (sim.transient.runner): named access to the model, the weather a run is
at and its record in the summary, the stored channel formats."""

from __future__ import annotations

import pytest

from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient, Conditions
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import MODE_HELD, PARAM, STATE
from raidsim.sim.transient.runner import (
    TransientModel,
    channel_formats,
    simulate,
    state_name,
)


def test_named_access_reads_and_writes_the_arrays(d7xr: Vehicle) -> None:
    model = TransientModel(d7xr, straight_stage(300.0))
    model["VX"] = 12.5
    assert model.state[STATE["VX"]] == 12.5 and model["VX"] == 12.5
    model.set_param("MODE", MODE_HELD)
    assert model.params[PARAM["MODE"]] == MODE_HELD == model.param("MODE")
    assert state_name(STATE["VX"]) == "VX"
    assert state_name(STATE["OMEGA"] + 2).startswith("OMEGA")


def test_the_run_is_at_the_stages_weather_unless_given_one(d7xr: Vehicle) -> None:
    stage = straight_stage(300.0).with_conditions("test", temp_C=12.0, altitude_m=800.0)
    model = TransientModel(d7xr, stage)
    assert model.conditions == stage.conditions
    assert model.ambient == Ambient(temp_C=12.0, altitude_m=800.0)
    given = TransientModel(d7xr, stage, Ambient(temp_C=40.0))
    assert given.ambient == Ambient(temp_C=40.0)
    assert given.conditions == Conditions.given(Ambient(temp_C=40.0))


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
