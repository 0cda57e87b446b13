"""The lost-control supervisor (sim.transient.watch), case by case."""

from __future__ import annotations

import math

from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.transient.watch import LEFT_ROUTE, NO_PROGRESS, WRONG_WAY, lost_control_cause


def _driving(k: Kernel, speed: float = 20.0) -> None:
    k.S[ix.S_VX] = speed
    k.S[ix.S_N_ROUTE] = 0.0
    k.S[ix.S_T] = 1.0
    k.S[ix.S_PROGRESS_T] = 0.0


def test_on_the_route_and_going_its_way_is_under_control(at_rest: Kernel) -> None:
    _driving(at_rest)
    assert lost_control_cause(at_rest.S, at_rest.P, 1.0, 0.0, 0.1) == 0


def test_further_off_the_route_than_allowed_left_it(at_rest: Kernel) -> None:
    k = at_rest
    _driving(k)
    k.S[ix.S_N_ROUTE] = -(k.P[ix.P_LC_MAX_OFFSET] + 0.1)
    assert lost_control_cause(k.S, k.P, 1.0, 0.0, 0.1) == LEFT_ROUTE


def test_driving_against_the_route_for_long_enough(at_rest: Kernel) -> None:
    """Travelling along -x on a route along +x: an error of pi, counted per check until
    it lasts longer than LC_HEADING_T."""
    k = at_rest
    _driving(k, -20.0)
    limit = k.P[ix.P_LC_HEADING_T]
    dt = 0.1
    causes = [lost_control_cause(k.S, k.P, 1.0, 0.0, dt) for _ in range(math.ceil(limit / dt) + 2)]
    assert causes[0] == 0 and causes[-1] == WRONG_WAY


def test_no_progress_in_the_progress_window(at_rest: Kernel) -> None:
    k = at_rest
    _driving(k, 0.0)
    k.S[ix.S_T] = k.P[ix.P_LC_PROGRESS_T] + 1.0
    k.S[ix.S_S_ROUTE] = k.S[ix.S_PROGRESS_S]
    assert lost_control_cause(k.S, k.P, 1.0, 0.0, 0.1) == NO_PROGRESS
