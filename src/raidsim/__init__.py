"""raidsim: digital twin and race-engineering toolkit for rally-raid cars.

Three lines from a notebook::

    import raidsim as rs
    run = rs.simulate(rs.load_vehicle("d7x-r"), rs.load_stage("default"))
    run.telemetry, run.summary

The public names are imported on first use (``rs.simulate`` loads the Numba kernel,
``rs.estimate`` the QSS estimator): ``import raidsim`` itself is cheap, and a command
that needs only some of them (``raidsim presets``) does not pay for the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from raidsim import jitcache as _jitcache
from raidsim._version import __version__ as __version__

if TYPE_CHECKING:
    from raidsim.api import load_stage, load_vehicle, simulate
    from raidsim.model.ambient import Ambient
    from raidsim.model.settings import DriverSpec, Settings
    from raidsim.sim.qss.estimate import estimate

# before any cached Numba function can load: drop caches compiled from other sources
_jitcache.refresh()

__all__ = [
    "Ambient",
    "DriverSpec",
    "Settings",
    "estimate",
    "load_stage",
    "load_vehicle",
    "simulate",
]

#: public name -> the module it is re-exported from (imported on first access)
_LAZY: dict[str, str] = {
    "Ambient": "raidsim.model.ambient",
    "DriverSpec": "raidsim.model.settings",
    "Settings": "raidsim.model.settings",
    "estimate": "raidsim.sim.qss",
    "load_stage": "raidsim.api",
    "load_vehicle": "raidsim.api",
    "simulate": "raidsim.api",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first access and keep it (later lookups are plain)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'raidsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
