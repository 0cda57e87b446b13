"""Readers for real-world routes: GPX, GeoJSON and CSV into a projected :class:`RawRoute`.

A reader checks what it can see in the file (coordinates in range, numbers where numbers
belong, a known header) and raises :class:`~raidsim.errors.RouteError` naming the file,
the point and the value. It does not judge the route as a route (gaps, duplicates, NaN
points, slopes): :func:`raidsim.route.resample.to_centreline` does that, so every format
gets the same repair and the same rejections.

Geodetic inputs are projected to a local East-North-Up plane about the first point with
finite coordinates (:mod:`raidsim.route.geodesy`); x/y are east/north in metres and z is
the file's elevation in metres (not the ENU "up", which falls away with Earth curvature).
Elevation counts as present only if at least one point has it; if only some points lack
it, the gaps are filled by linear interpolation over horizontal distance, with a warning.
Nothing is ever fetched from the network.

GPX has two paths. gpxpy is the reference reader, but it builds a Python object for every
field of every point (~1.3 s for an 800 km track with a fix every 10 m), so
:func:`read_gpx` first tries a fast path on the standard library's ElementTree that
reads only what a route needs into numpy arrays. The fast path parses the same text with
the same XML parser after the same default-namespace removal that gpxpy does, so it sees
the same element tree (GPX 1.0, 1.1 or no namespace); it mirrors gpxpy's rules for which
elements count and how numbers are read. Wherever gpxpy would reject the file (malformed
XML, a non-``gpx`` root, a missing or non-numeric ``lat``/``lon``/``ele`` or other numeric
field) the fast path steps aside and gpxpy reads the file, so errors and behaviour for odd
files are gpxpy's own.
"""

from __future__ import annotations

import csv
import json
import math
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from operator import attrgetter, methodcaller
from pathlib import Path
from typing import Any, cast

import gpxpy
import gpxpy.gpx
import numpy as np
from numpy.typing import NDArray

from raidsim.errors import RouteError
from raidsim.route.geodesy import geodetic_to_enu

F64 = NDArray[np.float64]

#: Accepted elevations, m. Below the Dead Sea shore (-430 m) or above Everest is a
#: device's "no data" value (e.g. -9999, -32768), not terrain.
ELEVATION_MIN_M = -1000.0
ELEVATION_MAX_M = 9000.0


class RouteWarning(UserWarning):
    """A route was repaired on reading or resampling; the message says what changed."""


@dataclass(frozen=True)
class Waypoint:
    """A named point for roadbook use (GPX ``<wpt>`` or a GeoJSON Point feature).

    ``type`` and ``sym`` carry rally waypoint tags (WPV, WPM, WPS, DSS, DZ, ...) as the
    file gives them; ``x_m``/``y_m`` are in the route's local frame.
    """

    name: str
    lat_deg: float
    lon_deg: float
    x_m: float
    y_m: float
    type: str | None = None
    sym: str | None = None


@dataclass(frozen=True)
class RawRoute:
    """Route points as read, projected to the local frame (x east, y north, z up, m).

    Points are neither resampled nor repaired: they may contain NaN, duplicates or gaps.
    ``origin_lat_deg``/``origin_lon_deg`` are the tangent-plane origin, or None for a
    route given directly in a local metric frame. ``z_m`` is all zeros when
    ``has_elevation`` is False.
    """

    x_m: F64
    y_m: F64
    z_m: F64
    has_elevation: bool
    waypoints: list[Waypoint] = field(default_factory=list)
    origin_lat_deg: float | None = None
    origin_lon_deg: float | None = None
    source: Path | None = None

    def __post_init__(self) -> None:
        n = len(self.x_m)
        if len(self.y_m) != n or len(self.z_m) != n:
            raise RouteError(
                f"{self.source}: raw route arrays differ in length "
                f"(x_m {n}, y_m {len(self.y_m)}, z_m {len(self.z_m)})"
            )


# --------------------------------------------------------------------------- helpers


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise RouteError(
            f"{p}: route file not found (expected a .gpx, .geojson, .json or .csv file)"
        )
    return p


