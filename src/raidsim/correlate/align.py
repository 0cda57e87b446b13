"""Align a logged run with the route by distance, and compare it with a model run.

Distance, not time: a logged run and a simulated one start at different clock times, stop
at different places and take different times; only the position along the route is common.

1. **Map matching** (:func:`match_to_route`): each GPS fix (projected to the stage's local
   East-North frame) is matched to the nearest centre-line point inside a window around the
   distance predicted from the previous match and the logged speed, so a route that crosses
   or doubles back on itself is followed in order, then projected on the centre line's
   tangent there (sub-metre, not snapped to the 1 m grid; before the start and past the
   finish the distance runs on along the end tangents, so the fixes of a car standing on the
   start line average to its position instead of being clipped to s >= 0, which biased
   the whole alignment by ~1 m). A fix more than ``lost_m`` from the route in the window
   triggers a global search.
2. **Fusion** (:func:`fuse_distance`): the matched distance carries the GPS jitter (+-5 m),
   the integrated speed drifts. Complementary filter::

       s(t) = s_v(t) + G_sigma * (s_gps - s_v)(t),   s_v = integral of speed dt

   with a zero-phase Gaussian G of ``sigma_s`` seconds: the low-frequency part from GPS,
   the high-frequency part from speed. A standing car does not move: each run of standing
   samples is held at the fused distance of the departure that ends it (so the GPS
   correction gathered while standing is kept, not dropped); then s is made
   non-decreasing and clipped to the route.
   Without GPS, s = s_v scaled to the route length when the log covers the route to 5 %
   (wheel-speed calibration), else s_v as is; a ``distance_m`` channel is used when present.
3. **Resampling** (:func:`resample_by_distance`): log channels and the log's time since
   departure onto a common distance grid, from the samples where s strictly increases (a
   standing car adds no distance; the last standing sample is the departure). A time offset
   in the log's clock therefore cancels.
4. **Comparison** (:func:`compare`): delta-time(s) = t_model(s) - t_log(s) (negative: the
   twin is faster), speed residual v_model - v_log, and residuals of any channel both have.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d

from raidsim.correlate.logs import LogError, LoggedRun
from raidsim.route.centreline import Centreline
from raidsim.route.geodesy import geodetic_to_enu
from raidsim.route.stage import Stage, load_stage_definition
from raidsim.sim.qss import QssResult
from raidsim.units import KMH_PER_MPS

F64 = NDArray[np.float64]

#: samples slower than this are "standing" when building a route from GPS, m/s
STANDING_MPS = 1.0
#: a sample at or below this speed is standing when fusing distance, m/s
MOVING_MPS = 0.3


@dataclass(frozen=True)
class Origin:
    """Geodetic origin of a stage's local frame."""

    lat_deg: float
    lon_deg: float


def stage_origin(stage_arg: str | Path) -> Origin | None:
    """Tangent-plane origin of a stage given by name/path, or None (synthetic route).

    Route-file stages are projected about the route file's first point
    (:mod:`raidsim.route.readers`), so the file is read again for its origin.
    """
    from raidsim.route.readers import read_route

    p = Path(stage_arg)
    if p.suffix.lower() in {".gpx", ".geojson", ".json", ".csv"}:
        raw = read_route(p)
    else:
        definition, base = load_stage_definition(stage_arg)
        if definition.route_file is None:
            return None
        rp = Path(definition.route_file)
        if not rp.is_absolute() and base is not None:
            rp = base / rp
        raw = read_route(rp)
    if raw.origin_lat_deg is None or raw.origin_lon_deg is None:
        return None
    return Origin(raw.origin_lat_deg, raw.origin_lon_deg)


def log_xy(log: LoggedRun, origin: Origin) -> tuple[F64, F64]:
    """GPS fixes in the stage's local frame (x east, y north, m)."""
    log.require(("lat_deg", "lon_deg"), " (GPS is needed to map-match the log)")
    lat, lon = log.channels["lat_deg"], log.channels["lon_deg"]
    x, y, _ = geodetic_to_enu(lat, lon, np.zeros_like(lat), origin.lat_deg, origin.lon_deg)
    return x, y


