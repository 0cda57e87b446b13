"""Setup-optimizer throughput: 200 QSS trials on a 400 km synthetic stage.

Issue 9 target: 200 trials in <= 60 s on 2 cores. Runs the study sequentially (n_jobs=1,
the deterministic mode) and with n_jobs=2 (optuna threads; QSS numpy/Numba work does not
release the GIL everywhere, so the gain is partial). Prints trials/s and total time for
each, JIT warm (one estimate before timing), sensitivity pass excluded.
Run: python benchmarks/bench_optimize.py [--trials N] [--jobs 1,2]
"""

from __future__ import annotations

import argparse
import time

import raidsim as rs
from raidsim.optimize.params import build_ranges
from raidsim.optimize.study import run_study
from raidsim.route.stage import DuneField, StageDefinition, SurfaceSection, SyntheticRoute
from raidsim.route.terrain import build_stage
from raidsim.sim.qss import estimate

PARAMS = ["final_drive", "tyre_pressure_front_bar", "tyre_pressure_rear_bar", "fuel_load_L"]


def stage_400km() -> StageDefinition:
    return StageDefinition(
        name="synthetic-400km",
        seed=3,
        synthetic_route=SyntheticRoute(length_km=400.0),
        default_surface="gravel",
        sections=[
            SurfaceSection(start_km=60.0, end_km=120.0, surface="sand_firm"),
            SurfaceSection(start_km=200.0, end_km=240.0, surface="rocky"),
            SurfaceSection(start_km=330.0, end_km=360.0, surface="hard"),
        ],
        dunes=[DuneField(start_km=140.0, end_km=180.0, crest_spacing_m=120.0, height_m=4.0)],
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--jobs", default="1,2")
    args = ap.parse_args()
    car = rs.load_vehicle("d7x-r")
    t0 = time.perf_counter()
    stage = build_stage(stage_400km())
    print(f"stage build   : {time.perf_counter() - t0:.2f} s ({stage.length_m / 1000:.0f} km)")
    t0 = time.perf_counter()
    estimate(car, stage)  # JIT warm-up / cache load
    t0 = time.perf_counter()
    estimate(car, stage)
    print(f"one QSS call  : {time.perf_counter() - t0:.3f} s (JIT warm)")
    ranges = build_ranges(car, PARAMS)
    for jobs in (int(j) for j in args.jobs.split(",")):
        t0 = time.perf_counter()
        res = run_study(
            car, [stage], ranges, n_trials=args.trials, seed=0, n_jobs=jobs, with_sensitivity=False
        )
        wall = time.perf_counter() - t0
        print(
            f"n_jobs={jobs}      : {res.n_new_trials} trials in {wall:.1f} s = "
            f"{res.n_new_trials / wall:.2f} trials/s; best {res.best.time_s / 3600:.3f} h "
            f"vs baseline {res.baseline.time_s / 3600:.3f} h; best {res.best_setup}"
        )


if __name__ == "__main__":
    main()
