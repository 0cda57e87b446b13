"""Synthetic "logged" runs: the twin with hidden correction factors, plus sensor noise.

For tests and the README example of ``raidsim correlate``: the QSS tier drives the stage with
known factors (:func:`raidsim.correlate.fit.apply_factors`), the per-metre result is sampled
in time at ``rate_hz``, and the channels get what a real logger adds:

* a standing start of ``time_offset_s`` (the logger runs before the car leaves) and a clock
  that starts at ``clock_start_s``;
* GPS fixes with independent uniform +-``gps_jitter_m`` errors east and north;
* Gaussian noise on speed (``speed_noise_kmh``), engine speed and water temperature.

Written as an AiM RaceStudio-style CSV (docs/design.md "AiM RaceStudio CSV").
:func:`slowed_channels` turns such a run into a uniformly slower crew's (the pace fit's
check, issue #15).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.correlate.fit import Corrected, apply_factors, run_qss
from raidsim.model.settings import DriverSpec
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.route.geodesy import geodetic_to_enu
from raidsim.route.stage import Stage
from raidsim.sim.qss import rolling_radius_m
from raidsim.units import KMH_PER_MPS

F64 = NDArray[np.float64]


def enu_to_geodetic(x_m: F64, y_m: F64, lat0_deg: float, lon0_deg: float) -> tuple[F64, F64]:
    """Inverse of :func:`raidsim.route.geodesy.geodetic_to_enu` at zero height (Newton,
    four steps: sub-millimetre within 100 km of the origin)."""
    lat = lat0_deg + y_m / 111_320.0
    lon = lon0_deg + x_m / (111_320.0 * math.cos(math.radians(lat0_deg)))
    for _ in range(4):
        e, n, _ = geodetic_to_enu(lat, lon, np.zeros_like(lat), lat0_deg, lon0_deg)
        de_dlon = 111_320.0 * np.cos(np.radians(lat))
        lat = lat + (y_m - n) / 110_950.0
        lon = lon + (x_m - e) / de_dlon
    return np.asarray(lat, np.float64), np.asarray(lon, np.float64)


def synthetic_channels(
    stage: Stage,
    vehicle: Vehicle,
    hidden: dict[str, float],
    origin: tuple[float, float],
    seed: int = 0,
    rate_hz: float = 10.0,
    gps_jitter_m: float = 5.0,
    time_offset_s: float = 10.0,
    clock_start_s: float = 0.0,
    speed_noise_kmh: float = 1.0,
) -> list[tuple[str, str, F64, int]]:
    """AiM-named channels (name, unit, values, decimals) of a synthetic logged run."""
    rng = np.random.default_rng(seed)
    c: Corrected = apply_factors(vehicle, DriverSpec(), hidden)
    r = run_qss(c, stage, None, None)
    t_drive = np.arange(0.0, float(r.time_s[-1]), 1.0 / rate_hz)
    s = np.interp(t_drive, r.time_s, r.s_m)
    n_stand = int(round(time_offset_s * rate_hz))
    s = np.concatenate((np.zeros(n_stand), s))
    t = clock_start_s + np.arange(len(s)) / rate_hz
    v = np.interp(s, r.s_m, r.speed_mps)
    v[:n_stand] = 0.0
    gear = np.round(np.interp(s, r.s_m, r.gear))
    gear[:n_stand] = 1.0
    fuel_L = np.interp(s, r.s_m, r.fuel_used_kg) / vehicle.fuel.density_kg_per_L
    power = np.interp(s, r.s_m, r.engine_power_kW)
    v_full = c.vehicle
    gb = v_full.gearbox
    ratios = np.array(gb.overall_ratios)
    rpm = v / rolling_radius_m(v_full) * ratios[gear.astype(np.int64) - 1] / RPM_TO_RADPS
    rpm = np.maximum(rpm, v_full.engine.idle_rpm) + rng.normal(0.0, 20.0, len(s))
    throttle = np.clip(100.0 * power / max(float(power.max()), 1e-9), 0.0, 100.0)
    cl = stage.centreline
    x = np.interp(s, cl.s_m, cl.x_m) + rng.uniform(-gps_jitter_m, gps_jitter_m, len(s))
    y = np.interp(s, cl.s_m, cl.y_m) + rng.uniform(-gps_jitter_m, gps_jitter_m, len(s))
    lat, lon = enu_to_geodetic(x, y, origin[0], origin[1])
    speed_kmh = np.maximum(v * KMH_PER_MPS + rng.normal(0.0, speed_noise_kmh, len(s)), 0.0)
    speed_kmh[:n_stand] = 0.0
    water = 88.0 + 4.0 * power / max(float(power.max()), 1e-9) + rng.normal(0.0, 0.2, len(s))
    return [
        ("Time", "s", t, 2),
        ("GPS Speed", "km/h", speed_kmh, 2),
        ("GPS Latitude", "deg", lat, 7),
        ("GPS Longitude", "deg", lon, 7),
        ("RPM", "rpm", rpm, 0),
        ("Gear", "", gear, 0),
        ("Throttle", "%", throttle, 1),
        ("Water Temp", "C", water, 1),
        ("Fuel Used", "l", fuel_L, 3),
    ]


#: channels a uniformly slower crew leaves as they are (distance-based or not speed-like)
_UNSCALED = ("GPS Latitude", "GPS Longitude", "Gear", "Throttle", "Water Temp")


def slowed_channels(
    channels: list[tuple[str, str, F64, int]], factor: float
) -> list[tuple[str, str, F64, int]]:
    """The same run driven ``factor`` times slower everywhere (the same line, gears and
    pedal, a uniformly slower crew): time since the first sample x ``factor``, speed and
    engine speed / ``factor``. The fuel total is dropped: what a slower crew burns is not
    known (it would pull the fit's fuel row)."""
    out: list[tuple[str, str, F64, int]] = []
    for name, unit, values, dec in channels:
        if name == "Time":
            values = values[0] + (values - values[0]) * factor
        elif name in ("GPS Speed", "RPM"):
            values = values / factor
        elif name not in _UNSCALED:
            continue
        out.append((name, unit, values, dec))
    return out


def write_aim_csv(
    path: Path | str,
    channels: list[tuple[str, str, F64, int]],
    header: dict[str, str],
) -> Path:
    """Write channels as an AiM RaceStudio CSV: key/value rows, blank, names, units, blank,
    data (all cells quoted, as RaceStudio writes them)."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    n = len(channels[0][2])
    rate = 1.0 / float(np.median(np.diff(channels[0][2]))) if n > 1 else 1.0
    rows = {
        "Format": "AiM CSV File",
        **header,
        "Sample Rate": f"{rate:g}",
        "Duration": f"{channels[0][2][-1] - channels[0][2][0]:.2f}",
    }
    for k, v in rows.items():
        w.writerow([k, v])
    buf.write("\n")
    w.writerow([c[0] for c in channels])
    w.writerow([c[1] for c in channels])
    buf.write("\n")
    cols = [[f"{val:.{dec}f}" for val in values] for _, _, values, dec in channels]
    for i in range(n):
        w.writerow([col[i] for col in cols])
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(p, buf.getvalue().encode("utf-8"))
    return p


#: geodetic origin of the example stage: near Hegra, Saudi Arabia (illustrative only)
EXAMPLE_ORIGIN = (26.79, 37.95)
_EXAMPLE_SURFACES = ("gravel", "gravel", "sand_firm", "hard", "gravel", "rocky", "sand_firm")


def write_example_stage(
    directory: Path | str, name: str = "synthetic_stage", length_km: float = 12.0, seed: int = 3
) -> Path:
    """A twisty synthetic special as a ``lat,lon,ele`` CSV route plus a roadbook TOML
    (surface per km) in ``directory``; returns the TOML path.

    The centre line is :func:`raidsim.route.terrain.synthetic_centreline` with short
    straights and 30-250 m radii (so corner grip and power both show in the speed trace),
    placed at :data:`EXAMPLE_ORIGIN`. Illustrative geometry, not a surveyed track.
    """
    from raidsim.route.stage import SyntheticRoute
    from raidsim.route.terrain import synthetic_centreline

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    spec = SyntheticRoute(
        length_km=length_km,
        min_radius_m=30.0,
        max_radius_m=250.0,
        straight_m=(80.0, 500.0),
        elevation_amplitude_m=10.0,
        elevation_wavelength_m=2500.0,
    )
    cl = synthetic_centreline(spec, np.random.default_rng(seed))
    idx = np.arange(0, len(cl.s_m), 5)
    if idx[-1] != len(cl.s_m) - 1:
        idx = np.append(idx, len(cl.s_m) - 1)
    lat, lon = enu_to_geodetic(cl.x_m[idx], cl.y_m[idx], *EXAMPLE_ORIGIN)
    route = d / f"{name}.csv"
    lines = ["lat,lon,ele"] + [
        f"{a:.8f},{b:.8f},{100.0 + z:.2f}" for a, b, z in zip(lat, lon, cl.z_m[idx], strict=True)
    ]
    atomic.write_bytes(route, ("\n".join(lines) + "\n").encode())
    n_km = math.ceil(cl.length_m / 1000.0 - 1e-6) + 1  # smoothing may shorten; trimmed below
    surfaces = [_EXAMPLE_SURFACES[k % len(_EXAMPLE_SURFACES)] for k in range(n_km)]
    toml = d / f"{name}.toml"
    # the resampled route is a little shorter than the synthetic one: one entry per started km
    from raidsim.route.readers import read_route
    from raidsim.route.resample import to_centreline

    length = to_centreline(read_route(route)).length_m
    surfaces = surfaces[: max(1, math.ceil(length / 1000.0 - 1e-6))]
    text = (
        f"# Illustrative twisty special for `raidsim correlate` (written by\n"
        f"# raidsim.correlate.synthetic.write_example_stage, seed {seed}): synthetic geometry\n"
        f"# placed near Hegra; not a surveyed track.\n"
        f'name = "{name}"\n'
        f'description = "{length_km:g} km synthetic twisty special (correlation example)"\n'
        f"seed = {seed}\n"
        f'route_file = "{route.name}"\n'
        f'default_surface = "gravel"\n'
        f"surface_by_km = [{', '.join(repr(s).replace(chr(39), chr(34)) for s in surfaces)}]\n"
    )
    atomic.write_bytes(toml, text.encode())
    return toml