def write_route_from_log(
    log: LoggedRun, path: Path, spacing_m: float = 5.0, smoothing_m: float = 20.0
) -> Path:
    """Write the log's GPS track as a ``lat,lon`` CSV route: fixes against integrated-speed
    distance, on a 1 m grid, smoothed by a Gaussian with sigma = ``smoothing_m`` / 2 (GPS
    jitter averages out), one point per ``spacing_m``.

    Standing samples are left out; the result loads with :func:`raidsim.load_stage`.
    """
    log.require(("lat_deg", "lon_deg"), " (no --stage given: the route comes from GPS)")
    t = log.channels["time_s"]
    v = log.channels["speed_mps"]
    lat, lon = log.channels["lat_deg"], log.channels["lon_deg"]
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    moving = ok & (v > STANDING_MPS)
    if moving.sum() < 10:
        raise LogError(f"{log.source}: fewer than 10 GPS fixes while moving; cannot build a route")
    s_v = _integrate(t, np.where(np.isfinite(v), v, 0.0))[moving]
    keep = np.concatenate(([True], np.diff(s_v) > 1e-6))
    s_v, la, lo = s_v[keep], lat[moving][keep], lon[moving][keep]
    grid = np.arange(float(s_v[0]), float(s_v[-1]), 1.0)
    sig = smoothing_m / 2.0
    lat_b = gaussian_filter1d(np.interp(grid, s_v, la), sig, mode="nearest")[:: int(spacing_m)]
    lon_b = gaussian_filter1d(np.interp(grid, s_v, lo), sig, mode="nearest")[:: int(spacing_m)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["lat", "lon"])
        for a, b in zip(lat_b, lon_b, strict=True):
            w.writerow([f"{a:.8f}", f"{b:.8f}"])
    return path


def _integrate(t: F64, v: F64) -> F64:
    out = np.zeros_like(t)
    out[1:] = np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t))
    return out


def match_to_route(
    x: F64,
    y: F64,
    t: F64,
    speed: F64,
    cl: Centreline,
    window_m: float = 40.0,
    lost_m: float = 30.0,
) -> F64:
    """Distance along ``cl`` of each fix, matched in order (see the module docstring).

    Non-finite fixes get NaN.
    """
    from scipy.spatial import cKDTree

    n = len(x)
    step = cl.step_m
    pts = np.column_stack([cl.x_m, cl.y_m])
    tree = cKDTree(pts)
    s_out = np.full(n, np.nan)
    s_prev = math.nan
    t_prev = t[0]
    n_cl = len(cl.s_m)
    for i in range(n):
        if not (math.isfinite(x[i]) and math.isfinite(y[i])):
            continue
        if not math.isfinite(s_prev):
            _, j = tree.query([x[i], y[i]])
            s_prev = float(cl.s_m[int(j)])
            s_out[i] = s_prev
            t_prev = t[i]
            continue
        v = speed[i] if math.isfinite(speed[i]) else 0.0
        s_pred = s_prev + max(v, 0.0) * (t[i] - t_prev)
        lo = max(int((s_pred - window_m) / step), 0)
        hi = min(int((s_pred + window_m) / step) + 1, n_cl)
        if hi <= lo:
            lo, hi = max(n_cl - 2, 0), n_cl
        d2 = (cl.x_m[lo:hi] - x[i]) ** 2 + (cl.y_m[lo:hi] - y[i]) ** 2
        k = int(np.argmin(d2))
        if d2[k] > lost_m**2:
            dist, j = tree.query([x[i], y[i]])
            if dist < math.sqrt(d2[k]):
                k, lo = int(j), 0
        s_prev = _project(cl, lo + k, x[i], y[i])
        t_prev = t[i]
        s_out[i] = s_prev
    return s_out


def _project(cl: Centreline, j: int, x: float, y: float) -> float:
    """Distance along ``cl`` of the point (x, y) whose nearest centre-line point is ``j``:
    the along-track offset on the local tangent, within one grid step of ``j`` inside the
    route, unbounded past the start and the finish (module docstring)."""
    n = len(cl.s_m)
    if n < 2:
        return float(cl.s_m[0])
    a, b = max(j - 1, 0), min(j + 1, n - 1)
    tx, ty = float(cl.x_m[b] - cl.x_m[a]), float(cl.y_m[b] - cl.y_m[a])
    norm = math.hypot(tx, ty)
    if norm == 0.0:
        return float(cl.s_m[j])
    along = ((x - float(cl.x_m[j])) * tx + (y - float(cl.y_m[j])) * ty) / norm
    step = float(cl.step_m)
    if j == 0:
        along = min(along, step)
    elif j == n - 1:
        along = max(along, -step)
    else:
        along = min(max(along, -step), step)
    return float(cl.s_m[j]) + along


