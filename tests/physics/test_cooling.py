"""Cooling functions against physics.md §2.5 and §7 figures and analytic cases."""

from __future__ import annotations

import math

import pytest

from raidsim.model.loader import load_vehicle
from raidsim.model.vehicle import CoolingSpec, Vehicle
from raidsim.physics import cooling, restrictor
from raidsim.physics.engine import RPM, friction_coefficients, friction_torque_Nm
from raidsim.physics.fuel import fuel_burnt_kg

RHO_45C = 1.11  # kg/m^3 at 45 C, sea level (physics.md §9.1)
T_AIR_C = 45.0


@pytest.fixture(scope="module")
def d7xr() -> Vehicle:
    return load_vehicle("d7x-r")


@pytest.mark.parametrize(
    ("ntu", "cr", "eps"),
    [
        (1, 0.3, 0.58),
        (1, 0.6, 0.53),
        (2, 0.3, 0.79),
        (2, 0.6, 0.71),
        (3, 0.3, 0.88),
        (3, 0.6, 0.80),
    ],
)
def test_effectiveness_table(ntu: float, cr: float, eps: float) -> None:
    """physics.md §7.2: cross-flow, both unmixed [S85]."""
    assert cooling.radiator_effectiveness(ntu, cr) == pytest.approx(eps, abs=0.006)


def test_effectiveness_limits() -> None:
    # Cr -> 0 (condensing-like) gives 1 - exp(-NTU); NTU 0 gives no exchange
    assert cooling.radiator_effectiveness(2.0, 0.0) == pytest.approx(1 - math.exp(-2.0))
    assert cooling.radiator_effectiveness(2.0, 1e-6) == pytest.approx(1 - math.exp(-2.0), 1e-4)
    assert cooling.radiator_effectiveness(0.0, 0.5) == 0.0
    assert cooling.radiator_effectiveness(50.0, 0.5) < 1.0


def test_heat_to_coolant_fractions() -> None:
    """27.5 % of fuel power at full load (~0.95 x brake at 29 % brake efficiency), 32.5 % at
    part load [S35]."""
    fuel = 1.0e6
    assert cooling.heat_to_coolant_W(fuel, 1.0, 0.275, 0.325) == pytest.approx(275e3)
    assert cooling.heat_to_coolant_W(fuel, 0.0, 0.275, 0.325) == pytest.approx(325e3)
    assert cooling.heat_to_coolant_W(fuel, 0.5, 0.275, 0.325) == pytest.approx(300e3)
    brake = 0.29 * fuel
    assert cooling.heat_to_coolant_W(fuel, 1.0, 0.275, 0.325) / brake == pytest.approx(0.95, 0.01)


def _ntu_for(eps: float, cr: float) -> float:
    lo, hi = 1e-3, 20.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if cooling.radiator_effectiveness(mid, cr) < eps:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize(("eps", "mdot_kg_s", "q_m3s"), [(0.75, 6.1, 5.5), (0.6, 7.6, 6.8)])
def test_required_air_flow_for_275_kW(eps: float, mdot_kg_s: float, q_m3s: float) -> None:
    """physics.md §7.2: 275 kW, 45 C air, 105 C coolant -> 6.1 kg/s at eps 0.75."""
    c_air = mdot_kg_s * cooling.CP_AIR_J_PER_KGK
    c_cool = 3.0 * 3450.0
    cr = c_air / c_cool
    ua = _ntu_for(eps, cr) * c_air
    q = cooling.radiator_conductance_W_per_K(ua, c_air, c_cool) * (105.0 - T_AIR_C)
    assert q == pytest.approx(275e3, rel=0.02)
    assert mdot_kg_s / RHO_45C == pytest.approx(q_m3s, rel=0.02)


@pytest.mark.parametrize(("v_kmh", "dp_Pa"), [(30, 39), (60, 154), (100, 428), (150, 964)])
def test_ram_pressure_table(v_kmh: float, dp_Pa: float) -> None:
    """physics.md §7.2: 0.5 rho v^2 at rho 1.11. With c_ram = 1 and fans off the operating
    point's system loss equals the full ram pressure."""
    area, k_sys = 0.75, 17.0
    q = cooling.core_air_flow_m3s(v_kmh / 3.6, RHO_45C, 0.0, 4, 300.0, 1.0, k_sys, area, 1.0)
    dp_sys = k_sys * 0.5 * RHO_45C * (q / area) ** 2
    assert dp_sys == pytest.approx(dp_Pa, abs=0.5)  # table rounded to 1 Pa


