"""No sample beyond what the car can make: engine power and torque stay under the
restrictor's choked-flow cap at the run's ambient (issue 27).

Every transient run of the suite is checked by the autouse guard in tests/conftest.py
(``restrictor_guard.py``); the runs here add the cases the issue found: another seed and
a high-altitude stage (a lower cap), over the whole default stage. Before the fix the
lock-up clutch re-locked right after a shift and moved the engine to the new gear's speed
within one step, so one sample per downshift showed the torque of the old speed at the
new one: 688 N m at 4,856 rpm (350 kW) against a 287 kW cap on the default stage.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from restrictor_guard import over_cap

import raidsim as rs
from raidsim.model.ambient import Ambient
from raidsim.model.derived import restrictor_cap_W
from raidsim.sim.layout import CH, N_CH, N_PARAM, PARAM


@pytest.mark.parametrize(
    ("seed", "altitude_m"),
    [(7, 0.0), (0, 3500.0)],
    ids=["seed7", "altitude3500m"],
)
def test_whole_run_stays_under_the_restrictor_cap(seed: int, altitude_m: float) -> None:
    car = rs.load_vehicle("d7x-r")
    ambient = Ambient(altitude_m=altitude_m)
    rows: list[np.ndarray] = []
    run = rs.simulate(car, rs.load_stage("default", seed=seed), ambient, on_rows=rows.append)
    assert run.summary["stage_time_s"] > 0.0
    every = np.concatenate(rows) if rows else np.zeros((0, N_CH))
    params = np.full(N_PARAM, math.nan)
    cap_W = restrictor_cap_W(car, ambient)
    params[PARAM["P_CAP"]] = cap_W
    assert over_cap(every, params) == []
    # the cap binds: the engine reaches within 5 % of it (the check is not vacuous)
    peak_W = float(np.max(every[:, CH["engine_power_kW"]])) * 1000.0
    assert 0.95 * cap_W < peak_W <= cap_W


def test_qss_power_stays_under_the_restrictor_cap() -> None:
    car = rs.load_vehicle("d7x-r")
    ambient = Ambient(altitude_m=3500.0)
    est = rs.estimate(car, rs.load_stage("default"), ambient)
    cap_W = restrictor_cap_W(car, ambient)
    assert float(np.max(est.engine_power_kW)) * 1000.0 <= cap_W * (1.0 + 1e-9)


def test_the_guard_sees_a_sample_above_the_cap() -> None:
    """The check itself fails on a row above the cap (power and torque)."""
    params = np.full(N_PARAM, math.nan)
    params[PARAM["P_CAP"]] = 287e3
    row = np.zeros((1, N_CH))
    row[0, CH["engine_speed_rpm"]] = 4856.0
    row[0, CH["engine_torque_Nm"]] = 688.0
    row[0, CH["engine_power_kW"]] = 688.0 * 4856.0 * math.pi / 30.0 / 1000.0
    assert len(over_cap(row, params)) == 2
    row[0, CH["engine_torque_Nm"]] = 560.0
    row[0, CH["engine_power_kW"]] = 560.0 * 4856.0 * math.pi / 30.0 / 1000.0
    assert over_cap(row, params) == []
