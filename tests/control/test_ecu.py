"""The ECU's limiter and idle throttle factors (control.ecu)."""

from __future__ import annotations

import pytest

from raidsim.control.ecu import (
    IDLE_GAIN_PER_RADPS,
    IDLE_MAX_THROTTLE,
    REV_LIMIT_BAND,
    idle_throttle,
    rev_limiter_factor,
    speed_limiter_factor,
)


def test_speed_limiter_factor() -> None:
    """A governor about the set speed: min(1, max(0, (v_lim + band/2 - v) / band)):
    1 below v_lim - band/2, 1/2 at v_lim, 0 from v_lim + band/2."""
    assert speed_limiter_factor(50.0, 40.0, 2.0) == 1.0
    assert speed_limiter_factor(50.0, 49.0, 2.0) == 1.0
    assert speed_limiter_factor(50.0, 50.0, 2.0) == pytest.approx(0.5)
    assert speed_limiter_factor(50.0, 51.0, 2.0) == 0.0
    assert speed_limiter_factor(50.0, 55.0, 2.0) == 0.0


def test_rev_limiter_factor() -> None:
    """Falls from 1 to 0 over the last 1 % of the rev limit."""
    lim = 700.0
    assert REV_LIMIT_BAND == 0.01
    assert rev_limiter_factor(lim, 0.98 * lim) == 1.0
    assert rev_limiter_factor(lim, 0.99 * lim) == pytest.approx(1.0)
    assert rev_limiter_factor(lim, 0.995 * lim) == pytest.approx(0.5)
    assert rev_limiter_factor(lim, lim) == 0.0
    assert rev_limiter_factor(lim, 1.1 * lim) == 0.0


def test_idle_throttle() -> None:
    """k (w_idle - w) below idle, capped; nothing at or above idle."""
    idle = 80.0
    assert idle_throttle(idle, 100.0) == 0.0
    assert idle_throttle(idle, idle) == 0.0
    assert idle_throttle(idle, 70.0) == pytest.approx(10.0 * IDLE_GAIN_PER_RADPS)
    assert idle_throttle(idle, 0.0) == pytest.approx(min(IDLE_MAX_THROTTLE, 80.0 * 0.004))
    assert idle_throttle(idle, -1000.0) == IDLE_MAX_THROTTLE