def test_fan_operating_point_lies_on_both_curves(d7xr: Vehicle) -> None:
    c = d7xr.cooling
    k_sys = c.radiator_k + c.ducting_k + c.filter_k_clean
    for v_mps, duty in ((0.0, 1.0), (5.0, 1.0), (5.0, 0.6), (0.0, 0.3)):
        q = cooling.core_air_flow_m3s(
            v_mps,
            RHO_45C,
            duty,
            c.n_fans,
            c.fan_dp0_Pa,
            c.fan_q0_m3s,
            k_sys,
            c.radiator_face_area_m2,
            c.ram_pressure_coefficient,
        )
        per_fan = q / c.n_fans
        dp_fan = c.fan_dp0_Pa * duty**2 * (1 - (per_fan / (c.fan_q0_m3s * duty)) ** 2)
        dp_ram = c.ram_pressure_coefficient * 0.5 * RHO_45C * v_mps**2
        dp_sys = k_sys * 0.5 * RHO_45C * (q / c.radiator_face_area_m2) ** 2
        assert dp_ram + max(dp_fan, 0.0) == pytest.approx(dp_sys, rel=1e-9)


def test_fans_at_walking_pace_fall_short_of_the_need(d7xr: Vehicle) -> None:
    """physics.md §7.2: four fans move at best ~4 m^3/s at zero pressure, less against
    radiator and filter, versus the 5.5-7 m^3/s needed at full load."""
    c = d7xr.cooling
    assert c.n_fans * c.fan_q0_m3s == pytest.approx(4.0, rel=0.1)
    k_sys = c.radiator_k + c.ducting_k + c.filter_k_clean
    q = cooling.core_air_flow_m3s(
        5 / 3.6,
        RHO_45C,
        1.0,
        c.n_fans,
        c.fan_dp0_Pa,
        c.fan_q0_m3s,
        k_sys,
        c.radiator_face_area_m2,
        c.ram_pressure_coefficient,
    )
    assert 2.0 < q < 4.0


def test_air_flow_is_continuous_and_monotonic() -> None:
    args = (4, 300.0, 1.0, 17.0, 0.75, 0.45)
    n, dp0, q0, k, a, cr = args
    last = 0.0
    for v in [x * 0.5 for x in range(0, 120)]:
        q = cooling.core_air_flow_m3s(v, RHO_45C, 0.5, n, dp0, q0, k, a, cr)
        assert q >= last - 1e-12
        last = q
    # at the freewheel boundary (ram flow = N q0 d) both branches agree
    d = 0.5
    v_b = n * q0 * d / (a * math.sqrt(cr / k))
    lo = cooling.core_air_flow_m3s(v_b * (1 - 1e-9), RHO_45C, d, n, dp0, q0, k, a, cr)
    hi = cooling.core_air_flow_m3s(v_b * (1 + 1e-9), RHO_45C, d, n, dp0, q0, k, a, cr)
    assert lo == pytest.approx(hi, rel=1e-6)
    # fans off: only ram, Q = A v sqrt(c_ram / K)
    assert cooling.core_air_flow_m3s(20.0, RHO_45C, 0.0, n, dp0, q0, k, a, cr) == pytest.approx(
        a * 20.0 * math.sqrt(cr / k)
    )
    assert cooling.core_air_flow_m3s(0.0, RHO_45C, 1e-3, n, dp0, q0, k, a, cr) > 0.0


