"""Property tests on route FILE CONTENT (issue 5): any GPX, GeoJSON or CSV text gives a
finite, uniformly spaced centre line or a RouteError naming the file, never another
exception, a hang, a stray warning or a NaN; repairs are reported as RouteWarnings that
say what changed.

Each reader gets 2,000 generated files. The generator builds a track in metres (steps of
0-40 m, exact and near duplicates, jumps of 1-2.5 km, small or arbitrary turns so the
track may cross itself), places it at an origin that may sit at a pole or on the
antimeridian, then corrupts single points (NaN, None/missing, inf, latitude or longitude
out of range, "no data" elevation, a copy of the previous point) and sometimes the whole
text (truncation, random text or bytes). Point counts are small, so each example takes a
few milliseconds.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from raidsim.errors import RouteError
from raidsim.route.centreline import Centreline
from raidsim.route.readers import RouteWarning, read_route
from raidsim.route.resample import to_centreline

EARTH_R_M = 6_371_000.0
N_EXAMPLES = 2000
PROPERTY_SETTINGS = settings(
    max_examples=N_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Per-point corruption (drawn with a per-example probability).
CORRUPTIONS = [
    "ok",
    "nan",  # lat (or x) is NaN
    "none",  # lat (or x) missing: attribute left out, JSON null, empty CSV cell
    "inf",  # lon (or y) is inf
    "lat_out",  # latitude beyond +-90 (local frame: a point 1e9 m away)
    "lon_out",  # longitude beyond +-180
    "ele_none",  # elevation missing for this point
    "ele_nan",
    "ele_nodata",  # -32768, a device's "no data" value
    "dup",  # exact copy of the previous point
]


@dataclass(frozen=True)
class Track:
    lat0: float
    lon0: float
    x: list[float]
    y: list[float]
    ele: list[float]
    ele_mode: str  # "all", "none" or "some"
    corruption: list[str]


@st.composite
def tracks(draw: Any) -> Track:
    """A track of 0-24 points. Hypothesis draws the structure (size, origin, elevation,
    how often each oddity occurs, a seed); a seeded numpy generator fills in the points,
    which keeps the per-example cost of generation low."""
    n = draw(st.one_of(st.integers(0, 2), st.integers(3, 24), st.integers(3, 24)))
    lat0 = draw(st.sampled_from([26.6, 0.0, -33.9, 60.0, 89.9995, -89.9995]))
    lon0 = draw(st.sampled_from([37.9, 179.9995, -179.9995, 0.0]))
    p_dup = draw(st.sampled_from([0.0, 0.1, 0.4]))  # exact (step 0) or near (< 0.1 m)
    p_jump = draw(st.sampled_from([0.0, 0.05, 0.3]))  # 1-2.5 km (over 2 km is rejected)
    turn_max = draw(st.sampled_from([0.05, 0.3, math.pi]))  # pi: loops, self-crossings
    p_corrupt = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.6]))
    base = draw(st.floats(-500.0, 5000.0))
    grade = draw(st.one_of(st.floats(-0.2, 0.2), st.floats(-3.0, 3.0)))
    ele_mode = draw(st.sampled_from(["all", "all", "none", "some"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    u = rng.random(n)
    step = np.where(u < p_jump, rng.uniform(1000.0, 2500.0, n), rng.uniform(0.0, 40.0, n))
    step = np.where(u > 1.0 - p_dup, rng.choice([0.0, 0.01, 0.1], n), step)
    heading = rng.uniform(0.0, 2 * math.pi) + np.cumsum(rng.uniform(-turn_max, turn_max, n))
    step[:1] = 0.0
    x = np.cumsum(step * np.cos(heading))
    y = np.cumsum(step * np.sin(heading))
    ele = base + grade * np.cumsum(step)
    oddities = CORRUPTIONS[1:]
    corruption = [str(rng.choice(oddities)) if rng.random() < p_corrupt else "ok" for _ in range(n)]
    return Track(lat0, lon0, x.tolist(), y.tolist(), ele.tolist(), ele_mode, corruption)


Cell = float | None
Row = tuple[Cell, Cell, Cell]


def rows(track: Track, local: bool) -> list[Row]:
    """(lat, lon, ele) in degrees, or (x, y, z) in metres for a local-frame CSV."""
    out: list[Row] = []
    cos0 = max(math.cos(math.radians(track.lat0)), 1e-6)
    for i, (x, y, ele, kind) in enumerate(
        zip(track.x, track.y, track.ele, track.corruption, strict=True)
    ):
        if local:
            a: Cell = 1000.0 + x
            b: Cell = -500.0 + y
        else:
            a = track.lat0 + math.degrees(y / EARTH_R_M)  # may exceed 90 near a pole
            lon = track.lon0 + math.degrees(x / (EARTH_R_M * cos0))
            b = (lon + 180.0) % 360.0 - 180.0  # crosses the antimeridian
        c: Cell = None if track.ele_mode == "none" else ele
        if track.ele_mode == "some" and i % 3 == 1:
            c = None
        if kind == "nan":
            a = math.nan
        elif kind == "none":
            a = None
        elif kind == "inf":
            b = math.inf
        elif kind == "lat_out":
            a = 1e9 if local else math.copysign(90.0 + abs(y) % 90 + 1e-3, y or 1.0)
        elif kind == "lon_out":
            b = 1e9 if local else 180.5 + abs(x) % 100
        elif kind == "ele_none":
            c = None
        elif kind == "ele_nan":
            c = math.nan
        elif kind == "ele_nodata":
            c = -32768.0
        elif kind == "dup" and out:
            a, b, c = out[-1]
        out.append((a, b, c))
    return out


def fmt(v: Cell) -> str:
    return "" if v is None else repr(v)


# --------------------------------------------------------------------------- serialisers


def gpx_text(pts: list[Row], container: str, waypoint: bool) -> str:
    tag = "rtept" if container == "rte" else "trkpt"
    body = []
    for i, (lat, lon, ele) in enumerate(pts):
        attrs = "".join(
            f' {k}="{fmt(v)}"' for k, v in (("lat", lat), ("lon", lon)) if v is not None
        )
        inner = "" if ele is None else f"<ele>{fmt(ele)}</ele>"
        body.append(f"<{tag}{attrs}>{inner}</{tag}>")
        if container == "trk2seg" and i == len(pts) // 2:
            body.append("</trkseg><trkseg>")
    pts_xml = "".join(body)
    if container == "rte":
        content = f"<rte><name>r</name>{pts_xml}</rte>"
    else:
        content = f"<trk><name>t</name><trkseg>{pts_xml}</trkseg></trk>"
    wpt = '<wpt lat="26.6" lon="37.9"><name>WP1</name><type>WPM</type></wpt>' if waypoint else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="raidsim-tests" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f"{wpt}{content}</gpx>\n"
    )


def geojson_text(pts: list[Row], wrapper: str, props: Any) -> str:
    coords: list[list[Any]] = [
        [lon, lat] if ele is None else [lon, lat, ele] for lat, lon, ele in pts
    ]
    line = {"type": "LineString", "coordinates": coords}
    obj: Any
    if wrapper == "bare":
        obj = line
    elif wrapper == "feature":
        obj = {"type": "Feature", "properties": props, "geometry": line}
    elif wrapper == "collection":
        wp = {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [37.9, 26.6]},
        }
        obj = {
            "type": "FeatureCollection",
            "features": [wp, {"type": "Feature", "properties": {}, "geometry": line}],
        }
    else:
        half = len(coords) // 2
        obj = {"type": "MultiLineString", "coordinates": [coords[:half], coords[half:]]}
    return json.dumps(obj)  # NaN and inf become NaN / Infinity, which json.load accepts


def csv_text(pts: list[Row], local: bool, with_ele: bool, extra_col: bool) -> str:
    names = ["x_m", "y_m", "z_m"] if local else ["lat", "lon", "ele"]
    header = names if with_ele else names[:2]
    if extra_col:
        header = ["time", *header]
    lines = [",".join(header)]
    for a, b, c in pts:
        cells = [fmt(a), fmt(b)] + ([fmt(c)] if with_ele else [])
        if extra_col:
            cells = ["2026-01-05T08:00:00Z", *cells]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


# Arbitrary JSON for GeoJSON structure fuzzing, including integers too big for a float.
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["LineString", "MultiLineString", "Feature", "FeatureCollection", "Point"]),
)
JSON_ANY = st.recursive(
    JSON_LEAF,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(
            st.sampled_from(["type", "coordinates", "geometry", "features", "properties", "name"]),
            kids,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@st.composite
def mangled(draw: Any, text: str) -> bytes:
    """The text as is (mostly), truncated, or replaced by random text or bytes."""
    how = draw(st.integers(0, 15))
    if how == 0:
        return text[: draw(st.integers(0, len(text)))].encode()
    if how == 1:
        return draw(st.text(max_size=120)).encode("utf-8", "surrogatepass")
    if how == 2:
        return draw(st.binary(max_size=120))
    return text.encode()


# --------------------------------------------------------------------------- the property


def expect_stage_or_route_error(path: Path, pts: list[Row] | None) -> Centreline | None:
    """Load ``path``; check the outcome. ``pts`` (when the text was not mangled) lets the
    warnings be checked against what the file really contains."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            line = to_centreline(read_route(path))
        except RouteError as exc:
            msg = str(exc)
            assert str(path) in msg, msg  # names the file
            assert "centre line field" not in msg, msg  # not a NaN caught late
            event("RouteError: " + re.sub(r"[-\d.]+", "#", msg.split(": ", 1)[1])[:50])
            return None
    stray = [w for w in record if not issubclass(w.category, RouteWarning)]
    assert not stray, [str(w.message) for w in stray]
    for arr in (line.s_m, line.x_m, line.y_m, line.z_m, line.heading_rad, line.curvature_1pm):
        assert arr.dtype == np.float64 and len(arr) == len(line.s_m) >= 2
        assert np.all(np.isfinite(arr))
    assert line.s_m[0] == 0.0
    assert np.allclose(np.diff(line.s_m), 1.0, rtol=0.0, atol=1e-9)
    assert line.length_m >= 9.0
    event("centre line")
    messages = [str(w.message) for w in record]
    assert all(m.startswith(f"{path}: ") for m in messages), messages
    if pts is not None:
        check_repair_warnings(messages, pts, line)
    return line


