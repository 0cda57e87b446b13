"""Quasi-steady-state (QSS) stage estimator: the classic lap-time method along the route.

The fast tier of docs/design.md "The two simulation tiers". On the stage's 1 m grid:

* ceiling: the driver's speed plan, the same :func:`target_speed_profile` the transient
  driver tracks (curvature grip, surface caps, speed zones, jump/crest caps, limiter,
  friction-ellipse backward pass), with the driver's preview applied as in the kernel;
* forward pass (:mod:`~raidsim.sim.qss.forward`): full throttle under the ceiling with
  the laws the transient kernel uses, from the kernel's own parameter vector;
  per-gear full-load tables and per-surface traction built once in numpy
  (:mod:`~raidsim.sim.qss.tables`); the drive force is scaled by the surface's
  ``DriverSpec.qss_tractive_efficiency`` (calibrated against the transient tier);
* backward pass: the plan's (brakeable by construction);
* heat along the pass (:mod:`~raidsim.sim.qss.heat`): the kernel's thermal step per
  metre, its derate x p0 ratio scaling the next metre's torque;
* integrals along distance: time ``dt = 2 ds / (v_i + v_{i+1})``, Willans fuel with the
  gear the TCU's shift map would hold at part throttle (physics.md §2.3, §3.3), brake
  energy, landings = jumps on the stage.

An 800 km stage runs in well under a second JIT-warm (benchmarks/bench_qss.py).
"""

from raidsim.sim.qss.estimate import estimate
from raidsim.sim.qss.result import COLUMNS, QssResult
from raidsim.sim.qss.tables import FullLoad, full_load_tables, rolling_radius_m, surface_table

__all__ = [
    "COLUMNS",
    "FullLoad",
    "QssResult",
    "estimate",
    "full_load_tables",
    "rolling_radius_m",
    "surface_table",
]
