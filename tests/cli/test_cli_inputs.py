"""Bad input at the edges (issue 27, "Dead ends and wrong answers at the edges"): each case
exits 2 with one line naming the flag or file, the line, the field and the value, never an
internal error (exit 70), a raw library message or a silent wrong answer."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

import raidsim.api
from raidsim.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOG = EXAMPLES / "synthetic_log.csv"
STAGE = EXAMPLES / "synthetic_stage.toml"


def invoke(args: list[str], **kw: Any) -> Result:
    result = runner.invoke(app, args, **kw)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def bad(args: list[str], *expected: str) -> str:
    """Exit 2 with one ``error:`` line holding every ``expected`` text."""
    result = invoke(args)
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.strip().splitlines() if not ln.startswith("warning:")]
    text = " ".join(" ".join(lines).split())
    assert len(lines) == 1 and text.startswith("error: "), result.output
    for part in expected:
        assert part in text, text
    assert "internal error" not in text and "Errno" not in text, text
    return text


def _no_run(*a: Any, **k: Any) -> Any:
    raise AssertionError("work started although the input is bad")


# ------------------------------------------------------------------------- batch flags
@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--sample-rate-hz", "0"], ("--sample-rate-hz: value 0 is not allowed",)),
        (["--sample-rate-hz", "nan"], ("--sample-rate-hz: value nan is not allowed",)),
        (["--seeds", "0,,1"], ("--seeds '0,,1': an empty entry between commas",)),
        (["--seeds", "4294967296"], ("--seeds '4294967296': expected seeds 0 to 4294967295",)),
        (["--ambient-C", "nan"], ("--ambient-C: value nan is not allowed", "°C")),
        (["--altitude-m", "nan"], ("--altitude-m: value nan is not allowed",)),
    ],
)
def test_batch_flags_name_the_flag(
    flags: list[str], expected: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import raidsim.batch.runner

    monkeypatch.setattr(raidsim.batch.runner, "run_batch", _no_run)
    bad(["batch", "default", "--workers", "0", "--out", str(tmp_path / "b"), *flags], *expected)
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------------- logs
def _log_lines() -> tuple[list[str], int]:
    lines = LOG.read_text("utf-8").splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith('"Time","GPS Speed"'))
    first = head + 2
    while not lines[first].strip():
        first += 1
    return lines, first


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_log_with_an_absurd_value_names_file_line_column_and_value(tmp_path: Path) -> None:
    lines, first = _log_lines()
    cells = lines[first + 500].split(",")
    cells[1] = '"1e308"'
    lines[first + 500] = ",".join(cells)
    log = _write(tmp_path / "big.csv", lines)
    bad(
        ["correlate", str(log), "--stage", str(STAGE), "--out", str(tmp_path / "c")],
        f"{log}: line {first + 501}: column 'GPS Speed' (-> speed_mps) = 1e+308 km/h",
        "must be between -1 and 150",
    )


def test_log_whose_time_goes_back_names_the_line(tmp_path: Path) -> None:
    lines, first = _log_lines()
    block = lines[first + 1000 : first + 1100]
    lines[first + 1000 : first + 1100] = block[::-1]
    log = _write(tmp_path / "rev.csv", lines)
    bad(
        ["correlate", str(log), "--stage", str(STAGE), "--out", str(tmp_path / "c")],
        f"{log}: line {first + 1002}: column 'Time' goes back from",
        "(99 such step(s))",
    )


def test_log_with_one_time_twice_and_other_values(tmp_path: Path) -> None:
    lines, first = _log_lines()
    cells = lines[first + 10].split(",")
    cells[1] = '"55.00"'
    lines.insert(first + 11, ",".join(cells))
    log = _write(tmp_path / "twice.csv", lines)
    bad(
        ["correlate", str(log), "--stage", str(STAGE), "--out", str(tmp_path / "c")],
        f"{log}: line {first + 12}: time 32401.0 s again, with other values",
    )


def test_log_with_every_row_twice_is_read_once_with_a_warning(tmp_path: Path) -> None:
    """Was 446 s and 1.16 GB, then "trusted": the repeats are dropped and said."""
    from raidsim.correlate.logs import LogWarning, read_log

    lines, first = _log_lines()
    dup = lines[:first] + [ln for ln in lines[first:] for _ in (0, 1)]
    log = _write(tmp_path / "dup.csv", dup)
    with pytest.warns(LogWarning, match=rf"{len(lines) - first} repeated row\(s\)"):
        twice = read_log(log)
    once = read_log(LOG)
    assert twice.channels.keys() == once.channels.keys()
    for name, values in once.channels.items():
        np.testing.assert_array_equal(twice.channels[name], values)


def test_fit_given_twice_names_the_flag(tmp_path: Path) -> None:
    bad(
        ["correlate", str(LOG), "--stage", str(STAGE), "--fit", "grip", "--fit", "grip"],
        "--fit grip: given more than once",
    )
    bad(["correlate", str(LOG), "--fit", "gripp"], "--fit gripp: unknown correction factor")


def test_channel_map_naming_a_missing_column(tmp_path: Path) -> None:
    cmap = tmp_path / "map.toml"
    cmap.write_text('[channels]\nspeed_mps = "Speed GPS"\n', "utf-8")
    bad(
        [
            "correlate",
            str(LOG),
            "--stage",
            str(STAGE),
            "--channel-map",
            str(cmap),
            "--out",
            str(tmp_path / "c"),
        ],
        f"{cmap}: channels.speed_mps = 'Speed GPS': no such column in {LOG}",
        "GPS Speed",
    )


# ------------------------------------------------------------------------- paths
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "", "--quiet"], "stage '': an empty name"),
        (["run", "--vehicle", "", "--quiet"], "vehicle '': an empty name"),
        (["run", "{dir}", "--quiet"], "stage {dir}: is a directory"),
        (["run", "--vehicle", "{dir}", "--quiet"], "vehicle {dir}: is a directory"),
        (["run", "{dir}/x.gpx", "--quiet"], "route {dir}/x.gpx: is a directory"),
        (["estimate", "{dir}"], "stage {dir}: is a directory"),
        (["check-regs", "{dir}"], "vehicle {dir}: is a directory"),
        (["campaign", "--workers", "0", "--crews", "{dir}"], "--crews {dir}: is a directory"),
        (["batch", "--grid", "{dir}"], "--grid {dir}: is a directory"),
        (["correlate", "{dir}", "--out", "{dir}/c"], "{dir}: is a directory; give the log file"),
        (
            ["correlate", str(LOG), "--channel-map", "{dir}", "--out", "{dir}/c"],
            "channel map {dir}: is a directory",
        ),
        (["report", "{dir}/x.gpx"], "{dir}/x.gpx: is a file, not a run directory"),
    ],
)
def test_directories_and_empty_names_are_said_as_they_are(
    args: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(raidsim.api, "simulate", _no_run)
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.gpx").mkdir()
    if args[0] == "report":
        (d / "x.gpx").rmdir()
        (d / "x.gpx").write_text("<gpx/>", "utf-8")
    (tmp_path / "stage").mkdir()
    text = bad([a.replace("{dir}", str(d)) for a in args], expected.replace("{dir}", str(d)))
    assert "not found" not in text and ": ." not in text


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    import polars as pl

    from raidsim.io.runs import save_run

    frame = pl.DataFrame(
        {"time_s": [0.01 * i for i in range(1, 51)], "distance_m": [0.3 * i for i in range(50)]}
    )
    return save_run(tmp_path / "run", frame, {"vehicle": "d7x-r", "stage": "default"}, {})


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{run}", "-f", "csv", "--out", "/proc/1/x.csv"],
        ["export", "{run}", "-f", "ld", "--out", "/proc/1/x.ld"],
        ["export", "{run}", "-f", "parquet", "--out", "/proc/1/x.parquet"],
        ["report", "{run}", "--out", "/proc/1/x.html"],
    ],
)
def test_unwritable_output_names_the_file_not_a_temporary(args: list[str], run_dir: Path) -> None:
    argv = [a.replace("{run}", str(run_dir)) for a in args]
    target = argv[-1]
    text = bad(argv, f"error: --out {target}: cannot write there (No such file or directory)")
    assert "raidsim-tmp" not in text and "/." not in text


def test_full_disk_names_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_dir: Path
) -> None:
    """ENOSPC raised with no file name (Parquet writing a row group) names --out."""

    def full(*a: Any, **k: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(raidsim.api, "simulate", full)
    out = tmp_path / "r"
    bad(
        ["run", "default", "--quiet", "--no-report", "--out", str(out)],
        f"error: --out {out}: No space left on device (the disk is full",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # nothing left behind
    from raidsim.io import runs as io_runs

    monkeypatch.setattr(io_runs, "write_csv_stream", full)
    bad(
        ["export", str(run_dir), "-f", "csv", "--out", str(tmp_path / "x.csv")],
        f"error: --out {tmp_path / 'x.csv'}: No space left on device",
    )


def test_atomic_write_errors_name_the_target_not_the_temporary(tmp_path: Path) -> None:
    """Past the checks (a directory that vanished, a full disk): the message still names
    the file the user asked for."""
    from raidsim import atomic
    from raidsim.cli.errors import message_for

    target = tmp_path / "gone" / "x.csv"
    with pytest.raises(OSError) as exc:
        atomic.write_text(target, "x")
    assert message_for(exc.value) == f"{target}: No such file or directory (check the path)"
    inside = atomic.temp_path(tmp_path / "run") / "telemetry.parquet"
    shown = message_for(OSError(errno.EACCES, "Permission denied", str(inside)))
    assert shown.startswith(f"{tmp_path / 'run' / 'telemetry.parquet'}: Permission denied")


# ------------------------------------------------------------------------- jump, estimate
def test_jump_sweep_output_checked_before_the_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import raidsim.sim.jump

    monkeypatch.setattr(raidsim.sim.jump, "sweep", _no_run)
    bad(
        ["jump", "--sweep", "--out", str(tmp_path / "s.xlsx")],
        f"--out {tmp_path / 's.xlsx'}: the sweep table is written as .csv or .parquet, not '.xlsx'",
    )
    bad(
        ["jump", "--sweep", "--out", "/proc/1/s.csv"],
        "--out /proc/1/s.csv: cannot write there (No such file or directory)",
    )
    assert not any(tmp_path.iterdir())


def test_estimate_profile_never_creates_directories_and_says_where_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import raidsim.sim.qss

    stage = tmp_path / "tiny.toml"
    stage.write_text(
        'name = "tiny"\nseed = 1\n[synthetic_route]\nlength_km = 2.0\n'
        "min_radius_m = 80.0\nmax_radius_m = 400.0\n",
        "utf-8",
    )
    calls: list[int] = []
    real = raidsim.sim.qss.estimate

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(raidsim.sim.qss, "estimate", counted)
    missing = tmp_path / "no" / "p.parquet"
    bad(
        ["estimate", str(stage), "--profile", str(missing)],
        f"--profile {missing}: its directory {missing.parent} does not exist",
    )
    bad(
        ["estimate", str(stage), "--profile", "/proc/1/p.parquet"],
        "--profile /proc/1/p.parquet: cannot write there",
    )
    assert calls == [] and not (tmp_path / "no").exists()
    target = tmp_path / "p.parquet"
    done = invoke(["estimate", str(stage), "--profile", str(target)])
    assert done.exit_code == 0, done.output
    assert f"wrote {target}" in done.output and target.is_file()
    as_json = invoke(["estimate", str(stage), "--profile", str(tmp_path), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert f"wrote {tmp_path / 'tiny.parquet'}" in as_json.output


# ------------------------------------------------------------------------- TOML values
TINY = (
    'name = "tiny"\nseed = 1\n[synthetic_route]\nlength_km = 2.0\nmin_radius_m = 80.0\n'
    "max_radius_m = 400.0\n"
)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("length_km = 2.0", "length_km = nan", "synthetic_route.length_km = nan"),
        ("max_radius_m = 400.0", "max_radius_m = inf", "synthetic_route.max_radius_m = inf"),
        ("seed = 1", "seed = 5000000000", "seed = 5000000000"),
    ],
)
def test_stage_toml_values_name_the_field_and_the_right_rule(
    old: str, new: str, field: str, tmp_path: Path
) -> None:
    stage = tmp_path / "s.toml"
    stage.write_text(TINY.replace(old, new), "utf-8")
    text = bad(["estimate", str(stage)], f"{stage}: {field} -> ")
    if "seed" in field:
        assert "less than or equal to 4294967295" in text  # as --seed, not accepted
    else:
        assert "not a finite number" in text and "less than" not in text


def test_vehicle_and_crew_nan_name_the_field(tmp_path: Path) -> None:
    from importlib import resources

    preset = (resources.files("raidsim.model") / "presets" / "d7x-r.toml").read_text("utf-8")
    lines = preset.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("empty_mass_kg"))
    lines[i] = "empty_mass_kg = nan"
    car = tmp_path / "car.toml"
    car.write_text("\n".join(lines) + "\n", "utf-8")
    text = bad(["check-regs", str(car)], "empty_mass_kg = nan -> not a finite number")
    assert "less than" not in text and "greater than" not in text


# ------------------------------------------------------------------------- routes
def test_geojson_nan_coordinate_is_refused_naming_the_position(tmp_path: Path) -> None:
    """Was dropped silently, then reported as a 24 km gap."""
    import json

    pts = [[37.95 + 0.0003 * (i % 3), 26.79 + 0.001 * i, 700.0 + i] for i in range(30)]
    pts[10] = [37.95, float("nan"), 710.0]
    route = tmp_path / "r.geojson"
    route.write_text(json.dumps({"type": "LineString", "coordinates": pts}), "utf-8")
    bad(
        ["stage-info", str(route)],
        f"{route}: root.coordinates[10] is [37.95, nan, 710.0]; a coordinate must be a "
        "finite number",
    )


def test_no_elevation_warning_counts_only_points_it_fills(tmp_path: Path) -> None:
    """Never "0 of N points have no elevation": a point without a position (dropped at
    resampling, with its own warning) is not one whose elevation is filled."""
    pts = "".join(
        f'<trkpt lat="{"nan" if i == 5 else 26.79 + 0.001 * i}" lon="{37.95 + 0.0003 * (i % 3)}">'
        + ("" if i == 5 else f"<ele>{700 + i}</ele>")
        + "</trkpt>"
        for i in range(30)
    )
    gpx = tmp_path / "x.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{pts}</trkseg></trk></gpx>",
        "utf-8",
    )
    result = invoke(["stage-info", str(gpx)])
    assert result.exit_code == 0, result.output
    assert " 0 of " not in result.output and "have no elevation" not in result.output


def test_optimize_study_name_needs_a_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    from raidsim.cli import optimize as cli_optimize

    monkeypatch.setattr(cli_optimize, "run_study", _no_run, raising=False)
    bad(
        ["optimize", "default", "--study-name", "s6"],
        "--study-name s6: a study is named inside a storage; add --storage",
    )


def test_empty_gear_cell_gives_no_raw_numpy_warning(tmp_path: Path) -> None:
    """Was "warning: invalid value encountered in cast" with no file or row."""
    import warnings

    from raidsim.correlate.fit import final_drive_check
    from raidsim.correlate.logs import read_log

    lines, first = _log_lines()
    cells = lines[first + 300].split(",")
    cells[5] = '""'
    lines[first + 300] = ",".join(cells)
    log = read_log(_write(tmp_path / "gear.csv", lines))
    assert np.isnan(log.channels["gear"]).sum() == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = final_drive_check(log, raidsim.api.load_vehicle("d7x-r"))
    assert check is not None and 0.99 < check.value < 1.01


def test_crew_pace_factor_nan_names_the_field(tmp_path: Path) -> None:
    from importlib import resources

    spec = (resources.files("raidsim.campaign") / "default.toml").read_text("utf-8")
    crews = spec[spec.index("[[crews]]") :].replace("pace_factor = 1.10", "pace_factor = nan", 1)
    path = tmp_path / "crews.toml"
    path.write_text(crews, "utf-8")
    bad(
        ["campaign", "--workers", "0", "--crews", str(path), "--out", str(tmp_path / "c")],
        f"{path}: crews.0.pace_factor = nan -> not a finite number",
    )
