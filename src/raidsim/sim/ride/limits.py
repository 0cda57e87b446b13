"""The ride/shock speed limit per metre of a stage for a vehicle, setup and crew
(docs/physics.md §13.3).

    v_terrain(s) = min( v_ride(Gd(n0) at s; absorbed_power_limit_W),
                        v_shock(whoops / rock field at s; shock_limit_g) )

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

from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Interval, Stage, StageDefinition
from raidsim.route.terrain import build_stage
from raidsim.sim.params import RouteArrays, build_route_arrays, vehicle_limit_mps
from raidsim.sim.ride import cache
from raidsim.sim.ride.courses import COURSES_VERSION, ride_course, rocks_course, whoops_course
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
    else:
        definition = rocks_course(a)
    return build_stage(definition)


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
    }
    h.update(json.dumps(grid, sort_keys=True).encode())
    return h.hexdigest()[:24]


def _sweep(vehicle: Vehicle, settings: Settings, course: Stage, ride: bool) -> SpeedCurve:
    speeds, powers, shocks, dlcs = [], [], [], []
    stopped = False
    for v in set_speeds(vehicle_limit_mps(vehicle)):
        if stopped:
            speeds.append(v)
            powers.append(math.inf)
            shocks.append(math.inf)
            dlcs.append(math.inf)
            continue
        r = seat_response(vehicle, settings, course, v)
        speeds.append(r.speed_mps if math.isfinite(r.absorbed_power_W) else v)
        powers.append(r.absorbed_power_W)
        shocks.append(r.shock_peak_g)
        dlcs.append(r.load_variation)
        measure, stop = (
            (r.absorbed_power_W, STOP_POWER_W) if ride else (r.shock_peak_g, STOP_SHOCK_G)
        )
        stopped = not measure < stop
    # measured speeds can dip where the car cannot hold the set speed: keep them rising
    speed = np.maximum.accumulate(np.asarray(speeds, dtype=np.float64))
    return SpeedCurve(speed, *(np.asarray(x, dtype=np.float64) for x in (powers, shocks, dlcs)))


def speed_curve(
    vehicle: Vehicle, settings: Settings, kind: str, a: float, b: float = 0.0, key: str = ""
) -> SpeedCurve:
    """The curve of one course (``kind`` ride/whoops/rocks with its one or two sizes)."""
    key = key or table_key(vehicle, settings)
    name = f"{kind}-{a:.6g}-{b:.6g}"
    curve = _MEMORY.get((key, name)) or cache.load_curve(key, name)
    if curve is None:
        curve = _sweep(vehicle, settings, _course(kind, a, b), ride=kind == "ride")
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

    ``limit_mps``: ride/shock-limited speed (inf where neither binds). The grip the crew
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

    def grip_factor(self, speed_mps: F64) -> F64:
        out = np.ones(len(speed_mps))
        for index in (self.ride_index, self.feature_index):
            for k in np.unique(index[index >= 0]):
                m = index == k
                out[m] = np.minimum(out[m], grip_factor(self.curves[int(k)], speed_mps[m]))
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
                ride_limited_mps(levels, grid, float(g), driver.absorbed_power_limit_W)
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
        shock[m] = np.minimum(shock[m], shock_limited_mps(c, driver.shock_limit_g))
        out[m] = np.minimum(out[m], shock[m])
        feature_index[m] = len(curves)
        curves.append(c)
    return TerrainLimits(out, curves, ride_index, feature_index, shock)


def planned_route_arrays(vehicle: Vehicle, settings: Settings, stage: Stage) -> RouteArrays:
    """The kernel's route arrays with the driver's plan over this ground: the one path by
    which both tiers (transient runner, QSS estimate) get their plan."""
    return build_route_arrays(vehicle, settings, stage, terrain_limits(vehicle, settings, stage))
