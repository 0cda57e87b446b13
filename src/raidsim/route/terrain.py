"""Build a drivable Stage from a definition: seeded centre line and terrain features.

Everything random comes from ``numpy.random.default_rng(definition.seed)`` in a fixed
order, so the same definition and seed give the same stage bit for bit.

Feature shapes (heights relative to the route elevation, along distance s):
* dunes (docs/physics.md §14.1): per dune an interdune flat, the windward face, the crest
  (with ``crest_run_m`` along it) and the slip face, straight faces at their angles as
  the crew's line meets them (tan x cos(crossing angle)), brink and foot rounded over
  ``DUNE_ROUNDING_M``; spacing and height jittered by the field kind's spread, every
  spacing times ``dune_spacing_scale`` (the line crosses fewer crests, running the
  corridors between them), every height times ``dune_height_scale``, every face's slope
  times ``dune_slope_scale``
  (the calibration, <= 1), each dune capped so it fits its spacing; the slip
  face and ``lee_soft_m`` past it are wind-blown soft sand (``sand_soft``);
* jumps: a concave take-off ramp h = H (x/L)^2 ending in a lip, then the ground falls
  by ``drop_m`` below the lip (landing level) and optionally keeps a down-slope;
* whoops: h = A (1 - cos(2 pi s / lambda)) / 2;
* rocks: amplitude per metre; the kernel adds seeded value noise in (s, lateral);
* roughness: ISO 8608 random profiles for the left and right wheel tracks, the level per
  metre from :func:`roughness_per_metre` (:mod:`raidsim.route.roughness`, its own seeded
  stream).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from raidsim.errors import RouteError
from raidsim.model.surfaces import ROUGHNESS_CLASS
from raidsim.model.surfaces import STAGE_SURFACE_CODE as SURFACE_CODE
from raidsim.physics import fpmath
from raidsim.route.centreline import Centreline
from raidsim.route.roughness import CLASS_GD_M3, rough_tracks
from raidsim.route.stage import (
    TERRAIN_STEP_M,
    DuneField,
    Stage,
    StageDefinition,
    SyntheticRoute,
    check_surface_by_km,
)
from raidsim.units import KMH_PER_MPS

#: length over which a dune's brink and foot are rounded (moving average), m (estimate:
#: brinks of dry dunes turn within a few metres, the foot of a slip face is an apron of
#: grain-flow sand; a car's wheelbase is ~3 m)
DUNE_ROUNDING_M = 6.0
#: the largest share of its spacing a jittered dune may take (it always leaves a flat)
DUNE_FILL_MAX = 0.9


@dataclass
class _Crests:
    """Crests laid so far: position, height, slip-face and windward tangents along the line."""

    s_m: list[float] = field(default_factory=list)
    height_m: list[float] = field(default_factory=list)
    slip_tan: list[float] = field(default_factory=list)
    windward_tan: list[float] = field(default_factory=list)

    def arrays(self) -> tuple[np.ndarray, ...]:
        order = np.argsort(np.asarray(self.s_m, dtype=np.float64), kind="stable")
        return tuple(
            np.ascontiguousarray(np.asarray(x, dtype=np.float64)[order])
            for x in (self.s_m, self.height_m, self.slip_tan, self.windward_tan)
        )


def dune_field_profile(
    du: DuneField,
    rng: np.random.Generator,
    a_m: float,
    b_m: float,
    height_scale: float = 1.0,
    slope_scale: float = 1.0,
    spacing_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float, float, float]]]:
    """Knots (s, z) of the field's piecewise-linear ground between ``a_m`` and ``b_m``
    along the line, and its crests (s, height, slip tan, windward tan). See the module
    docstring; the draws come from ``rng`` in a fixed order. ``height_scale``,
    ``slope_scale`` and ``spacing_scale`` are the stage's calibration of heights, face
    slopes and crest spacing along the line."""
    cos_line = math.cos(math.radians(du.crossing_angle_deg))  # crests' spacing on the line
    cos_a = cos_line * slope_scale  # faces' slopes on the line
    tan_w0 = math.tan(math.radians(du.windward_deg))
    tan_s = math.tan(math.radians(du.slip_face_deg)) * cos_a
    j = du.jitter
    xs, zs = [a_m], [0.0]
    crests = []
    pos = a_m
    while True:
        spacing = du.crest_spacing_m * spacing_scale * rng.uniform(1.0 - j, 1.0 + j)
        height = du.height_m * height_scale * rng.uniform(1.0 - j, 1.0 + j)
        tan_w = tan_w0
        if du.kind == "star":  # arms in every direction: some faces steeper than windward
            tan_w = rng.uniform(tan_w0, 0.5 * (tan_w0 + tan_s / cos_a))
        tan_w = min(tan_w, tan_s / cos_a)
        tan_w *= cos_a
        foot = 1.0 / tan_w + 1.0 / tan_s  # along the line per metre of height
        height = min(height, DUNE_FILL_MAX * spacing / cos_line / foot)
        period = spacing / cos_line + du.crest_run_m
        if pos + period > b_m:
            break
        l_w, l_s = height / tan_w, height / tan_s
        x_foot = pos + period - du.crest_run_m - l_w - l_s
        x_brink = x_foot + l_w + du.crest_run_m
        xs += [x_foot, x_foot + l_w, x_brink, x_brink + l_s]
        zs += [0.0, height, height, 0.0]
        crests.append((x_brink, height, tan_s, tan_w))
        pos += period
    xs.append(b_m)
    zs.append(0.0)
    return np.asarray(xs), np.asarray(zs), crests


def _lay_dunes(
    definition: StageDefinition,
    rng: np.random.Generator,
    s1: np.ndarray,
    s4: np.ndarray,
    feat: np.ndarray,
    surface: np.ndarray,
    length: float,
) -> _Crests:
    """Add every dune field to ``feat`` and its surfaces to ``surface``; the crests."""
    out = _Crests()
    n_round = max(1, int(round(DUNE_ROUNDING_M / TERRAIN_STEP_M)))
    kernel = np.ones(n_round) / n_round
    for du in definition.dunes:
        a, b = du.start_km * 1000.0, min(du.end_km * 1000.0, length)
        surface[_km_span(s1, du.start_km, du.end_km)] = SURFACE_CODE["dune"]
        xs, zs, crests = dune_field_profile(
            du,
            rng,
            a,
            b,
            definition.dune_height_scale,
            definition.dune_slope_scale,
            definition.dune_spacing_scale,
        )
        m = _span(s4, a - DUNE_ROUNDING_M, b + DUNE_ROUNDING_M)  # the rounding spills over
        if m.stop > m.start:
            z = np.interp(s4[m], xs, zs, left=0.0, right=0.0)
            # a centred moving average (np.convolve's "same" window), summed in index order
            padded = np.pad(z, n_round // 2, mode="edge")
            feat[m] += fpmath.convolve_valid(padded, kernel)[: len(z)]
        for x_brink, height, tan_s, tan_w in crests:
            lee = _span(s1, x_brink, min(b, x_brink + height / tan_s + du.lee_soft_m))
            surface[lee] = SURFACE_CODE["sand_soft"]
            out.s_m.append(x_brink)
            out.height_m.append(height)
            out.slip_tan.append(tan_s)
            out.windward_tan.append(tan_w)
    return out


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def synthetic_centreline(
    spec: SyntheticRoute,
    rng: np.random.Generator,
    straight_zones_m: list[tuple[float, float]] | None = None,
) -> Centreline:
    """Alternating straights and constant-radius arcs (random side), rolling elevation.

    ``straight_zones_m`` (start, end) intervals are kept straight: jump run-ups and
    landings sit on straights, as course setters place them.
    """
    n = int(round(spec.length_km * 1000.0)) + 1
    curvature = np.zeros(n)
    s = 0
    while s < n:
        straight = int(rng.uniform(*spec.straight_m))
        s += straight
        radius = float(rng.uniform(spec.min_radius_m, spec.max_radius_m))
        angle = float(rng.uniform(np.deg2rad(20.0), np.deg2rad(110.0)))
        arc = int(radius * angle)
        side = 1.0 if rng.random() < 0.5 else -1.0
        # clothoid-like entry/exit: ramp curvature over 20 % of the arc each side
        ramp = max(1, arc // 5)
        prof = np.ones(arc)
        prof[:ramp] = np.linspace(0.0, 1.0, ramp)
        prof[-ramp:] = np.minimum(prof[-ramp:], np.linspace(1.0, 0.0, ramp))
        end = min(n, s + arc)
        if end > s:
            curvature[s:end] = side / radius * prof[: end - s]
        s += arc
    for a, b in straight_zones_m or []:
        curvature[max(0, int(a)) : max(0, min(n, int(b)))] = 0.0
    heading = np.concatenate([[0.0], np.cumsum(0.5 * (curvature[1:] + curvature[:-1]))])
    x = np.concatenate([[0.0], np.cumsum(np.cos(0.5 * (heading[1:] + heading[:-1])))])
    y = np.concatenate([[0.0], np.cumsum(np.sin(0.5 * (heading[1:] + heading[:-1])))])
    sgrid = np.arange(n, dtype=np.float64)
    z = np.zeros(n)
    for k in range(3):
        wl = spec.elevation_wavelength_m * (1.0 + 0.6 * k) * rng.uniform(0.7, 1.3)
        ph = rng.uniform(0.0, 2.0 * np.pi)
        z += spec.elevation_amplitude_m / (k + 1) * np.sin(2.0 * np.pi * sgrid / wl + ph)
    z -= z[0]
    return Centreline(sgrid, x, y, z, heading, curvature, True)


def _span(grid: np.ndarray, lo: float, hi: float, hi_inclusive: bool = False) -> slice:
    """Index slice of the sorted ``grid`` with lo <= grid < hi (or <= hi).

    The same points a boolean mask ``(grid >= lo) & (grid < hi)`` selects, found by binary
    search instead of a pass over the whole stage (long specials have 2 M terrain points
    and thousands of dune crests).
    """
    i0 = int(np.searchsorted(grid, lo, side="left"))
    i1 = int(np.searchsorted(grid, hi, side="right" if hi_inclusive else "left"))
    return slice(i0, max(i0, i1))


def _km_span(grid: np.ndarray, start_km: float, end_km: float) -> slice:
    return _span(grid, start_km * 1000.0, end_km * 1000.0)


def _centreline(
    definition: StageDefinition, rng: np.random.Generator, base_dir: Path | None
) -> Centreline:
    if definition.synthetic_route is not None:
        zones = [
            (j.km * 1000.0 - j.ramp_length_m - 250.0, j.km * 1000.0 + 150.0)
            for j in definition.jumps
        ]
        return synthetic_centreline(definition.synthetic_route, rng, zones)
    from raidsim.route.readers import read_route
    from raidsim.route.resample import to_centreline

    assert definition.route_file is not None
    path = Path(definition.route_file)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise RouteError(
            f"stage '{definition.name}': route_file = '{definition.route_file}' not found "
            f"(looked for {path}; a relative path is relative to the stage TOML)"
        )
    return to_centreline(read_route(path))


def _check_positions(definition: StageDefinition, length_m: float) -> None:
    """Every roadbook position must lie on the route (1 m tolerance)."""
    end_km = length_m / 1000.0

    def check(field: str, km: float) -> None:
        if km * 1000.0 > length_m + 1.0:
            raise RouteError(
                f"stage '{definition.name}': {field} = {km} km lies beyond the route end "
                f"({end_km:.3f} km); move it inside 0-{end_km:.3f} km"
            )

    for name in ("sections", "speed_zones", "dunes", "whoops", "rocks", "cross_slopes"):
        for i, iv in enumerate(getattr(definition, name)):
            check(f"{name}[{i}].start_km", iv.start_km)
            check(f"{name}[{i}].end_km", iv.end_km)
    for name in ("jumps", "waypoints", "refuels", "dangers", "neutralizations"):
        for i, item in enumerate(getattr(definition, name)):
            check(f"{name}[{i}].km", item.km)
    if definition.surface_by_km is not None:
        try:
            check_surface_by_km(definition.surface_by_km, length_m)
        except ValueError as exc:
            raise RouteError(f"stage '{definition.name}': {exc}") from exc


def roughness_per_metre(definition: StageDefinition, s1: np.ndarray) -> np.ndarray:
    """Gd(n0) per metre, m^3: each surface's default class, laid in the order the surface
    is (default, by km, sections, dune fields), then the sections that name their own
    class or value, all times ``roughness_scale``."""

    def default_gd(name: str) -> float:
        return CLASS_GD_M3[ROUGHNESS_CLASS[name]]

    gd = np.full(len(s1), default_gd(definition.default_surface))
    if definition.surface_by_km is not None:
        by_km = np.array([default_gd(name) for name in definition.surface_by_km])
        gd[:] = by_km[np.minimum((s1 // 1000.0).astype(np.int64), len(by_km) - 1)]
    for sec in definition.sections:
        gd[_km_span(s1, sec.start_km, sec.end_km)] = default_gd(sec.surface)
    for du in definition.dunes:
        gd[_km_span(s1, du.start_km, du.end_km)] = default_gd("dune")
    for sec in definition.sections:
        if sec.declares_roughness:
            gd[_km_span(s1, sec.start_km, sec.end_km)] = sec.roughness_gd_m3()
    return np.ascontiguousarray(gd * definition.roughness_scale)


def _rough_spans(gd: np.ndarray) -> list[tuple[float, float, float]]:
    """(start_m, end_m, Gd) runs of constant level on the 1 m grid."""
    if gd.size < 2:
        return []
    edges = np.flatnonzero(np.diff(gd)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [gd.size - 1]])
    return [(float(a), float(b), float(gd[a])) for a, b in zip(starts, ends, strict=True)]


def build_stage(
    definition: StageDefinition, base_dir: Path | None = None, cache: bool = False
) -> Stage:
    """Turn a validated definition into per-metre arrays (see module docstring). With
    ``cache`` (what :func:`load_stage` does for stage files) they come from the stage cache
    (:mod:`raidsim.route.stage_cache`) when this definition was built before by the same
    code; the variants a calibration or a sweep builds are not stored (one file each)."""
    from raidsim.route import stage_cache

    cached = stage_cache.load(definition) if cache else None
    if cached is not None:
        return cached
    stage = _build_stage(definition, base_dir)
    if cache:
        stage_cache.store(stage)
    return stage


def _build_stage(definition: StageDefinition, base_dir: Path | None) -> Stage:
    rng = np.random.default_rng(definition.seed)
    cl = _centreline(definition, rng, base_dir)
    length = cl.length_m
    _check_positions(definition, length)
    s1 = cl.s_m
    n1 = len(s1)

    surface = np.full(n1, SURFACE_CODE[definition.default_surface], dtype=np.int8)
    if definition.surface_by_km is not None:
        by_km = np.array([SURFACE_CODE[name] for name in definition.surface_by_km], np.int8)
        km_index = np.minimum((s1 // 1000.0).astype(np.int64), len(by_km) - 1)
        surface[:] = by_km[km_index]
    for sec in definition.sections:
        surface[_km_span(s1, sec.start_km, sec.end_km)] = SURFACE_CODE[sec.surface]
    limit = np.full(n1, np.inf)
    for zone in definition.speed_zones:
        m = _km_span(s1, zone.start_km, zone.end_km)
        limit[m] = np.minimum(limit[m], zone.limit_kmh / KMH_PER_MPS)
    cap = np.full(n1, np.inf)
    cross = np.zeros(n1)
    for cs in definition.cross_slopes:
        cross[_km_span(s1, cs.start_km, cs.end_km)] = cs.slope
    rock = np.zeros(n1)
    for rk in definition.rocks:
        rock[_km_span(s1, rk.start_km, rk.end_km)] = rk.amplitude_m

    n4 = int(np.floor(length / TERRAIN_STEP_M)) + 1
    s4 = np.arange(n4) * TERRAIN_STEP_M
    feat = np.zeros(n4)
    crests = _lay_dunes(definition, rng, s1, s4, feat, surface, length)
    for wh in definition.whoops:
        m = _km_span(s4, wh.start_km, wh.end_km)
        if m.stop > m.start:
            feat[m] += (
                wh.amplitude_m
                * 0.5
                * (1.0 - np.cos(2.0 * np.pi * (s4[m] - s4[m][0]) / wh.wavelength_m))
            )
    lips = []
    for i, jp in enumerate(definition.jumps):
        lip = jp.km * 1000.0
        start = lip - jp.ramp_length_m
        if start < 0:
            raise RouteError(
                f"stage '{definition.name}': jumps[{i}].km = {jp.km} km puts the "
                f"{jp.ramp_length_m} m take-off ramp before 0 km"
            )
        m = _span(s4, start, lip, hi_inclusive=True)
        base_at_lip = feat[min(int(np.searchsorted(s4, lip)), n4 - 1)]  # lip may sit at the end
        feat[m] += jp.ramp_height_m * ((s4[m] - start) / jp.ramp_length_m) ** 2
        # after the lip the ground sits drop_m below the lip, then optional down-slope
        landing_level = base_at_lip + jp.ramp_height_m - jp.drop_m
        landing_len = 40.0
        ml = slice(
            int(np.searchsorted(s4, lip, side="right")),
            int(np.searchsorted(s4, lip + landing_len, side="right")),
        )
        offset = landing_level - jp.landing_slope * (s4[ml] - lip)
        # blend back to the original ground over the landing zone
        w = _smoothstep((s4[ml] - lip) / landing_len)
        feat[ml] = (1.0 - w) * offset + w * feat[ml]
        cm = _span(s1, lip - 120.0, lip + 30.0, hi_inclusive=True)
        cap[cm] = np.minimum(cap[cm], jp.takeoff_speed_kmh / KMH_PER_MPS)
        lips.append(lip)

    gd = roughness_per_metre(definition, s1)
    crest_s, crest_h, crest_slip, crest_windward = crests.arrays()
    rough_l, rough_r = rough_tracks(length, TERRAIN_STEP_M, _rough_spans(gd), definition.seed)

    return Stage(
        name=definition.name,
        definition=definition,
        centreline=cl,
        surface_code=surface,
        speed_limit_mps=limit,
        feature_speed_cap_mps=cap,
        feature_height_m=np.ascontiguousarray(feat),
        cross_slope=cross,
        rock_amplitude_m=rock,
        jump_lip_s_m=np.array(sorted(lips), dtype=np.float64),
        rough_left_m=rough_l,
        rough_right_m=rough_r,
        roughness_gd_m3=gd,
        crest_s_m=crest_s,
        crest_height_m=crest_h,
        crest_slip_tan=crest_slip,
        crest_windward_tan=crest_windward,
    )


def load_stage(name_or_path: str | Path, seed: int | None = None) -> Stage:
    """Load a stage by shipped name (``"default"``, ``"dakar-2026/6"``), stage TOML path,
    or route file; ``seed`` overrides the definition's terrain seed."""
    from raidsim.route.stage import load_stage_definition

    p = Path(name_or_path)
    if p.suffix.lower() in {".gpx", ".geojson", ".json", ".csv"}:
        if p.is_dir():
            raise RouteError(f"route {p}: is a directory; give the route file")
        if not p.is_file():
            raise RouteError(f"route file not found: {p}")
        definition = StageDefinition(name=p.stem, route_file=str(p.resolve()))
        if p.suffix.lower() == ".gpx":  # an OpenRally roadbook's waypoints and zones
            from raidsim.route.openrally import with_roadbook

            definition = with_roadbook(definition, p)
        base: Path | None = None
    else:
        definition, base = load_stage_definition(name_or_path)
    if seed is not None and seed != definition.seed:
        definition = definition.model_copy(update={"seed": int(seed)})
    stage = build_stage(definition, base, cache=True)
    if not p.suffix and not p.exists():  # a shipped name: a rally stage has its rally's weather
        from raidsim.route.catalogue import catalogue_conditions

        conditions = catalogue_conditions(str(name_or_path))
        if conditions is not None:
            stage = replace(stage, conditions=conditions)
    return stage
