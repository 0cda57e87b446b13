"""raidsim: digital twin and race-engineering toolkit for rally-raid cars.

Three lines from a notebook::

    import raidsim as rs
    run = rs.simulate(rs.load_vehicle("d7x-r"), rs.load_stage("default"))
    run.telemetry, run.summary
"""

from __future__ import annotations

from raidsim._version import __version__ as __version__
from raidsim.api import load_stage, load_vehicle, simulate
from raidsim.model.ambient import Ambient
from raidsim.model.settings import DriverSpec, Settings
from raidsim.sim.qss import estimate

__all__ = [
    "Ambient",
    "DriverSpec",
    "Settings",
    "estimate",
    "load_stage",
    "load_vehicle",
    "simulate",
]