def _check_lat_lon(lat: F64, lon: F64, source: Path, hint: str = "") -> None:
    """Finite latitudes must lie in [-90, 90] and longitudes in [-180, 180]."""
    with np.errstate(invalid="ignore"):
        bad_lat = np.flatnonzero(np.isfinite(lat) & (np.abs(lat) > 90.0))
        bad_lon = np.flatnonzero(np.isfinite(lon) & (np.abs(lon) > 180.0))
    if bad_lat.size:
        i = int(bad_lat[0])
        raise RouteError(
            f"{source}: point {i} has latitude {float(lat[i])!r}; allowed range is -90..90 degrees"
            f" ({bad_lat.size} such points){hint}"
        )
    if bad_lon.size:
        i = int(bad_lon[0])
        raise RouteError(
            f"{source}: point {i} has longitude {float(lon[i])!r}; allowed range is "
            f"-180..180 degrees ({bad_lon.size} such points){hint}"
        )


def _check_elevation(ele: F64, source: Path) -> None:
    bad = np.flatnonzero(np.isfinite(ele) & ((ele < ELEVATION_MIN_M) | (ele > ELEVATION_MAX_M)))
    if bad.size:
        i = int(bad[0])
        raise RouteError(
            f"{source}: point {i} has elevation {float(ele[i])!r} m; allowed range is "
            f"{ELEVATION_MIN_M:g}..{ELEVATION_MAX_M:g} m ({bad.size} such points; "
            "a 'no data' value should be left out instead)"
        )


def _fill_elevation(ele: F64, x: F64, y: F64, source: Path) -> tuple[F64, bool]:
    """Return (z, has_elevation). Missing values are interpolated over horizontal distance.

    No elevation anywhere: zeros and False (the loud warning comes at resampling).
    Points whose own x/y are not finite keep NaN; resampling drops them.
    """
    have = np.isfinite(ele)
    if not have.any():
        return np.zeros_like(x), False
    if have.all():
        return ele.copy(), True
    xy_ok = np.isfinite(x) & np.isfinite(y)
    idx = np.flatnonzero(xy_ok)
    step = np.hypot(np.diff(x[idx]), np.diff(y[idx]))
    s = np.concatenate(([0.0], np.cumsum(step)))
    known = have[idx]
    z = np.full_like(ele, np.nan)
    if known.any():
        z[idx] = np.interp(s, s[known], ele[idx][known])
    missing = int(np.count_nonzero(~have & xy_ok))
    if missing == 0:  # only points without a position lack it: resampling drops them
        return z, True
    warnings.warn(
        f"{source}: {missing} of {len(ele)} points have no elevation; filled by linear "
        "interpolation over distance from their neighbours",
        RouteWarning,
        stacklevel=3,
    )
    return z, True


def _from_geodetic(
    lat: F64,
    lon: F64,
    ele: F64,
    source: Path,
    waypoint_rows: list[tuple[str, float, float, float | None, str | None, str | None]],
    hint: str = "",
) -> RawRoute:
    """Validate, project about the first finite point and fill elevation gaps."""
    _check_lat_lon(lat, lon, source, hint)
    _check_elevation(ele, source)
    finite = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if finite.size == 0:
        raise RouteError(
            f"{source}: none of the {len(lat)} points has a finite latitude and longitude; "
            "at least 2 are needed"
        )
    i0 = int(finite[0])
    lat0, lon0 = float(lat[i0]), float(lon[i0])
    have = np.isfinite(ele)
    # Horizontal positions are projected at one reference height (the first point's, or
    # the first known elevation): the same lat/lon then gives the same x/y whatever its
    # elevation (per-point heights would tilt it through the tangent plane: 0.3 m for
    # 1 km of climb 2 km from the origin). Height only scales the plane by (N + h)/N.
    h0 = float(ele[i0]) if have[i0] else (float(ele[have][0]) if have.any() else 0.0)
    h_proj = np.full_like(lat, h0)
    # An infinite lat/lon (e.g. lon="inf" in a file) projects to NaN; that point is
    # dropped with a warning at resampling, so numpy's RuntimeWarning is noise here.
    with np.errstate(invalid="ignore"):
        x, y, _ = geodetic_to_enu(lat, lon, h_proj, lat0, lon0, h0)
    z, has_elevation = _fill_elevation(ele, x, y, source)
    waypoints = []
    for name, wlat, wlon, _wele, wtype, wsym in waypoint_rows:
        if not (math.isfinite(wlat) and math.isfinite(wlon)) or abs(wlat) > 90 or abs(wlon) > 180:
            raise RouteError(
                f"{source}: waypoint '{name}' has lat/lon ({wlat!r}, {wlon!r}); allowed "
                "-90..90 and -180..180 degrees"
            )
        wx, wy, _ = geodetic_to_enu(wlat, wlon, h0, lat0, lon0, h0)
        waypoints.append(Waypoint(name, wlat, wlon, float(wx), float(wy), wtype, wsym))
    return RawRoute(x, y, z, has_elevation, waypoints, lat0, lon0, source)


