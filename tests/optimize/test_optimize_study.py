"""Setup optimizer: analytic optimum, resumable storage, determinism, physical effects."""

from __future__ import annotations

import optuna
import pytest

from raidsim.model.settings import Settings
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.optimize.params import build_ranges
from raidsim.optimize.study import (
    Constraints,
    evaluate,
    puncture_penalty_s,
    run_study,
    sensitivities,
)
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import SURFACE_CODE
from raidsim.sim.qss import estimate, rolling_radius_m, surface_table
from raidsim.sim.qss.forward import SURF_COMPACTION


@pytest.fixture(scope="module")
def two_speed(d7xr: Vehicle) -> Vehicle:
    """D7X-R with a 2-speed box: top gear spends part of the run on the 750 N m plateau,
    so stage time falls strictly with final drive until the limiter speed needs more
    than the usable engine speed in top gear."""
    return d7xr.with_changes(
        **{"gearbox.ratios": [1.6, 1.25], "gearbox.efficiencies": [0.97, 0.98]}
    )


def analytic_final_drive(car: Vehicle) -> float:
    """FD* with v_plan / r_d x i_top x FD* = omega_max.

    v_plan: the plan's limiter speed, the limiter's set speed (sim.plan.build_route_arrays);
    omega_max: the highest engine speed the QSS uses in any gear, min(upshift_rpm_full,
    rev_limit_rpm) (sim.qss.full_load_tables); r_d: the QSS rolling radius. Below FD* the car
    reaches v_plan and a larger FD gives more force on the torque plateau (shorter time);
    above it top gear runs out of revs below v_plan (longer time): FD* is the optimum.
    """
    gb = car.gearbox
    assert car.limiter.speed_limit_kmh is not None
    omega = min(gb.upshift_rpm_full, car.engine.rev_limit_rpm) * RPM_TO_RADPS
    v_plan = car.limiter.speed_limit_kmh / 3.6
    return omega * rolling_radius_m(car) / (v_plan * gb.ratios[-1])


def test_final_drive_optimum_on_a_straight_within_2_percent(two_speed: Vehicle) -> None:
    stage = straight_stage(5000.0)
    fd_star = analytic_final_drive(two_speed)
    assert 3.0 < fd_star < 6.0  # inside the engineering range
    # the plan's ceiling is the limiter speed assumed above
    plan = estimate(two_speed, stage).target_speed_mps.max()
    assert plan == pytest.approx((two_speed.limiter.speed_limit_kmh or 0.0) / 3.6)

    def t(fd: float) -> float:
        return estimate(two_speed.with_changes(final_drive=fd), stage).summary["stage_time_s"]

    assert t(0.9 * fd_star) > t(0.99 * fd_star) < t(1.03 * fd_star)
    ranges = build_ranges(two_speed, ["final_drive"])
    res = run_study(two_speed, [stage], ranges, n_trials=40, seed=0, with_sensitivity=False)
    assert res.best_setup["final_drive"] == pytest.approx(fd_star, rel=0.02)
    assert res.best.time_s <= res.baseline.time_s


def test_restarted_study_continues_without_repeating(d7xr: Vehicle, tmp_path) -> None:
    stage = straight_stage(2000.0, surface="sand_firm")
    ranges = build_ranges(d7xr, ["final_drive", "tyre_pressure_rear_bar"])
    storage = f"sqlite:///{tmp_path / 'study.db'}"

    def interrupt(n: int) -> None:
        if n == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_study(d7xr, [stage], ranges, n_trials=12, seed=1, storage=storage, on_trial=interrupt)
    first = optuna.load_study(study_name="raidsim-d7x-r-time", storage=storage)
    done_before = [t for t in first.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done_before) == 5

    calls: list[int] = []
    res = run_study(
        d7xr, [stage], ranges, n_trials=12, seed=1, storage=storage, on_trial=calls.append
    )
    assert len(calls) == 7  # only the missing trials ran
    assert res.n_complete == 12 and res.n_new_trials == 7
    trials = [t for t in res.study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    keys = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(keys)) == len(keys)  # no setup evaluated twice
    for old in done_before:  # finished trials kept as they were
        assert res.study.trials[old.number].params == old.params
        assert res.study.trials[old.number].value == old.value
    # a third call with the same target runs nothing
    again = run_study(d7xr, [stage], ranges, n_trials=12, seed=1, storage=storage)
    assert again.n_new_trials == 0


