"""Campaign runner: a resumable directory of Parquet chunks, run in-process or on Dask.

``DIR/campaign.json`` is the manifest (rally, stages, spec and its hash, seed, replicates,
chunk size, the base table); ``DIR/chunk-00012.parquet`` holds replicates
``12 x chunk_size ..``. The driver writes each chunk as it arrives, to a hidden temporary
file renamed into place (:mod:`raidsim.atomic`), so a killed run leaves only whole chunks and
running the same command again computes only the missing ones. A manifest that differs
from the command (other seed, spec, ...) is refused with the differing field named.

``DIR/chunks.jsonl`` is the manifest's chunk ledger: one line per finished chunk (index,
rows, bytes, sha256), appended after the chunk is in place. A resume trusts a
``chunk-N.parquet`` only if it matches its ledger line and holds the rows its replicates
make (:func:`verify_chunks`); a truncated or altered chunk is removed, with a warning, and
computed again, and ``raidsim campaign-report`` refuses a directory with a damaged chunk.
A chunk without a ledger line (a directory from before the ledger, or a run killed between
the rename and the append) is kept if its Parquet footer holds the expected rows.

Workers receive the small base table and spec with each task (a few kB pickled: cheaper
than a scatter round trip) and return the chunk as Parquet bytes (compressed on the
worker); they need no
shared filesystem, so ``Client("tcp://host:8786")`` on any cluster works, as does
dask-jobqueue (``SLURMCluster(...)`` then ``Client(cluster)``, passed as ``client``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import raidsim.atomic as atomic
from raidsim._version import __version__
from raidsim.batch.cluster import (  # the Dask plumbing shared with raidsim batch
    LOCAL_CLUSTER_CONFIG,  # noqa: F401 (re-exported)
    dask_client,  # noqa: F401 (re-exported)
    worker_count,
)
from raidsim.campaign.model import BaseTable, Given, build_base_table, simulate_replicates
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

MANIFEST = "campaign.json"
#: the chunk ledger beside the manifest: one JSON line per finished chunk
CHUNKS = "chunks.jsonl"
#: manifest keys that must match for a resume, in the order they are reported
RESUME_KEYS = ("rally", "stages", "spec_hash", "seed", "replicates", "chunk_size", "results")


def chunk_path_name(index: int) -> str:
    return f"chunk-{index:05d}.parquet"


def chunk_path(out_dir: Path, index: int) -> Path:
    return out_dir / chunk_path_name(index)


_CHUNK_NAME = re.compile(r"chunk-(\d{5,})\.parquet")


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
    file renamed into place, :mod:`raidsim.atomic`)."""
    if isinstance(table, bytes):
        atomic.write_bytes(path, table)
        return
    with atomic.writing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def parquet_bytes(table: pa.Table) -> bytes:
    """``table`` as the bytes of a zstd Parquet file (what write_chunk would write)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def run_chunk(
    table: BaseTable,
    spec: CampaignSpec,
    seed: int,
    replicates: int,
    chunk_size: int,
    index: int,
    given: Given | None = None,
) -> pa.Table:
    """The task a worker runs: replicates of chunk ``index`` (``given``: real results)."""
    start = index * chunk_size
    stop = min(start + chunk_size, replicates)
    return simulate_replicates(table, spec, seed, start, stop, given)


def chunk_task(
    table: BaseTable,
    spec: CampaignSpec,
    seed: int,
    replicates: int,
    chunk_size: int,
    index: int,
    given: Given | None = None,
) -> bytes:
    """The Dask task: chunk ``index`` already encoded as Parquet, so the compression runs
    on the workers, in parallel, and the driver only writes the (smaller) bytes."""
    return parquet_bytes(run_chunk(table, spec, seed, replicates, chunk_size, index, given))


def given_of(manifest: dict[str, Any]) -> Given | None:
    """The real results a campaign directory is conditioned on (None: none)."""
    data = manifest.get("given")
    return None if data is None else Given.from_json(data)


def results_digest(results: Path | str | None) -> str | None:
    """sha256 of a results file's bytes (the manifest's ``results`` key); None: none.
    An unreadable file is a ConfigError naming it."""
    if results is None:
        return None
    try:
        return hashlib.sha256(Path(results).read_bytes()).hexdigest()
    except OSError as exc:
        raise ConfigError(
            f"--results {results}: cannot read it ({exc.strerror or exc}); give the "
            "organiser's results as CSV"
        ) from None


#: the most chunk files one campaign directory may plan (a resume lists them all)
MAX_CHUNKS = 10_000_000


def check_inputs(replicates: int, chunk_size: int | None, seed: int) -> None:
    """ConfigError naming the flag for a replicate count, chunk size (None: not chosen
    yet) or seed a campaign cannot take."""
    if replicates <= 0:
        raise ConfigError(f"--replicates={replicates}: must be a positive number of replicates")
    if seed < 0:
        raise ConfigError(f"--seed={seed}: must be >= 0")
    if chunk_size is None:
        return
    if chunk_size <= 0:
        raise ConfigError(f"--chunk-size={chunk_size}: must be a positive number of replicates")
    if n_chunks(replicates, chunk_size) > MAX_CHUNKS:
        raise ConfigError(
            f"--replicates={replicates:,} in chunks of {chunk_size:,}: "
            f"{n_chunks(replicates, chunk_size):,} chunks, more than the {MAX_CHUNKS:,} a "
            "campaign directory holds; use fewer --replicates or a larger --chunk-size"
        )


#: the copy of a season round's real results a season writes into the round's directory
ROUND_RESULTS_FILE = "results.csv"


def _check_new_dir(out_dir: Path) -> None:
    """A new campaign goes to a new or empty directory, never into a run directory or
    another tool's output (ConfigError naming --out)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir}: exists and is not a directory; give a new directory")
    try:
        # a season writes each round's real results there first (campaign.season)
        held = sorted(
            p.name
            for p in out_dir.iterdir()
            if not p.name.startswith(".") and p.name != ROUND_RESULTS_FILE
        )
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f"--out {out_dir}: cannot read the directory ({exc.strerror})") from None
    if held:
        more = ", ..." if len(held) > 3 else ""
        raise ConfigError(
            f"--out {out_dir}: holds files ({', '.join(held[:3])}{more}) "
            f"but no {MANIFEST}; a campaign needs a new or empty directory"
        )


