"""Where speed tables live between runs: one folder per vehicle + setup + settings hash,
one ``.npz`` per course, written atomically (a temporary file renamed into place), so
parallel workers and interrupted runs never leave a half-written table.

Folder: ``$RAIDSIM_CACHE_DIR/speed-tables`` when set, else
``$XDG_CACHE_HOME/raidsim/speed-tables`` (``~/.cache/raidsim/speed-tables``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import raidsim.atomic as atomic
from raidsim.sim.ride.table import SpeedCurve

FIELDS = ("speed_mps", "absorbed_power_W", "shock_peak_g", "load_variation")
#: environment variable naming the cache root
CACHE_ENV = "RAIDSIM_CACHE_DIR"


def cache_root() -> Path:
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / "speed-tables"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "raidsim" / "speed-tables"


def curve_path(key: str, course: str) -> Path:
    return cache_root() / key / f"{course}.npz"


def load_curve(key: str, course: str) -> SpeedCurve | None:
    """The cached curve, or None when absent or unreadable (it is then recomputed)."""
    path = curve_path(key, course)
    try:
        with np.load(path) as z:
            return SpeedCurve(*(np.array(z[name]) for name in FIELDS))
    except (OSError, KeyError, ValueError):
        return None


def store_curve(key: str, course: str, curve: SpeedCurve) -> None:
    """Write atomically; a read-only or full disk only costs the cache, never the run."""
    path = curve_path(key, course)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.open_atomic(path) as f:
            np.savez(f, **{name: getattr(curve, name) for name in FIELDS})
    except OSError:
        return
