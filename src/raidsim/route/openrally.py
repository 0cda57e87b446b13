"""OpenRally GPX: the roadbook exchange format of rally navigation tools, read into a
stage and written back out.

OpenRally (openrally.org, CC BY 4.0; the cross-country schema ``openrally.xsd`` and its
``example.gpx``) keeps plain GPX and adds ``<openrally:...>`` elements in each ``<wpt>``'s
``<extensions>``: ``distance`` (the roadbook's total distance there, required), the
waypoint kinds ``dss``/``ass`` and ``wpv``/``wpm``/``wps``/``wpe``/``wpc`` (attributes
``open`` and ``clear``: the radius from which the GPS shows it and the one that validates
it, and ``name``), speed zones ``dz`` (with ``speed``) and ``fz``, ``danger`` (1-3),
``fuel``, ``neutralization`` (s), ``reset`` (the trip meter set to a value), and others
raidsim keeps out (``tulip``, ``notes``, ``cap``, ``stop``, ``checkpoint``,
``timecontrol``, the safety tags). ``<metadata><extensions>`` holds ``units``: metric (km,
kph, radii in m) or statute (miles, mph, radii in yards).

Each element becomes its roadbook-TOML equivalent (:mod:`raidsim.route.stage`):
``[[waypoints]]`` with ``radius_m`` (clear) and ``open_radius_m`` (open),
``[[speed_zones]]`` from a DZ to the next FZ, ``[[dangers]]``, ``[[refuels]]``,
``[[neutralizations]]``. Positions are the roadbook distances (km from the start, resets
applied). A waypoint without radii gets the defaults of :data:`DEFAULT_RADII_M`. A
malformed value is an error naming the file, the waypoint, the element and the allowed
values; an element raidsim does not model, or does not know, is a warning that says it
was left out; nothing is dropped silently.

:func:`write_openrally_gpx` writes a stage as OpenRally GPX: its centre line as the
track (every ``step_m``), each waypoint, zone end, danger, refuel and neutralization as a
``<wpt>`` on the route at its km. What OpenRally cannot carry (surfaces, dunes, jumps,
whoops, rocks) is named in a warning.
"""

from __future__ import annotations

import math
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import gpxpy
import gpxpy.gpx
import numpy as np

import raidsim.atomic as atomic
from raidsim.errors import RouteError
from raidsim.route.geodesy import enu_to_geodetic
from raidsim.route.readers import RouteWarning
from raidsim.route.stage import (
    Danger,
    Neutralization,
    Refuel,
    SpeedZone,
    Stage,
    StageDefinition,
    Waypoint,
)

__all__ = [
    "DEFAULT_RADII_M",
    "NAMESPACE",
    "Roadbook",
    "read_roadbook",
    "with_roadbook",
    "write_openrally_gpx",
]

#: the namespace raidsim writes (the schema's target namespace); any namespace under
#: :data:`NAMESPACE_PREFIX` is read (the published example uses a draft version)
NAMESPACE = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"
NAMESPACE_PREFIX = "http://www.openrally.org/xmlschemas/GpxExtensions/"

#: (open, clear) radii, m, of a waypoint the roadbook gives none for. Sources: the
#: ASO/Dakar waypoint definitions ("typical day", dakar.com) and RoadbookRally's FAQ
#: (citing FIA/FIM): WPM shown within 800 m, validated within 200 m; WPS guided within
#: 3 km, validated within 90 m; WPE shown once the previous waypoint is validated, or
#: within 1000 m when it was missed. estimate: a WPE, WPV, WPC or DSS/ASS validates within
#: 200 m (the WPM radius; events set their own in the supplementary regulations), and a
#: WPV, WPC, DSS or ASS is always shown (None).
DEFAULT_RADII_M: dict[str, tuple[float | None, float]] = {
    "WPM": (800.0, 200.0),
    "WPS": (3000.0, 90.0),
    "WPE": (1000.0, 200.0),
    "WPV": (None, 200.0),
    "WPC": (None, 200.0),
    "DSS": (None, 200.0),
    "ASS": (None, 200.0),
}
#: OpenRally waypoint elements and the waypoint kind they make
KINDS = {"dss": "DSS", "ass": "ASS", "wpv": "WPV", "wpm": "WPM", "wps": "WPS"}
KINDS |= {"wpe": "WPE", "wpc": "WPC"}
#: elements of the schema raidsim reads but does not model (left out with a warning)
NOT_MODELLED = (
    *("tulip", "notes", "cap", "stop", "checkpoint", "timecontrol"),
    *("medical", "helicopter", "police", "fire", "spectators", "media"),
)
KM_PER_MILE = 1.609344
M_PER_YARD = 0.9144