def prepare(
    rally: str,
    spec: CampaignSpec,
    *,
    replicates: int,
    seed: int,
    out_dir: Path,
    chunk_size: int | None,
    workers: int | None = None,
    results: Path | str | None = None,
) -> tuple[dict[str, Any], BaseTable]:
    """Create or check ``out_dir``'s manifest; return it and the base table.

    ``results``: the organiser's results of the stages run (CSV,
    :mod:`raidsim.campaign.results`), checked before anything is written; the manifest
    keeps its digest (a resume needs the same file) and the :class:`Given` built from it.

    A new directory gets the base table computed here (QSS, cached); a resumed one reuses
    the table stored in its manifest, so a resume gives the same numbers. ``chunk_size``
    None: the manifest's on a resume, else :func:`auto_chunk_size` for ``workers``.
    """
    check_inputs(replicates, chunk_size, seed)
    out_dir = Path(out_dir)
    path = out_dir / MANIFEST
    if not path.exists():
        _check_new_dir(out_dir)
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
    digest = results_digest(results)
    if digest is not None:
        wanted["results"] = digest
    if path.exists():
        try:
            manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: unreadable manifest ({exc}); use a new --out") from exc
        diffs = [
            f"{k} is {manifest.get(k)!r} there, {wanted[k]!r} here"
            for k in RESUME_KEYS
            if manifest.get(k) != wanted.get(k)
        ]
        if diffs:
            raise ConfigError(
                f"{path}: cannot resume a different campaign: {'; '.join(diffs)} "
                "(use a new --out, or the original options)"
            )
        return manifest, BaseTable.from_json(manifest["base_table"])
    if table is None:
        table = build_base_table(rally, spec)
    given: Given | None = None
    if results is not None:
        from raidsim.campaign.results import condition, read_results

        given = condition(read_results(results, table.crews, table.stages), table, spec)
    manifest = {
        **wanted,
        "n_chunks": n_chunks(replicates, chunk_size),
        "raidsim_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "crews": table.crews,
        "spec": spec.model_dump(mode="json"),
        "base_table": table.to_json(),
    }
    if given is not None:
        manifest["results_file"] = str(results)
        manifest["given"] = given.to_json()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out_dir}: cannot create the directory ({exc})") from exc
    atomic.write_text(path, json.dumps(manifest))  # compact: the C encoder
    return manifest, table


