"""Stanley steering, rate limit, PI pedals and angle wrapping (control.driver)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.control.driver import (
    SPEED_INTEGRAL_LIMIT_M,
    STANLEY_SOFTENING_MPS,
    pi_pedals,
    rate_limited,
    stanley_steer_rad,
    wrap_angle_rad,
)

GAIN, L, MAX_STEER = 2.5, 2.9, 0.55
N = 400
#: straight route along +x on the 1 m grid
SX = np.arange(N, dtype=np.float64)
SY = np.zeros(N)


def _steer_straight(
    x: float, y: float, yaw: float, v: float, cg_to_front: float = 1.4, preview: float = 0.5
) -> float:
    return stanley_steer_rad(
        x,
        y,
        yaw,
        math.cos(yaw),
        math.sin(yaw),
        x,
        v,
        SX,
        SY,
        cg_to_front,
        preview,
        GAIN,
        L,
        MAX_STEER,
    )


def test_on_the_line_and_aligned_steers_zero() -> None:
    """Straight route, car on the line and on its heading: no error, no curvature: 0."""
    for v in (0.0, 5.0, 30.0):
        assert _steer_straight(100.0, 0.0, 0.0, v) == 0.0


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 3.0), st.floats(0.0, 40.0))
def test_offset_left_steers_right_with_the_stanley_magnitude(e: float, v: float) -> None:
    """Front axle e metres left of a straight line (+ left), aligned: delta =
    atan(-k e / (v + v0)), i.e. a right (negative) steer of that magnitude, clipped."""
    got = _steer_straight(150.0, e, 0.0, v)
    want = math.atan(-GAIN * e / (v + STANLEY_SOFTENING_MPS))
    assert got < 0.0
    assert got == pytest.approx(max(-MAX_STEER, want), rel=1e-12)
    assert _steer_straight(150.0, -e, 0.0, v) == pytest.approx(-got, rel=1e-12)


def test_large_offset_clips_at_max_steer() -> None:
    assert _steer_straight(150.0, 50.0, 0.0, 1.0) == -MAX_STEER
    assert _steer_straight(150.0, -50.0, 0.0, 1.0) == MAX_STEER


def test_heading_error_alone() -> None:
    """Measured at the CG on the line (no front offset): delta = psi_route - psi."""
    assert _steer_straight(150.0, 0.0, 0.1, 20.0, cg_to_front=0.0) == pytest.approx(-0.1)
    assert _steer_straight(150.0, 0.0, -0.2, 20.0, cg_to_front=0.0) == pytest.approx(0.2)


def test_heading_error_wraps_across_pi() -> None:
    """Route heading pi (along -x), car yaw -pi + 0.05 (= pi + 0.05): the error is -0.05,
    not 2 pi - 0.05."""
    rx, ry = -SX, SY
    yaw = -math.pi + 0.05
    got = stanley_steer_rad(
        -100.0,
        0.0,
        yaw,
        math.cos(yaw),
        math.sin(yaw),
        100.0,
        10.0,
        rx,
        ry,
        0.0,
        0.5,
        GAIN,
        L,
        MAX_STEER,
    )
    assert got == pytest.approx(-0.05, abs=1e-12)


def test_curvature_feed_forward_on_a_circle() -> None:
    """On a left circle of radius R with 1 m chords, car on a chord and along it: delta =
    L kappa with kappa the chord-to-chord turn 2 asin(1/(2R)) per metre (~ L / R, the
    bicycle angle of the turn)."""
    R = 60.0
    dth = 2.0 * math.asin(1.0 / (2.0 * R))
    th = dth * np.arange(N)
    rx, ry = R * np.sin(th), R * (1.0 - np.cos(th))
    k = 40
    x, y = 0.5 * (rx[k] + rx[k + 1]), 0.5 * (ry[k] + ry[k + 1])
    yaw = math.atan2(ry[k + 1] - ry[k], rx[k + 1] - rx[k])
    got = stanley_steer_rad(
        x,
        y,
        yaw,
        math.cos(yaw),
        math.sin(yaw),
        k + 0.5,
        15.0,
        rx,
        ry,
        0.0,
        0.0,
        GAIN,
        L,
        MAX_STEER,
    )
    assert got == pytest.approx(L * dth, rel=1e-9)
    assert got == pytest.approx(L / R, rel=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.floats(-10.0, 10.0), st.floats(-10.0, 10.0), st.floats(0.0, 2.0))
def test_rate_limit(current: float, target: float, step: float) -> None:
    """Moves towards the target by min(step, |target - current|), never past it."""
    got = rate_limited(current, target, step)
    assert abs(got - current) <= step + 1e-12
    assert abs(target - got) == pytest.approx(max(0.0, abs(target - current) - step), abs=1e-9)
    assert (got - current) * (target - current) >= 0.0


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-30.0, 30.0),
    st.floats(-SPEED_INTEGRAL_LIMIT_M, SPEED_INTEGRAL_LIMIT_M),
    st.floats(0.0, 2.0),
    st.floats(0.0, 0.5),
    st.floats(0.1, 3.0),
)
def test_pi_pedals_properties(e: float, integ: float, kp: float, ki: float, g: float) -> None:
    """u = kp e + ki I; throttle = clip(u), brake = clip(-g u); never both pressed; the
    integral advances by e dt unless a pedal is saturated in the error's direction."""
    dt = 0.01
    thr, brk, new = pi_pedals(e, integ, kp, ki, g, dt)
    u = kp * e + ki * integ
    assert thr == pytest.approx(min(1.0, max(0.0, u)))
    assert brk == pytest.approx(min(1.0, max(0.0, -g * u)))
    assert 0.0 <= thr <= 1.0 and 0.0 <= brk <= 1.0
    assert thr * brk == 0.0
    frozen = (thr >= 1.0 and e > 0.0) or (brk >= 1.0 and e < 0.0)
    if frozen:
        assert new == integ
    else:
        limit = SPEED_INTEGRAL_LIMIT_M
        assert new == pytest.approx(min(limit, max(-limit, integ + e * dt)))