def _float_or_nan(value: Any) -> float:
    return math.nan if value is None else float(value)


# --------------------------------------------------------------------------- GPX


# gpxpy drops the first default-namespace declaration from the text before parsing, so
# elements in the document's default namespace have bare tags (gpxpy.parser.GPXParser).
_GPX_DEFAULT_NS = re.compile(r"""\sxmlns=(['"])[^'"]+\1""")
# Point fields that gpxpy converts and would reject if malformed (besides lat/lon/ele).
_GPX_FLOAT_FIELDS = ("magvar", "geoidheight", "hdop", "vdop", "pdop", "ageofdgpsdata")
_GPX_INT_FIELDS = ("sat", "dgpsid")
_GPX_FIX_VALUES = ("none", "2d", "3d", "dgps", "pps", "3")
_GPX10_TRKPT_FLOAT_FIELDS = ("course", "speed")  # GPX 1.0 track points only

_WaypointRow = tuple[str, float, float, float | None, str | None, str | None]


class _UseGpxpy(Exception):
    """The fast GPX path cannot vouch for this file: gpxpy reads it (and may reject it)."""


def _gpx_float(text: str) -> float:
    """gpxpy's float conversion; raises ValueError/AttributeError where gpxpy would fail."""
    return float(text.strip())


def _children(node: ET.Element, tag: str) -> list[ET.Element]:
    """Direct children with ``tag``, in order (gpxpy's list fields look no deeper)."""
    return node.findall(tag)  # a plain tag: a C loop over the direct children


def _gpx_child_text(node: ET.Element, tag: str) -> str | None:
    child = node.find(tag)
    return None if child is None else child.text


def _gpx_check_points(points: list[ET.Element], tags: list[str]) -> None:
    """Raise ``_UseGpxpy`` if gpxpy would reject one of these numeric or ``fix`` fields.

    gpxpy reads only the first child of each name; ``tags`` are those that occur in the
    document at all, so a file without such fields costs nothing here.
    """
    for pt in points:
        for tag in tags:
            value = pt.findtext(tag)
            if not value:  # absent, or empty: gpxpy leaves the field unset
                continue
            if tag == "fix":
                if value not in _GPX_FIX_VALUES:
                    raise _UseGpxpy
            elif tag in _GPX_INT_FIELDS:
                int(value.strip())
            else:
                _gpx_float(value)


def _gpx_attr_floats(points: list[ET.Element], attr: str) -> F64:
    """A mandatory numeric attribute of every point (gpxpy rejects a missing one)."""
    values = list(map(methodcaller("get", attr), points))
    if None in values:
        raise _UseGpxpy
    return np.fromiter(map(float, map(str.strip, cast(list[str], values))), np.float64)


def _gpx_lat_lon_ele(points: list[ET.Element]) -> tuple[F64, F64, F64]:
    """lat/lon attributes (mandatory) and the first ``<ele>`` child (NaN if absent/empty)."""
    lat = _gpx_attr_floats(points, "lat")
    lon = _gpx_attr_floats(points, "lon")
    # findtext: None without an <ele>, "" for an empty one (gpxpy: no elevation for both).
    texts: list[str | None] = list(map(methodcaller("findtext", "ele"), points))
    try:  # every point has a non-empty <ele> (the usual case)
        ele = np.fromiter(map(float, map(str.strip, cast(list[str], texts))), np.float64)
    except (TypeError, ValueError):
        ele = np.fromiter(
            (math.nan if not t else float(t.strip()) for t in texts), np.float64, len(texts)
        )
    return lat, lon, ele


