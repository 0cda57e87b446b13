"""Brake torque, pad fade and disc temperature against physics.md §8 and analytic cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.brakes import brake_torque_Nm

from raidsim.model.loader import load_vehicle
from raidsim.model.vehicle import BrakeThermalSpec
from raidsim.physics import brakes

RHO_45C = 1.11
T_AIR_C = 45.0
R_WHEEL_M = 0.445


@pytest.fixture(scope="module")
def bt() -> BrakeThermalSpec:
    return load_vehicle("d7x-r").brake_thermal


def _loss_W(bt: BrakeThermalSpec, T_C: float, v_mps: float) -> float:
    face = bt.face_area_m2("front")
    return brakes.disc_convection_W(
        T_C,
        T_AIR_C,
        v_mps,
        v_mps / R_WHEEL_M,
        RHO_45C,
        bt.disc_diameter_front_m,
        bt.ring_inner_diameter_front_m,
        face,
        face * bt.vane_area_ratio,
        bt.vane_hydraulic_diameter_m,
        bt.vane_length_m("front"),
        bt.vane_pump_coeff,
    ) + brakes.disc_radiation_W(T_C, T_AIR_C, bt.disc_emissivity, face)


def test_brake_torque_is_2_mu_p_A_r() -> None:
    """T_b = 2 mu p A r_eff (§8.1): 6-pot caliper, pistons 38/32/28 mm per side, r 0.155 m,
    mu 0.45 at 126 bar -> ~4.5 kNm, the D7X-R preset's front torque at pedal 1."""
    area = math.pi / 4 * (0.038**2 + 0.032**2 + 0.028**2)
    t = brake_torque_Nm(1.0, 126e5, area, 0.155, 0.45)
    assert t == pytest.approx(2 * 0.45 * 126e5 * area * 0.155)
    assert t == pytest.approx(4500.0, rel=0.02)
    assert brake_torque_Nm(0.5, 126e5, area, 0.155, 0.45) == pytest.approx(t / 2)
    assert brake_torque_Nm(-0.2, 126e5, area, 0.155, 0.45) == 0.0


def test_pad_mu_plateau_then_fade(bt: BrakeThermalSpec) -> None:
    ts = np.asarray(bt.pad_mu_temp_C, dtype=np.float64)
    mus = np.asarray(bt.pad_mu, dtype=np.float64)
    plateau = brakes.pad_mu(500.0, ts, mus)
    assert plateau == pytest.approx(max(bt.pad_mu))
    assert brakes.pad_mu(20.0, ts, mus) < plateau  # cold pad below its window
    # above the fade point mu falls monotonically with temperature
    fade = [brakes.pad_mu(t, ts, mus) for t in (650.0, 700.0, 750.0, 800.0, 850.0, 900.0)]
    assert all(b < a for a, b in zip(fade, fade[1:], strict=False))
    assert fade[-1] < 0.7 * plateau
    assert brakes.pad_mu(2000.0, ts, mus) == mus[-1]  # clamped, no extrapolation
    assert brakes.pad_mu(250.0, ts, mus) == pytest.approx(0.465)  # linear between points


def test_single_stop_from_170_kmh(bt: BrakeThermalSpec) -> None:
    """physics.md §8.2: 2900 kg from 170 km/h = 3.23 MJ; 65 % front -> 1.05 MJ per front
    disc -> ~+190 K on a 12 kg disc (c 460). Integrated with the lumped disc (eta 1, with
    convection and radiation during a 0.9 g stop) within 5 % of E share / (m c)."""
    m_car, v0, decel = 2900.0, 170 / 3.6, 0.9 * 9.81
    e_stop = 0.5 * m_car * v0**2
    assert e_stop == pytest.approx(3.23e6, rel=0.005)
    share = 0.65 / 2
    dT_analytic = e_stop * share / (bt.disc_mass_front_kg * bt.disc_cp_J_per_kgK)
    assert dT_analytic == pytest.approx(190.0, rel=0.02)
    temp_C, v, dt = T_AIR_C, v0, 1e-3
    while v > 0.0:
        force_per_front_wheel = share * m_car * decel
        torque = force_per_front_wheel * R_WHEEL_M
        q_in = torque * v / R_WHEEL_M
        temp_C = brakes.disc_step(
            temp_C,
            q_in,
            1.0,
            _loss_W(bt, temp_C, v),
            bt.disc_mass_front_kg,
            bt.disc_cp_J_per_kgK,
            dt,
        )
        v -= decel * dt
    rise = temp_C - T_AIR_C
    assert rise == pytest.approx(dT_analytic, rel=0.05)
    assert rise < dT_analytic  # losses only remove heat


def test_heat_partition_scales_the_rise(bt: BrakeThermalSpec) -> None:
    m, c = bt.disc_mass_front_kg, bt.disc_cp_J_per_kgK
    one = brakes.disc_step(100.0, 1e5, 1.0, 0.0, m, c, 1.0) - 100.0
    part = brakes.disc_step(100.0, 1e5, bt.heat_partition, 0.0, m, c, 1.0) - 100.0
    assert one == pytest.approx(1e5 / (m * c))
    assert part / one == pytest.approx(bt.heat_partition)
    assert 0.88 <= bt.heat_partition <= 0.95  # physics.md §8.1


