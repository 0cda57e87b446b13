"""Built stages on disk (:mod:`raidsim.route.stage_cache`): the cached stage is the built
stage bit for bit; a changed definition is a new entry; a broken file is rebuilt."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from raidsim import cachekey
from raidsim.route import stage_cache
from raidsim.route.stage import DuneField, Stage, StageDefinition, SyntheticRoute
from raidsim.route.terrain import _build_stage, build_stage

DEFINITION = StageDefinition(
    name="cached",
    seed=4,
    synthetic_route=SyntheticRoute(length_km=3.0),
    default_surface="gravel",
    dunes=[DuneField(start_km=1.0, end_km=2.0, crest_spacing_m=150.0, height_m=5.0)],
)


@pytest.fixture(autouse=True)
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cachekey.CACHE_ENV, str(tmp_path))
    return tmp_path / "stages"


def _same(a: Stage, b: Stage) -> None:
    for f in fields(Stage):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), f.name
    for name in ("s_m", "x_m", "y_m", "z_m", "heading_rad", "curvature_1pm"):
        assert np.array_equal(getattr(a.centreline, name), getattr(b.centreline, name)), name
    assert a.centreline.has_elevation == b.centreline.has_elevation
    assert a.definition == b.definition and a.name == b.name


def test_a_cached_stage_is_the_built_stage(cache_root: Path) -> None:
    first = build_stage(DEFINITION, cache=True)
    path = stage_cache.stage_path(DEFINITION)
    assert path is not None and path.parent == cache_root and path.is_file()
    again = stage_cache.load(DEFINITION)
    assert again is not None
    _same(again, _build_stage(DEFINITION, None))
    _same(build_stage(DEFINITION, cache=True), first)


def test_another_definition_is_another_entry() -> None:
    other = DEFINITION.model_copy(update={"seed": 5})
    assert stage_cache.stage_path(other) != stage_cache.stage_path(DEFINITION)
    taller = DEFINITION.model_copy(update={"dune_height_scale": 1.5})
    assert stage_cache.stage_path(taller) != stage_cache.stage_path(DEFINITION)
    assert not np.array_equal(
        build_stage(taller, cache=True).feature_height_m,
        build_stage(DEFINITION, cache=True).feature_height_m,
    )


def test_a_broken_file_is_rebuilt() -> None:
    path = stage_cache.stage_path(DEFINITION)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not an npz")
    assert stage_cache.load(DEFINITION) is None
    _same(build_stage(DEFINITION, cache=True), _build_stage(DEFINITION, None))


def test_only_asked_for_builds_are_stored(cache_root: Path) -> None:
    """A calibration's or sweep's variants (plain build_stage) leave no file."""
    build_stage(DEFINITION.model_copy(update={"roughness_scale": 3.0}))
    assert not cache_root.exists() or not any(cache_root.iterdir())


def test_route_file_stages_are_not_cached() -> None:
    assert stage_cache.stage_path(StageDefinition(name="r", route_file="x.gpx")) is None
