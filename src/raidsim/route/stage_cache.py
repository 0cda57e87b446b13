"""Built stages on disk: a stage file is built once per definition and code version.

Only stages loaded by name or TOML (:func:`raidsim.route.terrain.load_stage`) are stored;
the variants a calibration or a sweep builds are not (each would be a file of its own). A
stage takes about 0.18 MB per km (the 0.25 m ground and wheel tracks in float64): some
0.9 GB for the 14 Dakar 2026 specials.

Building a long special (seeded centre line, dune fields, ISO 8608 wheel tracks by IFFT)
takes seconds; loading its arrays takes milliseconds. A stage is stored as one ``.npz``
(uncompressed, each array aligned and mapped when read, :mod:`raidsim.route.npz_map`:
loading is the point) in ``cache_dir("stages")``, named by the sha256 of
its definition (the validated TOML as JSON, seed included) and of :func:`code_digest`: the
sources of the route package, the surface table and the array math
(:mod:`raidsim.physics.fpmath`), and numpy's version (the seeded streams). The cache
protocol of :mod:`raidsim.cachekey`: written atomically; an unreadable, partial or foreign
file is rebuilt; a read-only or full disk only costs the cache. Stages on a route file
are not cached (their file, and its warnings, are read every time).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

import raidsim.atomic as atomic
import raidsim.cachekey as cachekey
from raidsim.route import fingerprint, npz_map
from raidsim.route.centreline import Centreline
from raidsim.route.stage import Stage, StageDefinition

#: the sources a built stage depends on, relative to the package
SOURCES: tuple[str, ...] = (
    "route/*.py",
    "model/surfaces.py",
    "physics/terramechanics.py",
    "physics/fpmath.py",
    "units.py",
)
_CENTRELINE = ("s_m", "x_m", "y_m", "z_m", "heading_rad", "curvature_1pm")
#: Stage fields not stored: the name and definition are the key, the centre line is stored
#: apart and the conditions are the caller's (a rally stage's weather, set after the build)
_SKIP = {"name", "definition", "centreline", "conditions"}


def cache_dir() -> Path:
    return cachekey.cache_dir("stages")


def code_digest() -> str:
    """:func:`raidsim.cachekey.source_digest` of :data:`SOURCES` and numpy's version."""
    return cachekey.source_digest(SOURCES, ("numpy " + np.__version__,))


def stage_path(definition: StageDefinition) -> Path | None:
    """Where the built ``definition`` lives (None: not cached, a route-file stage)."""
    if definition.route_file is not None:
        return None
    h = hashlib.sha256(code_digest().encode())
    h.update(definition.model_dump_json().encode())
    return cache_dir() / f"{h.hexdigest()[:32]}.npz"


def _array_fields() -> list[str]:
    return [f.name for f in fields(Stage) if f.name not in _SKIP]


def load(definition: StageDefinition) -> Stage | None:
    """The cached stage of ``definition``, or None (absent, unreadable, incomplete)."""
    path = stage_path(definition)
    if path is None:
        return None
    try:
        z = npz_map.load(path)  # views of the file, read as they are used
        s_m, x_m, y_m, z_m, heading, curvature = (z[f"cl_{k}"] for k in _CENTRELINE)
        cl = Centreline(
            s_m, x_m, y_m, z_m, heading, curvature, has_elevation=bool(z["cl_has_elevation"])
        )
        arrays: dict[str, Any] = {k: z[k] for k in _array_fields()}
    except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile):
        return None
    stage = Stage(name=definition.name, definition=definition, centreline=cl, **arrays)
    fingerprint.remember(stage, path.stem)  # its arrays are this file's: no need to hash them
    return stage


def store(stage: Stage) -> None:
    """Write ``stage`` atomically; any OS error only costs the cache."""
    path = stage_path(stage.definition)
    if path is None:
        return
    cl = stage.centreline
    arrays = {f"cl_{k}": getattr(cl, k) for k in _CENTRELINE}
    arrays["cl_has_elevation"] = np.array(cl.has_elevation)
    arrays |= {k: getattr(stage, k) for k in _array_fields()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.open_atomic(path) as f:
            npz_map.save(f, arrays)
    except OSError:
        return
    fingerprint.remember(stage, path.stem)
