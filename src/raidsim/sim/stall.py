"""What a stalled car had against it: the diagnostic of a transient run stopped for making
no progress (docs/physics.md §14.3). A car whose tyres cannot beat the grade and the sand
on a face stops there; the transient has no retry, so the run ends with exit 3 and this
names the km, the grade and the tyres' pull against the resistance, the same laws the QSS
books a bog-down with (``sim.qss.forward``), never a finish."""

from __future__ import annotations

import math

import numpy as np

from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACES
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage

#: half the base of the grade estimate around the stop, m (about a wheelbase each side)
GRADE_HALF_BASE_M = 3.0
G_MPS2 = 9.80665


def stall_diagnostic(vehicle: Vehicle, stage: Stage, settings: Settings, s_m: float) -> str:
    """Grade at ``s_m`` and, at rest, the tyres' pull on that ground against grade +
    compaction resistance (static loads: the QSS surface table), as text."""
    from raidsim.sim.qss.forward import SURF_COMPACTION, SURF_TRACTION
    from raidsim.sim.qss.tables import surface_table

    lo = max(0.0, s_m - GRADE_HALF_BASE_M)
    hi = min(stage.length_m, s_m + GRADE_HALF_BASE_M)
    z = stage.height_at(np.array([lo, hi]))
    grade = float((z[1] - z[0]) / max(hi - lo, 1e-6))
    k = int(stage.surface_code[min(max(int(s_m), 0), len(stage.surface_code) - 1)])
    table = surface_table(vehicle, settings)
    weight_N = vehicle.total_mass_kg * G_MPS2
    pull_N = float(table[SURF_TRACTION, k])
    resist_N = float(table[SURF_COMPACTION, k]) + weight_N * math.sin(math.atan(grade))
    return (
        f"on {SURFACES[k]} at a {grade * 100.0:+.0f} % grade: the tyres' pull at rest "
        f"{pull_N / 1000.0:.1f} kN against {resist_N / 1000.0:.1f} kN of grade and sand "
        f"resistance"
    )
