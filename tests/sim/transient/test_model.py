"""The transient model (sim.transient.model): it drives the plan it is given, named access
to its arrays, the weather it is at."""

from __future__ import annotations

import numpy as np
import pytest

from raidsim.model.ambient import Ambient, Conditions
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import MODE_HELD, PARAM, STATE
from raidsim.sim.plan import RouteArrays, build_route_arrays
from raidsim.sim.transient.model import TransientModel, state_name


def _plan(car: Vehicle, length_m: float = 300.0, speed_mps: float = 15.0) -> RouteArrays:
    return build_route_arrays(car, Settings(), straight_stage(length_m), plan_speed_mps=speed_mps)


def test_the_model_takes_its_plan_and_plans_nothing(d7xr: Vehicle) -> None:
    """The route arrays are the plan given (a constant 15 m/s), not a plan of its own."""
    plan = _plan(d7xr)
    model = TransientModel(d7xr, straight_stage(300.0), plan=plan)
    assert model.route is plan
    assert np.all(model.route.target_speed == 15.0)
    assert model["S_ROUTE"] == 0.0 and model.time_s == 0.0


def test_named_access_reads_and_writes_the_arrays(d7xr: Vehicle) -> None:
    model = TransientModel(d7xr, straight_stage(300.0), plan=_plan(d7xr))
    model["VX"] = 12.5
    assert model.state[STATE["VX"]] == 12.5 and model["VX"] == 12.5
    model.set_param("MODE", MODE_HELD)
    assert model.params[PARAM["MODE"]] == MODE_HELD == model.param("MODE")
    assert state_name(STATE["VX"]) == "VX"
    assert state_name(STATE["OMEGA"] + 2) == "OMEGA[rl]"


def test_the_model_is_at_the_stages_weather_unless_given_one(d7xr: Vehicle) -> None:
    stage = straight_stage(300.0).with_conditions("test", temp_C=12.0, altitude_m=800.0)
    plan = _plan(d7xr)
    model = TransientModel(d7xr, stage, plan=plan)
    assert model.conditions == stage.conditions
    assert model.ambient == Ambient(temp_C=12.0, altitude_m=800.0)
    assert model.param("T_AIR") == pytest.approx(12.0)
    given = TransientModel(d7xr, stage, Ambient(temp_C=40.0), plan=plan)
    assert given.ambient == Ambient(temp_C=40.0)
    assert given.conditions == Conditions.given(Ambient(temp_C=40.0))
