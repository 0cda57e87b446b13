"""``raidsim estimate``: fast QSS estimate of a stage or of every stage of a rally."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, on_failure, say
from raidsim.cli.options import (
    DEFAULT_HEADWIND_MPS,
    DEFAULT_STAGE,
    DEFAULT_VEHICLE,
    HeadwindMps,
    Setup,
    StageAltitudeM,
    StageAmbientC,
    TargetArg,
    Vehicle,
    check_out_file,
    cli_table,
    json_option,
    load_car,
    resolve_targets,
    weather_flags,
    with_weather_flags,
)
from raidsim.errors import ConfigError
from raidsim.model.ambient import Conditions
from raidsim.units import KMH_PER_MPS


@handle_errors
def estimate_command(
    target: TargetArg = DEFAULT_STAGE,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    ambient_C: StageAmbientC = None,
    altitude_m: StageAltitudeM = None,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    setup: Setup = None,
    profile: Annotated[
        Path | None, typer.Option(help="write the per-metre profile(s) as Parquet here")
    ] = None,
    as_json: Annotated[bool, json_option("print the summaries as JSON")] = False,
) -> None:
    """Quasi-steady-state estimate: stage time, average speed and fuel, per stage.

    A stage of a shipped rally runs at its catalogue ambient temperature and altitude
    (the rally's rally.toml) unless --ambient-C/--altitude-m say otherwise; any other
    stage at 35 °C and sea level."""
    from raidsim.sim.qss import estimate

    car = load_car(vehicle, setup)
    weather_flags(ambient_C, altitude_m, headwind_mps)  # a bad flag fails before any work
    title, targets = resolve_targets(target)
    paths = profile_paths(profile, [t.stage.name for t in targets]) if profile else []
    summaries = []
    results = []
    used: list[Conditions] = []
    for t in targets:
        stage = with_weather_flags(t.stage, ambient_C, altitude_m, headwind_mps)
        result = estimate(car, stage, limits=as_json or profile is not None)  # time loss
        summaries.append({**result.summary, "label": t.label})
        results.append((t.stage, result))
        used.append(stage.conditions)
    # written once every stage is estimated; removed on a failure
    for path, (_, result) in zip(paths, results if paths else [], strict=True):
        existed = path.exists()
        result.to_parquet(path)
        if not existed:
            on_failure(functools.partial(path.unlink, missing_ok=True))
    for path in paths:
        say(f"wrote {path}", err=as_json)  # stdout stays JSON with --json
    if as_json:
        console.print_json(json.dumps(summaries))
        return
    console.print(stage_table(f"{car.name} on {title}, {_title_weather(used)} (QSS)", summaries))
    dry = [s["label"] for s in summaries if s.get("runs_dry_km") is not None]
    if dry:
        say(
            f"runs dry on {len(dry)} of {len(summaries)} ({', '.join(dry)}): the fuel load "
            f"({car.fuel.fuel_load_L:.0f} L, fuel.fuel_load_L) runs out at the km shown, before "
            "a refuel point or the finish; no finish, no time"
        )
    say(f"conditions: {_conditions_line(used)}")


def profile_paths(profile: Path, stage_names: list[str]) -> list[Path]:
    """The Parquet file of each stage's profile under ``--profile``: the file itself for one
    stage when it ends in ``.parquet``, else ``<stage>.parquet`` in the directory
    ``--profile``. Checked before any work; a missing directory is refused, not created."""
    names = [f"{n.replace('/', '_')}.parquet" for n in stage_names]
    if len(names) == 1 and profile.suffix == ".parquet":
        paths, folder = [profile], profile.parent
    else:
        paths, folder = [profile / n for n in names], profile
    if not folder.is_dir():
        what = "the directory" if folder == profile else "its directory"
        raise ConfigError(
            f"--profile {profile}: {what} {folder} does not exist; create it or give an "
            "existing directory (or a .parquet file for one stage)"
        )
    return [check_out_file("--profile", p) for p in paths]


def _title_weather(used: list[Conditions]) -> str:
    """``35 °C`` (one temperature for every stage), ``13 °C, 1300 m`` (one stage, or every
    stage alike, above sea level) or ``7-19 °C, 650-2700 m`` (a rally's range)."""
    temps = sorted({c.ambient.temp_C for c in used})
    alts = sorted({c.ambient.altitude_m for c in used})

    def span(values: list[float], unit: str) -> str:
        return f"{values[0]:g}{unit}" if len(values) == 1 else f"{values[0]:g}-{values[-1]:g}{unit}"

    text = span(temps, " °C")
    return text if alts == [0.0] else f"{text}, {span(alts, ' m')}"


def _conditions_line(used: list[Conditions]) -> str:
    """Which conditions were used and where they came from: per field, the one value and
    its source (``13 °C (argentina-2026/rally.toml)``), or for a rally whose stages
    differ, the range and the sources (``ambient 7-19 °C per stage
    (argentina-2026/rally.toml)``)."""
    parts = []
    for key, what, unit in (
        ("temp_C", "ambient", "°C"),
        ("altitude_m", "altitude", "m"),
        ("headwind_mps", "headwind", "m/s"),
    ):
        values = sorted({float(getattr(c.ambient, key)) for c in used})
        sources = " and ".join(sorted({c.source(key) for c in used}))
        if len(values) == 1:
            parts.append(f"{what} {values[0]:g} {unit} ({sources})")
        else:
            parts.append(f"{what} {values[0]:g}-{values[-1]:g} {unit} per stage ({sources})")
    return ", ".join(parts)


def _hms(seconds: float) -> str:
    h, rem = divmod(int(round(seconds)), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def stage_table(title: str, summaries: list[dict[str, Any]]) -> Table:
    """Rich table, one row per stage, totals when there are several (readable in 80
    columns: long stage names fold). Special length km, time h:mm:ss, average km/h, the
    dune bog-downs and the time they cost (count/s, in the time; docs/physics.md §14.3). A
    stage on which the car's fuel load runs out before a refuel point or the finish shows
    the km where (``dry 121``) in place of a time, and leaves the total without one
    (§9.4)."""
    table = cli_table(title)
    table.add_column("stage", overflow="fold", min_width=12, max_width=24)
    for col in ("km", "time", "km/h", "fuel, L", "coolant, °C", "derate, s", "bogged, s"):
        # headers on two lines, cells never wrapped or cut (a multi-day time 105:33:20)
        table.add_column(col.replace(", ", ",\n"), justify="right", no_wrap=True)
    for s in summaries:
        table.add_row(
            Text(s.get("label", s["stage"])),
            f"{s['distance_m'] / 1000:.1f}",
            _time_or_dry(s),
            f"{s['avg_speed_kmh']:.1f}" if s.get("runs_dry_km") is None else "-",
            f"{s['fuel_used_L']:.1f}",
            f"{s['max_coolant_C']:.1f}",
            f"{s['derate_time_s']:.0f}",
            _bogged(s.get("bog_downs", 0), s.get("bog_time_s", 0.0)),
        )
    if len(summaries) > 1:
        dist = sum(s["distance_m"] for s in summaries)
        time_s = sum(s["stage_time_s"] for s in summaries)
        finished = all(s.get("runs_dry_km") is None for s in summaries)
        table.add_section()
        table.add_row(
            "total",
            f"{dist / 1000:.1f}",
            _hms(time_s) if finished else "-",
            f"{dist / time_s * KMH_PER_MPS:.1f}" if time_s > 0 and finished else "-",
            f"{sum(s['fuel_used_L'] for s in summaries):.1f}",
            f"{max(s['max_coolant_C'] for s in summaries):.1f}",
            f"{sum(s['derate_time_s'] for s in summaries):.0f}",
            _bogged(
                sum(s.get("bog_downs", 0) for s in summaries),
                sum(s.get("bog_time_s", 0.0) for s in summaries),
            ),
        )
    return table


def _time_or_dry(s: dict[str, Any]) -> str:
    """The stage time, or where the fuel load ran out (never a finish)."""
    dry = s.get("runs_dry_km")
    return _hms(s["stage_time_s"]) if dry is None else f"dry {dry:.0f}"


def _bogged(count: int, time_s: float) -> str:
    """Bog-downs and their time: ``-`` for none, else ``count/seconds`` (one word)."""
    return "-" if count == 0 else f"{count}/{time_s:.0f}"
