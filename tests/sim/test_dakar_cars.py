"""The cars on the real dune days (issue 24, QSS tier, catalogue conditions): what a race
engineer checks first. The OCTA on its 22-inch road tyres is much slower than the D7X-R
on the dune days; airing the D7X-R down to 0.8 bar beats 2.4 bar there; on the gravel
special the low pressure costs fuel; 300 kg more costs a larger share in the dunes than
on the mixed stage 5 (open: on stage 5 the heavier car comes out faster, and the OCTA,
which runs dry on both dune days, would be faster than the D7X-R on stage 10 given the
fuel: see the xfails).
The transient tier drives the OCTA over stage 10 (below); its other runs of these stages
are in the closing notes of issue 24, not in the suite."""

from __future__ import annotations

import functools

import pytest

import raidsim as rs
from raidsim.errors import SimulationStopped
from raidsim.model.ambient import Ambient
from raidsim.model.vehicle import Vehicle
from raidsim.sim.qss import estimate

pytestmark = pytest.mark.slow


def _aired(car: Vehicle, p_bar: float) -> Vehicle:
    return car.with_changes(tyre_pressure_front_bar=p_bar, tyre_pressure_rear_bar=p_bar)


def _heavier(car: Vehicle, kg: float) -> Vehicle:
    return car.with_changes(**{"chassis.payload_mass_kg": car.chassis.payload_mass_kg + kg})


def _with_fuel_of(car: Vehicle, donor: Vehicle) -> Vehicle:
    """``car`` with ``donor``'s tank and fuel load (a long-range tank: what the car's time
    would be were fuel not what stops it)."""
    return car.with_changes(
        **{
            "fuel.tank_capacity_L": donor.fuel.tank_capacity_L,
            "fuel.fuel_load_L": donor.fuel.fuel_load_L,
        }
    )


@functools.cache
def _summary(stage_id: str, label: str) -> dict[str, float | None]:
    d7xr = rs.load_vehicle("d7x-r")
    octa = rs.load_vehicle("octa")
    car = {
        "d7x-r": d7xr,
        "octa": octa,
        "octa, 550 L": _with_fuel_of(octa, d7xr),
        "0.8": _aired(d7xr, 0.8),
        "2.4": _aired(d7xr, 2.4),
        "+300": _heavier(d7xr, 300.0),
    }[label]
    stage = rs.load_stage(stage_id)
    s = estimate(car, stage, ambient=Ambient.for_stage(stage), limits=False).summary
    return {
        "time_s": float(s["stage_time_s"]),
        "fuel_L": float(s["fuel_used_L"]),
        "runs_dry_km": s.get("runs_dry_km"),
    }


def _run(stage_id: str, label: str) -> tuple[float, float]:
    s = _summary(stage_id, label)
    assert s["time_s"] is not None and s["fuel_L"] is not None
    return s["time_s"], s["fuel_L"]


@pytest.mark.parametrize("stage_id", ["dakar-2026/6", "dakar-2026/10"])
def test_the_road_car_runs_dry_in_the_dunes(stage_id: str) -> None:
    """The OCTA's 90 L tank against 203 L (stage 6) and 307 L (stage 10) with one refuel
    mid-special: it runs dry at km 137 and km 121 (measured), reported as such, never
    as a time (docs/physics.md §9.4); the D7X-R's 550 L reach the finish."""
    assert _summary(stage_id, "octa")["runs_dry_km"] is not None
    assert _summary(stage_id, "d7x-r")["runs_dry_km"] is None


#: the OCTA's speed in the dunes, fuel aside, on stage 10: open (issue 24)
OCTA_ON_STAGE_10 = pytest.mark.xfail(
    strict=True,
    reason="issue 24, open: given the D7X-R's fuel, the QSS OCTA is 2.5 % faster than the "
    "D7X-R on dakar-2026/10 (287.5 against 295.0 min; the transient 271.0 against 289.2). "
    "The line crosses a crest every 0.8 km (the calibrated spacing), and on the soft sand "
    "between them the road car's unrestricted 467 kW wins more than its road tyres lose: "
    "at road pressure (2.5 bar) they sink as a rigid wheel would, with 4 % more compaction "
    "per tonne than the D7X-R's 35-inch tyres at 1.6/1.8 bar, and the sand holds them "
    "sideways at 0.42 of the load against 0.45 (docs/physics.md §5.4)",
)