def test_thermostat_fan_and_derate_ramps(d7xr: Vehicle) -> None:
    c = d7xr.cooling
    assert cooling.thermostat_opening(60.0, 90.0, 105.0, 0.05) == 0.05
    assert cooling.thermostat_opening(97.5, 90.0, 105.0, 0.05) == pytest.approx(0.5)
    assert cooling.thermostat_opening(120.0, 90.0, 105.0, 0.05) == 1.0
    assert cooling.fan_duty(80.0, c.fan_on_C, c.fan_full_C, c.fan_duty_low) == c.fan_duty_low
    mid = 0.5 * (c.fan_on_C + c.fan_full_C)
    assert cooling.fan_duty(mid, c.fan_on_C, c.fan_full_C, c.fan_duty_low) == pytest.approx(
        0.5 * (1 + c.fan_duty_low)
    )
    assert cooling.fan_duty(130.0, c.fan_on_C, c.fan_full_C, c.fan_duty_low) == 1.0
    # fan law: full duty = n x rated power, half duty = 1/8
    assert cooling.fan_electrical_power_W(1.0, 4, 450.0) == pytest.approx(1800.0)
    assert cooling.fan_electrical_power_W(0.5, 4, 450.0) == pytest.approx(225.0)
    args = (112.0, 122.0, 130.0, 145.0, 0.6)
    assert cooling.derate_factor(100.0, 100.0, *args) == 1.0
    assert cooling.derate_factor(117.0, 100.0, *args) == pytest.approx(0.8)
    assert cooling.derate_factor(130.0, 100.0, *args) == pytest.approx(0.6)
    assert cooling.derate_factor(100.0, 137.5, *args) == pytest.approx(0.8)  # oil governs
    assert cooling.derate_factor(117.0, 137.5, *args) == pytest.approx(0.8)


def test_coolant_step_matches_exponential_decay() -> None:
    """Single node, no heat in, thermostat fully open, fixed flows: T - T_air decays as
    exp(-G t / C) with G = eps C_min (+ G_loss)."""
    c_eng, ua, mdot_air, pump, cp = 200e3, 12e3, 4.0, 3.0, 3450.0
    c_air = mdot_air * cooling.CP_AIR_J_PER_KGK
    c_cool = pump * cp
    g = cooling.radiator_effectiveness(ua / c_air, c_air / c_cool) * c_air + 50.0
    tc, to, t, dt = 120.0, 45.0, 0.0, 0.1
    while t < 120.0 - 1e-9:
        tc, to, _ = cooling.coolant_step(
            tc,
            to,
            45.0,
            dt,
            0.0,
            0.0,
            mdot_air,
            ua,
            pump,
            cp,
            0.0,
            1.0,
            0.05,
            c_eng,
            60e3,
            50.0,
            0.0,
            0.0,
        )
        t += dt
    expected = 45.0 + 75.0 * math.exp(-g * 120.0 / c_eng)
    assert tc == pytest.approx(expected, rel=0.005)
    assert to == pytest.approx(45.0)  # uncoupled oil node at ambient stays there


def test_coolant_step_steady_state_conserves_energy(d7xr: Vehicle) -> None:
    c = d7xr.cooling
    q_in, q_slip, mdot_air, ua = 150e3, 8e3, 5.0, 14e3
    tc, to, q_rad = 95.0, 95.0, 0.0
    for _ in range(5000):
        tc, to, q_rad = _step(c, tc, to, q_in, q_slip, mdot_air, ua, 1.0)
    losses = q_rad + c.engine_loss_W_per_K * (tc - T_AIR_C) + c.oil_ambient_W_per_K * (to - T_AIR_C)
    assert losses == pytest.approx(q_in + q_slip, rel=1e-4)
    assert to > tc  # the slip heat flows from the oil into the coolant


def _step(
    c: CoolingSpec,
    tc: float,
    to: float,
    q_in: float,
    q_slip: float,
    mdot_air: float,
    ua: float,
    dt: float,
) -> tuple[float, float, float]:
    return cooling.coolant_step(
        tc,
        to,
        T_AIR_C,
        dt,
        q_in,
        q_slip,
        mdot_air,
        ua,
        c.coolant_pump_flow_kg_s,
        c.coolant_cp_J_per_kgK,
        c.thermostat_open_C,
        c.thermostat_full_C,
        c.thermostat_min_opening,
        c.engine_heat_capacity_J_per_K,
        c.oil_heat_capacity_J_per_K,
        c.engine_loss_W_per_K,
        c.oil_coolant_W_per_K,
        c.oil_ambient_W_per_K,
    )


