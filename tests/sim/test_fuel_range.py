"""Running dry (sim/fuel_range.py, docs/physics.md §9.4): the fuel a car carries against
what the stage takes between refuel points, in both tiers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import raidsim as rs
from raidsim.errors import OutOfFuel
from raidsim.sim.fuel_range import FuelWatch, fuel_watch
from raidsim.sim.layout import CH

#: a steady burn of 0.5 kg per km over a 100 km trace, one sample a metre
S_M = np.arange(0.0, 100_001.0)
BURN_KG = S_M * 0.5e-3


def test_a_steady_burn_runs_dry_where_the_load_is_burnt() -> None:
    """20 kg at 0.5 kg/km lasts 40 km; a refuel at km 30 starts the count again, so the
    car runs dry 40 km later, at km 70; 60 kg reach the finish."""
    assert S_M[FuelWatch(20.0, []).update(S_M, BURN_KG)] == pytest.approx(40_000.0, abs=1.0)
    dry = FuelWatch(20.0, [30_000.0]).update(S_M, BURN_KG)
    assert S_M[dry] == pytest.approx(70_000.0, abs=1.0)
    assert FuelWatch(60.0, []).update(S_M, BURN_KG) is None
    # a refuel beyond the point where the load is already gone does not save it
    assert S_M[FuelWatch(20.0, [45_000.0]).update(S_M, BURN_KG)] == pytest.approx(40_000.0, abs=1.0)


@given(st.lists(st.integers(min_value=1, max_value=100_000), max_size=6))
def test_chunks_find_the_sample_the_whole_trace_finds(cuts: list[int]) -> None:
    """The transient feeds the watch chunk by chunk: the same sample as in one piece."""
    whole = FuelWatch(20.0, [30_000.0, 50_000.0]).update(S_M, BURN_KG)
    watch = FuelWatch(20.0, [30_000.0, 50_000.0])
    found = None
    bounds = [0, *sorted(set(cuts)), len(S_M)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        k = watch.update(S_M[a:b], BURN_KG[a:b])
        if k is not None:
            found = a + k
            break
    assert found == whole


def test_the_qss_reports_the_road_car_running_dry_on_the_dune_day() -> None:
    """The OCTA's 90 L (a road car's tank) against 307 L over dakar-2026/10 with one refuel
    at km 209: dry at km 121 (measured), reported as such; the D7X-R's 550 L reach it."""
    stage = rs.load_stage("dakar-2026/10")
    octa = rs.estimate(rs.load_vehicle("octa"), stage).summary
    d7xr = rs.estimate(rs.load_vehicle("d7x-r"), stage).summary
    assert octa["runs_dry_km"] is not None and 100.0 < octa["runs_dry_km"] < 209.0
    assert "runs_dry_km" not in d7xr.to_json()


def test_the_transient_run_stops_where_the_tank_runs_dry(tmp_path: Path) -> None:
    """5 L on the default stage (the D7X-R burns 28 L over its 50 km): the run stops with
    OutOfFuel where the fuel burnt reaches the load, the telemetry kept up to that sample
    and ``stopped.json`` at that place, never a finish."""
    car = rs.load_vehicle("d7x-r").with_changes(**{"fuel.fuel_load_L": 5.0})
    rows: list[np.ndarray] = []
    with pytest.raises(OutOfFuel, match=r"ran out of fuel at km \d+\.\d: the 5 L fuel load"):
        rs.simulate(car, rs.load_stage("default"), out_dir=tmp_path, on_rows=rows.append)
    stopped = json.loads((tmp_path / "stopped.json").read_text())
    assert stopped["complete"] is False and 2_000.0 < stopped["distance_m"] < 20_000.0
    assert (tmp_path / stopped["telemetry"]).exists()
    kept = np.concatenate(rows)
    fuel_kg = kept[:, CH["fuel_used_kg"]]
    load_kg = 5.0 * car.fuel.density_kg_per_L
    assert fuel_kg[-1] > load_kg >= fuel_kg[-2]  # the rows end at the sample that ran dry
    assert kept[-1, CH["distance_m"]] == pytest.approx(stopped["distance_m"])


def test_fuel_watch_takes_litres_and_km() -> None:
    watch = fuel_watch(10.0, 0.75, [12.5])
    assert watch.fuel_load_kg == pytest.approx(7.5)
    assert watch.refuel_m == (12_500.0,)
