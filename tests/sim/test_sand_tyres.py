"""Tyres in soft sand through the QSS tier (docs/physics.md §5.4): airing down helps in the
dunes and costs on hard gravel; a road tyre keeps much less pull in soft sand than a
deflated desert tyre. The law itself is tested against hand values in
tests/physics/test_terramechanics.py."""

from __future__ import annotations

from pathlib import Path

import pytest

import raidsim as rs
from raidsim.model.derived import geometry
from raidsim.model.loader import preset_names
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACE_CODE, SURFACE_TABLE
from raidsim.model.vehicle import Vehicle
from raidsim.physics.terramechanics import sand_traction_N
from raidsim.physics.tyre import load_linear, load_scaled
from raidsim.route.stage import DuneField, Stage, StageDefinition, SyntheticRoute
from raidsim.route.terrain import build_stage
from raidsim.sim.qss import estimate
from raidsim.sim.qss.forward import SURF_COMPACTION, SURF_TRACTION
from raidsim.sim.qss.tables import surface_table

DATA = Path(__file__).parent / "data"
G_MPS2 = 9.81


def _aired(car: Vehicle, p_bar: float) -> Vehicle:
    return car.with_changes(tyre_pressure_front_bar=p_bar, tyre_pressure_rear_bar=p_bar)


def _net_pull(car: Vehicle, surface: str) -> float:
    """(traction - compaction resistance at rest) / weight on a surface class."""
    table = surface_table(car, Settings())
    k = SURFACE_CODE[surface]
    return float(
        (table[SURF_TRACTION, k] - table[SURF_COMPACTION, k]) / (car.total_mass_kg * G_MPS2)
    )


def test_airing_down_gives_more_pull_and_less_resistance_in_soft_sand() -> None:
    d7xr = rs.load_vehicle("d7x-r")
    k = SURFACE_CODE["dune"]
    tables = {p: surface_table(_aired(d7xr, p), Settings()) for p in (0.8, 1.2, 1.6, 2.4)}
    traction = [tables[p][SURF_TRACTION, k] for p in (0.8, 1.2, 1.6, 2.4)]
    resistance = [tables[p][SURF_COMPACTION, k] for p in (0.8, 1.2, 1.6, 2.4)]
    assert traction == sorted(traction, reverse=True)
    # flexible at 0.8 bar; from about 1 bar the 35-inch tyre acts rigid (p_i + p_c above
    # the rigid wheel's 118 kPa ground pressure) and more pressure changes nothing
    assert resistance[0] < 0.8 * resistance[1]
    assert resistance[1] == resistance[2] == resistance[3]
    # what is left for grade and acceleration from rest, the wheels spun out to their
    # sliding slip: 0.30 of the weight at 0.8 bar against 0.18 at 2.4 bar (1.7x)
    assert _net_pull(_aired(d7xr, 0.8), "dune") > 1.5 * _net_pull(_aired(d7xr, 2.4), "dune")
    # on hard ground the soil terms are absent: pressure changes no traction there
    h = SURFACE_CODE["hard"]
    assert tables[0.8][SURF_TRACTION, h] == pytest.approx(tables[2.4][SURF_TRACTION, h])


def test_a_road_tyre_keeps_far_less_pull_in_soft_sand() -> None:
    """The OCTA on its 22-inch road tyres at road pressure against the d7x-r aired down to
    0.8 bar: about half the net pull at rest in the dunes (physics.md §5.4 table, wheels
    spun out to their sliding slip: 0.15 against 0.30 of the weight), while on hard ground
    the road tyre grips better."""
    octa = rs.load_vehicle("octa")
    d7xr = _aired(rs.load_vehicle("d7x-r"), 0.8)
    assert _net_pull(octa, "dune") < 0.55 * _net_pull(d7xr, "dune")
    assert _net_pull(octa, "sand_soft") < 0.55 * _net_pull(d7xr, "sand_soft")
    assert _net_pull(octa, "hard") > _net_pull(d7xr, "hard")


@pytest.fixture(scope="module")
def pressure_runs() -> dict[tuple[str, float], dict[str, float]]:
    d7xr = rs.load_vehicle("d7x-r")
    out = {}
    for name in ("dunes_20km", "gravel_30km"):
        stage = rs.load_stage(DATA / f"{name}.toml")
        for p in (0.8, 1.6, 2.4):
            out[(name, p)] = estimate(_aired(d7xr, p), stage).summary
    return out


