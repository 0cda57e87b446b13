"""Derived vehicle quantities (model/derived.py): the lateral friction the speed plan
corners on, per surface class."""

from __future__ import annotations

import pytest

import raidsim as rs
from raidsim.model.derived import surface_lateral_mu, tyre_lateral_mu
from raidsim.model.surfaces import SURFACE_TABLE, SURFACES


@pytest.mark.parametrize("preset", ["d7x-r", "octa", "sandrider", "t4-ssv"])
def test_firm_ground_corners_on_the_rubber_soil_on_the_sand(preset: str) -> None:
    """Firm ground: the tyre's hard-ground peak x the surface's mu scale. Soil: not more
    than that (the WES sand traction only caps the tyre's curve, physics.md §5.4), within
    1 %: there the curve is read at the static loads, not at the nominal load."""
    car = rs.load_vehicle(preset)
    mu = surface_lateral_mu(car)
    for k, name in enumerate(SURFACES):
        rubber = tyre_lateral_mu(car) * SURFACE_TABLE[name].mu_scale
        if SURFACE_TABLE[name].soil is None:
            assert mu[k] == pytest.approx(rubber, rel=1e-12)
        else:
            assert 0.2 < mu[k] <= 1.01 * rubber


def test_a_road_tyre_grips_more_on_tarmac_and_less_in_the_dunes() -> None:
    """The OCTA's 22-inch road tyre at road pressure has more rubber grip than the
    D7X-R's 35-inch desert tyre (1.00 against 0.77 on hard ground), but in dune sand
    it deflects little on its short sidewall and the sand holds it less (0.42 against
    0.45 of the weight, measured): the plan must not corner it faster there."""
    octa, d7xr = rs.load_vehicle("octa"), rs.load_vehicle("d7x-r")
    dune = SURFACES.index("dune")
    hard = SURFACES.index("hard")
    assert surface_lateral_mu(octa)[hard] > 1.2 * surface_lateral_mu(d7xr)[hard]
    assert surface_lateral_mu(octa)[dune] < surface_lateral_mu(d7xr)[dune]


def test_airing_down_holds_more_sideways_in_soft_sand() -> None:
    """More deflection raises the sand numeric and with it the sand traction (WES,
    physics.md §5.4): the D7X-R at 0.8 bar holds more sideways in soft sand than at 2.4."""
    d7xr = rs.load_vehicle("d7x-r")
    soft = SURFACES.index("sand_soft")
    low = d7xr.with_changes(tyre_pressure_front_bar=0.8, tyre_pressure_rear_bar=0.8)
    high = d7xr.with_changes(tyre_pressure_front_bar=2.4, tyre_pressure_rear_bar=2.4)
    assert surface_lateral_mu(low)[soft] > surface_lateral_mu(high)[soft]
