"""Roadbook TOML: validation errors name the field; seeded terrain is reproducible."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import raidsim as rs
from raidsim.errors import RouteError
from raidsim.route.readers import RouteWarning
from raidsim.route.stage import TERRAIN_STEP_M, StageDefinition, load_stage_definition
from raidsim.route.terrain import build_stage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARRAYS = (
    "surface_code",
    "speed_limit_mps",
    "feature_speed_cap_mps",
    "feature_height_m",
    "cross_slope",
    "rock_amplitude_m",
    "jump_lip_s_m",
)
BASE = """
name = "t"
seed = 5
[synthetic_route]
length_km = 3.0
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stage.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _same(a: rs.Stage, b: rs.Stage) -> bool:
    arrays = all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ARRAYS)
    cl = all(
        np.array_equal(getattr(a.centreline, f), getattr(b.centreline, f))
        for f in ("x_m", "y_m", "z_m", "curvature_1pm")
    )
    return arrays and cl


@pytest.mark.parametrize("name", ["default", "dakar-2026/6", "dakar-2026/9"])
def test_same_toml_and_seed_give_identical_arrays(name: str) -> None:
    assert _same(rs.load_stage(name), rs.load_stage(name))


def test_different_seed_changes_features() -> None:
    a = rs.load_stage("dakar-2026/6")
    b = rs.load_stage("dakar-2026/6", seed=a.definition.seed + 1)
    assert b.definition.seed == a.definition.seed + 1
    assert not np.array_equal(a.feature_height_m, b.feature_height_m)
    assert not np.array_equal(a.centreline.x_m, b.centreline.x_m)


def test_seed_override_on_a_toml_path_keeps_relative_route_file(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "alula_hegra.gpx", tmp_path / "route.gpx")
    path = _write(tmp_path, 'name = "g"\nseed = 1\nroute_file = "route.gpx"\n')
    with pytest.warns(RouteWarning, match="no elevation"):
        built = rs.load_stage(path, seed=9)
    assert built.definition.seed == 9


def test_roadbook_with_gpx_route_file_builds() -> None:
    with pytest.warns(RouteWarning, match="no elevation"):
        built = rs.load_stage(EXAMPLES / "alula_hegra.toml")
    assert 20.0 < built.length_m / 1000.0 < 21.5
    mix = built.surface_mix()
    assert set(mix) == {"hard", "gravel", "rocky", "sand_firm", "dune", "sand_soft"}  # lee sides
    assert len(built.jump_lip_s_m) == 1
    assert built.definition.liaison_km == 12.0
    assert np.isfinite(built.speed_limit_mps[500]) and np.isinf(built.speed_limit_mps[5000])
    assert built.feature_height_m.max() > 1.0  # dune crests


def test_surface_by_km_sets_one_class_per_km(tmp_path: Path) -> None:
    text = BASE.replace("seed = 5", 'seed = 5\nsurface_by_km = ["hard", "dune", "rocky"]')
    path = _write(tmp_path, text)
    built = rs.load_stage(path)
    assert built.surface_code[0] != built.surface_code[1500] != built.surface_code[2500]
    assert built.surface_mix() == pytest.approx(
        {"hard": 1 / 3, "dune": 1 / 3, "rocky": 1 / 3}, abs=1e-3
    )


