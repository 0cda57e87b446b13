"""Faults: the CLI killed with SIGKILL and restarted; a Dask worker killed mid-task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from raidsim.campaign import runner
from raidsim.campaign.model import BaseTable
from raidsim.campaign.runner import dask_client, n_chunks, run_campaign
from raidsim.campaign.spec import CampaignSpec

RALLY = "dakar-2026"


def _chunks(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("chunk-*.parquet"))


def _read(out: Path) -> pa.Table:
    table = pq.read_table(sorted(out.glob("chunk-*.parquet")))
    return table.sort_by(
        [("replicate", "ascending"), ("crew_index", "ascending"), ("stage_index", "ascending")]
    )


def _cli(out: Path, spec_file: Path, replicates: int, chunk_size: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from raidsim.cli import app; app()",
        "campaign",
        RALLY,
        "--out",
        str(out),
        "--crews",
        str(spec_file),
        "--replicates",
        str(replicates),
        "--chunk-size",
        str(chunk_size),
        "--seed",
        "11",
        "--workers",
        "0",
        "--quiet",
    ]


def _assert_each_replicate_once(table: pa.Table, replicates: int, rows_per_rep: int) -> None:
    reps = table["replicate"].to_numpy()
    assert table.num_rows == replicates * rows_per_rep
    counts = pa.compute.value_counts(table["replicate"]).field("counts").to_numpy()
    assert set(reps.tolist()) == set(range(replicates))
    assert (counts == rows_per_rep).all()


def test_sigkill_halfway_then_restart_equals_uninterrupted(
    small_spec: CampaignSpec, small_table: BaseTable, small_spec_file: Path, tmp_path: Path
) -> None:
    replicates, chunk_size = 600, 1  # 600 chunks of a few ms: a wide window to kill in
    total = n_chunks(replicates, chunk_size)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # RAIDSIM_CACHE_DIR: the warm test cache
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        _cli(out, small_spec_file, replicates, chunk_size),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60.0
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            seen = len(list(out.glob("chunk-*.parquet"))) if out.exists() else 0
            if seen >= 20:
                break
            time.sleep(0.002)
        assert proc.poll() is None, f"finished before the kill: {proc.communicate()[0]!r}"
        assert seen >= 20, "no chunk appeared in time"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    present = _chunks(out)
    assert 20 <= len(present) < total, len(present)
    for name in present:  # every chunk file that exists is whole
        assert pq.read_metadata(out / name).num_rows > 0
    stamps = {name: (out / name).stat().st_mtime_ns for name in present}

    res = subprocess.run(
        _cli(out, small_spec_file, replicates, chunk_size),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    flat = " ".join(res.stdout.split())
    assert f"{total}/{total} chunks, complete" in flat, flat
    assert f"{total - len(present)} computed" in flat, flat  # nothing ran twice
    assert all((out / n).stat().st_mtime_ns == s for n, s in stamps.items())

    # the uninterrupted run, same options, another directory (in-process: same code path)
    ref_dir = tmp_path / "uninterrupted"
    run_campaign(
        RALLY,
        small_spec,
        replicates=replicates,
        seed=11,
        out_dir=ref_dir,
        chunk_size=chunk_size,
    )
    assert _chunks(out) == _chunks(ref_dir) == [f"chunk-{i:05d}.parquet" for i in range(total)]
    resumed, ref = _read(out), _read(ref_dir)
    _assert_each_replicate_once(
        resumed, replicates, len(small_table.crews) * len(small_table.stages)
    )
    assert resumed.equals(ref)


def test_worker_killed_mid_task_is_retried(
    small_spec: CampaignSpec, small_table: BaseTable, tmp_path: Path, monkeypatch: Any
) -> None:
    replicates, chunk_size, seed = 80, 10, 5
    ref = tmp_path / "clean"
    run_campaign(
        RALLY, small_spec, replicates=replicates, seed=seed, out_dir=ref, chunk_size=chunk_size
    )

    # The task of chunk 3 SIGKILLs its own worker process once, mid-task (after doing
    # half its work): claimed through a flag file, so the retry runs normally.
    flag = tmp_path / "kill-once"
    flag.write_text("armed", "utf-8")
    killed = tmp_path / "killed-pid"
    original = runner.chunk_task

    def run_chunk_killing_once(
        table: BaseTable, spec: CampaignSpec, seed: int, reps: int, size: int, index: int
    ) -> bytes:
        result = original(table, spec, seed, reps, size, index)
        if index == 3:
            try:
                os.rename(flag, flag.with_suffix(".claimed"))
            except FileNotFoundError:
                pass
            else:
                killed.write_text(str(os.getpid()), "utf-8")
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    monkeypatch.setattr(runner, "chunk_task", run_chunk_killing_once)
    out = tmp_path / "faulty"
    with dask_client(2, None) as client:
        client.wait_for_workers(2, timeout=30)
        pids_before = set(client.run(os.getpid).values())
        res = run_campaign(
            RALLY,
            small_spec,
            replicates=replicates,
            seed=seed,
            out_dir=out,
            chunk_size=chunk_size,
            client=client,
        )
        client.wait_for_workers(2, timeout=30)  # the nanny restarts the killed worker
        pids_after = set(client.run(os.getpid).values())
    assert not flag.exists() and killed.exists(), "the kill hook never ran"
    dead = int(killed.read_text("utf-8"))
    assert dead in pids_before and dead not in pids_after
    assert (res.chunks_done, res.chunks_total, res.chunks_run) == (8, 8, 8)
    assert _chunks(out) == _chunks(ref)
    table = _read(out)
    _assert_each_replicate_once(table, replicates, len(small_table.crews) * len(small_table.stages))
    assert table.equals(_read(ref))
