"""Route readers and geodesy: projection against independent formulas, GPX/GeoJSON/CSV
round trips of a known circle, and clear errors for bad files."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import gpxpy.gpx
import numpy as np
import pytest

from raidsim.errors import RouteError
from raidsim.route.geodesy import geodetic_to_enu
from raidsim.route.readers import (
    RouteWarning,
    read_csv_route,
    read_geojson,
    read_gpx,
    read_route,
)
from raidsim.route.resample import to_centreline

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Independent reference values (not taken from raidsim.route.geodesy).
A_M = 6_378_137.0  # WGS84 semi-major axis
E2 = 0.006_694_379_990_14  # WGS84 first eccentricity squared (NIMA TR8350.2 table 3.1)
LAT0, LON0 = 26.6, 37.9  # near AlUla
R_CIRCLE_M = 100.0


def meridian_radius_m(lat_deg: float) -> float:
    s2 = math.sin(math.radians(lat_deg)) ** 2
    return A_M * (1 - E2) / (1 - E2 * s2) ** 1.5


def normal_radius_m(lat_deg: float) -> float:
    return A_M / math.sqrt(1 - E2 * math.sin(math.radians(lat_deg)) ** 2)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float, radius_m: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius_m * math.asin(math.sqrt(h))


def circle_latlon(
    n: int = 360, jitter_m: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A closed counter-clockwise circle of radius 100 m about (LAT0, LON0), as lat/lon,
    with elevation climbing at 5 % along the arc. Metres -> degrees with the local radii
    of curvature (exact to ~1e-5 m at 100 m)."""
    th = np.linspace(0.0, 2 * np.pi, n + 1)
    rng = np.random.default_rng(seed)
    east = R_CIRCLE_M * np.cos(th) + rng.uniform(-jitter_m, jitter_m, th.size)
    north = R_CIRCLE_M * np.sin(th) + rng.uniform(-jitter_m, jitter_m, th.size)
    lat = LAT0 + np.degrees(north / meridian_radius_m(LAT0))
    lon = LON0 + np.degrees(east / (normal_radius_m(LAT0) * math.cos(math.radians(LAT0))))
    ele = 700.0 + 0.05 * R_CIRCLE_M * th
    return lat, lon, ele


def write_gpx(path: Path, lat: np.ndarray, lon: np.ndarray, ele: list[float | None]) -> Path:
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    seg = gpxpy.gpx.GPXTrackSegment()
    for la, lo, el in zip(lat, lon, ele, strict=True):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(float(la), float(lo), elevation=el))
    track.segments.append(seg)
    gpx.tracks.append(track)
    gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(LAT0, LON0, name="WP1", symbol="Flag", type="WPM"))
    path.write_text(gpx.to_xml(), encoding="utf-8")
    return path