def _finite(v: Cell) -> bool:
    return v is not None and math.isfinite(v)


def check_repair_warnings(messages: list[str], pts: list[Row], line: Centreline) -> None:
    """Every repair that the content calls for is reported, with the right counts."""
    n = len(pts)
    usable = [(a, b) for a, b, _ in pts if _finite(a) and _finite(b)]
    n_bad = n - len(usable)
    dropped = [m for m in messages if "points with non-finite coordinates" in m]
    if n_bad:
        assert dropped, messages
        assert re.search(rf"dropped {n_bad} of {n} points with non-finite coordinates", dropped[0])
    else:
        assert not dropped, messages
    exact_dups = sum(1 for p, q in zip(usable, usable[1:], strict=False) if p == q)
    if exact_dups:
        m = [m for m in messages if "consecutive duplicate points" in m]
        assert m, messages
        k = int(re.search(r"dropped (\d+) consecutive duplicate", m[0]).group(1))  # type: ignore[union-attr]
        assert k >= exact_dups
    have_ele = [_finite(c) for a, b, c in pts if _finite(a) and _finite(b)]
    missing = have_ele.count(False)
    if not any(_finite(c) for _, _, c in pts):
        assert not line.has_elevation
        assert any("route has no elevation; using flat ground" in m for m in messages)
    elif missing:
        assert any(
            f"{missing} of {n} points have no elevation; filled by linear interpolation" in m
            for m in messages
        ), messages


