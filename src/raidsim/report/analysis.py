"""Tables derived from full-rate telemetry for the report: landings, splits, time delta.

All functions take the undecimated telemetry (a polars DataFrame with raidsim column names)
and return plain dataclasses / arrays; nothing here draws or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from raidsim.io.runs import WaypointMarker, sample_rate_hz, time_at_distance
from raidsim.sim.landings import airborne_runs

__all__ = [
    "MIN_AIR_TIME_S",
    "TOUCHDOWN_WINDOW_S",
    "Flight",
    "Split",
    "column_max",
    "delta_time",
    "find_flights",
    "split_times",
]

F64 = NDArray[np.float64]
WHEELS = ("fl", "fr", "rl", "rr")
MIN_AIR_TIME_S = 0.1
TOUCHDOWN_WINDOW_S = 1.0  # peak halfshaft torque is searched this long after touchdown
SPLIT_EVERY_M = 10_000.0


@dataclass(frozen=True)
class Flight:
    """One airborne phase: no wheel in contact for ``air_time_s`` >= :data:`MIN_AIR_TIME_S`.

    ``peak_halfshaft_torque_Nm`` is the largest |halfshaft torque| of the four wheels within
    :data:`TOUCHDOWN_WINDOW_S` after touchdown (NaN when the run has no halfshaft channels),
    ``peak_wheel`` the wheel it occurred on.
    """

    takeoff_time_s: float
    takeoff_distance_m: float
    air_time_s: float
    landing_speed_mps: float
    peak_halfshaft_torque_Nm: float
    peak_wheel: str


@dataclass(frozen=True)
class Split:
    """Time at a marker (every 10 km, or a waypoint); NaN when the run did not reach it."""

    label: str
    distance_m: float
    time_s: float


def column_max(telemetry: pl.DataFrame, column: str, sign: float = 1.0) -> float:
    """``max(sign * column)``; with ``sign=-1`` this is ``-min(column)``."""
    return float(np.max(sign * telemetry[column].to_numpy()))


def find_flights(telemetry: pl.DataFrame) -> list[Flight]:
    """Flights from ``wheels_in_contact``: runs of samples with 0 wheels touching.

    Air time = number of airborne samples / sample rate. Returns ``[]`` when the run has no
    ``wheels_in_contact`` channel.
    """
    if "wheels_in_contact" not in telemetry.columns or telemetry.height < 2:
        return []
    rate = sample_rate_hz(telemetry)
    airborne = telemetry["wheels_in_contact"].to_numpy() < 0.5
    runs = airborne_runs(airborne)  # (first airborne sample, first sample back in contact)
    t = telemetry["time_s"].to_numpy()
    d = telemetry["distance_m"].to_numpy() if "distance_m" in telemetry.columns else t * np.nan
    v = telemetry["speed_mps"].to_numpy() if "speed_mps" in telemetry.columns else t * np.nan
    # the kernel's per-sample peak channels keep 1 ms landing spikes; fall back to samples
    hs_names = [f"halfshaft_torque_peak_{w}_Nm" for w in WHEELS]
    if not all(c in telemetry.columns for c in hs_names):
        hs_names = [f"halfshaft_torque_{w}_Nm" for w in WHEELS]
    have_hs = all(c in telemetry.columns for c in hs_names)
    hs = np.abs(np.column_stack([telemetry[c].to_numpy() for c in hs_names])) if have_hs else None
    window = max(1, int(round(TOUCHDOWN_WINDOW_S * rate)))
    n = telemetry.height
    flights = []
    for a, b in runs:
        air = (b - a) / rate
        if air < MIN_AIR_TIME_S - 0.5 / rate:
            continue
        land = min(b, n - 1)
        peak, wheel = float("nan"), ""
        if hs is not None:
            seg = hs[land : min(n, land + window)]
            k = int(np.argmax(seg))
            peak, wheel = float(seg.flat[k]), WHEELS[k % 4]
        flights.append(
            Flight(
                takeoff_time_s=float(t[a]),
                takeoff_distance_m=float(d[a]),
                air_time_s=float(air),
                landing_speed_mps=float(v[land]),
                peak_halfshaft_torque_Nm=peak,
                peak_wheel=wheel,
            )
        )
    return flights


def split_times(
    telemetry: pl.DataFrame,
    waypoints: Sequence[WaypointMarker] = (),
    every_m: float = SPLIT_EVERY_M,
    until_m: float | None = None,
) -> list[Split]:
    """Splits at every ``every_m`` up to ``until_m`` (default: this run's last distance) and
    at each waypoint, sorted by distance. Times are from the run's start (time_s = 0)."""
    if "distance_m" not in telemetry.columns or telemetry.height < 2:
        return []
    end = column_max(telemetry, "distance_m") if until_m is None else until_m
    marks = [(k * every_m, f"{k * every_m / 1000:g} km") for k in range(1, int(end // every_m) + 1)]
    marks += [(w.distance_m, w.name) for w in waypoints if w.distance_m > 0]
    marks.sort(key=lambda m: m[0])
    times = time_at_distance(telemetry, [m[0] for m in marks]) if marks else np.zeros(0)
    return [
        Split(label=label, distance_m=dist, time_s=float(t))
        for (dist, label), t in zip(marks, times, strict=True)
    ]


def delta_time(
    reference: pl.DataFrame, other: pl.DataFrame, n_points: int = 5000
) -> tuple[F64, F64]:
    """``(distance_m, other time - reference time)`` on a common distance grid.

    The grid spans the distance both runs covered, ``n_points`` evenly spaced; times are
    interpolated at each distance (:func:`raidsim.io.runs.time_at_distance`). Positive
    means ``other`` reached that distance later.
    """
    lo = max(
        -column_max(reference, "distance_m", -1.0), -column_max(other, "distance_m", -1.0), 0.0
    )
    hi = min(column_max(reference, "distance_m"), column_max(other, "distance_m"))
    if not hi > lo:
        return np.zeros(0), np.zeros(0)
    grid = np.linspace(lo, hi, n_points)
    return grid, time_at_distance(other, grid) - time_at_distance(reference, grid)
