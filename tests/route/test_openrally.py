"""OpenRally GPX: files written to the published cross-country format (openrally.org
``example.gpx`` / ``openrally.xsd``) read into the stage's roadbook; a stage written out and
read back keeps its route, waypoints and zones within 1 m; bad values are errors naming
the element, elements raidsim does not model are warnings."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

import raidsim as rs
from raidsim.errors import RouteError
from raidsim.route.geodesy import enu_to_geodetic, geodetic_to_enu
from raidsim.route.openrally import DEFAULT_RADII_M, read_roadbook, write_openrally_gpx
from raidsim.route.readers import RouteWarning

NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0-Cross-Country-DRAFT"
LAT0, LON0 = 24.0, 46.0
#: metres per degree of latitude near 24 deg N (WGS84 meridian radius), for the track
M_PER_DEG = 110_790.0


def _track(length_m: float = 4000.0, step_m: float = 20.0) -> str:
    """A straight track north from (LAT0, LON0)."""
    pts = [
        f'<trkpt lat="{LAT0 + s / M_PER_DEG:.8f}" lon="{LON0}"><ele>100</ele></trkpt>'
        for s in np.arange(0.0, length_m + 1e-9, step_m)
    ]
    return "<trk><trkseg>" + "".join(pts) + "</trkseg></trk>"


def _wpt(ext: str, name: str = "") -> str:
    label = f"<name>{name}</name>" if name else ""
    return f'<wpt lat="0" lon="0">{label}<extensions>{ext}</extensions></wpt>'


def _gpx(wpts: str, meta: str = "", track: str | None = None) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:openrally="{NS}" '
        'version="1.1" creator="test">'
        f"<metadata><extensions>{meta}</extensions></metadata>"
        f"{wpts}{_track() if track is None else track}</gpx>"
    )


def _o(tag: str, text: str = "", **attrs: str) -> str:
    a = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<openrally:{tag}{a}>{text}</openrally:{tag}>" if text else f"<openrally:{tag}{a}/>"


def _d(km: float) -> str:
    return _o("distance", f"{km}")


#: every kind of marker of the published cross-country example, on a 4 km route
EXAMPLE = _gpx(
    meta=_o("units", "metric") + _o("distance", "4.0"),
    wpts="".join(
        [
            _wpt(_d(0.0) + _o("dss")),
            _wpt(_d(0.1) + _o("dz") + _o("speed", "65")),
            _wpt(_d(0.2) + _o("fz")),
            _wpt(_d(0.3) + _o("danger", "3") + _o("wps", open="800", clear="90"), "gully"),
            _wpt(_d(0.4) + _o("stop", "3")),
            _wpt(_d(0.5) + _o("neutralization", "900") + _o("fuel"), "fuel stop"),
            _wpt(_d(0.6) + _o("tulip", "data:image/png;base64,AAAA") + _o("notes", "<svg/>")),
            _wpt(_d(1.0) + _o("wpm", open="800", clear="200", name="XYZ")),
            _wpt(_d(1.5) + _o("wpc", clear="20", name="ABC") + _o("cap", "360")),
            _wpt(_d(2.0) + _o("wpe", clear="200")),
            _wpt(_d(2.5) + _o("wpv")),
            _wpt(_d(3.0) + _o("checkpoint") + _o("timecontrol", allowed="60")),
            _wpt(_d(4.0) + _o("ass")),
        ]
    ),
)


def _write(tmp_path: Path, text: str, name: str = "roadbook.gpx") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_published_marker_reads_into_the_stage(tmp_path: Path) -> None:
    path = _write(tmp_path, EXAMPLE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stage = rs.load_stage(path)
    d = stage.definition
    length_km = stage.centreline.length_m / 1000.0
    scale = length_km / 4.0  # roadbook distances scaled to the resampled route
    assert scale == pytest.approx(1.0, abs=0.01)
    kinds = [
        (w.kind, round(w.km / scale, 6), w.radius_m, w.open_radius_m, w.name) for w in d.waypoints
    ]
    assert kinds == [
        ("DSS", 0.0, 200.0, None, ""),
        ("WPS", 0.3, 90.0, 800.0, "gully"),
        ("WPM", 1.0, 200.0, 800.0, "XYZ"),
        ("WPC", 1.5, 20.0, None, "ABC"),
        ("WPE", 2.0, 200.0, DEFAULT_RADII_M["WPE"][0], ""),
        ("WPV", 2.5, 200.0, None, ""),
        ("ASS", 4.0, 200.0, None, ""),
    ]
    (zone,) = d.speed_zones
    assert (zone.start_km / scale, zone.end_km / scale) == pytest.approx((0.1, 0.2))
    assert zone.limit_kmh == 65.0
    assert np.all(
        stage.speed_limit_mps[int(zone.start_km * 1000) + 2 : int(zone.end_km * 1000) - 2]
        == pytest.approx(65 / 3.6)
    )
    assert [(g.level, g.name) for g in d.dangers] == [(3, "gully")]
    assert [r.name for r in d.refuels] == ["fuel stop"]
    assert [(n.duration_s, n.name) for n in d.neutralizations] == [(900.0, "fuel stop")]
    messages = [str(w.message) for w in caught if issubclass(w.category, RouteWarning)]
    left_out = [m for m in messages if "does not model" in m]
    assert len(left_out) == 1
    for tag in ("stop x1", "tulip x1", "notes x1", "cap x1", "checkpoint x1", "timecontrol x1"):
        assert tag in left_out[0]


def test_statute_units_and_a_reset(tmp_path: Path) -> None:
    """Miles, mph and yards convert to km, km/h and m; after a reset to 0 the readings
    count from the reset point."""
    miles = 4.0 / 1.609344
    text = _gpx(
        meta=_o("units", "statute") + _o("distance", f"{miles}"),
        wpts=_wpt(_d(0.5) + _o("dz") + _o("speed", "30"))
        + _wpt(_d(1.0) + _o("fz") + _o("reset"))
        + _wpt(_d(0.25) + _o("wpm", open="875", clear="219")),
    )
    book = read_roadbook(_write(tmp_path, text))
    assert book is not None and book.units == "statute"
    (zone,) = book.speed_zones
    assert zone.start_km == pytest.approx(0.5 * 1.609344)
    assert zone.limit_kmh == pytest.approx(30 * 1.609344)
    (wpm,) = book.waypoints
    assert wpm.km == pytest.approx(1.25 * 1.609344)
    assert wpm.open_radius_m == pytest.approx(875 * 0.9144)
    assert wpm.radius_m == pytest.approx(219 * 0.9144)


@pytest.mark.parametrize(
    ("ext", "needle"),
    [
        (_d(1.0) + _o("dz"), "a DZ needs its <openrally:speed>"),
        (_d(1.0) + _o("dz") + _o("speed", "fast"), "<openrally:speed> = 'fast'"),
        (_d(1.0) + _o("danger", "5"), "allowed 1, 2 or 3"),
        (_d(-1.0) + _o("wpv"), "<openrally:distance> = '-1.0'"),
        (_o("wpv"), "needs its distance"),
        (_d(1.0) + _o("wpm", clear="-5"), "<openrally:wpm clear> = '-5'"),
    ],
)
def test_bad_values_are_errors_that_name_the_element(tmp_path: Path, ext: str, needle: str) -> None:
    path = _write(tmp_path, _gpx(meta=_o("units", "metric"), wpts=_wpt(ext, "K9")))
    with pytest.raises(RouteError, match="K9") as err:
        rs.load_stage(path)
    assert needle in str(err.value) and str(path) in str(err.value)


def test_unknown_units_are_an_error_and_unknown_elements_a_warning(tmp_path: Path) -> None:
    bad = _write(tmp_path, _gpx(meta=_o("units", "imperial"), wpts=_wpt(_d(1.0) + _o("wpv"))))
    with pytest.raises(RouteError, match="allowed 'metric' or 'statute'"):
        read_roadbook(bad)
    odd = _write(
        tmp_path,
        _gpx(meta=_o("units", "metric"), wpts=_wpt(_d(1.0) + _o("wpv") + _o("teleport"))),
        "odd.gpx",
    )
    with pytest.warns(RouteWarning, match=r"teleport \(unknown\) x1"):
        book = read_roadbook(odd)
    assert book is not None and [w.kind for w in book.waypoints] == ["WPV"]
    unclosed = _write(
        tmp_path,
        _gpx(
            meta=_o("units", "metric") + _o("distance", "4"),
            wpts=_wpt(_d(1.0) + _o("dz") + _o("speed", "50")),
        ),
        "unclosed.gpx",
    )
    with pytest.warns(RouteWarning, match="never closed by an FZ; the zone runs to 4.000 km"):
        book = read_roadbook(unclosed)
    assert book is not None and book.speed_zones[0].end_km == pytest.approx(4.0)


def test_plain_gpx_has_no_roadbook(tmp_path: Path) -> None:
    plain = (
        '<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" '
        f'creator="t">{_track()}</gpx>'
    )
    path = _write(tmp_path, plain, "plain.gpx")
    assert read_roadbook(path) is None
    assert rs.load_stage(path).definition.waypoints == []


def test_enu_to_geodetic_inverts_the_projection() -> None:
    e = np.array([0.0, 1500.0, -40_000.0, 250_000.0])
    n = np.array([0.0, -800.0, 90_000.0, -120_000.0])
    lat, lon = enu_to_geodetic(e, n, LAT0, LON0, 350.0)
    e2, n2, _ = geodetic_to_enu(lat, lon, 350.0, LAT0, LON0, 350.0)
    np.testing.assert_allclose(e2, e, atol=1e-6)
    np.testing.assert_allclose(n2, n, atol=1e-6)


def test_round_trip_keeps_route_waypoints_and_zones_within_a_metre(tmp_path: Path) -> None:
    """default stage -> OpenRally GPX -> stage: every point of the route lies within 1 m
    of the read-back route, and each waypoint and zone end within 1 m of where it was."""
    stage = rs.load_stage("default")
    with pytest.warns(RouteWarning, match="no element for sections, dunes, jumps"):
        path = write_openrally_gpx(stage, tmp_path / "default.gpx", LAT0, LON0)
    back = rs.load_stage(path)
    a, b = stage.centreline, back.centreline
    ax, ay = a.x_m - a.x_m[0], a.y_m - a.y_m[0]
    dist, _ = cKDTree(np.c_[b.x_m, b.y_m]).query(np.c_[ax, ay])
    assert dist.max() < 1.0
    assert abs(a.length_m - b.length_m) < 0.001 * a.length_m

    def where(cl: object, x0: float, y0: float, km: float) -> np.ndarray:
        i = min(int(round(km * 1000.0)), len(cl.s_m) - 1)  # type: ignore[attr-defined]
        return np.array([cl.x_m[i] - x0, cl.y_m[i] - y0])  # type: ignore[attr-defined]

    da, db = stage.definition, back.definition
    assert [w.kind for w in da.waypoints] == [w.kind for w in db.waypoints]
    for wa, wb in zip(da.waypoints, db.waypoints, strict=True):
        gap = where(a, a.x_m[0], a.y_m[0], wa.km) - where(b, 0.0, 0.0, wb.km)
        assert math.hypot(*gap) < 1.0, (wa, wb)
        assert wb.radius_m == wa.radius_m and wb.name == wa.name
    assert len(da.speed_zones) == len(db.speed_zones) >= 1
    for za, zb in zip(da.speed_zones, db.speed_zones, strict=True):
        assert zb.limit_kmh == za.limit_kmh
        for ka, kb in ((za.start_km, zb.start_km), (za.end_km, zb.end_km)):
            assert math.hypot(*(where(a, a.x_m[0], a.y_m[0], ka) - where(b, 0.0, 0.0, kb))) < 1.0


def test_a_gpx_declaring_an_unknown_encoding_is_read_as_utf8_not_an_internal_error(
    tmp_path: Path,
) -> None:
    """A GPX whose XML declaration names an encoding Python does not know (found by the
    CLI's property test: ``encoding="UTFnan"``) made the roadbook's streaming pass raise
    a LookupError, an internal error. Like any file ElementTree cannot read, it is left to
    gpxpy on the UTF-8 text: a plain GPX with its 12 points loads as a stage."""
    lines = [
        '<?xml version="nan" encoding="UTFnan"?>',
        '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>',
    ]
    lines += [f'<trkpt lat="{26.79 + 0.0009 * i:.4f}" lon="37.95"/>' for i in range(12)]
    lines += ["</trkseg></trk></gpx>", ""]
    path = tmp_path / "route.gpx"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert read_roadbook(path) is None
    stage = rs.load_stage(path)
    assert stage.length_m == pytest.approx(1100.0, rel=0.05)
