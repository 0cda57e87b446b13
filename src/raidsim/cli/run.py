"""``raidsim run``, ``raidsim presets``, ``raidsim stage-info`` and ``raidsim jump``."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import raidsim.atomic as atomic
from raidsim.cli.errors import console, handle_errors, say, warn
from raidsim.cli.options import (
    DEFAULT_HEADWIND_MPS,
    DEFAULT_STAGE,
    DEFAULT_VEHICLE,
    FLAG_SOURCES,
    HeadwindMps,
    Overwrite,
    Quiet,
    Setup,
    StageAltitudeM,
    StageAmbientC,
    StageArg,
    StagedDir,
    Vehicle,
    check_flag,
    check_out_file,
    check_seed,
    cli_table,
    json_option,
    load_car,
    out_option,
    seed_option,
    weather_flags,
    with_weather_flags,
)
from raidsim.cli.process import freeze_gc, freezes_heap_itself, load_numba_without_blas_probe
from raidsim.errors import ConfigError
from raidsim.model.settings import DEFAULT_DT_S


def _source(summary: Mapping[str, Any], key: str) -> str:
    """`` (argentina-2026/rally.toml)``: where a condition came from, when known."""
    source = summary.get("conditions_source", {}).get(key)
    return f" ({source})" if source else ""


def summary_table(summary: Mapping[str, Any]) -> Table:
    table = Table(title=Text(f"{summary['vehicle']} on {summary['stage']}"), show_header=False)
    rows = [
        ("stage time", f"{summary['stage_time_s'] / 60:.2f} min ({summary['stage_time_s']:.1f} s)"),
        ("distance", f"{summary['distance_m'] / 1000:.2f} km"),
        ("average speed", f"{summary['avg_speed_kmh']:.1f} km/h"),
        ("max speed", f"{summary['max_speed_kmh']:.1f} km/h"),
        (
            "fuel used",
            f"{summary['fuel_used_L']:.1f} L ({summary['fuel_L_per_100km']:.0f} L/100 km)",
        ),
        ("max coolant / oil", f"{summary['max_coolant_C']:.0f} / {summary['max_oil_C']:.0f} °C"),
        ("derate time", f"{summary['derate_time_s']:.0f} s"),
        ("max brake disc", f"{summary['max_brake_disc_C']:.0f} °C"),
        ("max halfshaft torque", f"{summary['max_halfshaft_torque_Nm']:.0f} N m"),
        ("jumps / landings", f"{summary.get('jumps', 0)} / {summary.get('landings_detected', 0)}"),
        (
            "max landing halfshaft torque",
            f"{summary.get('max_landing_halfshaft_torque_Nm', 0):.0f} N m",
        ),
        ("Flight Mode false triggers", f"{summary.get('flight_mode_false_triggers', 0)}"),
        ("ambient", f"{summary['ambient_C']:.0f} °C{_source(summary, 'temp_C')}"),
        ("altitude", f"{summary.get('altitude_m', 0.0):.0f} m{_source(summary, 'altitude_m')}"),
        ("real-time factor", f"{summary['real_time_factor']:.0f} x"),
    ]
    from raidsim.sim.runner import COMPILE_NOTICE_S

    compile_s = summary.get("compile_time_s", 0.0)
    if isinstance(compile_s, int | float) and compile_s >= COMPILE_NOTICE_S:
        rows.append(("kernel compile", f"{compile_s:.0f} s (first run; not in the factor)"))
    for k, v in rows:
        table.add_row(k, v)
    return table


#: the one line printed while the kernel compiles (a first run after an install or update)
COMPILING = (
    "compiling the simulation kernel (first run after an install or update, about a minute; "
    "later runs load it from the cache)"
)

DEFAULT_SAMPLE_RATE_HZ = 100.0
SampleRateHz = Annotated[
    float,
    typer.Option(
        "--sample-rate-hz",
        help=f"sample rate of the fast channels, Hz (a divisor of the {1 / DEFAULT_DT_S:g} Hz "
        "step; the thermal and fuel channels stay at 10 Hz)",
    ),
]
ChannelRates = Annotated[
    list[str] | None,
    typer.Option(
        "--channel-rate",
        help="NAME=HZ: store a channel (or an fnmatch pattern, 'brake_disc_C_*=1') at this "
        "rate; a rate above --sample-rate-hz raises the sample grid (repeat the option)",
    ),
]


def parse_channel_rates(items: list[str] | None) -> dict[str, float]:
    """``NAME=HZ`` items of ``--channel-rate`` (later items win)."""
    rates: dict[str, float] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        try:
            rate = float(raw)
        except ValueError:
            rate = math.nan
        if not sep or not name.strip() or not math.isfinite(rate):
            raise ConfigError(f"--channel-rate expects NAME=HZ (e.g. coolant_C=1), got '{item}'")
        rates[name.strip()] = rate
    return rates


def telemetry_settings(
    sample_rate_hz: float, channel_rate: list[str] | None
) -> tuple[Any, dict[str, float]]:
    """The run :class:`~raidsim.model.settings.Settings` of ``--sample-rate-hz`` and the
    ``--channel-rate`` table (checked against the channel list before anything runs)."""
    from raidsim.model.settings import DEFAULT_DT_S, Settings, divides_step
    from raidsim.sim.runner import MAX_RATE_HZ, channel_formats

    step_hz = 1.0 / DEFAULT_DT_S
    check_flag("--sample-rate-hz", sample_rate_hz, 2.0, MAX_RATE_HZ, "Hz")
    if not divides_step(sample_rate_hz):
        divisors = ", ".join(f"{step_hz / k:g}" for k in (1, 2, 4, 5, 10, 20))
        raise ConfigError(
            f"--sample-rate-hz: value {sample_rate_hz:g} is not allowed (must divide the "
            f"{step_hz:g} Hz integration step: {divisors} ... Hz)"
        )
    rates = parse_channel_rates(channel_rate)
    grid, _ = channel_formats(sample_rate_hz, rates)
    if not divides_step(grid):
        raise ConfigError(
            f"--channel-rate: the fastest rate asked for, {grid:g} Hz, does not divide the "
            f"{step_hz:g} Hz integration step"
        )
    return Settings(sample_rate_hz=sample_rate_hz), rates


@handle_errors
@freezes_heap_itself
def run_command(
    stage: StageArg = DEFAULT_STAGE,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    out: Annotated[
        Path | None, out_option("output directory (default: runs/YYYYmmdd-HHMMSS)")
    ] = None,
    seed: Annotated[
        int | None, seed_option("terrain seed override (default: the stage's own)")
    ] = None,
    ambient_C: StageAmbientC = None,
    altitude_m: StageAltitudeM = None,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    setup: Setup = None,
    quiet: Quiet = False,
    report: Annotated[bool, typer.Option(help="write report.html (--no-report to skip)")] = True,
    overwrite: Overwrite = False,
    sample_rate_hz: SampleRateHz = DEFAULT_SAMPLE_RATE_HZ,
    channel_rate: ChannelRates = None,
) -> None:
    """Drive a stage with the transient twin; write telemetry.parquet, summary.json and
    a self-contained report.html.

    The run directory is written whole or not at all: the files go to a hidden temporary
    directory beside --out, moved into place when the run (and its report) is complete.
    An --out that already holds files is refused unless --overwrite, which replaces the
    old run directory as a whole (no old report.html beside new telemetry).

    Telemetry is stored as loggers do: fast channels at --sample-rate-hz (100 Hz), thermal
    and fuel channels at 10 Hz, float32 where the precision allows; --channel-rate
    NAME=HZ stores a channel (or a pattern such as 'tyre_load_*') at another rate.

    A stage of a shipped rally (argentina-2026/3) runs at its catalogue ambient
    temperature and altitude (the rally's rally.toml) unless --ambient-C/--altitude-m
    say otherwise; any other stage at 35 °C and sea level."""
    load_numba_without_blas_probe()
    import raidsim.api as rs
    from raidsim.sim.runner import STOPPED_FILE, SimulationStopped

    settings, rates = telemetry_settings(sample_rate_hz, channel_rate)
    car = load_car(vehicle, setup)
    weather_flags(ambient_C, altitude_m, headwind_mps)  # a bad flag fails before any work
    st = rs.load_stage(stage, seed=check_seed(seed))
    st = with_weather_flags(st, ambient_C, altitude_m, headwind_mps)
    ambient = st.conditions.ambient
    out_dir = out or Path("runs") / _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    staged = StagedDir("--out", out_dir, overwrite=overwrite, markers=RUN_MARKERS)
    final_dir, out_dir = out_dir, staged.path  # written there, moved to --out when complete
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.1f}/{task.total:.1f} km"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
    with progress:
        weather = f"{ambient.temp_C:g} °C, {ambient.altitude_m:g} m"
        task = progress.add_task(
            escape(f"{car.name} / {st.name}, {weather}"), total=st.length_m / 1000.0
        )

        def on_progress(s_m: float, total_m: float) -> None:
            progress.update(task, completed=min(s_m, total_m) / 1000.0)

        live: list[Any] = []  # the report's LiveDigest, made once the kernel runs

        def on_start() -> None:
            """The kernel runs: beside it, load the report's modules (plotly) and start
            its live digest (fed each row group as it is written), freeze all that is
            loaded (long-lived: the collector need not sweep it again) and warm plotly up
            for the report written after the run (its template, the channels' layout)."""
            if report:
                import raidsim.io.runs  # noqa: F401
                import raidsim.report.html
                from raidsim.report.live import LiveDigest

                live.append(LiveDigest(st.name, st.length_m))
            freeze_gc()
            if report:  # after the freeze: the throwaway figures are collected as usual
                from raidsim.sim.layout import CHANNELS

                raidsim.report.html.warm_up([c.name for c in CHANNELS])

        def on_table(table: Any) -> None:
            """A row group of telemetry.parquet is written: digest it for the report."""
            if live:
                live[0](table)

        try:
            result = rs.simulate(  # at the stage's conditions (flags applied above)
                car,
                st,
                settings=settings,
                out_dir=out_dir,
                on_progress=on_progress,
                channel_rates=rates,
                on_start=on_start,
                on_table=on_table if report else None,
                on_compiling=lambda: say(COMPILING, err=True),
            )
        except SimulationStopped:
            # keep the telemetry up to the stop (telemetry.parquet.partial, stopped.json)
            # to diagnose it; exit 3 follows from the error map
            if (out_dir / STOPPED_FILE).is_file():
                staged.commit()
                warn(f"kept the telemetry up to the stop in {final_dir} (stopped.json)")
            raise
    console.print(summary_table(result.summary))
    if report:
        from raidsim.io.runs import load_run
        from raidsim.report.html import build_report

        with console.status("writing report.html"):
            labelled = dataclasses.replace(load_run(out_dir), dir=final_dir)  # its final name
            digest = live[0].digest() if live else None
            build_report([labelled], out_dir / "report.html", digest=digest, limits=[result.limits])
    staged.commit()
    say(f"wrote {final_dir / 'telemetry.parquet'} and {final_dir / 'summary.json'}")
    if report:
        say(f"wrote {final_dir / 'report.html'}")


#: files that show a directory is a raidsim run directory (``--overwrite`` replaces only one)
RUN_MARKERS = ("summary.json", "telemetry.parquet")


@handle_errors
def presets_command() -> None:
    """List the vehicle presets and stages shipped with raidsim."""
    from raidsim.model.loader import load_vehicle, preset_names
    from raidsim.route.stage import load_stage_definition, stage_names

    table = Table(title="vehicles")
    table.add_column("name")
    table.add_column("description")
    table.add_column("mass at start, kg", justify="right")
    for name in preset_names():
        v = load_vehicle(name)
        table.add_row(Text(name), Text(v.description), f"{v.total_mass_kg:.0f}")
    console.print(table)
    stages = Table(title="stages")
    stages.add_column("name")
    stages.add_column("description")
    for name in stage_names():
        d, _ = load_stage_definition(name)
        stages.add_row(Text(name), Text(d.description))
    console.print(stages)


def _profile_target(out: Path, stage: Any) -> Path:
    """``--out`` itself when it names a file (has a suffix: .html, or .png with kaleido),
    else ``<stage>-profile.html`` inside the directory ``--out``."""
    from raidsim.route.profile import default_profile_path

    if out.is_dir() or not out.suffix:
        return out / default_profile_path(stage)
    return out


@handle_errors
def stage_info_command(
    stage: StageArg = DEFAULT_STAGE,
    seed: Annotated[int | None, seed_option("terrain seed override")] = None,
    as_json: Annotated[bool, json_option()] = False,
    out: Annotated[
        Path | None,
        out_option(
            "write the elevation/feature profile plot to this .html file (.png when kaleido "
            "is installed), or into this directory as <stage>-profile.html; without --out "
            "nothing is written"
        ),
    ] = None,
) -> None:
    """Length, surface mix, elevation gain, jumps and speed zones of a stage; with --out,
    also an elevation/feature profile plot (nothing is written by default)."""
    import warnings

    import numpy as np

    import raidsim.api as rs
    from raidsim.route.catalogue import liaison_time_s
    from raidsim.route.profile import write_profile

    profile: Path | None = None
    with warnings.catch_warnings(record=True) as caught:  # route and profile warnings
        warnings.simplefilter("always")
        st = rs.load_stage(stage, seed=check_seed(seed))
        if out is not None:
            target = check_out_file("--out", _profile_target(out, st))
            try:
                profile = write_profile(st, target)
            except OSError as exc:
                raise ConfigError(f"--out {out}: cannot write the profile ({exc})") from exc
    for w in caught:
        warn(str(w.message))
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
        "profile": None if profile is None else str(profile),
    }
    # the conditions `run` and `estimate` use for this stage, and where they come from
    info.update(st.conditions.summary_fields())
    if as_json:
        console.print_json(json.dumps(info))
        return
    table = Table(title=Text(f"stage {st.name}"), show_header=False)
    table.add_column()
    table.add_column(overflow="fold")  # long paths fold instead of being cut
    if d.date is not None:
        table.add_row("date", Text(f"{d.date.isoformat()}, {d.start} -> {d.finish}"))
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
    table.add_row("conditions", Text(st.conditions.describe()))
    table.add_row("profile", Text(str(profile) if profile is not None else "not written (--out)"))
    console.print(table)


#: jump-sweep column -> (header in the CLI unit vocabulary, format)
SWEEP_COLUMNS: dict[str, tuple[str, str]] = {
    "drop_m": ("drop, m", "{:.1f}"),
    "speed_kmh": ("speed, km/h", "{:.0f}"),
    "air_time_s": ("air, s", "{:.2f}"),
    "peak_torque_off_Nm": ("torque off, N m", "{:.0f}"),
    "peak_torque_on_Nm": ("torque on, N m", "{:.0f}"),
    "wheel_speed_error_off": ("error off, 1", "{:.2f}"),
    "wheel_speed_error_on": ("error on, 1", "{:.2f}"),
    "detection_latency_s": ("detect, ms", "ms"),
}


def sweep_table(vehicle: str, frame: Any) -> Table:
    """The jump sweep as a table that stays readable in 80 columns (every row, headers
    wrap, units in the CLI vocabulary), instead of polars' truncated repr."""
    table = cli_table(
        f"{vehicle} jump sweep, Flight Mode off vs on: peak halfshaft torque, wheel-speed "
        "error, Flight Mode detection time"
    )
    names = [c for c in frame.columns if c in SWEEP_COLUMNS]
    for name in names:
        table.add_column(SWEEP_COLUMNS[name][0], justify="right")
    for row in frame.select(names).iter_rows():
        cells = []
        for name, value in zip(names, row, strict=True):
            fmt = SWEEP_COLUMNS[name][1]
            if value is None or value != value:
                cells.append("-")
            elif fmt == "ms":
                cells.append(f"{value * 1000:.0f}")
            else:
                cells.append(fmt.format(value))
        table.add_row(*cells)
    return table


@handle_errors
def jump_command(
    height_m: Annotated[float, typer.Option(help="drop from the lip to the landing, m")] = 2.0,
    speed_kmh: Annotated[float, typer.Option(help="take-off speed, km/h")] = 80.0,
    flight_mode: Annotated[str, typer.Option(help="on, off or both")] = "both",
    vehicle: Vehicle = DEFAULT_VEHICLE,
    setup: Setup = None,
    stage: Annotated[
        str | None,
        typer.Option(
            help="jump in this stage's weather (a shipped rally stage: its rally.toml "
            "temperature and altitude); the jump itself stays the scenario's kicker"
        ),
    ] = None,
    ambient_C: StageAmbientC = None,
    altitude_m: StageAltitudeM = None,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    sweep: Annotated[
        bool,
        typer.Option(help="grid of 0.5-3 m drops x 40-140 km/h"),
    ] = False,
    out: Annotated[
        Path | None, out_option("sweep table, .csv or .parquet (default: ./jump_sweep.csv)")
    ] = None,
) -> None:
    """Single-jump scenario: landing loads with Flight Mode on vs off.

    The weather: --ambient-C/--altitude-m/--headwind-mps over --stage's conditions, else
    35 °C at sea level."""
    import raidsim.api as rs
    from raidsim.model.ambient import Conditions
    from raidsim.sim.jump import run_jump, validate_jump
    from raidsim.sim.jump import sweep as run_sweep

    if flight_mode not in {"on", "off", "both"}:
        raise ConfigError(f"--flight-mode={flight_mode!r}: expected on, off or both")
    car = load_car(vehicle, setup)
    flags = weather_flags(ambient_C, altitude_m, headwind_mps)
    where = None if stage is None else rs.load_stage(stage)
    cond = Conditions.for_stage(where, FLAG_SOURCES, **flags)
    ambient = cond.ambient
    if sweep:
        target = check_out_file("--out", out or Path("jump_sweep.csv"))
        if target.suffix.lower() not in (".csv", ".parquet"):
            raise ConfigError(
                f"--out {target}: the sweep table is written as .csv or .parquet, not "
                f"'{target.suffix or 'no suffix'}'; give a file name ending in one of them"
            )
        with console.status("running the jump sweep (72 jumps)"):
            table_df = run_sweep(car, ambient=ambient)
        with atomic.writing(target) as tmp:
            if target.suffix.lower() == ".parquet":
                table_df.write_parquet(tmp)
            else:
                table_df.write_csv(tmp)
        console.print(sweep_table(car.name, table_df))
        say(f"conditions: {cond.describe()}")
        say(f"wrote {target}")
        return
    validate_jump(car, height_m, speed_kmh)
    modes = {"on": [True], "off": [False], "both": [False, True]}[flight_mode]
    table = cli_table(f"{car.name}: {height_m:.2f} m drop at {speed_kmh:.0f} km/h")
    for col in (
        "Flight Mode",
        "air time, s",
        "peak halfshaft torque, N m",
        "wheel-speed error, 1",
        "detection, ms",
    ):
        table.add_column(col, justify="right")
    for mode in modes:
        r = run_jump(car, height_m, speed_kmh, mode, ambient)
        lat = r.detection_latency_s
        table.add_row(
            "on" if mode else "off",
            f"{r.air_time_s:.2f}",
            f"{r.peak_halfshaft_torque_Nm:.0f}",
            f"{r.max_abs_wheel_speed_error:+.2f}",
            "-" if lat != lat else f"{lat * 1000:.0f}",
        )
    console.print(table)
    say(f"conditions: {cond.describe()}")