def test_missing_route_file_names_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "g"\nroute_file = "nowhere.gpx"\n')
    with pytest.raises(RouteError, match="route_file"):
        rs.load_stage(path)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('[[sections]]\nstart_km = 1.0\nend_km = 2.0\nsurface = "mud"\n', "sections.0.surface"),
        ('default_surface = "ice"\n', "default_surface"),
        ("[[jumps]]\nkm = 4.5\n", "jumps[0].km"),
        ("[[waypoints]]\nkm = 3.5\n", "waypoints[0].km"),
        ("[[refuels]]\nkm = 7.0\n", "refuels[0].km"),
        ("[[rocks]]\nstart_km = 1.0\nend_km = 3.4\n", "rocks[0].end_km"),
        ("[[dunes]]\nstart_km = 5.0\nend_km = 6.0\ncrest_spacing_m = 90\nheight_m = 3\n", "dunes"),
        (
            "[[sections]]\nstart_km = 1.0\nend_km = 2.0\nsurface = 'dune'\n"
            "[[sections]]\nstart_km = 1.5\nend_km = 2.5\nsurface = 'rocky'\n",
            "sections[0]",
        ),
        ("[[speed_zones]]\nstart_km = 2.0\nend_km = 1.0\nlimit_kmh = 50\n", "speed_zones.0"),
        ("liaison_km = -5\n", "liaison_km"),
        ("[[jumps]]\nkm = 0.005\n", "jumps[0].km"),
    ],
)
def test_bad_roadbook_names_the_field(tmp_path: Path, extra: str, field: str) -> None:
    # top-level keys must precede the [synthetic_route] table; [[arrays]] may follow it
    text = BASE + extra if extra.startswith("[[") else extra + BASE
    with pytest.raises(RouteError) as info:
        rs.load_stage(_write(tmp_path, text))
    assert field in str(info.value)


@pytest.mark.parametrize("entries", [2, 4])
def test_surface_by_km_wrong_length(tmp_path: Path, entries: int) -> None:
    listed = ", ".join(['"gravel"'] * entries)
    path = _write(tmp_path, BASE.replace("seed = 5", f"seed = 5\nsurface_by_km = [{listed}]"))
    with pytest.raises(RouteError, match=r"surface_by_km has \d+ entries.*needs 3"):
        rs.load_stage(path)


def test_surface_by_km_unknown_name(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE.replace("seed = 5", 'surface_by_km = ["gravel", "lava", "hard"]'))
    with pytest.raises(RouteError, match=r"surface_by_km\.1 = 'lava'"):
        rs.load_stage(path)


def test_surface_by_km_length_checked_against_route_file(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "alula_hegra.gpx", tmp_path / "route.gpx")
    path = _write(tmp_path, 'name = "g"\nroute_file = "route.gpx"\nsurface_by_km = ["hard"]\n')
    with pytest.warns(RouteWarning), pytest.raises(RouteError, match="surface_by_km"):
        rs.load_stage(path)


def test_default_roadbook_is_still_valid() -> None:
    definition, _ = load_stage_definition("default")
    built = build_stage(definition)
    assert built.length_m == 50_000.0
    assert len(built.feature_height_m) == int(50_000 / TERRAIN_STEP_M) + 1


SURFACE_NAMES = ["hard", "gravel", "rocky", "sand_firm", "sand_soft", "dune", "whoops", "mud", ""]


@settings(max_examples=40, deadline=None)
@given(
    length_km=st.floats(0.3, 3.0),
    by_km=st.lists(st.sampled_from(SURFACE_NAMES), min_size=0, max_size=5),
    intervals=st.lists(st.tuples(st.floats(-1.0, 4.0), st.floats(-1.0, 4.0)), max_size=3),
    jump_km=st.floats(-1.0, 4.0),
)
def test_any_roadbook_builds_or_raises_route_error(
    length_km: float,
    by_km: list[str],
    intervals: list[tuple[float, float]],
    jump_km: float,
) -> None:
    data = {
        "name": "prop",
        "synthetic_route": {"length_km": length_km},
        "surface_by_km": by_km,
        "rocks": [{"start_km": a, "end_km": b} for a, b in intervals],
        "jumps": [{"km": jump_km}],
    }
    try:
        stage = build_stage(StageDefinition.model_validate(data))
    except (ValidationError, RouteError):
        return
    assert np.all(np.isfinite(stage.feature_height_m))
    assert len(stage.surface_code) == len(stage.centreline.s_m)
