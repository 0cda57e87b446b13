"""Aerodynamic drag F = 0.5 rho CdA v_rel^2 opposite the air-relative velocity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.aero import drag_along_N, drag_constant, drag_force_N


def test_drag_constant_is_half_rho_cda() -> None:
    """k = 0.5 rho CdA."""
    assert drag_constant(1.2, 1.0) == pytest.approx(0.6)
    assert drag_constant(1.0, 0.8) == pytest.approx(0.4)


def test_still_air_drag_at_100_kmh() -> None:
    """rho 1.2, CdA 0.9, 100 km/h along x: F = 0.5 1.2 0.9 (27.78)^2 = 416.7 N, along -x."""
    k = drag_constant(1.2, 0.9)
    v = 100.0 / 3.6
    fx, fy, vrel = drag_force_N(v, 0.0, 0.0, 1.0, 0.0, k)
    assert fx == pytest.approx(-0.5 * 1.2 * 0.9 * v * v, rel=1e-12)
    assert fx == pytest.approx(-416.67, abs=0.01)
    assert fy == 0.0
    assert vrel == pytest.approx(v)


def test_head_wind_adds_to_the_air_speed() -> None:
    """Heading 30 deg at 20 m/s with a 5 m/s head wind: v_rel = 25 m/s along the heading,
    F = k 25^2 against it; a tail wind of the car's speed removes the drag."""
    k = 0.5
    a = math.radians(30.0)
    c, s = math.cos(a), math.sin(a)
    fx, fy, vrel = drag_force_N(20.0 * c, 20.0 * s, 5.0, c, s, k)
    assert vrel == pytest.approx(25.0)
    assert fx == pytest.approx(-k * 625.0 * c)
    assert fy == pytest.approx(-k * 625.0 * s)
    fx, fy, vrel = drag_force_N(20.0 * c, 20.0 * s, -20.0, c, s, k)
    assert vrel == pytest.approx(0.0, abs=1e-12)
    assert math.hypot(fx, fy) == pytest.approx(0.0, abs=1e-10)


vel = st.floats(-60.0, 60.0)


@settings(max_examples=60, deadline=None)
@given(vel, vel, st.floats(-20.0, 20.0), st.floats(-math.pi, math.pi), st.floats(0.01, 2.0))
def test_drag_opposes_the_air_relative_velocity(
    vx: float, vy: float, w: float, yaw: float, k: float
) -> None:
    """F = -k |v_rel| v_rel: magnitude k |v_rel|^2, antiparallel to v_rel."""
    c, s = math.cos(yaw), math.sin(yaw)
    fx, fy, vrel = drag_force_N(vx, vy, w, c, s, k)
    rx, ry = vx + w * c, vy + w * s
    assert vrel == pytest.approx(math.hypot(rx, ry), rel=1e-12, abs=1e-12)
    assert math.hypot(fx, fy) == pytest.approx(k * vrel * vrel, rel=1e-9, abs=1e-9)
    assert fx * rx + fy * ry <= 1e-9
    assert fx * ry - fy * rx == pytest.approx(0.0, abs=1e-6 * (1.0 + k * vrel**3))


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 60.0), st.floats(-20.0, 20.0), st.floats(-math.pi, math.pi))
def test_drag_along_is_the_one_dimensional_drag_force(v: float, w: float, yaw: float) -> None:
    """For motion along the heading, the resisting drag_along = -F . heading."""
    k = 0.45
    c, s = math.cos(yaw), math.sin(yaw)
    fx, fy, _ = drag_force_N(v * c, v * s, w, c, s, k)
    assert drag_along_N(v, w, k) == pytest.approx(-(fx * c + fy * s), rel=1e-9, abs=1e-9)


def test_drag_along_sign() -> None:
    """k v_rel |v_rel|: resists with a head wind, pushes with a strong tail wind."""
    assert drag_along_N(20.0, 5.0, 0.5) == pytest.approx(312.5)
    assert drag_along_N(5.0, -10.0, 0.5) == pytest.approx(-12.5)
    assert drag_along_N(0.0, 0.0, 0.5) == 0.0
