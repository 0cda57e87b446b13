"""``raidsim campaign`` and ``raidsim campaign-report``: plain typer command functions.

``raidsim.cli`` registers them (``app.command("campaign")(campaign_command)``,
``app.command("campaign-report")(campaign_report_command)``). Bad input (unknown crew
vehicle, negative replicates or rate, an unreachable scheduler, a DIR holding another
campaign) prints one line naming it and exits with code 2.

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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from raidsim.errors import ConfigError, RaidsimError, RouteError
from raidsim.terminal import console, err_console, fail


def campaign_command(
    rally: Annotated[str, typer.Argument(help="rally from the catalogue")] = "dakar-2026",
    out: Annotated[Path, typer.Option(help="campaign directory (resumable)")] = Path("campaign"),
    replicates: Annotated[int, typer.Option(help="Monte Carlo replicates")] = 1000,
    crews: Annotated[
        Path | None,
        typer.Option(help="TOML replacing tables of the default spec ([[crews]], ...)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="campaign seed")] = 0,
    workers: Annotated[
        int | None,
        typer.Option(help="LocalCluster worker processes (default: CPU count; 0: in-process)"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="existing Dask scheduler, tcp://host:port")
    ] = None,
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
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Whole-rally Monte Carlo: crews x stages x replicates, one Parquet file per chunk."""
    from raidsim.campaign.model import build_base_table
    from raidsim.campaign.runner import check_inputs, dask_client, prepare, run_campaign
    from raidsim.campaign.spec import load_spec

    n_workers = (os.cpu_count() or 1) if workers is None else workers
    try:
        spec = load_spec(crews)
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
    except (ConfigError, RouteError) as exc:
        fail(str(exc))
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    task = progress.add_task(f"{rally} x {len(spec.crews)} crews", total=None)

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

    try:
        if scheduler is None and n_workers == 0:
            result = go(None)
        else:
            with dask_client(n_workers, scheduler) as client:
                result = go(client)
    except (ConfigError, RouteError) as exc:
        fail(str(exc))
        return
    except RaidsimError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(3) from exc
    state = (
        "complete" if result.chunks_done == result.chunks_total else "partial (re-run to resume)"
    )
    console.print(
        f"{result.out_dir}: {result.chunks_done}/{result.chunks_total} chunks, {state}; "
        f"{result.chunks_run} computed in {result.elapsed_s:.1f} s",
        soft_wrap=True,
    )


def campaign_report_command(
    dir: Annotated[Path, typer.Argument(help="campaign directory")],
    compare: Annotated[
        Path | None, typer.Option(help="second campaign directory for a what-if (B - A)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Win and podium probabilities, time distributions, lost time by cause, what-if."""
    from raidsim.campaign.report import campaign_report, render
    from raidsim.campaign.report import compare as compare_reports

    try:
        report = campaign_report(dir)
        other = campaign_report(compare) if compare is not None else None
    except ConfigError as exc:
        fail(str(exc))
        return
    if as_json:
        data = dict(report)
        if other is not None:
            data["compare"] = {"dir": other["dir"], "rows": compare_reports(report, other)}
        console.print_json(json.dumps(data))
        return
    for table in render(report, other):
        console.print(table)
