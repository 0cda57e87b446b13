"""The Dakar 2026 ground calibrated on the Ultimate (T1+) winners' times
(docs/physics.md §13.4): the T1+ preset reproduces them; the procedure writes its result
into the stage file and reruns cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import raidsim as rs
from raidsim.correlate.terrain import (
    Calibration,
    load_results,
    parse_hms,
    write_calibration,
)
from raidsim.route.catalogue import load_rally
from raidsim.route.stage import load_stage_definition
from raidsim.sim.qss import estimate


def test_results_file_matches_the_catalogue() -> None:
    results = load_results("dakar-2026")
    names = {s.name for s in load_rally("dakar-2026").stages}
    assert len(results) == 13
    assert all(f"dakar-2026/{r.stage}" in names for r in results)
    assert parse_hms("3:07:49") == 3 * 3600 + 7 * 60 + 49
    stage1 = results[0]
    assert stage1.km * 3.6 / (stage1.time_s / 1000.0) == pytest.approx(97.4, abs=0.1)


def test_t1_plus_reproduces_the_ultimate_times_after_calibration() -> None:
    """Every calibrated stage: the sandrider preset's QSS average speed equals the Ultimate
    winner's (reported km over time) within 0.5 %, at the stage's own conditions (the
    calibration's: the day's rally.toml weather, which the loaded stage carries)."""
    car = rs.load_vehicle("sandrider")
    stages = {s.name: s for s in load_rally("dakar-2026").stages}
    residuals = {}
    for r in load_results("dakar-2026"):
        day = stages[f"dakar-2026/{r.stage}"]
        stage = rs.load_stage(day.name)
        knobs = (stage.definition.roughness_scale, stage.definition.dune_spacing_scale)
        assert knobs != (1.0, 1.0)
        assert stage.definition.dune_slope_scale == 1.0  # the dunes keep their own slopes
        assert stage.conditions == day.conditions  # the calibration's weather is the stage's
        t = estimate(car, stage).summary["stage_time_s"]
        residuals[r.stage] = (stage.length_m / t) / r.avg_speed_mps - 1.0
    assert all(abs(x) < 5e-3 for x in residuals.values()), residuals


def test_write_calibration_replaces_its_own_lines(tmp_path: Path) -> None:
    _, base = load_stage_definition("dakar-2026/13")
    assert base is not None
    path = tmp_path / "13.toml"
    shutil.copy(base / "13.toml", path)
    for value in (1.5, 2.5):
        write_calibration(
            path, Calibration("x", "roughness_scale", value, 100.0, 100.2), "t1", "src"
        )
    write_calibration(
        path,
        Calibration("x", "roughness_scale", 0.5, 100.0, 99.9, {"dune_spacing_scale": 20.0}),
        "t1",
        "src",
    )
    text = path.read_text(encoding="utf-8")
    assert text.count("roughness_scale =") == 1 and text.count("dune_spacing_scale =") == 1
    assert text.count("# calibrated:") == 1 and "-0.10 %" in text and "crest_speed" not in text
    assert "dune_spacing_scale at its bracket end" in text
    definition, _ = load_stage_definition(path)
    assert definition.roughness_scale == 0.5 and definition.dune_spacing_scale == 20.0
    assert definition.dune_slope_scale == 1.0
    assert definition.dune_height_scale == 1.0
