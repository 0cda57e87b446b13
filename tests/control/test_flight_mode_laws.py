"""Flight Mode building blocks (control.flight_mode): filter, state machine, airborne
torque request and the road-torque estimate, against closed forms."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.control.flight_mode import (
    FM_AIRBORNE,
    FM_GROUND,
    FM_RAMP_IN,
    flight_mode_next,
    low_pass_step,
    matching_throttle,
    road_torque_estimate_Nm,
)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 50.0), st.floats(1e-4, 1e-2), st.integers(1, 400))
def test_low_pass_step_response_closed_form(fc: float, dt: float, n: int) -> None:
    """Backward Euler y_k = (y_{k-1} + wc x) / (1 + wc), wc = 2 pi fc dt: from 0 under a
    unit step, y_n = 1 - (1 / (1 + wc))^n."""
    wc = 2.0 * math.pi * fc * dt
    y = 0.0
    for _ in range(n):
        y = low_pass_step(y, 1.0, fc, dt)
    assert y == pytest.approx(1.0 - (1.0 / (1.0 + wc)) ** n, rel=1e-10, abs=1e-14)


def test_low_pass_fixed_point_and_time_constant() -> None:
    """A settled filter stays; with small wc it reaches 1 - 1/e after ~ one time constant
    1 / (2 pi fc)."""
    assert low_pass_step(0.7, 0.7, 5.0, 1e-3) == 0.7
    fc, dt = 2.0, 1e-5
    n = round(1.0 / (2.0 * math.pi * fc) / dt)
    y = 0.0
    for _ in range(n):
        y = low_pass_step(y, 1.0, fc, dt)
    assert y == pytest.approx(1.0 - math.exp(-1.0), abs=1e-4)


def _next(state: int, votes: int, ramp: float, loaded: int = 0, sf: float = 0.0, dt: float = 0.01):
    return flight_mode_next(state, votes, 2.0, loaded, 3.0, sf, 15.0, ramp, 0.3, dt)


def test_state_machine_enters_on_votes() -> None:
    """Ground or ramp-in -> airborne with enough votes; fewer votes keep the state."""
    assert _next(FM_GROUND, 2, 0.0) == (FM_AIRBORNE, 0.0)
    assert _next(FM_GROUND, 1, 0.0) == (FM_GROUND, 0.0)
    # re-entry from the ramp-in (a second jump before the ramp ended)
    assert _next(FM_RAMP_IN, 3, 0.1)[0] == FM_AIRBORNE


def test_a_tyre_on_the_ground_is_not_a_flight() -> None:
    """IMU and wheel votes with one wheel not hanging (a skimmed crest) do not enter;
    the same votes with every wheel hanging do."""
    args = (FM_GROUND, 2, 2.0, 0, 3.0, 0.0, 15.0, 0.0, 0.3, 0.01)
    assert flight_mode_next(*args, False) == (FM_GROUND, 0.0)
    assert flight_mode_next(*args, True) == (FM_AIRBORNE, 0.0)


def test_state_machine_landing_paths() -> None:
    """Airborne -> ramp-in (timer reset) on enough loaded wheels, a vertical specific-force
    spike, or no vote left; otherwise it stays airborne."""
    assert _next(FM_AIRBORNE, 2, 0.0, loaded=3) == (FM_RAMP_IN, 0.0)
    assert _next(FM_AIRBORNE, 2, 0.0, sf=20.0) == (FM_RAMP_IN, 0.0)
    assert _next(FM_AIRBORNE, 0, 0.0) == (FM_RAMP_IN, 0.0)
    assert _next(FM_AIRBORNE, 1, 0.0, loaded=2, sf=10.0) == (FM_AIRBORNE, 0.0)


def test_ramp_in_ends_after_ramp_in_s() -> None:
    """The ramp-in counts dt up and returns to the ground state once ramp_in_s has passed."""
    state, ramp, t = FM_RAMP_IN, 0.0, 0.0
    dt = 0.01
    while state == FM_RAMP_IN:
        state, ramp = _next(state, 0, ramp, loaded=4, dt=dt)
        t += dt
        assert t < 1.0
    assert state == FM_GROUND
    assert t == pytest.approx(0.3, abs=dt + 1e-9)


def test_ground_state_holds_without_votes() -> None:
    assert _next(FM_GROUND, 0, 0.0, loaded=4) == (FM_GROUND, 0.0)


def test_matching_throttle() -> None:
    """T_req = -K (v_tread - v (1 + s*)), throttle = clip((T_req + T_f) / (T_full + T_f)):
    matched tread speed asks for just the friction torque; slow tread more, fast none."""
    K, Tf, Tfull = 40.0, 60.0, 540.0
    v, s = 20.0, 0.1
    assert matching_throttle(v * (1 + s), v, s, K, Tf, Tfull) == pytest.approx(0.1)
    assert matching_throttle(v * (1 + s) - 3.0, v, s, K, Tf, Tfull) == pytest.approx(0.3)
    assert matching_throttle(v * (1 + s) + 1.5, v, s, K, Tf, Tfull) == 0.0
    assert matching_throttle(0.0, v, s, K, Tf, Tfull) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.floats(-2e3, 2e3), st.floats(-3e3, 3e3), st.floats(-100.0, 100.0))
def test_road_torque_is_zero_on_a_free_wheel(t_shaft: float, t_brake: float, w0: float) -> None:
    """A wheel in the air obeys J w' = T_shaft + T_brake; the estimate
    T_road = T_shaft + T_brake - J dw/dt is then ~0."""
    J, dt = 1.8, 1e-3
    w1 = w0 + dt * (t_shaft + t_brake) / J
    got = road_torque_estimate_Nm(t_shaft, t_brake, J, w1, w0, dt)
    assert got == pytest.approx(0.0, abs=1e-6 * (1.0 + abs(t_shaft) + abs(t_brake) + abs(w0)))


def test_road_torque_at_constant_spin() -> None:
    """At constant wheel speed the road reacts all the shaft and brake torque."""
    assert road_torque_estimate_Nm(800.0, -150.0, 1.8, 40.0, 40.0, 1e-3) == pytest.approx(650.0)
