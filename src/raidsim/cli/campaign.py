"""``raidsim campaign`` and ``raidsim campaign-report``.

Bad input (unknown crew vehicle, negative replicates or rate, an unreachable scheduler, a
DIR holding another campaign) prints one line naming it and exits with code 2; a campaign
that stops exits with code 3 (see :mod:`raidsim.cli.errors`).

A campaign whose size is out of proportion (more than an hour of CPU or 20 GB of chunks)
prints a warning with the estimate of its work (rows, chunks, CPU time, disk) before it
starts; a resume verifies every chunk against the manifest's ledger (see
:mod:`raidsim.campaign.runner`) and computes damaged ones again.

The campaign's weather is each day's own, as every command runs a rally stage (its
rally.toml temperature and altitude), with the spec's ``ambient_C`` for days that give no
temperature; a spec with ``stage_ambient = "spec"`` runs every day at its ``ambient_C`` and
sea level instead. ``--ambient-C`` sets the spec's ``ambient_C``, which makes a different
spec (a new campaign DIR). Headwind is not part of a campaign spec.

Running on an existing cluster: start ``dask scheduler`` and ``dask worker tcp://HOST:8786``
processes (raidsim installed on each), then
``raidsim campaign dakar-2026 --scheduler tcp://HOST:8786 --out DIR`` (a TLS cluster:
``--scheduler tls://HOST:8786 --tls-ca-file CA.pem --tls-cert ME.pem --tls-key ME.key``,
or its ``distributed.comm.tls.*`` Dask configuration). On SLURM, create a
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
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say, warn
from raidsim.cli.options import (
    Quiet,
    Scheduler,
    TlsCaFile,
    TlsCert,
    TlsKey,
    check_ambient_field,
    cli_table,
    count_progress,
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
        typer.Option(
            "--ambient-C",
            help="the spec's ambient_C, °C: days without a rally.toml temperature "
            "(every day with stage_ambient = 'spec')",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="LocalCluster worker processes (default: CPU count; 0: in-process)"),
    ] = None,
    scheduler: Scheduler = None,
    tls_ca_file: TlsCaFile = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
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
    results: Annotated[
        Path | None,
        typer.Option(
            help="organiser's results of the stages run (CSV: crew, stage, time, penalty, "
            "retired, still_out): fixed in every replicate, paces learned from them"
        ),
    ] = None,
) -> None:
    """Whole-rally Monte Carlo: crews x stages x replicates, one Parquet file per chunk."""
    from raidsim.batch.cluster import client_security
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
    security = client_security(scheduler, tls_ca_file, tls_cert, tls_key)
    spec = load_spec(crews)
    lock_out("--out", out)  # one campaign at a time in DIR
    if rally in season_spec_names() or rally.endswith(".toml"):  # a season: rounds, then points
        _run_season_command(
            rally,
            spec,
            out,
            replicates,
            seed,
            n_workers,
            scheduler,
            chunk_size,
            max_chunks,
            quiet,
            security,
            results,
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
            results=results,
        )
        size = int(manifest["chunk_size"])
    else:  # the manifest waits for the cluster's worker count (chunk sizing)
        check_inputs(replicates, chunk_size, seed)
        table = build_base_table(rally, spec)
        if results is not None:  # checked before any cluster starts
            from raidsim.campaign.results import read_results

            read_results(results, table.crews, table.stages)
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
    progress = count_progress("chunks", quiet)
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
                results=results,
            )

    result = _on_cluster(n_workers, scheduler, go, security)
    if results is not None:
        for t in render_standings(out):
            console.print(t)
    state = (
        "complete" if result.chunks_done == result.chunks_total else "partial (re-run to resume)"
    )
    say(
        f"{result.out_dir}: {result.chunks_done}/{result.chunks_total} chunks, {state}; "
        f"{result.chunks_run} computed in {result.elapsed_s:.1f} s"
    )


T = TypeVar("T")


def _on_cluster(
    n_workers: int, scheduler: str | None, fn: Callable[[Any], T], security: Any = None
) -> T:
    """``fn(None)`` in this process (--workers 0), else ``fn(client)`` on a LocalCluster
    of ``n_workers`` or the cluster at ``scheduler`` (a ``tls://`` one with ``security``)."""
    if scheduler is None and n_workers == 0:
        return fn(None)
    from raidsim.campaign.runner import dask_client

    with dask_client(n_workers, scheduler, security) as client:
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
    security: Any = None,
    results: Path | None = None,
) -> None:
    """A season: every round as a rally campaign (``results``: the real results of the
    rounds run, one file with a ``rally`` column), then the championship tables."""
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
            results=results,
        )

    summary = _on_cluster(n_workers, scheduler, run_it, security)
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
    strategy: Annotated[
        str | None,
        typer.Option(
            help="crew: its odds over a range of paces for the remaining stages, the best "
            "pace and how far it can back off (hazards rise with pace: spec [pace_risk])"
        ),
    ] = None,
    goal: Annotated[
        str, typer.Option(help="with --strategy: win (class), podium (class) or overall")
    ] = "win",
    keep: Annotated[
        float | None,
        typer.Option(
            help="with --strategy: probability to keep while backing off "
            "(default: the crew's odds at its usual pace)"
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(help="write the odds over the days as a self-contained HTML chart here"),
    ] = None,
) -> None:
    """Win and podium probabilities, time distributions, lost time by cause, what-if;
    with real results, the standings and learned paces; --strategy CREW: how hard to push."""
    from raidsim.campaign.report import campaign_report, incomplete_note
    from raidsim.campaign.report import compare as compare_reports
    from raidsim.campaign.status import rally_status

    report = campaign_report(dir)
    other = campaign_report(compare) if compare is not None else None
    for r in (report, other):
        note = incomplete_note(r) if r is not None else None
        if note:
            warn(note)
    from raidsim.campaign.odds import odds_over_days

    plan = _strategy(dir, strategy, goal, keep) if strategy is not None else None
    odds = odds_over_days(dir)
    if chart is not None:
        from raidsim.report.odds import write_odds_chart

        write_odds_chart(odds, chart, f"raidsim campaign odds: {report['rally']} ({dir})")
    if as_json:
        data = dict(report)
        if other is not None:
            data["compare"] = {"dir": other["dir"], "rows": compare_reports(report, other)}
        data["status"] = rally_status(dir)
        data["odds"] = odds
        if plan is not None:
            data["strategy"] = plan
        console.print_json(json.dumps(data))
        return
    if rally_status(dir)["n_stages"]:
        for table in render_standings(dir):
            console.print(table)
    for table in render(report, other):
        console.print(table)
    for table in render_odds(odds, report["rally"]):
        console.print(table)
    if plan is not None:
        for table in render_strategy(plan):
            console.print(table)
    if chart is not None:
        say(f"odds chart (HTML): {chart}")


