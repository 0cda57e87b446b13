"""Tables derived from full-rate telemetry for the report: landings, splits, time delta.

All functions take the undecimated telemetry, a polars DataFrame with raidsim column names
or a streaming source (:class:`raidsim.io.telemetry.TelemetrySource`: the run's file read
one row batch at a time), and return plain dataclasses / arrays; nothing here draws or
writes files. :class:`FlightScanner` finds the flights of a stream of batches in constant
memory; :func:`find_flights` feeds it a whole frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from raidsim.io.runs import WaypointMarker, sample_rate_hz, time_at_distance
from raidsim.io.telemetry import TelemetrySource, column_values

__all__ = [
    "MIN_AIR_TIME_S",
    "REAL_FLIGHT_S",
    "TOUCHDOWN_WINDOW_S",
    "Flight",
    "FlightScanner",
    "Split",
    "column_max",
    "delta_time",
    "find_flights",
    "split_marks",
    "split_times",
]

F64 = NDArray[np.float64]
WHEELS = ("fl", "fr", "rl", "rr")
MIN_AIR_TIME_S = 0.1
TOUCHDOWN_WINDOW_S = 1.0  # peak halfshaft torque is searched this long after touchdown
SPLIT_EVERY_M = 10_000.0
#: split markers closer than this are one marker, m
SAME_MARK_M = 1.0
#: a flight this long or longer is a real one (a jump); shorter ones are whoop and crest
#: hops, summarised in the report (the default stage: 5 flights of 0.59-0.98 s off its
#: 4 jumps, 115 hops of 0.1-0.37 s)
REAL_FLIGHT_S = 0.5

Telemetry = pl.DataFrame | TelemetrySource


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


def _columns(telemetry: Telemetry) -> list[str]:
    return list(telemetry.columns)


def column_max(telemetry: Telemetry, column: str, sign: float = 1.0) -> float:
    """``max(sign * column)``; with ``sign=-1`` this is ``-min(column)``."""
    if isinstance(telemetry, pl.DataFrame):
        return float(np.max(sign * telemetry[column].to_numpy()))
    lo, hi = telemetry.range(column)
    return float(sign * hi if sign >= 0 else sign * lo)


def _hs_columns(columns: Sequence[str]) -> list[str] | None:
    # the kernel's per-sample peak channels keep 1 ms landing spikes; fall back to samples
    names = [f"halfshaft_torque_peak_{w}_Nm" for w in WHEELS]
    if not all(c in columns for c in names):
        names = [f"halfshaft_torque_{w}_Nm" for w in WHEELS]
    return names if all(c in columns for c in names) else None


@dataclass
class _Pending:
    flight: dict[str, Any]
    land: int
    window_end: int
    peak: float = -math.inf
    wheel: str = ""


class FlightScanner:
    """Streaming :func:`find_flights`: ``update`` with consecutive batches, then ``finish``.

    Keeps the flight in progress and the touchdown windows not yet closed (1 s each), so a
    run of any length is scanned in constant memory; the flights equal the whole-frame ones.
    """

    def __init__(self, rate_hz: float, columns: Sequence[str]) -> None:
        self.rate = float(rate_hz)
        self.hs = _hs_columns(columns)
        self.columns = ["time_s", "wheels_in_contact"]
        self.columns += [c for c in ("distance_m", "speed_mps") if c in columns]
        self.columns += self.hs or []
        self.window = max(1, int(round(TOUCHDOWN_WINDOW_S * self.rate)))
        self.n = 0
        self.flights: list[Flight] = []
        self._air_start: int | None = None
        self._takeoff: tuple[float, float] = (math.nan, math.nan)
        self._open: list[_Pending] = []
        self._last: tuple[float, NDArray[np.float64] | None] = (math.nan, None)

    @classmethod
    def for_columns(cls, columns: Sequence[str], rate_hz: float) -> FlightScanner | None:
        """A scanner when the run has the channels (``None`` without ``wheels_in_contact``)."""
        if "wheels_in_contact" not in columns or "time_s" not in columns:
            return None
        if not (math.isfinite(rate_hz) and rate_hz > 0):
            return None
        return cls(rate_hz, columns)

    def update(self, batch: Mapping[str, NDArray[Any]]) -> None:
        t = np.asarray(batch["time_s"], dtype=np.float64)
        m = len(t)
        if m == 0:
            return
        g0 = self.n
        nan = np.full(m, np.nan)
        d = np.asarray(batch["distance_m"], dtype=np.float64) if "distance_m" in batch else nan
        v = np.asarray(batch["speed_mps"], dtype=np.float64) if "speed_mps" in batch else nan
        hs = (
            np.abs(np.column_stack([np.asarray(batch[c], dtype=np.float64) for c in self.hs]))
            if self.hs
            else None
        )
        airborne = np.asarray(batch["wheels_in_contact"], dtype=np.float64) < 0.5
        self._advance(g0, hs)
        padded = np.concatenate([[self._air_start is not None], airborne, [False]])
        edges = np.diff(padded.astype(np.int8))
        starts = [int(i) for i in np.flatnonzero(edges == 1)]
        ends = [int(i) for i in np.flatnonzero(edges == -1)]
        if self._air_start is not None:
            starts.insert(0, -1)
        for a, b in zip(starts, ends, strict=True):
            if a >= 0:
                self._air_start = g0 + a
                self._takeoff = (float(t[a]), float(d[a]))
            if b == m:
                break  # still airborne at the end of the batch
            start = self._air_start
            assert start is not None
            self._air_start = None
            self._land(start, g0 + b, b, v, hs, g0)
        self._last = (float(v[-1]), hs[-1].copy() if hs is not None else None)
        self.n += m

    def _land(self, start: int, end: int, k: int, v: F64, hs: F64 | None, g0: int) -> None:
        air = (end - start) / self.rate
        if air < MIN_AIR_TIME_S - 0.5 / self.rate:
            return
        p = _Pending(
            {
                "takeoff_time_s": self._takeoff[0],
                "takeoff_distance_m": self._takeoff[1],
                "air_time_s": float(air),
                "landing_speed_mps": float(v[k]),
            },
            land=end,
            window_end=end + self.window,
        )
        self._open.append(p)
        self._advance(g0, hs, only=p)

    def _advance(self, g0: int, hs: F64 | None, only: _Pending | None = None) -> None:
        m = len(hs) if hs is not None else 0
        pending = [only] if only is not None else list(self._open)
        for p in pending:
            if hs is not None:
                lo, hi = max(p.land, g0), min(p.window_end, g0 + m)
                if hi > lo:
                    seg = hs[lo - g0 : hi - g0]
                    k = int(np.argmax(seg))
                    if float(seg.flat[k]) > p.peak:  # an earlier sample wins a tie
                        p.peak, p.wheel = float(seg.flat[k]), WHEELS[k % 4]
            if hs is None or p.window_end <= g0 + m:
                self._close(p)

    def _close(self, p: _Pending) -> None:
        if p in self._open:
            self._open.remove(p)
        peak = p.peak if self.hs is not None and p.peak > -math.inf else float("nan")
        self.flights.append(Flight(**p.flight, peak_halfshaft_torque_Nm=peak, peak_wheel=p.wheel))

    def finish(self) -> list[Flight]:
        """Close the windows cut by the end of the run; the flights in take-off order."""
        for p in list(self._open):
            self._close(p)
        if self._air_start is not None:  # airborne at the end: lands on the last sample
            start, self._air_start = self._air_start, None
            air = (self.n - start) / self.rate
            if air >= MIN_AIR_TIME_S - 0.5 / self.rate:
                v_last, hs_last = self._last
                peak, wheel = float("nan"), ""
                if hs_last is not None:
                    k = int(np.argmax(hs_last))
                    peak, wheel = float(hs_last[k]), WHEELS[k]
                self.flights.append(
                    Flight(
                        takeoff_time_s=self._takeoff[0],
                        takeoff_distance_m=self._takeoff[1],
                        air_time_s=float(air),
                        landing_speed_mps=v_last,
                        peak_halfshaft_torque_Nm=peak,
                        peak_wheel=wheel,
                    )
                )
        self.flights.sort(key=lambda f: f.takeoff_time_s)
        return self.flights


def find_flights(telemetry: Telemetry) -> list[Flight]:
    """Flights from ``wheels_in_contact``: runs of samples with 0 wheels touching.

    Air time = number of airborne samples / sample rate. Returns ``[]`` when the run has no
    ``wheels_in_contact`` channel.
    """
    cols = _columns(telemetry)
    if "wheels_in_contact" not in cols:
        return []
    if isinstance(telemetry, pl.DataFrame):
        if telemetry.height < 2:
            return []
        rate = sample_rate_hz(telemetry)
        batches: Any = [telemetry]
    else:
        if telemetry.num_rows < 2:
            return []
        rate = telemetry.sample_rate_hz
        batches = telemetry.batches()
    scanner = FlightScanner.for_columns(cols, rate)
    if scanner is None:
        return []
    for batch in batches:
        scanner.update({c: column_values(batch, c)[0] for c in scanner.columns})
    return scanner.finish()


def split_marks(
    waypoints: Sequence[WaypointMarker], until_m: float, every_m: float = SPLIT_EVERY_M
) -> list[tuple[float, str]]:
    """(distance, label) of the split markers: every ``every_m`` up to ``until_m`` and each
    waypoint after the start, sorted by distance."""
    count = int(until_m // every_m) if math.isfinite(until_m) else 0
    marks = [(k * every_m, f"{k * every_m / 1000:g} km") for k in range(1, count + 1)]
    marks += [(w.distance_m, w.name) for w in waypoints if w.distance_m > 0]
    marks.sort(key=lambda m: m[0])
    # a waypoint on a 10 km marker (or two at one place) is one row with both names
    merged: list[tuple[float, str]] = []
    for dist, label in marks:
        if merged and abs(dist - merged[-1][0]) < SAME_MARK_M:
            merged[-1] = (merged[-1][0], f"{merged[-1][1]} / {label}")
        else:
            merged.append((dist, label))
    return merged


def split_times(
    telemetry: Telemetry,
    waypoints: Sequence[WaypointMarker] = (),
    every_m: float = SPLIT_EVERY_M,
    until_m: float | None = None,
) -> list[Split]:
    """Splits at every ``every_m`` up to ``until_m`` (default: this run's last distance) and
    at each waypoint, sorted by distance. Times are from the run's start (time_s = 0)."""
    cols = _columns(telemetry)
    rows = telemetry.height if isinstance(telemetry, pl.DataFrame) else telemetry.num_rows
    if "distance_m" not in cols or rows < 2:
        return []
    end = column_max(telemetry, "distance_m") if until_m is None else until_m
    marks = split_marks(waypoints, end, every_m)
    times = time_at_distance(telemetry, [m[0] for m in marks]) if marks else np.zeros(0)
    return [
        Split(label=label, distance_m=dist, time_s=float(t))
        for (dist, label), t in zip(marks, times, strict=True)
    ]


def delta_grid(reference: tuple[float, float], other: tuple[float, float], n_points: int) -> F64:
    """The common distance grid of two runs covering (min, max) distances."""
    lo = max(reference[0], other[0], 0.0)
    hi = min(reference[1], other[1])
    if not hi > lo:
        return np.zeros(0)
    return np.linspace(lo, hi, n_points)


def delta_time(reference: Telemetry, other: Telemetry, n_points: int = 5000) -> tuple[F64, F64]:
    """``(distance_m, other time - reference time)`` on a common distance grid.

    The grid spans the distance both runs covered, ``n_points`` evenly spaced; times are
    interpolated at each distance (:func:`raidsim.io.runs.time_at_distance`). Positive
    means ``other`` reached that distance later.
    """
    grid = delta_grid(
        (-column_max(reference, "distance_m", -1.0), column_max(reference, "distance_m")),
        (-column_max(other, "distance_m", -1.0), column_max(other, "distance_m")),
        n_points,
    )
    if len(grid) == 0:
        return np.zeros(0), np.zeros(0)
    return grid, time_at_distance(other, grid) - time_at_distance(reference, grid)
