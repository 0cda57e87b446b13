"""raidsim.correlate: log import, distance alignment, factor recovery, CLI exit codes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.correlate import correlate_command
from raidsim.correlate.align import align, log_distance, stage_origin
from raidsim.correlate.fit import apply_factors, fit_factors, run_qss
from raidsim.correlate.logs import LogError, read_log
from raidsim.correlate.synthetic import synthetic_channels, write_aim_csv, write_example_stage
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
