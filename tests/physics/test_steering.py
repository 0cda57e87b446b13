"""Ideal Ackermann geometry (physics.steering)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.steering import ackermann_angles

steer = st.floats(1e-4, 0.6)
wheelbase = st.floats(2.4, 3.6)
track = st.floats(1.3, 2.0)


@settings(max_examples=60, deadline=None)
@given(steer, wheelbase, track)
def test_ackermann_condition_holds_exactly(delta: float, L: float, t: float) -> None:
    """Left turn (delta > 0): the inner (left) wheel steers more than the outer, both the
    same sign as delta, and cot(d_out) - cot(d_in) = t / L (the Ackermann condition)."""
    d_left, d_right = ackermann_angles(delta, L, t)
    assert d_left > delta > d_right > 0.0
    cot = lambda a: 1.0 / math.tan(a)  # noqa: E731
    assert cot(d_right) - cot(d_left) == pytest.approx(t / L, rel=1e-9)
    # the bicycle angle is the mean in cotangent: both wheels turn about one centre
    assert 0.5 * (cot(d_left) + cot(d_right)) == pytest.approx(cot(delta), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(steer, wheelbase, track)
def test_right_turn_mirrors_left_turn(delta: float, L: float, t: float) -> None:
    """Mirror symmetry: steering right swaps the wheels and the signs."""
    d_left, d_right = ackermann_angles(delta, L, t)
    m_left, m_right = ackermann_angles(-delta, L, t)
    assert m_left == pytest.approx(-d_right, rel=1e-12)
    assert m_right == pytest.approx(-d_left, rel=1e-12)
    assert abs(m_right) > abs(m_left)  # the right wheel is now the inner one


def test_zero_and_tiny_steer() -> None:
    """Straight ahead both wheels are straight; near zero both approach delta."""
    assert ackermann_angles(0.0, 2.9, 1.7) == (0.0, 0.0)
    d_left, d_right = ackermann_angles(2e-6, 2.9, 1.7)
    assert d_left == pytest.approx(2e-6, rel=1e-5)
    assert d_right == pytest.approx(2e-6, rel=1e-5)


def test_known_turn_radius() -> None:
    """R = 10 m turn, L = 3 m, t = 2 m: inner atan(3/9), outer atan(3/11)."""
    d_left, d_right = ackermann_angles(math.atan(3.0 / 10.0), 3.0, 2.0)
    assert d_left == pytest.approx(math.atan(3.0 / 9.0), rel=1e-12)
    assert d_right == pytest.approx(math.atan(3.0 / 11.0), rel=1e-12)
