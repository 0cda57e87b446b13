"""Regenerate ``alula_hegra.gpx``: an illustrative AlUla -> Hegra desert route.

Only the two end points are published coordinates:

* AlUla (town): 26.60861 N, 37.92361 E -- Wikipedia, "Al-Ula" infobox
  (https://en.wikipedia.org/wiki/Al-Ula).
* Hegra (Mada'in Salih archaeological site): 26.791667 N, 37.952778 E --
  oldcapitals.com, "Hegra (Archaeological Site)" (https://oldcapitals.com/capital/254).

The points in between are NOT a surveyed track: they follow the straight line between
the two ends with a smooth, deterministic meander (at most 600 m to the side) so the
route has bends to resample. No elevation is written, because none was found for the
route; reading it gives raidsim's "no elevation" warning. Do not use it to navigate.

Run: ``python examples/make_alula_hegra.py`` (writes next to this file).
"""

from __future__ import annotations

import math
from pathlib import Path

import gpxpy.gpx

START = (26.60861, 37.92361)  # AlUla, Wikipedia
FINISH = (26.791667, 37.952778)  # Hegra, oldcapitals.com
N_POINTS = 52
MEANDER_M = 600.0
EARTH_R_M = 6_371_008.8  # mean radius, only to turn the side offset into degrees

COMMENT = (
    "<!-- Illustrative route, not a surveyed track. End points: AlUla 26.60861 N 37.92361 E "
    "(Wikipedia 'Al-Ula'); Hegra 26.791667 N 37.952778 E (oldcapitals.com/capital/254). "
    "Intermediate points are a synthetic meander between them (examples/make_alula_hegra.py). "
    "No elevation. Do not use for navigation. -->\n"
)


def build() -> gpxpy.gpx.GPX:
    gpx = gpxpy.gpx.GPX()
    gpx.name = "AlUla - Hegra (illustrative)"
    gpx.description = (
        "Illustrative desert route from AlUla town (26.60861 N, 37.92361 E; Wikipedia "
        "'Al-Ula') to the Hegra archaeological site (26.791667 N, 37.952778 E; "
        "oldcapitals.com/capital/254). Only the end points are published coordinates; the "
        f"{N_POINTS - 2} points between are a synthetic smooth meander (at most "
        f"{MEANDER_M:.0f} m off the straight line), not a surveyed track. No elevation."
    )
    (lat0, lon0), (lat1, lon1) = START, FINISH
    # Unit vector perpendicular to the start-finish line, in metres east/north.
    de = math.radians(lon1 - lon0) * EARTH_R_M * math.cos(math.radians(lat0))
    dn = math.radians(lat1 - lat0) * EARTH_R_M
    norm = math.hypot(de, dn)
    pe, pn = -dn / norm, de / norm
    seg = gpxpy.gpx.GPXTrackSegment()
    for i in range(N_POINTS):
        t = i / (N_POINTS - 1)
        off = MEANDER_M * math.sin(3.0 * math.pi * t) * math.sin(math.pi * t)
        lat = lat0 + t * (lat1 - lat0) + math.degrees(off * pn / EARTH_R_M)
        lon = (
            lon0
            + t * (lon1 - lon0)
            + math.degrees(off * pe / (EARTH_R_M * math.cos(math.radians(lat0))))
        )
        seg.points.append(gpxpy.gpx.GPXTrackPoint(round(lat, 6), round(lon, 6)))
    track = gpxpy.gpx.GPXTrack(name="AlUla - Hegra")
    track.segments.append(seg)
    gpx.tracks.append(track)
    for name, (lat, lon), kind in (("DSS AlUla", START, "DSS"), ("ASS Hegra", FINISH, "ASS")):
        wpt = gpxpy.gpx.GPXWaypoint(lat, lon, name=name, symbol="Flag", type=kind)
        gpx.waypoints.append(wpt)
    return gpx


def main() -> None:
    xml = build().to_xml(version="1.1")
    head, _, body = xml.partition("\n")
    out = Path(__file__).with_name("alula_hegra.gpx")
    out.write_text(head + "\n" + COMMENT + body, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
