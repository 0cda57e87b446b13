"""QSS estimator speed on an 800 km synthetic stage (JIT warm).

Prints the stage build time, the estimate's wall time (best of 3, after a warm-up call)
split into plan (speed ceiling) and the whole call, and the metres per second.
Target (issue 6): <= 1 s for 800 km at 1 m JIT-warm.
Run: python benchmarks/bench_qss.py
"""

from __future__ import annotations

import time

import raidsim as rs
from raidsim.model.settings import Settings
from raidsim.route.stage import DuneField, StageDefinition, SurfaceSection, SyntheticRoute
from raidsim.route.terrain import build_stage
from raidsim.sim.qss import estimate
from raidsim.sim.ride.limits import planned_route_arrays


def long_stage(length_km: float = 800.0) -> StageDefinition:
    return StageDefinition(
        name=f"synthetic-{length_km:.0f}km",
        seed=3,
        synthetic_route=SyntheticRoute(length_km=length_km),
        default_surface="gravel",
        sections=[
            SurfaceSection(start_km=100.0, end_km=180.0, surface="sand_firm"),
            SurfaceSection(start_km=300.0, end_km=360.0, surface="rocky"),
            SurfaceSection(start_km=500.0, end_km=520.0, surface="whoops"),
            SurfaceSection(start_km=700.0, end_km=760.0, surface="hard"),
        ],
        dunes=[DuneField(start_km=200.0, end_km=280.0, crest_spacing_m=120.0, height_m=4.0)],
    )


def main() -> None:
    car = rs.load_vehicle("d7x-r")
    t0 = time.perf_counter()
    stage = build_stage(long_stage())
    t_build = time.perf_counter() - t0
    estimate(car, stage)  # JIT warm-up (and Numba cache load)
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = estimate(car, stage)
        walls.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    planned_route_arrays(car, Settings(), stage)
    t_plan = time.perf_counter() - t0
    s = result.summary
    best = min(walls)
    print(f"stage            : {s['stage']} ({s['distance_m'] / 1000:.0f} km, 1 m grid)")
    print(f"stage build      : {t_build:.2f} s (not part of the estimate)")
    print(f"estimate wall    : {best:.3f} s best of 3 ({', '.join(f'{w:.3f}' for w in walls)})")
    print(f"  of which plan  : {t_plan:.3f} s (speed table lookup + plan, cached table)")
    print(f"throughput       : {s['distance_m'] / best / 1e6:.2f} M metres/s")
    print(
        f"estimate         : {s['stage_time_s'] / 3600:.2f} h, {s['avg_speed_kmh']:.1f} km/h avg, "
        f"{s['fuel_used_L']:.0f} L fuel, max {s['max_speed_kmh']:.0f} km/h"
    )


if __name__ == "__main__":
    main()
