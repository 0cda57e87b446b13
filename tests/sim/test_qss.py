"""QSS estimator: analytic cases, outputs, CLI, and agreement with the transient tier."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from scipy.integrate import solve_ivp
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.estimate import estimate_command
from raidsim.model.ambient import Ambient
from raidsim.model.derived import geometry, restrictor_cap_W, tyre_lateral_mu
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACE_TABLE
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.route.scenarios import circle_stage, straight_stage
from raidsim.sim.qss import QssResult, estimate

DATA = Path(__file__).parent / "data"
G = 9.80665


@pytest.fixture(scope="module")
def default_estimate(d7xr: Vehicle) -> QssResult:
    return estimate(d7xr, rs.load_stage("default"))


# ---------------------------------------------------------------- analytic cases
def test_straight_flat_matches_integrated_full_throttle_run(d7xr: Vehicle) -> None:
    """Above the lock-up region the profile is the ODE m_eff dv/dt = F_drive - F_res,
    integrated here independently (solve_ivp) from the QSS speed at 60 km/h to the
    limiter: F_drive = max over locked gears of min(T_prod, P_cap/w) i eta eta_t / r_d,
    F_res = hard-road rolling resistance + aero, m_eff = m + sum J / r_d^2."""
    stage = straight_stage(4000.0, surface="hard")
    ambient = Ambient()
    settings = Settings()
    res = estimate(d7xr, stage, ambient, settings)

    geo = geometry(d7xr)
    r0 = d7xr.tyre.unloaded_radius_m
    rd = float(np.mean(r0 - (r0 - geo.loaded_radius_m) / 3.0))
    gb, e, d = d7xr.gearbox, d7xr.engine, d7xr.driveline
    ratios = np.array(gb.ratios) * gb.final_drive_ratio * gb.transfer_ratio
    eff = np.array(gb.efficiencies) * d.axle_efficiency
    p_cap = restrictor_cap_W(d7xr, ambient)
    eta_t = settings.driver.qss_tractive_efficiency["hard"]
    j_in = e.inertia_kgm2 + d7xr.converter.turbine_inertia_kgm2
    j_w = 4.0 * (d7xr.tyre.spin_inertia_kgm2 + d.side_gear_inertia_kgm2)
    m = d7xr.total_mass_kg
    p_bar = np.array([d7xr.tyre_pressure_front_bar] * 2 + [d7xr.tyre_pressure_rear_bar] * 2)
    loads = geo.static_tyre_load_N
    k_aero = 0.5 * ambient.air_density_kg_per_m3 * d7xr.aero.drag_area_m2
    w_up = gb.upshift_rpm_full * RPM_TO_RADPS

    def accel(v: float) -> float:
        best, m_eff = -1.0, m
        for g in range(1, gb.n_gears):  # locked gears (2nd and up)
            w = v / rd * ratios[g]
            if w > w_up:
                continue
            t = min(np.interp(w / RPM_TO_RADPS, e.torque_curve_rpm, e.torque_curve_Nm), p_cap / w)
            f = t * ratios[g] * eff[g] / rd
            if f > best:
                best, m_eff = f, m + (j_w + j_in * ratios[g] ** 2) / rd**2
        kmh = v * 3.6
        roll = float(np.sum(loads * (0.005 + (0.01 + 0.0095 * (kmh / 100.0) ** 2) / p_bar)))
        return (eta_t * best - roll - k_aero * v * v) / m_eff

    i0 = int(np.argmax(res.speed_mps >= 60.0 / 3.6))
    v_lim = res.target_speed_mps.max()
    i1 = int(np.argmax(res.speed_mps >= v_lim - 0.5))
    assert 0 < i0 < i1, "the car must reach the limiter on the straight"
    s_eval = res.s_m[i0 : i1 + 1]
    sol = solve_ivp(
        lambda s, y: [accel(y[0]) / y[0]],
        (s_eval[0], s_eval[-1]),
        [res.speed_mps[i0]],
        t_eval=s_eval,
        rtol=1e-8,
        atol=1e-8,
    )
    np.testing.assert_allclose(res.speed_mps[i0 : i1 + 1], sol.y[0], rtol=5e-3)
    # and the time to cover that distance agrees (dt = ds / v)
    t_ode = np.trapezoid(1.0 / sol.y[0], s_eval)
    assert res.time_s[i1] - res.time_s[i0] == pytest.approx(t_ode, rel=5e-3)
    # then it holds the limiter to the end
    assert res.speed_mps[-100:] == pytest.approx(v_lim, abs=1e-9)


@pytest.mark.parametrize("radius_m", [60.0, 150.0])
def test_circle_speed_is_grip_limited(d7xr: Vehicle, radius_m: float) -> None:
    """v = sqrt(grip_usage mu_surface mu_tyre g / kappa) with the model's effective grip."""
    stage = circle_stage(radius_m, laps=2.0, surface="gravel")
    settings = Settings()
    res = estimate(d7xr, stage, settings=settings)
    mu = SURFACE_TABLE["gravel"].mu_scale * tyre_lateral_mu(d7xr)
    v_expected = math.sqrt(settings.driver.grip_usage["gravel"] * mu * G * radius_m)
    assert v_expected < (d7xr.limiter.speed_limit_kmh or 400.0) / 3.6  # grip, not limiter
    half = len(res.speed_mps) // 2
    np.testing.assert_allclose(res.speed_mps[half:], v_expected, rtol=1e-6)


