"""The QSS forward pass's laws (sim.qss.forward), checked by hand."""

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
from raidsim.sim.qss.forward import V_STEP_MPS, engine_full_torque_Nm, full_load_at, resistance_N
from raidsim.sim.qss.tables import static_wheel_loads_N, surface_table
from raidsim.units import G_MPS2


@pytest.fixture
def arrays(d7xr: Vehicle) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    stage = straight_stage(200.0)
    P = build_params(d7xr, Ambient(), Settings(), stage)
    S = initial_state(d7xr, stage, P)
    return S, P, surface_table(d7xr, Settings()), static_wheel_loads_N(d7xr)


def test_a_grade_adds_its_weight_component(arrays) -> None:  # type: ignore[no-untyped-def]
    S, P, surf, loads = arrays
    flat = resistance_N(S, P, surf, loads, 0, 20.0, 0.0)
    up = resistance_N(S, P, surf, loads, 0, 20.0, 0.1)
    assert up - flat == pytest.approx(S[ix.S_M_TOTAL] * G_MPS2 * 0.1)


def test_drag_is_k_v_squared_in_still_air(arrays) -> None:  # type: ignore[no-untyped-def]
    S, P, surf, loads = arrays
    with_air = resistance_N(S, P, surf, loads, 0, 30.0, 0.0)
    P[ix.P_AERO_K] = 0.0
    without = resistance_N(S, P, surf, loads, 0, 30.0, 0.0)
    P[ix.P_AERO_K] = 0.5
    assert with_air - without > 0.0
    assert resistance_N(S, P, surf, loads, 0, 30.0, 0.0) - without == pytest.approx(0.5 * 900.0)


def test_full_throttle_takes_the_strongest_gear() -> None:
    """Two gears on a 3-point grid: gear 1 pulls 1 N throughout, gear 2 pulls 2 N at rest
    and nothing from the next point on. At rest gear 2 wins; three quarters of a grid
    step on, gear 2 gives 2 - 0.75 x 2 = 0.5 N and gear 1 wins."""
    force = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, 0.0]])
    mass = np.array([[100.0, 100.0, 100.0], [200.0, 200.0, 200.0]])
    tables = (force, mass)
    g, k, fr, f, m = full_load_at(tables, 0.0)
    assert (g, k, f, m) == (1, 0, 2.0, 200.0)
    g, k, fr, f, m = full_load_at(tables, 0.75 * V_STEP_MPS)
    assert (g, k) == (0, 0) and fr == pytest.approx(0.75) and f == pytest.approx(1.0)


def test_full_torque_stays_under_the_restrictor_and_scales(arrays) -> None:  # type: ignore[no-untyped-def]
    _, P, _, _ = arrays
    cap = P[ix.P_P_CAP]
    for w_e in (200.0, 400.0, 600.0):
        t = engine_full_torque_Nm(P, w_e, 1.0)
        assert t * w_e <= cap * (1 + 1e-12)
        assert engine_full_torque_Nm(P, w_e, 0.8) == pytest.approx(0.8 * t)
