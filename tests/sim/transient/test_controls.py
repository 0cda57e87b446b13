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
from raidsim.sim.layout import ROUTE
from raidsim.sim.transient.controls import controller_update, previewed_target_mps, tcu_update

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


def _pedals_after(k: Kernel, air_s: float, at_crest: bool = False, throttle: float = 0.5) -> float:
    """One controller update of the car in speed-hold at 20 m/s against a 30 m/s plan,
    ``air_s`` seconds into a flight (over a dune's brink with ``at_crest``) with the
    throttle at ``throttle``: the throttle it leaves."""
    k.P[ix.P_MODE] = ix.MODE_SPEED_HOLD
    k.S[ix.S_AIR_T] = air_s
    k.S[ix.S_THROTTLE] = throttle
    k.S[ix.S_CTRL_TIMER] = k.P[ix.P_CTRL_DT]
    plan = np.full_like(k.route[ROUTE["target_speed"]], 30.0)
    rx, ry, surface = k.route[ROUTE["x"]], k.route[ROUTE["y"]], k.route[ROUTE["surface"]]
    crest = np.zeros_like(plan)
    crest[90:120] = 1.0 if at_crest else 0.0
    controller_update(k.S, k.P, rx, ry, plan, surface, crest, 100.0, 20.0, 1.0, 0.0, 30.0)
    return float(k.S[ix.S_THROTTLE])


def test_the_crew_lifts_once_it_has_been_in_the_air_its_reaction_time(at_rest: Kernel) -> None:
    """10 m/s short of the plan the PI asks for throttle; after ``airborne_lift_s`` (0.25 s)
    without a tyre on the ground the crew has lifted (docs/physics.md §11.4)."""
    lift_s = at_rest.P[ix.P_DRV_AIR_LIFT_T]
    assert lift_s == pytest.approx(0.25)
    assert _pedals_after(at_rest, 0.0) > 0.5
    assert _pedals_after(at_rest, 0.5 * lift_s) > 0.5
    assert _pedals_after(at_rest, 2.0 * lift_s) == 0.0


def test_the_crew_lifts_at_once_off_a_brink_it_knows_is_there(at_rest: Kernel) -> None:
    """Over a dune's crest (the route's ``crest`` marker) the crew comes off the throttle
    as soon as no tyre touches, with no reaction time; on the ground there it holds the
    plan's speed like anywhere (docs/physics.md §11.4, §14.2)."""
    assert _pedals_after(at_rest, 0.0, at_crest=True) > 0.5
    assert _pedals_after(at_rest, 0.01, at_crest=True) == 0.0
    assert _pedals_after(at_rest, 0.01, at_crest=False) > 0.5


def test_a_crew_off_the_throttle_in_the_air_stays_off_until_it_lands(at_rest: Kernel) -> None:
    """Lifted in the air (past a brink, or after its reaction time), the crew does not open
    up again before a tyre is down: the PI's demand waits for the landing."""
    assert _pedals_after(at_rest, 0.01, throttle=0.0) == 0.0
    assert _pedals_after(at_rest, 0.0, throttle=0.0) > 0.5