def test_grade_slows_the_climb(d7xr: Vehicle) -> None:
    """Power-limited at the limiter speed: a 10 % climb lowers the speed reached."""
    flat = estimate(d7xr, straight_stage(3000.0, surface="gravel"))
    climb = estimate(d7xr, straight_stage(3000.0, grade=0.10, surface="gravel"))
    assert climb.speed_mps[-1] < flat.speed_mps[-1] - 2.0
    assert climb.summary["fuel_used_L"] > flat.summary["fuel_used_L"]


# ---------------------------------------------------------------- outputs
def test_profile_arrays_and_summary(default_estimate: QssResult) -> None:
    r = default_estimate
    n = len(r.s_m)
    for arr in (r.speed_mps, r.time_s, r.gear, r.fuel_used_kg, r.engine_power_kW):
        assert arr.shape == (n,) and np.all(np.isfinite(arr))
    assert np.all(np.diff(r.time_s) > 0.0)
    assert np.all(np.diff(r.fuel_used_kg) >= 0.0)
    assert np.all(r.speed_mps <= r.target_speed_mps + 1e-9)
    assert set(np.unique(r.gear)) <= set(range(1, 9))
    s = r.summary
    assert s["stage_time_s"] == pytest.approx(r.time_s[-1])
    assert s["avg_speed_kmh"] == pytest.approx(s["distance_m"] / s["stage_time_s"] * 3.6)
    assert s["jumps"] == 4  # the default stage's four jumps
    assert s["brake_energy_MJ"] > 0.0
    assert 40.0 < s["avg_speed_kmh"] < 130.0


def test_to_parquet_round_trip(default_estimate: QssResult, tmp_path: Path) -> None:
    path = default_estimate.to_parquet(tmp_path / "qss" / "default.parquet")
    frame = pl.read_parquet(path)
    assert frame.height == len(default_estimate.s_m)
    assert frame["speed_mps"].to_numpy() == pytest.approx(default_estimate.speed_mps)
    assert not list(tmp_path.glob("qss/*.partial"))


def test_hotter_thinner_air_is_slower(d7xr: Vehicle) -> None:
    stage = rs.load_stage(DATA / "gravel_30km.toml")
    cool = estimate(d7xr, stage, Ambient(temp_C=20.0))
    hot = estimate(d7xr, stage, Ambient(temp_C=45.0, altitude_m=1500.0))
    assert hot.summary["stage_time_s"] > cool.summary["stage_time_s"]


# ---------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("estimate")(estimate_command)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps "estimate" as a sub-command
        pass

    return app