@dataclass
class Roadbook:
    """What an OpenRally file says about the stage, in the stage TOML's terms."""

    waypoints: list[Waypoint] = field(default_factory=list)
    speed_zones: list[SpeedZone] = field(default_factory=list)
    dangers: list[Danger] = field(default_factory=list)
    refuels: list[Refuel] = field(default_factory=list)
    neutralizations: list[Neutralization] = field(default_factory=list)
    units: str = "metric"
    #: the roadbook's own total distance, km (metadata), when it gives one
    total_km: float | None = None


def _local(tag: str) -> str | None:
    """The element's name when it is in an OpenRally namespace, else None."""
    if tag.startswith("{" + NAMESPACE_PREFIX):
        return tag.split("}", 1)[1]
    return None


class _Wpt:
    """One ``<wpt>``'s OpenRally elements, with messages that name it."""

    def __init__(self, path: Path, index: int, name: str | None, elems: list[ET.Element]):
        self.path = path
        self.label = f"<wpt> #{index + 1}" + (f" '{name}'" if name else "")
        self.elems = {n: e for e in elems if (n := _local(e.tag)) is not None}
        self.name = name or ""

    def fail(self, element: str, value: object, allowed: str) -> RouteError:
        return RouteError(
            f"{self.path}: OpenRally {self.label}: <openrally:{element}> = {value!r}; {allowed}"
        )

    def number(self, element: str, text: str | None, low: float, allowed: str) -> float:
        try:
            value = float((text or "").strip())
        except ValueError:
            raise self.fail(element, text, allowed) from None
        if not math.isfinite(value) or value < low:
            raise self.fail(element, text, allowed)
        return value

    def radius(self, element: str, attr: str, scale: float) -> float | None:
        text = self.elems[element].get(attr)
        if text is None:
            return None
        value = self.number(f"{element} {attr}", text, 1e-9, "expected a radius > 0")
        return value * scale


def _gpx_parts(p: Path) -> tuple[list[ET.Element], list[tuple[str | None, list[ET.Element]]]]:
    """The metadata's extension elements and each ``<wpt>``'s (name, extension elements),
    read in one streaming pass that drops the track points as it goes (the route itself
    is read by :func:`raidsim.route.readers.read_gpx`); a file ElementTree cannot read is
    left to gpxpy, whose message names what is wrong."""
    meta: list[ET.Element] = []
    rows: list[tuple[str | None, list[ET.Element]]] = []
    try:
        for _, elem in ET.iterparse(p, events=("end",)):
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "wpt":
                name, ext = elem.find("{*}name"), elem.find("{*}extensions")
                rows.append((None if name is None else name.text, [] if ext is None else list(ext)))
                elem.clear()
            elif tag == "metadata":
                ext = elem.find("{*}extensions")
                meta = [] if ext is None else list(ext)
            elif tag in ("trkpt", "rtept"):
                elem.clear()
    except (ET.ParseError, OSError, LookupError) as exc:  # LookupError: unknown encoding
        try:
            gpx = gpxpy.parse(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError) as exc2:
            raise RouteError(f"{p}: not a readable GPX file ({exc2})") from exc
        meta = list(gpx.metadata_extensions)
        rows = [(w.name, list(w.extensions)) for w in gpx.waypoints]
    return meta, rows


