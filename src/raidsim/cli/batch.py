"""``raidsim batch``: the transient twin over a grid of stages x setups x seeds x ambient.

The grid comes from the arguments (``STAGES``, ``--setup-variant``, ``--seeds``,
``--ambient-C``) or from ``--grid FILE.toml`` (:mod:`raidsim.batch.grid`); it is checked
whole before any run starts (unknown stage, vehicle or setup key, a value out of range, a
repeated entry: one line, exit code 2). Runs go to Dask: a ``LocalCluster`` with one
process per core by default (``--workers K``; ``--workers 0`` runs them one after another
in this process), or the existing cluster at ``--scheduler tcp://HOST:8786`` (or
``tls://HOST:8786`` with ``--tls-ca-file``, ``--tls-cert``, ``--tls-key``), as for
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

from raidsim.cli.errors import EXIT_SIM_FAILED, handle_errors, say
from raidsim.cli.options import (
    DEFAULT_VEHICLE,
    MAX_SEED,
    Quiet,
    Scheduler,
    TlsCaFile,
    TlsCert,
    TlsKey,
    Vehicle,
    check_ambient_field,
    count_progress,
    lock_out,
    out_option,
    parse_setup,
)
from raidsim.cli.run import (
    DEFAULT_SAMPLE_RATE_HZ,
    ChannelRates,
    SampleRateHz,
    parse_channel_rates,
    telemetry_settings,
)
from raidsim.errors import ConfigError

__all__ = ["batch_command", "parse_seeds", "parse_variant"]


def parse_seeds(text: str) -> list[int]:
    """``0,1,2`` or ``0-9`` (or a mix: ``0-3,7``) of ``--seeds``."""
    seeds: list[int] = []
    parts = [p.strip() for p in text.split(",")]
    if "" in parts and text.strip():
        raise ConfigError(f"--seeds {text!r}: an empty entry between commas; give 0,1,2 or 0-9")
    for part in filter(None, parts):
        lo, sep, hi = part.partition("-")
        try:
            if sep and lo:
                a, b = int(lo), int(hi)
                if b < a or b - a > 100_000:
                    raise ValueError
                seeds.extend(range(a, b + 1))
            else:
                seeds.append(int(part))
            if seeds and not 0 <= seeds[-1] <= MAX_SEED:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"--seeds {text!r}: expected seeds 0 to {MAX_SEED} as 0,1,2 or a range 0-9"
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


#: the grid's weather (none given: each stage's own, its rally.toml's, else 35 °C, sea level)
BatchAmbientC = Annotated[
    list[float] | None,
    typer.Option(
        "--ambient-C",
        help="ambient temperature, °C (repeat the option; default: each stage's own, "
        "its rally.toml's, else 35 °C)",
        show_default=False,
    ),
]
BatchAltitudeM = Annotated[
    float | None,
    typer.Option(
        "--altitude-m",
        help="altitude, m (default: each stage's own, its rally.toml's, else sea level)",
        show_default=False,
    ),
]
BatchHeadwindMps = Annotated[
    float | None,
    typer.Option(
        "--headwind-mps", help="headwind along the route, m/s (default: none)", show_default=False
    ),
]


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
    ambient_C: BatchAmbientC = None,
    altitude_m: BatchAltitudeM = None,
    headwind_mps: BatchHeadwindMps = None,
    sample_rate_hz: SampleRateHz = DEFAULT_SAMPLE_RATE_HZ,
    channel_rate: ChannelRates = None,
    workers: Annotated[
        int | None,
        typer.Option(help="LocalCluster worker processes (default: CPU count; 0: in-process)"),
    ] = None,
    scheduler: Scheduler = None,
    tls_ca_file: TlsCaFile = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
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
    from raidsim.batch.cluster import client_security, dask_client
    from raidsim.batch.runner import check_grid, run_batch

    n_workers = (os.cpu_count() or 1) if workers is None else workers
    if n_workers < 0:
        raise ConfigError(f"--workers={n_workers}: must be >= 0 (0 runs in this process)")
    if max_runs is not None and max_runs < 0:
        raise ConfigError(f"--max-runs={max_runs}: must be >= 0")
    security = client_security(scheduler, tls_ca_file, tls_cert, tls_key)
    the_grid = _resolve_grid(
        grid,
        stages,
        out,
        {
            "vehicle": vehicle,
            "setup_variant": setup_variant,
            "seeds": seeds,
            "ambient_C": ambient_C,
            "altitude_m": altitude_m,
            "headwind_mps": headwind_mps,
            "sample_rate_hz": sample_rate_hz,
            "channel_rate": channel_rate,
        },
    )
    tasks = check_grid(the_grid)  # the whole grid, before any cluster or run starts
    lock_out("--out", out)  # one batch at a time in DIR
    progress = count_progress("runs", quiet)
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
        with dask_client(n_workers, scheduler, security) as client:
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


def _resolve_grid(
    grid: Path | None, stages: list[str] | None, out: Path, flags: dict[str, Any]
) -> Any:
    """The batch's grid: from ``--grid FILE``, from STAGES and the flags, or the stored
    grid of the batch in ``--out`` (resume); giving both a file and flags is bad input."""
    from raidsim.batch.grid import BatchGrid, load_grid
    from raidsim.batch.runner import MANIFEST, stored_grid

    setup_variant = flags["setup_variant"]
    seeds = flags["seeds"]
    sample_rate_hz = flags["sample_rate_hz"]
    channel_rate = flags["channel_rate"]
    ambient_C = flags["ambient_C"]
    from_flags = bool(stages or setup_variant or ambient_C or seeds != "0" or channel_rate)
    from_flags = from_flags or sample_rate_hz != DEFAULT_SAMPLE_RATE_HZ
    if grid is not None:
        if from_flags:
            raise ConfigError(
                "--grid: give the grid either as a file or as arguments, not both "
                "(STAGES, --setup-variant, --seeds, --ambient-C, rates)"
            )
        return load_grid(grid)
    if stages:
        telemetry_settings(sample_rate_hz, channel_rate)  # names the flag
        for temp in ambient_C or []:
            check_ambient_field("temp_C", temp)
        for field in ("altitude_m", "headwind_mps"):
            if flags[field] is not None:
                check_ambient_field(field, flags[field])
        return BatchGrid.model_validate(
            {
                "stages": stages,
                "vehicle": flags["vehicle"],
                "setups": [parse_variant(v) for v in setup_variant]
                if setup_variant
                else [{"name": "base"}],
                "seeds": parse_seeds(seeds),
                "ambient_C": ambient_C or None,
                "altitude_m": flags["altitude_m"],
                "headwind_mps": flags["headwind_mps"],
                "sample_rate_hz": sample_rate_hz,
                "channel_rates": parse_channel_rates(channel_rate),
            }
        )
    if (out / MANIFEST).is_file() and not from_flags:
        return stored_grid(out)  # resume the batch as it was started
    raise ConfigError(
        "no stages: give STAGES or --grid FILE (or --out DIR of a batch to resume it)"
    )
