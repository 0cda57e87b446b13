"""Full-load torque under a power cap and the first-order turbo lag (physics.engine)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.engine import boost_limited_torque_Nm, boost_step, full_load_torque_Nm

T_PROD = 700.0
P_CAP = 290e3
CORNER = P_CAP / T_PROD  # rad/s where P_cap / omega = T_prod


@settings(max_examples=50, deadline=None)
@given(st.floats(1.01, 1000.0))
def test_power_cap_binds_only_above_the_corner_speed(omega: float) -> None:
    """T_full = min(T_prod, P_cap / omega): T_prod below omega_c = P_cap / T_prod, the
    constant power P_cap above it."""
    got = full_load_torque_Nm(T_PROD, P_CAP, omega)
    if omega <= CORNER:
        assert got == T_PROD
    else:
        assert got == pytest.approx(P_CAP / omega, rel=1e-12)
        assert got * omega == pytest.approx(P_CAP, rel=1e-12)
    assert got <= T_PROD


def test_power_cap_known_points() -> None:
    """Corner at 414 rad/s (3957 rpm); at 6000 rpm the cap gives 461.5 N m."""
    assert full_load_torque_Nm(T_PROD, P_CAP, 0.9 * CORNER) == T_PROD
    assert full_load_torque_Nm(T_PROD, P_CAP, CORNER) == pytest.approx(T_PROD)
    w6000 = 6000.0 * 2.0 * math.pi / 60.0
    assert full_load_torque_Nm(T_PROD, P_CAP, w6000) == pytest.approx(461.55, abs=0.01)
    # below 1 rad/s the cap is ignored (no P / omega blow-up at standstill)
    assert full_load_torque_Nm(T_PROD, P_CAP, 0.5) == T_PROD
    assert full_load_torque_Nm(T_PROD, 100.0, 0.5) == T_PROD


def test_boost_step_has_the_explicit_euler_closed_form() -> None:
    """b' = (u - b) / tau stepped from 0 with constant u: b_n = u (1 - (1 - dt/tau)^n)."""
    tau, dt, u = 0.4, 1e-3, 0.8
    b = 0.0
    for n in range(1, 2001):
        b = boost_step(b, u, tau, dt)
        if n % 250 == 0:
            assert b == pytest.approx(u * (1.0 - (1.0 - dt / tau) ** n), rel=1e-10)


def test_boost_step_tends_to_the_exponential_for_small_dt() -> None:
    """As dt -> 0 the lag is b(t) = u (1 - exp(-t / tau)); the explicit step's error is
    u t dt exp(-t / tau) / (2 tau^2) to leading order, O(dt)."""
    tau, u, t = 0.5, 1.0, 1.0
    errors = []
    for dt in (1e-2, 1e-3, 1e-4):
        b = 0.0
        for _ in range(round(t / dt)):
            b = boost_step(b, u, tau, dt)
        errors.append(abs(b - u * (1.0 - math.exp(-t / tau))))
    lead = u * t * 1e-4 * math.exp(-t / tau) / (2.0 * tau * tau)
    assert errors[-1] == pytest.approx(lead, rel=0.01)
    assert errors[0] / errors[1] == pytest.approx(10.0, rel=0.1)
    assert errors[1] / errors[2] == pytest.approx(10.0, rel=0.1)


def test_boost_step_fixed_point_and_decay() -> None:
    """b = u is a fixed point; closing the throttle decays the boost without overshoot."""
    assert boost_step(0.6, 0.6, 0.4, 1e-3) == 0.6
    b = 1.0
    for _ in range(5000):
        b = boost_step(b, 0.0, 0.4, 1e-3)
        assert b >= 0.0
    assert b == pytest.approx(math.exp(-5.0 / 0.4), abs=1e-5)


def test_boost_limited_torque() -> None:
    """T = T_full (f_NA + (1 - f_NA) b): f_NA T_full with no boost, T_full at full boost,
    linear between."""
    assert boost_limited_torque_Nm(600.0, 0.4, 0.0) == pytest.approx(240.0)
    assert boost_limited_torque_Nm(600.0, 0.4, 1.0) == pytest.approx(600.0)
    assert boost_limited_torque_Nm(600.0, 0.4, 0.5) == pytest.approx(420.0)
    assert boost_limited_torque_Nm(600.0, 1.0, 0.0) == pytest.approx(600.0)
