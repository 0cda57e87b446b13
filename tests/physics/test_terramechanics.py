"""Contact-patch geometry, Janosi thrust limit and the sand speed factor."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.terramechanics import (
    SAND_SPEED_REF_MPS,
    contact_length_m,
    janosi_thrust_cap_N,
    sand_speed_factor,
)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.3, 0.6), st.floats(1e-4, 1.0))  # the Pythagoras form cancels below
def test_contact_length_is_the_chord_of_the_flattened_circle(r: float, frac: float) -> None:
    """A circle of radius r cut by a line d inside its rim has the chord
    2 sqrt(r^2 - (r - d)^2) = 2 sqrt(2 r d - d^2) (Pythagoras)."""
    d = frac * r
    assert contact_length_m(r, d) == pytest.approx(
        2.0 * math.sqrt(r * r - (r - d) ** 2), rel=1e-9, abs=1e-12
    )


def test_contact_length_limits() -> None:
    """No deflection: no patch; d = r: the full diameter; negative deflection clamps."""
    assert contact_length_m(0.45, 0.0) == 0.0
    assert contact_length_m(0.45, 0.45) == pytest.approx(0.9)
    assert contact_length_m(0.45, -0.01) == 0.0
    # 30 mm on a 0.45 m tyre: 2 sqrt(0.027 - 0.0009) = 0.3231 m
    assert contact_length_m(0.45, 0.03) == pytest.approx(0.32311, abs=1e-5)


def test_janosi_thrust_cap() -> None:
    """F_max = A c + W tan(phi), A = b l: b 0.3 m, l 0.4 m, c 1.04 kPa, W 8 kN, phi 28 deg."""
    tan_phi = math.tan(math.radians(28.0))
    got = janosi_thrust_cap_N(0.3, 0.4, 1.04e3, 8000.0, tan_phi)
    assert got == pytest.approx(0.12 * 1.04e3 + 8000.0 * tan_phi, rel=1e-12)
    assert got == pytest.approx(4378.48, abs=0.01)
    # cohesionless sand: pure Coulomb friction
    assert janosi_thrust_cap_N(0.3, 0.4, 0.0, 8000.0, tan_phi) == pytest.approx(8000.0 * tan_phi)
    # unloaded wheel on cohesive soil keeps the adhesion term
    assert janosi_thrust_cap_N(0.3, 0.4, 1.04e3, 0.0, tan_phi) == pytest.approx(124.8)


def test_sand_speed_factor() -> None:
    """1 / (1 + v / v_ref): 1 at rest, 1/2 at v_ref, 1/3 at 2 v_ref, decreasing."""
    v_ref = SAND_SPEED_REF_MPS
    assert sand_speed_factor(0.0, v_ref) == 1.0
    assert sand_speed_factor(v_ref, v_ref) == pytest.approx(0.5)
    assert sand_speed_factor(2.0 * v_ref, v_ref) == pytest.approx(1.0 / 3.0)
    values = [sand_speed_factor(v, v_ref) for v in (0.0, 5.0, 10.0, 20.0, 40.0)]
    assert values == sorted(values, reverse=True)
