"""Tests for raidsim.report: decimation, landing/split tables, the HTML file, the command."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.report import report_command
from raidsim.decimate import distance_indices, minmax_indices
from raidsim.io.runs import RunData, WaypointMarker, load_run, time_at_distance
from raidsim.io.telemetry import TelemetryFile
from raidsim.report import html
from raidsim.report.analysis import Flight, delta_time, find_flights, split_marks, split_times
from raidsim.report.html import build_report
from raidsim.report.stream import digest_run
from raidsim.route import scenarios

MB = 1_000_000


def _tel(contact: list[float], rate: float = 100.0) -> pl.DataFrame:
    n = len(contact)
    hs = np.zeros(n)
    hs[-1] = 1000.0
    return pl.DataFrame(
        {
            "time_s": (np.arange(n) + 1) / rate,
            "distance_m": np.arange(n) * 0.3,
            "speed_mps": np.full(n, 30.0),
            "wheels_in_contact": contact,
            **{
                f"halfshaft_torque_{w}_Nm": hs * (k + 1)
                for k, w in enumerate(("fl", "fr", "rl", "rr"))
            },
        }
    )


def test_flights_need_at_least_a_tenth_of_a_second_airborne() -> None:
    contact = (
        [4.0] * 10 + [0.0] * 9 + [2.0] * 10 + [0.0] * 10 + [4.0] * 20 + [0.0] * 30 + [4.0] * 120
    )
    flights = find_flights(_tel(contact))
    assert [f.air_time_s for f in flights] == [pytest.approx(0.1), pytest.approx(0.3)]
    assert flights[0].takeoff_time_s == pytest.approx(0.30)
    assert flights[1].peak_halfshaft_torque_Nm == 0.0  # the spike is > 1 s after touchdown
    late = find_flights(_tel([4.0] * 10 + [0.0] * 20 + [4.0] * 50))
    assert late[0].peak_halfshaft_torque_Nm == 4000.0 and late[0].peak_wheel == "rr"
    assert find_flights(pl.DataFrame({"time_s": [0.0, 1.0]})) == []


def test_splits_and_delta_time() -> None:
    t = np.arange(0, 2001, 1.0)
    a = pl.DataFrame({"time_s": t, "distance_m": t * 20.0})  # 20 m/s, 40 km
    b = pl.DataFrame({"time_s": t, "distance_m": t * 16.0})  # 16 m/s, 32 km
    splits = split_times(a)
    assert [s.label for s in splits] == ["10 km", "20 km", "30 km", "40 km"]
    assert [s.time_s for s in splits] == pytest.approx([500, 1000, 1500, 2000])
    assert np.isnan(split_times(b, until_m=40_000)[-1].time_s)
    grid, dt = delta_time(a, b, n_points=101)
    assert grid[-1] == pytest.approx(32_000)
    np.testing.assert_allclose(dt, grid / 16 - grid / 20, atol=1e-9)


def _plot_divs(text: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', text))


def test_report_is_self_contained(short_runs: list[Path], tmp_path: Path) -> None:
    runs = [load_run(d) for d in short_runs]
    path = build_report(runs, tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    assert text.count("<script") == 1 + _plot_divs(text)  # plotly.js once, then one per plot
    assert not re.search(r"<script[^>]+src=", text) and "<link" not in text
    assert "cdn.plot.ly" not in text.split("</head>", 1)[1]
    # map, comparison, gain by limit; per run: time loss, limits map, channels, operating
    assert _plot_divs(text) == 11
    assert "seed0" in text and "seed1" in text and "time delta to seed0" in text
    assert "WPM" in text and "10 km" in text  # split rows
    assert "Landings" in text and "peak |halfshaft torque|" in text
    assert len(find_flights(runs[0].telemetry)) >= 1


def test_single_run_has_no_comparison(short_runs: list[Path], tmp_path: Path) -> None:
    text = build_report([load_run(short_runs[0])], tmp_path / "r.html").read_text("utf-8")
    assert _plot_divs(text) == 5 and "Comparison" not in text


def test_report_command(short_runs: list[Path], tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("report")(report_command)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    result = runner.invoke(app, ["report", *map(str, short_runs)])
    assert result.exit_code == 0, result.output
    assert (short_runs[0] / "report.html").is_file()
    out = tmp_path / "sub" / "x.html"
    assert runner.invoke(app, ["report", str(short_runs[1]), "-o", str(out)]).exit_code == 0
    assert out.is_file()
    bad = runner.invoke(app, ["report", str(tmp_path / "missing")])
    assert bad.exit_code == 2 and "not found" in bad.output


@pytest.mark.slow
def test_big_run_report_under_20_mb(big_run: RunData, tmp_path: Path) -> None:
    assert big_run.telemetry.height == 288_000
    assert big_run.telemetry["distance_m"][-1] > 700_000
    t0 = time.perf_counter()
    path = build_report([big_run], tmp_path / "big.html")
    size = path.stat().st_size
    print(f"800 km report: {size / MB:.1f} MB, built in {time.perf_counter() - t0:.1f} s")
    assert size < 20 * MB
    text = path.read_text("utf-8")
    for name in ("coolant [°C]", "oil [°C]", "brake disc rr [°C]", "fuel [L]", "flight mode state"):
        assert f'"name":{json.dumps(name)}' in text


# --------------------------------------------------------------------------- streaming
class _SmallBatches(TelemetryFile):
    """The run's file read 1,009 rows at a time (every accumulator crosses batches)."""

    def batches(
        self, columns: Sequence[str] | None = None, batch_rows: int = 1009
    ) -> Iterator[pl.DataFrame]:
        return super().batches(columns, batch_rows=1009)


