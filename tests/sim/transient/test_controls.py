"""The controllers as the step runs them (sim.transient.controls), checked by hand.

The TCU upshifts at the rev limit whatever the shift map says (not in top gear, not on
the brakes), starts the shift timer and opens the lock-up; the driver aims at the lower
of the plan here and the plan one preview time ahead.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.transient.controls import previewed_target_mps, tcu_update

CDT = 0.01  # controller period, s


def _at_the_limiter(k: Kernel, gear: int, brake: float = 0.0) -> None:
    """Engine at its rev limit in ``gear``, the turbine (converter slipping) far below
    the upshift line, so the shift map alone would not upshift; wheels rolling with the
    car (no slip)."""
    k.S[ix.S_GEAR] = gear
    k.S[ix.S_SHIFT_TIMER] = 0.0
    k.S[ix.S_TIME_IN_GEAR] = 10.0
    k.S[ix.S_THROTTLE] = 0.2
    k.S[ix.S_BRAKE] = brake
    k.S[ix.S_OMEGA_E] = k.P[ix.P_REV_W]
    k.S[ix.S_OMEGA_T] = 0.0
    k.S[ix.S_LOCKUP] = 1.0
    speed = 20.0
    k.S[ix.S_OMEGA : ix.S_OMEGA + 4] = speed / k.P[ix.P_R0]


def test_the_tcu_upshifts_at_the_rev_limit(at_rest: Kernel) -> None:
    k = at_rest
    _at_the_limiter(k, 3)
    tcu_update(k.S, k.P, 20.0, CDT, False)
    assert k.S[ix.S_GEAR] == 4
    assert k.S[ix.S_SHIFT_TIMER] == k.P[ix.P_SHIFT_T]
    assert k.S[ix.S_TIME_IN_GEAR] == 0.0
    assert k.S[ix.S_LOCKUP] == 0.0  # the lock-up opens for the shift


def test_not_beyond_top_gear_and_not_on_the_brakes(at_rest: Kernel) -> None:
    """With the converter locked (turbine at the engine's speed, above the upshift line)
    top gear holds, and on the brakes no upshift is permitted at all."""
    k = at_rest
    top = int(k.P[ix.P_N_GEARS])
    _at_the_limiter(k, top)
    k.S[ix.S_OMEGA_T] = k.S[ix.S_OMEGA_E]
    tcu_update(k.S, k.P, 20.0, CDT, False)
    assert k.S[ix.S_GEAR] == top
    _at_the_limiter(k, 3, brake=0.5)
    k.S[ix.S_OMEGA_T] = k.S[ix.S_OMEGA_E]
    tcu_update(k.S, k.P, 20.0, CDT, False)
    assert k.S[ix.S_GEAR] == 3


def test_no_shift_while_the_shift_timer_runs(at_rest: Kernel) -> None:
    k = at_rest
    _at_the_limiter(k, 3)
    k.S[ix.S_SHIFT_TIMER] = 0.5
    tcu_update(k.S, k.P, 20.0, CDT, False)
    assert k.S[ix.S_GEAR] == 3
    assert k.S[ix.S_SHIFT_TIMER] == pytest.approx(0.5 - CDT)


def test_the_driver_aims_at_the_lower_of_here_and_ahead() -> None:
    """Plan per metre: 30 m/s up to 100 m, then 10 m/s. At s = 50 m and 20 m/s with a 2 s
    preview the driver looks 40 m ahead (90 m): still 30; at 25 m/s, 100 m ahead: 10."""
    plan = np.where(np.arange(300.0) < 100.0, 30.0, 10.0)
    assert previewed_target_mps(plan, 50.0, 20.0, 2.0) == pytest.approx(30.0)
    assert previewed_target_mps(plan, 50.0, 30.0, 2.0) == pytest.approx(10.0)
    assert previewed_target_mps(plan, 150.0, 0.0, 2.0) == pytest.approx(10.0)