def middle(a: np.ndarray) -> np.ndarray:
    n = len(a)
    return a[n // 4 : 3 * n // 4]


def assert_circle(line, curvature_tol: float = 0.03) -> None:  # type: ignore[no-untyped-def]
    kappa = middle(line.curvature_1pm)
    assert np.all(np.abs(kappa - 1 / R_CIRCLE_M) < curvature_tol / R_CIRCLE_M)
    assert line.length_m == pytest.approx(2 * np.pi * R_CIRCLE_M, rel=0.005)
    assert np.allclose(np.diff(line.s_m), 1.0)


# --------------------------------------------------------------------------- geodesy


def test_one_arc_minute_north_at_equator_is_one_nautical_mile_of_wgs84() -> None:
    east, north, _ = geodetic_to_enu(1 / 60, 0.0, 0.0, 0.0, 0.0)
    assert north == pytest.approx(1842.9, abs=0.5)
    assert abs(east) < 1e-6


def test_east_displacement_scales_with_cos_latitude() -> None:
    dlon = 0.01
    for lat in (0.0, 30.0, 45.0, 60.0, 75.0):
        east, north, _ = geodetic_to_enu(lat, dlon, 0.0, lat, 0.0)
        # Radius of the parallel is N cos(phi): a closed form independent of the ECEF chain.
        expected = normal_radius_m(lat) * math.cos(math.radians(lat)) * math.radians(dlon)
        assert east == pytest.approx(expected, rel=1e-6)
        # A parallel curves poleward in the tangent plane by east^2 tan(phi) / (2 N).
        bow = east**2 * math.tan(math.radians(lat)) / (2 * normal_radius_m(lat))
        assert north == pytest.approx(bow, abs=1e-3)
        east0, _, _ = geodetic_to_enu(0.0, dlon, 0.0, 0.0, 0.0)
        assert east / east0 == pytest.approx(math.cos(math.radians(lat)), rel=0.005)


def test_published_degree_lengths_at_equator() -> None:
    # 1 deg of longitude at the equator: 111 319.49 m; 1 deg of latitude: 110 574 m.
    east, _, _ = geodetic_to_enu(0.0, 1.0, 0.0, 0.0, 0.0)
    _, north, _ = geodetic_to_enu(1.0, 0.0, 0.0, 0.0, 0.0)
    assert east == pytest.approx(111_319.49, rel=1e-4)
    assert north == pytest.approx(110_574.0, rel=1e-4)


@pytest.mark.parametrize("lat0", [0.0, 26.6, 45.0, 60.0])
@pytest.mark.parametrize("offset_deg", [0.01, 0.1, 0.3])
@pytest.mark.parametrize("bearing_deg", [0, 45, 90, 135, 200, 300])
def test_distance_matches_haversine_with_local_radius(
    lat0: float, offset_deg: float, bearing_deg: float
) -> None:
    lat = lat0 + offset_deg * math.cos(math.radians(bearing_deg))
    lon = 10.0 + offset_deg * math.sin(math.radians(bearing_deg))
    east, north, _ = geodetic_to_enu(lat, lon, 0.0, lat0, 10.0)
    # Sphere with Euler's radius of curvature for this azimuth at the mid latitude.
    latm = 0.5 * (lat0 + lat)
    az = math.atan2(east, north)
    r_euler = 1.0 / (
        math.cos(az) ** 2 / meridian_radius_m(latm) + math.sin(az) ** 2 / normal_radius_m(latm)
    )
    ref = haversine_m(lat0, 10.0, lat, lon, r_euler)
    assert math.hypot(east, north) == pytest.approx(ref, rel=0.001)


def test_projection_is_vectorised_and_propagates_nan() -> None:
    lat = np.array([0.0, 0.001, np.nan])
    east, north, up = geodetic_to_enu(lat, np.zeros(3), np.zeros(3), 0.0, 0.0)
    assert east.shape == (3,)
    assert np.isfinite(north[:2]).all() and np.isnan(north[2])


# --------------------------------------------------------------------------- GPX


def test_gpx_circle_curvature_and_length(tmp_path: Path) -> None:
    lat, lon, ele = circle_latlon()
    raw = read_gpx(write_gpx(tmp_path / "circle.gpx", lat, lon, list(ele)))
    assert raw.has_elevation
    assert raw.origin_lat_deg == pytest.approx(lat[0])
    assert raw.x_m[0] == 0.0 and raw.y_m[0] == 0.0
    assert raw.waypoints[0].name == "WP1"
    assert raw.waypoints[0].type == "WPM" and raw.waypoints[0].sym == "Flag"
    line = to_centreline(raw)
    assert_circle(line)
    assert np.all(np.diff(line.heading_rad) > 0)  # counter-clockwise: turning left
    grade = middle(np.gradient(line.z_m, line.s_m))
    assert np.allclose(grade, 0.05, atol=0.002)
    assert line.z_m[0] == pytest.approx(700.0, abs=0.5)


def test_gpx_circle_with_gps_jitter(tmp_path: Path) -> None:
    # +-3 m uniform jitter on each of 72 fixes (one every 8.7 m). Pointwise curvature of
    # white jitter is noise-dominated at the default 15 m smoothing; the mean over the
    # middle half (heading change per metre) is what the smoothing must get right.
    lat, lon, ele = circle_latlon(n=72, jitter_m=3.0, seed=42)
    raw = read_gpx(write_gpx(tmp_path / "jitter.gpx", lat, lon, list(ele)))
    line = to_centreline(raw)
    kappa = middle(line.curvature_1pm)
    assert kappa.mean() == pytest.approx(1 / R_CIRCLE_M, rel=0.15)
    assert line.length_m == pytest.approx(2 * np.pi * R_CIRCLE_M, rel=0.02)
    # A longer filter trades bend detail for pointwise accuracy.
    long = to_centreline(raw, smoothing_m=60.0)
    assert np.median(middle(long.curvature_1pm)) == pytest.approx(1 / R_CIRCLE_M, rel=0.15)
    assert np.sqrt(np.mean((middle(long.curvature_1pm) * R_CIRCLE_M - 1) ** 2)) < 0.2


def test_gpx_partial_elevation_is_interpolated_with_warning(tmp_path: Path) -> None:
    lat, lon, ele = circle_latlon()
    eles: list[float | None] = list(ele)
    for i in (5, 6, 7, 100):
        eles[i] = None
    path = write_gpx(tmp_path / "partial.gpx", lat, lon, eles)
    with pytest.warns(RouteWarning, match=r"4 of 361 points have no elevation"):
        raw = read_gpx(path)
    assert raw.has_elevation
    assert raw.z_m[6] == pytest.approx(ele[6], abs=0.01)


def test_gpx_without_elevation_warns_loudly_at_resampling(tmp_path: Path) -> None:
    lat, lon, _ = circle_latlon()
    raw = read_gpx(write_gpx(tmp_path / "flat.gpx", lat, lon, [None] * len(lat)))
    assert not raw.has_elevation and np.all(raw.z_m == 0.0)
    with pytest.warns(RouteWarning, match="route has no elevation; using flat ground"):
        line = to_centreline(raw)
    assert not line.has_elevation and np.all(line.z_m == 0.0)


def test_gpx_segments_are_concatenated_and_routes_used_without_tracks(tmp_path: Path) -> None:
    lat = LAT0 + np.arange(40) * 1e-4  # ~11 m apart, due north
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    for part in (slice(0, 20), slice(20, 40)):
        seg = gpxpy.gpx.GPXTrackSegment()
        seg.points += [gpxpy.gpx.GPXTrackPoint(float(v), LON0) for v in lat[part]]
        track.segments.append(seg)
    gpx.tracks.append(track)
    (tmp_path / "segs.gpx").write_text(gpx.to_xml(), encoding="utf-8")
    raw = read_gpx(tmp_path / "segs.gpx")
    assert len(raw.x_m) == 40
    assert raw.y_m[-1] == pytest.approx(math.radians(39e-4) * meridian_radius_m(LAT0), rel=1e-3)

    gpx = gpxpy.gpx.GPX()
    route = gpxpy.gpx.GPXRoute()
    route.points += [gpxpy.gpx.GPXRoutePoint(float(v), LON0) for v in lat]
    gpx.routes.append(route)
    (tmp_path / "rte.gpx").write_text(gpx.to_xml(), encoding="utf-8")
    assert len(read_route(tmp_path / "rte.gpx").x_m) == 40


def test_gpx_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.gpx").write_text(gpxpy.gpx.GPX().to_xml(), encoding="utf-8")
    with pytest.raises(RouteError, match=r"empty\.gpx.*no track points"):
        read_gpx(tmp_path / "empty.gpx")
    (tmp_path / "junk.gpx").write_text("this is not xml", encoding="utf-8")
    with pytest.raises(RouteError, match=r"junk\.gpx: not a readable GPX file"):
        read_gpx(tmp_path / "junk.gpx")


# --------------------------------------------------------------------------- GeoJSON


def _positions(lat: np.ndarray, lon: np.ndarray, ele: np.ndarray | None) -> list[list[float]]:
    if ele is None:
        return [[float(b), float(a)] for a, b in zip(lat, lon, strict=True)]
    return [[float(b), float(a), float(c)] for a, b, c in zip(lat, lon, ele, strict=True)]


@pytest.mark.parametrize("wrapper", ["bare", "feature", "collection", "multi"])
def test_geojson_circle(tmp_path: Path, wrapper: str) -> None:
    lat, lon, ele = circle_latlon()
    coords = _positions(lat, lon, ele)
    line_geom = {"type": "LineString", "coordinates": coords}
    obj: dict[str, Any]
    if wrapper == "bare":
        obj = line_geom
    elif wrapper == "feature":
        obj = {"type": "Feature", "properties": {}, "geometry": line_geom}
    elif wrapper == "collection":
        wp = {
            "type": "Feature",
            "properties": {"name": "CP1", "type": "WPV"},
            "geometry": {"type": "Point", "coordinates": [LON0, LAT0]},
        }
        obj = {
            "type": "FeatureCollection",
            "features": [wp, {"type": "Feature", "properties": {}, "geometry": line_geom}],
        }
    else:
        half = len(coords) // 2
        obj = {"type": "MultiLineString", "coordinates": [coords[:half], coords[half:]]}
    path = tmp_path / ("circle.json" if wrapper == "multi" else "circle.geojson")
    path.write_text(json.dumps(obj), encoding="utf-8")
    raw = read_route(path)
    assert raw.has_elevation
    assert_circle(to_centreline(raw))
    if wrapper == "collection":
        assert raw.waypoints[0].name == "CP1" and raw.waypoints[0].type == "WPV"


def test_geojson_swapped_lat_lon_is_named(tmp_path: Path) -> None:
    coords = [[0.0, 0.0], [10.0, 120.0]]  # second position has 'lat' 120
    path = tmp_path / "swapped.geojson"
    path.write_text(json.dumps({"type": "LineString", "coordinates": coords}), encoding="utf-8")
    with pytest.raises(RouteError, match=r"point 1 has latitude 120.0.*-90\.\.90.*lon, lat"):
        read_geojson(path)


def test_geojson_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "LineString", "coordinates": [[1, 2], ["a", 3]]}', encoding="utf-8")
    with pytest.raises(RouteError, match=r"bad\.geojson: root\.coordinates\[1\] is \['a', 3\]"):
        read_geojson(bad)
    poly = tmp_path / "poly.geojson"
    poly.write_text('{"type": "Polygon", "coordinates": []}', encoding="utf-8")
    with pytest.raises(RouteError, match="no LineString or MultiLineString"):
        read_geojson(poly)
    broken = tmp_path / "broken.geojson"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(RouteError, match=r"broken\.geojson: not valid JSON"):
        read_geojson(broken)
    odd = tmp_path / "odd.geojson"
    odd.write_text('{"type": "Circle"}', encoding="utf-8")
    with pytest.raises(RouteError, match="type 'Circle'"):
        read_geojson(odd)


