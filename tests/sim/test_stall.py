"""The diagnostic of a stalled transient run (raidsim.sim.stall): km, grade, the tyres'
pull against grade and sand resistance, from the laws the QSS books a bog-down with."""

from __future__ import annotations

import math
import re

import pytest

import raidsim as rs
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACE_CODE
from raidsim.route.scenarios import straight_stage
from raidsim.sim.qss.forward import SURF_COMPACTION, SURF_TRACTION
from raidsim.sim.qss.tables import surface_table
from raidsim.sim.stall import G_MPS2, stall_diagnostic


@pytest.mark.parametrize("grade", [0.0, 0.15, 0.3])
def test_stall_diagnostic_names_grade_pull_and_resistance(grade: float) -> None:
    """On a constant soft-sand grade: the grade as a percentage, the pull of the QSS's
    surface table and the resistance compaction + m g sin(atan(grade)) (by hand), in kN."""
    car = rs.load_vehicle("d7x-r")
    stage = straight_stage(500.0, grade=grade, surface="sand_soft")
    text = stall_diagnostic(car, stage, Settings(), 250.0)
    table = surface_table(car, Settings())
    k = SURFACE_CODE["sand_soft"]
    pull = table[SURF_TRACTION, k] / 1000.0
    resist = (
        table[SURF_COMPACTION, k] + car.total_mass_kg * G_MPS2 * math.sin(math.atan(grade))
    ) / 1000.0
    m = re.search(r"on sand_soft at a ([+-]\d+) % grade: .* ([\d.]+) kN against ([\d.]+) kN", text)
    assert m is not None, text
    assert int(m.group(1)) == round(grade * 100.0)
    assert float(m.group(2)) == pytest.approx(pull, abs=0.051)
    assert float(m.group(3)) == pytest.approx(resist, abs=0.051)
    # from rest the d7x-r keeps 0.44 - 0.25 of its weight for grade on soft sand (about
    # 19 %): it starts up 15 %, not up 30 %
    assert (float(m.group(3)) > float(m.group(2))) == (grade > 0.2)
