"""``raidsim estimate``: fast QSS estimate of a stage or of every stage of a rally."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, on_failure
from raidsim.cli.options import (
    DEFAULT_ALTITUDE_M,
    DEFAULT_AMBIENT_C,
    DEFAULT_HEADWIND_MPS,
    DEFAULT_STAGE,
    DEFAULT_VEHICLE,
    AltitudeM,
    AmbientC,
    HeadwindMps,
    Setup,
    TargetArg,
    Vehicle,
    ambient_from_flags,
    check_out_file,
    cli_table,
    json_option,
    load_car,
    resolve_stages,
)


@handle_errors
def estimate_command(
    target: TargetArg = DEFAULT_STAGE,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    ambient_C: AmbientC = DEFAULT_AMBIENT_C,
    altitude_m: AltitudeM = DEFAULT_ALTITUDE_M,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    setup: Setup = None,
    profile: Annotated[
        Path | None, typer.Option(help="write the per-metre profile(s) as Parquet here")
    ] = None,
    as_json: Annotated[bool, json_option("print the summaries as JSON")] = False,
) -> None:
    """Quasi-steady-state estimate: stage time, average speed and fuel, per stage."""
    from raidsim.sim.qss import estimate

    car = load_car(vehicle, setup)
    ambient = ambient_from_flags(ambient_C, altitude_m, headwind_mps)
    if profile is not None:
        check_out_file("--profile", profile, allow_dir=True)
    title, stages = resolve_stages(target)
    summaries = []
    results = []
    for label, stage in stages:
        result = estimate(car, stage, ambient=ambient)
        summaries.append({**result.summary, "label": label})
        results.append((stage, result))
    if profile is not None:  # written once every stage is estimated; removed on a failure
        for stage, result in results:
            fname = f"{stage.name.replace('/', '_')}.parquet"
            path = profile / fname if len(stages) > 1 else profile
            if path.suffix != ".parquet":
                path = path / fname
            check_out_file("--profile", path)
            existed = path.exists()
            result.to_parquet(path)
            if not existed:
                on_failure(functools.partial(path.unlink, missing_ok=True))
    if as_json:
        console.print_json(json.dumps(summaries))
        return
    console.print(stage_table(f"{car.name} on {title}, {ambient_C:.0f} °C (QSS)", summaries))


def _hms(seconds: float) -> str:
    h, rem = divmod(int(round(seconds)), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def stage_table(title: str, summaries: list[dict[str, Any]]) -> Table:
    """Rich table, one row per stage, totals when there are several (readable in 80
    columns: long stage names fold). Special length km, time h:mm:ss, average km/h."""
    table = cli_table(title)
    table.add_column("stage", overflow="fold", min_width=12, max_width=24)
    for col in ("km", "time", "km/h", "fuel, L", "max coolant, °C", "derate, s"):
        table.add_column(col, justify="right")
    for s in summaries:
        table.add_row(
            Text(s.get("label", s["stage"])),
            f"{s['distance_m'] / 1000:.1f}",
            _hms(s["stage_time_s"]),
            f"{s['avg_speed_kmh']:.1f}",
            f"{s['fuel_used_L']:.1f}",
            f"{s['max_coolant_C']:.1f}",
            f"{s['derate_time_s']:.0f}",
        )
    if len(summaries) > 1:
        dist = sum(s["distance_m"] for s in summaries)
        time_s = sum(s["stage_time_s"] for s in summaries)
        table.add_section()
        table.add_row(
            "total",
            f"{dist / 1000:.1f}",
            _hms(time_s),
            f"{dist / time_s * 3.6:.1f}" if time_s > 0 else "-",
            f"{sum(s['fuel_used_L'] for s in summaries):.1f}",
            f"{max(s['max_coolant_C'] for s in summaries):.1f}",
            f"{sum(s['derate_time_s'] for s in summaries):.0f}",
        )
    return table