def test_pi_anti_windup_cases() -> None:
    """Full throttle with the car too slow freezes the integral; full brake with the car
    too fast too; saturated against the error it unwinds."""
    assert pi_pedals(5.0, 3.0, 1.0, 0.1, 1.0, 0.01) == (1.0, 0.0, 3.0)
    assert pi_pedals(-5.0, -3.0, 1.0, 0.1, 1.0, 0.01) == (0.0, 1.0, -3.0)
    # integral alone saturates the throttle while the car is now too fast: unwind
    thr, brk, new = pi_pedals(-0.1, 20.0, 0.1, 0.2, 1.0, 0.01)
    assert thr == 1.0 and brk == 0.0
    assert new == pytest.approx(20.0 - 0.001)
    # unsaturated: plain integration
    assert pi_pedals(0.5, 0.0, 0.2, 0.1, 1.0, 0.01) == pytest.approx((0.1, 0.0, 0.005))
    # clamped at the integral limit
    assert pi_pedals(0.5, SPEED_INTEGRAL_LIMIT_M, 0.0, 0.0, 1.0, 1.0)[2] == SPEED_INTEGRAL_LIMIT_M


@settings(max_examples=80, deadline=None)
@given(st.floats(-100.0, 100.0))
def test_wrap_angle(a: float) -> None:
    """Into [-pi, pi), congruent to a modulo 2 pi."""
    w = wrap_angle_rad(a)
    assert -math.pi <= w < math.pi
    k = (a - w) / (2.0 * math.pi)
    assert k == pytest.approx(round(k), abs=1e-9)


def test_wrap_angle_values() -> None:
    assert wrap_angle_rad(0.0) == 0.0
    assert wrap_angle_rad(math.pi) == pytest.approx(-math.pi)
    assert wrap_angle_rad(3.0 * math.pi / 2.0) == pytest.approx(-math.pi / 2.0)
    assert wrap_angle_rad(-3.0 * math.pi / 2.0) == pytest.approx(math.pi / 2.0)
