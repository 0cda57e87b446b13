"""ABS release (control.abs): linear release beyond the slip limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.control.abs import abs_brake_scale
from raidsim.model.vehicle import BrakeSpec

#: the release band of the presets (``brakes.abs_release_slip``'s default)
REL = BrakeSpec.model_fields["abs_release_slip"].default


def test_abs_release_is_linear_beyond_the_limit() -> None:
    """Factor 1 within the slip limit, 1 - (|s| - s_lim) / 0.08 beyond, 0 at s_lim + 0.08."""
    lim = 0.12
    assert REL == 0.08
    assert abs_brake_scale(0.0, lim, REL) == 1.0
    assert abs_brake_scale(-0.1, lim, REL) == 1.0
    assert abs_brake_scale(-lim, lim, REL) == 1.0
    assert abs_brake_scale(-(lim + 0.5 * REL), lim, REL) == pytest.approx(0.5)
    assert abs_brake_scale(-(lim + REL), lim, REL) == pytest.approx(0.0, abs=1e-12)
    assert abs_brake_scale(-1.0, lim, REL) == 0.0
    assert abs_brake_scale(0.5, lim, REL) == 1.0  # driving slip: no release
    assert abs_brake_scale(-1.0, 0.0, REL) == 1.0  # limit 0: ABS off


def test_a_wider_release_band_keeps_more_brake() -> None:
    """Halfway through a 0.16 band the brake keeps half; in the 0.08 band it is gone."""
    assert abs_brake_scale(-(0.12 + 0.08), 0.12, 0.16) == pytest.approx(0.5)
    assert abs_brake_scale(-(0.12 + 0.08), 0.12, 0.08) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1.0, 1.0), st.floats(0.01, 0.3))
def test_abs_scale_is_bounded_and_monotone(s: float, lim: float) -> None:
    """0 <= factor <= 1, and more lock never gives more brake."""
    f = abs_brake_scale(s, lim, REL)
    assert 0.0 <= f <= 1.0
    assert abs_brake_scale(s - 0.01, lim, REL) <= f