class CampaignWarning(UserWarning):
    """A campaign directory was repaired (a damaged chunk removed to be computed again)."""


def expected_rows(manifest: dict[str, Any], index: int) -> int:
    """Rows of chunk ``index``: its replicates x crews x stages."""
    size, reps = int(manifest["chunk_size"]), int(manifest["replicates"])
    n_rep = max(0, min(size, reps - index * size))
    table = manifest["base_table"]
    return n_rep * len(table["crews"]) * len(table["stages"])


def chunk_record(index: int, data: bytes) -> dict[str, Any]:
    """The ledger line of chunk ``index`` written as ``data`` (Parquet bytes)."""
    rows = pq.read_metadata(pa.BufferReader(data)).num_rows
    digest = hashlib.sha256(data).hexdigest()
    return {"index": index, "rows": rows, "bytes": len(data), "sha256": digest}


def read_ledger(out_dir: Path) -> dict[int, dict[str, Any]]:
    """index -> the last ledger line of each chunk (a torn last line is ignored)."""
    records: dict[int, dict[str, Any]] = {}
    try:
        text = (out_dir / CHUNKS).read_text("utf-8", errors="replace")
    except OSError:
        return records
    for line in text.splitlines():
        try:
            rec = json.loads(line)
            records[int(rec["index"])] = rec
        except (ValueError, TypeError, KeyError):
            continue
    return records


def append_ledger(out_dir: Path, record: dict[str, Any]) -> None:
    with (out_dir / CHUNKS).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, separators=(",", ":")) + "\n")


def _file_problem(path: Path, record: dict[str, Any] | None, rows: int) -> str | None:
    """Why ``path`` cannot be trusted as a chunk of ``rows`` rows (None: it can)."""
    try:
        size = path.stat().st_size
        if record is not None:
            if size != record.get("bytes"):
                return f"{size} bytes, the ledger says {record.get('bytes')}"
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            if h.hexdigest() != record.get("sha256"):
                return "its sha256 differs from the ledger's"
            if record.get("rows") != rows:
                return f"the ledger says {record.get('rows')} rows, the chunk needs {rows}"
            return None
        n = pq.read_metadata(path).num_rows  # no ledger line: the footer must be whole
    except (OSError, pa.ArrowException) as exc:
        return f"unreadable ({exc})"
    return None if n == rows else f"{n} rows, the chunk needs {rows}"


@dataclass(frozen=True)
class ChunkCheck:
    """What :func:`verify_chunks` found: finished chunk indices, and the damaged ones
    (index -> why)."""

    good: list[int]
    bad: dict[int, str]
    missing: list[int]