def test_limpert_face_correlations_by_hand() -> None:
    """Solid faces only (no vanes): h = 0.70 (k/D) Re^0.55 at low Re, 0.04 (k/D) Re^0.8 at
    high Re, Re = rho v D / mu at the film temperature [S88]."""
    d, area, T = 0.37, 0.1, 145.0  # film 95 C
    tf = 0.5 * (T + T_AIR_C) + 273.15
    mu, k = brakes.air_viscosity_Pa_s(tf), brakes.air_conductivity_W_per_mK(tf)
    for v, laminar in ((3.0, True), (60.0, False)):
        re = RHO_45C * v * d / mu
        h = 0.70 * k / d * re**0.55 if laminar else 0.04 * k / d * re**0.8
        q = brakes.disc_convection_W(
            T, T_AIR_C, v, 0.0, RHO_45C, d, 0.23, area, 0.0, 0.012, 0.07, 0.3
        )
        assert q == pytest.approx(h * area * (T - T_AIR_C), rel=1e-9)


def test_vented_channel_correlation_by_hand() -> None:
    """h = 0.023 (1 + (d_h/l)^0.67) (k/d_h) Re^0.8 Pr^0.33 with the pumped channel speed."""
    T, omega, dh, l_v, c = 245.0, 60.0, 0.012, 0.07, 0.3
    tf = 0.5 * (T + T_AIR_C) + 273.15
    mu, k = brakes.air_viscosity_Pa_s(tf), brakes.air_conductivity_W_per_mK(tf)
    v_ch = c * omega * math.sqrt(0.185**2 - 0.115**2)
    re = RHO_45C * v_ch * dh / mu
    h = 0.023 * (1 + (dh / l_v) ** 0.67) * (k / dh) * re**0.8 * brakes.PR_AIR**0.33
    q_faces = brakes.disc_convection_W(
        T, T_AIR_C, 0.0, omega, RHO_45C, 0.37, 0.23, 0.1, 0.0, dh, l_v, c
    )
    q_all = brakes.disc_convection_W(
        T, T_AIR_C, 0.0, omega, RHO_45C, 0.37, 0.23, 0.1, 0.12, dh, l_v, c
    )
    assert q_all - q_faces == pytest.approx(h * 0.12 * (T - T_AIR_C), rel=1e-9)


def test_air_properties() -> None:
    """Sutherland values against tables at 300 K: mu 1.846e-5 Pa s, k 0.0263 W/m/K."""
    assert brakes.air_viscosity_Pa_s(300.0) == pytest.approx(1.846e-5, rel=0.01)
    assert brakes.air_conductivity_W_per_mK(300.0) == pytest.approx(0.0263, rel=0.02)


def test_radiation_is_stefan_boltzmann() -> None:
    q = brakes.disc_radiation_W(500.0, 45.0, 0.6, 0.13)
    assert q == pytest.approx(0.6 * 5.670374e-8 * 0.13 * (773.15**4 - 318.15**4))
    assert brakes.disc_radiation_W(45.0, 45.0, 0.6, 0.13) == 0.0


def test_disc_cools_faster_at_speed(bt: BrakeThermalSpec) -> None:
    """Cooling time constant m c (T - T_air) / Q_loss: minutes at standstill, 2-5 min at
    100 km/h (lumped-disc method [S89][S90]); monotonic in speed."""
    losses = [_loss_W(bt, 300.0, v / 3.6) for v in (0.0, 30.0, 60.0, 100.0, 170.0)]
    assert all(b > a for a, b in zip(losses, losses[1:], strict=False))
    tau_100 = bt.disc_mass_front_kg * bt.disc_cp_J_per_kgK * (300.0 - T_AIR_C) / losses[3]
    assert 100.0 < tau_100 < 300.0
    tau_0 = bt.disc_mass_front_kg * bt.disc_cp_J_per_kgK * (300.0 - T_AIR_C) / losses[0]
    assert tau_0 > 4 * tau_100


@pytest.mark.parametrize("name", ["d7x-r", "octa", "lc-gr-sport"])
def test_every_preset_has_a_plausible_disc(name: str) -> None:
    b = load_vehicle(name).brake_thermal
    assert b.disc_mass_front_kg >= b.disc_mass_rear_kg
    assert b.disc_diameter_front_m >= b.disc_diameter_rear_m
    assert min(b.pad_mu) <= b.pad_mu_nominal <= max(b.pad_mu)
    # a 170 km/h stop of 2.9 t (65 % front) heats the disc by the order of §8.2's ~190 K
    rise = 0.5 * 2900 * (170 / 3.6) ** 2 * 0.325 / (b.disc_mass_front_kg * b.disc_cp_J_per_kgK)
    assert 120.0 < rise < 250.0
