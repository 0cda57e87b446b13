"""Batch runner: a resumable directory of transient runs, made in-process or on Dask.

Layout of a batch directory::

    DIR/batch.json                 the manifest: the grid, its hash, the run keys
    DIR/runs/<key>/summary.json    one folder per finished run (``simulate``'s summary)
    DIR/runs/<key>/run.json        the run's place in the grid and its status
    DIR/runs/<key>/telemetry.parquet
    DIR/results.parquet            one row per run: grid labels, status, every summary field

A run's folder is written under a hidden temporary name (``runs/.<key>.<token>.raidsim-
tmp``, :mod:`raidsim.atomic`) and renamed into place when complete, so a folder that exists
is whole; running the same batch again skips the runs whose folders exist and makes only the
others (a run that stopped, out of time or out of control, is a finished run too: its folder
holds the diagnostic, and deleting the folder makes it again). A manifest that differs from
the grid asked for is refused, naming the field. ``results.parquet`` is rebuilt from the run
folders at the end of every invocation (DuckDB: ``SELECT * FROM 'DIR/results.parquet'``).

Tasks are :func:`run_task` calls, one per run, mapped on a Dask client
(:func:`raidsim.batch.cluster.dask_client`: a LocalCluster or ``--scheduler``); a worker
that dies mid-run (killed, out of memory) has its run rescheduled by Dask on another worker.
Workers either write the run folder themselves (``shared_disk``: a LocalCluster, or a
cluster whose workers see ``DIR``) or send the files back to the driver, which writes them.
Runs are deterministic (the terrain seed is part of the grid), so a batch gives the same
summaries on one worker or many, in any order, as the same runs made one by one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

import raidsim.atomic as atomic
from raidsim._version import __version__
from raidsim.batch.grid import BatchGrid, RunTask, expand
from raidsim.errors import ConfigError, SimulationDiverged

__all__ = [
    "MANIFEST",
    "RESULTS",
    "BatchResult",
    "check_grid",
    "finished",
    "prepare",
    "read_manifest",
    "read_results",
    "run_batch",
    "run_task",
    "stored_grid",
    "write_results",
]

MANIFEST = "batch.json"
RUNS = "runs"
RESULTS = "results.parquet"
RUN_FILE = "run.json"
SUMMARY_FILE = "summary.json"
#: run statuses (``run.json`` and the results table)
FINISHED, STOPPED, DIVERGED = "finished", "stopped", "diverged"


def run_dir(out_dir: Path, key: str) -> Path:
    return out_dir / RUNS / key


# --------------------------------------------------------------------------- checking
def check_grid(grid: BatchGrid) -> list[RunTask]:
    """The grid's runs, after checking everything a run needs, so that a bad grid stops
    before any work: the vehicle and every setup variant, the weather (each run's, in
    :func:`expand`), every stage (loaded once) and the channel rates. Raises ConfigError /
    RouteError naming the entry."""
    from raidsim.model.loader import load_vehicle
    from raidsim.model.settings import DEFAULT_DT_S, divides_step
    from raidsim.route.terrain import load_stage
    from raidsim.sim.runner import channel_formats

    tasks = expand(grid)
    car = load_vehicle(grid.vehicle)
    for setup in grid.setups:
        try:
            car.with_changes(**setup.changes)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(
                f"batch grid: setup '{setup.name}': {'.'.join(map(str, first['loc']))}: "
                f"{first['msg']}"
            ) from None
        except ConfigError as exc:
            raise ConfigError(f"batch grid: setup '{setup.name}': {exc}") from None
    step_hz = 1.0 / DEFAULT_DT_S
    if not 2.0 <= grid.sample_rate_hz <= step_hz:  # NaN too
        raise ConfigError(
            f"batch grid: sample_rate_hz = {grid.sample_rate_hz:g} is not allowed (must be "
            f"between 2 and {step_hz:g} Hz and divide the {step_hz:g} Hz integration step)"
        )
    try:
        grid_hz, _ = channel_formats(grid.sample_rate_hz, grid.channel_rates)
    except ValueError as exc:
        raise ConfigError(f"batch grid: channel_rates: {exc}") from None
    if not divides_step(grid_hz):
        raise ConfigError(
            f"batch grid: sample rate {grid_hz:g} Hz must divide the {step_hz:g} Hz "
            "integration step"
        )
    for stage in grid.stages:
        load_stage(stage)
    return tasks


def _manifest(grid: BatchGrid, tasks: list[RunTask]) -> dict[str, Any]:
    return {
        "grid": grid.model_dump(mode="json"),
        "grid_hash": grid.hash(),
        "runs": [t.key for t in tasks],
        "raidsim_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def read_manifest(out_dir: Path | str) -> dict[str, Any]:
    path = Path(out_dir) / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: no batch manifest here ({exc.strerror})") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: unreadable manifest ({exc}); use a new --out") from exc
    if not isinstance(data, dict) or "grid" not in data:
        raise ConfigError(f"{path}: not a batch manifest; use a new --out")
    return data


def stored_grid(out_dir: Path | str) -> BatchGrid:
    """The grid a batch directory was started with (to resume it as it was)."""
    try:
        return BatchGrid.model_validate(read_manifest(out_dir)["grid"])
    except ValidationError as exc:
        raise ConfigError(f"{Path(out_dir) / MANIFEST}: unreadable grid ({exc})") from None


def prepare(grid: BatchGrid, out_dir: Path | str) -> tuple[dict[str, Any], list[RunTask]]:
    """Check the grid, then create ``out_dir``'s manifest or check it against the grid.
    Stale temporary run folders (a run killed mid-write) are removed."""
    tasks = check_grid(grid)
    out = Path(out_dir)
    path = out / MANIFEST
    if path.exists():
        manifest = read_manifest(out)
        if manifest.get("grid_hash") != grid.hash():
            old = manifest.get("grid", {})
            new = grid.model_dump(mode="json")
            diffs = [
                f"{k} is {old.get(k)!r} there, {new[k]!r} here" for k in new if old.get(k) != new[k]
            ]
            raise ConfigError(
                f"{path}: cannot resume a different batch: {'; '.join(diffs) or 'grid differs'} "
                "(use a new --out, or the original grid)"
            )
    else:
        if out.exists() and not out.is_dir():
            raise ConfigError(f"--out {out}: exists and is not a directory")
        if out.is_dir() and any(out.iterdir()):
            raise ConfigError(
                f"--out {out}: holds files but no {MANIFEST}; a batch needs a new directory"
            )
        try:
            (out / RUNS).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"--out {out}: cannot create the directory ({exc})") from exc
        manifest = _manifest(grid, tasks)
        atomic.write_bytes(path, json.dumps(manifest, indent=1).encode())
    (out / RUNS).mkdir(exist_ok=True)
    _remove_stale(out)
    return manifest, tasks


def _remove_stale(out: Path) -> None:
    with contextlib.suppress(OSError), os.scandir(out / RUNS) as entries:
        for e in entries:
            if e.name.startswith(".") and e.name.endswith(atomic.TMP_SUFFIX):
                shutil.rmtree(e.path, ignore_errors=True)


def finished(out_dir: Path | str, tasks: list[RunTask]) -> set[str]:
    """Keys of the runs whose folder is in place."""
    runs = Path(out_dir) / RUNS
    present: set[str] = set()
    with contextlib.suppress(OSError), os.scandir(runs) as entries:
        present = {e.name for e in entries if not e.name.startswith(".")}
    return {t.key for t in tasks if t.key in present and (runs / t.key / RUN_FILE).is_file()}


# --------------------------------------------------------------------------- one run
def _make_run(task: RunTask, folder: Path) -> dict[str, Any]:
    """Run ``task`` into ``folder`` (telemetry.parquet, summary.json, run.json)."""
    from raidsim.model.loader import load_vehicle
    from raidsim.model.settings import Settings
    from raidsim.route.terrain import load_stage
    from raidsim.sim.runner import SimulationStopped, simulate

    car = load_vehicle(task.vehicle).with_changes(**task.changes)
    # the weather expand() resolved (grid over the stage's own), with its sources
    stage = replace(load_stage(task.stage, seed=task.seed), conditions=task.conditions())
    settings = Settings(sample_rate_hz=task.sample_rate_hz)
    info: dict[str, Any] = {**task.labels(), "status": FINISHED, "error": None}
    try:
        simulate(car, stage, None, settings, out_dir=folder, channel_rates=task.channel_rates)
    except SimulationStopped as exc:
        info.update(status=STOPPED, error=" ".join(str(exc).split()))
    except SimulationDiverged as exc:
        info.update(status=DIVERGED, error=" ".join(str(exc).split()))
    info["task"] = asdict(task)
    (folder / RUN_FILE).write_text(json.dumps(info, indent=1), "utf-8")
    return info


def run_task(task: RunTask, runs_dir: str | None) -> dict[str, Any]:
    """The Dask task: make one run.

    ``runs_dir`` (a directory the worker shares with the driver): the run folder is written
    there under a temporary name and renamed into place; returns the run's ``run.json``
    content. ``None``: made in a local temporary directory and returned as
    ``{"info": ..., "files": {name: bytes}}`` for the driver to write.
    """
    if runs_dir is not None:
        final = Path(runs_dir) / task.key
        tmp = atomic.make_temp_dir(final)
        try:
            info = _make_run(task, tmp)
            try:
                atomic.replace(tmp, final)  # fails if another attempt finished first
            except OSError:
                if not (final / RUN_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return {"info": info, "files": None}
    with tempfile.TemporaryDirectory(prefix="raidsim-run-") as local:
        folder = Path(local) / task.key
        folder.mkdir()
        info = _make_run(task, folder)
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return {"info": info, "files": files}


def _place(out_dir: Path, key: str, files: dict[str, bytes]) -> None:
    """Write a run folder sent back by a worker, atomically (temporary folder, rename)."""
    runs = out_dir / RUNS
    final = runs / key
    if (final / RUN_FILE).is_file():
        return
    runs.mkdir(parents=True, exist_ok=True)
    tmp = atomic.make_temp_dir(final)
    try:
        for name, data in files.items():
            (tmp / Path(name).name).write_bytes(data)
        atomic.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- results
def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def write_results(out_dir: Path | str, tasks: list[RunTask]) -> Path:
    """Rebuild ``results.parquet`` from the run folders in place: one row per finished
    run, in grid order: the grid labels, ``status`` and ``error``, then every scalar field
    of the run's summary (null for a run that stopped). Written atomically."""
    out = Path(out_dir)
    rows = []
    for task in tasks:
        folder = run_dir(out, task.key)
        try:
            info = json.loads((folder / RUN_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        row: dict[str, Any] = {
            **task.labels(),
            "status": info.get("status"),
            "error": info.get("error"),
        }
        with contextlib.suppress(OSError, ValueError):
            summary = json.loads((folder / SUMMARY_FILE).read_text("utf-8"))
            for k, v in sorted(summary.items()):
                if _scalar(v) and k not in row:
                    row[k] = v
        rows.append(row)
    frame = pl.from_dicts(rows, infer_schema_length=None) if rows else pl.DataFrame()
    path = out / RESULTS
    sink = io.BytesIO()
    frame.write_parquet(sink, compression="zstd")
    atomic.write_bytes(path, sink.getvalue())
    return path


def read_results(out_dir: Path | str) -> pl.DataFrame:
    return pl.read_parquet(Path(out_dir) / RESULTS)


# --------------------------------------------------------------------------- the batch
@dataclass(frozen=True)
class BatchResult:
    out_dir: Path
    runs_total: int
    runs_done: int  # folders in place now
    runs_made: int  # made by this call
    stopped: int  # runs in place that stopped or diverged
    elapsed_s: float
    results: Path


def run_batch(
    grid: BatchGrid,
    out_dir: Path | str,
    *,
    client: Any = None,
    shared_disk: bool = True,
    max_runs: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_run: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Run (or resume) the batch of ``grid`` into ``out_dir``.

    ``client``: a ``distributed.Client`` or None (the runs one after another in this
    process). ``shared_disk``: the workers write the run folders into ``out_dir``
    themselves (True for a LocalCluster; False sends each run's files back to this process).
    ``max_runs``: stop after that many new runs (run again to resume). ``on_start(done,
    total)`` and ``on_run(info)`` report progress.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    manifest, tasks = prepare(grid, out)
    done = finished(out, tasks)
    todo = [t for t in tasks if t.key not in done]
    if max_runs is not None:
        todo = todo[: max(0, max_runs)]
    if on_start is not None:
        on_start(len(done), len(tasks))
    runs_dir = str((out / RUNS).resolve())

    def arrived(result: dict[str, Any]) -> None:
        info = result["info"]
        if result.get("files") is not None:
            _place(out, info["run"], result["files"])
        if on_run is not None:
            on_run(info)

    if client is None:
        for task in todo:
            arrived(run_task(task, runs_dir))
    elif todo:
        from distributed import as_completed

        token = uuid.uuid4().hex[:8]
        futures = client.map(
            run_task,
            todo,
            [runs_dir if shared_disk else None] * len(todo),
            key=[f"raidsim-run-{manifest['grid_hash'][:12]}-{t.index}-{token}" for t in todo],
            retries=1,
            pure=False,
        )
        for fut in as_completed(futures):
            arrived(fut.result())
            fut.release()
    _remove_stale(out)
    now = finished(out, tasks)
    results = write_results(out, tasks)
    stopped = 0
    if now:
        frame = read_results(out)
        if "status" in frame.columns:
            stopped = frame.filter(pl.col("status") != FINISHED).height
    return BatchResult(
        out, len(tasks), len(now), len(todo), stopped, time.perf_counter() - t0, results
    )
