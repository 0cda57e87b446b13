"""The TCU a race engineer recognises: an upshift at the rev limit whatever the slip or
the converter, slip hold only below it, sand mode holding the gear on a lift."""

from __future__ import annotations

import numpy as np
import pytest

import raidsim as rs
from raidsim.control.tcu import (
    LIMIT_UPSHIFT_FRACTION,
    SAND_MIN_UPSHIFT_THROTTLE,
    at_rev_limit,
    upshift_permitted,
)
from raidsim.route.scenarios import straight_stage
from raidsim.sim.runner import planned_model


def test_at_the_limit_always_upshifts_unless_braking() -> None:
    assert at_rev_limit(LIMIT_UPSHIFT_FRACTION * 7000.0, 7000.0, 0.0)
    assert not at_rev_limit(0.97 * 7000.0, 7000.0, 0.0)
    assert not at_rev_limit(7000.0, 7000.0, 0.5)


def test_slip_and_sand_hold_below_the_limit() -> None:
    assert upshift_permitted(1.0, 0.8, 0.05, 0.15, 0.0, False, 0.3)
    assert not upshift_permitted(1.0, 0.8, 0.20, 0.15, 0.0, False, 1.0)  # wheels spin
    assert not upshift_permitted(0.5, 0.8, 0.05, 0.15, 0.0, False, 1.0)  # too soon
    assert not upshift_permitted(1.0, 0.8, 0.05, 0.15, 0.1, False, 1.0)  # braking
    # sand mode: a lift (crest) does not upshift, a push does
    assert not upshift_permitted(1.0, 0.8, 0.05, 0.15, 0.0, True, 0.3)
    assert upshift_permitted(1.0, 0.8, 0.05, 0.15, 0.0, True, SAND_MIN_UPSHIFT_THROTTLE)


def _longest_limiter_dwell_s(ch: dict[str, np.ndarray], rev_rpm: float) -> float:
    on = (ch["engine_speed_rpm"] > 0.985 * rev_rpm) & (ch["throttle"] > 0.9)
    best = cur = 0
    for x in on:
        cur = cur + 1 if x else 0
        best = max(best, cur)
    dt = float(ch["time_s"][1] - ch["time_s"][0])
    return best * dt


def test_no_dwell_on_the_limiter_at_full_throttle() -> None:
    """Standing start at full throttle on tarmac-like ground, first gear converter slip
    and all: no more than 0.1 s on the limiter (it was ~2 s in first gear)."""
    for name in ("octa", "d7x-r"):
        car = rs.load_vehicle(name)
        ch = planned_model(car, straight_stage(3000.0)).run_for(40.0)
        assert _longest_limiter_dwell_s(ch, car.engine.rev_limit_rpm) <= 0.1, name
        assert ch["gear"].max() >= 5, name


def test_d7xr_reaches_and_holds_its_limiter() -> None:
    """The D7X-R's 170 km/h limiter (preset) is reached and held on a long flat
    straight: the plan goes to the limiter's speed and the limiter governs."""
    car = rs.load_vehicle("d7x-r")
    ch = planned_model(car, straight_stage(8000.0)).run_for(150.0)
    v_kmh = ch["speed_mps"] * 3.6
    assert v_kmh.max() == pytest.approx(170.0, abs=1.0)
    held = v_kmh[ch["time_s"] > 120.0]
    assert np.all(np.abs(held - 170.0) < 1.0)