# --------------------------------------------------------------------------- CSV


def test_csv_lat_lon_ele_circle(tmp_path: Path) -> None:
    lat, lon, ele = circle_latlon()
    lines = ["lat,lon,ele"] + [
        f"{a:.9f},{b:.9f},{c:.3f}" for a, b, c in zip(lat, lon, ele, strict=True)
    ]
    path = tmp_path / "circle.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_csv_route(path)
    assert raw.has_elevation and raw.origin_lat_deg == pytest.approx(lat[0])
    assert_circle(to_centreline(raw))


def test_csv_local_frame_circle_is_not_projected(tmp_path: Path) -> None:
    th = np.linspace(0.0, 2 * np.pi, 361)
    x = 5000.0 + R_CIRCLE_M * np.cos(th)
    y = -200.0 + R_CIRCLE_M * np.sin(th)
    lines = ["x_m,y_m,z_m"] + [f"{a:.4f},{b:.4f},100" for a, b in zip(x, y, strict=True)]
    path = tmp_path / "local.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_route(path)
    assert raw.origin_lat_deg is None
    assert raw.x_m[0] == pytest.approx(5100.0)
    line = to_centreline(raw)
    assert_circle(line)
    assert line.x_m[0] == pytest.approx(5100.0, abs=0.5)
    assert np.allclose(line.z_m, 100.0)


