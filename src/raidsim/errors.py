"""Specific exceptions raised at the edges of raidsim.

Every error names what was wrong (file, field, value) and, where possible, the
allowed range, so the CLI can print one clear line and exit with code 2 (bad input) or 3
(the simulation stopped or diverged). Every error class raidsim raises is defined here;
the modules that raise them re-export them under their old names.
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


class SimulationStopped(RaidsimError):
    """The run ended before the finish (time limit or the car is stuck)."""


class ClusterLost(RaidsimError):
    """The Dask cluster went away mid-run (the scheduler stopped or the network broke):
    exit code 3, like a stopped simulation; what finished is kept (re-run to resume)."""


class OutOfFuel(SimulationStopped):
    """The car burnt its fuel load before the next refuel point or the finish
    (:mod:`raidsim.sim.fuel_range`): the run stops where the tank ran dry."""

    def __init__(self, message: str, time_s: float, distance_m: float) -> None:
        super().__init__(message)
        self.time_s = time_s
        self.distance_m = distance_m


class LostControl(SimulationStopped):
    """The car lost control (left the route, spun or drives against it, or made no
    progress): the run stops rather than report a finish."""


class LogError(RaidsimError):
    """A logged run is unreadable, has a broken header or lacks a required channel."""


class ConfigWarning(UserWarning):
    """A configuration file still carries a retired key; it loads, the key is ignored."""


class LogWarning(UserWarning):
    """A logged run was repaired on reading (repeated rows dropped)."""


class UntrustedCorrelation(LogError):
    """The log and the stage do not support a fit
    (:func:`raidsim.correlate.trust.assess_trust`); exit code 2."""


class RunError(RaidsimError):
    """A run directory is missing, incomplete, unreadable or cannot be exported as asked."""


class ConfirmationFailed(RaidsimError):
    """The transient confirmation run of the best setup stopped or diverged (exit code 3).

    Raised by :func:`raidsim.optimize.study.confirm` after the study is finished: its
    trials are complete (and in the storage, if any); the message names the setup, the
    stage and the stop."""

    def __init__(self, setup: dict[str, float], stage: str, cause: BaseException, kept: str):
        self.setup = dict(setup)
        self.stage = stage
        self.cause = cause
        values = ", ".join(f"{k}={v:.4g}" for k, v in setup.items()) or "baseline"
        reason = " ".join(str(cause).split()) or type(cause).__name__
        super().__init__(
            f"transient confirmation run of the best setup ({values}) on stage '{stage}' "
            f"stopped: {reason}" + (f"; {kept}" if kept else "")
        )
