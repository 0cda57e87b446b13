"""The Dakar 2026 catalogue: every stage loads, lengths match the published figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import raidsim as rs
from raidsim.errors import RouteError
from raidsim.route.catalogue import liaison_time_s, load_rally, rally_names
from raidsim.route.stage import stage_names

# Special lengths chosen from the organiser's itinerary and stage reports (as run where a stage
# report gives one figure, else the organiser's plan); each stage TOML cites its source.
PUBLISHED_SPECIAL_KM = {
    "prologue": 25,
    "1": 305,
    "2": 400,
    "3": 422,
    "4": 451,
    "5": 371,
    "6": 331,
    "7": 462,
    "8": 483,
    "9": 410,
    "10": 418,
    "11": 347,
    "12": 311,
    "13": 105,
}
SAND = {"sand_firm", "sand_soft", "dune"}


def test_catalogue_lists_prologue_and_13_stages() -> None:
    names = stage_names()
    expected = [f"dakar-2026/{k}" for k in PUBLISHED_SPECIAL_KM]
    assert set(expected) <= set(names)
    assert "default" in names
    assert "dakar-2026" in rally_names()  # W2RC 2026 rounds are shipped too


@pytest.mark.parametrize("key", list(PUBLISHED_SPECIAL_KM))
def test_every_stage_loads_with_published_length(key: str) -> None:
    stage = rs.load_stage(f"dakar-2026/{key}")
    assert abs(stage.length_m / 1000.0 - PUBLISHED_SPECIAL_KM[key]) <= 1.0
    assert stage.definition.liaison_km >= 0.0
    n = len(stage.centreline.s_m)
    assert len(stage.surface_code) == n and len(stage.speed_limit_mps) == n
    assert np.all(np.isfinite(stage.feature_height_m))
    kinds = [w.kind for w in stage.definition.waypoints]
    assert kinds[0] == "DSS" and kinds[-1] == "ASS"


def test_stage_6_follows_the_organisers_mix() -> None:
    """Sand 57 %, dunes 28 %, asphalt 15 % (the organiser's figures; the dunes' lee sides
    are soft sand, so sand + dunes together)."""
    mix = rs.load_stage("dakar-2026/6").surface_mix()
    assert sum(v for k, v in mix.items() if k in SAND) == pytest.approx(0.85, abs=0.01)
    assert mix["hard"] == pytest.approx(0.15, abs=0.005)
    assert mix["dune"] == pytest.approx(0.28, abs=0.04)


def test_stage_5_two_thirds_gravel() -> None:
    mix = rs.load_stage("dakar-2026/5").surface_mix()
    sand = sum(v for k, v in mix.items() if k in SAND)
    assert sand == pytest.approx(1 / 3, abs=0.03)


def test_rally_order_marathons_and_rest_day() -> None:
    rally = load_rally("dakar-2026")
    assert [s.name.split("/")[1] for s in rally.stages] == list(PUBLISHED_SPECIAL_KM)
    assert [s.label for s in rally.stages][:2] == ["Prologue", "Stage 1"]
    marathon = [s.name.split("/")[1] for s in rally.stages if s.marathon]
    assert marathon == ["4", "5", "9", "10"]
    assert rally.rest_days == (dt.date(2026, 1, 10),)
    dates = [s.date for s in rally.stages]
    assert dates[0] == dt.date(2026, 1, 3) and dates[-1] == dt.date(2026, 1, 17)
    assert dt.date(2026, 1, 10) not in dates
    # itinerary: about 4,748-4,880 km timed for cars
    assert 4748 <= rally.special_km <= 4880
    assert rally.stages[6].liaison_km == 589  # stage 6, Ha'il -> Riyadh


def test_liaison_time() -> None:
    assert liaison_time_s(80.0) == pytest.approx(3600.0)
    assert liaison_time_s(100.0, avg_speed_kmh=50.0) == pytest.approx(7200.0)
    with pytest.raises(RouteError, match="avg_speed_kmh"):
        liaison_time_s(10.0, avg_speed_kmh=0.0)
    with pytest.raises(RouteError, match="km"):
        liaison_time_s(-1.0)


def test_unknown_catalogue_stage_names_the_shipped_ones() -> None:
    with pytest.raises(RouteError, match="dakar-2026/6"):
        rs.load_stage("dakar-2026/99")


@pytest.mark.parametrize(
    ("stage", "shares"),
    [
        # dirt and stone 52 %, sand 35 %, dunes 10 % (lee sides soft sand), rock 3 %
        ("8", {("gravel", "whoops"): 0.52, ("sand_firm",): 0.35, ("dune", "sand_soft"): 0.10}),
        # 83 % gravel, 10 % rocky, 7 % sand
        ("11", {("gravel", "whoops", "hard"): 0.83, ("rocky",): 0.10, ("sand_firm",): 0.07}),
        # asphalt 1 %, dirt/gravel 52 %, sand 22 %, stones/rock 21 %, dunes 4 %
        ("12", {("hard",): 0.01, ("gravel", "whoops"): 0.52, ("rocky",): 0.21}),
    ],
)
def test_press_mixes_are_the_organisers(stage: str, shares: dict[tuple[str, ...], float]) -> None:
    mix = rs.load_stage(f"dakar-2026/{stage}").surface_mix()
    for names, share in shares.items():
        assert sum(mix.get(n, 0.0) for n in names) == pytest.approx(share, abs=0.01), names