@pytest.mark.parametrize(
    "stage_id", ["dakar-2026/6", pytest.param("dakar-2026/10", marks=OCTA_ON_STAGE_10)]
)
def test_the_road_car_given_the_fuel_is_much_slower_in_the_dunes(stage_id: str) -> None:
    """With a long-range tank: 64 % slower on stage 6 (the road tyre keeps less pull in
    soft sand, docs/physics.md §5.4, and the short road travel bottoms on the rough sand,
    §13.3); 2.5 % faster on stage 10 (open, above)."""
    assert _run(stage_id, "octa, 550 L")[0] > 1.05 * _run(stage_id, "d7x-r")[0]


@pytest.mark.parametrize("stage_id", ["dakar-2026/6", "dakar-2026/10"])
def test_airing_down_pays_on_the_dune_days(stage_id: str) -> None:
    """Measured: 0.8 bar 14 % (stage 6) and 4 % (stage 10) faster than 2.4 bar, and
    thriftier."""
    low, high = _run(stage_id, "0.8"), _run(stage_id, "2.4")
    assert low[0] < 0.99 * high[0]
    assert low[1] < high[1]


def test_low_pressure_costs_fuel_on_the_gravel_special() -> None:
    """dakar-2026/11 (83 % gravel): 0.8 bar burns 48 % more than 2.4 bar (measured) (the soft
    tyre's rolling resistance on hard ground, §5.2)."""
    assert _run("dakar-2026/11", "0.8")[1] > 1.2 * _run("dakar-2026/11", "2.4")[1]


def _share_lost_to_300_kg(stage_id: str) -> float:
    return _run(stage_id, "+300")[0] / _run(stage_id, "d7x-r")[0] - 1.0


def test_300_kg_cost_more_in_the_dunes_than_on_stage_5_relative() -> None:
    """The share lost to 300 kg on the soft-dune stage 10 is larger than on stage 5
    (measured: +2.5 % against -0.5 %)."""
    assert _share_lost_to_300_kg("dakar-2026/10") > _share_lost_to_300_kg("dakar-2026/5")


def test_300_kg_cost_time_on_the_dune_day() -> None:
    """Measured: +2.5 % (302.3 against 295.0 min) and +9.6 % fuel: the dunes stand at
    their own slopes (12 deg windward, slip faces at repose), and the heavier car climbs
    every face and crosses the soft sand between them on the same power."""
    assert _share_lost_to_300_kg("dakar-2026/10") > 0.0


@pytest.mark.xfail(
    strict=True,
    reason="issue 24, open: 300 kg more make the D7X-R 0.5 % faster on dakar-2026/5 "
    "and 0.3 % on /6 (1.6 and 1.0 % while the preload restored the ride height): the "
    "ride limit (absorbed power at the seat) falls with sprung mass on the same springs "
    "and outweighs the power cost and the 13 mm of bump travel the extra load takes",
)
def test_300_kg_cost_time_on_the_mixed_stage() -> None:
    assert _run("dakar-2026/5", "+300")[0] > _run("dakar-2026/5", "d7x-r")[0]


def test_the_road_car_cannot_pass_the_dune_day_in_the_transient_twin() -> None:
    """Driven by the transient twin, the OCTA does not get through dakar-2026/10
    (measured: its 90 L run dry at km 124.8, docs/physics.md §9.4), and the stop is
    reported as such, never as a time; were a change to let it through, its time must
    still be well above the D7X-R's (289.2 min measured)."""
    stage = rs.load_stage("dakar-2026/10")
    octa = rs.load_vehicle("octa")
    try:
        run = rs.simulate(octa, stage, ambient=Ambient.for_stage(stage))
    except SimulationStopped as stop:
        assert "km" in str(stop)
        return
    d7xr = rs.simulate(rs.load_vehicle("d7x-r"), stage, ambient=Ambient.for_stage(stage))
    assert run.summary["stage_time_s"] > 1.05 * d7xr.summary["stage_time_s"]
