"""The crew's pace from a log (issue #15): a log of the twin on the default stage, slowed
5 % uniformly (time x 1.05, speed / 1.05), is recovered to within 1 % of stage time, and
the fitted tolerances land in the driver preset ``raidsim correlate`` writes."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.correlate import correlate_command
from raidsim.correlate.align import Origin, align
from raidsim.correlate.fit import (
    DEFAULT_FIT,
    PACE_EXPONENTS,
    FitResult,
    apply_factors,
    fit_factors,
    load_driver_settings,
)
from raidsim.correlate.logs import read_log
from raidsim.correlate.synthetic import (
    EXAMPLE_ORIGIN,
    slowed_channels,
    synthetic_channels,
    write_aim_csv,
)
from raidsim.model.settings import DriverSpec, Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.ride.limits import table_key

SLOWER = 1.05


@pytest.fixture(scope="module")
def slowed_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Stage, Vehicle, Path]:
    """The default stage, the D7X-R and a log of the twin there, slowed by ``SLOWER``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stage = rs.load_stage("default")
    vehicle = rs.load_vehicle("d7x-r")
    channels = synthetic_channels(stage, vehicle, {}, EXAMPLE_ORIGIN, seed=4)
    path = tmp_path_factory.mktemp("pace") / "slowed.csv"
    write_aim_csv(path, slowed_channels(channels, SLOWER), {"Date": "2026-01-10"})
    return stage, vehicle, path


@pytest.fixture(scope="module")
def pace_fit(slowed_log: tuple[Stage, Vehicle, Path]) -> FitResult:
    stage, vehicle, path = slowed_log
    log = read_log(path)
    return fit_factors(align(log, stage, Origin(*EXAMPLE_ORIGIN)), stage, vehicle, log=log)


def _gap_pct(model_s: float, log_s: float) -> float:
    """Model stage time over the log's, in % (negative: the model is faster)."""
    return 100.0 * (model_s / log_s - 1.0)


def test_default_fit_recovers_a_slower_crew(pace_fit: FitResult) -> None:
    res = pace_fit
    before = _gap_pct(res.before.stage_time_model_s, res.before.stage_time_log_s)
    after = _gap_pct(res.after.stage_time_model_s, res.after.stage_time_log_s)
    got = {f.name: (round(f.value, 4), round(f.ci95, 4)) for f in res.factors}
    msg = (
        f"stage time model vs slowed log: before {before:+.2f} %, after the fit "
        f"{after:+.2f} % ({res.before.stage_time_log_s:.1f} s logged); factors {got}; "
        f"RMS speed error {res.before.rms_speed_error_kmh:.2f} -> "
        f"{res.after.rms_speed_error_kmh:.2f} km/h"
    )
    print(msg)
    assert [f.name for f in res.factors] == list(DEFAULT_FIT)
    assert before < -4.0, msg  # the twin is ~5 % faster than the slowed log
    assert abs(after) < 1.0, msg
    pace = res.values()["pace"]
    assert 1.0 / SLOWER - 0.015 < pace < 1.0 / SLOWER + 0.005, msg
    assert all(0.0 < f.ci95 < 0.05 for f in res.factors), msg
    assert res.after.rms_speed_error_kmh < 0.5 * res.before.rms_speed_error_kmh, msg


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("correlate")(correlate_command)
    app.command("noop")(lambda: None)
    return app


def test_cli_writes_the_fitted_tolerances_to_the_driver_preset(
    slowed_log: tuple[Stage, Vehicle, Path], tmp_path: Path
) -> None:
    """``raidsim correlate`` (default fit, the stage by name: aligned by speed alone) writes
    the crew's fitted tolerances into ``driver-fit.toml``, loadable as a DriverSpec."""
    *_, log_path = slowed_log
    out = tmp_path / "out"
    r = CliRunner().invoke(
        _app(), ["correlate", str(log_path), "--stage", "default", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    data = tomllib.loads((out / "driver-fit.toml").read_text())
    k = data["factors"]["pace"]["value"]
    assert 0.93 < k < 0.96, r.output
    base, e = DriverSpec(), PACE_EXPONENTS
    driver = load_driver_settings(out / "driver-fit.toml")
    assert driver.absorbed_power_limit_W == pytest.approx(
        base.absorbed_power_limit_W * k ** e["ride"]
    )
    assert driver.shock_limit_g == pytest.approx(base.shock_limit_g * k ** e["shock"])
    for surface, g in base.grip_usage.items():
        assert driver.grip_usage[surface] == pytest.approx(g * k ** e["grip"])
        assert driver.decel_g[surface] == pytest.approx(base.decel_g[surface] * k ** e["brake"])
    assert driver.feature_speed_scale == pytest.approx(k ** e["features"])
    assert data["trust"]["trusted"] is True


def test_tolerance_factors_land_in_their_fields() -> None:
    v = rs.load_vehicle("d7x-r")
    base = DriverSpec()
    c = apply_factors(v, base, {"ride": 1.5, "shock": 0.8, "brake": 0.9, "features": 0.95})
    assert c.driver.absorbed_power_limit_W == pytest.approx(1.5 * base.absorbed_power_limit_W)
    assert c.driver.shock_limit_g == pytest.approx(0.8 * base.shock_limit_g)
    assert c.driver.decel_g["gravel"] == pytest.approx(0.9 * base.decel_g["gravel"])
    assert c.driver.grip_usage == base.grip_usage
    assert c.driver.feature_speed_scale == pytest.approx(0.95)
    assert c.vehicle is v  # the crew's factors leave the car alone
    # ... and the speed table: its key holds neither the tolerances nor the driver's grip
    s0 = Settings()
    s1 = s0.model_copy(update={"driver": apply_factors(v, base, {"pace": 0.9}).driver})
    assert table_key(v, s0) == table_key(v, s1)
