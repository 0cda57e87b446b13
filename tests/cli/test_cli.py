"""End-to-end: the CLI on the default stage, and its handling of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from raidsim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "r"
    result = runner.invoke(app, ["run", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_telemetry_and_summary(default_run: Path) -> None:
    summary = json.loads((default_run / "summary.json").read_text())
    for key in (
        "stage_time_s",
        "distance_m",
        "avg_speed_kmh",
        "max_speed_kmh",
        "sim_time_s",
        "wall_time_s",
        "real_time_factor",
        "seed",
        "vehicle",
        "stage",
    ):
        assert key in summary
    assert summary["vehicle"] == "d7x-r" and summary["stage"] == "default"
    assert summary["distance_m"] == pytest.approx(50_000.0, abs=5.0)
    # a Dakar car over a mixed 50 km special: 50-110 km/h average, never above the limiter
    assert 50.0 < summary["avg_speed_kmh"] < 110.0
    assert summary["max_speed_kmh"] <= 172.0
    tel = pl.read_parquet(default_run / "telemetry.parquet")
    assert {
        "time_s",
        "distance_m",
        "speed_mps",
        "engine_speed_rpm",
        "gear",
        "throttle",
        "halfshaft_torque_fl_Nm",
    } <= set(tel.columns)
    dt = tel["time_s"].diff().drop_nulls()
    assert dt.max() == pytest.approx(0.01, abs=1e-9)  # 100 Hz
    assert tel.select(pl.all().is_nan().any()).row(0) == tuple([False] * len(tel.columns))
    assert not (default_run / "telemetry.parquet.partial").exists()
    assert (default_run / "report.html").stat().st_size > 1_000_000  # plotly inlined
    # speed zone respected (50 km/h DZ/FZ at 5.0-6.5 km, 2 km/h tolerance after entry)
    zone = tel.filter((pl.col("distance_m") > 5100) & (pl.col("distance_m") < 6500))
    assert zone["speed_mps"].max() * 3.6 < 53.0
    # units in the schema metadata
    import pyarrow.parquet as pq

    meta = pq.read_schema(default_run / "telemetry.parquet").metadata
    units = json.loads(meta[b"raidsim.units"])
    assert units["speed_mps"] == "m/s" and units["halfshaft_torque_fl_Nm"] == "N m"


def test_presets_lists_vehicles_and_stages() -> None:
    result = runner.invoke(app, ["presets"])
    assert result.exit_code == 0
    for name in ("d7x-r", "octa", "lc-gr-sport", "default"):
        assert name in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "no/such/stage.toml"], "stage file not found"),
        (["run", "no/such/route.gpx"], "route file not found"),
        (["run", "--vehicle", "hilux-t1"], "unknown vehicle 'hilux-t1'"),
        (["run", "--setup", "final_drive=40"], "gearbox.final_drive_ratio = 40"),
        (["run", "--setup", "wings=2"], "unknown setup key 'wings'"),
        (["run", "--ambient-C", "90"], "--ambient-C: value 90 is not allowed"),
    ],
)
def test_bad_input_exit_2_one_line(args: list[str], needle: str) -> None:
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 2
    text = result.output.strip()
    assert needle in text
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1


def test_out_of_range_preset_file(tmp_path: Path) -> None:
    from importlib import resources

    src = (resources.files("raidsim.model") / "presets" / "d7x-r.toml").read_text("utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(src.replace("cg_height_m = 0.85", "cg_height_m = 7.5"), encoding="utf-8")
    result = runner.invoke(app, ["run", "--vehicle", str(bad), "--quiet"])
    assert result.exit_code == 2
    assert "chassis.cg_height_m = 7.5" in result.output
    assert str(bad) in result.output.replace("\n", "")
