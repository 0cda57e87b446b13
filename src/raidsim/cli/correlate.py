"""``raidsim correlate LOG [--stage STAGE] --vehicle NAME [--fit F ...] --out DIR``.

Reads the log (:mod:`raidsim.correlate.logs`), aligns it by distance with the stage, or with
a route built from the log's GPS when no stage is given (:mod:`raidsim.correlate.align`),
fits the named factors with the QSS tier (:mod:`raidsim.correlate.fit`), prints before/after
errors and writes to ``--out``:

* ``correlation.html``: speed and delta-time traces, residual maps (:mod:`raidsim.correlate.page`);
* ``vehicle-fit.toml``: the fitted vehicle, loadable by ``raidsim.load_vehicle(path)``;
* ``driver-fit.toml``: fitted driver settings, model corrections and the log's provenance;
* ``correlation.json``: the numbers; ``route_from_log.csv`` when the route came from GPS.

``--out`` is written whole or not at all (a hidden temporary directory beside it, moved
into place at the end); a directory that already holds files is refused unless
``--overwrite``, which replaces it as a whole.

Bad input (missing file, missing channel, broken header, unknown factor, an out-of-range
``--ambient-C``) prints one line and exits with code 2; a transient confirmation that stops
exits with code 3 (see :mod:`raidsim.cli.errors`).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say, warn
from raidsim.cli.options import (
    DEFAULT_HEADWIND_MPS,
    DEFAULT_VEHICLE,
    HeadwindMps,
    Overwrite,
    Setup,
    StageAltitudeM,
    StageAmbientC,
    StagedDir,
    Vehicle,
    load_car,
    out_option,
    weather_flags,
    with_weather_flags,
)


def _fmt(v: float | None, unit: str, digits: int = 2) -> str:
    return (
        "-"
        if v is None
        else f"{v:+.{digits}f} {unit}"
        if unit.startswith("±")
        else f"{v:.{digits}f} {unit}"
    )


@handle_errors
def correlate_command(
    log: Annotated[Path, typer.Argument(help="logged run: AiM/plain .csv, .parquet or MoTeC .ld")],
    stage: Annotated[
        str | None, typer.Option(help="stage name or file; default: route from the log's GPS")
    ] = None,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    setup: Setup = None,
    fit: Annotated[
        list[str] | None,
        typer.Option(
            help="factor to fit (repeat): pace, grip, grip_<surface>, brake, ride, shock, "
            "features, power, rolling, fuel, final_drive; default pace and power"
        ),
    ] = None,
    out: Annotated[Path, out_option("output directory")] = Path("runs/correlate"),
    channel_map: Annotated[
        Path | None, typer.Option(help='TOML [channels] table: our_name = "Log Name"')
    ] = None,
    ambient_C: StageAmbientC = None,
    altitude_m: StageAltitudeM = None,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    transient: Annotated[
        bool, typer.Option(help="confirm the fitted setup with the transient twin (slow)")
    ] = False,
    overwrite: Overwrite = False,
    accept_untrusted: Annotated[
        bool,
        typer.Option(
            "--accept-untrusted",  # a plain flag: a --no- form would only repeat the default
            help="write a fit that fails the trust checks (coverage, residuals, wrong "
            "stage), marked trusted = false; default: refuse with exit code 2",
        ),
    ] = False,
) -> None:
    """Correlate the twin with a logged run: align by distance, fit factors, report.

    A fit the log cannot support (it covers under half the stage, the GPS lies off the
    stage, the fitted twin still misses the log by over 10 km/h RMS, a factor ends on a
    bound or is undetermined) is refused with exit code 2 unless --accept-untrusted
    (raidsim.correlate.trust).

    --out is written whole or not at all; one that already holds files is refused unless
    --overwrite, which replaces it as a whole."""
    import raidsim.api as rs
    from raidsim.correlate.align import align, stage_origin, write_route_from_log
    from raidsim.correlate.fit import (
        DEFAULT_FIT,
        check_factor_names,
        fit_factors,
        write_driver_settings,
        write_vehicle_preset,
    )
    from raidsim.correlate.logs import (
        GPS,
        REQUIRED,
        check_channel_map,
        load_channel_map,
        read_log,
    )
    from raidsim.correlate.page import write_page
    from raidsim.correlate.trust import assess_trust, require_trust

    names = list(fit) if fit else list(DEFAULT_FIT)
    check_factor_names(names)
    weather_flags(ambient_C, altitude_m, headwind_mps)  # a bad flag fails before any work
    cmap = load_channel_map(channel_map)
    required = REQUIRED if stage is not None else REQUIRED + GPS
    staged = StagedDir("--out", out, overwrite=overwrite, markers=CORRELATE_MARKERS)
    final_dir, out = out, staged.path  # written there, moved to --out when complete
    run = read_log(log, cmap, required)
    check_channel_map(channel_map, run)
    car = load_car(vehicle, setup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no-elevation notes on GPS routes
        if stage is None:
            route = write_route_from_log(run, out / "route_from_log.csv")
            st = rs.load_stage(route)
            origin = stage_origin(route)
        else:
            st = rs.load_stage(stage)
            origin = stage_origin(stage)
    st = with_weather_flags(st, ambient_C, altitude_m, headwind_mps)  # over its own
    aligned = align(run, st, origin)
    result = fit_factors(aligned, st, car, names, log=run)
    trust = assess_trust(aligned, st, run, origin, result)

    table = Table(title=Text(f"{car.name} vs {run.source.name} on {st.name}"))
    table.add_column("")
    table.add_column("before", justify="right")
    table.add_column("after fit", justify="right")
    b, a = result.before.metrics(), result.after.metrics()
    for label, key, unit in (
        ("RMS speed error", "rms_speed_error_kmh", "km/h"),
        ("stage-time error", "stage_time_error_s", "s"),
        ("stage-time error", "stage_time_error_pct", "%"),
        ("fuel error", "fuel_error_L", "L"),
        ("fuel error", "fuel_error_pct", "%"),
    ):
        table.add_row(label, _fmt(b[key], unit), _fmt(a[key], unit))
    console.print(table)
    say(f"logged stage time {b['stage_time_log_s']:.1f} s over {aligned.s_m[-1] / 1000:.2f} km")
    for f in result.factors:
        say(f"  {f.name:<14} {f.value:.4f} ± {f.ci95:.4f} (95 %)  -> {f.maps_to}")
    if result.final_drive is not None and "final_drive" not in names:
        fd = result.final_drive
        say(f"  final-drive check (RPM / predicted): {fd.value:.4f} ± {fd.ci95:.4f}")
    off = "" if trust.off_route_median_m is None else f", GPS {trust.off_route_median_m:.1f} m off"
    say(
        f"trusted: {'yes' if trust.trusted else 'NO'} (covers {100 * trust.coverage:.0f} % "
        f"of the stage, RMS after fit {trust.rms_after_kmh:.2f} km/h{off})"
    )
    require_trust(trust, f"{run.source.name} on {st.name}", accept_untrusted)
    for reason in trust.reasons:
        warn(f"UNTRUSTED correlation (written with --accept-untrusted): {reason}")
    vpath = write_vehicle_preset(result, out / "vehicle-fit.toml", trust.as_dict())
    dpath = write_driver_settings(result, out / "driver-fit.toml", trust.as_dict())

    confirm: dict[str, float] = {}
    if transient:
        from raidsim.model.settings import Settings

        tr = rs.simulate(
            result.corrected.vehicle, st, settings=Settings(driver=result.corrected.driver)
        )
        confirm = {
            "transient_stage_time_s": float(tr.summary["stage_time_s"]),
            "transient_fuel_used_L": float(tr.summary["fuel_used_L"]),
        }
        say(
            f"transient confirmation: stage time {confirm['transient_stage_time_s']:.1f} s, "
            f"fuel {confirm['transient_fuel_used_L']:.2f} L"
        )

    page = write_page(out / "correlation.html", aligned, result, f"Correlation: {run.source.name}")
    report = {
        "log": result.provenance,
        "vehicle": car.name,
        "stage": st.name,
        "factors": {f.name: f.as_dict() for f in result.factors},
        "final_drive_check": None if result.final_drive is None else result.final_drive.as_dict(),
        "before": b,
        "after": a,
        "qss_evaluations": result.evaluations,
        "trust": trust.as_dict(),
        "intervals": None if result.covariance is None else result.covariance.summary(),
        **confirm,
    }
    (out / "correlation.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    staged.commit()
    say(", ".join(["wrote " + str(final_dir / p.name) for p in (page, vpath, dpath)]))


#: files that show a directory holds a correlation (``--overwrite`` replaces only one)
CORRELATE_MARKERS = ("correlation.json", "vehicle-fit.toml")