def test_cli_estimate_table_and_profile(cli: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "p.parquet"
    result = runner.invoke(
        cli, ["estimate", "default", "--setup", "final_drive=4.3", "--profile", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "default" in result.output and "coolant" in result.output
    assert "n/a" not in result.output  # heat comes with the QSS now
    assert out.is_file()


@pytest.mark.parametrize(
    ("setup", "needle"),
    [("no_such_key=1", "no_such_key"), ("tyre_pressure_front_bar=9", "tyre_pressure_front_bar")],
)
def test_cli_bad_setup_exits_2(cli: typer.Typer, setup: str, needle: str) -> None:
    result = CliRunner().invoke(cli, ["estimate", "default", "--setup", setup])
    assert result.exit_code == 2
    assert needle in result.output


def test_cli_rally_has_a_row_per_stage_and_totals(cli: typer.Typer) -> None:
    catalogue = pytest.importorskip("raidsim.route.catalogue")
    if "dakar-2026" not in catalogue.rally_names():
        pytest.skip("dakar-2026 catalogue not shipped")
    rally = catalogue.load_rally("dakar-2026")
    result = CliRunner().invoke(cli, ["estimate", "dakar-2026"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for day in rally.stages:
        assert day.label in result.output
    assert "total" in result.output


def test_cli_unknown_stage_exits_2(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["estimate", "nowhere-stage"])
    assert result.exit_code == 2


# ---------------------------------------------------------------- vs transient
CALIBRATION_STAGES = [
    "default",
    str(DATA / "gravel_30km.toml"),
    str(DATA / "dunes_20km.toml"),
    str(DATA / "rocky_20km.toml"),
]


@pytest.fixture(scope="module")
def tier_comparison(d7xr: Vehicle) -> list[dict[str, float | str]]:
    from raidsim.sim.runner import simulate

    rows: list[dict[str, float | str]] = []
    for name in CALIBRATION_STAGES:
        stage = rs.load_stage(name)
        tr = simulate(d7xr, stage).summary
        q = estimate(d7xr, stage).summary
        rows.append(
            {
                "stage": stage.name,
                "time_tr": tr["stage_time_s"],
                "time_qss": q["stage_time_s"],
                "fuel_tr": tr["fuel_used_L"],
                "fuel_qss": q["fuel_used_L"],
                "coolant_tr": tr["max_coolant_C"],
                "coolant_qss": q["max_coolant_C"],
                "oil_tr": tr["max_oil_C"],
                "oil_qss": q["max_oil_C"],
                "filter_tr": tr["final_filter_loading"],
                "filter_qss": q["final_filter_loading"],
            }
        )
    return rows


@pytest.mark.slow
def test_qss_agrees_with_transient(tier_comparison: list[dict[str, float | str]]) -> None:
    """On the four contrasting stages the QSS was fitted on (its tractive efficiency;
    the stages it was not fitted on: tests/sim/qss/test_estimate.py), stage time within
    2 % and fuel within 3.5 % of the transient tier, as the README states (measured: time
    -0.9 to +1.1 %, fuel -3.1 to +3.1 %; before issue 24 the QSS held the tyres at their
    peak slip and was 5.8 % slow on the dunes)."""
    print("\nstage        time tr s  time qss s   diff   fuel tr L  fuel qss L   diff")
    worst_t = worst_f = 0.0
    for r in tier_comparison:
        dt = float(r["time_qss"]) / float(r["time_tr"]) - 1.0
        df = float(r["fuel_qss"]) / float(r["fuel_tr"]) - 1.0
        worst_t, worst_f = max(worst_t, abs(dt)), max(worst_f, abs(df))
        print(
            f"{r['stage']:<12} {r['time_tr']:>9.1f} {r['time_qss']:>11.1f} {dt:>+6.1%}"
            f" {r['fuel_tr']:>11.2f} {r['fuel_qss']:>11.2f} {df:>+6.1%}"
        )
    assert worst_t < 0.02 and worst_f < 0.035


@pytest.mark.slow
def test_qss_heat_agrees_with_transient(tier_comparison: list[dict[str, float | str]]) -> None:
    """The same thermal step on the QSS trace: coolant and oil peaks within 2 C, the sand
    filter's final loading within 10 % (35 C, four contrasting stages). Where the stage has
    dune fields the oil may run up to 6 C under the transient's: the QSS has no tyre slip
    and no lock-up clutch slip, and both heat the transmission oil in the run-ups between
    crests (docs/physics.md §14.3, a known limit of the QSS tier)."""
    for r in tier_comparison:
        oil_tol = 6.0 if r["stage"] in ("default", "dunes-20") else 2.0
        assert float(r["coolant_qss"]) == pytest.approx(float(r["coolant_tr"]), abs=2.0), r
        assert float(r["oil_qss"]) == pytest.approx(float(r["oil_tr"]), abs=oil_tol), r
        assert float(r["filter_qss"]) == pytest.approx(float(r["filter_tr"]), rel=0.10), r


# ---------------------------------------------------------------- bogging down (§14.3)
def test_a_car_that_cannot_beat_grade_and_sand_bogs_down_and_pays_for_it(d7xr: Vehicle) -> None:
    """Five 25 m dunes with 25 deg windward faces: the d7x-r climbs them; the same car with
    30 % of its torque runs out of momentum on every face, and each bog-down costs at
    least the retry (stop, back down the run-up and come again) on top of the crawl."""
    from raidsim.route.stage import DuneField, StageDefinition, SyntheticRoute
    from raidsim.route.terrain import build_stage
    from raidsim.sim.qss.forward import BOG_RECOVERY_S, BOG_REVERSE_MPS, BOG_RUNUP_M, bog_retry_s

    route = SyntheticRoute(length_km=3.0, straight_m=(4000.0, 5000.0), elevation_amplitude_m=0.0)
    field = DuneField(
        start_km=0.5,
        end_km=2.5,
        crest_spacing_m=400.0,
        height_m=25.0,
        windward_deg=25.0,
        spread=0.0,
    )
    stage = build_stage(
        StageDefinition(
            name="bog", seed=1, synthetic_route=route, default_surface="dune", dunes=[field]
        )
    )
    assert len(stage.crest_s_m) == 5
    strong = estimate(d7xr, stage).summary
    torque = [0.3 * t for t in d7xr.engine.torque_curve_Nm]
    weak = estimate(d7xr.with_changes(**{"engine.torque_curve_Nm": torque}), stage).summary
    assert strong["bog_downs"] == 0 and strong["bog_time_s"] == 0.0
    assert weak["bog_downs"] == 5
    assert weak["bog_time_s"] > 5 * bog_retry_s(0.0)
    assert weak["stage_time_s"] > strong["stage_time_s"] + weak["bog_time_s"]
    # where the time goes names them: the retries and crawls booked to the bog-downs
    # (their time less the same metres flat out), the climbs' crests to the crest term
    assert "bog_down" not in strong["time_loss"]["loss_s"]
    booked = weak["time_loss"]["loss_s"]["bog_down"]
    assert 0.95 * weak["bog_time_s"] < booked < weak["bog_time_s"]
    assert strong["time_loss"]["loss_s"]["crest"] > 0.0
    assert bog_retry_s(10.0) == BOG_RECOVERY_S + 2.0 * (10.0 + BOG_RUNUP_M) / BOG_REVERSE_MPS
