"""Build a drivable Stage from a definition: seeded centre line and terrain features.

Everything random comes from ``numpy.random.default_rng(definition.seed)`` in a fixed
order, so the same definition and seed give the same stage bit for bit.

Feature shapes (heights relative to the route elevation, along distance s):
* dunes: asymmetric crests, smooth windward rise over 70 % of the spacing, steeper lee
  side over 30 % (smoothstep profiles), heights jittered +-25 % (seeded);
* jumps: a concave take-off ramp h = H (x/L)^2 ending in a lip, then the ground falls
  by ``drop_m`` below the lip (landing level) and optionally keeps a down-slope;
* whoops: h = A (1 - cos(2 pi s / lambda)) / 2;
* rocks: amplitude per metre; the kernel adds seeded value noise in (s, lateral).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from raidsim.errors import RouteError
from raidsim.route.centreline import Centreline
from raidsim.route.stage import TERRAIN_STEP_M, Stage, StageDefinition, SyntheticRoute
from raidsim.sim.layout import SURFACE_CODE


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


def _mask(s: np.ndarray, start_km: float, end_km: float) -> np.ndarray:
    return (s >= start_km * 1000.0) & (s < end_km * 1000.0)


def build_stage(definition: StageDefinition, base_dir: Path | None = None) -> Stage:
    """Turn a validated definition into per-metre arrays (see module docstring)."""
    rng = np.random.default_rng(definition.seed)
    if definition.synthetic_route is not None:
        zones = [
            (j.km * 1000.0 - j.ramp_length_m - 250.0, j.km * 1000.0 + 150.0)
            for j in definition.jumps
        ]
        cl = synthetic_centreline(definition.synthetic_route, rng, zones)
    else:
        from raidsim.route.readers import read_route
        from raidsim.route.resample import to_centreline

        assert definition.route_file is not None
        path = Path(definition.route_file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        cl = to_centreline(read_route(path))
    length = cl.length_m
    s1 = cl.s_m
    n1 = len(s1)

    def check_km(what: str, km: float) -> None:
        if km * 1000.0 > length + 1.0:
            raise RouteError(
                f"stage '{definition.name}': {what} at {km} km lies beyond the route end "
                f"({length / 1000.0:.3f} km)"
            )

    surface = np.full(n1, SURFACE_CODE[definition.default_surface], dtype=np.int8)
    for sec in definition.sections:
        check_km("section start", sec.start_km)
        surface[_mask(s1, sec.start_km, sec.end_km)] = SURFACE_CODE[sec.surface]
    limit = np.full(n1, np.inf)
    for zone in definition.speed_zones:
        check_km("speed zone", zone.start_km)
        m = _mask(s1, zone.start_km, zone.end_km)
        limit[m] = np.minimum(limit[m], zone.limit_kmh / 3.6)
    cap = np.full(n1, np.inf)
    cross = np.zeros(n1)
    for cs in definition.cross_slopes:
        cross[_mask(s1, cs.start_km, cs.end_km)] = cs.slope
    rock = np.zeros(n1)
    for rk in definition.rocks:
        rock[_mask(s1, rk.start_km, rk.end_km)] = rk.amplitude_m

    n4 = int(np.floor(length / TERRAIN_STEP_M)) + 1
    s4 = np.arange(n4) * TERRAIN_STEP_M
    feat = np.zeros(n4)
    for du in definition.dunes:
        check_km("dune field", du.start_km)
        a, b = du.start_km * 1000.0, min(du.end_km * 1000.0, length)
        pos = a
        while pos + du.crest_spacing_m <= b:
            spacing = du.crest_spacing_m * rng.uniform(0.8, 1.2)
            height = du.height_m * rng.uniform(0.75, 1.25)
            if pos + spacing > b:
                break
            m = (s4 >= pos) & (s4 < pos + spacing)
            u = (s4[m] - pos) / spacing
            rise = _smoothstep(u / 0.7)
            fall = _smoothstep((u - 0.7) / 0.3)
            feat[m] += height * (rise - fall)
            crest = pos + 0.7 * spacing
            cm = (s1 >= crest - 25.0) & (s1 <= crest + 10.0)
            cap[cm] = np.minimum(cap[cm], du.crest_speed_kmh / 3.6)
            pos += spacing
        surface[_mask(s1, du.start_km, du.end_km)] = SURFACE_CODE["dune"]
    for wh in definition.whoops:
        check_km("whoops", wh.start_km)
        m = (s4 >= wh.start_km * 1000.0) & (s4 < wh.end_km * 1000.0)
        feat[m] += (
            wh.amplitude_m
            * 0.5
            * (1.0 - np.cos(2.0 * np.pi * (s4[m] - s4[m][0]) / wh.wavelength_m))
        )
    lips = []
    for jp in definition.jumps:
        check_km("jump", jp.km)
        lip = jp.km * 1000.0
        start = lip - jp.ramp_length_m
        if start < 0:
            raise RouteError(f"stage '{definition.name}': jump at {jp.km} km starts before 0 km")
        m = (s4 >= start) & (s4 <= lip)
        base_at_lip = feat[np.searchsorted(s4, lip)]
        feat[m] += jp.ramp_height_m * ((s4[m] - start) / jp.ramp_length_m) ** 2
        # after the lip the ground sits drop_m below the lip, then optional down-slope
        after = s4 > lip
        landing_level = base_at_lip + jp.ramp_height_m - jp.drop_m
        landing_len = 40.0
        ml = after & (s4 <= lip + landing_len)
        offset = landing_level - jp.landing_slope * (s4[ml] - lip)
        # blend back to the original ground over the landing zone
        w = _smoothstep((s4[ml] - lip) / landing_len)
        feat[ml] = (1.0 - w) * offset + w * feat[ml]
        cm = (s1 >= lip - 120.0) & (s1 <= lip + 30.0)
        cap[cm] = np.minimum(cap[cm], jp.takeoff_speed_kmh / 3.6)
        lips.append(lip)

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
    )


def load_stage(name_or_path: str | Path) -> Stage:
    """Load a stage by shipped name (``"default"``), stage TOML path, or route file."""
    from raidsim.route.stage import load_stage_definition

    p = Path(name_or_path)
    if p.suffix.lower() in {".gpx", ".geojson", ".json", ".csv"}:
        if not p.is_file():
            raise RouteError(f"route file not found: {p}")
        definition = StageDefinition(name=p.stem, route_file=str(p.resolve()))
        return build_stage(definition)
    definition, base = load_stage_definition(name_or_path)
    return build_stage(definition, base)
