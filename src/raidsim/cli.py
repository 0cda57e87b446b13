"""Command line: ``raidsim run``, ``raidsim presets``, ``raidsim stage-info``.

Every user error (unknown vehicle, missing stage file, value out of range) prints one
line naming the file/field/value and exits with code 2; a simulation that diverges or
stops prints its diagnostic and exits with code 3. No tracebacks for either.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from raidsim.errors import ConfigError, RaidsimError, RouteError, SimulationDiverged
from raidsim.terminal import EXIT_BAD_INPUT, EXIT_SIM_FAILED, console, err_console, fail

app = typer.Typer(add_completion=False, no_args_is_help=False, help=__doc__)


def parse_setup(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs from the command line; values parsed as numbers when they can."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--setup expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        value: Any
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
        out[key.strip()] = value
    return out


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"{summary['vehicle']} on {summary['stage']}", show_header=False)
    rows = [
        ("stage time", f"{summary['stage_time_s'] / 60:.2f} min ({summary['stage_time_s']:.1f} s)"),
        ("distance", f"{summary['distance_m'] / 1000:.2f} km"),
        ("average speed", f"{summary['avg_speed_kmh']:.1f} km/h"),
        ("max speed", f"{summary['max_speed_kmh']:.1f} km/h"),
        (
            "fuel used",
            f"{summary['fuel_used_L']:.1f} L ({summary['fuel_L_per_100km']:.0f} L/100 km)",
        ),
        ("max coolant / oil", f"{summary['max_coolant_C']:.0f} / {summary['max_oil_C']:.0f} C"),
        ("derate time", f"{summary['derate_time_s']:.0f} s"),
        ("max brake disc", f"{summary['max_brake_disc_C']:.0f} C"),
        ("max halfshaft torque", f"{summary['max_halfshaft_torque_Nm']:.0f} N m"),
        ("landings", f"{summary.get('landings', 0)}"),
        (
            "max landing halfshaft torque",
            f"{summary.get('max_landing_halfshaft_torque_Nm', 0):.0f} N m",
        ),
        ("Flight Mode false triggers", f"{summary.get('flight_mode_false_triggers', 0)}"),
        ("ambient", f"{summary['ambient_C']:.0f} C"),
        ("real-time factor", f"{summary['real_time_factor']:.0f} x"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    return table


@app.command()
def run(
    stage: Annotated[str, typer.Argument(help="stage name, stage TOML or route file")] = "default",
    vehicle: Annotated[str, typer.Option(help="vehicle preset or TOML path")] = "d7x-r",
    out: Annotated[Path | None, typer.Option(help="output directory")] = None,
    seed: Annotated[int, typer.Option(help="terrain seed")] = 0,
    ambient_C: Annotated[float, typer.Option("--ambient-C", help="ambient temperature, C")] = 35.0,
    altitude_m: Annotated[float, typer.Option(help="altitude for ISA pressure, m")] = 0.0,
    headwind_mps: Annotated[float, typer.Option(help="headwind along the route, m/s")] = 0.0,
    setup: Annotated[list[str] | None, typer.Option(help="setup change key=value")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    report: Annotated[bool, typer.Option(help="write report.html (--no-report to skip)")] = True,
) -> None:
    """Drive a stage with the transient twin; write telemetry.parquet, summary.json and
    a self-contained report.html."""
    import raidsim as rs
    from raidsim.model.ambient import Ambient

    try:
        car = rs.load_vehicle(vehicle)
        if setup:
            car = car.with_changes(**parse_setup(setup))
        st = rs.load_stage(stage, seed=seed)
        ambient = Ambient(temp_C=ambient_C, altitude_m=altitude_m, headwind_mps=headwind_mps)
    except (ConfigError, RouteError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)
        return
    except ValueError as exc:  # pydantic range errors on ambient
        fail(f"invalid option: {exc}".replace("\n", " "), EXIT_BAD_INPUT)
        return
    out_dir = out or Path("runs") / _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.1f}/{task.total:.1f} km"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
    try:
        with progress:
            task = progress.add_task(f"{car.name} / {st.name}", total=st.length_m / 1000.0)

            def on_progress(s_m: float, total_m: float) -> None:
                progress.update(task, completed=min(s_m, total_m) / 1000.0)

            result = rs.simulate(car, st, ambient=ambient, out_dir=out_dir, on_progress=on_progress)
    except SimulationDiverged as exc:
        fail(str(exc), EXIT_SIM_FAILED)
        return
    except RaidsimError as exc:
        fail(str(exc), EXIT_SIM_FAILED)
        return
    console.print(_summary_table(result.summary))
    console.print(f"wrote {out_dir / 'telemetry.parquet'} and {out_dir / 'summary.json'}")
    if report:
        from raidsim.io.runs import load_run
        from raidsim.report.html import build_report

        with console.status("writing report.html"):
            path = build_report([load_run(out_dir)], out_dir / "report.html")
        console.print(f"wrote {path}")


@app.command()
def presets() -> None:
    """List the vehicle presets and stages shipped with raidsim."""
    from raidsim.model.loader import load_vehicle, preset_names
    from raidsim.route.stage import load_stage_definition, stage_names

    table = Table(title="vehicles")
    table.add_column("name")
    table.add_column("description")
    table.add_column("mass at start, kg", justify="right")
    for name in preset_names():
        v = load_vehicle(name)
        table.add_row(name, v.description, f"{v.total_mass_kg:.0f}")
    console.print(table)
    stages = Table(title="stages")
    stages.add_column("name")
    stages.add_column("description")
    for name in stage_names():
        d, _ = load_stage_definition(name)
        stages.add_row(name, d.description)
    console.print(stages)


@app.command("stage-info")
def stage_info(
    stage: Annotated[str, typer.Argument(help="stage name, stage TOML or route file")] = "default",
    seed: Annotated[int | None, typer.Option(help="terrain seed override")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="profile plot to write: .html (default <stage>-profile.html in the current "
            "directory), or .png when kaleido is installed"
        ),
    ] = None,
) -> None:
    """Length, surface mix, elevation gain, jumps and speed zones of a stage; writes an
    elevation/feature profile plot."""
    import warnings

    import numpy as np

    import raidsim as rs
    from raidsim.route.catalogue import liaison_time_s
    from raidsim.route.profile import write_profile

    with warnings.catch_warnings(record=True) as caught:  # route and profile warnings
        warnings.simplefilter("always")
        try:
            st = rs.load_stage(stage, seed=seed)
            profile = write_profile(st, out)
        except (ConfigError, RouteError) as exc:
            fail(str(exc), EXIT_BAD_INPUT)
            return
        except OSError as exc:
            fail(f"--out {out}: cannot write the profile ({exc})", EXIT_BAD_INPUT)
            return
    for w in caught:
        err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False, soft_wrap=True)
    d = st.definition
    z = st.height_at(st.centreline.s_m)
    mix = st.surface_mix()
    info: dict[str, Any] = {
        "name": st.name,
        "length_km": st.length_m / 1000.0,
        "liaison_km": d.liaison_km,
        "liaison_time_s": liaison_time_s(d.liaison_km),
        "date": d.date.isoformat() if d.date else None,
        "start": d.start,
        "finish": d.finish,
        "surface_mix": mix,
        "elevation_gain_m": float(np.clip(np.diff(z), 0.0, None).sum()),
        "jumps": len(st.jump_lip_s_m),
        "speed_zones": len(d.speed_zones),
        "waypoints": len(d.waypoints),
        "refuels_km": [r.km for r in d.refuels],
        "profile": str(profile),
    }
    if as_json:
        console.print_json(json.dumps(info))
        return
    table = Table(title=f"stage {st.name}", show_header=False)
    if d.date is not None:
        table.add_row("date", f"{d.date.isoformat()}, {d.start} -> {d.finish}")
    table.add_row("length", f"{info['length_km']:.2f} km special")
    if d.liaison_km:
        table.add_row(
            "liaison",
            f"{d.liaison_km:g} km, ~{info['liaison_time_s'] / 3600:.1f} h at road speeds "
            "(not simulated)",
        )
    table.add_row("surface mix", ", ".join(f"{k} {v:.0%}" for k, v in mix.items()))
    table.add_row("elevation gain", f"{info['elevation_gain_m']:.0f} m")
    table.add_row("jumps", str(info["jumps"]))
    table.add_row(
        "speed zones",
        ", ".join(f"{z.start_km:g}-{z.end_km:g} km @ {z.limit_kmh:g} km/h" for z in d.speed_zones)
        or "none",
    )
    table.add_row("waypoints", str(info["waypoints"]))
    if d.refuels:
        table.add_row("refuels", ", ".join(f"km {r.km:g}" for r in d.refuels))
    table.add_row("profile", str(profile))
    console.print(table)


@app.command()
def jump(
    height_m: Annotated[float, typer.Option(help="drop from the lip to the landing, m")] = 2.0,
    speed_kmh: Annotated[float, typer.Option(help="take-off speed, km/h")] = 80.0,
    flight_mode: Annotated[str, typer.Option(help="on, off or both")] = "both",
    vehicle: Annotated[str, typer.Option(help="vehicle preset or TOML path")] = "d7x-r",
    sweep: Annotated[bool, typer.Option(help="grid of 0.5-3 m drops x 40-140 km/h")] = False,
    out: Annotated[Path | None, typer.Option(help="sweep table (.csv or .parquet)")] = None,
) -> None:
    """Single-jump scenario: landing loads with Flight Mode on vs off."""
    import raidsim as rs
    from raidsim.sim.jump import run_jump, validate_jump
    from raidsim.sim.jump import sweep as run_sweep

    if flight_mode not in {"on", "off", "both"}:
        fail(f"--flight-mode={flight_mode!r}: expected on, off or both", EXIT_BAD_INPUT)
    try:
        car = rs.load_vehicle(vehicle)
        if not sweep:
            validate_jump(car, height_m, speed_kmh)
    except ConfigError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
        return
    if sweep:
        with console.status("running the jump sweep (72 jumps)"):
            table_df = run_sweep(car)
        target = out or Path("jump_sweep.csv")
        if target.suffix == ".parquet":
            table_df.write_parquet(target)
        else:
            table_df.write_csv(target)
        console.print(table_df)
        console.print(f"wrote {target}")
        return
    modes = {"on": [True], "off": [False], "both": [False, True]}[flight_mode]
    table = Table(title=f"{car.name}: {height_m:.2f} m drop at {speed_kmh:.0f} km/h")
    for col in (
        "Flight Mode",
        "air time, s",
        "peak halfshaft, N m",
        "wheel-speed error",
        "detection, ms",
    ):
        table.add_column(col, justify="right")
    for mode in modes:
        r = run_jump(car, height_m, speed_kmh, mode)
        lat = r.detection_latency_s
        table.add_row(
            "on" if mode else "off",
            f"{r.air_time_s:.2f}",
            f"{r.peak_halfshaft_torque_Nm:.0f}",
            f"{r.max_abs_wheel_speed_error:+.0%}",
            "-" if lat != lat else f"{lat * 1000:.0f}",
        )
    console.print(table)


def _register_tools() -> None:
    from raidsim.campaign.commands import campaign_command, campaign_report_command
    from raidsim.correlate.commands import correlate_command
    from raidsim.optimize.commands import optimize_command
    from raidsim.regs.commands import check_regs_command
    from raidsim.report.commands import export_command, report_command
    from raidsim.sim.qss_cli import estimate_command

    app.command("export")(export_command)
    app.command("report")(report_command)
    app.command("estimate")(estimate_command)
    app.command("correlate")(correlate_command)
    app.command("optimize")(optimize_command)
    app.command("check-regs")(check_regs_command)
    app.command("campaign")(campaign_command)
    app.command("campaign-report")(campaign_report_command)


_register_tools()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