def _smooth_time(values: F64, t: F64, sigma_s: float) -> F64:
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    sig = sigma_s / max(dt, 1e-6)
    return np.asarray(gaussian_filter1d(values, sig, mode="nearest"), dtype=np.float64)


def fuse_distance(
    t: F64, speed: F64, s_gps: F64 | None, length_m: float, sigma_s: float = 5.0
) -> F64:
    """Distance along the route per sample (complementary filter, module docstring)."""
    v = np.where(np.isfinite(speed), np.maximum(speed, 0.0), 0.0)
    s_v = _integrate(t, v)
    if s_gps is not None and np.isfinite(s_gps).sum() >= 10:
        ok = np.isfinite(s_gps)
        diff = np.interp(t, t[ok], (s_gps - s_v)[ok])
        s = s_v + _smooth_time(diff, t, sigma_s)
    else:
        total = float(s_v[-1])
        s = s_v * (length_m / total) if abs(total / length_m - 1.0) < 0.05 else s_v
    # a standing car does not move: every run of standing samples is held where the car
    # departs from, the fused distance of the first moving sample less the integrated-speed
    # step to it (the GPS correction gathered while standing is kept)
    standing = v <= MOVING_MPS
    if standing.any() and not standing.all():
        s = s.copy()
        moving_idx = np.flatnonzero(~standing)
        stand_idx = np.flatnonzero(standing)
        nxt = np.searchsorted(moving_idx, stand_idx)
        after = nxt < len(moving_idx)
        j = moving_idx[np.minimum(nxt, len(moving_idx) - 1)]
        depart = s[j] - (s_v[j] - s_v[np.maximum(j - 1, 0)])
        last = moving_idx[np.maximum(nxt - 1, 0)]  # a log that ends standing: where it stopped
        s[stand_idx] = np.where(after, depart, s[last])
    s = np.maximum.accumulate(s)
    return np.asarray(np.clip(s, 0.0, length_m), dtype=np.float64)


def log_distance(log: LoggedRun, stage: Stage, origin: Origin | None) -> F64:
    """Distance along ``stage`` of every log sample: GPS map matching fused with speed when
    GPS and the stage origin are known, else the ``distance_m`` channel or integrated speed."""
    t = log.channels["time_s"]
    speed = log.channels["speed_mps"]
    length = stage.length_m
    if origin is not None and log.has("lat_deg", "lon_deg"):
        x, y = log_xy(log, origin)
        s_gps = match_to_route(x, y, t, speed, stage.centreline)
        return fuse_distance(t, speed, s_gps, length)
    if log.has("distance_m"):
        d = log.channels["distance_m"]
        d = np.where(np.isfinite(d), d - np.nanmin(d), np.nan)
        ok = np.isfinite(d)
        d = np.interp(t, t[ok], d[ok])
        return np.maximum.accumulate(np.clip(d, 0.0, length))
    return fuse_distance(t, speed, None, length)


@dataclass
class AlignedLog:
    """Log channels on a distance grid (``s_m``); ``time_s`` is time since departure."""

    s_m: F64
    time_s: F64
    channels: dict[str, F64]
    x_m: F64
    y_m: F64
    sample_s_m: F64 = field(repr=False)


def resample_by_distance(
    log: LoggedRun, s_samples: F64, stage: Stage, step_m: float = 5.0
) -> AlignedLog:
    """Channels and time since departure on a ``step_m`` grid over the logged distance."""
    t = log.channels["time_s"]
    inc = np.concatenate(([True], np.diff(s_samples) > 1e-6))
    # keep the last standing sample before each advance: the departure time
    idx = np.flatnonzero(inc)
    nxt = np.flatnonzero(np.diff(s_samples) > 1e-6)
    keep = np.unique(np.concatenate((idx, nxt)))
    s_k = s_samples[keep]
    uniq = np.concatenate((np.diff(s_k) > 1e-9, [True]))
    keep = keep[uniq]
    s_k = s_samples[keep]
    if len(s_k) < 2 or s_k[-1] - s_k[0] < 2 * step_m:
        raise LogError(f"{log.source}: the log covers less than {2 * step_m:g} m of the route")
    end = min(float(s_k[-1]), stage.length_m)
    grid = np.arange(0.0, end + 1e-9, step_m)
    t_grid = np.interp(grid, s_k, t[keep])
    t_grid = t_grid - t_grid[0]
    chans = {}
    for name, values in log.channels.items():
        if name in ("time_s", "lat_deg", "lon_deg"):
            continue
        vk = values[keep]
        ok = np.isfinite(vk)
        if ok.sum() >= 2:
            chans[name] = np.interp(grid, s_k[ok], vk[ok])
    cl = stage.centreline
    return AlignedLog(
        grid,
        t_grid,
        chans,
        np.interp(grid, cl.s_m, cl.x_m),
        np.interp(grid, cl.s_m, cl.y_m),
        s_samples,
    )


