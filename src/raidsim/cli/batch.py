"""``raidsim batch``: the transient twin over a grid of stages x setups x seeds x ambient.

The grid comes from the arguments (``STAGES``, ``--setup-variant``, ``--seeds``,
``--ambient-C``) or from ``--grid FILE.toml`` (:mod:`raidsim.batch.grid`); it is checked
whole before any run starts (unknown stage, vehicle or setup key, a value out of range, a
repeated entry: one line, exit code 2). Runs go to Dask: a ``LocalCluster`` with one
process per core by default (``--workers K``; ``--workers 0`` runs them one after another
in this process), or the existing cluster at ``--scheduler tcp://HOST:8786``, as for
``raidsim campaign``. Each run lands atomically in ``DIR/runs/<key>/``; running the same
command again (or ``raidsim batch --out DIR`` alone) resumes and makes only the missing
runs; ``DIR/results.parquet`` holds every run's summary. Exit code 3 when a run stopped
or diverged (the others are still made; its folder and row hold the diagnostic).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from raidsim.cli.errors import EXIT_SIM_FAILED, console, handle_errors, say
from raidsim.cli.options import (
    DEFAULT_VEHICLE,
    Quiet,
    Scheduler,
    Vehicle,
    out_option,
    parse_setup,
)
from raidsim.cli.run import (
    DEFAULT_SAMPLE_RATE_HZ,
    ChannelRates,
    SampleRateHz,
    parse_channel_rates,
)
from raidsim.errors import ConfigError

__all__ = ["batch_command", "parse_seeds", "parse_variant"]


def parse_seeds(text: str) -> list[int]:
    """``0,1,2`` or ``0-9`` (or a mix: ``0-3,7``) of ``--seeds``."""
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, sep, hi = part.partition("-")
        try:
            if sep and lo:
                a, b = int(lo), int(hi)
                if b < a or b - a > 100_000:
                    raise ValueError
                seeds.extend(range(a, b + 1))
            else:
                seeds.append(int(part))
            if seeds and seeds[-1] < 0:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"--seeds {text!r}: expected seeds >= 0 as 0,1,2 or a range 0-9"
            ) from None
    if not seeds:
        raise ConfigError(f"--seeds {text!r}: no seed given")
    return seeds


def parse_variant(text: str) -> dict[str, Any]:
    """``NAME`` or ``NAME:key=value,key=value`` of ``--setup-variant`` (a grid setup)."""
    name, _, rest = text.partition(":")
    items = [x.strip() for x in rest.split(",") if x.strip()]
    try:
        changes = parse_setup(items)
    except ConfigError:
        raise ConfigError(
            f"--setup-variant {text!r}: expected NAME or NAME:key=value[,key=value...]"
        ) from None
    return {"name": name.strip(), "changes": changes}


@handle_errors
def batch_command(
    stages: Annotated[
        list[str] | None,
        typer.Argument(help="stages: shipped names, stage TOML or route files"),
    ] = None,
    out: Annotated[Path, out_option("batch directory (resumable)")] = Path("batch"),
    grid: Annotated[
        Path | None,
        typer.Option("--grid", help="grid TOML (stages, setups, seeds, ambient_C ...)"),
    ] = None,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    setup_variant: Annotated[
        list[str] | None,
        typer.Option(
            "--setup-variant",
            help="NAME or NAME:k=v,k=v (setup keys and values); one setup of the grid (repeat the "
            "option; default: the preset as it is, named 'base')",
        ),
    ] = None,
    seeds: Annotated[
        str, typer.Option("--seeds", help="terrain seeds: 0,1,2 or a range 0-9")
    ] = "0",
    ambient_C: Annotated[
        list[float] | None,
        typer.Option("--ambient-C", help="ambient temperature, °C (repeat the option)"),
    ] = None,
    altitude_m: Annotated[float, typer.Option("--altitude-m", help="altitude, m")] = 0.0,
    headwind_mps: Annotated[
        float, typer.Option("--headwind-mps", help="headwind along the route, m/s")
    ] = 0.0,
    sample_rate_hz: SampleRateHz = DEFAULT_SAMPLE_RATE_HZ,
    channel_rate: ChannelRates = None,
    workers: Annotated[
        int | None,
        typer.Option(help="LocalCluster worker processes (default: CPU count; 0: in-process)"),
    ] = None,
    scheduler: Scheduler = None,
    shared_disk: Annotated[
        bool,
        typer.Option(
            "--shared-disk/--no-shared-disk",
            help="with --scheduler: the workers see --out and write the runs there "
            "(default: each run's files come back to this process)",
        ),
    ] = False,
    max_runs: Annotated[
        int | None, typer.Option(help="stop after this many new runs (re-run to resume)")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Transient runs over a grid (stages x setup variants x seeds x ambient) on Dask; one
    folder per run, a results table, resumable."""
    from raidsim.batch.cluster import dask_client
    from raidsim.batch.grid import BatchGrid, load_grid
    from raidsim.batch.runner import MANIFEST, check_grid, run_batch, stored_grid

    n_workers = (os.cpu_count() or 1) if workers is None else workers
    if n_workers < 0:
        raise ConfigError(f"--workers={n_workers}: must be >= 0 (0 runs in this process)")
    if max_runs is not None and max_runs < 0:
        raise ConfigError(f"--max-runs={max_runs}: must be >= 0")
    from_flags = bool(stages or setup_variant or ambient_C or seeds != "0" or channel_rate)
    from_flags = from_flags or sample_rate_hz != DEFAULT_SAMPLE_RATE_HZ
    if grid is not None:
        if from_flags:
            raise ConfigError(
                "--grid: give the grid either as a file or as arguments, not both "
                "(STAGES, --setup-variant, --seeds, --ambient-C, rates)"
            )
        the_grid = load_grid(grid)
    elif stages:
        the_grid = BatchGrid.model_validate(
            {
                "stages": stages,
                "vehicle": vehicle,
                "setups": [parse_variant(v) for v in setup_variant]
                if setup_variant
                else [{"name": "base"}],
                "seeds": parse_seeds(seeds),
                "ambient_C": ambient_C or [35.0],
                "altitude_m": altitude_m,
                "headwind_mps": headwind_mps,
                "sample_rate_hz": sample_rate_hz,
                "channel_rates": parse_channel_rates(channel_rate),
            }
        )
    elif (out / MANIFEST).is_file() and not from_flags:
        the_grid = stored_grid(out)  # resume the batch as it was started
    else:
        raise ConfigError(
            "no stages: give STAGES or --grid FILE (or --out DIR of a batch to resume it)"
        )
    tasks = check_grid(the_grid)  # the whole grid, before any cluster or run starts
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    bar = progress.add_task(escape(f"{the_grid.vehicle}: {len(tasks)} runs"), total=len(tasks))

    def on_start(done: int, total: int) -> None:
        progress.update(bar, completed=done, total=total)

    def on_run(info: dict[str, Any]) -> None:
        progress.advance(bar)

    def go(client: Any, shared: bool) -> Any:
        with progress:
            return run_batch(
                the_grid,
                out,
                client=client,
                shared_disk=shared,
                max_runs=max_runs,
                on_start=on_start,
                on_run=on_run,
            )

    if scheduler is None and n_workers == 0:
        result = go(None, True)
    else:
        with dask_client(n_workers, scheduler) as client:
            result = go(client, shared_disk or scheduler is None)
    state = "complete" if result.runs_done == result.runs_total else "partial (re-run to resume)"
    say(
        f"{result.out_dir}: {result.runs_done}/{result.runs_total} runs, {state}; "
        f"{result.runs_made} made in {result.elapsed_s:.1f} s; results in {result.results}"
    )
    if result.stopped:
        say(
            f"{result.stopped} run(s) stopped or diverged (status and error in "
            f"{result.results.name}; delete a run's folder to make it again)",
            err=True,
        )
        raise typer.Exit(EXIT_SIM_FAILED)
