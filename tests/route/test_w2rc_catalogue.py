"""The W2RC 2026 rounds: every catalogue loads and builds, with altitude and ambient per day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli import app
from raidsim.model.ambient import isa_pressure_Pa
from raidsim.physics.restrictor import choked_mass_flow_kg_s
from raidsim.route.catalogue import load_rally, load_season, rally_names

ROUNDS = ("portugal-2026", "argentina-2026", "morocco-2026", "abu-dhabi-2026")


def test_season_lists_five_rounds_in_calendar_order() -> None:
    season = load_season("w2rc-2026")
    assert [r.name for r in season.rounds] == ["dakar-2026", *ROUNDS]
    assert "w2rc-2026" in rally_names()
    assert len(load_rally("w2rc-2026").stages) == sum(len(r.stages) for r in season.rounds)


@pytest.mark.parametrize("name", ROUNDS)
def test_round_loads_with_conditions(name: str) -> None:
    rally = load_rally(name)
    assert 1000 < rally.special_km < 1800
    for day in rally.stages:
        assert day.altitude_m is not None and day.ambient_C is not None
        assert day.special_km and day.liaison_km > 0
    shortest = min(rally.stages, key=lambda d: d.special_km or 0.0)
    st = rs.load_stage(shortest.name)
    assert st.length_m == pytest.approx(1000 * (shortest.special_km or 0), rel=1e-3)


def test_argentina_climbs_high() -> None:
    assert max(d.altitude_m or 0 for d in load_rally("argentina-2026").stages) >= 2500


def test_restrictor_loss_at_argentinian_altitude() -> None:
    """Same stage, sea level vs the Argentinian high day: the choked-flow cap scales with
    p0 (ISA) and the QSS time grows."""
    h = max(d.altitude_m or 0 for d in load_rally("argentina-2026").stages)
    ratio = choked_mass_flow_kg_s(0.04, 0.95, isa_pressure_Pa(h), 298.15) / choked_mass_flow_kg_s(
        0.04, 0.95, isa_pressure_Pa(0.0), 298.15
    )
    assert ratio == pytest.approx(isa_pressure_Pa(h) / 101325.0, rel=1e-12)
    assert 0.70 < ratio < 0.76  # ~27 % less air at 2,700 m
    car, stage = rs.load_vehicle("d7x-r"), rs.load_stage("portugal-2026/prologue")
    low = rs.estimate(car, stage, ambient=rs.Ambient(temp_C=20.0, altitude_m=0.0))
    high = rs.estimate(car, stage, ambient=rs.Ambient(temp_C=20.0, altitude_m=h))
    assert high.summary["stage_time_s"] > low.summary["stage_time_s"]


def test_run_shortest_special_with_conditions(tmp_path: Path) -> None:
    day = min(load_rally("portugal-2026").stages, key=lambda d: d.special_km or 0.0)
    out = tmp_path / "run"
    args = ["run", day.name, "--out", str(out), "--no-report", "--quiet"]
    args += ["--ambient-C", str(day.ambient_C), "--altitude-m", str(day.altitude_m)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(next(out.rglob("summary.json")).read_text())
    assert summary["ambient_C"] == day.ambient_C
    assert summary["distance_m"] > 4000


def test_estimate_whole_season() -> None:
    result = CliRunner().invoke(app, ["estimate", "w2rc-2026"])
    assert result.exit_code == 0, result.output
    assert "w2rc-2026" in result.output and "total" in result.output
