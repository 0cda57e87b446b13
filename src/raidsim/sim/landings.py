"""Landing events and Flight Mode scoring from telemetry.

A flight is a run of ``airborne_truth == 1`` (no tyre touching) lasting at least
``min_air_s``. For each: take-off and touchdown time, distance, air time, the peak
|halfshaft torque| per wheel from just before touchdown to ``window_s`` after it (from the
kernel's per-sample peak channels, so 1 ms spikes are not lost at 100 Hz), the
wheel-speed error at touchdown ((omega r0 - v)/v per wheel) and the Flight Mode detection
latency (first sample with ``flight_mode_state == 1`` after take-off). A false trigger is
a Flight Mode entry with no flight within ``tolerance_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

WHEELS = ("fl", "fr", "rl", "rr")


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


def analyse_landings(
    tel: pl.DataFrame,
    wheel_radius_m: float,
    min_air_s: float = 0.1,
    window_s: float = 0.5,
    tolerance_s: float = 0.3,
) -> LandingReport:
    t = tel["time_s"].to_numpy()
    if len(t) < 2:
        return LandingReport(pl.DataFrame(), 0)
    dt = float(np.median(np.diff(t)))
    air = tel["airborne_truth"].to_numpy() > 0.5
    fm = tel["flight_mode_state"].to_numpy()
    v = tel["speed_mps"].to_numpy()
    s = tel["distance_m"].to_numpy()
    peaks = np.stack([tel[f"halfshaft_torque_peak_{w}_Nm"].to_numpy() for w in WHEELS])
    omega = np.stack([tel[f"wheel_speed_{w}_radps"].to_numpy() for w in WHEELS])
    rows = []
    flights = [(a, b) for a, b in airborne_runs(air) if (b - a) * dt >= min_air_s - 1e-9]
    for a, b in flights:
        td = min(b, len(t) - 1)
        w0 = max(td - 2, 0)
        w1 = min(td + int(round(window_s / dt)) + 1, len(t))
        peak = peaks[:, w0:w1].max(axis=1)
        err = (omega[:, td] * wheel_radius_m - v[td]) / max(v[td], 1.0)
        det = np.where(fm[a:b] == 1)[0]
        latency = float(det[0] * dt) if len(det) else float("nan")
        rows.append(
            {
                "takeoff_time_s": float(t[a]),
                "touchdown_time_s": float(t[td]),
                "distance_m": float(s[td]),
                "air_time_s": float((b - a) * dt),
                **{f"peak_halfshaft_torque_{w}_Nm": float(peak[i]) for i, w in enumerate(WHEELS)},
                "peak_halfshaft_torque_Nm": float(peak.max()),
                **{f"wheel_speed_error_{w}": float(err[i]) for i, w in enumerate(WHEELS)},
                "max_abs_wheel_speed_error": float(np.abs(err).max()),
                "detection_latency_s": latency,
            }
        )
    entries = np.where((fm[1:] == 1) & (fm[:-1] != 1))[0] + 1
    tol = int(round(tolerance_s / dt))
    false = 0
    for e in entries:
        lo, hi = max(0, e - tol), min(len(air), e + tol + 1)
        if not air[lo:hi].any():
            false += 1
    return LandingReport(pl.DataFrame(rows), false)
