"""The OCTA road car against the D7X-R rally car (issue: speed from the car and the
ground): on the default stage the road car is slower where the ground is rough, and on
tarmac it is faster (its own 250 km/h limiter, not the rally car's 170)."""

from __future__ import annotations

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.surfaces import SURFACE_CODE
from raidsim.route.scenarios import straight_stage
from raidsim.sim.qss import estimate


def _time_on(name: str, surface: str) -> float:
    stage = rs.load_stage("default")
    cols = estimate(rs.load_vehicle(name), stage).columns()
    dt = np.diff(cols["time_s"], prepend=0.0)
    code = stage.surface_code[: len(dt)]
    return float(dt[code == SURFACE_CODE[surface]].sum())


@pytest.mark.parametrize("surface", ["rocky", "whoops"])
def test_road_car_is_slower_on_rough_ground(surface: str) -> None:
    octa, d7xr = _time_on("octa", surface), _time_on("d7x-r", surface)
    assert octa > 1.05 * d7xr, (surface, octa, d7xr)


def test_road_car_is_faster_on_tarmac() -> None:
    stage = straight_stage(10_000.0, surface="hard")
    octa = estimate(rs.load_vehicle("octa"), stage).summary
    d7xr = estimate(rs.load_vehicle("d7x-r"), stage).summary
    assert octa["stage_time_s"] < 0.8 * d7xr["stage_time_s"]
    assert octa["max_speed_kmh"] > 240.0 > 175.0 > d7xr["max_speed_kmh"]
