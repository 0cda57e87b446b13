"""Each W2RC round runs: the transient twin over every round's shortest special, at that
day's altitude and ambient, and the restrictor's altitude loss on the Argentinian round.

The weather is passed explicitly (``raidsim.Ambient`` from the catalogue's per-day
``altitude_m`` / ``ambient_C``), so the test does not depend on how ``raidsim run`` picks it
up. ``dakar-2026`` has no per-day figures: its days run at the season spec's round ambient
(``campaign/w2rc-2026.toml``, 28 C) at sea level, as the season campaign runs them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import raidsim as rs
from raidsim.campaign.season import load_season_spec
from raidsim.model.ambient import isa_pressure_Pa
from raidsim.model.derived import restrictor_cap_W
from raidsim.physics.restrictor import choked_mass_flow_kg_s
from raidsim.route.catalogue import RallyStage, load_rally

ROUNDS = ("dakar-2026", "portugal-2026", "argentina-2026", "morocco-2026", "abu-dhabi-2026")


def _conditions(rally: str, day: RallyStage) -> tuple[float, float]:
    """(ambient C, altitude m) of a day: the catalogue's, else the season round's / sea level."""
    if day.ambient_C is not None:
        temp = day.ambient_C
    else:
        r = next(r for r in load_season_spec("w2rc-2026").rounds if r.rally == rally)
        assert r.ambient_C is not None
        temp = r.ambient_C
    return float(temp), float(day.altitude_m or 0.0)


@pytest.mark.parametrize("rally", ROUNDS)
def test_shortest_special_runs_with_its_conditions(rally: str, tmp_path: Path) -> None:
    days = load_rally(rally).stages
    day = min(days, key=lambda d: d.special_km or math.inf)
    assert day.special_km is not None and day.special_km <= 150.0  # cheap enough for CI
    temp, alt = _conditions(rally, day)
    stage = rs.load_stage(day.name)
    out = tmp_path / "run"
    run = rs.simulate(
        rs.load_vehicle("d7x-r"),
        stage,
        ambient=rs.Ambient(temp_C=temp, altitude_m=alt),
        out_dir=out,
    )
    summary = json.loads(next(out.rglob("summary.json")).read_text())
    assert summary["stage"] == stage.name
    assert summary["distance_m"] == pytest.approx(1000.0 * day.special_km, rel=2e-3)
    assert 0.0 < summary["stage_time_s"] < 3600.0 * day.special_km / 20.0  # > 20 km/h
    assert summary["ambient_C"] == run.summary["ambient_C"] == temp
    assert summary["altitude_m"] == alt


def test_argentinian_altitude_costs_restrictor_power_by_the_choked_flow_law() -> None:
    """Same stage (argentina-2026/prologue), same air temperature, at sea level and at the
    round's highest day: the choked flow ``0.0404 Cd A p0 / sqrt(T0)`` (physics.md §1.1)
    scales with the ISA pressure p0(h), so the restrictor's power cap does, and the engine's
    full-load plateau in the run (its 99th percentile of brake power) drops by that ratio."""
    rally = load_rally("argentina-2026")
    high = max(rally.stages, key=lambda d: d.altitude_m or 0.0)
    h, temp = float(high.altitude_m or 0.0), float(high.ambient_C or 15.0)
    assert h >= 2500.0
    car, stage = rs.load_vehicle("d7x-r"), rs.load_stage("argentina-2026/prologue")
    assert car.restrictor.model == "choked_flow"
    sea, up = rs.Ambient(temp_C=temp, altitude_m=0.0), rs.Ambient(temp_C=temp, altitude_m=h)
    # the law, by hand: ISA p0(h) = 101325 (1 - 2.25577e-5 h)^5.25588 and choked flow ∝ p0
    p_ratio = (1.0 - 2.25577e-5 * h) ** 5.25588
    assert isa_pressure_Pa(h) / isa_pressure_Pa(0.0) == pytest.approx(p_ratio, rel=1e-4)
    r = car.restrictor
    t0 = sea.temp_K + r.intake_temp_rise_K
    flow = [
        choked_mass_flow_kg_s(r.diameter_mm / 1e3, r.discharge_coefficient, a.p_Pa, t0)
        for a in (sea, up)
    ]
    cap_sea, cap_up = restrictor_cap_W(car, sea), restrictor_cap_W(car, up)
    assert cap_up / cap_sea == pytest.approx(flow[1] / flow[0], rel=1e-12)
    assert cap_up / cap_sea == pytest.approx(p_ratio, rel=1e-4)
    assert 0.70 < p_ratio < 0.76  # ~28 % less air at 2,700 m
    runs = [rs.simulate(car, stage, ambient=a) for a in (sea, up)]
    plateau = [float(np.percentile(x.telemetry["engine_power_kW"].to_numpy(), 99)) for x in runs]
    for kw, cap in zip(plateau, (cap_sea, cap_up), strict=True):
        assert 0.97 * cap / 1e3 < kw <= cap / 1e3, (kw, cap)  # full load sits on the cap
    assert plateau[1] / plateau[0] == pytest.approx(p_ratio, rel=0.01)
    assert runs[1].summary["stage_time_s"] > runs[0].summary["stage_time_s"]