@pytest.fixture
def route_dir(tmp_path: Path) -> Path:
    return tmp_path


@PROPERTY_SETTINGS
@given(
    track=tracks(),
    container=st.sampled_from(["trk", "trk2seg", "rte"]),
    waypoint=st.booleans(),
    data=st.data(),
)
def test_any_gpx_content_gives_a_stage_or_a_route_error(
    route_dir: Path, track: Track, container: str, waypoint: bool, data: st.DataObject
) -> None:
    pts = rows(track, local=False)
    text = gpx_text(pts, container, waypoint)
    content = data.draw(mangled(text))
    path = route_dir / "route.gpx"
    path.write_bytes(content)
    # Missing lat/lon attributes make the file invalid GPX, so only check warning counts
    # on files that keep every coordinate attribute.
    exact = content == text.encode() and all(a is not None and b is not None for a, b, _ in pts)
    expect_stage_or_route_error(path, pts if exact else None)


@PROPERTY_SETTINGS
@given(
    track=tracks(),
    wrapper=st.sampled_from(["bare", "feature", "collection", "multi"]),
    props=st.one_of(st.just({"name": "CP1", "type": "WPV"}), st.none(), JSON_ANY),
    fuzz=st.one_of(st.none(), JSON_ANY),
    data=st.data(),
)
def test_any_geojson_content_gives_a_stage_or_a_route_error(
    route_dir: Path,
    track: Track,
    wrapper: str,
    props: Any,
    fuzz: Any,
    data: st.DataObject,
) -> None:
    pts = rows(track, local=False)
    text = geojson_text(pts, wrapper, props) if fuzz is None else json.dumps(fuzz)
    content = data.draw(mangled(text))
    path = route_dir / ("route.json" if wrapper == "multi" else "route.geojson")
    path.write_bytes(content)
    exact = fuzz is None and content == text.encode()
    expect_stage_or_route_error(path, pts if exact else None)


