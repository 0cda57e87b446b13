"""Analytic validation of the transient 14-DOF model (physics.md §10.3).

Each test checks the model against a closed-form answer, not against its own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidsim.model.ambient import Ambient
from raidsim.model.derived import geometry, restrictor_cap_W
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.physics.tyre import load_scaled
from raidsim.route.scenarios import circle_stage, straight_stage
from raidsim.sim.energy import mechanical_energy_J
from raidsim.sim.layout import MODE_HELD, MODE_OPEN_LOOP, MODE_SPEED_HOLD
from raidsim.sim.runner import planned_model
from raidsim.sim.transient import TransientModel

G = 9.80665


def open_loop(model: TransientModel, gear: int = 0, throttle: float = 0.0) -> TransientModel:
    """Hold pedals, steering and gear (no driver, no TCU)."""
    model.set_param("MODE", MODE_HELD)
    model["GEAR"] = gear
    model["THROTTLE"] = throttle
    model["BRAKE"] = 0.0
    model["STEER"] = 0.0
    return model


def system_cg_z(model: TransientModel) -> float:
    m_u = [model.params[model_param_index("M_U") + i] for i in range(4)]
    zs = model["Z"] * model.param("M_SPRUNG") + sum(
        m_u[i] * model.state[model_state_index("ZU") + i] for i in range(4)
    )
    return zs / model.param("M_TOTAL")


def model_param_index(name: str) -> int:
    from raidsim.sim.layout import PARAM

    return PARAM[name]


def model_state_index(name: str) -> int:
    from raidsim.sim.layout import STATE

    return STATE[name]


def test_ballistic_flight_of_cg_within_1mm(d7xr: Vehicle) -> None:
    """No contact for 1 s: CG follows x0 + vx t, z0 + vz t - g t^2/2 (< 1 mm)."""
    m = open_loop(planned_model(d7xr, straight_stage(2000.0)))
    m.set_param("AERO_K", 0.0)
    m["Z"] += 10.0
    zu = model_state_index("ZU")
    m.state[zu : zu + 4] += 10.0
    vx0, vz0 = 25.0, 4.0
    m["VX"] = vx0
    m["VZ"] = vz0
    wu = model_state_index("WU")
    m.state[wu : wu + 4] = vz0
    m["Q"] = 0.3
    x0, z0 = m["X"], system_cg_z(m)
    for _ in range(10):
        m.run_for(0.1)
        t = m.time_s
        assert m["X"] == pytest.approx(x0 + vx0 * t, abs=1e-3)
        assert system_cg_z(m) == pytest.approx(z0 + vz0 * t - 0.5 * G * t * t, abs=1e-3)
    assert m.time_s == pytest.approx(1.0, abs=1e-9)


def quarter_car_frequencies_hz(
    k_s: float, k_t: float, m_s: float, m_u: float
) -> tuple[float, float]:
    """Eigenfrequencies of the undamped 2-DOF quarter car (sprung on spring on tyre)."""
    a = m_s * m_u
    b = -(k_s * m_u + (k_s + k_t) * m_s)
    c = k_s * k_t
    disc = math.sqrt(b * b - 4 * a * c)
    w1 = math.sqrt((-b - disc) / (2 * a))
    w2 = math.sqrt((-b + disc) / (2 * a))
    return w1 / (2 * math.pi), w2 / (2 * math.pi)


def test_quarter_car_heave_frequency(symmetric_car: Vehicle) -> None:
    """Undamped heave of the symmetric car = 2-DOF quarter-car body mode within 2 %."""
    car = symmetric_car.with_changes(
        **{
            "suspension_front.damper_compression_Ns_per_m": 100.1,
            "suspension_front.damper_rebound_Ns_per_m": 100.1,
            "suspension_rear.damper_compression_Ns_per_m": 100.1,
            "suspension_rear.damper_rebound_Ns_per_m": 100.1,
            "tyre.vertical_damping_Ns_per_m": 0.0,
        }
    )
    m = open_loop(planned_model(car, straight_stage(500.0)))
    z_eq = m["Z"]
    m["Z"] += 0.02
    ch = m.run_for(12.0)
    z = ch["z_m"] - z_eq
    t = ch["time_s"]
    up = np.where((z[:-1] < 0) & (z[1:] >= 0))[0]
    crossings = t[up] - z[up] / (z[up + 1] - z[up]) * (t[up + 1] - t[up])
    f_meas = (len(crossings) - 1) / (crossings[-1] - crossings[0])
    geo = geometry(car)
    m_s_corner = car.sprung_mass_kg / 4
    f_body, _ = quarter_car_frequencies_hz(
        car.suspension_front.spring_rate_N_per_m,
        float(geo.tyre_stiffness_N_per_m[0]),
        m_s_corner,
        car.suspension_front.unsprung_mass_kg,
    )
    assert f_meas == pytest.approx(f_body, rel=0.02)
    # and it is the ride frequency a race engineer expects (~1.2-1.6 Hz)
    assert 1.0 < f_meas < 1.8


def test_drop_test_energy_balance(d7xr: Vehicle) -> None:
    """1 m drop onto flat ground: potential energy = stored + dissipated within 2 %."""
    m = open_loop(planned_model(d7xr, straight_stage(500.0)))
    m.set_param("AERO_K", 0.0)
    e_rest = mechanical_energy_J(m)
    m["Z"] += 1.0
    zu = model_state_index("ZU")
    m.state[zu : zu + 4] += 1.0
    e0 = mechanical_energy_J(m)
    drop_energy = e0 - e_rest
    geo = geometry(d7xr)
    tyre_static = float(np.sum(geo.static_tyre_load_N**2 / (2 * geo.tyre_stiffness_N_per_m)))
    assert drop_energy == pytest.approx(d7xr.total_mass_kg * G * 1.0 - tyre_static, rel=1e-3)
    ch = m.run_for(4.0)
    assert ch["wheels_in_contact"].min() == 0  # it really flew
    assert ch["tyre_load_fl_N"].max() > 3 * 7000  # and landed hard
    e_end = mechanical_energy_J(m) + m["E_DISSIPATED"]
    assert e_end == pytest.approx(e0, abs=0.02 * drop_energy)
    # it comes back to rest near the static position (all energy dissipated)
    assert mechanical_energy_J(m) - e_rest < 0.05 * drop_energy


def test_steady_state_understeer_gradient_matches_linear_bicycle(d7xr: Vehicle) -> None:
    """Constant steering angle, increasing speed in small steps (ISO 4138 constant-steer
    method), open differentials: the dynamic steer delta - L kappa (kappa = r/v measured)
    grows with a_y at the linear bicycle gradient K = m_f/C_f - m_r/C_r within 5 %.

    The bicycle model has one front wheel, no drive force and no longitudinal load
    transfer, so the test removes what it does not contain: Ackermann split (parallel
    steer), drag and rolling resistance. A front-heavy variant (62 % front) makes K
    clearly non-zero; a_y stays below 0.6 m/s^2 (TMeasy is concave from the origin).
    """
    car = d7xr.with_changes(
        **{
            "driveline.centre_lock_torque_Nm": 0.0,
            "driveline.rear_diff_lock_torque_Nm": 0.0,
            "chassis.cg_to_front_axle_m": 1.15,
        }
    )
    steer = 0.03  # rad, about a 100 m circle
    v_n = car.tyre.rolling_speed_regulariser_mps
    xs, ys = [], []
    for v_kmh in (12.0, 16.0, 20.0, 25.0):
        m = planned_model(
            car,
            straight_stage(20000.0, limit_kmh=v_kmh),
            Ambient(temp_C=25.0),
            initial_speed_mps=v_kmh / 3.6,
        )
        m.set_param("MODE", MODE_SPEED_HOLD)  # driver holds the speed, steering fixed
        m.set_param("AERO_K", 0.0)
        m.set_param("TRACK_F", 0.0)  # parallel steer: one equivalent front wheel
        for i in range(4):
            m.params[model_param_index("RR_A") + i] = 0.0
            m.params[model_param_index("RR_B") + i] = 0.0
        m["STEER"] = steer
        ch = m.run_for(40.0)
        tail = slice(-1000, None)
        v = ch["speed_mps"][tail].mean()
        kappa = (ch["yaw_rate_radps"][tail] / ch["speed_mps"][tail]).mean()
        # TMeasy lateral slip is v_lat / (r|omega| + v_N): effective stiffness x v/(v+v_N)
        xs.append(ch["ay_mps2"][tail].mean() * (v + v_n) / v)
        ys.append(steer - car.chassis.wheelbase_m * kappa)
    slope, intercept = np.polyfit(np.array(xs), np.array(ys), 1)
    geo = geometry(car)
    fz = geo.static_tyre_load_N
    c_f = 2 * load_scaled(fz[0] / car.tyre.nominal_load_N, *car.tyre.dfy0_N)
    c_r = 2 * load_scaled(fz[2] / car.tyre.nominal_load_N, *car.tyre.dfy0_N)
    k_theory = 2 * fz[0] / G / c_f - 2 * fz[2] / G / c_r
    assert k_theory > 4e-4
    assert max(xs) < 0.6
    assert slope == pytest.approx(k_theory, rel=0.05)
    assert abs(intercept) < 0.05 * k_theory  # kinematic limit: delta -> L kappa as a_y -> 0


def test_circle_driver_understeer_stays_near_bicycle(d7xr: Vehicle) -> None:
    """The full model on a 100 m circle with the path-following driver and Ackermann
    steering: the dynamic steer gradient stays within 20 % of the bicycle K (Ackermann
    split with lateral load transfer adds ~10 % understeer at 1 m/s^2, a real effect the
    bicycle model does not contain)."""
    car = d7xr.with_changes(
        **{
            "driveline.centre_lock_torque_Nm": 0.0,
            "driveline.rear_diff_lock_torque_Nm": 0.0,
            "chassis.cg_to_front_axle_m": 1.15,
        }
    )
    xs, ys = [], []
    for v_kmh in (20.0, 30.0, 40.0):
        v = v_kmh / 3.6
        m = planned_model(
            car,
            circle_stage(100.0, laps=2.0, limit_kmh=v_kmh),
            Ambient(temp_C=25.0),
            initial_speed_mps=v,
        )
        m.set_param("AERO_K", 0.0)
        for i in range(4):
            m.params[model_param_index("RR_A") + i] = 0.0
            m.params[model_param_index("RR_B") + i] = 0.0
        ch = m.run_for(60.0)
        tail = slice(-3000, None)
        kappa = (ch["yaw_rate_radps"][tail] / ch["speed_mps"][tail]).mean()
        xs.append(ch["ay_mps2"][tail].mean() * (v + 0.5) / v)
        ys.append(ch["steer_rad"][tail].mean() - car.chassis.wheelbase_m * kappa)
    x, y = np.array(xs), np.array(ys)
    k_meas = float(np.sum(x * y) / np.sum(x * x))
    geo = geometry(car)
    fz = geo.static_tyre_load_N
    c_f = 2 * load_scaled(fz[0] / car.tyre.nominal_load_N, *car.tyre.dfy0_N)
    c_r = 2 * load_scaled(fz[2] / car.tyre.nominal_load_N, *car.tyre.dfy0_N)
    k_theory = 2 * fz[0] / G / c_f - 2 * fz[2] / G / c_r
    assert k_meas == pytest.approx(k_theory, rel=0.20)


def test_coast_down_recovers_rolling_resistance_and_cda(d7xr: Vehicle) -> None:
    """Neutral coast-down from 120 km/h on flat hard ground: regression of the
    deceleration force on v^2 gives back f (hard-road formula) and CdA within 3 %."""
    amb = Ambient(temp_C=25.0)
    m = open_loop(
        planned_model(d7xr, straight_stage(6000.0), amb, initial_speed_mps=120.0 / 3.6), gear=0
    )
    ch = m.run_for(60.0)
    v = ch["speed_mps"]
    t = ch["time_s"]
    keep = v > 8.0
    v, t = v[keep], t[keep]
    dvdt = np.gradient(v, t)
    geo = geometry(d7xr)
    r = d7xr.tyre.unloaded_radius_m - geo.static_tyre_load_N / geo.tyre_stiffness_N_per_m / 3
    j_rot = float(
        np.sum((d7xr.tyre.spin_inertia_kgm2 + d7xr.driveline.side_gear_inertia_kgm2) / r**2)
    )
    m_eff = d7xr.total_mass_kg + j_rot
    force = -m_eff * dvdt
    sl = slice(50, -50)
    b, a = np.polyfit(v[sl] ** 2, force[sl], 1)
    loads = geo.static_tyre_load_N
    p_bar = np.array([d7xr.tyre_pressure_front_bar] * 2 + [d7xr.tyre_pressure_rear_bar] * 2)
    f0_model = float(np.sum(loads * (0.005 + 0.01 / p_bar)) / loads.sum())
    b_rr = float(np.sum(loads * 0.0095 / p_bar / (100 / 3.6) ** 2))
    f0_fit = a / (d7xr.total_mass_kg * G)
    cda_fit = (b - b_rr) / (0.5 * amb.air_density_kg_per_m3)
    assert f0_fit == pytest.approx(f0_model, rel=0.03)
    assert cda_fit == pytest.approx(d7xr.aero.drag_area_m2, rel=0.03)


def test_full_throttle_reaches_limiter_and_wheel_power_matches_map(d7xr: Vehicle) -> None:
    """Flat hard straight, full throttle from rest: the car reaches the 170 km/h
    limiter, and in a locked gear the halfshaft power equals engine map power through
    gear and axle efficiencies (minus rotating-inertia power) within 3 %."""
    amb = Ambient(temp_C=25.0)
    m = planned_model(d7xr, straight_stage(8000.0), amb)
    m.set_param("MODE", MODE_OPEN_LOOP)  # pedals held, automatic gearbox
    m["THROTTLE"] = 1.0
    ch = m.run_for(70.0)
    v_kmh = ch["speed_mps"] * 3.6
    assert v_kmh.max() == pytest.approx(170.0, abs=2.0)
    assert v_kmh[-100:].mean() == pytest.approx(170.0, abs=3.0)
    # quasi-steady windows: locked converter, no shift in +-0.5 s, not at the limiter
    gear = ch["gear"]
    t = ch["time_s"]
    w_e = ch["engine_speed_rpm"] * RPM_TO_RADPS
    dwe = np.gradient(w_e, t)
    ws = np.stack([ch[f"wheel_speed_{w}_radps"] for w in ("fl", "fr", "rl", "rr")])
    hs = np.stack([ch[f"halfshaft_torque_{w}_Nm"] for w in ("fl", "fr", "rl", "rr")])
    p_wheel = (hs * ws).sum(axis=0)
    dws = np.gradient(ws, t, axis=1)
    p_cap = restrictor_cap_W(d7xr, amb)
    rpm_tab = np.array(d7xr.engine.torque_curve_rpm) * RPM_TO_RADPS
    t_map = np.minimum(np.interp(w_e, rpm_tab, d7xr.engine.torque_curve_Nm), p_cap / w_e)
    j_in = d7xr.engine.inertia_kgm2 + d7xr.converter.turbine_inertia_kgm2
    checked = 0
    for g in (3, 4, 5):
        eta = d7xr.gearbox.efficiencies[g - 1] * d7xr.driveline.axle_efficiency
        sel = (gear == g) & (ch["lockup"] > 0.5) & (v_kmh < 160) & (ch["boost"] > 0.97)
        idx = np.where(sel)[0]
        idx = idx[(idx > idx.min() + 60) & (idx < idx.max() - 20)] if len(idx) > 100 else idx[:0]
        if len(idx) == 0:
            continue
        expected = (
            eta * t_map[idx] * w_e[idx]
            - j_in * w_e[idx] * dwe[idx]
            - d7xr.driveline.side_gear_inertia_kgm2 * (ws[:, idx] * dws[:, idx]).sum(0)
        )
        assert p_wheel[idx].mean() == pytest.approx(expected.mean(), rel=0.03)
        checked += 1
    assert checked >= 2


def test_restrictor_cap_sensitivity_to_ambient(d7xr: Vehicle) -> None:
    """Choked flow scales as p0/sqrt(T0): -3.3 % from 25 to 45 C (physics.md §1.1)."""
    p25 = restrictor_cap_W(d7xr, Ambient(temp_C=25.0))
    p45 = restrictor_cap_W(d7xr, Ambient(temp_C=45.0))
    assert 1 - p45 / p25 == pytest.approx(0.033, abs=0.002)
    assert p25 / 1000 == pytest.approx(290.0, rel=0.01)  # the published ~290 kW [S1]
    p_alt = restrictor_cap_W(d7xr, Ambient(temp_C=25.0, altitude_m=1000.0))
    assert 1 - p_alt / p25 == pytest.approx(0.11, abs=0.01)
