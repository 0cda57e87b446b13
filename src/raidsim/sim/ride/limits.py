"""The ride/shock speed limit per metre of a stage for a vehicle, setup and crew
(docs/physics.md §13.3).

    v_terrain(s) = min( v_ride(Gd(n0) at s; absorbed_power_limit_W),
                        v_shock(whoops / rock field at s; shock_limit_g),
                        v_crest(dune crest and slip face at s; shock_limit_g) )

and the grip factor 1 - DLC(v) on that ground (:class:`TerrainLimits`).

The curves come from :func:`speed_curve`: memory, then the disk cache, then the sweep
(:mod:`raidsim.sim.ride.sweep`). The key hashes the kernel parameters of the sweep run
(vehicle, setup, settings, the kernel layout and sources), the course definitions and the
grid; the crew's tolerances are applied afterwards, so fitting them (``raidsim correlate``)
reuses the table.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from raidsim.cachekey import source_digest
from raidsim.model.derived import vehicle_limit_mps
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Interval, Stage, StageDefinition
from raidsim.route.terrain import build_stage
from raidsim.sim.plan import RouteArrays, build_route_arrays, crest_spans
from raidsim.sim.plan_cache import cached_plan
from raidsim.sim.ride import cache
from raidsim.sim.ride.courses import (
    COURSES_VERSION,
    CREST_COURSE_VERSION,
    crest_course,
    ride_course,
    rocks_course,
    whoops_course,
)
from raidsim.sim.ride.sweep import SWEEP_RATE_HZ, seat_response, sweep_params
from raidsim.sim.ride.table import (
    GD_LEVELS_M3,
    STOP_POWER_W,
    STOP_SHOCK_G,
    SpeedCurve,
    grip_factor,
    ride_curve_at,
    ride_limited_mps,
    set_speeds,
    shock_limited_mps,
)

F64 = NDArray[np.float64]

_MEMORY: dict[tuple[str, str], SpeedCurve] = {}


@lru_cache(maxsize=8)
def _course(kind: str, a: float, b: float) -> Stage:
    definition: StageDefinition
    if kind == "ride":
        definition = ride_course(a)
    elif kind == "whoops":
        definition = whoops_course(a, b)
    elif kind == "crest":
        definition = crest_course(a, b)
    else:
        definition = rocks_course(a)
    return build_stage(definition)


#: the code a speed table is computed by besides the kernel (:mod:`raidsim.cachekey`)
SWEEP_SOURCES: tuple[str, ...] = ("sim/ride", "route")


def table_key(vehicle: Vehicle, settings: Settings) -> str:
    """Hash of everything that changes the seat's response on the courses."""
    params = sweep_params(vehicle, settings, _course("ride", GD_LEVELS_M3[0], 0.0))
    h = hashlib.sha256(np.ascontiguousarray(params).tobytes())
    grid = {
        "courses": COURSES_VERSION,
        "speeds": set_speeds(vehicle_limit_mps(vehicle)),
        "levels": GD_LEVELS_M3,
        "rate": SWEEP_RATE_HZ,
        "stop": [STOP_POWER_W, STOP_SHOCK_G],
        # the sweep code and the courses' builders (the kernel's sources are in the
        # params through LAYOUT_HASH)
        "code": source_digest(SWEEP_SOURCES),
    }
    h.update(json.dumps(grid, sort_keys=True).encode())
    return h.hexdigest()[:24]


#: set speeds of the crest courses, m/s (finer where a car starts to leave the brink)
CREST_SET_SPEEDS_MPS: tuple[float, ...] = (
    4.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.5, 14.0, 17.0, 21.0, 26.0, 32.0
)  # fmt: skip


def _sweep(
    vehicle: Vehicle,
    settings: Settings,
    course: Stage,
    ride: bool,
    grid: tuple[float, ...] | None = None,
) -> SpeedCurve:
    speeds, powers, shocks, dlcs, travels = [], [], [], [], []
    stopped = False
    for v in grid or set_speeds(vehicle_limit_mps(vehicle)):
        if stopped:
            speeds.append(v)
            powers.append(math.inf)
            shocks.append(math.inf)
            dlcs.append(math.inf)
            travels.append(math.inf)
            continue
        r = seat_response(vehicle, settings, course, v)
        speeds.append(r.speed_mps if math.isfinite(r.absorbed_power_W) else v)
        powers.append(r.absorbed_power_W)
        shocks.append(r.shock_peak_g)
        dlcs.append(r.load_variation)
        travels.append(r.travel_use)
        measure, stop = (
            (r.absorbed_power_W, STOP_POWER_W) if ride else (r.shock_peak_g, STOP_SHOCK_G)
        )
        stopped = not measure < stop
    # measured speeds can dip where the car cannot hold the set speed: keep them rising
    speed = np.maximum.accumulate(np.asarray(speeds, dtype=np.float64))
    return SpeedCurve(
        speed, *(np.asarray(x, dtype=np.float64) for x in (powers, shocks, dlcs, travels))
    )