@PROPERTY_SETTINGS
@given(
    track=tracks(),
    with_ele=st.booleans(),
    extra_col=st.booleans(),
    data=st.data(),
)
def test_any_lat_lon_csv_content_gives_a_stage_or_a_route_error(
    route_dir: Path, track: Track, with_ele: bool, extra_col: bool, data: st.DataObject
) -> None:
    pts = rows(track, local=False)
    if not with_ele:
        pts = [(a, b, None) for a, b, _ in pts]
    text = csv_text(pts, local=False, with_ele=with_ele, extra_col=extra_col)
    content = data.draw(mangled(text))
    path = route_dir / "route.csv"
    path.write_bytes(content)
    expect_stage_or_route_error(path, pts if content == text.encode() else None)


@PROPERTY_SETTINGS
@given(
    track=tracks(),
    with_ele=st.booleans(),
    extra_col=st.booleans(),
    data=st.data(),
)
def test_any_local_xy_csv_content_gives_a_stage_or_a_route_error(
    route_dir: Path, track: Track, with_ele: bool, extra_col: bool, data: st.DataObject
) -> None:
    pts = rows(track, local=True)
    if not with_ele:
        pts = [(a, b, None) for a, b, _ in pts]
    text = csv_text(pts, local=True, with_ele=with_ele, extra_col=extra_col)
    content = data.draw(mangled(text))
    path = route_dir / "route.csv"
    path.write_bytes(content)
    line = expect_stage_or_route_error(path, pts if content == text.encode() else None)
    if line is not None and content == text.encode():
        # The local frame is used as is: the start lies near the first usable point.
        first = next((a, b) for a, b, _ in pts if _finite(a) and _finite(b))
        assert math.hypot(line.x_m[0] - first[0], line.y_m[0] - first[1]) < 2500.0


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize(
    ("name", "text", "pattern"),
    [
        (  # Point feature whose properties are not an object (was AttributeError)
            "props.geojson",
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            'true, "geometry": {"type": "Point", "coordinates": [37.9, 26.6]}}, {"type": '
            '"LineString", "coordinates": [[37.9, 26.6], [37.91, 26.6]]}]}',
            r"features\[0\]\.properties is True; expected an object or null",
        ),
        (  # integer beyond the float range (was OverflowError)
            "big.geojson",
            '{"type": "LineString", "coordinates": [[1' + "0" * 400 + ", 2], [3, 4]]}",
            r"root\.coordinates\[0\] has a number too large",
        ),
        (  # integer beyond Python's int-parsing digit limit (was ValueError)
            "huge.geojson",
            '{"type": "LineString", "coordinates": [[1' + "0" * 5000 + ", 2], [3, 4]]}",
            r"not valid JSON",
        ),
    ],
)
def test_odd_geojson_found_by_the_property_test_is_a_route_error(
    tmp_path: Path, name: str, text: str, pattern: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RouteError, match=pattern):
        read_route(path)


def test_infinite_longitude_is_dropped_with_a_route_warning_only(tmp_path: Path) -> None:
    # Used to leak numpy "invalid value encountered in cos" RuntimeWarnings.
    path = tmp_path / "inf.csv"
    path.write_text("lat,lon\n26.6,37.9\n26.6,37.9001\n26.6,inf\n26.6,37.9002\n", "utf-8")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = to_centreline(read_route(path))
    assert all(issubclass(w.category, RouteWarning) for w in record)
    assert any("dropped 1 of 4 points with non-finite" in str(w.message) for w in record)
    assert line.length_m > 10.0
