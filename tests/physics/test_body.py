"""Rigid-body kinematics and Euler's equations (physics.body) against analytic cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.body import euler_angle_increments, euler_rate_update, rotation_zyx

angle = st.floats(-math.pi, math.pi, allow_nan=False)
pitch = st.floats(-1.3, 1.3, allow_nan=False)  # away from the ZYX gimbal lock
rate = st.floats(-3.0, 3.0, allow_nan=False)


def _R(phi: float, theta: float, psi: float) -> np.ndarray:
    return np.array(rotation_zyx(phi, theta, psi)).reshape(3, 3)


def _rx(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _ry(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rz(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@settings(max_examples=60, deadline=None)
@given(angle, angle, angle)
def test_rotation_is_proper_orthonormal(phi: float, theta: float, psi: float) -> None:
    """R^T R = I and det R = +1 for any ZYX angles (a proper rotation)."""
    R = _R(phi, theta, psi)
    assert np.allclose(R.T @ R, np.eye(3), atol=1e-12)
    assert np.linalg.det(R) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(angle, angle, angle)
def test_rotation_is_the_product_rz_ry_rx(phi: float, theta: float, psi: float) -> None:
    """R = Rz(psi) Ry(theta) Rx(phi) with the elementary right-handed rotations."""
    assert np.allclose(_R(phi, theta, psi), _rz(psi) @ _ry(theta) @ _rx(phi), atol=1e-12)


def test_rotation_quarter_turns() -> None:
    """Right-handed 90-degree turns: yaw takes body x to world y, pitch (about +y) takes
    body x to world -z, roll takes body y to world z; combined turns compose as Rz Ry Rx."""
    h = math.pi / 2
    ex, ey, ez = np.eye(3)
    assert np.allclose(_R(0.0, 0.0, 0.0), np.eye(3))
    assert np.allclose(_R(0.0, 0.0, h) @ ex, ey, atol=1e-15)
    assert np.allclose(_R(0.0, 0.0, h) @ ey, -ex, atol=1e-15)
    assert np.allclose(_R(0.0, h, 0.0) @ ex, -ez, atol=1e-15)
    assert np.allclose(_R(0.0, h, 0.0) @ ez, ex, atol=1e-15)
    assert np.allclose(_R(h, 0.0, 0.0) @ ey, ez, atol=1e-15)
    assert np.allclose(_R(h, 0.0, 0.0) @ ez, -ey, atol=1e-15)
    # yaw then pitch: body x first pitched down to -z, the yaw about z leaves it there
    assert np.allclose(_R(0.0, h, h) @ ex, -ez, atol=1e-15)
    # body y under yaw 90 then roll 90: roll first takes y to z, yaw leaves z alone
    assert np.allclose(_R(h, 0.0, h) @ ey, ez, atol=1e-15)


def test_torque_about_a_principal_axis_from_rest() -> None:
    """Body at rest, moment about one principal axis: one step gives omega = dt M / I on
    that axis only (p' = Mx/Ixx etc.; the gyroscopic terms vanish at rest)."""
    ixx, iyy, izz, dt = 900.0, 3500.0, 3800.0, 1e-3
    assert euler_rate_update(0.0, 0.0, 0.0, 450.0, 0.0, 0.0, ixx, iyy, izz, dt) == pytest.approx(
        (dt * 450.0 / ixx, 0.0, 0.0), abs=1e-15
    )
    assert euler_rate_update(0.0, 0.0, 0.0, 0.0, -700.0, 0.0, ixx, iyy, izz, dt) == pytest.approx(
        (0.0, -dt * 700.0 / iyy, 0.0), abs=1e-15
    )
    assert euler_rate_update(0.0, 0.0, 0.0, 0.0, 0.0, 1900.0, ixx, iyy, izz, dt) == pytest.approx(
        (0.0, 0.0, dt * 1900.0 / izz), abs=1e-15
    )


def test_spin_about_a_principal_axis_is_steady() -> None:
    """Torque-free rotation about one principal axis is an equilibrium of Euler's equations."""
    for w in ((2.0, 0.0, 0.0), (0.0, -1.5, 0.0), (0.0, 0.0, 3.0)):
        got = euler_rate_update(*w, 0.0, 0.0, 0.0, 900.0, 3500.0, 3800.0, 1e-2)
        assert got == w


def test_torque_free_symmetric_top_precesses_analytically() -> None:
    """Symmetric top Ixx = Iyy = I, Izz = I3, no moment: r is constant and the transverse
    rate rotates at lambda = (I3 - I) r / I: p + i q = (p0 + i q0) exp(i lambda t).
    Explicit Euler steps with small dt reproduce it to O(dt)."""
    I, I3 = 1200.0, 2000.0
    p, q, r = 0.3, 0.0, 2.0
    lam = (I3 - I) * r / I
    dt, n = 1e-5, 100_000  # t = 1 s, lambda t = 1.33 rad
    for _ in range(n):
        p, q, r = euler_rate_update(p, q, r, 0.0, 0.0, 0.0, I, I, I3, dt)
    t = dt * n
    assert r == 2.0
    assert p == pytest.approx(0.3 * math.cos(lam * t), abs=1e-5)
    assert q == pytest.approx(0.3 * math.sin(lam * t), abs=1e-5)


def test_symmetric_top_step_is_an_exact_rotation_times_euler_gain() -> None:
    """One explicit step of the symmetric top multiplies p + i q by (1 + i lambda dt):
    the phase advances by atan(lambda dt) and the modulus by sqrt(1 + (lambda dt)^2)."""
    I, I3, r, dt = 1200.0, 2000.0, 2.0, 1e-3
    lam = (I3 - I) * r / I
    p, q = 0.3, -0.1
    p1, q1, r1 = euler_rate_update(p, q, r, 0.0, 0.0, 0.0, I, I, I3, dt)
    z1 = complex(p, q) * complex(1.0, lam * dt)
    assert (p1, q1, r1) == pytest.approx((z1.real, z1.imag, r), rel=1e-14, abs=1e-16)


@settings(max_examples=40, deadline=None)
@given(rate, rate, rate, st.floats(-2e3, 2e3), st.floats(-2e3, 2e3), st.floats(-2e3, 2e3))
def test_gyroscopic_terms_do_no_work(
    p: float, q: float, r: float, mx: float, my: float, mz: float
) -> None:
    """Power theorem: d/dt (1/2 sum I w^2) = w . M, so the first-order change of kinetic
    energy over one step is dt (w . M) (the gyroscopic couple is perpendicular to w)."""
    ixx, iyy, izz, dt = 900.0, 3500.0, 3800.0, 1e-6
    p1, q1, r1 = euler_rate_update(p, q, r, mx, my, mz, ixx, iyy, izz, dt)
    # exact step: dKE = I w . dw + 1/2 I dw^2; remove the second-order part
    dke1 = ixx * p * (p1 - p) + iyy * q * (q1 - q) + izz * r * (r1 - r)
    assert dke1 == pytest.approx(dt * (p * mx + q * my + r * mz), abs=1e-9)


def test_level_body_euler_rates_equal_body_rates() -> None:
    """Level body (phi = theta = 0): phi' = p, theta' = q, psi' = r."""
    dt = 1e-3
    assert euler_angle_increments(0.2, -0.4, 0.7, 0.0, 0.0, dt) == pytest.approx(
        (0.2 * dt, -0.4 * dt, 0.7 * dt), abs=1e-18
    )


@settings(max_examples=40, deadline=None)
@given(rate, angle, pitch)
def test_roll_rate_only_moves_roll_only(p: float, phi: float, theta: float) -> None:
    """Roll rate alone (q = r = 0) at any attitude: phi' = p, theta' = psi' = 0."""
    dt = 1e-3
    assert euler_angle_increments(p, 0.0, 0.0, phi, theta, dt) == pytest.approx(
        (p * dt, 0.0, 0.0), abs=1e-18
    )


@settings(max_examples=40, deadline=None)
@given(angle, pitch, angle, rate, rate, rate)
def test_euler_increments_match_the_rotation_kinematics(
    phi: float, theta: float, psi: float, p: float, q: float, r: float
) -> None:
    """Body rates w turn the attitude as R' = R [w]x; the Euler-angle increments fed back
    through :func:`rotation_zyx` must reproduce that to first order in dt."""
    dt = 1e-7
    R = _R(phi, theta, psi)
    dphi, dth, dpsi = euler_angle_increments(p, q, r, phi, theta, dt)
    R1 = _R(phi + dphi, theta + dth, psi + dpsi)
    wx = np.array([[0.0, -r, q], [r, 0.0, -p], [-q, p, 0.0]])
    # second-order remainder / dt ~ |w|^2 dt / cos(theta)^2 < 4e-5 here
    assert np.allclose((R1 - R) / dt, R @ wx, atol=1e-4)
