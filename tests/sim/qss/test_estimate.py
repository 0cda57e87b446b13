"""The QSS estimate (sim.qss.estimate): its plan ceiling and grade by hand, its weather,
and its agreement with the transient twin on stages that were NOT used to fit it.

``DriverSpec.qss_tractive_efficiency`` was fitted on ``tests/sim/data/{gravel_30km,
dunes_20km,rocky_20km}.toml`` (and checked on ``default``; tests/sim/test_qss.py). The
stages here were not: three shipped prologues (gravel, rocky, whoops) and
``tests/sim/data/held_out/`` (hard piste, mixed ground, a soft-sand plain, a barchan dune
field). The README
states the agreement measured on them; this test holds it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.ambient import Ambient
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.qss.estimate import estimate, preview_ceiling, sin_grade

HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "held_out"


def test_the_ceiling_is_the_plan_here_or_one_preview_ahead() -> None:
    """At 20 m/s with a 1 s preview on a 1 m grid the driver sees 20 m ahead: a drop to
    10 m/s at 100 m lowers the ceiling from 80 m on, not before."""
    plan = np.where(np.arange(200.0) < 100.0, 20.0, 10.0)
    ceiling = preview_ceiling(plan, 1.0, 1.0)
    assert ceiling[79] == 20.0 and ceiling[80] == 10.0 and ceiling[150] == 10.0
    assert np.all(ceiling <= plan)


def test_sin_grade_of_a_constant_grade() -> None:
    """A 10 % grade: sin(atan(0.1)) = 0.1 / sqrt(1.01)."""
    got = sin_grade(straight_stage(300.0, grade=0.1))
    assert got[:-1] == pytest.approx(0.1 / np.sqrt(1.01))


def test_the_estimate_is_at_the_stages_weather_unless_given_one(d7xr: Vehicle) -> None:
    stage = straight_stage(300.0).with_conditions("test", altitude_m=2000.0)
    s = estimate(d7xr, stage).summary
    assert (s["ambient_C"], s["altitude_m"], s["headwind_mps"]) == (35.0, 2000.0, 0.0)
    assert s["conditions_source"]["altitude_m"] == "test"
    given = estimate(d7xr, stage, Ambient()).summary
    assert given["altitude_m"] == 0.0 and given["conditions_source"]["altitude_m"] == "argument"
    assert given["stage_time_s"] < s["stage_time_s"]  # denser air, more restrictor power


#: stage -> the largest |QSS / transient - 1| in stage time and fuel the README states
TOLERANCE = {
    "argentina-2026/prologue": 0.03,
    "dakar-2026/prologue": 0.03,
    "morocco-2026/prologue": 0.03,
    str(HELD_OUT / "hard_20km.toml"): 0.03,
    str(HELD_OUT / "mixed_24km.toml"): 0.04,
    str(HELD_OUT / "soft_sand_16km.toml"): 0.08,
    # a dune field unlike the fit's (barchans, 7 m every 220 m, 15 deg windward faces):
    # measured time +1.6 %, fuel +0.0 % (issue 24 asks 3 % on such a stage)
    str(HELD_OUT / "barchan_dunes_15km.toml"): 0.03,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TOLERANCE))
def test_qss_agrees_with_transient_on_stages_it_was_not_fitted_on(name: str, d7xr: Vehicle) -> None:
    stage = rs.load_stage(name)
    tr = rs.simulate(d7xr, stage).summary
    q = estimate(d7xr, stage).summary
    dt = q["stage_time_s"] / tr["stage_time_s"] - 1.0
    df = q["fuel_used_L"] / tr["fuel_used_L"] - 1.0
    print(f"\n{stage.name}: time {dt:+.2%}, fuel {df:+.2%}")
    assert abs(dt) < TOLERANCE[name] and abs(df) < TOLERANCE[name], (dt, df)