def _read_gpx_fast(text: str, p: Path) -> RawRoute | None:
    """Read a GPX text with ElementTree, or return None to leave the file to gpxpy."""
    text = _GPX_DEFAULT_NS.sub("", text, count=1)
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError):
        return None
    if root.tag != "gpx":
        return None
    v11 = root.get("version") == "1.1"
    # Checked fields that occur anywhere in the document (one pass over the tree, in C).
    all_tags = set(map(attrgetter("tag"), root.iter()))
    present = [
        tag
        for tag in (*_GPX_FLOAT_FIELDS, *_GPX_INT_FIELDS, "fix", *_GPX10_TRKPT_FLOAT_FIELDS)
        if tag in all_tags
    ]
    point_fields = [t for t in present if t not in _GPX10_TRKPT_FLOAT_FIELDS]
    trkpt_fields = point_fields if v11 else present
    try:
        meta = root.find("metadata") if v11 else root
        bounds = None if meta is None else meta.find("bounds")
        if bounds is not None:
            for attr in ("minlat", "maxlat", "minlon", "maxlon"):
                value = bounds.get(attr)
                if value is not None:
                    _gpx_float(value)
        wpts = _children(root, "wpt")
        rtes = _children(root, "rte")
        trks = _children(root, "trk")
        for parent in rtes + trks:
            number = _gpx_child_text(parent, "number")
            if number is not None:
                int(number.strip())
        rtepts = [pt for rte in rtes for pt in _children(rte, "rtept")]
        trkpts = [
            pt for trk in trks for seg in _children(trk, "trkseg") for pt in _children(seg, "trkpt")
        ]
        _gpx_check_points(wpts + rtepts, point_fields)
        _gpx_check_points(trkpts, trkpt_fields)
        rte = _gpx_lat_lon_ele(rtepts)  # gpxpy reads routes even when tracks are used
        lat, lon, ele = _gpx_lat_lon_ele(trkpts) if trkpts else rte
        wlat, wlon, _ = _gpx_lat_lon_ele(wpts)
        wtexts = [_gpx_child_text(w, "ele") for w in wpts]
        wele = [None if t is None else float(t.strip()) for t in wtexts]
    except (_UseGpxpy, ValueError, TypeError, AttributeError):
        return None
    if len(lat) == 0:
        raise RouteError(
            f"{p}: GPX file has no track points (<trkpt>) and no route points (<rtept>)"
        )
    rows: list[_WaypointRow] = [
        (
            _gpx_child_text(w, "name") or f"wpt{i}",
            float(wlat[i]),
            float(wlon[i]),
            wele[i],
            _gpx_child_text(w, "type"),
            _gpx_child_text(w, "sym"),
        )
        for i, w in enumerate(wpts)
    ]
    return _from_geodetic(lat, lon, ele, p, rows)


def _read_gpx_gpxpy(text: str, p: Path) -> RawRoute:
    """Read a GPX text with gpxpy: the reference reader and the fast path's fallback."""
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise RouteError(f"{p}: not a readable GPX file ({exc})") from exc
    points: list[Any] = [pt for trk in gpx.tracks for seg in trk.segments for pt in seg.points]
    if not points:
        points = [pt for rte in gpx.routes for pt in rte.points]
    if not points:
        raise RouteError(
            f"{p}: GPX file has no track points (<trkpt>) and no route points (<rtept>)"
        )
    lat = np.array([_float_or_nan(pt.latitude) for pt in points], dtype=np.float64)
    lon = np.array([_float_or_nan(pt.longitude) for pt in points], dtype=np.float64)
    ele = np.array([_float_or_nan(pt.elevation) for pt in points], dtype=np.float64)
    rows: list[_WaypointRow] = [
        (
            w.name or f"wpt{i}",
            _float_or_nan(w.latitude),
            _float_or_nan(w.longitude),
            w.elevation,
            w.type,
            w.symbol,
        )
        for i, w in enumerate(gpx.waypoints)
    ]
    return _from_geodetic(lat, lon, ele, p, rows)


