"""``raidsim estimate``: fast QSS estimate of a stage or of every stage of a rally.

A plain typer command function; ``raidsim.cli`` registers it with
``app.command("estimate")(estimate_command)``. User errors (unknown vehicle, stage or
setup key, out-of-range value) print one line and exit with code 2, as ``raidsim run``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from raidsim.errors import ConfigError, RaidsimError, RouteError
from raidsim.route.stage import Stage
from raidsim.terminal import console, fail


def resolve_stages(target: str) -> tuple[str, list[tuple[str, Stage]]]:
    """(title, [(row label, stage)]): every stage of a rally from
    ``raidsim.route.catalogue`` when ``target`` names one, else a single stage (shipped
    name, stage TOML or route file)."""
    import raidsim as rs

    try:
        catalogue: Any = importlib.import_module("raidsim.route.catalogue")
    except ModuleNotFoundError:  # catalogue not installed in this build
        catalogue = None
    if catalogue is not None and target in catalogue.rally_names():
        rally = catalogue.load_rally(target)
        return rally.name, [(day.label, rs.load_stage(day.name)) for day in rally.stages]
    stage = rs.load_stage(target)
    return stage.name, [(stage.name, stage)]


def estimate_command(
    target: Annotated[
        str, typer.Argument(help="rally name, stage name, stage TOML or route file")
    ] = "default",
    vehicle: Annotated[str, typer.Option(help="vehicle preset or TOML path")] = "d7x-r",
    ambient_C: Annotated[float, typer.Option("--ambient-C", help="ambient temperature, C")] = 35.0,
    setup: Annotated[list[str] | None, typer.Option(help="setup change key=value")] = None,
    profile: Annotated[
        Path | None, typer.Option(help="write the per-metre profile(s) as Parquet here")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summaries as JSON")] = False,
) -> None:
    """Quasi-steady-state estimate: stage time, average speed and fuel, per stage."""
    import raidsim as rs
    from raidsim.cli import parse_setup
    from raidsim.model.ambient import Ambient
    from raidsim.sim.qss import estimate

    try:
        car = rs.load_vehicle(vehicle)
        if setup:
            car = car.with_changes(**parse_setup(setup))
        ambient = Ambient(temp_C=ambient_C)
        title, stages = resolve_stages(target)
    except (ConfigError, RouteError) as exc:
        fail(str(exc))
        return
    except ValueError as exc:  # pydantic range errors on ambient
        fail(f"invalid option: {exc}".replace("\n", " "))
        return
    summaries = []
    try:
        for label, stage in stages:
            result = estimate(car, stage, ambient=ambient)
            summaries.append({**result.summary, "label": label})
            if profile is not None:
                fname = f"{stage.name.replace('/', '_')}.parquet"
                path = profile / fname if len(stages) > 1 else profile
                if path.suffix != ".parquet":
                    path = path / fname
                result.to_parquet(path)
    except RaidsimError as exc:
        fail(str(exc))
        return
    if as_json:
        console.print_json(json.dumps(summaries))
        return
    console.print(stage_table(f"{car.name} on {title}, {ambient_C:.0f} C (QSS)", summaries))


def _hms(seconds: float) -> str:
    h, rem = divmod(int(round(seconds)), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def stage_table(title: str, summaries: list[dict[str, Any]]) -> Table:
    """Rich table, one row per stage, totals when there are several."""
    table = Table(title=title)
    for col in ("stage", "special km", "time", "avg km/h", "fuel L", "max coolant C", "derate s"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for s in summaries:
        table.add_row(
            s.get("label", s["stage"]),
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
