"""Ground under a wheel (sim.transient.terrain) on synthetic routes with known geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.sim.transient.terrain import (
    ROCK_CELL_M,
    centre_height_m,
    ground_under,
    rock_noise,
)

coord = st.floats(-500.0, 5000.0, allow_nan=False)
seed = st.integers(0, 10_000)

#: value noise: smoothstep slope <= 3/2 per cell on values in [0, 1], mapped to [-1, 1]
NOISE_LIPSCHITZ_PER_M = 2.0 * 1.5 / ROCK_CELL_M


@settings(max_examples=80, deadline=None)
@given(coord, st.floats(-10.0, 10.0), seed)
def test_rock_noise_range_and_determinism(s: float, n: float, sd: int) -> None:
    """Value noise lies in [-1, 1] and is a pure function of (s, n, seed)."""
    a = rock_noise(s, n, sd)
    assert -1.0 <= a <= 1.0
    assert rock_noise(s, n, sd) == a


@settings(max_examples=80, deadline=None)
@given(coord, st.floats(-10.0, 10.0), seed, st.floats(-0.05, 0.05), st.floats(-0.05, 0.05))
def test_rock_noise_is_continuous(s: float, n: float, sd: int, ds: float, dn: float) -> None:
    """Smoothstep-blended value noise is Lipschitz, also across cell edges:
    |noise(s + ds, n + dn) - noise(s, n)| <= (3 / cell) (|ds| + |dn|)."""
    change = abs(rock_noise(s + ds, n + dn, sd) - rock_noise(s, n, sd))
    assert change <= NOISE_LIPSCHITZ_PER_M * (abs(ds) + abs(dn)) + 1e-12


def test_rock_noise_seeds_differ_and_vary() -> None:
    """Another seed gives another field; the field is not constant and spans both signs."""
    s = np.linspace(0.0, 200.0, 401)
    a = np.array([rock_noise(float(x), 0.3, 1) for x in s])
    b = np.array([rock_noise(float(x), 0.3, 2) for x in s])
    assert not np.array_equal(a, b)
    assert a.min() < -0.3 and a.max() > 0.3


def _terrain(
    n_route: int = 200, grade: float = 0.0, cross: float = 0.0, rock: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    s = np.arange(n_route, dtype=np.float64)
    return (
        grade * s,
        np.zeros(n_route // 5 + 1),
        np.full(n_route, cross),
        np.full(n_route, rock),
    )


@settings(max_examples=40, deadline=None)
@given(
    st.floats(1.0, 190.0),
    st.floats(-4.0, 4.0),
    st.floats(-0.3, 0.3),
    st.floats(-math.pi, math.pi),
)
def test_flat_route_with_cross_slope(s: float, n: float, cross: float, heading: float) -> None:
    """Flat centre line, constant cross slope c: height = c n; the world gradient is c
    along the left normal (-ty, tx): (gx, gy) = (-c ty, c tx)."""
    tx, ty = math.cos(heading), math.sin(heading)
    h, gx, gy, idx = ground_under(_terrain(cross=cross), s, n, tx, ty, 5.0, 7)
    assert h == pytest.approx(cross * n, abs=1e-12)
    assert gx == pytest.approx(-cross * ty, abs=1e-12)
    assert gy == pytest.approx(cross * tx, abs=1e-12)
    assert idx == int(s)


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 190.0), st.floats(-4.0, 4.0), st.floats(-math.pi, math.pi))
def test_graded_route_with_cross_slope(s: float, n: float, heading: float) -> None:
    """Height g s + c n is a plane: gradient g t + c n_left in the world frame."""
    g, c = 0.08, -0.05
    tx, ty = math.cos(heading), math.sin(heading)
    h, gx, gy, _ = ground_under(_terrain(grade=g, cross=c), s, n, tx, ty, 5.0, 7)
    assert h == pytest.approx(g * s + c * n, rel=1e-12, abs=1e-12)
    assert gx == pytest.approx(g * tx - c * ty, abs=1e-12)
    assert gy == pytest.approx(g * ty + c * tx, abs=1e-12)


def test_rock_field_adds_a_bounded_height() -> None:
    """With rock amplitude A the height departs from the plane by A x noise, |.| <= A."""
    A = 0.12
    terrain = _terrain(cross=0.02, rock=A)
    dev = []
    for s in np.linspace(1.0, 190.0, 300):
        h, _, _, _ = ground_under(terrain, float(s), 0.7, 1.0, 0.0, 5.0, 11)
        dev.append(h - 0.02 * 0.7)
        assert dev[-1] == pytest.approx(A * rock_noise(float(s), 0.7, 11), abs=1e-12)
    assert max(abs(d) for d in dev) <= A
    assert max(abs(d) for d in dev) > 0.3 * A


def test_centre_height_sums_route_and_feature_grids() -> None:
    """Route height on the 1 m grid plus the feature height on the terrain_ds grid, both
    linearly interpolated: z(s) = 0.1 s + 0.02 s (features on a 5 m grid, linear too)."""
    rz = 0.1 * np.arange(100, dtype=np.float64)
    fh = 0.02 * 5.0 * np.arange(21, dtype=np.float64)
    for s in (0.0, 12.3, 47.5, 80.0):
        assert centre_height_m(rz, fh, s, 5.0) == pytest.approx(0.12 * s, abs=1e-12)
    # a bump in the feature grid: a triangle peaking at s = 25 m with 0.4 m
    bump = np.zeros(21)
    bump[5] = 0.4
    flat = np.zeros(100)
    assert centre_height_m(flat, bump, 25.0, 5.0) == pytest.approx(0.4)
    assert centre_height_m(flat, bump, 22.5, 5.0) == pytest.approx(0.2)
    assert centre_height_m(flat, bump, 31.0, 5.0) == 0.0
