"""Projection of the CG onto the route polyline (sim.transient.tracking)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.sim import indices as ix
from raidsim.sim.layout import N_STATE
from raidsim.sim.transient.tracking import track_route


def _state(x: float, y: float, k0: int = 0) -> np.ndarray:
    S = np.zeros(N_STATE, dtype=np.float64)
    S[ix.S_X] = x
    S[ix.S_Y] = y
    S[ix.S_ROUTE_IDX] = k0
    return S


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0.5, 297.5),
    st.floats(-8.0, 8.0),
    st.floats(-math.pi, math.pi),
    st.integers(0, 298),
)
def test_straight_route(s: float, n: float, heading: float, k0: int) -> None:
    """Straight polyline from the origin at heading a with 1 m vertices: a point
    s t + n (-ty, tx) has route coordinates (s, n) and tangent t, from any start index
    (the walk goes forward or back)."""
    N = 300
    tx, ty = math.cos(heading), math.sin(heading)
    k = np.arange(N, dtype=np.float64)
    rx, ry = k * tx, k * ty
    S = _state(s * tx - n * ty, s * ty + n * tx, k0)
    got = track_route(S, rx, ry)
    assert got == pytest.approx((s, n, tx, ty), abs=1e-9)
    assert S[ix.S_S_ROUTE] == got[0]
    assert S[ix.S_N_ROUTE] == got[1]
    assert S[ix.S_ROUTE_IDX] == int(S[ix.S_ROUTE_IDX])
    assert -1e-9 <= s - S[ix.S_ROUTE_IDX] <= 1.0 + 1e-9


def test_beyond_the_ends_extrapolates_along_the_end_segments() -> None:
    """Before the start and past the end the first / last segment's line is used."""
    rx, ry = np.arange(50, dtype=np.float64), np.zeros(50)
    assert track_route(_state(-3.0, 1.0), rx, ry) == pytest.approx((-3.0, 1.0, 1.0, 0.0))
    assert track_route(_state(60.0, -2.0, 10), rx, ry) == pytest.approx((60.0, -2.0, 1.0, 0.0))


R = 80.0
DTH = 2.0 * math.asin(1.0 / (2.0 * R))  # 1 m chords
N_CIRCLE = 400


def _circle() -> tuple[np.ndarray, np.ndarray]:
    """Left-hand circle of radius R from the origin heading +x, centre (0, R)."""
    th = DTH * np.arange(N_CIRCLE)
    return R * np.sin(th), R * (1.0 - np.cos(th))


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, N_CIRCLE - 3),
    st.floats(0.3, 0.7),
    st.floats(-5.0, 5.0),
    st.integers(-3, 3),
)
def test_circular_route(k: int, f: float, n_off: float, start: int) -> None:
    """The walk starts from the last index (here up to 3 segments either side, as
    between steps of a moving car).
    A point at radius rho = R - n_off and polar angle theta = (k + f) dth: on chord k
    (mid-angle theta_m = (k + 1/2) dth, 1 m long, at R cos(dth/2) from the centre)
    s = k + 1/2 + rho sin(theta - theta_m), n = R cos(dth/2) - rho cos(theta - theta_m),
    tangent (cos theta_m, sin theta_m)."""
    rx, ry = _circle()
    rho = R - n_off
    th = (k + f) * DTH
    S = _state(rho * math.sin(th), R - rho * math.cos(th), min(max(k + start, 0), N_CIRCLE - 2))
    s, n, tx, ty = track_route(S, rx, ry)
    thm = (k + 0.5) * DTH
    assert S[ix.S_ROUTE_IDX] == k
    assert s == pytest.approx(k + 0.5 + rho * math.sin(th - thm), abs=1e-9)
    assert n == pytest.approx(R * math.cos(0.5 * DTH) - rho * math.cos(th - thm), abs=1e-9)
    assert (tx, ty) == pytest.approx((math.cos(thm), math.sin(thm)), abs=1e-12)
    # arc length and radial offset to the accuracy of the chord approximation
    assert s == pytest.approx(th / DTH, abs=0.02)
    assert n == pytest.approx(n_off, abs=0.01)


def test_driving_round_the_circle_tracks_monotonically() -> None:
    """Stepping along a lane 2 m inside the circle from the last index: s increases with
    the polar angle, n stays ~2 m, the index never jumps more than one segment."""
    rx, ry = _circle()
    S = _state(0.0, 0.0)
    last_s, last_k = -1.0, 0
    for th in np.linspace(0.01, (N_CIRCLE - 5) * DTH, 3000):
        S[ix.S_X] = (R - 2.0) * math.sin(th)
        S[ix.S_Y] = R - (R - 2.0) * math.cos(th)
        s, n, _, _ = track_route(S, rx, ry)
        assert s > last_s
        assert n == pytest.approx(2.0, abs=0.01)
        assert 0 <= S[ix.S_ROUTE_IDX] - last_k <= 1
        last_s, last_k = s, int(S[ix.S_ROUTE_IDX])
