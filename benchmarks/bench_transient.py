"""Real-time factor of the full transient model on the default stage (JIT warm).

Prints sim time, wall time, real-time factor (sim s per wall s) and steps per second.
Run: python benchmarks/bench_transient.py
"""

from __future__ import annotations

import time

import raidsim as rs
from raidsim.sim.runner import planned_model


def main() -> None:
    car = rs.load_vehicle("d7x-r")
    stage = rs.load_stage("default")
    planned_model(car, stage).run_for(1.0)  # JIT warm-up (and Numba cache load)
    t0 = time.perf_counter()
    run = rs.simulate(car, stage)
    wall = time.perf_counter() - t0
    s = run.summary
    print(f"stage            : {s['stage']} ({s['distance_m'] / 1000:.1f} km)")
    print(f"sim time         : {s['sim_time_s']:.1f} s")
    print(f"kernel wall time : {s['wall_time_s']:.2f} s (whole call {wall:.2f} s)")
    print(f"real-time factor : {s['real_time_factor']:.0f} x")
    print(f"steps per second : {s['steps'] / s['wall_time_s'] / 1e6:.2f} M (1 ms step)")
    print(f"avg speed        : {s['avg_speed_kmh']:.1f} km/h, fuel {s['fuel_used_L']:.1f} L")


if __name__ == "__main__":
    main()
