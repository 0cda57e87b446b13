"""raidsim.cli.run (run, presets, stage-info, jump) and the shared flags in every help."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from raidsim.cli import app
from raidsim.cli import run as cli_run

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def invoke(args: list[str]) -> Result:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_stage_info_writes_nothing_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["stage-info"])
    assert result.exit_code == 0, result.output
    assert "not written (--out)" in result.output
    assert not any(tmp_path.iterdir())


def test_stage_info_out_directory_with_markup_in_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = tmp_path / "a[red]b"
    odd.mkdir()
    stage = odd / "hegra.toml"
    shutil.copy(EXAMPLES / "alula_hegra.toml", stage)
    shutil.copy(EXAMPLES / "alula_hegra.gpx", odd / "alula_hegra.gpx")
    result = invoke(["stage-info", str(stage), "--json", "--out", str(odd)])
    assert result.exit_code == 0, result.output
    profile = Path(json.loads(result.stdout)["profile"])
    assert profile.parent == odd and profile.is_file()
    monkeypatch.setattr(cli_run, "console", Console(width=400))
    table = runner.invoke(app, ["stage-info", str(stage), "--out", str(odd / "p.html")])
    assert table.exit_code == 0, table.output
    assert str(odd / "p.html") in table.output and (odd / "p.html").is_file()


@pytest.mark.parametrize("command", ["run", "estimate", "stage-info"])
def test_geojson_message_keeps_lon_lat(command: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "LineString", "coordinates": [[46.1, 24.7], "x"]}', "utf-8")
    result = invoke([command, str(bad)])
    assert result.exit_code == 2, result.output
    assert "expected a position [lon, lat] or [lon, lat, ele]" in result.output


def test_missing_stage_with_markup_in_the_name(tmp_path: Path) -> None:
    for command in ("run", "estimate", "stage-info", "optimize"):
        result = invoke([command, str(tmp_path / "stage[red]x.toml")])
        assert result.exit_code == 2
        assert f"stage file not found: {tmp_path / 'stage[red]x.toml'}" in result.output


def test_jump_sweep_runs_in_the_weather_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep takes the weather flags (and --stage's weather) like a single jump."""
    import polars as pl

    import raidsim.sim.jump

    seen = []

    def sweep(car: object, ambient: object = None) -> pl.DataFrame:
        seen.append(ambient)
        return pl.DataFrame({"drop_m": [1.0], "speed_kmh": [60.0]})

    monkeypatch.setattr(raidsim.sim.jump, "sweep", sweep)
    out = tmp_path / "s.csv"
    result = invoke(["jump", "--sweep", "--ambient-C", "10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert seen[0].temp_C == 10.0 and seen[0].altitude_m == 0.0
    assert "10 °C (--ambient-C)" in result.output


def test_jump_flight_mode_checked() -> None:
    result = invoke(["jump", "--flight-mode", "maybe"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: --flight-mode='maybe': expected on, off or both"


#: command -> the shared flags its help must list
SHARED = {
    "run": ["--vehicle", "--setup", "--seed", "--out", "--quiet"],
    "estimate": ["--vehicle", "--setup"],
    "optimize": ["--vehicle", "--setup", "--seed"],
    "jump": ["--vehicle", "--setup", "--out"],
    "correlate": ["--vehicle", "--setup", "--out"],
    "campaign": ["--seed", "--out", "--scheduler", "--quiet", "--ambient-C"],
    "stage-info": ["--seed", "--out", "--json"],
    "check-regs": ["--setup"],
}
WEATHER = ["--ambient-C", "--altitude-m", "--headwind-mps"]


@pytest.mark.parametrize("command", sorted(SHARED))
def test_help_lists_the_shared_flags(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    flags = SHARED[command] + (WEATHER if command in ("run", "estimate", "optimize") else [])
    flags += WEATHER if command in ("jump", "correlate") else []
    for flag in flags:
        assert f" {flag} " in result.output, (command, flag)
    assert "--ambient-c " not in result.output


def test_run_drives_a_catalogue_stage_on_its_own_seed(tmp_path: Path) -> None:
    """`raidsim run dakar-2026/prologue` drives the ground the catalogue was calibrated on
    and `raidsim estimate` reads (its TOML's seed, 20260100), not seed 0; `--seed` still
    overrides it."""
    out = tmp_path / "own"
    invoke(["run", "dakar-2026/prologue", "--out", str(out), "--quiet", "--no-report"])
    assert json.loads((out / "summary.json").read_text())["seed"] == 20260100
    other = tmp_path / "other"
    invoke(
        ["run", "dakar-2026/prologue", "--seed", "7", "--out", str(other), "--quiet", "--no-report"]
    )
    assert json.loads((other / "summary.json").read_text())["seed"] == 7