def read_gpx(path: str | Path) -> RawRoute:
    """Read a GPX 1.0/1.1 file: a fast ElementTree path, with gpxpy as the fallback.

    All track segments of all tracks are concatenated in file order; if the file has no
    track points, its routes are used instead. ``<wpt>`` elements are returned as
    waypoints (name, lat, lon, type, sym). Both paths give the same result; see the
    module docstring.
    """
    p = _check_file(path)
    try:
        with p.open(encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise RouteError(f"{p}: not a readable GPX file ({exc})") from exc
    raw = _read_gpx_fast(text, p)
    return raw if raw is not None else _read_gpx_gpxpy(text, p)


# --------------------------------------------------------------------------- GeoJSON


def _geojson_lines(obj: Any, p: Path, where: str) -> tuple[list[Any], list[Any]]:
    """Collect LineString coordinate lists and Point features from a GeoJSON object."""
    if not isinstance(obj, dict) or "type" not in obj:
        raise RouteError(f"{p}: {where} is not a GeoJSON object with a 'type' member")
    kind = obj["type"]
    if kind == "FeatureCollection":
        lines: list[Any] = []
        points: list[Any] = []
        features = obj.get("features")
        if not isinstance(features, list):
            raise RouteError(f"{p}: {where}.features must be a list, got {type(features).__name__}")
        for i, feat in enumerate(features):
            ls, ps = _geojson_lines(feat, p, f"{where}.features[{i}]")
            lines += ls
            points += ps
        return lines, points
    if kind == "Feature":
        geom = obj.get("geometry")
        if geom is None:
            return [], []
        if isinstance(geom, dict) and geom.get("type") == "Point":
            props = obj.get("properties")
            if props is not None and not isinstance(props, dict):
                raise RouteError(
                    f"{p}: {where}.properties is {props!r}; expected an object or null"
                )
            return [], [(props or {}, geom.get("coordinates"), where)]
        return _geojson_lines(geom, p, f"{where}.geometry")
    if kind == "LineString":
        return [(obj.get("coordinates"), f"{where}.coordinates")], []
    if kind == "MultiLineString":
        coords = obj.get("coordinates")
        if not isinstance(coords, list):
            raise RouteError(f"{p}: {where}.coordinates must be a list of LineStrings")
        return [(c, f"{where}.coordinates[{i}]") for i, c in enumerate(coords)], []
    if kind in ("Point", "MultiPoint", "Polygon", "MultiPolygon", "GeometryCollection"):
        return [], []
    raise RouteError(
        f"{p}: {where} has type {kind!r}; expected Feature, FeatureCollection, LineString "
        "or MultiLineString"
    )


def _position(value: Any, p: Path, where: str) -> tuple[float, float, float]:
    ok = (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise RouteError(
            f"{p}: {where} is {value!r}; expected a position [lon, lat] or [lon, lat, ele] "
            "of numbers"
        )
    try:
        pos = float(value[0]), float(value[1]), float(value[2]) if len(value) == 3 else math.nan
    except OverflowError:  # an integer beyond the float range
        raise RouteError(f"{p}: {where} has a number too large for a coordinate") from None
    if not all(math.isfinite(v) for v in value):  # NaN/Infinity: not JSON numbers (RFC 8259)
        raise RouteError(
            f"{p}: {where} is {value!r}; a coordinate must be a finite number (leave the "
            "point out instead of writing NaN or Infinity)"
        )
    return pos


def read_geojson(path: str | Path) -> RawRoute:
    """Read a GeoJSON (RFC 7946) route: LineString or MultiLineString geometries.

    Accepts a bare geometry, a Feature or a FeatureCollection; all line geometries are
    concatenated in file order. Positions are ``[lon, lat]`` or ``[lon, lat, ele]``.
    Point features become waypoints (properties ``name``, ``type``, ``sym``).
    """
    p = _check_file(path)
    try:
        with p.open(encoding="utf-8") as fh:
            obj = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, or an over-long int
        raise RouteError(f"{p}: not valid JSON ({exc})") from exc
    lines, point_feats = _geojson_lines(obj, p, "root")
    coords: list[tuple[float, float, float]] = []
    for line, where in lines:
        if not isinstance(line, list):
            raise RouteError(f"{p}: {where} must be a list of positions, got {line!r}")
        coords += [_position(v, p, f"{where}[{i}]") for i, v in enumerate(line)]
    if not coords:
        raise RouteError(f"{p}: no LineString or MultiLineString coordinates found")
    arr = np.array(coords, dtype=np.float64)
    rows = []
    for props, c, where in point_feats:
        wlon, wlat, wele = _position(c, p, f"{where}.geometry.coordinates")
        name = str(props.get("name") or where)
        rows.append(
            (
                name,
                wlat,
                wlon,
                None if math.isnan(wele) else wele,
                props.get("type"),
                props.get("sym"),
            )
        )
    hint = " (GeoJSON positions are [lon, lat], longitude first)"
    return _from_geodetic(arr[:, 1], arr[:, 0], arr[:, 2], p, rows, hint)


# --------------------------------------------------------------------------- CSV

_GEODETIC = ("lat", "lon", "ele")
_LOCAL = ("x_m", "y_m", "z_m")


def read_csv_route(path: str | Path) -> RawRoute:
    """Read a CSV route with a header row.

    Either ``lat,lon[,ele]`` (degrees, metres; projected like GPX) or ``x_m,y_m[,z_m]``
    (already in a local metric frame, used as is). Other columns are ignored. An empty
    cell or ``nan`` is a missing value.
    """
    p = _check_file(path)
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RouteError(f"{p}: not a readable CSV file ({exc})") from exc
    if not rows:
        raise RouteError(
            f"{p}: CSV file is empty; expected a header 'lat,lon[,ele]' or 'x_m,y_m[,z_m]'"
        )
    header = [h.strip().lower() for h in rows[0]]
    has_geo = {"lat", "lon"} <= set(header)
    has_local = {"x_m", "y_m"} <= set(header)
    if has_geo == has_local:
        what = "both" if has_geo else "neither"
        raise RouteError(
            f"{p}: CSV header {rows[0]!r} has {what} of 'lat,lon' and 'x_m,y_m'; "
            "expected exactly one of 'lat,lon[,ele]' or 'x_m,y_m[,z_m]'"
        )
    names = _GEODETIC if has_geo else _LOCAL
    cols = [header.index(n) if n in header else None for n in names]
    data = np.full((len(rows) - 1, 3), np.nan)
    for r, row in enumerate(rows[1:]):
        if len(row) != len(header):
            raise RouteError(
                f"{p}: line {r + 2} has {len(row)} fields, the header has {len(header)}"
            )
        for k, c in enumerate(cols):
            if c is None:
                continue
            cell = row[c].strip()
            if cell == "":
                continue
            try:
                data[r, k] = float(cell)
            except ValueError:
                raise RouteError(
                    f"{p}: line {r + 2}, column '{names[k]}' is {cell!r}; expected a number"
                ) from None
    if has_geo:
        return _from_geodetic(data[:, 0], data[:, 1], data[:, 2], p, [])
    x, y = data[:, 0], data[:, 1]
    _check_elevation(data[:, 2], p)
    z, has_elevation = _fill_elevation(data[:, 2], x, y, p)
    return RawRoute(x, y, z, has_elevation, [], None, None, p)


# --------------------------------------------------------------------------- dispatch

_READERS = {
    ".gpx": read_gpx,
    ".geojson": read_geojson,
    ".json": read_geojson,
    ".csv": read_csv_route,
}


def read_route(path: str | Path) -> RawRoute:
    """Read a route file, choosing the reader by suffix (.gpx, .geojson/.json, .csv)."""
    p = Path(path)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise RouteError(
            f"{p}: unknown route file suffix {p.suffix!r}; allowed: {', '.join(_READERS)}"
        )
    return reader(p)
