"""Fuel leaving the sprung mass (sim.thermal.fuel_mass_step): mass, CG and inertia
bookkeeping against the centre-of-mass laws, in the state (the parameters keep the
start-line values)."""

from __future__ import annotations

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.sim import indices as ix
from raidsim.sim.assemble import initial_state
from raidsim.sim.layout import N_PARAM, N_STATE
from raidsim.sim.pack import build_params
from raidsim.sim.thermal import fuel_mass_step

TOUCHED = {ix.S_M_TOTAL, ix.S_M_SPRUNG, ix.S_IYY, ix.S_IZZ, ix.S_TANK_X, ix.S_ACC_FUEL} | {
    ix.S_CX + i for i in range(4)
}


@pytest.fixture(scope="module")
def arrays(d7xr: Vehicle) -> tuple[np.ndarray, np.ndarray]:
    stage = rs.load_stage("default")
    P = build_params(d7xr, Ambient(), Settings(), stage)
    S = initial_state(d7xr, stage, P)
    assert P.shape == (N_PARAM,) and S.shape == (N_STATE,)
    return S, P


def _step(S0: np.ndarray, P0: np.ndarray, dm: float) -> tuple[np.ndarray, np.ndarray]:
    """One fuel-mass step on a copy of the state; returns (state before with the fuel
    booked, state after). The parameters are not involved (the start-line values)."""
    S = S0.copy()
    S[ix.S_ACC_FUEL] = dm
    before = S.copy()
    fuel_mass_step(S)
    return before, S


@pytest.mark.parametrize("dm", [0.01, 1.0, 40.0])
def test_mass_leaves_and_the_first_moment_is_conserved(
    arrays: tuple[np.ndarray, np.ndarray], dm: float
) -> None:
    """Removing dm at the tank (x_t from the CG): the remaining mass M - dm has its CG at
    delta with (M - dm) delta + dm x_t = 0 (the old CG, the origin, is their common
    centre of mass). Every body point's offset from the CG moves by -delta."""
    S0, P0 = arrays
    P0, P = _step(S0, P0, dm)
    M, x_t = P0[ix.S_M_SPRUNG], P0[ix.S_TANK_X]
    assert x_t != 0.0
    assert P[ix.S_M_SPRUNG] == pytest.approx(M - dm, rel=1e-15)
    assert P[ix.S_M_TOTAL] == pytest.approx(P0[ix.S_M_TOTAL] - dm, rel=1e-15)
    cx0, cx = P0[ix.S_CX : ix.S_CX + 4], P[ix.S_CX : ix.S_CX + 4]
    delta = cx0 - cx  # CG displacement in the old frame
    assert np.allclose(delta, delta[0], rtol=0.0, atol=1e-15)
    assert P[ix.S_M_SPRUNG] * delta[0] + dm * x_t == pytest.approx(0.0, abs=1e-12 * M)
    # the CG moves away from the tank
    assert delta[0] * x_t < 0.0
    # rigid geometry: hub-to-hub and hub-to-tank distances are unchanged
    assert np.allclose(cx - P[ix.S_TANK_X], cx0 - x_t, atol=1e-12)
    # lateral hub offsets, roll inertia and everything else untouched
    changed = {int(i) for i in np.flatnonzero(P != P0)}
    assert changed <= TOUCHED


def test_inertia_drops_by_the_tank_m_x_squared(arrays: tuple[np.ndarray, np.ndarray]) -> None:
    """Iyy and Izz lose dm x_t^2 (about the old CG). The exact parallel-axis value about
    the new CG is lower by a further (M - dm) delta^2 = dm^2 x_t^2 / (M - dm), second
    order in dm: < 1e-3 of the change for a 1 kg step."""
    S0, P0 = arrays
    dm = 1.0
    P0, P = _step(S0, P0, dm)
    M, x_t = P0[ix.S_M_SPRUNG], P0[ix.S_TANK_X]
    for i in (ix.S_IYY, ix.S_IZZ):
        assert P0[i] - P[i] == pytest.approx(dm * x_t * x_t, rel=1e-12)
        exact = P0[i] - dm * x_t * x_t - dm * dm * x_t * x_t / (M - dm)
        assert abs(P[i] - exact) < 1e-3 * dm * x_t * x_t
    assert P[ix.S_ACC_FUEL] == P0[ix.S_ACC_FUEL]


def test_many_small_steps_equal_one_large_one(arrays: tuple[np.ndarray, np.ndarray]) -> None:
    """The tank is a fixed body point: burning D in n steps moves the CG to
    -D x_t / (M - D), the same as one step of D (and the tank offset follows)."""
    S0, P0 = arrays
    D, n = 60.0, 200
    P = S0.copy()
    for _ in range(n):
        P[ix.S_ACC_FUEL] = D / n
        fuel_mass_step(P)
    _, P1 = _step(S0, P0, D)
    M, x_t = S0[ix.S_M_SPRUNG], S0[ix.S_TANK_X]
    want = -D * x_t / (M - D)
    assert S0[ix.S_CX] - P[ix.S_CX] == pytest.approx(want, rel=1e-9)
    assert S0[ix.S_CX] - P1[ix.S_CX] == pytest.approx(want, rel=1e-12)
    assert P[ix.S_TANK_X] == pytest.approx(x_t - want, rel=1e-9)
    assert P[ix.S_M_SPRUNG] == pytest.approx(M - D, rel=1e-12)


def test_no_fuel_burnt_changes_nothing(arrays: tuple[np.ndarray, np.ndarray]) -> None:
    S0, P0 = arrays
    P0, P = _step(S0, P0, 0.0)
    assert np.array_equal(P, P0)
