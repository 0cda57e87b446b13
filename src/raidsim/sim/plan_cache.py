"""The driver's planned speed over a stage, kept on disk between processes.

Planning a stage (:func:`raidsim.sim.ride.limits.planned_route_arrays`: the ride, shock and
crest limits of the terrain, then the speed profile with the rough-ground grip solved as
a fixed point) takes about 0.2 s per 100 km; ``raidsim estimate dakar-2026`` planned its
14 specials on every call. What the plan adds to the stage is two per-metre arrays, the
target speed (float64) and the code of its binding limit (int8), 9 bytes a metre: those are
stored, the rest of the route arrays is the stage's own.

Key: sha256 of the vehicle (every parameter, as JSON), the settings (as JSON), the stage
(:func:`raidsim.route.fingerprint.stage_digest`: name, definition, conditions, centre
line and every array) and the sources that can compute a plan
(:func:`raidsim.cachekey.source_digest` over the whole package, with the numpy, numba and
llvmlite versions). A change of any of them is another file; nothing is ever
looked up by a partial key. The file holds its key and is checked against it and the
stage's length when read: an unreadable, partial, foreign or mismatched file is rebuilt
and rewritten, never returned. The protocol of :mod:`raidsim.cachekey` (written atomically;
a read-only or full disk only costs the cache); folder ``cache_dir("plans")``, one ``.npz``
per key.

The arrays are stored exactly (``.npy`` float64 and int8), so a plan read back is bit for
bit the plan computed (``tests/sim/test_plan_cache.py``; the golden digests hold).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import llvmlite
import numba
import numpy as np

import raidsim.atomic as atomic
import raidsim.cachekey as cachekey
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.fingerprint import stage_digest
from raidsim.route.stage import Stage
from raidsim.sim.plan import RouteArrays, build_route_arrays

__all__ = ["cache_dir", "cached_plan", "code_digest", "plan_key", "plan_path"]

#: bump when what a file holds, or what the key covers, changes
FORMAT = "raidsim-plan-1"
#: the sources a plan can be computed from: the whole package (the plan reads the vehicle,
#: the route, the ride tables and the kernel that sweeps them)
SOURCES: tuple[str, ...] = ("",)


def cache_dir() -> Path:
    return cachekey.cache_dir("plans")


def code_digest() -> str:
    """:func:`raidsim.cachekey.source_digest` of :data:`SOURCES` and the versions of the
    libraries that compute a plan."""
    versions = (
        f"numpy {np.__version__}",
        f"numba {numba.__version__}",
        f"llvmlite {llvmlite.__version__}",
    )
    return cachekey.source_digest(SOURCES, versions)


def plan_key(vehicle: Vehicle, settings: Settings, stage: Stage) -> str:
    h = hashlib.sha256(FORMAT.encode())
    for part in (
        code_digest(),
        vehicle.model_dump_json(),
        settings.model_dump_json(),
        stage_digest(stage),
    ):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def plan_path(key: str) -> Path:
    return cache_dir() / f"{key[:40]}.npz"


def _load(path: Path, key: str, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(target speed, limit code) of the file if it is whole and holds ``key``."""
    try:
        with np.load(path) as z:
            if str(z["key"]) != key:
                return None
            speed, code = z["target_speed"], z["limit_code"]
    except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile):
        return None
    ok = speed.dtype == np.float64 and code.dtype == np.int8
    if not ok or speed.shape != (n,) or code.shape != (n,):
        return None
    return speed, code


def _store(path: Path, key: str, speed: np.ndarray, code: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.open_atomic(path) as f:
            np.savez(
                f,
                key=np.array(key),
                target_speed=speed,
                limit_code=code,
            )
    except OSError:
        return


def cached_plan(
    vehicle: Vehicle,
    settings: Settings,
    stage: Stage,
    plan: Callable[[Vehicle, Settings, Stage], RouteArrays],
) -> RouteArrays:
    """``plan(vehicle, settings, stage)``, read from the cache when it holds it (else
    computed and stored)."""
    key = plan_key(vehicle, settings, stage)
    path = plan_path(key)
    n = len(stage.centreline.s_m)
    hit = _load(path, key, n)
    if hit is None:
        route = plan(vehicle, settings, stage)
        if route.limit_code is not None:
            _store(path, key, route.target_speed, route.limit_code)
        return route
    speed, code = hit
    # the stage's own arrays; the plan's two from the file
    stage_only = build_route_arrays(vehicle, settings, stage, plan_speed_mps=0.0)
    return replace(stage_only, target_speed=speed, limit_code=code)
