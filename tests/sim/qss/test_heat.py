"""The QSS heat bookkeeping (sim.qss.heat): what a step adds to the kernel's
accumulators, by hand, and the trace it records."""

from __future__ import annotations

import numpy as np
import pytest

from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim import indices as ix
from raidsim.sim.assemble import initial_state
from raidsim.sim.pack import build_params
from raidsim.sim.qss.heat import heat_step, record, trace_from


def _arrays(car: Vehicle) -> tuple[np.ndarray, np.ndarray]:
    stage = straight_stage(200.0)
    P = build_params(car, Ambient(), Settings(), stage)
    return initial_state(car, stage, P), P


def test_a_step_books_fuel_load_slip_and_brake_energy(d7xr: Vehicle) -> None:
    S, P = _arrays(d7xr)
    dt = 0.25 * P[ix.P_TH_DT]  # short of a thermal step: the accumulators only
    scale = heat_step(S, P, dt, 0.002, 0.8, 5000.0, 40_000.0, 20.0, 0)
    assert S[ix.S_ACC_FUEL] == 0.002
    assert S[ix.S_ACC_LOAD] == pytest.approx(0.8 * dt)
    assert S[ix.S_ACC_SLIP] == pytest.approx(5000.0 * dt)
    tb = P[ix.P_TB_MAX : ix.P_TB_MAX + 4]
    brake = S[ix.S_ACC_BRAKE : ix.S_ACC_BRAKE + 4]
    assert brake.sum() == pytest.approx(40_000.0)
    assert brake == pytest.approx(40_000.0 * tb / tb.sum())  # by each brake's share
    assert scale == 1.0  # a cold start: no derate, the filter clean


def test_the_thermal_step_runs_once_its_period_has_built_up(d7xr: Vehicle) -> None:
    S, P = _arrays(d7xr)
    for _ in range(4):
        heat_step(S, P, 0.25 * P[ix.P_TH_DT], 0.0, 0.0, 0.0, 0.0, 20.0, 0)
    assert S[ix.S_THERMAL_TIMER] < 0.25 * P[ix.P_TH_DT]  # reset by the thermal step
    assert S[ix.S_ACC_FUEL] == 0.0  # and its accumulators consumed


def test_the_trace_records_the_hottest_disc(d7xr: Vehicle) -> None:
    S, _ = _arrays(d7xr)
    S[ix.S_T_DISC : ix.S_T_DISC + 4] = [300.0, 420.0, 250.0, 260.0]
    out = np.zeros((6, 3))
    record(S, 1, out)
    trace = trace_from(out, S)
    assert trace.disc_max_C[1] == 420.0
    assert trace.coolant_C[1] == S[ix.S_T_COOLANT] and trace.derate[1] == S[ix.S_DERATE]
    assert trace.disc_max_C[0] == 0.0  # rows not recorded stay as they were