def test_csv_without_elevation_column(tmp_path: Path) -> None:
    path = tmp_path / "xy.csv"
    path.write_text("x_m,y_m\n0,0\n50,0\n100,0\n", encoding="utf-8")
    raw = read_csv_route(path)
    assert not raw.has_elevation
    with pytest.warns(RouteWarning, match="no elevation"):
        line = to_centreline(raw)
    assert line.length_m == pytest.approx(100.0)
    assert np.allclose(line.curvature_1pm, 0.0, atol=1e-9)


def test_csv_errors(tmp_path: Path) -> None:
    cases = {
        "hdr.csv": ("latitude,longitude\n1,2\n", r"hdr\.csv: CSV header .* neither of 'lat,lon'"),
        "both.csv": ("lat,lon,x_m,y_m\n1,2,3,4\n", "has both of"),
        "cell.csv": ("lat,lon\n26.6,37.9\n26.7,abc\n", r"line 3, column 'lon' is 'abc'"),
        "short.csv": ("x_m,y_m\n1,2\n3\n", r"line 3 has 1 fields, the header has 2"),
        "empty.csv": ("", "CSV file is empty"),
        "ele.csv": ("lat,lon,ele\n26.6,37.9,-32768\n26.7,37.9,700\n", r"point 0 has elevation"),
        "nan.csv": ("lat,lon\nnan,nan\nnan,37.9\n", r"none of the 2 points has a finite latitude"),
    }
    for name, (text, pattern) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RouteError, match=pattern):
            read_csv_route(path)