def test_same_seed_same_study(d7xr: Vehicle) -> None:
    stage = straight_stage(1500.0, surface="gravel")
    ranges = build_ranges(d7xr, ["final_drive", "fuel_load_L"])
    a = run_study(d7xr, [stage], ranges, n_trials=8, seed=7, with_sensitivity=False)
    b = run_study(d7xr, [stage], ranges, n_trials=8, seed=7, with_sensitivity=False)
    assert [t.params for t in a.study.trials] == [t.params for t in b.study.trials]
    assert a.best_setup == b.best_setup


def test_qss_responds_to_the_physical_setup_effects(d7xr: Vehicle) -> None:
    settings = Settings()
    sand = SURFACE_CODE["sand_soft"]
    soft = surface_table(d7xr.with_changes(tyre_pressure_front_bar=0.8), settings)
    hard = surface_table(d7xr.with_changes(tyre_pressure_front_bar=2.4), settings)
    assert soft[SURF_COMPACTION, sand] < hard[SURF_COMPACTION, sand]  # low pressure: less sinkage
    stage = straight_stage(3000.0, surface="gravel")
    light = estimate(d7xr.with_changes(fuel_load_L=100.0), stage).summary["stage_time_s"]
    full = estimate(d7xr.with_changes(fuel_load_L=550.0), stage).summary["stage_time_s"]
    assert light < full  # fuel mass costs time


def test_damper_clicks_reported_as_no_effect_in_qss(d7xr: Vehicle) -> None:
    stage = straight_stage(1000.0)
    ranges = build_ranges(d7xr, ["damper_clicks_front", "fuel_load_L"])
    sens = {
        s.name: s
        for s in sensitivities(
            d7xr, [stage], ranges, {"damper_clicks_front": 0, "fuel_load_L": 300}
        )
    }
    assert sens["damper_clicks_front"].no_effect
    assert not sens["fuel_load_L"].no_effect and sens["fuel_load_L"].dtime_per_unit_s > 0


def test_puncture_penalty_rises_as_pressure_falls(d7xr: Vehicle) -> None:
    km = {"rocky": 100.0, "gravel": 200.0}
    pens = [
        puncture_penalty_s(
            d7xr.with_changes(tyre_pressure_front_bar=p, tyre_pressure_rear_bar=p), km
        )
        for p in (2.4, 1.8, 1.2, 0.9, 0.7)
    ]
    assert all(b > a for a, b in zip(pens, pens[1:], strict=False))
    fewer = d7xr.with_changes(**{"chassis.spare_wheels": 0})
    assert puncture_penalty_s(fewer, km) > puncture_penalty_s(d7xr, km)


def test_fuel_reserve_constraint_holds_at_the_optimum(d7xr: Vehicle) -> None:
    stage = straight_stage(3000.0, surface="gravel")
    ranges = build_ranges(d7xr, ["fuel_load_L"])
    res = run_study(
        d7xr,
        [stage],
        ranges,
        n_trials=25,
        seed=3,
        constraints=Constraints(20.0, 60.0),
        with_sensitivity=False,
    )
    need = 0.20 * d7xr.fuel.tank_capacity_L
    assert res.best.feasible and res.best.fuel_reserve_L >= need
    # lighter is faster: the optimum sits near the constraint, far below a full tank
    assert res.best_setup["fuel_load_L"] < 0.5 * d7xr.fuel.tank_capacity_L
    # the QSS reports derate time (its heat pass): the constraint is evaluated, not ignored
    assert res.best.derate_s == 0.0
    assert not any("derate" in n for n in res.notes)


def test_time_plus_risk_prefers_higher_pressure_than_time(d7xr: Vehicle) -> None:
    stage = straight_stage(3000.0, surface="rocky")
    car = d7xr.with_changes(tyre_pressure_front_bar=0.9, tyre_pressure_rear_bar=0.9)
    t = evaluate(car, [stage], "time")
    tr = evaluate(car, [stage], "time+risk")
    assert tr.risk_s > 0 and tr.objective_s == pytest.approx(t.time_s + tr.risk_s)
