"""The binding-limit codes (raidsim.control.limits), checked on hand-made plans."""

from __future__ import annotations

import numpy as np

from raidsim.control.limits import COLOURS, LABELS, Limit, binding_limits


def test_the_lowest_term_binds_and_braking_below_every_term() -> None:
    corner = np.array([10.0, 30.0, 30.0, 30.0])
    zone = np.array([20.0, 20.0, 40.0, 40.0])
    limiter = 35.0
    # metre 3: the backward pass lowered the plan to 25 m/s for a slower metre ahead
    plan = np.array([10.0, 20.0, 30.0, 25.0])
    code = binding_limits(plan, {Limit.CORNER: corner, Limit.ZONE: zone, Limit.LIMITER: limiter})
    assert code.dtype == np.int8
    assert list(code) == [Limit.CORNER, Limit.ZONE, Limit.CORNER, Limit.BRAKING]


def test_a_tie_goes_to_the_first_term_named_and_no_terms_is_none() -> None:
    plan = np.array([15.0, 15.0])
    code = binding_limits(plan, {Limit.RIDE: 15.0, Limit.SHOCK: 15.0})
    assert list(code) == [Limit.RIDE, Limit.RIDE]
    assert list(binding_limits(plan, {})) == [Limit.NONE, Limit.NONE]


def test_every_limit_has_a_label_and_a_colour_and_codes_fit_int8() -> None:
    assert set(LABELS) == set(Limit) == set(COLOURS)
    assert len(set(LABELS.values())) == len(Limit)
    assert all(0 <= int(m) <= 127 for m in Limit)