def speed_curve(
    vehicle: Vehicle, settings: Settings, kind: str, a: float, b: float = 0.0, key: str = ""
) -> SpeedCurve:
    """The curve of one course (``kind`` ride/whoops/rocks/crest with its one or two
    sizes)."""
    key = key or table_key(vehicle, settings)
    version = str(CREST_COURSE_VERSION) if kind == "crest" else ""
    name = f"{kind}{version}-{a:.6g}-{b:.6g}"
    curve = _MEMORY.get((key, name)) or cache.load_curve(key, name)
    if curve is None:
        grid = CREST_SET_SPEEDS_MPS if kind == "crest" else None
        curve = _sweep(vehicle, settings, _course(kind, a, b), kind == "ride", grid)
        cache.store_curve(key, name, curve)
    _MEMORY[(key, name)] = curve
    return curve


def ride_curves(
    vehicle: Vehicle, settings: Settings, key: str = "", needed_m3: F64 | None = None
) -> list[SpeedCurve]:
    """The ride curve of every level of the grid; with ``needed_m3``, only the levels that
    bracket those Gd(n0) values are swept (the others are left as the nearest swept one,
    never read: :func:`ride_curve_at` reads the two levels around a value)."""
    key = key or table_key(vehicle, settings)
    levels = np.asarray(GD_LEVELS_M3)
    want = set(range(len(levels)))
    if needed_m3 is not None:
        want = set()
        for g in np.asarray(needed_m3)[np.asarray(needed_m3) > 0]:
            k = int(np.clip(np.searchsorted(levels, g), 1, len(levels) - 1))
            want |= {k - 1, k}
    got = {
        k: speed_curve(vehicle, settings, "ride", float(levels[k]), key=key) for k in sorted(want)
    }
    if not got:
        return []
    return [got[min(got, key=lambda j: abs(j - k))] for k in range(len(levels))]


def _span(length: int, start_km: float, end_km: float) -> slice:
    return slice(max(0, int(round(start_km * 1000.0))), min(length, int(round(end_km * 1000.0))))


@dataclass(frozen=True)
class TerrainLimits:
    """What the ground allows a vehicle and crew, per metre of a stage.

    ``limit_mps``: ride/shock/crest-limited speed (inf where none binds). The grip the crew
    counts on in corners and under braking falls with the tyres' load variation on rough
    ground (:func:`raidsim.sim.ride.table.grip_factor`), which depends on the speed:
    :meth:`grip_factor` evaluates it along a speed plan.
    """

    limit_mps: F64
    curves: list[SpeedCurve]
    #: per metre: index into ``curves`` of the ground's ride curve and of a feature's
    #: (whoops, rocks) curve, -1 where none
    ride_index: NDArray[np.int64]
    feature_index: NDArray[np.int64]
    #: the shock-limited speed alone (inf where no whoops or rocks): where it equals
    #: ``limit_mps`` the shock limit binds, elsewhere the ride limit
    shock_mps: F64
    #: the crest speed alone (inf away from dune crests and slip faces): where it equals
    #: ``limit_mps`` the crest binds (docs/physics.md §14.2)
    crest_mps: F64

    def grip_factor(self, speed_mps: F64) -> F64:
        out = np.ones(len(speed_mps))
        for index in (self.ride_index, self.feature_index):
            for k in np.unique(index[index >= 0]):
                m = index == k
                out[m] = np.minimum(out[m], grip_factor(self.curves[int(k)], speed_mps[m]))
        return out


#: the crest courses' grids: slip-face angle along the line, deg, and dune height, m; a
#: crest of the stage reads them bilinearly in (angle, log height), clipped to the grid;
#: a course no swept speed limits caps the crest at its top swept speed
CREST_ANGLES_DEG: tuple[float, ...] = (4.0, 7.0, 10.0, 14.0, 18.0, 22.0, 26.0, 30.0, 34.0)
CREST_HEIGHTS_M: tuple[float, ...] = (2.0, 4.0, 8.0, 16.0)


def _bracket(grid: tuple[float, ...], x: float) -> tuple[int, int, float]:
    """(lower index, upper index, weight of the upper) of ``x`` on ``grid``, clipped."""
    k = int(np.clip(np.searchsorted(grid, x), 1, len(grid) - 1))
    w = (x - grid[k - 1]) / (grid[k] - grid[k - 1])
    return k - 1, k, min(max(w, 0.0), 1.0)


