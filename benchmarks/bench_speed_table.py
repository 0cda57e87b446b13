"""Cost of the speed table (docs/physics.md §13.3): seconds per vehicle + setup to sweep the
canonical courses a stage needs, the cached second call, and the whole Dakar 2026 QSS
estimate once the table is cached.

Uses a fresh temporary cache folder (RAIDSIM_CACHE_DIR) so the first call really sweeps;
JIT warm (a first sweep compiles the kernel from the Numba cache).
Run: python benchmarks/bench_speed_table.py
"""

from __future__ import annotations

import os
import tempfile
import time

import raidsim as rs
from raidsim.model.settings import Settings
from raidsim.route.catalogue import load_rally
from raidsim.sim.qss import estimate
from raidsim.sim.ride import limits


def _timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    os.environ["RAIDSIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="raidsim-bench-")
    settings = Settings()
    stage = rs.load_stage("default")
    # warm the JIT on a throw-away setup
    limits.terrain_limits(
        rs.load_vehicle("d7x-r").with_changes(damper_clicks_front=1), settings, stage
    )
    print("speed table for the default stage (ride levels C-E, whoops, rocks):")
    for name in ("d7x-r", "octa", "sandrider"):
        car = rs.load_vehicle(name)
        limits._MEMORY.clear()
        _, cold = _timed(lambda car=car: limits.terrain_limits(car, settings, stage))
        limits._MEMORY.clear()
        _, disk = _timed(lambda car=car: limits.terrain_limits(car, settings, stage))
        _, mem = _timed(lambda car=car: limits.terrain_limits(car, settings, stage))
        print(
            f"  {name:10s} sweep {cold:6.2f} s   from disk {disk:6.3f} s   in memory {mem:6.3f} s"
            f"   ratio {cold / max(disk, 1e-9):6.0f}x"
        )
    car = rs.load_vehicle("d7x-r")
    days = [s for s in load_rally("dakar-2026").stages]
    built, t_build = _timed(lambda: [rs.load_stage(d.name) for d in days])
    _, first = _timed(lambda: [estimate(car, st) for st in built])
    _, second = _timed(lambda: [estimate(car, st) for st in built])
    km = sum(st.length_m for st in built) / 1000.0
    print(f"Dakar 2026 ({len(built)} specials, {km:.0f} km), d7x-r QSS:")
    print(f"  stage builds          {t_build:6.2f} s")
    print(f"  estimate, table cold  {first:6.2f} s (sweeps the levels and features it needs)")
    print(f"  estimate, cached      {second:6.2f} s ({km / second:.0f} km/s)")


if __name__ == "__main__":
    main()
