"""Dunes as landforms (docs/physics.md §14.1): windward face, crest, slip face at the angle
of repose of dry sand, the crew's crossing angle, the soft lee side, and the checks at the
edge."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import raidsim as rs
from raidsim.errors import RouteError
from raidsim.model.surfaces import SURFACE_CODE
from raidsim.route.stage import DuneField, StageDefinition, SyntheticRoute
from raidsim.route.terrain import build_stage

ROUTE = SyntheticRoute(
    length_km=6.0, straight_m=(7000.0, 8000.0), elevation_amplitude_m=0.0
)  # one straight, level line: every slope is the dunes'


def _stage(seed: int = 3, **field: object) -> rs.Stage:
    spec = {"start_km": 1.0, "end_km": 5.0, "crest_spacing_m": 250.0, "height_m": 10.0} | field
    definition = StageDefinition(
        name="dunes", seed=seed, synthetic_route=ROUTE, dunes=[DuneField.model_validate(spec)]
    )
    return build_stage(definition)


def _slopes_deg(stage: rs.Stage) -> np.ndarray:
    s = np.arange(0.0, stage.length_m, 0.25)
    return np.degrees(np.arctan(np.diff(stage.height_at(s)) / 0.25))


def test_faces_stand_at_their_angles_straight_over() -> None:
    """Met straight on, the steepest descent is the slip face (32 deg) and the steepest
    climb the windward face (12 deg): straight faces, rounded only at brink and foot."""
    slopes = _slopes_deg(_stage(spread=0.0))
    assert slopes.min() == pytest.approx(-32.0, abs=0.3)
    assert slopes.max() == pytest.approx(12.0, abs=0.3)


def test_crossing_angle_flattens_the_faces_along_the_line() -> None:
    """Along a line at 50 deg to the crests' normal a face of slope tan(a) reads
    tan(a) cos(50 deg), and the crests lie spacing / cos(50 deg) apart."""
    stage = _stage(spread=0.0, crossing_angle_deg=50.0)
    cos50 = math.cos(math.radians(50.0))
    expect = math.degrees(math.atan(math.tan(math.radians(32.0)) * cos50))
    assert _slopes_deg(stage).min() == pytest.approx(-expect, abs=0.3)
    assert stage.crest_slip_tan == pytest.approx(math.tan(math.radians(32.0)) * cos50)
    assert np.diff(stage.crest_s_m) == pytest.approx(250.0 / cos50)


def test_lee_side_is_soft_sand_and_heights_are_the_fields() -> None:
    stage = _stage(spread=0.0, lee_soft_m=20.0)
    assert np.all(stage.crest_height_m == pytest.approx(10.0))
    brink = int(stage.crest_s_m[0])
    foot = brink + int(10.0 / math.tan(math.radians(32.0)))
    assert np.all(stage.surface_code[brink + 1 : foot + 20] == SURFACE_CODE["sand_soft"])
    assert stage.surface_code[brink - 5] == SURFACE_CODE["dune"]


def test_same_seed_same_ground_and_kinds_differ_in_spread() -> None:
    a, b = _stage(seed=7, kind="barchan"), _stage(seed=7, kind="barchan")
    assert np.array_equal(a.feature_height_m, b.feature_height_m)
    assert np.array_equal(a.surface_code, b.surface_code)
    assert not np.array_equal(a.feature_height_m, _stage(seed=8, kind="barchan").feature_height_m)
    linear = np.std(np.diff(_stage(seed=7, kind="linear").crest_s_m))
    barchan = np.std(np.diff(a.crest_s_m))
    assert barchan > 2.0 * linear


def _regular_field() -> StageDefinition:
    """One field of 8 m linear dunes every 250 m over km 1-5, no spread."""
    return StageDefinition(
        name="d",
        seed=1,
        synthetic_route=ROUTE,
        dunes=[
            DuneField(start_km=1.0, end_km=5.0, crest_spacing_m=250.0, height_m=8.0, spread=0.0)
        ],
    )


def test_height_and_slope_scales_are_the_grounds() -> None:
    """dune_height_scale scales every height; dune_slope_scale every face's slope (<= 1)."""
    base = _regular_field()
    low = build_stage(base.model_copy(update={"dune_height_scale": 0.5}))
    flat = build_stage(base.model_copy(update={"dune_slope_scale": 0.5}))
    assert low.crest_height_m == pytest.approx(4.0)
    assert flat.crest_slip_tan == pytest.approx(0.5 * math.tan(math.radians(32.0)))


def test_spacing_scale_spreads_the_crests_on_the_line() -> None:
    """dune_spacing_scale multiplies the crest spacing along the line (the crew crosses
    fewer crests) and leaves each dune's height and faces as they are."""
    base = _regular_field()
    wide = build_stage(base.model_copy(update={"dune_spacing_scale": 2.0}))
    assert np.diff(wide.crest_s_m) == pytest.approx(500.0)
    assert len(wide.crest_s_m) == 4000 // 500
    assert wide.crest_height_m == pytest.approx(8.0)
    assert wide.crest_slip_tan == pytest.approx(math.tan(math.radians(32.0)))
    with pytest.raises(ValueError, match="dune_spacing_scale"):
        base.model_copy(update={"dune_spacing_scale": 0.5}).model_validate(
            base.model_dump() | {"dune_spacing_scale": 0.5}
        )


BASE = """name = "t"
seed = 1
[synthetic_route]
length_km = 6.0
[[dunes]]
start_km = 1.0
end_km = 5.0
"""


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (
            "crest_spacing_m = 200\nheight_m = 8\nslip_face_deg = 38\n",
            ("slip_face_deg", "38", "34"),
        ),
        (
            "crest_spacing_m = 60\nheight_m = 12\n",
            ("height_m = 12", "crest_spacing_m = 60", "height_m <= 9.52"),
        ),
        (
            "crest_spacing_m = 200\nheight_m = 8\ncrest_speed_kmh = 50\n",
            ("crest_speed_kmh = 50", "comes from the car"),
        ),
    ],
)
def test_impossible_dunes_name_field_value_and_range(
    tmp_path: Path, extra: str, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(RouteError) as info:
        rs.load_stage(path)
    for needle in needles:
        assert needle in str(info.value)


def test_cli_exits_2_on_a_slip_face_steeper_than_dry_sand(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from raidsim.cli import app

    path = tmp_path / "t.toml"
    path.write_text(BASE + "crest_spacing_m = 200\nheight_m = 8\nslip_face_deg = 40\n", "utf-8")
    result = CliRunner().invoke(app, ["estimate", str(path)])
    assert result.exit_code == 2
    assert "slip_face_deg" in result.output and "Traceback" not in result.output
