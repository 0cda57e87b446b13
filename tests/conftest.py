"""Shared fixtures: vehicles and analytic stages are cached per session."""

from __future__ import annotations

import pytest

import raidsim as rs
from raidsim.model.vehicle import Vehicle


@pytest.fixture(scope="session")
def d7xr() -> Vehicle:
    return rs.load_vehicle("d7x-r")


@pytest.fixture(scope="session")
def symmetric_car(d7xr: Vehicle) -> Vehicle:
    """D7X-R with the CG at mid-wheelbase and identical axles: heave decouples from pitch."""
    rear = d7xr.suspension_front.model_dump()
    return d7xr.with_changes(
        **{
            "chassis.cg_to_front_axle_m": d7xr.chassis.wheelbase_m / 2,
            "suspension_rear": rear,
            "tyre_pressure_rear_bar": d7xr.tyre_pressure_front_bar,
            "chassis.track_rear_m": d7xr.chassis.track_front_m,
        }
    )
