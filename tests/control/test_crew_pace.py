"""The crew's pace factor (control.driver.crew_pace, body_slip_angle_rad)."""

from __future__ import annotations

import math

import pytest

from raidsim.control.driver import body_slip_angle_rad, crew_pace

G = 9.80665


def pace(
    p: float, n: float, sf: float = G, dt: float = 0.01, sliding: bool = False, sink: float = 3.0
) -> float:
    return crew_pace(p, n, sf, sink, G, dt, 1.5, 0.08, 0.55, 0.1, 3.0, 0.8, sliding, 0.7)


def test_on_the_line_full_pace() -> None:
    assert pace(1.0, 0.0) == 1.0
    assert pace(1.0, -1.5) == 1.0


def test_backs_off_at_once_in_proportion_to_the_offset() -> None:
    """1 - k (|n| - n_tol): 4 m off with k = 0.08/m and 1.5 m tolerance gives 0.8."""
    assert pace(1.0, 4.0) == pytest.approx(0.8)
    assert pace(1.0, -4.0) == pytest.approx(0.8)
    assert pace(1.0, 50.0) == pytest.approx(0.55)  # never below the minimum


def test_hard_landing_and_slide() -> None:
    assert pace(1.0, 0.0, sf=4.0 * G) == pytest.approx(0.8)
    assert pace(1.0, 0.0, sf=2.0 * G) == 1.0
    # the compression of a take-off ramp (going up) is not a landing
    assert pace(1.0, 0.0, sf=4.0 * G, sink=-2.0) == 1.0
    assert pace(1.0, 0.0, sliding=True) == pytest.approx(0.7)


def test_recovers_at_the_given_rate() -> None:
    """From 0.6 back on the line: +0.1 per second, so 2 s later 0.8."""
    p = 0.6
    for _ in range(200):
        p = pace(p, 0.0)
    assert p == pytest.approx(0.8, abs=1e-9)


def test_body_slip_angle() -> None:
    assert body_slip_angle_rad(20.0, 0.0, 1.0, 0.0) == 0.0
    # heading east, moving north-east: 45 deg slip
    assert body_slip_angle_rad(10.0, 10.0, 1.0, 0.0) == pytest.approx(math.pi / 4)
    assert body_slip_angle_rad(0.0, 0.0, 1.0, 0.0) == 0.0