def render_odds(odds: dict[str, Any], rally: str | None) -> list[Any]:
    """Class-win odds after every stage (real days, then simulated: leading after it)
    and the time each crew must find per stage left for a 50 % class win."""
    from raidsim.campaign.report import hms

    t = cli_table("class-win odds after every stage (* real; others: leading after it)")
    t.add_column("after", overflow="fold", max_width=12)
    for crew in odds["crews"]:
        t.add_column(crew, justify="right", overflow="fold", max_width=10)
    labels = ["start", *(_stage_label(s, rally) for s in odds["stages"])]
    for d in odds["days"]:
        t.add_row(
            Text(labels[d["after"]] + (" *" if d["real"] else "")), *(f"{p:.1%}" for p in d["p"])
        )
    g = cli_table(
        f"time to find per stage left ({odds['stages_left']}) for a 50 % class win "
        "(- : time to spare)"
    )
    for crew in odds["crews"]:
        g.add_column(crew, justify="right", overflow="fold", max_width=10)
    g.add_row(
        *(
            "-" if v is None else ("-" if v < 0 else "+") + hms(abs(v))
            for v in odds["time_to_find_s"]
        )
    )
    return [t, g]


#: replicates of each point of a strategy curve (at most; the campaign's count if fewer)
STRATEGY_REPLICATES = 2000


