"""The kernel sees the ISO 8608 track profiles (sim/transient/terrain.py
``ground_under_tracks``): the wheel's own track, left for n > 0, and more suspension
travel on a rough straight than on a smooth one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import StageDefinition, SurfaceSection, SyntheticRoute
from raidsim.route.terrain import build_stage
from raidsim.sim.landings import WHEELS
from raidsim.sim.runner import planned_model
from raidsim.sim.transient.terrain import ground_under, ground_under_tracks, track_height_m


def _terrain(n_route: int = 200) -> tuple[np.ndarray, ...]:
    s = np.arange(n_route, dtype=np.float64)
    return (0.01 * s, np.zeros(n_route // 5 + 1), np.full(n_route, 0.02), np.zeros(n_route))


def test_track_height_picks_the_wheels_side_and_interpolates() -> None:
    ds = 0.25
    left = np.arange(800, dtype=np.float64) * 0.001  # 1 mm per grid point
    right = -left
    assert track_height_m(left, right, 10.1, 0.9, ds) == pytest.approx(0.001 * 10.1 / ds)
    assert track_height_m(left, right, 10.1, -0.9, ds) == pytest.approx(-0.001 * 10.1 / ds)
    empty = np.zeros(0)
    assert track_height_m(empty, empty, 10.0, 0.9, ds) == 0.0


@pytest.mark.parametrize("n", [-0.8, 0.8])
def test_ground_under_tracks_adds_only_the_height(n: float) -> None:
    base = _terrain()
    left = np.full(800, 0.05)
    right = np.full(800, -0.03)
    tx, ty = math.cos(0.3), math.sin(0.3)
    h0, gx0, gy0, i0 = ground_under(base, 42.3, n, tx, ty, 0.25, 7)
    h, gx, gy, i = ground_under_tracks((*base, left, right), 42.3, n, tx, ty, 0.25, 7)
    assert h == pytest.approx(h0 + (0.05 if n > 0 else -0.03), abs=1e-12)
    assert (gx, gy, i) == (gx0, gy0, i0)
    # without profiles (empty arrays) the ground is exactly the old one
    z = np.zeros(0)
    assert ground_under_tracks((*base, z, z), 42.3, n, tx, ty, 0.25, 7) == (h0, gx0, gy0, i0)


def _straight(roughness: str | None) -> StageDefinition:
    return StageDefinition(
        name="rough-straight",
        seed=2,
        synthetic_route=SyntheticRoute(
            length_km=1.5, straight_m=(5000.0, 5000.0), elevation_amplitude_m=0.0
        ),
        default_surface="hard",
        sections=[SurfaceSection(start_km=0.0, end_km=1.5, surface="hard", roughness=roughness)],
    )


def _travel_rms(car: Vehicle, roughness: str | None) -> float:
    stage = build_stage(_straight(roughness))
    out = planned_model(car, stage, initial_speed_mps=20.0).run_for(15.0)
    t = out["time_s"]
    keep = t > 3.0  # past the start transient
    travel = np.stack([out[f"suspension_travel_{w}_m"][keep] for w in WHEELS])
    assert np.all(np.isfinite(travel))
    return float(np.sqrt(np.mean((travel - travel.mean(axis=1, keepdims=True)) ** 2)))


def test_rough_straight_gives_more_suspension_travel(d7xr: Vehicle) -> None:
    smooth = _travel_rms(d7xr, None)
    rough = _travel_rms(d7xr, "D")
    rougher = _travel_rms(d7xr, "E")
    assert rough > 2.0 * smooth
    assert rougher > rough
