"""raidsim.correlate: log import, distance alignment, factor recovery, CLI exit codes."""

from __future__ import annotations

import json
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.correlate import correlate_command
from raidsim.correlate.align import align, log_distance, stage_origin
from raidsim.correlate.fit import (
    apply_factors,
    autocorrelation_time,
    covariance,
    fit_factors,
    run_qss,
    write_driver_settings,
)
from raidsim.correlate.logs import LogError, read_log
from raidsim.correlate.synthetic import synthetic_channels, write_aim_csv, write_example_stage
from raidsim.correlate.trust import assess_trust
from raidsim.model.settings import DriverSpec

HIDDEN = {"grip": 0.9, "power": 0.95}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("corr")
    toml = write_example_stage(d, length_km=8.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stage = rs.load_stage(toml)
    origin = stage_origin(toml)
    assert origin is not None
    vehicle = rs.load_vehicle("d7x-r")
    ch = synthetic_channels(
        stage, vehicle, HIDDEN, (origin.lat_deg, origin.lon_deg), seed=2, clock_start_s=1000.0
    )
    log_path = write_aim_csv(d / "log.csv", ch, {"Date": "2026-01-10", "Time": "09:00:00"})
    return d, toml, stage, origin, vehicle, log_path


def test_aim_csv_reads_to_si(setup) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    log = read_log(log_path)
    assert log.header["Format"] == "AiM CSV File"
    assert log.log_names["speed_mps"] == "GPS Speed"
    assert log.channels["speed_mps"].max() < 60.0  # km/h converted to m/s
    assert 0.0 <= log.channels["throttle"].max() <= 1.0  # % to fraction
    assert len(log.sha256) == 64


def test_alignment_robust_to_jitter_and_time_offset(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, stage, origin, vehicle, log_path = setup
    log = read_log(log_path)  # +-5 m GPS jitter, 10 s standing start, clock from 1000 s
    r = run_qss(apply_factors(vehicle, DriverSpec(), HIDDEN), stage, None, None)
    t = log.channels["time_s"] - 1000.0 - 10.0
    s_true = np.interp(np.maximum(t, 0.0), r.time_s, r.s_m)
    s = log_distance(log, stage, origin)
    assert np.max(np.abs(s - s_true)) < 2.0
    al = align(log, stage, origin)
    t_true = np.interp(al.s_m, r.s_m, r.time_s)
    assert np.max(np.abs(al.time_s - t_true)) < 0.3  # delta-time of the true model ~ 0


def test_fit_recovers_hidden_factors(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, stage, origin, vehicle, log_path = setup
    log = read_log(log_path)
    res = fit_factors(align(log, stage, origin), stage, vehicle, ["grip", "power"], log=log)
    got = res.values()
    for name, true in HIDDEN.items():
        assert got[name] == pytest.approx(true, rel=0.02)
    assert res.after.rms_speed_error_kmh < 0.5 * res.before.rms_speed_error_kmh
    assert res.final_drive is not None and res.final_drive.value == pytest.approx(1.0, abs=0.01)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("correlate")(correlate_command)
    app.command("noop")(lambda: None)
    return app


def test_cli_writes_page_and_presets(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, toml, *_, log_path = setup
    out = tmp_path / "out"
    r = CliRunner().invoke(
        _app(),
        [
            "correlate",
            str(log_path),
            "--stage",
            str(toml),
            "--out",
            str(out),
            *("--ambient-C", "35", "--altitude-m", "0", "--headwind-mps", "0"),  # the defaults
        ],
    )
    assert r.exit_code == 0, r.output
    assert "RMS speed error" in r.output
    html = (out / "correlation.html").read_text()
    assert "plotly" in html and '<script src="http' not in html
    v = rs.load_vehicle(out / "vehicle-fit.toml")
    assert "log.csv" in v.description
    assert "log_sha256" in (out / "driver-fit.toml").read_text()


def test_missing_channel_exit_2(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    text = log_path.read_text().replace('"GPS Speed"', '"Mystery"')
    bad = tmp_path / "nospeed.csv"
    bad.write_text(text)
    r = CliRunner().invoke(_app(), ["correlate", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "speed_mps" in r.output and "GPS Speed" in r.output


def test_no_stage_needs_gps_exit_2(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    text = log_path.read_text().replace('"GPS Latitude"', '"Lat?"')
    bad = tmp_path / "nogps.csv"
    bad.write_text(text)
    r = CliRunner().invoke(_app(), ["correlate", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "lat_deg" in r.output


def test_broken_header_exit_2(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    lines = log_path.read_text().splitlines()
    units = next(i for i, line in enumerate(lines) if line.startswith('"s",'))
    bad = tmp_path / "broken.csv"
    bad.write_text("\n".join(lines[:units] + lines[units + 1 :]))  # no units row
    r = CliRunner().invoke(_app(), ["correlate", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "broken.csv" in r.output
    with pytest.raises(LogError, match="header"):
        read_log(bad)


# ------------------------------------------------------------- intervals and trust
def test_alignment_has_no_start_bias(setup) -> None:  # type: ignore[no-untyped-def]
    """GPS fixes of the car standing on the start line used to be clipped to s >= 0, which
    shifted the whole alignment ~1 m forward and biased power low by several intervals."""
    _, _, stage, origin, vehicle, log_path = setup
    log = read_log(log_path)
    r = run_qss(apply_factors(vehicle, DriverSpec(), HIDDEN), stage, None, None)
    t = log.channels["time_s"] - 1000.0 - 10.0
    s_true = np.interp(np.maximum(t, 0.0), r.time_s, r.s_m)
    err = (log_distance(log, stage, origin) - s_true)[t > 0]
    assert abs(float(np.mean(err))) < 0.2
    assert float(np.std(err)) < 0.5


def test_intervals_contain_the_hidden_factors(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, stage, origin, vehicle, log_path = setup
    log = read_log(log_path)
    res = fit_factors(align(log, stage, origin), stage, vehicle, ["grip", "power"], log=log)
    assert res.covariance is not None
    for f in res.factors:
        assert abs(f.value - HIDDEN[f.name]) <= f.ci95, (f.name, f.value, f.ci95)
        assert 0.0 < f.ci95 < 0.01
    cov = res.covariance
    ci_ess = 1.96 * np.sqrt(np.diag(cov.ess))
    ci_hac = 1.96 * np.sqrt(np.diag(cov.hac))
    assert np.allclose([f.ci95 for f in res.factors], np.maximum(ci_ess, ci_hac))
    assert cov.tau >= 1.0 and cov.bandwidth >= 50  # 250 m on the 5 m grid


def test_autocorrelation_time_white_and_ar1() -> None:
    rng = np.random.default_rng(0)
    white = rng.normal(size=20_000)
    assert autocorrelation_time(white) == pytest.approx(1.0, abs=0.1)
    rho = 0.8
    ar = np.zeros(20_000)
    for i in range(1, len(ar)):
        ar[i] = rho * ar[i - 1] + white[i]
    assert autocorrelation_time(ar) == pytest.approx((1 + rho) / (1 - rho), rel=0.2)


def test_covariance_widens_for_correlated_residuals() -> None:
    """Same Jacobian and residual size: residuals correlated along distance give wider
    intervals than white ones (both estimates), by about sqrt(tau)."""
    rng = np.random.default_rng(1)
    n = 4000
    s = np.arange(n) * 5.0
    jac = np.column_stack([np.sin(s / 400.0), np.cos(s / 900.0)])
    white = rng.normal(size=n)
    ar = np.zeros(n)
    for i in range(1, n):
        ar[i] = 0.9 * ar[i - 1] + white[i]
    ar *= np.std(white) / np.std(ar)
    c_white = covariance(jac, white, n, 5.0)
    c_ar = covariance(jac, ar, n, 5.0)
    assert c_white.tau == pytest.approx(1.0, abs=0.15)
    ratio = c_ar.ci95 / c_white.ci95
    assert np.all(ratio > 3.0) and np.all(ratio < 6.0)  # sqrt(19) ~ 4.4


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(_app(), ["correlate", *args])


def test_wrong_stage_is_refused_exit_2(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    other = write_example_stage(tmp_path / "other", "other_stage", length_km=8.0, seed=11)
    out = tmp_path / "out"
    r = _invoke(str(log_path), "--stage", str(other), "--out", str(out))
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert "cannot be trusted" in text and "from the stage's centre line" in text
    assert "--accept-untrusted" in text
    assert not out.exists()  # nothing written


def test_log_covering_one_percent_is_refused_exit_2(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, toml, *_, log_path = setup
    lines = log_path.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith('"1000.00"'))
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[: first + 150]) + "\n")  # 10 s standing + ~5 s driving
    out = tmp_path / "out"
    r = _invoke(str(short), "--stage", str(toml), "--out", str(out))
    assert r.exit_code == 2, r.output
    assert re.search(r"the log covers \d %", " ".join(r.output.split()))
    assert not out.exists()


def test_accept_untrusted_writes_trusted_false(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    *_, log_path = setup
    other = write_example_stage(tmp_path / "other", "other_stage", length_km=8.0, seed=11)
    out = tmp_path / "out"
    r = _invoke(str(log_path), "--stage", str(other), "--out", str(out), "--accept-untrusted")
    assert r.exit_code == 0, r.output
    assert "warning: UNTRUSTED correlation" in r.output
    driver = tomllib.loads((out / "driver-fit.toml").read_text())
    assert driver["trust"]["trusted"] is False and driver["trust"]["reasons"]
    report = json.loads((out / "correlation.json").read_text())
    assert report["trust"]["trusted"] is False
    v = rs.load_vehicle(out / "vehicle-fit.toml")
    assert v.description.startswith("UNTRUSTED FIT")
    assert "# trusted = false" in (out / "vehicle-fit.toml").read_text()


def test_trusted_fit_records_trusted_true(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, toml, stage, origin, vehicle, log_path = setup
    log = read_log(log_path)
    aligned = align(log, stage, origin)
    res = fit_factors(aligned, stage, vehicle, ["grip", "power"], log=log)
    trust = assess_trust(aligned, stage, log, origin, res)
    assert trust.trusted, trust.reasons
    assert trust.coverage > 0.99 and trust.off_route_median_m is not None
    assert trust.off_route_median_m < 6.0 and trust.rms_after_kmh < 2.0
    path = write_driver_settings(res, tmp_path / "driver-fit.toml", trust.as_dict())
    assert tomllib.loads(path.read_text())["trust"]["trusted"] is True
