"""Heat, fuel and brakes inside the transient run (issue 4; physics.md §1, §7, §8)."""

from __future__ import annotations

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import MODE_HELD
from raidsim.sim.runner import planned_model


def test_slow_soft_sand_climb_heats_and_fast_hard_track_cools(d7xr: Vehicle) -> None:
    """45 C, a long soft-sand climb at ~20 km/h: coolant rises (the fans alone cannot
    move the air the radiator needs); then 100 km/h on a hard track brings it down."""
    amb = rs.Ambient(temp_C=45.0)
    climb = straight_stage(3000.0, grade=0.25, surface="sand_soft", limit_kmh=20.0)
    m = planned_model(d7xr, climb, amb, initial_speed_mps=5.0)
    t0 = m["T_COOLANT"]
    ch = m.run_for(240.0)
    hot = float(ch["coolant_C"][-1])
    assert hot > t0 + 5.0
    assert ch["fan_duty"][-1] > ch["fan_duty"][0]
    fast = planned_model(
        d7xr, straight_stage(12000.0, surface="hard", limit_kmh=100.0), amb, initial_speed_mps=27.0
    )
    fast["T_COOLANT"] = hot
    fast["T_OIL"] = float(ch["oil_C"][-1])
    ch2 = fast.run_for(240.0)
    assert ch2["coolant_C"][-1] < hot - 3.0


def test_fuel_mass_leaves_the_car(d7xr: Vehicle) -> None:
    run = rs.simulate(d7xr, straight_stage(3000.0, limit_kmh=120.0))
    tel = run.telemetry
    used_kg = run.summary["fuel_used_kg"]
    assert used_kg > 0.1
    assert tel["mass_kg"][0] - tel["mass_kg"][-1] == pytest.approx(used_kg, rel=0.05, abs=0.05)
    assert tel["fuel_L"][-1] == pytest.approx(
        d7xr.fuel.fuel_load_L - used_kg / d7xr.fuel.density_kg_per_L, abs=0.05
    )


def test_repeated_stops_heat_the_discs(d7xr: Vehicle) -> None:
    """Repeated 150 -> 0 km/h stops: disc temperature climbs stop after stop (the
    per-stop rise against E/(m c) and the fade table are tested in tests/physics)."""
    m = planned_model(d7xr, straight_stage(20000.0), initial_speed_mps=150 / 3.6)
    m.set_param("MODE", MODE_HELD)
    m["GEAR"] = 0
    temps = []
    for _ in range(5):
        m["BRAKE"] = 1.0
        m.run_for(8.0)
        temps.append(float(m["T_DISC"]))
        m["BRAKE"] = 0.0
        v = 150 / 3.6
        m["VX"] = v * np.cos(m["PSI"])
        m["VY"] = v * np.sin(m["PSI"])
        for name in ("OMEGA", "OMEGA_SG"):
            idx = m.state
            from raidsim.sim.layout import STATE

            idx[STATE[name] : STATE[name] + 4] = v / d7xr.tyre.unloaded_radius_m
    assert all(b > a for a, b in zip(temps, temps[1:], strict=False)), temps
    assert temps[-1] > temps[0] + 100.0


def test_summary_has_heat_and_fuel_figures(d7xr: Vehicle) -> None:
    run = rs.simulate(
        d7xr, straight_stage(2000.0, limit_kmh=100.0), ambient=rs.Ambient(temp_C=45.0)
    )
    for key in (
        "fuel_used_L",
        "fuel_L_per_100km",
        "max_coolant_C",
        "derate_time_s",
        "max_brake_disc_C",
    ):
        assert key in run.summary
    assert 20.0 < run.summary["fuel_L_per_100km"] < 150.0


def test_burning_fuel_moves_the_cg_away_from_the_tank(d7xr: Vehicle) -> None:
    """The tank sits behind the CG: as fuel burns the sprung CG moves forward by
    dm x_tank / (m_s - dm) and the pitch inertia falls by dm x_tank^2."""
    from raidsim.sim.layout import PARAM

    m = planned_model(d7xr, straight_stage(5000.0, limit_kmh=120.0))
    cx0 = float(m.params[PARAM["CX"]])
    iyy0 = m.param("IYY")
    x_tank0 = m.param("TANK_X")
    m.run_for(120.0)
    burnt = m["FUEL_USED"]
    assert burnt > 0.5
    shift = cx0 - m["CX"]
    assert shift == pytest.approx(-burnt * x_tank0 / (d7xr.sprung_mass_kg - burnt), rel=0.02)
    assert iyy0 - m["IYY"] == pytest.approx(burnt * x_tank0**2, rel=0.05)
    assert m["M_TOTAL"] == pytest.approx(d7xr.total_mass_kg - burnt, rel=1e-9)
    # the parameters keep the start-line values (the kernel writes only its state)
    assert float(m.params[PARAM["CX"]]) == cx0 and m.param("IYY") == iyy0
