"""Campaign runner: a resumable directory of Parquet chunks, run in-process or on Dask.

``DIR/campaign.json`` is the manifest (rally, stages, spec and its hash, seed, replicates,
chunk size, the base table); ``DIR/chunk-00012.parquet`` holds replicates
``12 x chunk_size ..``. The driver writes each chunk as it arrives, to a hidden temporary
file renamed into place (``os.replace``), so a killed run leaves only whole chunks and
running the same command again computes only the missing ones. A manifest that differs
from the command (other seed, spec, ...) is refused with the differing field named.

Workers receive the small base table and spec with each task (a few kB pickled: cheaper
than a scatter round trip) and return the chunk as Parquet bytes (compressed on the
worker); they need no
shared filesystem, so ``Client("tcp://host:8786")`` on any cluster works, as does
dask-jobqueue (``SLURMCluster(...)`` then ``Client(cluster)``, passed as ``client``).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from raidsim._version import __version__
from raidsim.campaign.model import BaseTable, build_base_table, simulate_replicates
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

MANIFEST = "campaign.json"
#: manifest keys that must match for a resume, in the order they are reported
RESUME_KEYS = ("rally", "stages", "spec_hash", "seed", "replicates", "chunk_size")


def chunk_path(out_dir: Path, index: int) -> Path:
    return out_dir / f"chunk-{index:05d}.parquet"


def n_chunks(replicates: int, chunk_size: int) -> int:
    return -(-replicates // chunk_size)


#: default work per chunk (task and file), in rows = replicates x crews x stages: about
#: 0.15 s at the ~6 us a row measured on the 2-core reference machine, so Dask's per-task
#: cost (a few ms, plus the result's trip to the driver) stays a few per cent of the work
ROWS_PER_CHUNK = 25_000


def auto_chunk_size(
    replicates: int, workers: int | None = None, rows_per_replicate: int = 1
) -> int:
    """Default replicates per chunk: about :data:`ROWS_PER_CHUNK` rows of work per task
    (``rows_per_replicate`` = crews x stages), so a small campaign is a few tasks and a
    large one many equal ones.

    ``workers`` (> 1): the number of chunks is then raised to at least ``2 x workers`` and
    rounded up to a multiple of it, so every worker is busy until the end (exact when
    ``replicates`` divides evenly: 1,000 replicates on 2 workers -> 4 chunks of 250).
    Only a new directory uses it (a resume keeps the manifest's chunk size), and the
    results do not depend on it.
    """
    if replicates <= 0:
        return 1
    size = min(replicates, max(1, -(-ROWS_PER_CHUNK // max(1, rows_per_replicate))))
    chunks = -(-replicates // size)
    if workers is not None and workers > 1:
        chunks = max(chunks, 2 * workers)
        chunks = min(replicates, workers * -(-chunks // workers))
    return max(1, -(-replicates // chunks))


def write_chunk(table: pa.Table | bytes, path: Path) -> None:
    """Write ``table`` (or its Parquet bytes) to ``path`` atomically (hidden temporary
    file, then os.replace)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(table, bytes):
        tmp.write_bytes(table)
    else:
        pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def parquet_bytes(table: pa.Table) -> bytes:
    """``table`` as the bytes of a zstd Parquet file (what write_chunk would write)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def run_chunk(
    table: BaseTable, spec: CampaignSpec, seed: int, replicates: int, chunk_size: int, index: int
) -> pa.Table:
    """The task a worker runs: replicates of chunk ``index``."""
    start = index * chunk_size
    return simulate_replicates(table, spec, seed, start, min(start + chunk_size, replicates))


def chunk_task(
    table: BaseTable, spec: CampaignSpec, seed: int, replicates: int, chunk_size: int, index: int
) -> bytes:
    """The Dask task: chunk ``index`` already encoded as Parquet, so the compression runs
    on the workers, in parallel, and the driver only writes the (smaller) bytes."""
    return parquet_bytes(run_chunk(table, spec, seed, replicates, chunk_size, index))


def check_inputs(replicates: int, chunk_size: int, seed: int) -> None:
    if replicates <= 0:
        raise ConfigError(f"--replicates={replicates}: must be a positive number of replicates")
    if chunk_size <= 0:
        raise ConfigError(f"--chunk-size={chunk_size}: must be a positive number of replicates")
    if seed < 0:
        raise ConfigError(f"--seed={seed}: must be >= 0")


def prepare(
    rally: str,
    spec: CampaignSpec,
    *,
    replicates: int,
    seed: int,
    out_dir: Path,
    chunk_size: int | None,
    workers: int | None = None,
) -> tuple[dict[str, Any], BaseTable]:
    """Create or check ``out_dir``'s manifest; return it and the base table.

    A new directory gets the base table computed here (QSS, cached); a resumed one reuses
    the table stored in its manifest, so a resume gives the same numbers. ``chunk_size``
    None: the manifest's on a resume, else :func:`auto_chunk_size` for ``workers``.
    """
    check_inputs(replicates, 1 if chunk_size is None else chunk_size, seed)
    out_dir = Path(out_dir)
    path = out_dir / MANIFEST
    table: BaseTable | None = None
    if chunk_size is None:
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            stored = json.loads(path.read_text("utf-8")).get("chunk_size")
            if isinstance(stored, int):
                chunk_size = stored
    if chunk_size is None:  # a new directory: size the chunks by the work per replicate
        table = build_base_table(rally, spec)
        chunk_size = auto_chunk_size(replicates, workers, len(table.crews) * len(table.stages))
    check_inputs(replicates, chunk_size, seed)
    wanted = {
        "rally": rally,
        "stages": spec.stages,
        "spec_hash": spec.hash(),
        "seed": seed,
        "replicates": replicates,
        "chunk_size": chunk_size,
    }
    if path.exists():
        try:
            manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: unreadable manifest ({exc}); use a new --out") from exc
        diffs = [
            f"{k} is {manifest.get(k)!r} there, {wanted[k]!r} here"
            for k in RESUME_KEYS
            if manifest.get(k) != wanted[k]
        ]
        if diffs:
            raise ConfigError(
                f"{path}: cannot resume a different campaign: {'; '.join(diffs)} "
                "(use a new --out, or the original options)"
            )
        return manifest, BaseTable.from_json(manifest["base_table"])
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir}: exists and is not a directory")
    if table is None:
        table = build_base_table(rally, spec)
    manifest = {
        **wanted,
        "n_chunks": n_chunks(replicates, chunk_size),
        "raidsim_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "crews": table.crews,
        "spec": spec.model_dump(mode="json"),
        "base_table": table.to_json(),
    }
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out_dir}: cannot create the directory ({exc})") from exc
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest), "utf-8")  # compact: the C encoder
    os.replace(tmp, path)
    return manifest, table


def pending(out_dir: Path, total: int) -> list[int]:
    """Chunk indices without a finished file."""
    return [i for i in range(total) if not chunk_path(out_dir, i).exists()]


@dataclass(frozen=True)
class CampaignResult:
    out_dir: Path
    chunks_total: int
    chunks_done: int  # finished files now present
    chunks_run: int  # computed by this call
    elapsed_s: float
    #: of elapsed_s: manifest and base table (serial, in this process) ...
    setup_s: float = 0.0
    #: ... and the replicates: ship the inputs, run the chunks, write every file
    replicate_s: float = 0.0


def run_campaign(
    rally: str,
    spec: CampaignSpec,
    *,
    replicates: int,
    seed: int,
    out_dir: Path | str,
    chunk_size: int | None = None,
    client: Any = None,
    max_chunks: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> CampaignResult:
    """Run (or resume) a campaign into ``out_dir``.

    ``client``: a ``distributed.Client`` (LocalCluster, scheduler address, jobqueue) or
    None to run the chunks in this process. ``chunk_size``: replicates per task and file
    (None: :func:`auto_chunk_size`, or the existing manifest's). ``max_chunks``: stop
    after that many new chunks (re-run to resume). ``on_start(done, total)`` and
    ``on_chunk(index)`` report progress. A new directory without ``chunk_size`` gets
    ``auto_chunk_size(replicates, workers, crews x stages)`` with the client's current
    worker count.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    workers = None
    if client is not None and chunk_size is None:
        with contextlib.suppress(Exception):  # a remote scheduler may not say: size by work only
            workers = len(client.scheduler_info()["workers"]) or None
    manifest, table = prepare(
        rally,
        spec,
        replicates=replicates,
        seed=seed,
        out_dir=out,
        chunk_size=chunk_size,
        workers=workers,
    )
    total = int(manifest["n_chunks"])
    chunk_size = int(manifest["chunk_size"])
    todo = pending(out, total)
    if max_chunks is not None:
        todo = todo[: max(0, max_chunks)]
    if on_start is not None:
        on_start(total - len(pending(out, total)), total)
    t1 = time.perf_counter()

    def done(index: int, result: pa.Table | bytes) -> None:
        write_chunk(result, chunk_path(out, index))
        if on_chunk is not None:
            on_chunk(index)

    if client is None:
        for i in todo:
            done(i, run_chunk(table, spec, seed, replicates, chunk_size, i))
    elif todo:
        from distributed import as_completed

        n = len(todo)
        # one batch (client.map) rather than n submits; keys name campaign, seed and chunk,
        # plus a token of this call (two calls never share a task)
        token = uuid.uuid4().hex[:8]
        futures = client.map(
            chunk_task,
            [table] * n,  # small (a few kB pickled): shipped with each task, no scatter
            [spec] * n,
            [seed] * n,
            [replicates] * n,
            [chunk_size] * n,
            todo,
            key=[f"raidsim-chunk-{manifest['spec_hash'][:12]}-{seed}-{i}-{token}" for i in todo],
            retries=3,
            pure=False,  # keys given: skip tokenising the arguments (~5 ms a call)
        )
        index = {f.key: i for f, i in zip(futures, todo, strict=True)}
        for fut in as_completed(futures):
            done(index[fut.key], fut.result())
            fut.release()
    t2 = time.perf_counter()
    return CampaignResult(
        out, total, total - len(pending(out, total)), len(todo), t2 - t0, t1 - t0, t2 - t1
    )


#: Dask settings of the LocalCluster that ``dask_client`` starts (see there)
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}


@contextlib.contextmanager
def dask_client(
    workers: int, scheduler: str | None, connect_timeout_s: float = 5.0
) -> Iterator[Any]:
    """A Dask client: the scheduler at ``scheduler`` (``tcp://host:port``) or a
    ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)``.

    An unreachable scheduler raises ConfigError within ``connect_timeout_s``.
    """
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=connect_timeout_s)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                f"--scheduler {scheduler}: cannot connect within {connect_timeout_s:g} s ({exc})"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise ConfigError(f"--workers={workers}: need at least 1 worker for a LocalCluster")
    import dask

    # a batch cluster without a dashboard: no statistical profiler sampling the running
    # task every 10 ms, no GIL-contention poll (both only feed the dashboard, and both cost
    # the task CPU); the nannies hand this config to the worker processes they (re)start
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def read_manifest(out_dir: Path | str) -> dict[str, Any]:
    path = Path(out_dir) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: no campaign manifest here ({exc.strerror})") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: unreadable manifest ({exc})") from exc
    return data
