"""Where speed tables live between runs: one folder per key
(:func:`raidsim.sim.ride.limits.table_key`: vehicle + setup + settings + sweep grid + the
sweep code's digest), one ``.npz`` per course, in ``cache_dir("speed-tables")``. The cache
protocol of :mod:`raidsim.cachekey`: written atomically, so parallel workers and
interrupted runs never leave a half-written table; an unreadable entry is recomputed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import raidsim.atomic as atomic
import raidsim.cachekey as cachekey
from raidsim.sim.ride.table import SpeedCurve

FIELDS = ("speed_mps", "absorbed_power_W", "shock_peak_g", "load_variation", "travel_use")


def cache_root() -> Path:
    return cachekey.cache_dir("speed-tables")


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