def crest_weights(slip_tan: float, height_m: float) -> list[tuple[float, float, float]]:
    """The crest courses (angle, height) that stand for a crest, with their weights."""
    deg = math.degrees(math.atan(slip_tan))
    a0, a1, wa = _bracket(CREST_ANGLES_DEG, deg)
    log_h = tuple(math.log(h) for h in CREST_HEIGHTS_M)
    h0, h1, wh = _bracket(log_h, math.log(max(height_m, 0.1)))
    return [
        (CREST_ANGLES_DEG[a], CREST_HEIGHTS_M[h], w)
        for a, h, w in (
            (a0, h0, (1 - wa) * (1 - wh)),
            (a1, h0, wa * (1 - wh)),
            (a0, h1, (1 - wa) * wh),
            (a1, h1, wa * wh),
        )
        if w > 0.0
    ]


def crest_speeds_mps(vehicle: Vehicle, settings: Settings, stage: Stage, key: str = "") -> F64:
    """The speed each crest of ``stage`` can be taken at by this car and crew: where the
    peak seat shock over the crest and the drop or landing on the slip face behind it
    reaches ``shock_limit_g`` (docs/physics.md §14.2), bilinear between the courses."""
    key = key or table_key(vehicle, settings)
    out = np.empty(len(stage.crest_s_m))
    memo: dict[tuple[float, float], float] = {}
    for i, (tan_s, h) in enumerate(zip(stage.crest_slip_tan, stage.crest_height_m, strict=True)):
        v = 0.0
        for angle, height, w in crest_weights(float(tan_s), float(h)):
            if (angle, height) not in memo:
                c = speed_curve(vehicle, settings, "crest", angle, height, key)
                # a crest no swept speed limits is taken at most at the top swept speed
                # (nothing is known beyond it)
                top = float(c.speed_mps[-1])
                memo[(angle, height)] = min(
                    shock_limited_mps(
                        c, settings.driver.shock_limit_g, settings.driver.travel_use_limit
                    ),
                    top,
                )
            v += w * memo[(angle, height)]
        out[i] = v
    return out


def terrain_limits(vehicle: Vehicle, settings: Settings, stage: Stage) -> TerrainLimits:
    """Ride/shock-limited speed and the grip curves per metre of ``stage``."""
    n = len(stage.centreline.s_m)
    out = np.full(n, math.inf)
    driver = settings.driver
    gd = stage.roughness_gd_m3[:n]
    key = table_key(vehicle, settings)
    curves: list[SpeedCurve] = []
    shock = np.full(n, math.inf)
    ride_index = np.full(n, -1, dtype=np.int64)
    feature_index = np.full(n, -1, dtype=np.int64)
    if gd.size:
        levels = np.asarray(GD_LEVELS_M3)
        values, inverse = np.unique(gd, return_inverse=True)
        grid = ride_curves(vehicle, settings, key, values)
        for g in values:
            curves.append(ride_curve_at(levels, grid, float(g)) if g > 0 else grid[0])
        v_ride = np.array(
            [
                ride_limited_mps(
                    levels,
                    grid,
                    float(g),
                    driver.absorbed_power_limit_W,
                    driver.travel_use_limit,
                )
                for g in values
            ]
        )
        out[: len(inverse)] = v_ride[inverse]
        ride_index[: len(inverse)] = inverse
    d = stage.definition
    features: list[tuple[str, float, float, Interval]]
    features = [("whoops", w.wavelength_m, w.amplitude_m, w) for w in d.whoops]
    features += [("rocks", r.amplitude_m, 0.0, r) for r in d.rocks]
    for kind, a, b, iv in features:
        c = speed_curve(vehicle, settings, kind, a, b, key)
        m = _span(n, iv.start_km, iv.end_km)
        v_feature = shock_limited_mps(c, driver.shock_limit_g, driver.travel_use_limit)
        shock[m] = np.minimum(shock[m], v_feature)
        out[m] = np.minimum(out[m], shock[m])
        feature_index[m] = len(curves)
        curves.append(c)
    # the crest speed holds from just before the brink down the slip face (as swept)
    crest = np.full(n, math.inf)
    for m, v_crest in zip(
        crest_spans(stage), crest_speeds_mps(vehicle, settings, stage, key), strict=True
    ):
        crest[m] = np.minimum(crest[m], v_crest)
    out = np.minimum(out, crest)
    return TerrainLimits(out, curves, ride_index, feature_index, shock, crest)


def planned_route_arrays(vehicle: Vehicle, settings: Settings, stage: Stage) -> RouteArrays:
    """The kernel's route arrays with the driver's plan over this ground: the one path by
    which both tiers (transient runner, QSS estimate) get their plan; kept on disk between
    processes (:mod:`raidsim.sim.plan_cache`)."""
    return cached_plan(vehicle, settings, stage, _plan)


def _plan(vehicle: Vehicle, settings: Settings, stage: Stage) -> RouteArrays:
    return build_route_arrays(vehicle, settings, stage, terrain_limits(vehicle, settings, stage))
