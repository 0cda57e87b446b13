"""``raidsim campaign`` and ``raidsim campaign-report``.

Bad input (unknown crew vehicle, negative replicates or rate, an unreachable scheduler, a
DIR holding another campaign) prints one line naming it and exits with code 2; a campaign
that stops exits with code 3 (see :mod:`raidsim.cli.errors`).

A campaign whose size is out of proportion (more than an hour of CPU or 20 GB of chunks)
prints a warning with the estimate of its work (rows, chunks, CPU time, disk) before it
starts; a resume verifies every chunk against the manifest's ledger (see
:mod:`raidsim.campaign.runner`) and computes damaged ones again.

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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say, warn
from raidsim.cli.options import (
    Quiet,
    Scheduler,
    check_ambient_field,
    cli_table,
    json_option,
    lock_out,
    out_option,
    seed_option,
)
from raidsim.errors import ConfigError

#: work per row (replicate x crew x stage) on the 2-core reference machine, and the zstd
#: Parquet bytes it takes on disk (measured on the default spec, see runner.ROWS_PER_CHUNK)
SECONDS_PER_ROW = 6e-6
BYTES_PER_ROW = 24.0
#: a campaign beyond either is out of proportion: warn with the estimate first
WARN_CPU_S = 3600.0
WARN_DISK_BYTES = 20e9
#: LocalCluster workers beyond this many per CPU are refused (use --scheduler)
MAX_WORKERS_PER_CPU = 4


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} s"


def _bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1e3:,.0f} kB"


def work_estimate(
    replicates: int, rows_per_replicate: int, n_chunks: int, workers: int
) -> tuple[bool, str]:
    """(out of proportion?, one line: rows, chunks, CPU time, wall time, disk)."""
    rows = replicates * rows_per_replicate
    cpu_s = rows * SECONDS_PER_ROW
    disk = rows * BYTES_PER_ROW
    wall = f", ~{_duration(cpu_s / workers)} on {workers} workers" if workers > 1 else ""
    text = (
        f"{replicates:,} replicates x {rows_per_replicate} crew-stages = {rows:,} rows in "
        f"{n_chunks:,} chunks: about {_duration(cpu_s)} of CPU{wall} and {_bytes(disk)} "
        "of Parquet"
    )
    return cpu_s > WARN_CPU_S or disk > WARN_DISK_BYTES, text


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
    from raidsim.campaign.runner import (
        auto_chunk_size,
        check_inputs,
        n_chunks,
        prepare,
        run_campaign,
    )
    from raidsim.campaign.season import season_spec_names
    from raidsim.campaign.spec import load_spec

    n_workers = (os.cpu_count() or 1) if workers is None else workers
    spec = load_spec(crews)
    lock_out("--out", out)  # one campaign at a time in DIR
    if rally in season_spec_names() or rally.endswith(".toml"):  # a season: rounds, then points
        _run_season_command(
            rally, spec, out, replicates, seed, n_workers, scheduler, chunk_size, max_chunks, quiet
        )
        return
    if ambient_C is not None:
        check_ambient_field("temp_C", ambient_C)
        spec = spec.model_copy(update={"ambient_C": ambient_C})
    _check_limits(n_workers, scheduler, max_chunks)
    # check inputs and build the base table (QSS) before starting any cluster
    if scheduler is None:
        manifest, table = prepare(
            rally,
            spec,
            replicates=replicates,
            seed=seed,
            out_dir=out,
            chunk_size=chunk_size,
            workers=n_workers,
        )
        size = int(manifest["chunk_size"])
    else:  # the manifest waits for the cluster's worker count (chunk sizing)
        check_inputs(replicates, chunk_size, seed)
        table = build_base_table(rally, spec)
        size = chunk_size or auto_chunk_size(replicates, None, len(table.crews) * len(table.stages))
    absurd, estimate = work_estimate(
        replicates,
        len(table.crews) * len(table.stages),
        n_chunks(replicates, size),
        n_workers if scheduler is None else 1,  # a cluster: its size is not known here
    )
    if absurd:
        warn(
            f"{estimate}; stop with Ctrl-C and use fewer --replicates, or --max-chunks N to "
            "run part of it now (re-run to resume)"
        )
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

    result = _on_cluster(n_workers, scheduler, go)
    state = (
        "complete" if result.chunks_done == result.chunks_total else "partial (re-run to resume)"
    )
    say(
        f"{result.out_dir}: {result.chunks_done}/{result.chunks_total} chunks, {state}; "
        f"{result.chunks_run} computed in {result.elapsed_s:.1f} s"
    )


T = TypeVar("T")


def _on_cluster(n_workers: int, scheduler: str | None, fn: Callable[[Any], T]) -> T:
    """``fn(None)`` in this process (--workers 0), else ``fn(client)`` on a LocalCluster
    of ``n_workers`` or the cluster at ``scheduler``."""
    if scheduler is None and n_workers == 0:
        return fn(None)
    from raidsim.campaign.runner import dask_client

    with dask_client(n_workers, scheduler) as client:
        return fn(client)


def _check_limits(n_workers: int, scheduler: str | None, max_chunks: int | None) -> None:
    """--workers and --max-chunks within their ranges (before any work)."""
    if n_workers < 0:
        raise ConfigError(f"--workers={n_workers}: must be >= 0 (0 runs in this process)")
    max_workers = MAX_WORKERS_PER_CPU * (os.cpu_count() or 1)
    if scheduler is None and n_workers > max_workers:
        raise ConfigError(
            f"--workers={n_workers}: more than {max_workers} local worker processes "
            f"({MAX_WORKERS_PER_CPU} per CPU); use --scheduler for a cluster"
        )
    if max_chunks is not None and max_chunks < 0:
        raise ConfigError(f"--max-chunks={max_chunks}: must be >= 0")


def _run_season_command(
    name: str,
    spec: Any,
    out: Path,
    replicates: int,
    seed: int,
    n_workers: int,
    scheduler: str | None,
    chunk_size: int | None,
    max_chunks: int | None,
    quiet: bool,
) -> None:
    """A season: every round as a rally campaign, then the championship tables."""
    from raidsim.campaign.runner import check_inputs
    from raidsim.campaign.season import load_season_spec, run_season

    check_inputs(replicates, chunk_size, seed)
    _check_limits(n_workers, scheduler, max_chunks)
    season = load_season_spec(name)

    def run_it(client: Any) -> dict[str, Any]:
        return run_season(
            season,
            spec,
            replicates=replicates,
            seed=seed,
            out_dir=out,
            chunk_size=chunk_size,
            client=client,
            max_chunks=max_chunks,
            on_round=lambda k, rnd: None if quiet else say(f"round {k + 1}: {rnd}"),
        )

    summary = _on_cluster(n_workers, scheduler, run_it)
    if not summary.get("complete"):
        say(f"{out}: partial (re-run to resume)")
        return
    for table in render_season(summary):
        console.print(table)
    if not quiet:
        say(f"season report (HTML): raidsim report {out}")


@handle_errors
def campaign_report_command(
    dir: Annotated[Path, typer.Argument(help="campaign directory")],
    compare: Annotated[
        Path | None, typer.Option(help="second campaign directory for a what-if (B - A)")
    ] = None,
    as_json: Annotated[bool, json_option()] = False,
) -> None:
    """Win and podium probabilities, time distributions, lost time by cause, what-if."""
    from raidsim.campaign.report import campaign_report, incomplete_note
    from raidsim.campaign.report import compare as compare_reports

    report = campaign_report(dir)
    other = campaign_report(compare) if compare is not None else None
    for r in (report, other):
        note = incomplete_note(r) if r is not None else None
        if note:
            warn(note)
    if as_json:
        data = dict(report)
        if other is not None:
            data["compare"] = {"dir": other["dir"], "rows": compare_reports(report, other)}
        console.print_json(json.dumps(data))
        return
    for table in render(report, other):
        console.print(table)


def _stage_label(stage: str, rally: str | None) -> str:
    """``dakar-2026/13`` -> ``13`` under a dakar-2026 title (the rally is in the title)."""
    prefix = f"{rally}/" if rally else ""
    return stage[len(prefix) :] if prefix and stage.startswith(prefix) else stage


def render(report: dict[str, Any], other: dict[str, Any] | None = None) -> list[Any]:
    """The campaign report as rich tables that stay readable in 80 columns: one row per
    crew (names fold), the stage times one row per stage and crew, time lost and events
    in two tables (times h:mm:ss, probabilities %, counts per rally)."""
    from raidsim.campaign.report import CAUSES, compare, hms

    def text_col(t: Any, name: str) -> None:
        t.add_column(name, overflow="fold", max_width=18)

    def num_col(t: Any, name: str) -> None:
        t.add_column(name, justify="right")

    out: list[Any] = []
    partial = (
        "" if report.get("complete", True) else f" of {report['replicates_planned']} (INCOMPLETE)"
    )
    t = cli_table(
        f"{report['rally']} campaign: {report['replicates']}{partial} replicates "
        f"(seed {report['seed']}, {report['dir']})"
    )
    text_col(t, "crew")
    text_col(t, "class")
    for col in ("win", "podium", "DNF", "total p5", "median", "p95"):
        num_col(t, col)
    for c in report["crews"]:
        t.add_row(
            Text(c["crew"]),
            Text(c["entry_class"]),
            f"{c['p_win']:.1%}",
            f"{c['p_podium']:.1%}",
            f"{c['p_dnf']:.1%}",
            hms(c["total_p05_s"]),
            hms(c["total_median_s"]),
            hms(c["total_p95_s"]),
        )
    for cls, p in report["p_no_finisher"].items():
        if p > 0:
            t.add_row("(no finisher)", Text(cls), f"{p:.1%}", "", "", "", "", "")
    out.append(t)

    st = cli_table("special time per stage (h:mm:ss), crews still running")
    text_col(st, "stage")
    text_col(st, "crew")
    for col in ("p10", "median", "p90"):
        num_col(st, col)
    previous = None
    for r in report["stages"]:
        if previous is not None and r["stage"] != previous:
            st.add_section()
        label = _stage_label(r["stage"], report["rally"]) if r["stage"] != previous else ""
        st.add_row(
            Text(label), Text(r["crew"]), hms(r["p10_s"]), hms(r["median_s"]), hms(r["p90_s"])
        )
        previous = r["stage"]
    out.append(st)

    lt = cli_table("mean time lost per rally by cause (h:mm:ss)")
    text_col(lt, "crew")
    for col in CAUSES:
        num_col(lt, col)
    ev = cli_table("mean events per rally (1)")
    text_col(ev, "crew")
    for col in ("punctures", "incidents", "missed WP"):
        num_col(ev, col)
    for r in report["lost_time"]:
        lt.add_row(Text(r["crew"]), *(hms(r[f"{k}_s"]) for k in CAUSES))
        ev.add_row(
            Text(r["crew"]),
            f"{r['punctures']:.2f}",
            f"{r['incidents']:.2f}",
            f"{r['missed_waypoints']:.2f}",
        )
    out += [lt, ev]

    if other is not None:
        ct = cli_table(f"what-if: B = {other['dir']} minus A = {report['dir']}")
        text_col(ct, "crew")
        for col in ("win A", "win B", "d win", "median A", "median B", "d median"):
            num_col(ct, col)
        for r in compare(report, other):
            d = r["d_median_s"]
            ct.add_row(
                Text(r["crew"]),
                f"{r['p_win_a']:.1%}",
                f"{r['p_win_b']:.1%}",
                f"{r['d_p_win']:+.1%}",
                hms(r["median_a_s"]),
                hms(r["median_b_s"]),
                "-" if d is None else ("+" if d >= 0 else "") + hms(d),
            )
        out.append(ct)
    return out


def render_season(summary: dict[str, Any]) -> list[Any]:
    """The season, every class its own championship: odds and points per crew,
    manufacturers, deciding rounds (one column per class)."""
    t = cli_table(
        f"{summary['season']} championship: {summary['replicates']} replicates "
        f"(seed {summary['seed']})"
    )
    t.add_column("crew", overflow="fold", max_width=18)
    t.add_column("class", overflow="fold", max_width=10)
    for col in ("champion", "podium", "pts p10", "median", "p90"):
        t.add_column(col, justify="right")
    for c in summary["crews"]:
        t.add_row(
            Text(c["crew"]),
            Text(c["entry_class"]),
            f"{c['p_champion']:.1%}",
            f"{c['p_podium']:.1%}",
            f"{c['points_p10']:.0f}",
            f"{c['points_p50']:.0f}",
            f"{c['points_p90']:.0f}",
        )
    m = cli_table("manufacturers")
    m.add_column("manufacturer")
    m.add_column("class", overflow="fold", max_width=10)
    m.add_column("champion", justify="right")
    m.add_column("mean pts", justify="right")
    for r in summary["manufacturers"]:
        m.add_row(
            Text(r["manufacturer"]),
            Text(r["entry_class"]),
            f"{r['p_champion']:.1%}",
            f"{r['points_mean']:.0f}",
        )
    d = cli_table("deciding round (champion leads from then on)")
    d.add_column("round")
    classes = list(summary["deciding_round"])
    for cls in classes:
        d.add_column(cls, justify="right")
    for k in summary["rounds"]:
        d.add_row(Text(k), *(f"{summary['deciding_round'][cls][k]:.1%}" for cls in classes))
    return [t, m, d]
