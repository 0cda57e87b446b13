"""Specific exceptions raised at the edges of raidsim.

Every error names what was wrong (file, field, value) and, where possible, the
allowed range, so the CLI can print one clear line and exit with code 2.
"""

from __future__ import annotations


class RaidsimError(Exception):
    """Base class of every error raidsim raises on purpose."""


class ConfigError(RaidsimError):
    """A preset, setup or settings value is missing, unknown or out of range."""


class RouteError(RaidsimError):
    """A route or stage file is missing, unreadable or physically implausible."""


class SimulationDiverged(RaidsimError):
    """The transient model produced a non-finite or out-of-range state.

    Attributes carry the diagnostic: simulated time, distance along the stage and
    the channel that blew up with its value.
    """

    def __init__(self, time_s: float, distance_m: float, channel: str, value: float) -> None:
        self.time_s = time_s
        self.distance_m = distance_m
        self.channel = channel
        self.value = value
        super().__init__(
            f"simulation diverged at t={time_s:.3f} s, s={distance_m:.1f} m: "
            f"channel '{channel}' = {value!r} (non-finite or out of physical range)"
        )
