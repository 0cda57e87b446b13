"""Resampling to a uniform centre line: analytic shapes, repairs with warnings,
rejections with named causes, and a property test over arbitrary point lists."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidsim.errors import RouteError
from raidsim.route.readers import RawRoute, RouteWarning
from raidsim.route.resample import gaussian_smooth, to_centreline


def raw(x: list[float] | np.ndarray, y: list[float] | np.ndarray, z=None) -> RawRoute:  # type: ignore[no-untyped-def]
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if z is None:
        return RawRoute(xa, ya, np.zeros_like(xa), has_elevation=False)
    return RawRoute(xa, ya, np.asarray(z, dtype=np.float64), has_elevation=True)


def quiet(route: RawRoute, **kw: float):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RouteWarning)
        return to_centreline(route, **kw)


# --------------------------------------------------------------------------- filter


def test_gaussian_smooth_keeps_straight_lines_and_is_zero_phase() -> None:
    line = 3.0 + 0.7 * np.arange(200.0)
    assert np.allclose(gaussian_smooth(line, 7.5), line)  # point reflection keeps the ends
    bump = np.exp(-0.5 * ((np.arange(201.0) - 100.0) / 5.0) ** 2)
    out = gaussian_smooth(bump, 7.5)
    assert int(np.argmax(out)) == 100  # no shift along the route
    assert out.sum() == pytest.approx(bump.sum(), rel=1e-6)  # area kept
    # Smoothed width: sqrt(5^2 + 7.5^2) = 9.01 samples.
    width = np.sqrt(np.sum(out * (np.arange(201.0) - 100) ** 2) / out.sum())
    assert width == pytest.approx(np.hypot(5.0, 7.5), rel=0.01)
    assert np.array_equal(gaussian_smooth(bump, 0.0), bump)


# --------------------------------------------------------------------------- shapes


def test_straight_line_heading_and_zero_curvature() -> None:
    s = np.linspace(0.0, 500.0, 26)  # every 20 m, heading 30 deg
    line = quiet(raw(100 + s * np.cos(np.pi / 6), 50 + s * np.sin(np.pi / 6)))
    assert line.length_m == pytest.approx(500.0)
    assert np.allclose(line.heading_rad, np.pi / 6)
    assert np.allclose(line.curvature_1pm, 0.0, atol=1e-9)
    assert line.x_m[0] == pytest.approx(100.0) and line.y_m[0] == pytest.approx(50.0)


@pytest.mark.parametrize("step_m", [1.0, 2.0, 0.5])
def test_circle_curvature_sign_and_step(step_m: float) -> None:
    th = np.linspace(0.0, 1.5 * np.pi, 300)
    cw = quiet(raw(50 * np.cos(th), -50 * np.sin(th)), step_m=step_m)  # clockwise
    n = len(cw.s_m)
    assert np.allclose(np.diff(cw.s_m), step_m)
    mid = cw.curvature_1pm[n // 4 : 3 * n // 4]
    assert np.allclose(mid, -1 / 50, rtol=0.03)  # right turn: negative
    # Gaussian shrink of a bend: length * exp(-sigma^2 kappa^2 / 2), 1.1 % at R = 50 m,
    # then at most one partial step dropped.
    arc = 1.5 * np.pi * 50
    assert arc * np.exp(-0.5 * (7.5 / 50) ** 2) - step_m - 0.3 < cw.length_m < arc


def test_heading_is_unwrapped_over_several_turns() -> None:
    th = np.linspace(0.0, 6 * np.pi, 2000)
    line = quiet(raw(80 * np.cos(th), 80 * np.sin(th)))
    assert np.all(np.diff(line.heading_rad) > 0)
    assert line.heading_rad[-1] - line.heading_rad[0] == pytest.approx(6 * np.pi, rel=0.02)


def test_smoothing_removes_fake_grades_from_elevation_noise() -> None:
    rng = np.random.default_rng(3)
    x = np.arange(0.0, 2000.0, 5.0)
    z = 500.0 + 0.03 * x + rng.normal(0.0, 1.0, x.size)  # 3 % climb, 1 m DEM noise
    line = quiet(raw(x, np.zeros_like(x), z))
    grade = np.gradient(line.z_m, line.s_m)[50:-50]
    raw_grade = np.diff(z) / 5.0
    assert np.std(raw_grade) > 0.2  # +-20 % fake grades in the raw data
    assert np.mean(grade) == pytest.approx(0.03, abs=0.005)
    assert np.std(grade) < 0.05  # five times less than raw


# --------------------------------------------------------------------------- repairs


def test_nan_and_duplicate_points_are_dropped_with_warnings() -> None:
    x = [0.0, 10.0, np.nan, 20.0, 20.01, 20.02, 30.0, np.inf, 40.0]
    y = [0.0] * len(x)
    with pytest.warns(RouteWarning) as record:
        line = to_centreline(raw(x, y, [0.0] * len(x)))
    messages = [str(w.message) for w in record]
    assert any(
        "dropped 2 of 9 points with non-finite coordinates (first at index 2)" in m
        for m in messages
    )
    assert any("dropped 2 consecutive duplicate points" in m for m in messages)
    assert line.length_m == pytest.approx(40.0)


def test_no_elevation_warning_names_the_source() -> None:
    route = RawRoute(np.array([0.0, 50.0]), np.zeros(2), np.zeros(2), False, source=None)
    with pytest.warns(
        RouteWarning,
        match=r"<route>: route has no elevation; using flat ground plus generated features",
    ):
        to_centreline(route)


# --------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("x", "y", "pattern"),
    [
        ([0.0], [0.0], r"1 of 1 points have finite coordinates; at least 2 needed"),
        ([np.nan, np.nan, 1.0], [0.0, 1.0, np.nan], r"0 of 3 points have finite"),
        ([0.0, 0.01, 0.02], [0.0, 0.0, 0.0], r"within 0.05 m of each other"),
        ([0.0, 5.0, 9.0], [0.0, 0.0, 0.0], r"route is 9.00 m long; at least 10 m needed"),
        ([0.0, 10.0, 3010.0], [0.0, 0.0, 0.0], r"gap of 3000.0 m between points 1 and 2"),
        ([0.0, 5.0, 0.0, 5.0, 0.0, 5.0], [0.0] * 6, r"5.00 m long after smoothing.*doubles back"),
    ],
)
def test_rejections_name_the_cause(x: list[float], y: list[float], pattern: str) -> None:
    with pytest.raises(RouteError, match=pattern):
        quiet(raw(x, y))


def test_gap_index_refers_to_the_original_points() -> None:
    x = [0.0, np.nan, 10.0, 10.0, 20.0, 5000.0]
    with pytest.raises(RouteError, match=r"between points 4 and 5"):
        quiet(raw(x, [0.0] * 6))


def test_absurd_sustained_grade_is_rejected_with_its_distance() -> None:
    x = np.arange(0.0, 400.0, 2.0)
    z = np.where(x < 200.0, 0.0, np.minimum(x - 200.0, 60.0))  # 100 % for 60 m from s = 200
    with pytest.raises(RouteError, match=r"grade reaches 100 % over \d+ m from s = 20\d m"):
        quiet(raw(x, np.zeros_like(x), z))


def test_short_elevation_spike_is_smoothed_not_rejected() -> None:
    x = np.arange(0.0, 400.0, 2.0)
    z = np.where(x == 200.0, 8.0, 0.0)  # one 8 m DEM spike
    line = quiet(raw(x, np.zeros_like(x), z))
    assert np.abs(np.gradient(line.z_m, line.s_m)).max() < 0.6


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [({"step_m": 0.0}, "step_m is 0.0"), ({"smoothing_m": -1.0}, "smoothing_m is -1.0")],
)
def test_bad_parameters(kw: dict[str, float], pattern: str) -> None:
    with pytest.raises(RouteError, match=pattern):
        quiet(raw([0.0, 100.0], [0.0, 0.0]), **kw)


# --------------------------------------------------------------------------- property


coord = st.one_of(
    st.floats(min_value=-60.0, max_value=60.0, allow_nan=False),  # mostly accepted routes
    st.floats(min_value=-3000.0, max_value=3000.0, allow_nan=False),
    st.sampled_from([0.0, 1.0, 10.0, 0.01]),  # repeated values make duplicates likely
    st.floats(allow_nan=True, allow_infinity=True),  # anything at all, NaN and inf included
)
points = st.lists(st.tuples(coord, coord), min_size=0, max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pts=points, with_z=st.booleans(), step_m=st.sampled_from([1.0, 2.5]))
def test_any_points_give_a_finite_uniform_centreline_or_a_route_error(
    pts: list[tuple[float, float]], with_z: bool, step_m: float
) -> None:
    x = np.array([p[0] for p in pts], dtype=np.float64)
    y = np.array([p[1] for p in pts], dtype=np.float64)
    z = 0.01 * np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0) if with_z else None
    route = raw(x, y, z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any other warning (numpy overflow, ...) fails
        warnings.simplefilter("ignore", RouteWarning)
        try:
            line = to_centreline(route, step_m=step_m)
        except RouteError as exc:
            assert "centre line field" not in str(exc)  # not a NaN caught by Centreline
            return
    assert len(line.s_m) >= 2
    for arr in (line.s_m, line.x_m, line.y_m, line.z_m, line.heading_rad, line.curvature_1pm):
        assert np.all(np.isfinite(arr))
    assert np.allclose(np.diff(line.s_m), step_m)
    assert line.length_m >= 10.0 - step_m
