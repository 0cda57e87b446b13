"""The composed step (sim.transient.step): the whole car, checked by hand.

Held in neutral with the pedals off on flat ground, the car at its static ride height
stays where it is (nothing pushes it); the step refuses parameters packed for another
layout before it moves anything.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.layout import N_CH, STATUS
from raidsim.sim.transient.step import step_chunk


def _held_in_neutral(k: Kernel) -> None:
    k.P[ix.P_MODE] = ix.MODE_HELD  # held: pedals, steering and gear as set
    k.S[ix.S_GEAR] = 0.0
    k.S[ix.S_THROTTLE] = k.S[ix.S_BRAKE] = k.S[ix.S_STEER] = 0.0


def test_a_car_at_rest_stays_at_rest(at_rest: Kernel) -> None:
    k = at_rest
    _held_in_neutral(k)
    x0, y0, z0 = k.S[ix.S_X], k.S[ix.S_Y], k.S[ix.S_Z]
    out = np.empty((200, N_CH))
    status, samples, bad = step_chunk(k.S, k.P, k.route, out, 2000)  # 2 s
    assert (status, bad) == (STATUS["RUNNING"], -1)
    assert samples == 2000 // int(k.P[ix.P_SAMPLE_EVERY])
    assert k.S[ix.S_T] == pytest.approx(2.0)
    assert np.hypot(k.S[ix.S_VX], k.S[ix.S_VY]) < 1e-3  # m/s
    assert abs(k.S[ix.S_X] - x0) < 1e-3 and abs(k.S[ix.S_Y] - y0) < 1e-3
    assert abs(k.S[ix.S_Z] - z0) < 2e-3  # settles within 2 mm of the static ride height
    assert abs(k.S[ix.S_PHI]) < 1e-4 and abs(k.S[ix.S_THETA]) < 1e-3


def test_another_layout_is_refused_before_any_step(at_rest: Kernel) -> None:
    k = at_rest
    k.P[ix.P_LAYOUT_HASH] += 1.0
    before = k.S.copy()
    status, samples, _ = step_chunk(k.S, k.P, k.route, np.empty((10, N_CH)), 100)
    assert (status, samples) == (STATUS["LAYOUT_MISMATCH"], 0)
    assert np.array_equal(k.S, before)
