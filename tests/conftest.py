"""Shared fixtures: vehicles and analytic stages are cached per session."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings
from restrictor_guard import over_cap

import raidsim as rs
from raidsim.model.vehicle import Vehicle

# CI runs the property tests on a fixed example sequence (same seed every run) so a
# landing never depends on a random draw; locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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


@pytest.fixture(autouse=True)
def _restrictor_cap_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every transient run of the suite is held to its restrictor cap: no engine power or
    torque sample above what the choked flow at the run's ambient allows
    (``restrictor_guard.py``; issue 27)."""
    from raidsim.sim import runner

    original = runner._Outputs.consume

    def consume(self: runner._Outputs, rows: np.ndarray) -> None:
        bad = over_cap(rows, self.model.params)
        assert not bad, (
            f"{self.model.stage.name}: {len(bad)} sample(s) above the restrictor cap: "
            + "; ".join(bad[:5])
        )
        original(self, rows)

    monkeypatch.setattr(runner._Outputs, "consume", consume)
