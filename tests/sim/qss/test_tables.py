"""The QSS full-load and surface tables (sim.qss.tables), checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from raidsim.model.ambient import Ambient
from raidsim.model.derived import restrictor_cap_W
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.sim.qss.tables import full_load_tables, rolling_radius_m, static_wheel_loads_N
from raidsim.units import BAR_TO_PA, G_MPS2


def test_static_wheel_loads_carry_the_car_by_the_lever_rule(d7xr: Vehicle) -> None:
    c = d7xr.chassis
    loads = static_wheel_loads_N(d7xr)
    weight = d7xr.total_mass_kg * G_MPS2
    assert loads.sum() == pytest.approx(weight)
    b = c.wheelbase_m - c.cg_to_front_axle_m
    assert loads[:2].sum() == pytest.approx(weight * b / c.wheelbase_m)
    assert loads[0] == loads[1] and loads[2] == loads[3]


def test_rolling_radius_is_r0_less_a_third_of_the_static_deflection(d7xr: Vehicle) -> None:
    """TMeasy: r_dyn = r0 - defl / 3, defl = Fz / kz, kz scaled by (p + p_c) / (p_ref + p_c)."""
    t = d7xr.tyre
    loads = static_wheel_loads_N(d7xr)
    p = np.array([d7xr.tyre_pressure_front_bar] * 2 + [d7xr.tyre_pressure_rear_bar] * 2)
    pc = t.carcass_pressure_kPa * 1000.0
    kz = (
        t.vertical_stiffness_N_per_m
        * (p * BAR_TO_PA + pc)
        / (t.reference_pressure_bar * BAR_TO_PA + pc)
    )
    expected = float(np.mean(t.unloaded_radius_m - loads / kz / 3.0))
    assert rolling_radius_m(d7xr) == pytest.approx(expected, rel=1e-12)


@pytest.fixture(scope="module")
def tables(d7xr: Vehicle):  # type: ignore[no-untyped-def]
    return full_load_tables(d7xr, Ambient(), 1200)  # up to 60 m/s


def test_the_engine_never_beats_the_restrictor(tables, d7xr: Vehicle) -> None:  # type: ignore[no-untyped-def]
    cap = restrictor_cap_W(d7xr, Ambient())
    power = tables.engine_torque_Nm * tables.engine_speed_radps
    assert power.max() <= cap * (1.0 + 1e-9)
    assert power.max() > 0.9 * cap  # and reaches it somewhere


def test_a_locked_gear_drives_with_engine_torque_through_its_ratio(tables, d7xr: Vehicle) -> None:  # type: ignore[no-untyped-def]
    """Top gear at 40 m/s (converter locked): F = T_e i eta / r."""
    g, k = d7xr.gearbox.n_gears - 1, 800
    w_t = 40.0 / tables.rolling_radius_m * tables.total_ratio[g]
    assert tables.engine_speed_radps[g, k] == pytest.approx(w_t)
    expected = (
        tables.engine_torque_Nm[g, k]
        * tables.total_ratio[g]
        * tables.efficiency[g]
        / tables.rolling_radius_m
    )
    assert tables.force_N[g, k] == pytest.approx(expected)


def test_no_gear_is_used_above_its_full_throttle_upshift(tables, d7xr: Vehicle) -> None:  # type: ignore[no-untyped-def]
    up = d7xr.gearbox.upshift_rpm_full * RPM_TO_RADPS
    speed = np.arange(tables.force_N.shape[1]) * 0.05
    w_t = speed[None, :] / tables.rolling_radius_m * tables.total_ratio[:, None]
    assert np.all(tables.force_N[w_t > up * (1 + 1e-9)] == 0.0)


def test_thin_air_lowers_the_full_load_force(d7xr: Vehicle) -> None:
    """At 1,300 m (argentina-2026/3) the restrictor's choked flow, and the force, drop."""
    sea = full_load_tables(d7xr, Ambient(temp_C=13.0), 600)
    high = full_load_tables(d7xr, Ambient(temp_C=13.0, altitude_m=1300.0), 600)
    assert high.force_N.max(axis=0)[400] < sea.force_N.max(axis=0)[400]
