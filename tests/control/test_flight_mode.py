"""Flight Mode: ballistic flight, angular momentum, detection, landing loads."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli import app
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import jump_stage, straight_stage
from raidsim.route.stage import StageDefinition
from raidsim.route.terrain import build_stage
from raidsim.sim.jump import run_jump
from raidsim.sim.landings import analyse_landings
from raidsim.sim.layout import CHANNEL_NAMES, MODE_HELD, PARAM, STATE
from raidsim.sim.runner import planned_model
from raidsim.sim.transient import TransientModel

G = 9.80665


def _system_cg(m: TransientModel) -> tuple[float, float]:
    mu = m.params[PARAM["M_U"] : PARAM["M_U"] + 4]
    zu = m.state[STATE["ZU"] : STATE["ZU"] + 4]
    wu = m.state[STATE["WU"] : STATE["WU"] + 4]
    mt, ms = m.param("M_TOTAL"), m.param("M_SPRUNG")
    return (ms * m["Z"] + float(mu @ zu)) / mt, (ms * m["VZ"] + float(mu @ wu)) / mt


def test_air_time_of_scripted_jump_matches_ballistic_formula(d7xr: Vehicle) -> None:
    """From the measured take-off state, t = (vz + sqrt(vz^2 + 2 g dz)) / g within 2 %."""
    stage = jump_stage(2.0, 90.0)
    m = planned_model(d7xr, stage, settings=Settings(sample_rate_hz=1000.0), initial_speed_mps=25.0)
    while m["S_ROUTE"] < stage.jump_lip_s_m[0] - 30:
        m.run_for(0.5)
    takeoff = touchdown = None
    z0 = vz0 = z1 = 0.0
    for _ in range(3000):
        contact = m.run_for(0.001)["wheels_in_contact"][-1] > 0
        if takeoff is None and not contact:
            takeoff = m.time_s
            z0, vz0 = _system_cg(m)
        elif takeoff is not None and contact:
            touchdown = m.time_s
            z1, _ = _system_cg(m)
            break
    assert takeoff is not None and touchdown is not None
    dz = z0 - z1
    t_formula = (vz0 + math.sqrt(vz0 * vz0 + 2 * G * dz)) / G
    assert touchdown - takeoff == pytest.approx(t_formula, rel=0.02)
    assert touchdown - takeoff > 0.4


def test_wheel_torque_in_the_air_pitches_the_body(symmetric_car: Vehicle) -> None:
    """Braking spinning wheels in flight: I_eff dq = -sum J domega (nose drops), with
    I_eff = I_yy + sum m_u x^2 (the unsprung masses hang on the droop stops)."""
    m = planned_model(symmetric_car, straight_stage(2000.0))
    m.set_param("MODE", MODE_HELD)
    m.set_param("AERO_K", 0.0)
    m["GEAR"] = 0
    m["Z"] += 10.0
    m.state[STATE["ZU"] : STATE["ZU"] + 4] += 10.0
    m["VX"] = 25.0
    om, sg = STATE["OMEGA"], STATE["OMEGA_SG"]
    w0 = 25.0 / symmetric_car.tyre.unloaded_radius_m
    m.state[om : om + 4] = w0
    m.state[sg : sg + 4] = w0
    m.run_for(0.3)  # wheels settle on the droop stops
    q0 = m["Q"]
    spin0 = (
        m.param("J_W") * m.state[om : om + 4].sum() + m.param("J_SG") * m.state[sg : sg + 4].sum()
    )
    m["BRAKE"] = 1.0
    m.run_for(0.4)
    spin1 = (
        m.param("J_W") * m.state[om : om + 4].sum() + m.param("J_SG") * m.state[sg : sg + 4].sum()
    )
    cx = m.params[PARAM["CX"] : PARAM["CX"] + 4]
    mu = m.params[PARAM["M_U"] : PARAM["M_U"] + 4]
    i_eff = m.param("IYY") + float(np.sum(mu * cx**2))
    assert spin1 < 0.05 * spin0  # the wheels stopped
    assert m["Q"] - q0 == pytest.approx((spin0 - spin1) / i_eff, rel=0.03)
    assert m["Q"] > 0  # + pitch = nose down


@pytest.mark.parametrize(("drop", "speed"), [(1.0, 80.0), (2.0, 100.0), (3.0, 140.0)])
def test_flight_mode_lowers_landing_torque(d7xr: Vehicle, drop: float, speed: float) -> None:
    """Against a crew that lifts 0.25 s into the flight (docs/physics.md §11.4; before,
    the baseline held the throttle through the flight): with Flight Mode off the wheels
    have flared by then (measured 0.17-0.29 at touchdown); Flight Mode, acting within
    70 ms, keeps the mismatch to 0.08-0.17 and the landing's halfshaft peak to 1.95-2.06
    kN m against 2.87-3.73."""
    off = run_jump(d7xr, drop, speed, flight_mode=False)
    on = run_jump(d7xr, drop, speed, flight_mode=True)
    assert off.max_abs_wheel_speed_error > 0.15  # the wheels flared before the crew lifted
    assert on.max_abs_wheel_speed_error < 0.65 * off.max_abs_wheel_speed_error
    assert on.peak_halfshaft_torque_Nm < 0.75 * off.peak_halfshaft_torque_Nm
    assert on.detection_latency_s <= 0.100


@pytest.mark.parametrize(("drop", "speed"), [(0.5, 40.0), (1.0, 40.0), (3.0, 40.0), (0.5, 140.0)])
def test_detection_latency_within_100_ms(d7xr: Vehicle, drop: float, speed: float) -> None:
    """Slow take-offs are the hard case: the rear wheels leave the lip last."""
    on = run_jump(d7xr, drop, speed, flight_mode=True)
    assert on.detection_latency_s <= 0.100


def test_landing_spike_scales_with_wheel_speed_mismatch(d7xr: Vehicle) -> None:
    """Flight Mode off, locked converter in 3rd: dropping the car with its wheels spun
    faster than the ground speed gives a halfshaft spike that grows with the mismatch
    below the tyre friction bound mu Fz r (the compliant halfshafts make it finite;
    physics.md §4.2)."""
    car = d7xr.with_changes(**{"flight_mode.enabled": False})
    peaks = []
    for mismatch in (0.1, 0.2, 0.3, 0.45):
        m = planned_model(car, straight_stage(2000.0), initial_speed_mps=20.0)
        m.set_param("MODE", MODE_HELD)
        m["Z"] += 0.5
        m.state[STATE["ZU"] : STATE["ZU"] + 4] += 0.5
        m["GEAR"] = 3
        w = 20.0 / car.tyre.unloaded_radius_m * (1 + mismatch)
        for name in ("OMEGA", "OMEGA_SG"):
            m.state[STATE[name] : STATE[name] + 4] = w
        wt = w * car.gearbox.ratios[2] * car.gearbox.final_drive_ratio
        m["OMEGA_T"] = wt
        m["OMEGA_E"] = wt
        m["LOCKUP"] = 1.0
        m["LOCKUP_CMD"] = 1.0
        ch = m.run_for(1.0)
        contact = ch["wheels_in_contact"]
        td = int(np.argmax((contact[1:] > 0) & (contact[:-1] == 0))) + 1
        err = np.mean([ch[f"wheel_speed_{x}_radps"][td] for x in ("fl", "fr", "rl", "rr")])
        err = err * car.tyre.unloaded_radius_m / ch["speed_mps"][td] - 1.0
        peaks.append(
            (
                abs(err),
                float(
                    np.max(
                        [ch[f"halfshaft_torque_peak_{x}_Nm"][td:] for x in ("fl", "fr", "rl", "rr")]
                    )
                ),
            )
        )
    peaks.sort()
    torques = [p for _, p in peaks]
    assert all(b > a for a, b in zip(torques, torques[1:], strict=False)), peaks
    assert torques[-1] > 1.5 * torques[0]


@pytest.fixture(scope="module")
def rough_run(d7xr: Vehicle) -> tuple[int, int]:
    """20 km of whoops and rocky gravel at race speed: (false triggers, flights)."""
    definition = StageDefinition.model_validate(
        {
            "name": "rough",
            "seed": 7,
            "synthetic_route": {"length_km": 20.0, "min_radius_m": 150.0, "max_radius_m": 800.0},
            "sections": [
                {"start_km": 0.0, "end_km": 10.0, "surface": "whoops"},
                {"start_km": 10.0, "end_km": 20.0, "surface": "rocky"},
            ],
            "whoops": [{"start_km": 0.0, "end_km": 10.0, "wavelength_m": 14.0, "amplitude_m": 0.3}],
            "rocks": [{"start_km": 10.0, "end_km": 20.0, "amplitude_m": 0.06}],
        }
    )
    run = rs.simulate(d7xr, build_stage(definition))
    assert run.summary["distance_m"] > 19_900
    report = analyse_landings(run.telemetry, d7xr.tyre.unloaded_radius_m)
    return report.false_triggers, report.events.height


def test_no_false_triggers_on_whoops_and_rough_gravel(rough_run: tuple[int, int]) -> None:
    """Flight Mode entries over 20 km of whoops and rocks belong to real flights. At the
    shock-limited speed the car skims the whoops, hopping from crest to crest (hundreds
    of short flights); a few entries lack a flight. Their share varies from terrain seed
    to terrain seed: 0.7, 2.2, 0.7, 1.0, 4.7 and 2.8 % for seeds 1-5 and 7 (2.1 % pooled
    over 1,795 flights; issue 27). The limit of 5 % is the top of that spread: one seed
    above it is a detector that fires on rough ground, not the luck of one terrain. (0 of
    ~20 before the ride/shock-limited plan, when the car crossed them slower.)"""
    false, flights = rough_run
    assert flights >= 20  # the car really flies there
    assert false <= 0.05 * flights, (false, flights)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["jump", "--height-m", "-1", "--speed-kmh", "80"], "--height-m=-1"),
        (["jump", "--height-m", "2", "--speed-kmh", "400"], "--speed-kmh=400"),
        (["jump", "--height-m", "2", "--speed-kmh", "80", "--flight-mode", "maybe"], "flight-mode"),
    ],
)
def test_jump_bad_input(args: list[str], needle: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_jump_cli_compares_modes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["jump", "--height-m", "2", "--speed-kmh", "90"])
    assert result.exit_code == 0, result.output
    assert "on" in result.output and "off" in result.output


def test_landings_table_has_events(d7xr: Vehicle) -> None:
    res = run_jump(d7xr, 1.5, 90.0, flight_mode=True)
    assert isinstance(res.telemetry, pl.DataFrame)
    assert set(CHANNEL_NAMES) <= set(res.telemetry.columns)
    assert res.landings >= 1


def _dune_run(d7xr: Vehicle, limit_kmh: float | None) -> tuple[int, int, int]:
    """Eight 6 m dunes (12 deg windward, 32 deg slip face) met square on: (crests, flights,
    Flight Mode false triggers), at race pace or with a speed limit over the field."""
    definition: dict[str, object] = {
        "name": "dune-hop",
        "seed": 3,
        "synthetic_route": {
            "length_km": 3.0,
            "min_radius_m": 400.0,
            "max_radius_m": 900.0,
            "elevation_amplitude_m": 0.0,
        },
        "default_surface": "dune",
        "dunes": [
            {
                "start_km": 0.5,
                "end_km": 2.5,
                "crest_spacing_m": 250.0,
                "height_m": 6.0,
                "windward_deg": 12.0,
                "slip_face_deg": 32.0,
                "crossing_angle_deg": 0.0,
                "spread": 0.0,
            }
        ],
    }
    if limit_kmh is not None:
        definition["speed_zones"] = [{"start_km": 0.3, "end_km": 2.7, "limit_kmh": limit_kmh}]
    stage = build_stage(StageDefinition.model_validate(definition))
    run = rs.simulate(d7xr, stage)
    assert run.summary["distance_m"] > 2_990
    report = analyse_landings(run.telemetry, d7xr.tyre.unloaded_radius_m)
    return len(stage.crest_s_m), report.events.height, report.false_triggers


@pytest.mark.parametrize(("limit_kmh", "flies"), [(None, True), (25.0, False)])
def test_a_drop_off_a_slip_face_is_a_flight_a_crest_rolled_over_is_not(
    d7xr: Vehicle, limit_kmh: float | None, flies: bool
) -> None:
    """At the crest speed the car gives itself the d7x-r leaves the ground off every slip
    face (8 crests, 8 flights of about 0.3 s; issue 24) and Flight Mode enters for each,
    with no entry outside a flight; rolled over at 25 km/h the crests give no flight and
    Flight Mode stays out (a tyre on the ground is no flight)."""
    crests, flights, false = _dune_run(d7xr, limit_kmh)
    assert crests == 8
    assert false == 0
    assert (flights >= crests) if flies else (flights == 0)


def test_no_false_triggers_on_the_default_stage(d7xr: Vehicle) -> None:
    """Issue 24: a tyre skimming a brink or a whoop is no flight. On the default stage
    the d7x-r meets 192 flights (measured), every one detected, and Flight Mode never
    enters outside a flight: the entry gate estimates each tyre's load from the
    suspension force and the hub accelerometer (docs/physics.md §14.4); with the
    suspension force alone it entered twice with a front tyre on the ground."""
    run = rs.simulate(d7xr, rs.load_stage("default"))
    report = analyse_landings(run.telemetry, d7xr.tyre.unloaded_radius_m)
    assert report.false_triggers == 0
    assert run.summary["flight_mode_false_triggers"] == 0
    latency = report.events["detection_latency_s"].to_numpy()
    assert report.events.height >= 100  # the car really flies there
    assert np.isfinite(latency).mean() > 0.98