def verify_chunks(out_dir: Path, manifest: dict[str, Any]) -> ChunkCheck:
    """Check every ``chunk-N.parquet`` of ``out_dir`` against the ledger (size, sha256,
    rows) or, without a ledger line, its Parquet footer's row count."""
    total = int(manifest["n_chunks"])
    present: list[int] = []  # one listing, not a stat (or a Path) per planned chunk
    with contextlib.suppress(OSError), os.scandir(out_dir) as entries:
        for e in entries:
            m = _CHUNK_NAME.fullmatch(e.name)
            if (
                m is not None
                and int(m.group(1)) < total
                and e.name == chunk_path_name(int(m.group(1)))
            ):
                present.append(int(m.group(1)))
    ledger = read_ledger(out_dir) if present else {}
    good: list[int] = []
    bad: dict[int, str] = {}
    for i in sorted(present):
        problem = _file_problem(chunk_path(out_dir, i), ledger.get(i), expected_rows(manifest, i))
        if problem is None:
            good.append(i)
        else:
            bad[i] = problem
    have = set(present)
    missing = [i for i in range(total) if i not in have] if have else list(range(total))
    return ChunkCheck(good, bad, missing)


def pending(out_dir: Path, manifest: dict[str, Any]) -> list[int]:
    """Chunk indices without a trusted file: missing, or damaged (removed here with a
    :class:`CampaignWarning`, to be computed again)."""
    check = verify_chunks(out_dir, manifest)
    for i, why in check.bad.items():
        path = chunk_path(out_dir, i)
        warnings.warn(
            f"{path}: damaged chunk ({why}); removed, it is computed again",
            CampaignWarning,
            stacklevel=2,
        )
        path.unlink(missing_ok=True)
    return sorted([*check.missing, *check.bad])


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
    results: Path | str | None = None,
) -> CampaignResult:
    """Run (or resume) a campaign into ``out_dir``.

    ``client``: a ``distributed.Client`` (LocalCluster, scheduler address, jobqueue) or
    None to run the chunks in this process. ``chunk_size``: replicates per task and file
    (None: :func:`auto_chunk_size`, or the existing manifest's). ``max_chunks``: stop
    after that many new chunks (re-run to resume). ``on_start(done, total)`` and
    ``on_chunk(index)`` report progress. A new directory without ``chunk_size`` gets
    ``auto_chunk_size(replicates, workers, crews x stages)`` with the client's current
    worker count. ``results``: real results of the stages run, fixed in every replicate
    (see :func:`prepare`).
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    workers = None
    if client is not None and chunk_size is None:
        workers = worker_count(client)  # a remote scheduler may not say: size by work only
    manifest, table = prepare(
        rally,
        spec,
        replicates=replicates,
        seed=seed,
        out_dir=out,
        chunk_size=chunk_size,
        workers=workers,
        results=results,
    )
    given = given_of(manifest)
    total = int(manifest["n_chunks"])
    chunk_size = int(manifest["chunk_size"])
    todo = pending(out, manifest)
    finished = total - len(todo)
    if max_chunks is not None:
        todo = todo[: max(0, max_chunks)]
    if on_start is not None:
        on_start(finished, total)
    t1 = time.perf_counter()

    def done(index: int, result: pa.Table | bytes) -> None:
        nonlocal finished
        data = result if isinstance(result, bytes) else parquet_bytes(result)
        write_chunk(data, chunk_path(out, index))
        append_ledger(out, chunk_record(index, data))  # after the rename: a line = a file
        finished += 1
        if on_chunk is not None:
            on_chunk(index)

    if client is None:
        for i in todo:
            done(i, run_chunk(table, spec, seed, replicates, chunk_size, i, given))
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
            *([[given] * n] if given is not None else []),  # the task's arguments as before
            key=[f"raidsim-chunk-{manifest['spec_hash'][:12]}-{seed}-{i}-{token}" for i in todo],
            retries=3,
            pure=False,  # keys given: skip tokenising the arguments (~5 ms a call)
        )
        index = {f.key: i for f, i in zip(futures, todo, strict=True)}
        for fut in as_completed(futures):
            done(index[fut.key], fut.result())
            fut.release()
    t2 = time.perf_counter()
    return CampaignResult(out, total, finished, len(todo), t2 - t0, t1 - t0, t2 - t1)


def read_manifest(out_dir: Path | str) -> dict[str, Any]:
    path = Path(out_dir) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: no campaign manifest here ({exc.strerror})") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: unreadable manifest ({exc})") from exc
    return data
