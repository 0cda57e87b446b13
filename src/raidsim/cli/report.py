"""``raidsim export`` and ``raidsim report``.

Bad input (missing run directory, unreadable telemetry, data the format cannot hold) prints
one line and exits with code 2, like ``raidsim run`` (see :mod:`raidsim.cli.errors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from raidsim.cli.errors import handle_errors, say, warn
from raidsim.cli.options import check_out_file
from raidsim.io.formats import ExportFormat

__all__ = ["export_command", "report_command"]


@handle_errors
def export_command(
    run_dir: Annotated[Path, typer.Argument(help="run directory written by `raidsim run`")],
    format: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="parquet (copy), csv (units row) or ld (MoTeC)"),
    ] = ExportFormat.parquet,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="output file or directory (default: RUN_DIR/RUN.ext)"),
    ] = None,
) -> None:
    """Export a run's full-rate telemetry as Parquet, CSV or MoTeC .ld (+ .ldx beacons)."""
    from raidsim.io.runs import export_run, load_run, stopped_note

    if out is not None:
        check_out_file("--out", out, allow_dir=True)
    run = load_run(run_dir)
    note = stopped_note(run)
    if note:
        warn(f"{run_dir}: the run {note}; its telemetry ends there")
    for path in export_run(run, format, out):
        say(f"wrote {path}")


@handle_errors
def report_command(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="run directories (the first is the reference), or one season campaign directory"
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file (default: FIRST_RUN/report.html)"),
    ] = None,
) -> None:
    """Write one self-contained offline HTML report of one or more runs (a run that stopped
    before the finish is shown up to its stop, marked as stopped)."""
    from raidsim.io.formats import PARTIAL_TELEMETRY_FILE
    from raidsim.io.runs import TELEMETRY_FILE, load_run, stopped_note
    from raidsim.report.season import write_report

    if out is not None:
        check_out_file("--out", out)
    path = write_report(runs, out)  # a season campaign directory: the season report
    for run in runs:
        if not (run / TELEMETRY_FILE).is_file() and (run / PARTIAL_TELEMETRY_FILE).is_file():
            warn(f"{run}: the run {stopped_note(load_run(run))}; shown up to the stop")
    size_mb = path.stat().st_size / 1e6
    say(f"wrote {path} ({size_mb:.1f} MB)")
