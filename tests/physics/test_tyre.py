"""Hard-road rolling resistance and the TMeasy dynamic rolling radius (physics.tyre)."""

from __future__ import annotations

import pytest

from raidsim.physics.tyre import (
    dynamic_rolling_radius_m,
    rolling_resistance_coefficients,
    rolling_resistance_N,
)

V100 = 100.0 / 3.6


def _f(pressure_bar: float, v_mps: float) -> float:
    a, b = rolling_resistance_coefficients(pressure_bar)
    return a + b * v_mps * v_mps


def test_published_formula_at_2_bar_100_kmh() -> None:
    """f = 0.005 + (1/p)(0.01 + 0.0095 (v/100 km/h)^2): p 2 bar, 100 km/h -> 0.01475."""
    assert _f(2.0, V100) == pytest.approx(0.005 + 0.5 * 0.0195, rel=1e-12)
    assert _f(2.0, V100) == pytest.approx(0.01475, rel=1e-12)


def test_formula_at_other_points() -> None:
    """At rest f = 0.005 + 0.01/p; at 1 bar and 50 km/h f = 0.005 + 0.01 + 0.0095/4."""
    assert _f(2.0, 0.0) == pytest.approx(0.01)
    assert _f(1.0, 0.0) == pytest.approx(0.015)
    assert _f(1.0, V100 / 2) == pytest.approx(0.005 + 0.01 + 0.0095 / 4, rel=1e-12)
    assert _f(4.0, 2 * V100) == pytest.approx(0.005 + 0.25 * (0.01 + 0.038), rel=1e-12)


def test_rolling_resistance_force() -> None:
    """F = (a + b v^2) k_surface Fz: 0.01475 x 1.5 x 9 kN = 199.1 N."""
    a, b = rolling_resistance_coefficients(2.0)
    assert rolling_resistance_N(a, b, V100, 1.5, 9000.0) == pytest.approx(0.01475 * 1.5 * 9000.0)
    assert rolling_resistance_N(a, b, V100, 1.0, 0.0) == 0.0
    # even in v: the same resistance reversing
    assert rolling_resistance_N(a, b, -V100, 1.0, 9000.0) == rolling_resistance_N(
        a, b, V100, 1.0, 9000.0
    )


def test_dynamic_rolling_radius() -> None:
    """r_d = r0 - defl / 3 (Rill): 0.45 m with 30 mm deflection rolls on 0.44 m."""
    assert dynamic_rolling_radius_m(0.45, 0.0) == 0.45
    assert dynamic_rolling_radius_m(0.45, 0.03) == pytest.approx(0.44)
