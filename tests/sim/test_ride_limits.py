"""Speed from the car and the ground (docs/physics.md §13.3): the ride/shock speed table,
its physics, its cache and what a setup change does to the stage time."""

from __future__ import annotations

import math

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.settings import DriverSpec, Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.roughness import CLASS_GD_M3
from raidsim.route.terrain import build_stage
from raidsim.sim.qss import estimate
from raidsim.sim.ride import limits
from raidsim.sim.ride.courses import ride_course
from raidsim.sim.ride.sweep import seat_response
from raidsim.sim.ride.table import (
    GD_LEVELS_M3,
    SpeedCurve,
    crossing_speed,
    ride_limited_mps,
    shock_limited_mps,
    travel_limited_mps,
)

SETTINGS = Settings()


def _ride_speed(car: Vehicle, gd_m3: float, limit_W: float = 10.0) -> float:
    levels = np.asarray(GD_LEVELS_M3)
    return ride_limited_mps(levels, limits.ride_curves(car, SETTINGS), gd_m3, limit_W)


@pytest.fixture(scope="module")
def d7xr() -> Vehicle:
    return rs.load_vehicle("d7x-r")


def test_ride_limited_speed_falls_monotonically_with_roughness(d7xr: Vehicle) -> None:
    """Rougher ground, lower ride-limited speed: over the ISO classes and between them."""
    gds = np.geomspace(CLASS_GD_M3["C"], CLASS_GD_M3["G"], 13)
    v = np.array([_ride_speed(d7xr, float(g), 6.0) for g in gds])
    finite = v[np.isfinite(v)]
    assert finite.size >= 8, v
    assert np.all(np.diff(finite) < 0.0), v
    assert np.all(np.isinf(v[: v.size - finite.size]))  # smooth enough: no ride limit
    # and for every tolerance: a crew that bears more drives faster
    assert _ride_speed(d7xr, CLASS_GD_M3["F"], 20.0) > _ride_speed(d7xr, CLASS_GD_M3["F"], 5.0)


def test_absorbed_power_follows_the_linear_ride_scalings(d7xr: Vehicle) -> None:
    """A linear ride on an ISO w = 2 profile: P_abs ~ Gd(n0) at a given speed (the input's
    level), so one class up (x4 Gd) gives about x4 the absorbed power on smooth classes
    where the suspension stays linear (no bump stops, no lift-off)."""
    course_b = build_stage(ride_course(CLASS_GD_M3["B"]))
    course_c = build_stage(ride_course(CLASS_GD_M3["C"]))
    for v in (12.0, 23.0):
        pb = seat_response(d7xr, SETTINGS, course_b, v).absorbed_power_W
        pc = seat_response(d7xr, SETTINGS, course_c, v).absorbed_power_W
        assert pc / pb == pytest.approx(4.0, rel=0.15), (v, pb, pc)


def test_the_sweep_holds_the_set_speed(d7xr: Vehicle) -> None:
    course = build_stage(ride_course(CLASS_GD_M3["D"]))
    for v in (8.0, 30.0):
        r = seat_response(d7xr, SETTINGS, course, v)
        assert r.speed_mps == pytest.approx(v, rel=0.03)
        assert 0.0 < r.load_variation < 1.0


def test_crossing_speed_interpolates_and_extrapolates() -> None:
    speed = np.array([10.0, 20.0, 30.0])
    power = np.array([2.0, 8.0, 32.0])
    assert crossing_speed(speed, power, 16.0, 1.0) == pytest.approx(25.0)
    assert crossing_speed(speed, power, 1.0, 1.0) == pytest.approx(5.0)  # P ~ v below
    assert math.isinf(crossing_speed(speed, power, 100.0, 1.0))


def test_the_bottoming_limit_reads_the_travel_curve_and_takes_the_lower() -> None:
    """Deepest compression 0.5, 0.8, 1.0 of the bump travel at 10, 20, 30 m/s: 0.95 is
    reached at 20 + 10 ln(0.95/0.8)/ln(1/0.8) = 27.70 m/s (log interpolation); the
    feature limit is the lower of that and the seat's shock speed."""
    speed = np.array([10.0, 20.0, 30.0])
    curve = SpeedCurve(speed, speed, np.array([0.5, 1.0, 2.0]), speed, np.array([0.5, 0.8, 1.0]))
    expected = 20.0 + 10.0 * math.log(0.95 / 0.8) / math.log(1.0 / 0.8)
    assert travel_limited_mps(curve, 0.95) == pytest.approx(expected)
    assert shock_limited_mps(curve, 2.5, 0.95) == pytest.approx(expected)  # 2.5 g: not reached
    assert shock_limited_mps(curve, 1.0, 0.95) == pytest.approx(20.0)  # the seat first
    assert math.isinf(travel_limited_mps(curve, math.inf))


def test_short_travel_bottoms_before_the_crew_feels_2_5_g(d7xr: Vehicle) -> None:
    """Over a 14 deg, 8 m slip face the road car uses its whole bump travel below the
    speed at which the seat reaches 2.5 g, so its crest speed is its suspension's; the
    rally car's is its crew's. On the same springs 300 kg more press the suspension
    deeper at every speed (x_max = v sqrt(m / k) for a linear spring, docs/physics.md
    §13.3)."""
    octa = rs.load_vehicle("octa")
    heavy = d7xr.with_changes(**{"chassis.payload_mass_kg": d7xr.chassis.payload_mass_kg + 300.0})
    road = limits.speed_curve(octa, SETTINGS, "crest", 14.0, 8.0)
    assert travel_limited_mps(road, 0.95) < shock_limited_mps(road, 2.5)
    rally = limits.speed_curve(d7xr, SETTINGS, "crest", 14.0, 8.0)
    assert travel_limited_mps(rally, 0.95) > shock_limited_mps(rally, 2.5)
    loaded = limits.speed_curve(heavy, SETTINGS, "crest", 14.0, 8.0)
    measured = np.isfinite(loaded.travel_use) & (rally.speed_mps < 15.0)
    assert np.all(loaded.travel_use[measured] > rally.travel_use[measured])


