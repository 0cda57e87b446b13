"""One test per reported problem (items 5-9 of the CLI error-path issue).

5. file-system and decode errors at the edge: exit 2, the path and what to do, nothing
   written; literal paths with rich markup;
6. (chunk verification on resume: tests/campaign/test_resume_verify.py);
7. validation messages that name the flag or file; absurd campaign sizes warned about;
8. tables readable at 80 columns, one unit vocabulary;
9. route warnings through the CLI's ``warning:`` line; a rerun into a run directory.
"""

from __future__ import annotations

import io
import json
import os
import socket
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

import raidsim
import raidsim.api
from raidsim.cli import app
from raidsim.errors import SimulationStopped

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PRESET = (resources.files("raidsim.model") / "presets" / "d7x-r.toml").read_text("utf-8")
TINY_STAGE = """\
name = "tiny"
seed = 1
[synthetic_route]
length_km = 2.0
min_radius_m = 80.0
max_radius_m = 400.0
"""


def invoke(args: list[str], **kw: Any) -> Result:
    result = runner.invoke(app, args, **kw)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def one_line(result: Result) -> str:
    text = result.output.strip()
    assert len(text.splitlines()) == 1, text
    return text


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def _no_simulation(*a: Any, **k: Any) -> Any:
    raise AssertionError("the simulation ran although --out is unusable")


# ----------------------------------------------------------------------------- item 5
@pytest.fixture
def awkward(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "file").write_text("x", "utf-8")
    sock = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    s.close()
    return {
        "existing file": tmp_path / "file",
        "/dev/null": Path("/dev/null"),
        "file/sub": tmp_path / "file" / "sub",
        "uncreatable": Path("/proc/raidsim-no-such-dir/out"),
        "socket": sock,
    }


@pytest.mark.parametrize("kind", ["existing file", "/dev/null", "file/sub", "uncreatable"])
@pytest.mark.parametrize("command", ["run", "correlate"])
def test_unusable_out_directory_exits_2_before_any_work(
    command: str,
    kind: str,
    awkward: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(raidsim.api, "simulate", _no_simulation)
    monkeypatch.chdir(tmp_path)
    out = awkward[kind]
    before = _tree(tmp_path)
    args = {
        "run": ["run", "--quiet", "--no-report", "--out", str(out)],
        "correlate": ["correlate", "no-such-log.csv", "--out", str(out)],
    }[command]
    result = invoke(args)
    assert result.exit_code == 2, result.output
    text = one_line(result)
    assert text.startswith(f"error: --out {out}: "), text
    assert "give " in text  # says what to do
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("kind", ["existing dir", "/dev/null", "socket", "file/sub"])
def test_unusable_report_file_exits_2(kind: str, awkward: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path if kind == "existing dir" else awkward[kind]
    before = _tree(tmp_path)
    result = invoke(["report", str(tmp_path / "no-run"), "--out", str(out)])
    assert result.exit_code == 2
    text = one_line(result)
    assert text.startswith(f"error: --out {out}: ") and "give " in text, text
    assert _tree(tmp_path) == before
    assert Path("/dev/null").is_char_device()  # never replaced by a regular file


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["run", "--quiet", "{f}"], "stage TOML"),
        (["estimate", "{f}"], "stage TOML"),
        (["check-regs", "{f}"], "vehicle TOML"),
        (["run", "--quiet", "--vehicle", "{f}"], "vehicle TOML"),
        (["campaign", "--workers", "0", "--crews", "{f}"], "campaign spec TOML"),
    ],
)
def test_binary_file_names_the_file(args: list[str], what: str, tmp_path: Path) -> None:
    bad = tmp_path / "bin[red].toml"
    bad.write_bytes(b"\xff\xfe\x00name = 1\x80")
    result = invoke([a.replace("{f}", str(bad)) for a in args])
    assert result.exit_code == 2
    text = one_line(result)
    assert f"{bad}: not a UTF-8 text file" in text and what in text, text
    assert "codec" not in text