def read_roadbook(path: str | Path) -> Roadbook | None:
    """The OpenRally content of a GPX file; None when it has none (a plain GPX)."""
    p = Path(path)
    meta_elems, rows = _gpx_parts(p)
    meta = {n: e for e in meta_elems if (n := _local(e.tag)) is not None}
    wpts = [_Wpt(p, i, name, elems) for i, (name, elems) in enumerate(rows)]
    if not meta and not any(w.elems for w in wpts):
        return None
    book = Roadbook()
    units = (meta["units"].text or "").strip() if "units" in meta else "metric"
    if "units" not in meta:
        warnings.warn(
            f"{p}: OpenRally file without <openrally:units> in its metadata; read as metric",
            RouteWarning,
            stacklevel=2,
        )
    if units not in ("metric", "statute", "statue"):  # the schema spells it "statue"
        raise RouteError(f"{p}: <openrally:units> = {units!r}; allowed 'metric' or 'statute'")
    book.units = "statute" if units != "metric" else "metric"
    km_scale = KM_PER_MILE if book.units == "statute" else 1.0
    if "distance" in meta:
        book.total_km = km_scale * _Wpt(p, -1, "metadata", []).number(
            "distance", meta["distance"].text, 0.0, "expected a distance >= 0"
        )
    plain = sum(1 for w in wpts if not w.elems)
    if plain:
        warnings.warn(
            f"{p}: {plain} <wpt> without OpenRally elements left out (no roadbook distance)",
            RouteWarning,
            stacklevel=2,
        )
    _read_waypoints(book, [w for w in wpts if w.elems], km_scale)
    return book


def _read_waypoints(book: Roadbook, wpts: list[_Wpt], km_scale: float) -> None:
    """Fill ``book`` from the waypoints in file order (zones pair DZ with the next FZ)."""
    r_scale = M_PER_YARD if book.units == "statute" else 1.0
    offset_km = 0.0
    open_zone: tuple[float, float, _Wpt] | None = None
    left_out: dict[str, int] = {}
    for w in wpts:
        if "distance" not in w.elems:
            raise w.fail("distance", None, "every OpenRally waypoint needs its distance")
        reading = w.number("distance", w.elems["distance"].text, 0.0, "expected >= 0")
        km = offset_km + reading * km_scale
        for name, e in w.elems.items():
            if name in KINDS:
                kind = KINDS[name]
                opened, clear = DEFAULT_RADII_M[kind]
                book.waypoints.append(
                    Waypoint(
                        km=km,
                        kind=kind,  # type: ignore[arg-type]
                        radius_m=w.radius(name, "clear", r_scale) or clear,
                        open_radius_m=w.radius(name, "open", r_scale) or opened,
                        name=e.get("name") or _own_name(w.name),
                    )
                )
            elif name == "dz":
                if "speed" not in w.elems:
                    raise w.fail("dz", "", "a DZ needs its <openrally:speed> limit")
                kph = w.number("speed", w.elems["speed"].text, 1.0, "expected a speed > 0")
                if open_zone is not None:
                    _close_zone(book, open_zone, km)
                open_zone = (km, kph * km_scale, w)
            elif name == "fz":
                if open_zone is None:
                    warnings.warn(
                        f"{w.path}: OpenRally {w.label}: FZ at {km:.3f} km without a DZ "
                        "before it; left out",
                        RouteWarning,
                        stacklevel=3,
                    )
                else:
                    _close_zone(book, open_zone, km)
                    open_zone = None
            elif name == "danger":
                text = (e.text or "").strip()
                if text not in ("1", "2", "3"):
                    raise w.fail("danger", e.text, "allowed 1, 2 or 3")
                book.dangers.append(Danger(km=km, level=int(text), name=_own_name(w.name)))
            elif name == "fuel":
                book.refuels.append(Refuel(km=km, name=_own_name(w.name)))
            elif name == "neutralization":
                seconds = w.number(name, e.text, 0.0, "expected seconds >= 0")
                book.neutralizations.append(
                    Neutralization(km=km, duration_s=seconds, name=_own_name(w.name))
                )
            elif name == "reset":
                # the trip meter reads this value from here on
                value = w.number(name, e.text or "0", 0.0, "expected a distance >= 0")
                offset_km = km - value * km_scale
            elif name not in ("distance", "speed"):
                key = name if name in NOT_MODELLED else f"{name} (unknown)"
                left_out[key] = left_out.get(key, 0) + 1
    if open_zone is not None:
        end = book.total_km if book.total_km is not None else open_zone[0]
        warnings.warn(
            f"{open_zone[2].path}: OpenRally {open_zone[2].label}: DZ at {open_zone[0]:.3f} "
            f"km is never closed by an FZ; the zone runs to {end:.3f} km",
            RouteWarning,
            stacklevel=3,
        )
        if end > open_zone[0]:
            _close_zone(book, open_zone, end)
    if left_out and wpts:
        listed = ", ".join(f"{k} x{n}" for k, n in sorted(left_out.items()))
        warnings.warn(
            f"{wpts[0].path}: OpenRally elements raidsim does not model, left out: {listed}",
            RouteWarning,
            stacklevel=3,
        )


