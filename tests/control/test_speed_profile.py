"""The driver's speed plan (control.speed_profile), checked by hand.

On a constant-radius corner the plan is the grip limit sqrt(usage mu g R); before a speed
zone it falls along the braking parabola v^2 = v_zone^2 + 2 a d; a straight is driven at
the limit it is given.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidsim.control.speed_profile import G, smooth_curvature, target_speed_profile
from raidsim.model.settings import DriverSpec
from raidsim.model.surfaces import SURFACE_CODE, SURFACE_TABLE

N = 2001  # 2 km at 1 m
HARD = np.full(N, SURFACE_CODE["hard"], dtype=np.int8)
MU = 1.0


def _plan(curvature: np.ndarray, limit: np.ndarray, driver: DriverSpec) -> np.ndarray:
    return target_speed_profile(curvature, HARD, limit, 1.0, driver, MU, 100.0)


def test_a_constant_corner_is_taken_at_the_grip_limit() -> None:
    driver = DriverSpec()
    radius = 100.0
    v = _plan(np.full(N, 1.0 / radius), np.full(N, np.inf), driver)
    mu = SURFACE_TABLE["hard"].mu_scale * MU
    expected = math.sqrt(driver.grip_usage["hard"] * mu * G * radius)
    assert v[N // 2] == pytest.approx(expected, rel=1e-9)


def test_before_a_zone_the_plan_follows_the_braking_parabola() -> None:
    driver = DriverSpec()
    limit = np.full(N, 60.0)
    limit[1500:] = 20.0  # a 72 km/h zone from 1,500 m
    v = _plan(np.zeros(N), limit, driver)
    a = driver.decel_g["hard"] * G
    for d in (10, 50, 100):
        assert v[1500 - d] == pytest.approx(min(60.0, math.sqrt(20.0**2 + 2 * a * d)), rel=1e-9)
    assert v[1500] == 20.0 and v[100] == 60.0


def test_the_plan_never_exceeds_the_vehicles_limit() -> None:
    v = target_speed_profile(np.zeros(N), HARD, np.full(N, np.inf), 1.0, DriverSpec(), MU, 45.0)
    assert np.all(v == 45.0)


def test_curvature_smoothing_is_a_centred_moving_average() -> None:
    k = np.zeros(11)
    k[5] = 1.0
    smooth = smooth_curvature(k, 5.0, 1.0)
    assert smooth[3:8] == pytest.approx([0.2] * 5) and smooth.sum() == pytest.approx(1.0)