def test_min_radius_above_max_radius_is_bad_input(tmp_path: Path) -> None:
    stage = tmp_path / "s.toml"
    stage.write_text(TINY_STAGE.replace("max_radius_m = 400.0", "max_radius_m = 50.0"), "utf-8")
    for command in ("stage-info", "estimate", "run"):
        result = invoke([command, str(stage)])
        assert result.exit_code == 2
        assert "min_radius_m=80 must not exceed max_radius_m=50" in one_line(result)


@pytest.mark.parametrize(
    "storage", ["notaurl", "sqlite:///{tmp}/file/study.db", "sqlite:///{tmp}/notes.txt"]
)
def test_optimize_storage_errors_name_the_flag(storage: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    (tmp_path / "notes.txt").write_text("my notes", "utf-8")
    stage = tmp_path / "s.toml"
    stage.write_text(TINY_STAGE, "utf-8")
    url = storage.replace("{tmp}", str(tmp_path))
    result = invoke(["optimize", str(stage), "--trials", "1", "--storage", url])
    assert result.exit_code == 2
    text = one_line(result)
    assert text.startswith(f"error: --storage {url}: "), text
    assert (tmp_path / "notes.txt").read_text("utf-8") == "my notes"  # not taken over


@pytest.mark.parametrize("command", ["run", "estimate", "stage-info", "optimize"])
def test_markup_closing_tag_in_a_path_is_printed_literally(command: str, tmp_path: Path) -> None:
    (tmp_path / "st[").mkdir()
    path = tmp_path / "st[" / "b]x.toml"  # "st[/b]x.toml": a rich closing tag
    result = invoke([command, str(path)])
    assert result.exit_code == 2
    assert one_line(result) == f"error: stage file not found: {path}"
    path.write_bytes(b"\x00\xff")
    assert f"{path}: not a UTF-8 text file" in one_line(invoke([command, str(path)]))


# ----------------------------------------------------------------------------- item 7
def test_negative_torque_curve_value_is_refused_at_load(tmp_path: Path) -> None:
    car = tmp_path / "car.toml"
    car.write_text(PRESET.replace("[380.0, 450.0, 750.0", "[380.0, -450.0, 750.0"), "utf-8")
    result = invoke(["run", "--quiet", "--vehicle", str(car)])
    assert result.exit_code == 2  # refused at load (it was a 12.7 s run ending as exit 3)
    text = " ".join(result.output.split())
    assert str(car) in text and "engine.torque_curve_Nm" in text and "-450.0" in text


@pytest.mark.parametrize("command", ["run", "estimate", "jump", "optimize"])
def test_binary_vehicle_names_flag_file(command: str, tmp_path: Path) -> None:
    car = tmp_path / "car.toml"
    car.write_bytes(os.urandom(32) + b"\xff")
    result = invoke([command, "--vehicle", str(car)])
    assert result.exit_code == 2
    assert f"{car}: not a UTF-8 text file" in one_line(result)


def test_absurd_campaign_warns_with_an_estimate_and_stays_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAIDSIM_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "small.toml"
    spec.write_text('stages = ["prologue"]\n', "utf-8")
    args = ["campaign", "dakar-2026", "--replicates", "1000000000", "--crews", str(spec)]
    args += ["--workers", "0", "--max-chunks", "0", "--quiet", "--out", str(tmp_path / "c")]
    result = invoke(args)  # planning 10^9 replicates used to take 45 s (no time asserted)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: 1,000,000,000 replicates x 5 crew-stages = 5,000,000,000 rows" in text
    assert "8.3 h of CPU" in text and "120.0 GB of Parquet" in text and "--max-chunks N" in text
    again = invoke(args)  # a resume lists the chunks once, not a Path per planned chunk
    assert again.exit_code == 0 and "0 computed" in again.output
    huge = invoke([*args[:3], "1" + "0" * 14, *args[4:], "--chunk-size", "1"])
    assert huge.exit_code == 2 and "--chunk-size" in huge.output


# ----------------------------------------------------------------------------- item 8
def _render(*tables: Any) -> str:
    console = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    for t in tables:
        console.print(t)
    return console.export_text()


def _assert_readable(text: str) -> None:
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_campaign_report_readable_at_80_columns(tmp_path: Path) -> None:
    from raidsim.campaign.report import campaign_report
    from raidsim.cli.campaign import render

    spec = tmp_path / "s.toml"
    spec.write_text('stages = ["prologue", "1"]\n', "utf-8")
    out = tmp_path / "c"
    args = ["campaign", "dakar-2026", "--replicates", "20", "--crews", str(spec)]
    assert invoke([*args, "--workers", "0", "--quiet", "--out", str(out)]).exit_code == 0
    report = campaign_report(out)
    text = _render(*render(report, report))
    _assert_readable(text)
    for crew in report["crews"]:
        assert crew["crew"] in text  # whole names, not "LC GR…"
    for cause in ("puncture", "navigation", "mechanical", "fuel", "penalty"):
        assert cause in text
    assert "dakar-202…" not in text and "prologue" in text


def test_optimizer_tables_readable_and_in_one_unit_vocabulary() -> None:
    from raidsim.cli.optimize import result_tables
    from raidsim.optimize.params import ENGINEERING_RANGES, build_ranges
    from raidsim.optimize.study import Evaluation, Sensitivity, StudyResult

    car = raidsim.load_vehicle("d7x-r")
    ranges = build_ranges(car, list(ENGINEERING_RANGES), {})
    setup = {p.name: p.low for p in ranges}
    ev = Evaluation(2000.0, 1999.5, 0.5, 24.5, 525.5, 0.0, (-1.0, -1.0))
    res = StudyResult(
        study=None,  # type: ignore[arg-type]
        ranges=ranges,
        objective="time",
        baseline_setup=setup,
        best_setup=setup,
        baseline=ev,
        best=ev,
        n_new_trials=1,
        n_complete=1,
        sensitivity=[
            Sensitivity(p.name, 0.1, -1.23, -0.123, p.name == "fuel_load_L") for p in ranges
        ],
    )
    tables = result_tables("d7x-r on default", res)
    text = _render(*tables)
    _assert_readable(text)
    for p in ranges:
        assert p.name in text
    setup_table = _render(tables[0])  # parameter, unit, range, baseline, best
    rows = {line.split()[0]: line.split()[1:] for line in setup_table.splitlines() if line.strip()}
    assert rows["final_drive"][0] == "1"  # dimensionless: "1", not empty
    assert rows["centre_lock_torque_Nm"][:2] == ["N", "m"]
    assert rows["spring_rate_front_N_per_m"][0] == "N/m"
    assert "no effect in QSS" in text and "punct…" not in text


def test_check_regs_readable_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    import raidsim.cli.regs as regs

    monkeypatch.setattr(regs, "console", Console(width=80, color_system=None))
    result = invoke(["check-regs", "octa"])
    assert result.exit_code == 1
    _assert_readable(result.output)
    for rule in ("speed_limiter", "tank_capacity", "tyre_size"):
        assert rule in result.output
    assert "UNSOURCED number." in result.output


def test_estimate_and_jump_tables_readable_and_units() -> None:
    from raidsim.cli.estimate import stage_table
    from raidsim.cli.run import summary_table, sweep_table

    s = {"stage": "x", "distance_m": 4.8e5, "stage_time_s": 190000.0, "avg_speed_kmh": 91.4}
    s |= {"fuel_used_L": 2461.7, "max_coolant_C": 106.1, "derate_time_s": 12.0}
    rows = [{**s, "label": "a_very_long_route_file_name_for_a_stage_2026"}, {**s, "label": "b"}]
    text = _render(stage_table("d7x-r on dakar-2026, 35 °C (QSS)", rows))
    _assert_readable(text)
    assert "52:46:40" in text and "°C" in text
    frame = pl.DataFrame(
        {
            "drop_m": [0.5],
            "speed_kmh": [40.0],
            "air_time_s": [0.15],
            "peak_torque_off_Nm": [1819.4],
            "peak_torque_on_Nm": [1777.7],
            "wheel_speed_error_off": [0.08],
            "wheel_speed_error_on": [0.06],
            "detection_latency_s": [0.05],
        }
    )
    text = _render(sweep_table("d7x-r", frame))
    _assert_readable(text)
    assert "shape:" not in text and "f64" not in text  # not polars' repr
    assert "N m" in text and "1819" in text and " 50" in text  # detection in ms
    summary = {"vehicle": "d7x-r", "stage": "default", "stage_time_s": 2188.0}
    summary |= {k: 1.0 for k in ("distance_m", "avg_speed_kmh", "max_speed_kmh", "fuel_used_L")}
    summary |= {k: 1.0 for k in ("fuel_L_per_100km", "max_coolant_C", "max_oil_C")}
    summary |= {k: 1.0 for k in ("derate_time_s", "max_brake_disc_C", "ambient_C")}
    summary |= {"max_halfshaft_torque_Nm": 3355.0, "real_time_factor": 100.0}
    text = _render(summary_table(summary))
    assert "3355 N m" in text and "Nm" not in text.replace("N m", "") and " °C" in text


# ----------------------------------------------------------------------------- item 9
def _fake_simulate(vehicle: Any, stage: Any, *a: Any, **k: Any) -> Any:
    out = Path(k["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "telemetry.parquet").write_bytes(b"new telemetry")
    summary = {"vehicle": vehicle.name, "stage": stage.name, "stage_time_s": 1.0}
    (out / "summary.json").write_text(json.dumps(summary), "utf-8")
    full = {
        k: 1.0
        for k in (
            "distance_m",
            "avg_speed_kmh",
            "max_speed_kmh",
            "fuel_used_L",
            "fuel_L_per_100km",
            "max_coolant_C",
            "max_oil_C",
            "derate_time_s",
            "max_brake_disc_C",
            "max_halfshaft_torque_Nm",
            "ambient_C",
            "real_time_factor",
        )
    }
    return SimpleNamespace(summary={**summary, **full})


def test_gpx_route_warning_is_a_cli_warning_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(raidsim.api, "simulate", _fake_simulate)
    gpx = tmp_path / "x.gpx"
    pts = "".join(
        f'<trkpt lat="{26.79 + 0.001 * i}" lon="{37.95 + 0.0003 * (i % 3)}"></trkpt>'
        for i in range(12)
    )
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{pts}</trkseg></trk></gpx>",
        "utf-8",
    )
    result = invoke(["run", str(gpx), "--quiet", "--no-report", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    warnings_ = [line for line in result.output.splitlines() if "no elevation" in line]
    assert warnings_ and all(line.startswith("warning: ") for line in warnings_), result.output
    assert "RouteWarning" not in result.output and "warnings.warn" not in result.output


def test_rerun_into_a_run_directory_refused_unless_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(raidsim.api, "simulate", _fake_simulate)
    out = tmp_path / "r"
    out.mkdir()
    for name, text in (
        ("report.html", "old"),
        ("summary.json", "{}"),
        ("telemetry.parquet", "old"),
    ):
        (out / name).write_text(text, "utf-8")
    args = ["run", str(EXAMPLES / "alula_hegra.toml"), "--quiet", "--no-report", "--out", str(out)]
    refused = invoke(args)
    assert refused.exit_code == 2
    assert "already holds files; pass --overwrite" in " ".join(refused.output.split())
    assert (out / "report.html").read_text("utf-8") == "old"

    def stopped(*a: Any, **k: Any) -> Any:
        _fake_simulate(*a, **k)  # half-written files in the staging directory ...
        raise SimulationStopped("car stuck")

    monkeypatch.setattr(raidsim.api, "simulate", stopped)
    assert invoke([*args, "--overwrite"]).exit_code == 3
    assert (out / "report.html").read_text("utf-8") == "old"  # ... the old run untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no temporary left

    monkeypatch.setattr(raidsim.api, "simulate", _fake_simulate)
    done = invoke([*args, "--overwrite"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == ["summary.json", "telemetry.parquet"]
    assert (out / "telemetry.parquet").read_bytes() == b"new telemetry"  # no old report left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", "utf-8")
    other = invoke([*args[:-1], str(foreign), "--overwrite"])
    assert other.exit_code == 2 and "raidsim did not write" in other.output
    assert (foreign / "notes.txt").read_text("utf-8") == "keep"


def test_run_help_documents_the_rerun_policy() -> None:
    result = invoke(["run", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert "--overwrite" in text and "refused unless --overwrite" in text