def test_low_pressure_is_faster_and_thriftier_in_the_dunes(
    pressure_runs: dict[tuple[str, float], dict[str, float]],
) -> None:
    low, high = pressure_runs[("dunes_20km", 0.8)], pressure_runs[("dunes_20km", 2.4)]
    assert low["stage_time_s"] < 0.99 * high["stage_time_s"]
    assert low["fuel_used_L"] < 0.95 * high["fuel_used_L"]


def test_low_pressure_costs_on_hard_gravel(
    pressure_runs: dict[tuple[str, float], dict[str, float]],
) -> None:
    low, mid = pressure_runs[("gravel_30km", 0.8)], pressure_runs[("gravel_30km", 1.6)]
    assert low["stage_time_s"] > mid["stage_time_s"]
    assert low["fuel_used_L"] > 1.1 * mid["fuel_used_L"]


@pytest.fixture(scope="module")
def steep_dunes() -> Stage:
    """8 m dunes every 70 m of soft sand: faces steep enough that what the tyres keep for
    grade decides the pace (the shipped dune days are gentler)."""
    return build_stage(
        StageDefinition(
            name="steep-dunes",
            seed=5,
            synthetic_route=SyntheticRoute(length_km=10.0, min_radius_m=150.0),
            default_surface="dune",
            dunes=[DuneField(start_km=1.0, end_km=9.0, crest_spacing_m=70.0, height_m=8.0)],
        )
    )


def test_in_steep_dunes_the_road_car_is_slowest_and_airing_down_pays(steep_dunes: Stage) -> None:
    """With the Janosi cap (before the tyres-in-sand law) the OCTA on road tyres was the
    fastest car here (563 s against the d7x-r's 572 s) and airing down bought 0.5 %: now
    it is slower than the d7x-r (594 against 588 s), over 3 % slower than the d7x-r aired
    down to 0.8 bar, and 0.8 bar beats 2.4 bar by about 3 % (574 against 591 s)."""
    d7xr = rs.load_vehicle("d7x-r")
    t = {
        label: estimate(car, steep_dunes).summary["stage_time_s"]
        for label, car in (
            ("octa", rs.load_vehicle("octa")),
            ("d7x-r", d7xr),
            ("0.8", _aired(d7xr, 0.8)),
            ("2.4", _aired(d7xr, 2.4)),
        )
    }
    assert t["octa"] > t["d7x-r"]
    assert t["octa"] > 1.03 * t["0.8"]
    assert t["0.8"] < 0.98 * t["2.4"]


def _braking_pull(car: Vehicle, surface: str) -> float:
    """What the four tyres give braked near their peak slip (where ABS holds them) on a
    soil surface at the static loads, over the weight: the tyre's peak force capped by the
    WES sand traction at that slip, as the kernel caps it."""
    geo = geometry(car)
    t = car.tyre
    s = SURFACE_TABLE[surface]
    assert s.soil is not None
    pull = 0.0
    for load, k_z in zip(geo.static_tyre_load_N, geo.tyre_stiffness_N_per_m, strict=True):
        r = float(load) / t.nominal_load_N
        fxm = load_scaled(r, t.fxm_N[0], t.fxm_N[1]) * s.mu_scale
        cap = sand_traction_N(
            s.soil.sand_gradient_Pa_per_m,
            t.width_m,
            2.0 * t.unloaded_radius_m,
            float(load) / float(k_z),
            t.section_height_m,
            float(load),
            load_linear(r, t.sxm[0], t.sxm[1]) * s.slip_peak_scale,
        )
        pull += min(fxm, cap)
    return pull / (car.total_mass_kg * G_MPS2)


@pytest.mark.parametrize("surface", ["sand_soft", "dune"])
def test_the_plan_brakes_in_soft_sand_at_what_the_tyres_give(surface: str) -> None:
    """The speed plan's braking on soft sand (DriverSpec.decel_g, the same for every car)
    lies within 0.05 g of each shipped preset's braking pull there (0.34 to 0.39 of the
    weight): planned at the 0.5 g of firm ground, the d7x-r reached a corner of
    dakar-2026/10 3-4 m/s too fast and spun off the route (docs/physics.md §5.4)."""
    decel = Settings().driver.decel_g[surface]
    for name in preset_names():
        pull = _braking_pull(rs.load_vehicle(name), surface)
        assert abs(decel - pull) < 0.05, (name, pull)