def _strategy(out: Path, crew: str, goal: str, keep: float | None) -> dict[str, Any]:
    """The strategy curve of ``crew`` from the campaign directory's manifest."""
    from raidsim.campaign.model import BaseTable
    from raidsim.campaign.runner import given_of, read_manifest
    from raidsim.campaign.spec import CampaignSpec
    from raidsim.campaign.strategy import strategy_curve

    manifest = read_manifest(out)
    try:
        spec = CampaignSpec.model_validate(manifest["spec"])
        table = BaseTable.from_json(manifest["base_table"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{out / 'campaign.json'}: incomplete manifest ({type(exc).__name__}); run the "
            "campaign again into a new --out"
        ) from None
    return strategy_curve(
        table,
        spec,
        given_of(manifest),
        crew,
        seed=int(manifest["seed"]),
        replicates=min(STRATEGY_REPLICATES, int(manifest["replicates"])),
        goal=goal,
        keep=keep,
    )


def render_strategy(plan: dict[str, Any]) -> list[Any]:
    """The strategy curve as a table, then the best pace and the back-off in words."""
    from raidsim.campaign.report import hms

    what = {"win": "class win", "podium": "class podium", "overall": "overall win"}[plan["goal"]]
    t = cli_table(
        f"{plan['crew']}: {what} against pace over the {plan['stages_left']} stages left "
        f"({plan['replicates']} replicates a pace)"
    )
    for col in ("pace x", "per stage", what, "DNF", "median total"):
        t.add_column(col, justify="right")
    for r in plan["curve"]:
        d = (r["pace_scale"] - 1.0) * plan["mean_stage_s"]
        mark = " <" if r["pace_scale"] == plan["best_pace_scale"] else ""
        t.add_row(
            f"{r['pace_scale']:.2f}{mark}",
            ("+" if d >= 0 else "-") + hms(abs(d)),
            f"{r['p_goal']:.1%}",
            f"{r['p_dnf']:.1%}",
            hms(r["median_total_s"]),
        )
    lines = [
        f"best pace: x{plan['best_pace_scale']:.2f} ({plan['best_p_goal']:.1%}; "
        f"{plan['usual_p_goal']:.1%} at the usual pace)"
    ]
    if plan["back_off_pace_scale"] is None:
        lines.append(f"no pace on the grid keeps {plan['keep']:.1%}")
    else:
        lines.append(
            f"keeping {plan['keep']:.1%}: back off to x{plan['back_off_pace_scale']:.2f}, "
            f"{hms(max(0.0, plan['back_off_s_per_stage']))} a stage slower "
            f"({plan['back_off_p_goal']:.1%})"
        )
    return [t, Text("\n".join(lines))]


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


def render_standings(out: Path) -> list[Any]:
    """The overall standings after the last real stage, and each crew's learned pace."""
    from raidsim.campaign.report import hms
    from raidsim.campaign.status import rally_status

    st = rally_status(out)
    t = cli_table(
        f"standings after {st['last_stage']} ({st['n_stages']} stages given, {st['results_file']})"
    )
    t.add_column("pos", justify="right")
    t.add_column("crew", overflow="fold", max_width=18)
    t.add_column("class", overflow="fold", max_width=10)
    for col in ("total", "gap", "penalties"):
        t.add_column(col, justify="right")
    t.add_column("state")
    for i, r in enumerate(st["standings"], 1):
        done = r["total_s"] is not None
        t.add_row(
            str(i) if done else "",
            Text(r["crew"]),
            Text(r["entry_class"]),
            hms(r["total_s"]),
            ("+" + hms(r["gap_s"])) if done else "",
            hms(r["penalty_s"]),
            r["state"],
        )
    out_tables = [t]
    if st["still_out"]:
        warn(
            f"partial day: {', '.join(st['still_out'])} still out on {st['last_stage']}; "
            "that stage is simulated for them"
        )
    if st["pace"]:
        p = cli_table("pace learned from the real stages (95 % interval)")
        p.add_column("crew", overflow="fold", max_width=18)
        for col in ("spec pace", "learned", "interval", "spread", "stages", "left out"):
            p.add_column(col, justify="right")
        for r in st["pace"]:
            p.add_row(
                Text(r["crew"]),
                f"{r['prior_pace_factor']:.3f}",
                f"{r['pace_factor']:.3f}",
                f"{r['pace_lo']:.3f}-{r['pace_hi']:.3f}",
                f"{r['sigma']:.3f}",
                str(r["n_used"]),
                str(r["n_outliers"]),
            )
        out_tables.append(p)
    return out_tables