def align(log: LoggedRun, stage: Stage, origin: Origin | None, step_m: float = 5.0) -> AlignedLog:
    """Distance of every sample (:func:`log_distance`), then the common grid
    (:func:`resample_by_distance`)."""
    return resample_by_distance(log, log_distance(log, stage, origin), stage, step_m)


@dataclass
class Comparison:
    """Model minus log on the aligned grid, and the headline errors."""

    s_m: F64
    model_speed_mps: F64
    log_speed_mps: F64
    delta_time_s: F64
    speed_residual_mps: F64
    channel_residuals: dict[str, F64]
    rms_speed_error_kmh: float
    stage_time_model_s: float
    stage_time_log_s: float
    fuel_model_L: float | None
    fuel_log_L: float | None

    @property
    def stage_time_error_s(self) -> float:
        return self.stage_time_model_s - self.stage_time_log_s

    @property
    def fuel_error_L(self) -> float | None:
        if self.fuel_model_L is None or self.fuel_log_L is None:
            return None
        return self.fuel_model_L - self.fuel_log_L

    def metrics(self) -> dict[str, float | None]:
        fe = self.fuel_error_L
        return {
            "rms_speed_error_kmh": self.rms_speed_error_kmh,
            "stage_time_model_s": self.stage_time_model_s,
            "stage_time_log_s": self.stage_time_log_s,
            "stage_time_error_s": self.stage_time_error_s,
            "stage_time_error_pct": 100.0 * self.stage_time_error_s / self.stage_time_log_s,
            "fuel_model_L": self.fuel_model_L,
            "fuel_log_L": self.fuel_log_L,
            "fuel_error_L": fe,
            "fuel_error_pct": (
                None if fe is None or not self.fuel_log_L else 100.0 * fe / self.fuel_log_L
            ),
        }


def model_on_grid(result: QssResult, s_m: F64, density_kg_per_L: float) -> dict[str, F64]:
    """A QSS result's speed, time, gear and fuel (L) on the grid ``s_m``."""
    return {
        "speed_mps": np.interp(s_m, result.s_m, result.speed_mps),
        "time_s": np.interp(s_m, result.s_m, result.time_s),
        "gear": np.interp(s_m, result.s_m, result.gear),
        "fuel_used_L": np.interp(s_m, result.s_m, result.fuel_used_kg) / density_kg_per_L,
    }


def compare(aligned: AlignedLog, result: QssResult, density_kg_per_L: float) -> Comparison:
    """Delta-time, speed and channel residuals of a QSS run against the aligned log."""
    s = aligned.s_m
    m = model_on_grid(result, s, density_kg_per_L)
    v_log = aligned.channels["speed_mps"]
    res_v = m["speed_mps"] - v_log
    chans: dict[str, F64] = {
        name: m[name] - aligned.channels[name]
        for name in ("gear", "fuel_used_L")
        if name in aligned.channels
    }
    fuel_log = None
    fuel_model = None
    if "fuel_used_L" in aligned.channels:
        f = aligned.channels["fuel_used_L"]
        fuel_log = float(f[-1] - f[0])
        fuel_model = float(m["fuel_used_L"][-1] - m["fuel_used_L"][0])
    return Comparison(
        s_m=s,
        model_speed_mps=m["speed_mps"],
        log_speed_mps=v_log,
        delta_time_s=m["time_s"] - m["time_s"][0] - aligned.time_s,
        speed_residual_mps=res_v,
        channel_residuals=chans,
        rms_speed_error_kmh=float(np.sqrt(np.mean(res_v**2)) * KMH_PER_MPS),
        stage_time_model_s=float(m["time_s"][-1] - m["time_s"][0]),
        stage_time_log_s=float(aligned.time_s[-1]),
        fuel_model_L=fuel_model,
        fuel_log_L=fuel_log,
    )