def test_streamed_digest_equals_the_whole_frame(short_runs: list[Path]) -> None:
    """One pass over small batches gives the traces, map path, splits and flights that the
    whole-array functions give on the loaded frame (slow channels over their own samples)."""
    run = load_run(short_runs[0])
    tel = run.telemetry
    scales = {"speed_mps": 3.6, "coolant_C": 1.0, "gear": 1.0, "halfshaft_torque_rr_Nm": 1.0}
    marks = [1000.0, 6000.0, 11_999.0, 50_000.0]
    grid = np.linspace(0.0, 12_000.0, 777)
    digest = digest_run(
        run,
        scales,
        300,
        split_marks_m=marks,
        delta_grid_m=grid,
        waypoints_m=[6000.0],
        path_columns=("x_m", "y_m", "speed_mps"),
        source=_SmallBatches(short_runs[0] / "telemetry.parquet"),
    )
    for name, scale in scales.items():
        sub = tel.filter(pl.col(name).is_not_null())
        y = sub[name].cast(pl.Float64).to_numpy() * scale
        idx = minmax_indices(y, 300)
        np.testing.assert_array_equal(digest.traces[name][1], y[idx], err_msg=name)
        np.testing.assert_array_equal(
            digest.traces[name][0], sub["distance_m"].to_numpy()[idx] / 1000.0, err_msg=name
        )
    coolant_samples = tel.filter(pl.col("coolant_C").is_not_null()).height
    assert 5 * coolant_samples < tel.height  # 10 Hz against 100 Hz
    assert digest.path is not None
    idx = distance_indices(tel["distance_m"].to_numpy(), 300)
    np.testing.assert_array_equal(digest.path["x_m"], tel["x_m"].to_numpy()[idx])
    np.testing.assert_array_equal(digest.split_times_s, time_at_distance(tel, marks))
    np.testing.assert_array_equal(digest.delta_times_s, time_at_distance(tel, grid))
    assert np.isnan(digest.split_times_s[-1])  # 50 km: not reached
    assert digest.flights == find_flights(tel) and len(digest.flights) >= 1
    assert digest.flights == find_flights(run.source)


def test_report_of_an_in_memory_run_matches_the_file(tmp_path: Path) -> None:
    """A run made without an output directory reports from its frame, with the same
    landing and split tables as its file."""
    car = rs.load_vehicle("d7x-r")
    stage_short = scenarios.jump_stage(1.0, 70.0)
    mem = rs.simulate(car, stage_short)
    disk = rs.simulate(car, stage_short, out_dir=tmp_path / "jump")
    a = build_report([mem], tmp_path / "a.html", labels=["jump"]).read_text("utf-8")
    b = build_report([disk], tmp_path / "b.html", labels=["jump"]).read_text("utf-8")
    tables = [re.findall(r"<table.*?</table>", t, flags=re.S) for t in (a, b)]
    assert tables[0][1:] == tables[1][1:]  # splits and landings (cards differ: samples)
    assert "No flights" not in a


# ------------------------------------------------------------------- the engineer's report
def test_report_explains_where_the_time_goes(short_runs: list[Path], tmp_path: Path) -> None:
    """The card has the setup, version, heat and Flight Mode; the page has the time loss
    per section and surface, where the second run gains and why, and thermal margins."""
    runs = [load_run(d) for d in short_runs]
    summary = runs[0].summary
    assert summary["setup"]["final_drive_ratio"] == pytest.approx(4.1)
    assert summary["raidsim_version"] == rs.__version__
    assert summary["time_loss"]["reference_s"] > 0
    text = build_report(runs, tmp_path / "r.html").read_text("utf-8")
    for needle in (
        "final drive", "tyres front / rear", "damper clicks f / r", "fuel at start",
        "max coolant", "max oil", "max brake disc", "derate time", "Flight Mode false triggers",
        "altitude", "restrictor cap", f"<td>{rs.__version__}</td>",
        "Where the time goes", "Per section, every 10 km", "Per section, waypoint to waypoint",
        "Per surface: share of the distance", "Where seed1 gains on seed0", "Thermal margins",
        "where the car operated",
    ):  # fmt: skip
        assert needle in text, needle


def test_a_waypoint_on_a_10_km_marker_is_one_split_row() -> None:
    wps = [WaypointMarker("WPM 2", "WPM", 10_000.0), WaypointMarker("WPV 3", "WPV", 15_000.0)]
    marks = split_marks(wps, 20_000.0)
    assert marks == [(10_000.0, "10 km / WPM 2"), (15_000.0, "WPV 3"), (20_000.0, "20 km")]


def test_landing_table_lists_jumps_and_summarises_hops() -> None:
    def flight(air: float, km: float) -> Flight:
        return Flight(10.0, km * 1000, air, 20.0, 3000.0 * air, "rl")

    text = html._landing_table([flight(0.2, 1.0), flight(0.8, 2.0), flight(0.3, 3.0)])
    assert text.count("<tr>") == 2  # the header and the one jump
    assert "2 shorter hops" in text and "0.20-0.30 s" in text and "900 N m" in text
    assert "No flight of ≥ 0.5 s" in html._landing_table([flight(0.2, 1.0)])


def test_raidsim_run_report_has_where_the_time_goes(report_stage: Path, tmp_path: Path) -> None:
    """The report ``raidsim run`` writes while its directory still has a temporary name
    shows the time loss (the run hands its limits trace to the report)."""
    from raidsim.cli import app

    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(report_stage), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "limits.parquet").is_file()
    text = (out / "report.html").read_text("utf-8")
    assert "Where the time goes" in text and "Per surface: share of the distance" in text
