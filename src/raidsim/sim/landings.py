"""Landing events and Flight Mode scoring from telemetry, streamed chunk by chunk.

A flight is a run of ``airborne_truth == 1`` (no tyre touching) lasting at least
``min_air_s``. For each: take-off and touchdown time, distance, air time, the peak
|halfshaft torque| per wheel from just before touchdown to ``window_s`` after it (from the
kernel's per-sample peak channels, so 1 ms spikes are not lost at 100 Hz), the
wheel-speed error at touchdown ((omega r0 - v)/v per wheel) and the Flight Mode detection
latency (first sample with ``flight_mode_state == 1`` after take-off). A false trigger is
a Flight Mode entry with no flight within ``tolerance_s``.

:class:`LandingTracker` takes the samples in chunks of any size and keeps only what the
events still open need (the current flight, the touchdown windows and entry windows not yet
closed, the last two samples), so a run of any length is scored in constant memory;
:func:`analyse_landings` feeds it a whole frame at once. Both give the same events: every
figure is a selection or a maximum over the same samples, whatever the chunking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

WHEELS = ("fl", "fr", "rl", "rr")
#: the channels :class:`LandingTracker` reads
LANDING_CHANNELS = (
    "time_s",
    "distance_m",
    "speed_mps",
    "airborne_truth",
    "flight_mode_state",
    *(f"halfshaft_torque_peak_{w}_Nm" for w in WHEELS),
    *(f"wheel_speed_{w}_radps" for w in WHEELS),
)

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class LandingReport:
    events: pl.DataFrame
    false_triggers: int

    @property
    def max_peak_torque_Nm(self) -> float:
        if self.events.height == 0:
            return 0.0
        return float(self.events["peak_halfshaft_torque_Nm"].max())  # type: ignore[arg-type]


def airborne_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end_exclusive) index pairs of True runs."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.where(d == 1)[0], np.where(d == -1)[0], strict=True))


@dataclass
class _Flight:
    """A flight whose touchdown window is still open."""

    start: int  # global index of the first airborne sample
    end: int  # global index of the first sample back on the ground (touchdown)
    takeoff_time_s: float
    detection: int  # first index (from start) with Flight Mode airborne, -1 if none
    touchdown: dict[str, Any] = field(default_factory=dict)  # time, distance, speed, omega
    peak: F64 = field(default_factory=lambda: np.full(4, -np.inf))
    window_end: int = 0  # exclusive global index of the peak window


class LandingTracker:
    """Streaming :func:`analyse_landings`: ``update`` with each chunk, then ``finish``.

    ``dt_s`` is the sample interval (the in-memory function takes the median step of the
    whole run; ``simulate`` passes the nominal one).
    """

    def __init__(
        self,
        wheel_radius_m: float,
        dt_s: float,
        min_air_s: float = 0.1,
        window_s: float = 0.5,
        tolerance_s: float = 0.3,
    ) -> None:
        self.r = float(wheel_radius_m)
        self.dt = float(dt_s)
        self.min_air_s = min_air_s
        self.window = int(round(window_s / self.dt))
        self.tol = int(round(tolerance_s / self.dt))
        self.n = 0  # samples seen
        self.rows: list[dict[str, Any]] = []
        self.false_triggers = 0
        self._in_air = False
        self._air_start = 0
        self._air_t0 = 0.0
        self._air_det = -1
        self._open: list[_Flight] = []
        self._last_air = -(10**18)  # global index of the latest airborne sample
        self._entries: list[int] = []  # Flight Mode entries whose window is still open
        self._fm_prev: float | None = None
        self._tail_peaks = np.zeros((4, 0))  # the last three samples' peak channels
        self._last: dict[str, Any] = {}

    # -- input -----------------------------------------------------------------------
    def update(self, columns: Mapping[str, NDArray[Any]]) -> None:
        """Add the next samples (``columns``: the :data:`LANDING_CHANNELS` as 1-D arrays)."""
        t = np.asarray(columns["time_s"], dtype=np.float64)
        m = len(t)
        if m == 0:
            return
        g0 = self.n
        air = np.asarray(columns["airborne_truth"]) > 0.5
        fm = np.asarray(columns["flight_mode_state"], dtype=np.float64)
        v = np.asarray(columns["speed_mps"], dtype=np.float64)
        s = np.asarray(columns["distance_m"], dtype=np.float64)
        peaks = np.stack(
            [np.asarray(columns[f"halfshaft_torque_peak_{w}_Nm"], np.float64) for w in WHEELS]
        )
        omega = np.stack(
            [np.asarray(columns[f"wheel_speed_{w}_radps"], np.float64) for w in WHEELS]
        )

        # 1. open touchdown windows take this chunk's share of their peak window
        self._advance_windows(g0, peaks)

        # 2. airborne runs in this chunk (continuing the one in progress)
        padded = np.concatenate([[self._in_air], air, [False]]).astype(np.int8)
        edges = np.diff(padded)
        starts = [int(i) for i in np.flatnonzero(edges == 1)]  # chunk index of a take-off
        ends = [int(i) for i in np.flatnonzero(edges == -1)]  # of a touchdown (m: none yet)
        if self._in_air:
            starts.insert(0, -1)  # the run in progress began in an earlier chunk
        for a, b in zip(starts, ends, strict=True):
            if a >= 0:
                self._air_start, self._air_t0 = g0 + a, float(t[a])
                self._air_det = -1
            if self._air_det < 0:
                lo = max(a, 0)
                hit = np.flatnonzero(fm[lo:b] == 1)
                if len(hit):
                    self._air_det = g0 + lo + int(hit[0]) - self._air_start
            if b == m:  # still airborne at the end of the chunk
                self._in_air = True
                break
            self._in_air = False
            self._touchdown(g0 + b, b, t, s, v, omega, peaks)

        # 3. Flight Mode entries and their +-tolerance windows
        fm_before = np.concatenate([[fm[0] if self._fm_prev is None else self._fm_prev], fm])
        entry = (fm_before[1:] == 1) & (fm_before[:-1] != 1)
        if self._fm_prev is None:
            entry[0] = False  # the first sample of the run is never an entry
        idx = np.arange(g0, g0 + m)
        last_air = np.maximum.accumulate(np.where(air, idx, self._last_air))
        air_at = np.flatnonzero(air)
        # entries still waiting for a future airborne sample
        self._resolve_entries(g0, m, air_at)
        for k in np.flatnonzero(entry):
            e = g0 + int(k)
            if last_air[k] >= e - self.tol:
                continue  # airborne within the tolerance before (or at) the entry
            later = air_at[air_at > k]
            if len(later) and g0 + int(later[0]) <= e + self.tol:
                continue
            if e + self.tol < g0 + m:
                self.false_triggers += 1
            else:
                self._entries.append(e)
        if len(air_at):
            self._last_air = g0 + int(air_at[-1])

        # 4. carry: the last three samples (a touchdown window starts two samples before
        # the touchdown; a flight still going at the end of the run ends on the last one)
        self._fm_prev = float(fm[-1])
        self._tail_peaks = np.concatenate([self._tail_peaks, peaks[:, -3:]], axis=1)[:, -3:]
        self._last = {
            "time_s": float(t[-1]),
            "distance_m": float(s[-1]),
            "speed_mps": float(v[-1]),
            "omega": omega[:, -1].copy(),
            "peaks": peaks[:, -1].copy(),
        }
        self.n += m

    def _resolve_entries(self, g0: int, m: int, air_at: NDArray[np.intp]) -> None:
        first_air = g0 + int(air_at[0]) if len(air_at) else None
        still = []
        for e in self._entries:
            if first_air is not None and first_air <= e + self.tol:
                continue  # a flight within the tolerance after the entry
            if e + self.tol < g0 + m:
                self.false_triggers += 1  # the window closed without a flight
            else:
                still.append(e)
        self._entries = still

    def _advance_windows(self, g0: int, peaks: F64) -> None:
        m = peaks.shape[1]
        keep = []
        for f in self._open:
            lo, hi = max(g0, f.end - 2), min(f.window_end, g0 + m)
            if hi > lo:
                f.peak = np.maximum(f.peak, peaks[:, lo - g0 : hi - g0].max(axis=1))
            if f.window_end > g0 + m:
                keep.append(f)
            else:
                self._close(f)
        self._open = keep

    def _touchdown(self, td: int, k: int, t: F64, s: F64, v: F64, omega: F64, peaks: F64) -> None:
        """The airborne run that began at ``self._air_start`` ended at global ``td``
        (chunk index ``k``)."""
        a = self._air_start
        if (td - a) * self.dt < self.min_air_s - 1e-9:
            return
        f = _Flight(a, td, self._air_t0, self._air_det)
        f.touchdown = {
            "time_s": float(t[k]),
            "distance_m": float(s[k]),
            "speed_mps": float(v[k]),
            "omega": omega[:, k].copy(),
        }
        f.window_end = td + self.window + 1
        # the two samples before touchdown may lie in the previous chunk
        g0 = td - k
        before = max(td - 2, 0)
        if before < g0:
            tail = self._tail_peaks[:, self._tail_peaks.shape[1] - (g0 - before) :]
            f.peak = np.maximum(f.peak, tail.max(axis=1))
        hi = min(f.window_end, g0 + peaks.shape[1])
        f.peak = np.maximum(f.peak, peaks[:, max(before, g0) - g0 : hi - g0].max(axis=1))
        if f.window_end > g0 + peaks.shape[1]:
            self._open.append(f)
        else:
            self._close(f)

    def _close(self, f: _Flight) -> None:
        td = f.touchdown
        v = td["speed_mps"]
        err = (td["omega"] * self.r - v) / max(v, 1.0)
        peak = f.peak
        latency = float(f.detection * self.dt) if f.detection >= 0 else float("nan")
        self.rows.append(
            {
                "takeoff_time_s": f.takeoff_time_s,
                "touchdown_time_s": td["time_s"],
                "distance_m": td["distance_m"],
                "air_time_s": float((f.end - f.start) * self.dt),
                **{f"peak_halfshaft_torque_{w}_Nm": float(peak[i]) for i, w in enumerate(WHEELS)},
                "peak_halfshaft_torque_Nm": float(peak.max()),
                **{f"wheel_speed_error_{w}": float(err[i]) for i, w in enumerate(WHEELS)},
                "max_abs_wheel_speed_error": float(np.abs(err).max()),
                "detection_latency_s": latency,
            }
        )

    # -- output ----------------------------------------------------------------------
    def finish(self) -> LandingReport:
        """Close every open window at the end of the run; the events and false triggers."""
        if self.n < 2:
            return LandingReport(pl.DataFrame(), 0)
        for f in self._open:  # touchdown windows cut by the end of the run
            self._close(f)
        self._open = []
        if self._in_air:  # airborne at the end: the touchdown is the last sample
            a = self._air_start
            if (self.n - a) * self.dt >= self.min_air_s - 1e-9:
                last = self._last
                f = _Flight(a, self.n, self._air_t0, self._air_det)
                f.touchdown = {k: last[k] for k in ("time_s", "distance_m", "speed_mps", "omega")}
                f.peak = self._tail_peaks.max(axis=1)  # the last three samples
                self._close(f)
            self._in_air = False
        self.false_triggers += len(self._entries)  # nothing airborne after them
        self._entries = []
        return LandingReport(pl.DataFrame(self.rows), self.false_triggers)


def analyse_landings(
    tel: pl.DataFrame,
    wheel_radius_m: float,
    min_air_s: float = 0.1,
    window_s: float = 0.5,
    tolerance_s: float = 0.3,
    dt_s: float | None = None,
) -> LandingReport:
    """Landing events and false triggers of a whole telemetry frame (``dt_s``: the sample
    interval, default the median time step)."""
    t = tel["time_s"].to_numpy()
    if len(t) < 2:
        return LandingReport(pl.DataFrame(), 0)
    dt = float(np.median(np.diff(t))) if dt_s is None else float(dt_s)
    tracker = LandingTracker(wheel_radius_m, dt, min_air_s, window_s, tolerance_s)
    tracker.update({name: tel[name].to_numpy() for name in LANDING_CHANNELS})
    return tracker.finish()
