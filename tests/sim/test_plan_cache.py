"""The planned route arrays on disk (:mod:`raidsim.sim.plan_cache`) and the stage digest
that keys them (:mod:`raidsim.route.fingerprint`): a plan read back is the plan computed
bit for bit, anything that could change it changes the key, and a damaged or foreign
file is rebuilt, never returned."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

import raidsim.sim.plan_cache as plan_cache
from raidsim.model.loader import load_vehicle
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route import fingerprint
from raidsim.route.scenarios import straight_stage
from raidsim.route.stage import Stage
from raidsim.sim.plan import RouteArrays, build_route_arrays
from raidsim.sim.ride.limits import _plan, planned_route_arrays


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(plan_cache, "cache_dir", lambda: tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def stage() -> Stage:
    return straight_stage(2000.0, grade=0.02, surface="gravel")


class Counting:
    """A plan that counts its calls (a constant 20 m/s plan, no terrain)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, v: Vehicle, settings: Settings, stage: Stage) -> RouteArrays:
        self.calls += 1
        route = build_route_arrays(v, settings, stage, plan_speed_mps=20.0 + self.calls)
        return route


def _same(a: RouteArrays, b: RouteArrays) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), f.name


def test_a_plan_read_back_is_the_plan_computed_bit_for_bit(cache_dir: Path, stage: Stage) -> None:
    car, settings = load_vehicle("d7x-r"), Settings()
    computed = _plan(car, settings, stage)
    first = planned_route_arrays(car, settings, stage)  # computed and stored
    assert len(list(cache_dir.glob("*.npz"))) == 1
    again = planned_route_arrays(car, settings, stage)  # read back
    _same(computed, first)
    _same(computed, again)


def test_hit_miss_and_what_changes_the_key(cache_dir: Path, stage: Stage) -> None:
    car, settings = load_vehicle("d7x-r"), Settings()
    plan = Counting()
    first = plan_cache.cached_plan(car, settings, stage, plan)
    second = plan_cache.cached_plan(car, settings, stage, plan)
    assert plan.calls == 1
    _same(first, second)
    key = plan_cache.plan_key(car, settings, stage)
    heavier = car.with_changes(**{"chassis.payload_mass_kg": car.chassis.payload_mass_kg + 1})
    assert plan_cache.plan_key(heavier, settings, stage) != key
    assert plan_cache.plan_key(car.with_changes(final_drive=4.3), settings, stage) != key
    slower = Settings(driver=settings.driver.model_copy(update={"shock_limit_g": 2.0}))
    assert plan_cache.plan_key(car, slower, stage) != key
    sand = replace(stage, surface_code=np.full_like(stage.surface_code, 4))
    assert plan_cache.plan_key(car, settings, sand) != key
    hot = stage.with_conditions("test", temp_C=45.0)
    assert plan_cache.plan_key(car, settings, hot) != key
    assert plan_cache.plan_key(car, settings, replace(stage)) == key  # the same content
    plan_cache.cached_plan(heavier, settings, stage, plan)
    assert plan.calls == 2


def test_sources_are_part_of_the_key(
    cache_dir: Path, stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    car, settings = load_vehicle("d7x-r"), Settings()
    key = plan_cache.plan_key(car, settings, stage)
    monkeypatch.setattr(plan_cache, "code_digest", lambda: "other sources")
    assert plan_cache.plan_key(car, settings, stage) != key


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "short", "empty"])
def test_a_damaged_or_foreign_file_is_rebuilt(cache_dir: Path, stage: Stage, damage: str) -> None:
    car, settings = load_vehicle("d7x-r"), Settings()
    plan = Counting()
    good = plan_cache.cached_plan(car, settings, stage, plan)
    path = plan_cache.plan_path(plan_cache.plan_key(car, settings, stage))
    payload = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not a plan" * 100)
    elif damage == "truncated":
        path.write_bytes(payload[: len(payload) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a whole file of another key, or of a stage of another length
        n = len(good.target_speed) - (1 if damage == "short" else 0)
        key = "another key" if damage == "foreign" else plan_cache.plan_key(car, settings, stage)
        np.savez(path, key=np.array(key), target_speed=np.zeros(n), limit_code=np.zeros(n, np.int8))
    again = plan_cache.cached_plan(car, settings, stage, plan)
    assert plan.calls == 2  # rebuilt, not read
    assert again.target_speed[0] == 22.0 != good.target_speed[0]
    third = plan_cache.cached_plan(car, settings, stage, plan)  # and rewritten whole
    assert plan.calls == 2
    _same(again, third)


def test_an_unwritable_cache_only_costs_the_cache(
    tmp_path: Path, stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(plan_cache, "cache_dir", lambda: blocker / "plans")
    plan = Counting()
    car = load_vehicle("d7x-r")
    plan_cache.cached_plan(car, Settings(), stage, plan)
    plan_cache.cached_plan(car, Settings(), stage, plan)
    assert plan.calls == 2


def test_remembered_arrays_stand_for_their_content_only_while_they_live(stage: Stage) -> None:
    digest = fingerprint.stage_digest(stage)
    assert fingerprint.stage_digest(replace(stage)) == digest
    fingerprint.remember(stage, "token")
    remembered = fingerprint.stage_digest(stage)
    assert remembered != digest  # the token, not the bytes
    # a replaced array is hashed again: a stage with other ground has another digest
    other = replace(stage, rock_amplitude_m=stage.rock_amplitude_m + 0.1)
    assert fingerprint.stage_digest(other) not in (digest, remembered)
    copy = np.array(stage.surface_code)
    assert fingerprint.array_digest(copy) != fingerprint.array_digest(stage.surface_code)


def test_estimate_without_the_limit_trace_gives_the_same_result(stage: Stage) -> None:
    """``limits=False`` (the table view of ``raidsim estimate``) leaves out only what bound
    the speed per metre; every other number is the same, bit for bit."""
    from raidsim.sim.qss import estimate

    car = load_vehicle("d7x-r")
    full, lean = estimate(car, stage), estimate(car, stage, limits=False)
    assert full.limits is not None and lean.limits is None
    assert "time_loss" in full.summary and "time_loss" not in lean.summary
    assert {k: v for k, v in full.summary.items() if k != "time_loss"} == lean.summary
    for name in ("speed_mps", "time_s", "gear", "fuel_used_kg", "engine_power_kW"):
        assert getattr(full, name).tobytes() == getattr(lean, name).tobytes(), name


def test_estimate_json_still_carries_the_time_loss(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from raidsim.cli import app

    result = CliRunner().invoke(app, ["estimate", "dakar-2026/prologue", "--json"])
    assert result.exit_code == 0, result.output
    assert "time_loss" in json.loads(result.output)[0]
