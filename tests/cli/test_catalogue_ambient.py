"""``run``, ``estimate`` and ``stage-info`` use a rally stage's catalogue conditions.

Each rally's ``rally.toml`` gives every stage a typical ambient temperature and altitude
(argentina-2026 climbs to 2,700 m). Without ``--ambient-C``/``--altitude-m`` a stage of a
shipped rally runs at those; a flag given wins; any other stage keeps 35 °C and sea level.
The QSS estimate of the 8 km Argentina prologue keeps these fast; ``run`` is checked with
a stand-in for the simulation that records the conditions of the stage it was given.
(tests/test_weather_entry_points.py checks every other entry point.)
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import raidsim
import raidsim.api
from raidsim.cli import app
from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient, Conditions
from raidsim.route.catalogue import catalogue_conditions, load_rally

runner = CliRunner()
STAGE = "argentina-2026/prologue"
SOURCE = "argentina-2026/rally.toml"


def invoke(args: list[str]) -> Result:
    return runner.invoke(app, args, env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def prologue() -> Any:
    """The catalogue entry of the prologue (its rally.toml conditions)."""
    return next(day for day in load_rally("argentina-2026").stages if day.name == STAGE)


def _estimate(args: list[str]) -> dict[str, Any]:
    result = invoke(["estimate", STAGE, "--json", *args])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.output)
    return dict(summary)


def test_catalogue_conditions_of_a_rally_stage(prologue: Any) -> None:
    assert prologue.altitude_m is not None and prologue.altitude_m > 0
    expected = Conditions.catalogue(prologue.ambient_C, prologue.altitude_m, SOURCE)
    assert catalogue_conditions(STAGE) == prologue.conditions == expected
    assert raidsim.load_stage(STAGE).conditions == expected  # the loaded stage carries them
    for other in ("default", "dakar-2026", "nope/1", "argentina-2026/99", "x.toml"):
        assert catalogue_conditions(other) is None


def test_given_values_win_over_the_catalogue_which_wins_over_the_defaults() -> None:
    cat = Conditions.catalogue(12.0, 1800.0, SOURCE)
    assert cat.ambient == Ambient(temp_C=12.0, altitude_m=1800.0)
    assert cat.sources == {"temp_C": SOURCE, "altitude_m": SOURCE, "headwind_mps": "default"}
    flags = {"temp_C": "--ambient-C", "headwind_mps": "--headwind-mps"}
    cond = cat.with_values(flags, temp_C=30.0, altitude_m=None, headwind_mps=-2.0)
    assert cond.ambient == Ambient(temp_C=30.0, altitude_m=1800.0, headwind_mps=-2.0)
    assert cond.source("temp_C") == "--ambient-C" and cond.source("headwind_mps") == (
        "--headwind-mps"
    )
    assert cond.source("altitude_m") == SOURCE
    assert Conditions().ambient == Ambient()  # not in a catalogue
    assert "(default)" in Conditions().describe()
    with pytest.raises(ConfigError, match="--altitude-m: altitude_m = 9000 is not allowed"):
        cat.with_values({"altitude_m": "--altitude-m"}, altitude_m=9000.0)
    # a campaign's own fallback fills only what nothing gave
    filled = Conditions.catalogue(None, 900.0, SOURCE).fill_defaults("spec", temp_C=28.0)
    assert filled.ambient == Ambient(temp_C=28.0, altitude_m=900.0)
    assert filled.source("temp_C") == "spec"
    assert cat.fill_defaults("spec", temp_C=28.0) == cat


def test_estimate_uses_the_catalogue_altitude_and_ambient(prologue: Any) -> None:
    cat = _estimate([])
    explicit = _estimate(
        ["--ambient-C", f"{prologue.ambient_C}", "--altitude-m", f"{prologue.altitude_m}"]
    )
    sea_level = _estimate(["--ambient-C", "35", "--altitude-m", "0"])
    assert cat["altitude_m"] == prologue.altitude_m and cat["ambient_C"] == prologue.ambient_C
    assert cat["conditions_source"]["altitude_m"] == SOURCE
    assert explicit["conditions_source"]["altitude_m"] == "--altitude-m"
    for key in ("stage_time_s", "fuel_used_L", "max_coolant_C"):
        assert cat[key] == explicit[key], key  # the same conditions: identical
    assert cat["stage_time_s"] != sea_level["stage_time_s"]  # thinner air, cooler day
    assert sea_level["altitude_m"] == 0.0


def test_estimate_prints_the_conditions_and_where_they_came_from(prologue: Any) -> None:
    result = invoke(["estimate", STAGE])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("conditions:"))
    assert f"{prologue.altitude_m:g} m ({SOURCE})" in line
    assert f"{prologue.ambient_C:g} °C ({SOURCE})" in line
    result = invoke(["estimate", STAGE, "--altitude-m", "100"])
    assert "altitude 100 m (--altitude-m)" in result.output, result.output


class _Recorder:
    """Stand-in for ``raidsim.simulate``: records the ambient, writes a minimal run."""

    def __init__(self) -> None:
        self.ambient: Ambient | None = None

    def __call__(self, vehicle: Any, stage: Any, **kwargs: Any) -> Any:
        assert kwargs.get("ambient") is None  # the stage carries its conditions
        self.ambient = stage.conditions.ambient
        out = Path(kwargs["out_dir"])
        summary: dict[str, Any] = {"vehicle": vehicle.name, "stage": stage.name}
        (out / "telemetry.parquet").write_bytes(b"stand-in")
        (out / "summary.json").write_text(json.dumps(summary), "utf-8")
        numbers = [
            *("stage_time_s", "distance_m", "avg_speed_kmh", "max_speed_kmh", "fuel_used_L"),
            *("fuel_L_per_100km", "max_coolant_C", "max_oil_C", "derate_time_s"),
            *("max_brake_disc_C", "max_halfshaft_torque_Nm", "real_time_factor"),
        ]
        full = {k: 1.0 for k in numbers} | stage.conditions.summary_fields()
        return SimpleNamespace(summary={**summary, **full})


@pytest.mark.parametrize(
    ("stage", "flags", "expected"),
    [
        (STAGE, [], None),  # the catalogue's
        (STAGE, ["--altitude-m", "0", "--ambient-C", "35"], Ambient()),
        ("default", [], Ambient()),
    ],
)
def test_run_uses_the_catalogue_conditions(
    stage: str,
    flags: list[str],
    expected: Ambient | None,
    prologue: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(raidsim.api, "simulate", recorder)
    args = ["run", stage, *flags, "--quiet", "--no-report", "--out", str(tmp_path / "r")]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    if expected is None:
        expected = Ambient(temp_C=prologue.ambient_C, altitude_m=prologue.altitude_m)
        assert f"({SOURCE})" in result.output
    assert recorder.ambient == expected
    altitude = next(ln for ln in result.output.splitlines() if "altitude" in ln)
    assert f"{expected.altitude_m:.0f} m" in altitude  # the summary table's row
    ambient = next(ln for ln in result.output.splitlines() if "ambient" in ln)
    assert f"{expected.temp_C:.0f} °C" in ambient


def test_stage_info_shows_the_catalogue_conditions(prologue: Any) -> None:
    result = invoke(["stage-info", STAGE, "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert (info["ambient_C"], info["altitude_m"]) == (prologue.ambient_C, prologue.altitude_m)
    assert info["conditions_source"]["altitude_m"] == SOURCE
    table = invoke(["stage-info", STAGE])
    flat = " ".join(table.output.replace("│", " ").split())  # a narrow terminal wraps cells
    assert f"{prologue.altitude_m:g} m ({SOURCE})" in flat, table.output
    plain = json.loads(invoke(["stage-info", "default", "--json"]).output)
    assert (plain["ambient_C"], plain["altitude_m"]) == (35.0, 0.0)  # not in a catalogue
    assert set(plain["conditions_source"].values()) == {"default"}