#: the <name> labels :func:`write_openrally_gpx` gives items without a name of their own
AUTO_NAMES = {*KINDS.values(), "WPN", "WPP", "FZ", "fuel", "neutralization", "!", "!!", "!!!"}


def _own_name(name: str) -> str:
    """A <wpt>'s <name>, unless it is a label raidsim wrote for an unnamed item."""
    return "" if name in AUTO_NAMES or name.startswith("DZ ") else name


def _close_zone(book: Roadbook, zone: tuple[float, float, _Wpt], end_km: float) -> None:
    start, limit, w = zone
    if end_km <= start:
        raise w.fail("fz", end_km, f"the zone from {start:.3f} km must end after it")
    try:
        book.speed_zones.append(SpeedZone(start_km=start, end_km=end_km, limit_kmh=limit))
    except ValueError as exc:
        raise w.fail("speed", limit, "a limit of 5-200 km/h") from exc


#: a roadbook's total distance may differ from the route's length by this share before
#: a warning (the roadbook tool's odometer against the resampled track)
LENGTH_RTOL = 0.02


def _scaled(book: Roadbook, length_m: float, path: Path) -> Roadbook:
    """The roadbook with every position scaled by route length / roadbook total (when the
    file gives a total), so its finish sits at the route's end."""
    if book.total_km is None or book.total_km <= 0:
        return book
    factor = length_m / (book.total_km * 1000.0)
    if abs(factor - 1.0) > LENGTH_RTOL:
        warnings.warn(
            f"{path}: the roadbook is {book.total_km:.3f} km long, the route "
            f"{length_m / 1000:.3f} km; roadbook distances scaled by {factor:.4f}",
            RouteWarning,
            stacklevel=3,
        )

    def km(item: object) -> dict[str, float]:
        return {
            k: getattr(item, k) * factor for k in ("km", "start_km", "end_km") if hasattr(item, k)
        }

    return Roadbook(
        waypoints=[w.model_copy(update=km(w)) for w in book.waypoints],
        speed_zones=[z.model_copy(update=km(z)) for z in book.speed_zones],
        dangers=[d.model_copy(update=km(d)) for d in book.dangers],
        refuels=[r.model_copy(update=km(r)) for r in book.refuels],
        neutralizations=[n.model_copy(update=km(n)) for n in book.neutralizations],
        units=book.units,
        total_km=book.total_km * factor,
    )


def with_roadbook(definition: StageDefinition, path: str | Path) -> StageDefinition:
    """``definition`` with the roadbook of the OpenRally GPX at ``path`` (unchanged for a
    plain GPX), its distances scaled to the length of the route the stage drives."""
    book = read_roadbook(path)
    if book is None:
        return definition
    from raidsim.route.readers import read_route
    from raidsim.route.resample import to_centreline

    book = _scaled(book, to_centreline(read_route(path)).length_m, Path(path))
    return definition.model_copy(
        update={
            "waypoints": sorted(book.waypoints, key=lambda w: w.km),
            "speed_zones": book.speed_zones,
            "dangers": book.dangers,
            "refuels": book.refuels,
            "neutralizations": book.neutralizations,
        }
    )


# --- writing ---------------------------------------------------------------------------------
def _ext(tag: str, text: str | None = None, attrs: dict[str, str] | None = None) -> ET.Element:
    e = ET.Element(f"{{{NAMESPACE}}}{tag}", attrs or {})
    e.text = text
    return e


def _km_text(km: float) -> str:
    return f"{km:.6f}".rstrip("0").rstrip(".") if km else "0"


