"""Route loading speed: an 800 km GPX track (a fix every ~10 m, with elevation) read with
read_route and resampled to a 1 m centre line with to_centreline.

Prints the point count, the length, the wall time of each step (best of 3) and the
metres of route per second. Target (issue 5): a fraction of a second for 800 km at 1 m.
Run: python benchmarks/bench_routes.py
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import numpy as np

from raidsim.route.readers import read_route
from raidsim.route.resample import to_centreline

LAT0, LON0 = 23.5, 45.0  # central Saudi Arabia
R_EARTH_M = 6_371_000.0


def synthetic_track(length_km: float = 800.0, spacing_m: float = 10.0, seed: int = 1):  # type: ignore[no-untyped-def]
    """A desert route: heading wandering smoothly (bends of R >= ~150 m), GPS jitter of
    +-1.5 m, rolling elevation 300-900 m. Returns lat, lon, ele arrays."""
    rng = np.random.default_rng(seed)
    n = int(length_km * 1000.0 / spacing_m) + 1
    turn = np.convolve(rng.normal(0.0, 0.02, n), np.ones(20) / 20, mode="same")
    heading = 0.3 + np.cumsum(turn)
    east = np.cumsum(spacing_m * np.cos(heading)) + rng.uniform(-1.5, 1.5, n)
    north = np.cumsum(spacing_m * np.sin(heading)) + rng.uniform(-1.5, 1.5, n)
    s = np.arange(n) * spacing_m
    ele = 600.0 + 250.0 * np.sin(2 * np.pi * s / 90_000.0) + 20.0 * np.sin(2 * np.pi * s / 1500.0)
    lat = LAT0 + np.degrees(north / R_EARTH_M)
    lon = LON0 + np.degrees(east / (R_EARTH_M * math.cos(math.radians(LAT0))))
    return lat, lon, ele


def write_gpx(path: Path, lat: np.ndarray, lon: np.ndarray, ele: np.ndarray) -> None:
    rows = [
        f'<trkpt lat="{a:.7f}" lon="{b:.7f}"><ele>{c:.1f}</ele></trkpt>'
        for a, b, c in zip(lat.tolist(), lon.tolist(), ele.tolist(), strict=True)
    ]
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="raidsim bench" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><name>800 km</name><trkseg>\n" + "\n".join(rows) + "\n</trkseg></trk></gpx>\n",
        encoding="utf-8",
    )


def main() -> None:
    lat, lon, ele = synthetic_track()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "route800.gpx"
        write_gpx(path, lat, lon, ele)
        size_mb = path.stat().st_size / 1e6
        reads, resamples = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            raw = read_route(path)
            t1 = time.perf_counter()
            line = to_centreline(raw)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            resamples.append(t2 - t1)
    t_read, t_res = min(reads), min(resamples)
    total = t_read + t_res
    km = line.length_m / 1000.0
    print(f"file             : {len(lat):,} GPX points, {size_mb:.1f} MB")
    print(f"centre line      : {km:.1f} km, {len(line.s_m):,} samples at 1 m")
    print(f"read_route       : {t_read:.3f} s best of 3 ({', '.join(f'{t:.3f}' for t in reads)})")
    print(
        f"to_centreline    : {t_res:.3f} s best of 3 ({', '.join(f'{t:.3f}' for t in resamples)})"
    )
    print(f"total            : {total:.3f} s")
    print(f"throughput       : {line.length_m / total / 1e6:.2f} M metres/s (read + resample)")
    print(f"resample only    : {line.length_m / t_res / 1e6:.2f} M metres/s")


if __name__ == "__main__":
    main()
