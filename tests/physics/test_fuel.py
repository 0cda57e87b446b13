"""Fuel flow and fuel properties against physics.md §1-2 figures."""

from __future__ import annotations

import pytest

from raidsim.errors import ConfigError
from raidsim.model.loader import load_vehicle
from raidsim.physics import fuel, restrictor
from raidsim.physics.engine import RPM, friction_coefficients, friction_torque_Nm

LHV_PETROL = 43.0e6


def test_550_L_of_petrol() -> None:
    """physics.md §2.4: a 550 L tank holds about 410 kg and 17.6 GJ of petrol-like fuel."""
    v = load_vehicle("d7x-r")
    mass = v.fuel.fuel_load_L * v.fuel.density_kg_per_L
    assert mass == pytest.approx(410.0, rel=0.005)
    assert fuel.fuel_volume_L(mass, v.fuel.density_kg_per_L) == pytest.approx(550.0)
    assert fuel.fuel_energy_J(mass, v.fuel.lhv_MJ_per_kg * 1e6) == pytest.approx(17.6e9, rel=0.005)


def test_constant_power_run_on_the_restrictor_limit() -> None:
    """On the limit fuel = mdot_air / AFR, and the cap is P = mdot_air / (AFR BSFC)
    (physics.md §1.1, §2.3): one hour at the cap burns P t BSFC / rho litres."""
    v = load_vehicle("d7x-r")
    r, f = v.restrictor, v.fuel
    p0, t0_K = 101325.0, 298.15
    mdot_air = (
        r.count
        * r.choke_fraction
        * restrictor.choked_mass_flow_kg_s(r.diameter_mm / 1e3, r.discharge_coefficient, p0, t0_K)
    )
    power_W = restrictor.power_cap_W(
        r.diameter_mm / 1e3,
        r.count,
        r.discharge_coefficient,
        r.choke_fraction,
        r.afr_full_load,
        r.bsfc_full_load_g_per_kWh,
        p0,
        t0_K,
    )
    assert power_W == pytest.approx(290e3, rel=0.01)  # preset derivation
    burnt = 3600.0 * mdot_air / r.afr_full_load  # one hour on the limit
    litres = fuel.fuel_volume_L(burnt, f.density_kg_per_L)
    expected = power_W / 1e3 * 1.0 * r.bsfc_full_load_g_per_kWh / 1e3 / f.density_kg_per_L
    assert litres == pytest.approx(expected, rel=0.02)
    assert fuel.bsfc_g_per_kWh(burnt / 3600, power_W) == pytest.approx(270.0, rel=0.005)


def _willans(torque: float, rpm: float, e: float, lam: float, load: float) -> float:
    a, b, c = friction_coefficients(4.395e-3, 0.8)
    omega = rpm / RPM
    t0 = friction_torque_Nm(omega, a, b, c)
    return fuel.fuel_burnt_kg(1.0, torque, omega, t0, e, LHV_PETROL, load, 0.85, lam)


def test_willans_bsfc_matches_the_physics_md_bands() -> None:
    """physics.md §2.3: ~270-300 g/kWh on the restricted full-load line, 350-500 g/kWh at
    light part load. Willans e 0.40 with explicit enrichment lambda 0.88 at full load."""
    rpm = 4000.0
    omega = rpm / RPM
    full = 290e3 / omega
    bsfc_full = fuel.bsfc_g_per_kWh(_willans(full, rpm, 0.40, 0.88, 1.0), 290e3)
    assert 260.0 <= bsfc_full <= 300.0, bsfc_full
    light = 20e3 / (2500 / RPM)
    bsfc_light = fuel.bsfc_g_per_kWh(_willans(light, 2500.0, 0.40, 0.88, 0.1), 20e3)
    assert 330.0 <= bsfc_light <= 500.0, bsfc_light


def test_constant_power_willans_run() -> None:
    """A one-hour 150 kW run integrates to P t BSFC / rho with the BSFC of the Willans
    closed form, BSFC = (T + T_0) omega / (e LHV P)."""
    rpm, power = 3500.0, 150e3
    omega = rpm / RPM
    a, b, c = friction_coefficients(4.395e-3, 0.8)
    t0 = friction_torque_Nm(omega, a, b, c)
    bsfc_kg_per_J = (power / omega + t0) * omega / (0.35 * LHV_PETROL * power)
    burnt, dt = 0.0, 0.5
    for _ in range(7200):
        burnt += dt * _willans(power / omega, rpm, 0.35, 1.0, 0.5)
    expected_L = power * 3600.0 * bsfc_kg_per_J / 0.745
    assert fuel.fuel_volume_L(burnt, 0.745) == pytest.approx(expected_L, rel=0.02)


def test_enrichment_factor() -> None:
    assert fuel.enrichment_factor(0.5, 0.85, 0.88) == 1.0
    assert fuel.enrichment_factor(1.0, 0.85, 0.88) == pytest.approx(1 / 0.88)
    assert fuel.enrichment_factor(0.925, 0.85, 0.88) == pytest.approx(1 + 0.5 * (1 / 0.88 - 1))
    assert fuel.enrichment_factor(1.0, 0.85, 1.0) == 1.0  # lambda 1: none
    base = _willans(700.0, 4000.0, 0.4, 1.0, 1.0)
    assert _willans(700.0, 4000.0, 0.4, 0.88, 1.0) == pytest.approx(base / 0.88)
    assert _willans(-200.0, 4000.0, 0.4, 0.88, 0.0) == 0.0  # overrun fuel cut


def test_fuel_kinds_and_bands() -> None:
    assert load_vehicle("d7x-r").fuel.kind == "sustainable_petrol"
    assert load_vehicle("octa").fuel.kind == "pump_petrol"
    assert load_vehicle("lc-gr-sport").fuel.kind == "diesel"
    for props in fuel.FUEL_PROPERTIES.values():
        lo, hi = props.lhv_band_MJ_per_kg
        assert lo <= props.lhv_MJ_per_kg <= hi
        lo, hi = props.density_band_kg_per_L
        assert lo <= props.density_kg_per_L <= hi
    with pytest.raises(ConfigError, match="density_kg_per_L"):
        load_vehicle("d7x-r").with_changes(**{"fuel.kind": "diesel"})