def _run(
    v: Vehicle,
    speed_kmh: float,
    brake_W: float,
    rpm: float,
    T0: float,
    minutes: float,
    feedback: bool,
    loading: float = 0.0,
) -> tuple[float, float, float, float | None]:
    """Integrate the coolant + oil nodes at constant speed and demanded brake power in 45 C
    air (dt 1 s). Returns (T_c, T_oil, derate, first time T_c passed the derate start)."""
    c, f = v.cooling, v.fuel
    a, b, cc = friction_coefficients(v.engine.displacement_L * 1e-3, v.engine.friction_scale)
    omega = rpm / RPM
    t0 = friction_torque_Nm(omega, a, b, cc)
    k_sys = (
        c.radiator_k
        + c.ducting_k
        + cooling.filter_k(loading, c.filter_k_clean, c.filter_k_per_loading)
    )
    tc, to, scale, t_first = T0, T0, 1.0, None
    for step in range(int(minutes * 60)):
        power = brake_W * scale
        fuel = fuel_burnt_kg(
            1.0,
            power / omega,
            omega,
            t0,
            f.willans_efficiency,
            f.lhv_MJ_per_kg * 1e6,
            power / 290e3,
            f.enrichment_start_load,
            f.lambda_full_load,
        )
        q_in = cooling.heat_to_coolant_W(
            fuel * f.lhv_MJ_per_kg * 1e6,
            power / 290e3,
            c.coolant_fraction_full_load,
            c.coolant_fraction_part_load,
        )
        duty = cooling.fan_duty(tc, c.fan_on_C, c.fan_full_C, c.fan_duty_low)
        q_air = cooling.core_air_flow_m3s(
            speed_kmh / 3.6,
            RHO_45C,
            duty,
            c.n_fans,
            c.fan_dp0_Pa,
            c.fan_q0_m3s,
            k_sys,
            c.radiator_face_area_m2,
            c.ram_pressure_coefficient,
        )
        ua = cooling.radiator_ua_W_per_K(
            q_air,
            c.radiator_face_area_m2,
            c.radiator_ua_ref_W_per_K,
            c.radiator_ref_face_velocity_mps,
            c.radiator_ua_exponent,
        )
        tc, to, _ = _step(c, tc, to, q_in, 3e3, RHO_45C * q_air, ua, 1.0)
        if feedback:
            scale = cooling.derate_factor(
                tc,
                to,
                c.coolant_derate_C,
                c.coolant_max_C,
                c.oil_derate_C,
                c.oil_max_C,
                c.derate_floor,
            )
        if t_first is None and tc >= c.coolant_derate_C:
            t_first = step + 1.0
    return tc, to, scale, t_first


def test_full_load_dune_soak_reaches_derate_within_minutes(d7xr: Vehicle) -> None:
    """physics.md §7.2: at full load and walking pace in 45 C the fans cannot move the
    5.5-7 m^3/s needed, so the engine overheats in slow, high-load dune work."""
    tc, _, _, t_first = _run(d7xr, 20.0, 290e3, 4000.0, 95.0, 10.0, feedback=False)
    assert t_first is not None and t_first < 180.0, t_first
    assert tc > d7xr.cooling.coolant_max_C
    # with the ECU derate closed the loop settles between derate start and limit
    tc, _, scale, _ = _run(d7xr, 20.0, 290e3, 4000.0, 95.0, 15.0, feedback=True)
    assert d7xr.cooling.coolant_derate_C < tc < d7xr.cooling.coolant_max_C
    assert d7xr.cooling.derate_floor < scale < 0.95


@pytest.mark.parametrize("speed_kmh", [80.0, 100.0, 140.0])
def test_recovers_at_speed_on_a_hard_track(d7xr: Vehicle, speed_kmh: float) -> None:
    """...and cools at speed: hard-track cruise (2900 kg, f 0.03, CdA 1.6 -> ~40-120 kW at
    the wheels, physics.md §9.2) brings a derated engine back to full torque."""
    v = speed_kmh / 3.6
    wheel_W = 0.03 * 2900 * 9.81 * v + 0.5 * RHO_45C * 1.6 * v**3
    tc, _, scale, _ = _run(d7xr, speed_kmh, wheel_W / 0.85, 3000.0, 118.0, 5.0, True)
    assert tc < d7xr.cooling.coolant_derate_C
    assert scale == 1.0


