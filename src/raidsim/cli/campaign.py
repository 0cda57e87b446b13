"""``raidsim campaign`` and ``raidsim campaign-report``.

Bad input (unknown crew vehicle, negative replicates or rate, an unreachable scheduler, a
DIR holding another campaign) prints one line naming it and exits with code 2; a campaign
that stops exits with code 3 (see :mod:`raidsim.cli.errors`).

The campaign's weather is the spec's ``ambient_C`` (the QSS base table runs at it);
``--ambient-C`` overrides it, which makes a different spec (a new campaign DIR). Altitude
and headwind are not part of a campaign spec.

Running on an existing cluster: start ``dask scheduler`` and ``dask worker tcp://HOST:8786``
processes (raidsim installed on each), then
``raidsim campaign dakar-2026 --scheduler tcp://HOST:8786 --out DIR``. On SLURM, create a
``dask_jobqueue.SLURMCluster(cores=..., memory=..., walltime=...)``, ``cluster.scale(jobs=N)``
and pass ``cluster.scheduler_address`` as ``--scheduler``. Workers need no shared disk:
chunks come back to this process, which writes them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from raidsim.cli.errors import console, handle_errors, say
from raidsim.cli.options import (
    Quiet,
    Scheduler,
    check_ambient_field,
    json_option,
    out_option,
    seed_option,
)
from raidsim.errors import ConfigError


@handle_errors
def campaign_command(
    rally: Annotated[str, typer.Argument(help="rally from the catalogue")] = "dakar-2026",
    out: Annotated[Path, out_option("campaign directory (resumable)")] = Path("campaign"),
    replicates: Annotated[int, typer.Option(help="Monte Carlo replicates")] = 1000,
    crews: Annotated[
        Path | None,
        typer.Option(help="TOML replacing tables of the default spec ([[crews]], ...)"),
    ] = None,
    seed: Annotated[int, seed_option("campaign seed")] = 0,
    ambient_C: Annotated[
        float | None,
        typer.Option("--ambient-C", help="ambient temperature, °C (default: the spec's ambient_C)"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="LocalCluster worker processes (default: CPU count; 0: in-process)"),
    ] = None,
    scheduler: Scheduler = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            help="replicates per task / Parquet file "
            "(default: about 25,000 replicate x crew x stage rows a chunk, at least two "
            "chunks per worker, a multiple of --workers; or what DIR was started with)"
        ),
    ] = None,
    max_chunks: Annotated[
        int | None, typer.Option(help="stop after this many new chunks (re-run to resume)")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Whole-rally Monte Carlo: crews x stages x replicates, one Parquet file per chunk."""
    from raidsim.campaign.model import build_base_table
    from raidsim.campaign.runner import check_inputs, dask_client, prepare, run_campaign
    from raidsim.campaign.spec import load_spec

    n_workers = (os.cpu_count() or 1) if workers is None else workers
    spec = load_spec(crews)
    if ambient_C is not None:
        check_ambient_field("temp_C", ambient_C)
        spec = spec.model_copy(update={"ambient_C": ambient_C})
    if n_workers < 0:
        raise ConfigError(f"--workers={n_workers}: must be >= 0 (0 runs in this process)")
    if max_chunks is not None and max_chunks < 0:
        raise ConfigError(f"--max-chunks={max_chunks}: must be >= 0")
    # check inputs and build the base table (QSS) before starting any cluster
    if scheduler is None:
        prepare(
            rally,
            spec,
            replicates=replicates,
            seed=seed,
            out_dir=out,
            chunk_size=chunk_size,
            workers=n_workers,
        )
    else:  # the manifest waits for the cluster's worker count (chunk sizing)
        check_inputs(replicates, 1 if chunk_size is None else chunk_size, seed)
        build_base_table(rally, spec)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    task = progress.add_task(escape(f"{rally} x {len(spec.crews)} crews"), total=None)

    def on_start(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    def on_chunk(index: int) -> None:
        progress.advance(task)

    def go(client: Any) -> Any:
        with progress:
            return run_campaign(
                rally,
                spec,
                replicates=replicates,
                seed=seed,
                out_dir=out,
                chunk_size=chunk_size,
                client=client,
                max_chunks=max_chunks,
                on_start=on_start,
                on_chunk=on_chunk,
            )

    if scheduler is None and n_workers == 0:
        result = go(None)
    else:
        with dask_client(n_workers, scheduler) as client:
            result = go(client)
    state = (
        "complete" if result.chunks_done == result.chunks_total else "partial (re-run to resume)"
    )
    say(
        f"{result.out_dir}: {result.chunks_done}/{result.chunks_total} chunks, {state}; "
        f"{result.chunks_run} computed in {result.elapsed_s:.1f} s"
    )


@handle_errors
def campaign_report_command(
    dir: Annotated[Path, typer.Argument(help="campaign directory")],
    compare: Annotated[
        Path | None, typer.Option(help="second campaign directory for a what-if (B - A)")
    ] = None,
    as_json: Annotated[bool, json_option()] = False,
) -> None:
    """Win and podium probabilities, time distributions, lost time by cause, what-if."""
    from raidsim.campaign.report import campaign_report, render
    from raidsim.campaign.report import compare as compare_reports

    report = campaign_report(dir)
    other = campaign_report(compare) if compare is not None else None
    if as_json:
        data = dict(report)
        if other is not None:
            data["compare"] = {"dir": other["dir"], "rows": compare_reports(report, other)}
        console.print_json(json.dumps(data))
        return
    for table in render(report, other):
        console.print(table)
