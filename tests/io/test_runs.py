"""Tests for raidsim.io.runs: load_run, save_run, exports and their round trips.

The run under test is written by the real ``raidsim.simulate`` on a 3 km stage with a jump,
so the Parquet layout (units and rates metadata, float32/int8 columns, the 10 Hz thermal and
fuel channels) and the full channel set are the ones users get.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli.report import export_command
from raidsim.io.csv_export import read_csv
from raidsim.io.motec import motec_channel_name, read_ld
from raidsim.io.runs import (
    ExportFormat,
    RunData,
    RunError,
    export_run,
    load_run,
    save_run,
    time_at_distance,
    waypoint_markers,
)
from raidsim.io.telemetry import FrameTelemetry, TelemetryFile
from raidsim.sim.layout import CHANNELS

STAGE_TOML = """
name = "io-test"
seed = 0
[synthetic_route]
length_km = 3.0
[[jumps]]
km = 1.0
ramp_length_m = 12.0
ramp_height_m = 1.0
drop_m = 1.0
takeoff_speed_kmh = 80.0
"""
WAYPOINTS = [
    {"km": 0.0, "kind": "DSS", "name": ""},
    {"km": 1.5, "kind": "WPV", "name": "WP1"},
    {"km": 3.0, "kind": "ASS", "name": ""},
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("io_run")
    (base / "io-test.toml").write_text(STAGE_TOML, encoding="utf-8")
    out = base / "run"
    rs.simulate(rs.load_vehicle("d7x-r"), rs.load_stage(base / "io-test.toml"), out_dir=out)
    return out


@pytest.fixture()
def run_with_waypoints(run_dir: Path, tmp_path: Path) -> Path:
    """A copy of the run whose summary lists the stage waypoints."""
    run = load_run(run_dir)
    return save_run(
        tmp_path / "wp", run.telemetry, {**run.summary, "waypoints": WAYPOINTS}, run.units
    )


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("export")(export_command)
    app.command("noop")(lambda: None)  # two commands, so "export" stays a subcommand
    return app


def test_load_run_reads_simulate_output(run_dir: Path) -> None:
    run = load_run(run_dir)
    assert run.dir == run_dir and run.name == "run"
    assert run.telemetry.columns == [c.name for c in CHANNELS]
    assert run.units == {c.name: c.unit for c in CHANNELS}
    assert run.summary["stage"] == "io-test"
    assert run.telemetry.height == pytest.approx(run.summary["stage_time_s"] * 100, abs=2)
    # also accepts the parquet file itself
    assert load_run(run_dir / "telemetry.parquet").telemetry.equals(run.telemetry)


def test_load_run_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="not found"):
        load_run(tmp_path / "missing")
    with pytest.raises(RunError, match="telemetry.parquet not found"):
        load_run(tmp_path)
    (tmp_path / "telemetry.parquet").write_bytes(b"not parquet")
    with pytest.raises(RunError, match="not a readable Parquet"):
        load_run(tmp_path)


def test_units_fall_back_to_field_metadata(run_dir: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(run_dir / "telemetry.parquet")
    pq.write_table(table.replace_schema_metadata({}), tmp_path / "telemetry.parquet")
    assert load_run(tmp_path).units == {c.name: c.unit for c in CHANNELS}
    assert load_run(tmp_path).summary == {}


def test_parquet_export_is_identical(run_dir: Path, tmp_path: Path) -> None:
    run = load_run(run_dir)
    (path,) = export_run(run, ExportFormat.parquet, tmp_path / "copy" / "telemetry.parquet")
    back = load_run(path.parent)
    assert back.telemetry.equals(run.telemetry)
    assert back.units == run.units
    assert path.read_bytes() == (run_dir / "telemetry.parquet").read_bytes()


def test_parquet_export_refuses_to_overwrite_source(run_dir: Path) -> None:
    with pytest.raises(RunError, match="own telemetry"):
        export_run(load_run(run_dir), ExportFormat.parquet, run_dir / "telemetry.parquet")


def _stored(column: pl.Series) -> np.ndarray:
    """A telemetry column as its stored values (a slow channel's nulls as NaN)."""
    return column.cast(pl.Float64).fill_null(np.nan).to_numpy()


def test_csv_export_round_trips_bit_identical(run_dir: Path, tmp_path: Path) -> None:
    run = load_run(run_dir)
    (path,) = export_run(run, ExportFormat.csv, tmp_path)
    assert path == tmp_path / "run.csv"
    table, units = read_csv(path)
    assert list(table) == run.telemetry.columns
    assert units == run.units
    for name in run.telemetry.columns:
        col = run.telemetry[name]
        got = table[name].astype(np.float64)
        if col.dtype == pl.Float32:  # float32 channels are written as float32 text
            got = got.astype(np.float32).astype(np.float64)
        np.testing.assert_array_equal(got, _stored(col), err_msg=name)
    # a 10 Hz channel has a value on every tenth row, empty cells between
    coolant = table["coolant_C"]
    assert np.isfinite(coolant[::10]).all()
    assert np.isnan(coolant).sum() == len(coolant) - run.source.count("coolant_C")


def test_ld_export_round_trips_within_float32(run_with_waypoints: Path, tmp_path: Path) -> None:
    run = load_run(run_with_waypoints)
    written = export_run(run, ExportFormat.ld, tmp_path / "stage.ld")
    assert written == [tmp_path / "stage.ld", tmp_path / "stage.ldx"]
    meta, channels = read_ld(written[0])
    assert meta.vehicle == "d7x-r" and meta.venue == "io-test"
    expected = [c for c in CHANNELS if c.name != "time_s"]
    assert [ch.name for ch in channels] == [motec_channel_name(c.name, c.unit) for c in expected]
    assert [ch.unit for ch in channels] == [c.unit for c in expected]
    # every channel at its own rate: the slow (thermal, fuel) ones at 10 Hz
    assert {ch.rate_hz for ch in channels} == {100.0, 10.0}
    for c, ch in zip(expected, channels, strict=True):
        assert ch.rate_hz == (10.0 if c.slow else 100.0), c.name
        values = run.telemetry[c.name].drop_nulls().cast(pl.Float64).to_numpy()
        np.testing.assert_array_equal(ch.data, values.astype(np.float32), err_msg=c.name)

    # beacons: one per waypoint after the start, at the .ld clock (first sample = 0)
    markers = ET.parse(written[1]).getroot().findall(".//Marker")
    assert [m.get("Name") for m in markers] == ["WP1", "ASS 3 (3 km)"]
    t0 = float(run.telemetry["time_s"][0])
    wp1 = float(time_at_distance(run.telemetry, [1500.0])[0]) - t0
    assert float(markers[0].get("Time", "nan")) == pytest.approx(wp1 * 1e6, rel=1e-12)


def test_slow_channel_reads_back_at_10_hz_with_its_unit(run_dir: Path, tmp_path: Path) -> None:
    """coolant_C is stored at 10 Hz: in the Parquet schema, through load_run, in the .ld."""
    field = pq.read_schema(run_dir / "telemetry.parquet").field("coolant_C")
    assert field.metadata[b"rate_hz"] == b"10" and field.metadata[b"unit"] == b"C"
    run = load_run(run_dir)
    assert run.rates_hz["coolant_C"] == 10.0 and run.rates_hz["speed_mps"] == 100.0
    assert run.sample_rate_hz == 100.0 and run.units["coolant_C"] == "C"
    coolant = run.channel("coolant_C")
    np.testing.assert_allclose(np.diff(coolant["time_s"].to_numpy()), 0.1, atol=1e-9)
    assert coolant["time_s"][0] == run.telemetry["time_s"][0]  # from the first sample
    assert coolant.height == -(-run.telemetry.height // 10)
    (ld,) = export_run(run, ExportFormat.ld, tmp_path / "x.ld")
    _, channels = read_ld(ld)
    ch = next(c for c in channels if c.name == motec_channel_name("coolant_C", "C"))
    assert (ch.rate_hz, ch.unit, len(ch.data)) == (10.0, "C", coolant.height)
    np.testing.assert_array_equal(ch.data, coolant["coolant_C"].to_numpy().astype(np.float32))


def test_compact_layout_dtypes(run_dir: Path) -> None:
    schema = load_run(run_dir).telemetry.schema
    names = {pl.Float64: "float64", pl.Float32: "float32", pl.Int8: "int8"}
    assert {c.name: names[schema[c.name]] for c in CHANNELS} == {c.name: c.dtype for c in CHANNELS}
    assert schema["time_s"] == pl.Float64 and schema["x_m"] == pl.Float64
    assert schema["speed_mps"] == pl.Float32 and schema["gear"] == pl.Int8


def test_streamed_exports_equal_in_memory_ones(run_dir: Path, tmp_path: Path) -> None:
    """The file read 997 rows at a time exports the same bytes as its whole frame."""

    class SmallBatches(TelemetryFile):
        def batches(
            self, columns: Sequence[str] | None = None, batch_rows: int = 997
        ) -> Iterator[pl.DataFrame]:
            return super().batches(columns, batch_rows=997)

    whole = load_run(run_dir)
    small = RunData(
        run_dir, SmallBatches(run_dir / "telemetry.parquet"), whole.summary, whole.units
    )
    memory = RunData(
        run_dir,
        FrameTelemetry(whole.telemetry, whole.units, whole.rates_hz, whole.sample_rate_hz),
        whole.summary,
        whole.units,
    )
    for fmt in (ExportFormat.csv, ExportFormat.ld):
        a = export_run(small, fmt, tmp_path / f"a.{fmt.value}")[0].read_bytes()
        b = export_run(memory, fmt, tmp_path / f"b.{fmt.value}")[0].read_bytes()
        assert a == b, fmt
    d = [5.0, 1500.0, 2999.0, 1e6]
    np.testing.assert_array_equal(
        time_at_distance(small.source, d), time_at_distance(whole.telemetry, d)
    )


def test_format_1_files_still_load_and_export(run_dir: Path, tmp_path: Path) -> None:
    """A file of the first layout (every channel float64 on every row, units only) reads
    as every channel at the grid rate."""
    tel = load_run(run_dir).telemetry.fill_null(strategy="forward").fill_null(0.0)
    table = pa.table({c: tel[c].cast(pl.Float64).to_numpy() for c in tel.columns})
    units = {c.name: c.unit for c in CHANNELS}
    table = table.replace_schema_metadata({b"raidsim.units": json.dumps(units).encode()})
    old = tmp_path / "old"
    old.mkdir()
    pq.write_table(table, old / "telemetry.parquet")
    run = load_run(old)
    assert set(run.rates_hz.values()) == {100.0} and run.units == units
    (ld,) = export_run(run, ExportFormat.ld, tmp_path / "old.ld")
    assert {ch.rate_hz for ch in read_ld(ld)[1]} == {100.0}


def test_ld_export_without_waypoints_writes_no_ldx(run_dir: Path, tmp_path: Path) -> None:
    written = export_run(load_run(run_dir), ExportFormat.ld, tmp_path / "x.ld")
    assert written == [tmp_path / "x.ld"]
    assert not (tmp_path / "x.ldx").exists()


def test_waypoints_from_shipped_stage_definition() -> None:
    marks = waypoint_markers({"stage": "default"})
    assert [m.kind for m in marks][:2] == ["DSS", "WPV"]
    assert marks[1].distance_m == 10_000.0
    assert waypoint_markers({"stage": "not-a-shipped-stage"}) == []
    assert waypoint_markers({}) == []


def test_time_at_distance_interpolates_and_flags_unreached() -> None:
    tel = pl.DataFrame({"time_s": [0.0, 1.0, 2.0, 3.0], "distance_m": [0.0, 10.0, 10.0, 30.0]})
    t = time_at_distance(tel, [5.0, 10.0, 20.0, 35.0, 100.0])
    np.testing.assert_allclose(t[:4], [0.5, 1.0, 2.0, 3.0])  # first time at 10 m is 1 s
    assert np.isnan(t[4])


def test_export_cli(run_with_waypoints: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    app = _cli()
    for fmt, suffix in (("csv", ".csv"), ("ld", ".ld"), ("parquet", ".parquet")):
        out = tmp_path / f"t{suffix}"
        result = runner.invoke(app, ["export", str(run_with_waypoints), "-f", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.is_file() and "wrote" in result.output
    result = runner.invoke(app, ["export", str(run_with_waypoints), "--format", "csv"])
    assert result.exit_code == 0 and (run_with_waypoints / "wp.csv").is_file()
    bad = runner.invoke(app, ["export", str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "not found" in bad.output
    bad_fmt = runner.invoke(app, ["export", str(run_with_waypoints), "-f", "xlsx"])
    assert bad_fmt.exit_code == 2


def test_save_run_round_trip(tmp_path: Path) -> None:
    tel = pl.DataFrame({"time_s": [0.01, 0.02], "speed_mps": [1.0, 2.0]})
    d = save_run(tmp_path / "r", tel, {"vehicle": "v"}, {"time_s": "s", "speed_mps": "m/s"})
    run = load_run(d)
    assert run.telemetry.equals(tel)
    assert run.units == {"time_s": "s", "speed_mps": "m/s"}
    assert json.loads((d / "summary.json").read_text()) == {"vehicle": "v"}


def test_correlation_reads_the_compact_telemetry(run_dir: Path) -> None:
    """``raidsim correlate`` reads a run's telemetry.parquet as a log: the mapped channels
    only, a 10 Hz channel interpolated onto the 100 Hz time base."""
    from raidsim.correlate.logs import DEFAULT_CHANNEL_MAP, read_log

    mapping = {**DEFAULT_CHANNEL_MAP, "coolant_temp_C": ["coolant_C"]}
    log = read_log(run_dir / "telemetry.parquet", mapping)
    run = load_run(run_dir)
    n = run.telemetry.height
    assert len(log.channels["time_s"]) == len(log.channels["coolant_temp_C"]) == n
    assert np.isfinite(log.channels["coolant_temp_C"]).all()
    np.testing.assert_array_equal(
        log.channels["coolant_temp_C"][::10],
        run.channel("coolant_C")["coolant_C"].cast(pl.Float64).to_numpy(),
    )
    np.testing.assert_array_equal(
        log.channels["speed_mps"], run.telemetry["speed_mps"].cast(pl.Float64).to_numpy()
    )