def _marks(d: StageDefinition) -> Iterable[tuple[float, str, list[ET.Element]]]:
    """(km, name, elements) of every roadbook item of the definition."""
    for w in d.waypoints:
        attrs = {"clear": str(max(1, round(w.radius_m)))}
        if w.open_radius_m is not None:
            attrs["open"] = str(max(1, round(w.open_radius_m)))
        if w.name:
            attrs["name"] = w.name
        if w.kind in ("DSS", "ASS"):
            attrs = {"name": w.name} if w.name else {}
        if w.kind in ("WPN", "WPP"):  # not in the OpenRally schema: the nearest, a WPV
            warnings.warn(
                f"{w.kind} at {w.km} km written as an OpenRally WPV (no {w.kind} element)",
                RouteWarning,
                stacklevel=4,
            )
        tag = {"WPN": "wpv", "WPP": "wpv"}.get(w.kind, w.kind.lower())
        yield w.km, w.name or w.kind, [_ext(tag, attrs=attrs)]
    for z in d.speed_zones:
        kph = round(z.limit_kmh)
        if abs(kph - z.limit_kmh) > 1e-9:
            warnings.warn(
                f"speed zone at {z.start_km} km: {z.limit_kmh} km/h written as {kph} (the "
                "format's speeds are whole numbers)",
                RouteWarning,
                stacklevel=4,
            )
        yield z.start_km, f"DZ {kph}", [_ext("dz"), _ext("speed", str(kph))]
        yield z.end_km, "FZ", [_ext("fz")]
    for dg in d.dangers:
        yield dg.km, dg.name or "!" * dg.level, [_ext("danger", str(dg.level))]
    for r in d.refuels:
        yield r.km, r.name or "fuel", [_ext("fuel")]
    for nz in d.neutralizations:
        yield nz.km, nz.name or "neutralization", [_ext("neutralization", f"{nz.duration_s:g}")]


def write_openrally_gpx(
    stage: Stage,
    path: str | Path,
    origin_lat_deg: float = 0.0,
    origin_lon_deg: float = 0.0,
    step_m: float = 5.0,
) -> Path:
    """Write ``stage`` as an OpenRally GPX (metric) at ``path``, its start placed at
    (``origin_lat_deg``, ``origin_lon_deg``) and the stage frame's x east, y north; the
    track every ``step_m``. Written to a temporary file renamed into place."""
    d = stage.definition
    cl = stage.centreline
    kept_out = [n for n in ("sections", "dunes", "jumps", "whoops", "rocks") if getattr(d, n)]
    if kept_out:
        warnings.warn(
            f"stage '{d.name}': OpenRally has no element for {', '.join(kept_out)}; the "
            "GPX carries the route and the roadbook only",
            RouteWarning,
            stacklevel=2,
        )
    h0 = float(cl.z_m[0]) if cl.has_elevation else 0.0
    idx = np.unique(np.append(np.arange(0, len(cl.s_m), max(1, round(step_m))), len(cl.s_m) - 1))
    lat, lon = enu_to_geodetic(
        cl.x_m - cl.x_m[0], cl.y_m - cl.y_m[0], origin_lat_deg, origin_lon_deg, h0
    )
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "raidsim"
    gpx.name = d.name  # gpxpy writes <metadata> (and its extensions) only with a field set
    gpx.nsmap["openrally"] = NAMESPACE
    gpx.metadata_extensions = [
        _ext("units", "metric"),
        _ext("distance", _km_text(cl.length_m / 1000.0)),
    ]
    seg = gpxpy.gpx.GPXTrackSegment()
    for i in idx:
        ele = float(cl.z_m[i]) if cl.has_elevation else None
        seg.points.append(gpxpy.gpx.GPXTrackPoint(float(lat[i]), float(lon[i]), elevation=ele))
    track = gpxpy.gpx.GPXTrack(name=d.name)
    track.segments.append(seg)
    gpx.tracks.append(track)
    s = cl.s_m
    for km, name, elems in sorted(_marks(d), key=lambda m: m[0]):
        i = int(np.clip(np.searchsorted(s, km * 1000.0), 0, len(s) - 1))
        w = gpxpy.gpx.GPXWaypoint(float(lat[i]), float(lon[i]), name=name)
        w.extensions = [_ext("distance", _km_text(km)), *elems]
        gpx.waypoints.append(w)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(out, gpx.to_xml(version="1.1").encode("utf-8"))
    return out