def test_clogged_filter_cuts_air_flow_and_restrictor_cap(d7xr: Vehicle) -> None:
    c = d7xr.cooling
    k_clean = c.radiator_k + c.ducting_k + cooling.filter_k(0.0, c.filter_k_clean, 15.0)
    k_clog = c.radiator_k + c.ducting_k + cooling.filter_k(1.0, c.filter_k_clean, 15.0)
    flows = []
    for k in (k_clean, k_clog):
        flows.append(
            cooling.core_air_flow_m3s(
                20 / 3.6,
                RHO_45C,
                1.0,
                c.n_fans,
                c.fan_dp0_Pa,
                c.fan_q0_m3s,
                k,
                c.radiator_face_area_m2,
                c.ram_pressure_coefficient,
            )
        )
    assert flows[1] < 0.85 * flows[0]
    # closed form of the operating point: Q^2 (a + b) = dp_ram + dp0
    dp_ram = c.ram_pressure_coefficient * 0.5 * RHO_45C * (20 / 3.6) ** 2
    b = c.fan_dp0_Pa / (c.n_fans * c.fan_q0_m3s) ** 2
    a = k_clog * 0.5 * RHO_45C / c.radiator_face_area_m2**2
    assert flows[1] == pytest.approx(math.sqrt((dp_ram + c.fan_dp0_Pa) / (a + b)))
    # engine intake: dp at 0.30 kg/s lowers p0, and the choked-flow cap falls with p0
    p_amb = 101325.0
    q_intake = 0.30 / RHO_45C
    drops = [
        cooling.filter_pressure_drop_Pa(
            x,
            c.intake_filter_k_clean,
            c.intake_filter_k_per_loading,
            RHO_45C,
            q_intake,
            c.intake_filter_area_m2,
        )
        for x in (0.0, 1.0)
    ]
    assert drops[0] == pytest.approx(1.5e3, rel=0.05)  # preset: 1.5 kPa clean
    assert drops[1] == pytest.approx(6.0e3, rel=0.05)  # preset: 6 kPa at loading 1
    r = d7xr.restrictor
    caps = [
        restrictor.power_cap_W(
            r.diameter_mm / 1e3,
            r.count,
            r.discharge_coefficient,
            r.choke_fraction,
            r.afr_full_load,
            r.bsfc_full_load_g_per_kWh,
            cooling.intake_p0_Pa(p_amb, dp),
            318.15,
        )
        for dp in drops
    ]
    assert caps[1] / caps[0] == pytest.approx((p_amb - drops[1]) / (p_amb - drops[0]))
    assert 0.93 < caps[1] / caps[0] < 0.97


def test_filter_loading_grows_with_dusty_distance(d7xr: Vehicle) -> None:
    rates = d7xr.cooling.filter_loading_per_km
    loading, dt, v = 0.0, 1.0, 60 / 3.6
    for _ in range(int(800e3 / v)):  # 800 km of dunes at 60 km/h
        loading += cooling.filter_loading_increment(v, rates["dune"], dt)
    assert loading == pytest.approx(800 * rates["dune"], rel=1e-3)
    assert rates["hard"] < rates["gravel"] < rates["dune"]
    assert cooling.filter_loading_increment(-v, 1e-3, dt) == cooling.filter_loading_increment(
        v, 1e-3, dt
    )


@pytest.mark.parametrize("name", ["d7x-r", "octa", "lc-gr-sport"])
def test_every_preset_has_a_consistent_cooling_model(name: str) -> None:
    c = load_vehicle(name).cooling
    assert 150e3 <= c.engine_heat_capacity_J_per_K <= 250e3  # physics.md §7.2
    assert c.thermostat_full_C <= c.coolant_derate_C < c.coolant_max_C
    assert 0.5 <= c.derate_floor <= 0.7
