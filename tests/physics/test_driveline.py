"""Driveline, lock-up clutch and brake-torque laws (physics.driveline, .converter,
.brakes) against their analytic forms."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.brakes import fade_scaled_brake_torque_Nm
from raidsim.physics.converter import lockup_clutch_torque_Nm
from raidsim.physics.driveline import clutch_lock_torque_Nm, halfshaft_torque_Nm, karnopp_spin

finite = st.floats(-1e4, 1e4, allow_nan=False)


def test_halfshaft_is_a_linear_spring_damper() -> None:
    """T = k theta + c (omega_sg - omega_w): zero at rest, superposes spring and damper."""
    k, c = 12_000.0, 40.0
    assert halfshaft_torque_Nm(k, c, 0.0, 0.0) == 0.0
    assert halfshaft_torque_Nm(k, c, 0.05, 0.0) == pytest.approx(600.0)
    assert halfshaft_torque_Nm(k, c, 0.0, -2.0) == pytest.approx(-80.0)
    assert halfshaft_torque_Nm(k, c, 0.05, -2.0) == pytest.approx(520.0)
    # odd in (twist, slip)
    assert halfshaft_torque_Nm(k, c, -0.05, 2.0) == pytest.approx(-520.0)


@settings(max_examples=50, deadline=None)
@given(finite, st.floats(0.0, 5e3))
def test_lock_clutch_passes_torque_up_to_capacity(t_lock: float, cap: float) -> None:
    """T = clip(T_lock, -T_cap, T_cap): the torque that would lock the clutch while it can
    hold it, else its capacity with the sign of T_lock; odd in T_lock."""
    got = clutch_lock_torque_Nm(t_lock, cap)
    if abs(t_lock) <= cap:
        assert got == t_lock
    else:
        assert got == math.copysign(cap, t_lock)
    assert abs(got) <= cap
    assert clutch_lock_torque_Nm(-t_lock, cap) == -got


@settings(max_examples=60, deadline=None)
@given(st.floats(-500.0, 500.0), st.floats(0.0, 50.0))
def test_karnopp_friction_never_reverses_the_spin(omega: float, step: float) -> None:
    """Friction removes up to ``step`` rad/s and stops the wheel inside the step:
    |w+| = max(0, |w| - step) with sign(w+) = sign(w) (or zero), never reversed."""
    got = karnopp_spin(omega, step)
    assert got * omega >= 0.0
    assert abs(got) == pytest.approx(max(0.0, abs(omega) - step), abs=1e-12)
    if abs(omega) <= step:
        assert got == 0.0


def test_karnopp_known_values() -> None:
    assert karnopp_spin(10.0, 3.0) == 7.0
    assert karnopp_spin(-10.0, 3.0) == -7.0
    assert karnopp_spin(2.0, 3.0) == 0.0
    assert karnopp_spin(-3.0, 3.0) == 0.0
    assert karnopp_spin(4.0, 0.0) == 4.0


@settings(max_examples=50, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(1.0, 3e3))
def test_lockup_clutch_is_odd_and_bounded_by_capacity(slip: float, cap: float) -> None:
    """T = T_cap dw / (|dw| + 1 rad/s): odd in the slip, |T| < T_cap, T dw >= 0."""
    got = lockup_clutch_torque_Nm(cap, slip)
    assert lockup_clutch_torque_Nm(cap, -slip) == -got
    assert abs(got) < cap
    assert got * slip >= 0.0


def test_lockup_clutch_saturates_at_capacity() -> None:
    """Half the capacity at 1 rad/s slip, monotone, and -> T_cap as the slip grows."""
    cap = 800.0
    assert lockup_clutch_torque_Nm(cap, 0.0) == 0.0
    assert lockup_clutch_torque_Nm(cap, 1.0) == pytest.approx(400.0)
    assert lockup_clutch_torque_Nm(cap, 1e6) == pytest.approx(cap, rel=1e-5)
    assert lockup_clutch_torque_Nm(cap, -1e6) == pytest.approx(-cap, rel=1e-5)
    values = [lockup_clutch_torque_Nm(cap, s) for s in (-50.0, -5.0, -0.5, 0.0, 0.5, 5.0, 50.0)]
    assert values == sorted(values)


def test_fade_scaled_brake_torque() -> None:
    """T_b = pedal T_max mu / mu_nom: the rated torque at full pedal and nominal mu, linear
    in pedal, in proportion to the pad friction when it fades."""
    assert fade_scaled_brake_torque_Nm(1.0, 4000.0, 0.45, 0.45) == pytest.approx(4000.0)
    assert fade_scaled_brake_torque_Nm(0.25, 4000.0, 0.45, 0.45) == pytest.approx(1000.0)
    assert fade_scaled_brake_torque_Nm(1.0, 4000.0, 0.30, 0.45) == pytest.approx(4000.0 * 2 / 3)
    assert fade_scaled_brake_torque_Nm(0.0, 4000.0, 0.30, 0.45) == 0.0