def test_a_damper_change_moves_the_ride_limit_and_the_stage_time(d7xr: Vehicle) -> None:
    """Softer and stiffer dampers than the preset give different ride-limited speeds on a
    rough class and a different QSS stage time on the default stage."""
    soft = d7xr.with_changes(damper_clicks_front=-8, damper_clicks_rear=-8)
    stiff = d7xr.with_changes(damper_clicks_front=8, damper_clicks_rear=8)
    gd = CLASS_GD_M3["E"]
    v = {name: _ride_speed(car, gd) for name, car in (("soft", soft), ("stiff", stiff))}
    assert all(math.isfinite(x) for x in v.values()), v
    assert abs(v["soft"] / v["stiff"] - 1.0) > 0.02, v
    stage = rs.load_stage("default")
    t_soft = estimate(soft, stage).summary["stage_time_s"]
    t_stiff = estimate(stiff, stage).summary["stage_time_s"]
    assert abs(t_soft / t_stiff - 1.0) > 1e-3, (t_soft, t_stiff)


def test_the_road_car_rides_worse_than_the_rally_car(d7xr: Vehicle) -> None:
    """The OCTA on 22-inch road tyres reaches the crew's tolerance at a lower speed than
    the D7X-R on 35-inch tyres and long-travel dampers on rough ground."""
    octa = rs.load_vehicle("octa")
    for cls in ("E", "F"):
        assert _ride_speed(octa, CLASS_GD_M3[cls]) < _ride_speed(d7xr, CLASS_GD_M3[cls]), cls


def test_table_is_cached_and_tolerances_reuse_it(
    d7xr: Vehicle, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """First call sweeps and writes the cache; a second process (memory cleared) reads it
    back bit for bit without sweeping; the crew's tolerances and the engine do not change
    the key, a spring does."""
    monkeypatch.setenv("RAIDSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(limits, "_MEMORY", {})
    stage = rs.load_stage("default")
    first = limits.terrain_limits(d7xr, SETTINGS, stage)
    assert any(tmp_path.rglob("*.npz"))
    monkeypatch.setattr(limits, "_MEMORY", {})

    def no_sweep(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("swept although cached")

    monkeypatch.setattr(limits, "seat_response", no_sweep)
    again = limits.terrain_limits(d7xr, SETTINGS, stage)
    assert np.array_equal(first.limit_mps, again.limit_mps)
    patient = Settings(driver=DriverSpec(absorbed_power_limit_W=30.0, shock_limit_g=3.0))
    looser = limits.terrain_limits(d7xr, patient, stage)
    assert np.all(looser.limit_mps >= first.limit_mps)
    assert np.any(looser.limit_mps > first.limit_mps)
    key = limits.table_key(d7xr, SETTINGS)
    assert limits.table_key(d7xr.with_changes(restrictor_mm=40.0), SETTINGS) == key
    assert limits.table_key(d7xr.with_changes(spring_rate_front_N_per_m=90000.0), SETTINGS) != key


# ---------------------------------------------------------------- dune crests (§14.2)
def _crest_kmh(car: Vehicle, angle_deg: float, height_m: float) -> float:
    curve = limits.speed_curve(car, SETTINGS, "crest", angle_deg, height_m)
    return 3.6 * shock_limited_mps(curve, SETTINGS.driver.shock_limit_g)


def test_crest_speed_comes_from_the_car_and_the_slip_face(d7xr: Vehicle) -> None:
    """A steeper slip face behind the crest, a slower crest; the road car on its road
    suspension takes a slip face slower than the rally car; a crew that bears more
    shock takes it faster."""
    octa = rs.load_vehicle("octa")
    steep, gentle = _crest_kmh(d7xr, 30.0, 8.0), _crest_kmh(d7xr, 18.0, 8.0)
    assert 8.0 < steep < gentle, (steep, gentle)
    assert _crest_kmh(octa, 30.0, 8.0) < steep
    hardy = Settings(driver=DriverSpec(shock_limit_g=4.0))
    curve = limits.speed_curve(d7xr, hardy, "crest", 30.0, 8.0)
    assert 3.6 * shock_limited_mps(curve, 4.0) > steep


def test_crests_of_a_stage_read_the_courses_bilinearly() -> None:
    """Weights sum to 1, a grid point reads itself, and beyond the grid the nearest edge."""
    for tan_s, h in ((0.6, 6.0), (0.2, 3.0), (1.0, 40.0), (0.05, 0.5)):
        w = limits.crest_weights(tan_s, h)
        assert sum(x for *_, x in w) == pytest.approx(1.0)
    angle, height, w = max(
        limits.crest_weights(math.tan(math.radians(22.0)), 4.0), key=lambda x: x[2]
    )
    assert (angle, height, w) == (22.0, 4.0, pytest.approx(1.0))
    assert limits.crest_weights(2.0, 40.0) == [(34.0, 16.0, 1.0)]
