"""The fast ElementTree GPX path against gpxpy, the reference reader it stands in for.

For files the fast path reads it must give exactly gpxpy's arrays, waypoints and
warnings; for files gpxpy rejects (or that the fast path cannot vouch for) it must step
aside so the error is gpxpy's own.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from raidsim.errors import RouteError
from raidsim.route import readers
from raidsim.route.readers import RawRoute, read_gpx

NS10 = ' xmlns="http://www.topografix.com/GPX/1/0"'
NS11 = ' xmlns="http://www.topografix.com/GPX/1/1"'


def gpx_doc(body: str, version: str = "1.1", ns: str = NS11) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="{version}" creator="raidsim-tests"{ns}>{body}</gpx>\n'
    )


def pt(tag: str, lat: float, lon: float, ele: float | None = None, extra: str = "") -> str:
    inner = "" if ele is None else f"<ele>{ele!r}</ele>"
    return f'<{tag} lat="{lat!r}" lon="{lon!r}">{inner}{extra}</{tag}>'


def line(tag: str, n: int, start: int = 0, ele: bool = True, extra: str = "") -> str:
    """n points heading north-east from AlUla, ~11 m apart."""
    return "".join(
        pt(tag, 26.6 + 1e-4 * i, 37.9 + 1e-4 * i, 600.0 + 0.5 * i if ele else None, extra)
        for i in range(start, start + n)
    )


WPTS = (
    '<wpt lat="26.6005" lon="37.9003"><ele>612.5</ele><name>CP1</name>'
    "<sym>Flag</sym><type>WPM</type></wpt>"
    '<wpt lat="26.601" lon="37.901"><type>DZ</type></wpt>'  # no name: "wpt1"
    '<wpt lat="26.602" lon="37.9025"><name>WPS 3</name><sym>Danger</sym></wpt>'
)

FILES = {
    "tracks_several_segments": gpx_doc(
        WPTS
        + "<rte><rtept lat='26.7' lon='38.0'/></rte>"  # ignored: there are track points
        + f"<trk><name>a</name><trkseg>{line('trkpt', 30)}</trkseg>"
        + f"<trkseg>{line('trkpt', 25, 30)}</trkseg></trk>"
        + f"<trk><trkseg>{line('trkpt', 20, 55)}</trkseg><trkseg/></trk>"
    ),
    "routes_only_no_elevation": gpx_doc(
        f"<rte><name>r1</name>{line('rtept', 40, ele=False)}</rte>"
        f"<rte>{line('rtept', 15, 40, ele=False)}</rte>"
    ),
    "partial_elevation": gpx_doc(
        "<trk><trkseg>"
        + line("trkpt", 10)
        + line("trkpt", 5, 10, ele=False)
        + '<trkpt lat="26.6015" lon="37.9015"><ele/></trkpt>'
        + line("trkpt", 10, 16)
        + "</trkseg></trk>"
    ),
    "gpx10_namespace_with_device_fields": gpx_doc(
        WPTS
        + "<trk><number>1</number><trkseg>"
        + line(
            "trkpt",
            40,
            extra="<time>2026-01-05T08:00:00Z</time><course>45.0</course><speed>12.5</speed>"
            "<fix>3d</fix><sat>9</sat><hdop> 0.9 </hdop><extensions><x>y</x></extensions>",
        )
        + "</trkseg></trk>",
        version="1.0",
        ns=NS10,
    ),
    "no_namespace_no_version": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 30)}</trkseg></trk>", version="", ns=""
    ).replace(' version=""', ""),
    # GPX 1.1 has no <speed> in a track point: gpxpy ignores it, and so must the fast path.
    "gpx11_ignores_speed": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 30, extra='<speed>fast</speed>')}</trkseg></trk>"
    ),
    "non_finite_and_padded_values": gpx_doc(
        "<trk><trkseg>"
        + line("trkpt", 10)
        + '<trkpt lat="nan" lon="37.9011"><ele>610</ele></trkpt>'
        + '<trkpt lat=" 26.6011 " lon="inf"><ele> nan </ele></trkpt>'
        + line("trkpt", 10, 12)
        + "</trkseg></trk>"
    ),
    "prefixed_namespace_elsewhere": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 30)}</trkseg></trk>",
        ns=NS11 + ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"',
    ),
}

# gpxpy rejects these (or reads them oddly): the fast path must leave them to gpxpy.
ODD_FILES = {
    "missing_lat": gpx_doc(f"<trk><trkseg>{line('trkpt', 5)}<trkpt lon='1'/></trkseg></trk>"),
    "bad_lon": gpx_doc(f"<trk><trkseg>{line('trkpt', 5)}<trkpt lat='1' lon=''/></trkseg></trk>"),
    "bad_ele": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 5, ele=False, extra='<ele>x</ele>')}</trkseg></trk>"
    ),
    "blank_ele": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 5, ele=False, extra='<ele> </ele>')}</trkseg></trk>"
    ),
    "bad_hdop_in_route": gpx_doc(
        f"<rte>{line('rtept', 5, extra='<hdop>?</hdop>')}</rte>"
        f"<trk><trkseg>{line('trkpt', 5)}</trkseg></trk>"
    ),
    "bad_fix": gpx_doc(f"<trk><trkseg>{line('trkpt', 5, extra='<fix>4d</fix>')}</trkseg></trk>"),
    "float_sat": gpx_doc(f"<trk><trkseg>{line('trkpt', 5, extra='<sat>7.0</sat>')}</trkseg></trk>"),
    "gpx10_bad_speed": gpx_doc(
        f"<trk><trkseg>{line('trkpt', 5, extra='<speed>fast</speed>')}</trkseg></trk>",
        version="1.0",
        ns=NS10,
    ),
    "bad_track_number": gpx_doc(
        f"<trk><number>one</number><trkseg>{line('trkpt', 5)}</trkseg></trk>"
    ),
    "bad_bounds": gpx_doc(
        f"<metadata><bounds minlat='x'/></metadata><trk><trkseg>{line('trkpt', 5)}</trkseg></trk>"
    ),
    "wpt_without_lon": gpx_doc(f"<wpt lat='26.6'/><trk><trkseg>{line('trkpt', 5)}</trkseg></trk>"),
    # gpxpy does not check the root's name, so it reads this track: the fast path declines.
    "not_gpx_root": gpx_doc(f"<trk><trkseg>{line('trkpt', 5)}</trkseg></trk>")
    .replace("<gpx ", "<kml ")
    .replace("</gpx>", "</kml>"),
    "truncated": gpx_doc(f"<trk><trkseg>{line('trkpt', 5)}</trkseg></trk>")[:-20],
    "empty": gpx_doc(""),
}


def read_both(path: Path) -> tuple[object, object, list[str], list[str]]:
    """Outcome (RawRoute, or the RouteError message) and warnings of each path."""
    text = path.read_text(encoding="utf-8")
    outcomes: list[object] = []
    messages: list[list[str]] = []
    for reader in (readers._read_gpx_fast, readers._read_gpx_gpxpy):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            try:
                outcome: object = reader(text, path)
            except RouteError as exc:
                outcome = str(exc)
        outcomes.append(outcome)
        messages.append([str(w.message) for w in record])
    return outcomes[0], outcomes[1], messages[0], messages[1]


def assert_same_route(fast: RawRoute, ref: RawRoute) -> None:
    for name in ("x_m", "y_m", "z_m"):
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.dtype == b.dtype == np.float64
        np.testing.assert_array_equal(a, b, err_msg=name)  # NaN in the same places too
    assert fast.has_elevation == ref.has_elevation
    assert fast.waypoints == ref.waypoints
    assert (fast.origin_lat_deg, fast.origin_lon_deg) == (ref.origin_lat_deg, ref.origin_lon_deg)
    assert fast.source == ref.source


@pytest.mark.parametrize("name", sorted(FILES))
def test_fast_path_reads_like_gpxpy(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.gpx"
    path.write_text(FILES[name], encoding="utf-8")
    fast, ref, fast_warn, ref_warn = read_both(path)
    assert isinstance(ref, RawRoute), ref
    assert isinstance(fast, RawRoute), "the fast path stepped aside for a plain file"
    assert_same_route(fast, ref)
    assert fast_warn == ref_warn
    assert len(ref.x_m) >= 10


def test_fast_path_concatenates_segments_and_keeps_waypoint_tags(tmp_path: Path) -> None:
    path = tmp_path / "segs.gpx"
    path.write_text(FILES["tracks_several_segments"], encoding="utf-8")
    raw = read_gpx(path)
    assert len(raw.x_m) == 75
    assert raw.has_elevation
    assert [(w.name, w.type, w.sym) for w in raw.waypoints] == [
        ("CP1", "WPM", "Flag"),
        ("wpt1", "DZ", None),
        ("WPS 3", None, "Danger"),
    ]


@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_odd_files_get_gpxpy_behaviour(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.gpx"
    path.write_text(ODD_FILES[name], encoding="utf-8")
    fast, ref, _, _ = read_both(path)
    if name != "empty":  # an empty but valid GPX file is the fast path's own error
        assert fast is None, "the fast path should leave this file to gpxpy"
    try:
        got: object = read_gpx(path)
    except RouteError as exc:
        got = str(exc)
    if isinstance(ref, str):
        assert got == ref
        assert ref.startswith(f"{path}: ")
    else:
        assert isinstance(got, RawRoute) and isinstance(ref, RawRoute)
        assert_same_route(got, ref)


def test_odd_file_errors_name_the_file_as_gpxpy_did(tmp_path: Path) -> None:
    path = tmp_path / "bad_fix.gpx"
    path.write_text(ODD_FILES["bad_fix"], encoding="utf-8")
    with pytest.raises(RouteError, match=r"bad_fix\.gpx: not a readable GPX file \(Invalid"):
        read_gpx(path)
    path = tmp_path / "empty.gpx"
    path.write_text(ODD_FILES["empty"], encoding="utf-8")
    with pytest.raises(RouteError, match=r"empty\.gpx: GPX file has no track points"):
        read_gpx(path)


# --------------------------------------------------------------------------- fuzz

ODD_NUMBER = st.sampled_from(
    ["nan", "inf", "-inf", " 26.6 ", "", " ", "abc", "1e400", "1_0", "0x10", "-2000", "95"]
)
GOOD_EXTRA = ["<time>not a time</time>", "<name>P</name><type>WPV</type><sym>Flag</sym>"]
ODD_EXTRA = [
    "<hdop>1.2</hdop>",
    "<hdop>bad</hdop>",
    "<sat>5</sat>",
    "<sat>5.5</sat>",
    "<fix>2d</fix>",
    "<fix> 2d</fix>",
    "<speed>3</speed>",
    "<speed>x</speed>",
    "<course/>",
    "<ele>1</ele>",  # a second <ele>: gpxpy reads only the first
]


@st.composite
def point_xml(draw: st.DrawFn, tag: str, odd: bool) -> str:
    """A point; ``odd`` lets values and fields be anything gpxpy may meet."""
    number = st.one_of(st.floats(0.0, 60.0).map(repr), ODD_NUMBER) if odd else st.floats(0, 60)
    attrs = "".join(
        f' {k}="{draw(number)}"' for k in ("lat", "lon") if not odd or draw(st.integers(0, 9))
    )
    ele_values = st.one_of(st.floats(0.0, 2000.0), ODD_NUMBER) if odd else st.floats(0, 2000)
    ele = draw(st.one_of(st.none(), st.just("<ele/>"), ele_values.map(str)))
    ele_xml = ele if ele in (None, "<ele/>") else f"<ele>{ele}</ele>"
    extra = draw(st.sampled_from(["", *GOOD_EXTRA, *(ODD_EXTRA if odd else [])]))
    return f"<{tag}{attrs}>{ele_xml or ''}{extra}</{tag}>"


@st.composite
def gpx_files(draw: st.DrawFn) -> str:
    version, ns = draw(st.sampled_from([("1.1", NS11), ("1.0", NS10), ("1.1", ""), ("", "")]))
    odd = draw(st.booleans())
    body = "".join(draw(st.lists(point_xml("wpt", odd), max_size=2)))
    if draw(st.booleans()):
        body += "<rte>" + "".join(draw(st.lists(point_xml("rtept", odd), max_size=4))) + "</rte>"
    for _ in range(draw(st.integers(0, 2))):
        segs = draw(st.lists(st.lists(point_xml("trkpt", odd), max_size=4), max_size=3))
        body += "<trk>" + "".join(f"<trkseg>{''.join(s)}</trkseg>" for s in segs) + "</trk>"
    return gpx_doc(body, version, ns)


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=gpx_files())
def test_fast_path_never_disagrees_with_gpxpy(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.gpx"
    path.write_text(text, encoding="utf-8")
    fast, ref, fast_warn, ref_warn = read_both(path)
    if fast is None:  # stepped aside: read_gpx is then gpxpy itself
        event("fast path stepped aside")
        return
    if isinstance(ref, str):
        event("both paths: the same RouteError")
        assert fast == ref
        return
    event("both paths: the same route")
    assert isinstance(fast, RawRoute) and isinstance(ref, RawRoute)
    assert_same_route(fast, ref)
    assert fast_warn == ref_warn


def test_fast_path_is_used_for_the_example_and_agrees(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "alula_hegra.gpx"
    fast, ref, fast_warn, ref_warn = read_both(example)
    assert isinstance(fast, RawRoute) and isinstance(ref, RawRoute)
    assert_same_route(fast, ref)
    assert fast_warn == ref_warn
    assert not math.isnan(float(fast.z_m[0]))