def test_csv_all_nan_local_frame_is_rejected_at_resampling(tmp_path: Path) -> None:
    path = tmp_path / "nan_xy.csv"
    path.write_text("x_m,y_m\nnan,nan\nnan,1\n", encoding="utf-8")
    raw = read_csv_route(path)
    pattern = r"nan_xy\.csv: 0 of 2 points have finite coordinates"
    with pytest.raises(RouteError, match=pattern), warnings.catch_warnings():
        warnings.simplefilter("ignore", RouteWarning)
        to_centreline(raw)


# --------------------------------------------------------------------------- dispatch and edges


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(RouteError, match=r"nope\.gpx: route file not found"):
        read_route(tmp_path / "nope.gpx")
    (tmp_path / "route.kml").write_text("<kml/>", encoding="utf-8")
    with pytest.raises(RouteError, match=r"unknown route file suffix '\.kml'; allowed: \.gpx"):
        read_route(tmp_path / "route.kml")


def test_gap_over_two_km_is_rejected_with_index_and_length(tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("x_m,y_m\n0,0\n100,0\n200,0\n2700,0\n2800,0\n", encoding="utf-8")
    with pytest.raises(
        RouteError, match=r"gap\.csv: gap of 2500\.0 m between points 2 and 3; at most 2000 m"
    ):
        to_centreline(read_route(path))


# --------------------------------------------------------------------------- example route


def test_example_alula_hegra_loads_to_a_plausible_centreline() -> None:
    path = EXAMPLES / "alula_hegra.gpx"
    raw = read_route(path)
    assert [w.type for w in raw.waypoints] == ["DSS", "ASS"]
    straight_m = math.hypot(raw.waypoints[1].x_m, raw.waypoints[1].y_m)
    assert 19_000 < straight_m < 22_000  # AlUla -> Hegra, ~20.5 km as the crow flies
    with pytest.warns(RouteWarning, match="no elevation"):
        line = to_centreline(raw)
    assert straight_m < line.length_m < 1.2 * straight_m
    assert np.max(np.abs(line.curvature_1pm)) < 1 / 100.0  # gentle desert-road bends
    assert "synthetic" in path.read_text(encoding="utf-8")
