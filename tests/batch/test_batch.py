"""raidsim batch: grid checks, LocalCluster against one-by-one runs, resume after SIGKILL,
a worker killed mid-run (the patterns of tests/campaign/test_faults.py).

Every batch here is the same grid of 8 short runs: 2 one-kilometre stages (one with a jump)
x 2 setups x 2 terrain seeds, about a fifth of a second each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.batch import runner
from raidsim.batch.cluster import dask_client
from raidsim.batch.grid import BatchGrid, RunTask, expand, load_grid
from raidsim.batch.runner import RUNS, check_grid, read_results, run_batch
from raidsim.cli import app
from raidsim.errors import ConfigError
from raidsim.model.ambient import Conditions
from raidsim.sim.runner import TIMING_FIELDS

STAGE_A = """
name = "batch-a"
seed = 0
[synthetic_route]
length_km = 1.0
"""
STAGE_B = """
name = "batch-b"
seed = 0
default_surface = "sand_firm"
[synthetic_route]
length_km = 1.0
[[jumps]]
km = 0.5
ramp_length_m = 10.0
ramp_height_m = 0.8
drop_m = 0.8
takeoff_speed_kmh = 70.0
"""
SETUPS = [{"name": "base"}, {"name": "fd43", "changes": {"final_drive": 4.3}}]


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    base = tmp_path_factory.mktemp("batch-stages")
    (base / "a.toml").write_text(STAGE_A, "utf-8")
    (base / "b.toml").write_text(STAGE_B, "utf-8")
    return [str(base / "a.toml"), str(base / "b.toml")]


@pytest.fixture(scope="module")
def grid(stages: list[str]) -> BatchGrid:
    return BatchGrid.model_validate({"stages": stages, "setups": SETUPS, "seeds": [0, 1]})


@pytest.fixture(scope="module")
def reference(grid: BatchGrid, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The batch made uninterrupted, in this process."""
    out = tmp_path_factory.mktemp("batch-ref") / "ref"
    res = run_batch(grid, out)
    assert (res.runs_done, res.runs_total, res.runs_made, res.stopped) == (8, 8, 8, 0)
    return out


def _summary(out: Path, key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / RUNS / key / "summary.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if k not in TIMING_FIELDS}


def _table(out: Path) -> pl.DataFrame:
    return read_results(out).drop([c for c in TIMING_FIELDS if c in read_results(out).columns])


def _one_by_one(task: RunTask) -> dict[str, Any]:
    car = rs.load_vehicle(task.vehicle).with_changes(**task.changes)
    # the grid gives no weather: each run at its stage's own (35 °C, sea level here)
    assert task.conditions() == Conditions()
    run = rs.simulate(car, rs.load_stage(task.stage, seed=task.seed))
    return {k: v for k, v in run.summary.items() if k not in TIMING_FIELDS}


def test_grid_order_keys_and_toml(grid: BatchGrid, stages: list[str], tmp_path: Path) -> None:
    tasks = expand(grid)
    assert [t.key for t in tasks[:3]] == [
        "a__base__seed0__35C",
        "a__base__seed1__35C",
        "a__fd43__seed0__35C",
    ]
    assert len({t.key for t in tasks}) == 8
    toml = tmp_path / "grid.toml"
    Path(tmp_path / "a.toml").write_text(STAGE_A, "utf-8")
    toml.write_text(
        'stages = ["a.toml"]\nseeds = [0, 1]\nambient_C = [30.0]\n'
        '[[setups]]\nname = "fd43"\nfinal_drive = 4.3\n',
        "utf-8",
    )
    loaded = load_grid(toml)
    assert loaded.stages == [str(tmp_path / "a.toml")]
    assert loaded.setups[0].changes == {"final_drive": 4.3}
    assert [t.key for t in expand(loaded)] == ["a__fd43__seed0__30C", "a__fd43__seed1__30C"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["no/such.toml"], "stage file not found"),
        (["A", "--setup-variant", "x:wings=2"], "unknown setup key 'wings'"),
        (["A", "--setup-variant", "fd:final_drive=40"], "setup 'fd'"),
        (["A", "--seeds", "0,0"], "seeds repeat 0"),
        (["A", "--seeds", "-3"], "--seeds"),
        (["A", "--ambient-C", "99"], "--ambient-C: value 99 is not allowed"),
        (["A", "--channel-rate", "nope_*=10"], "no channel matches 'nope_*'"),
        (["A", "--channel-rate", "coolant_C=30"], "does not divide"),
        (["A", "--sample-rate-hz", "300"], "--sample-rate-hz: value 300 is not allowed"),
        (["A", "--vehicle", "hilux-t1"], "unknown vehicle 'hilux-t1'"),
        ([], "no stages"),
    ],
)
def test_bad_grid_exit_2_before_any_work(
    args: list[str], needle: str, stages: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "b"
    args = [stages[0] if a == "A" else a for a in args]
    result = CliRunner().invoke(app, ["batch", *args, "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    assert needle in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing started: no directory, no cluster


def test_resume_refuses_another_grid(grid: BatchGrid, reference: Path) -> None:
    other = grid.model_copy(update={"seeds": [0, 1, 2]})
    with pytest.raises(ConfigError, match="cannot resume a different batch: seeds"):
        run_batch(other, reference)
    assert check_grid(grid)  # and the grid itself is fine


def test_local_cluster_equals_runs_one_by_one(
    grid: BatchGrid, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cluster"
    with dask_client(2, None) as client:
        res = run_batch(grid, out, client=client)
    assert (res.runs_done, res.runs_total, res.runs_made) == (8, 8, 8)
    for task in expand(grid):
        # bit-identical: every summary figure but the machine's timing
        assert _summary(out, task.key) == _one_by_one(task), task.key
    assert _table(out).equals(_table(reference))
    table = read_results(out)
    assert table["run"].to_list() == [t.key for t in expand(grid)]
    assert (table["status"] == "finished").all()
    assert table.filter(pl.col("stage") == "batch-b")["landings_detected"].min() >= 1
    # DuckDB reads the results table as it is
    import duckdb

    rows = duckdb.sql(f"SELECT count(*) FROM '{out / 'results.parquet'}'").fetchall()
    assert rows == [(8,)]


def _cli(out: Path, stages: list[str]) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from raidsim.cli import app; app()",
        "batch",
        *stages,
        "--setup-variant",
        "base",
        "--setup-variant",
        "fd43:final_drive=4.3",
        "--seeds",
        "0,1",
        "--out",
        str(out),
        "--workers",
        "0",
        "--quiet",
    ]


def _folders(out: Path) -> list[str]:
    runs = out / RUNS
    if not runs.exists():
        return []
    return sorted(p.name for p in runs.iterdir() if not p.name.startswith("."))


def test_sigkill_halfway_then_rerun_equals_uninterrupted(
    stages: list[str], reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        _cli(out, stages), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90.0
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            seen = len(_folders(out))
            if seen >= 2:
                break
            time.sleep(0.002)
        assert proc.poll() is None, f"finished before the kill: {proc.communicate()[0]!r}"
        assert seen >= 2, "no run folder appeared in time"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    present = _folders(out)
    assert 2 <= len(present) < 8, present
    for key in present:  # every run folder that exists is whole
        assert {"run.json", "summary.json", "telemetry.parquet"} <= {
            p.name for p in (out / RUNS / key).iterdir()
        }
    stamps = {k: (out / RUNS / k / "summary.json").stat().st_mtime_ns for k in present}

    res = subprocess.run(
        _cli(out, stages), env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert res.returncode == 0, res.stdout + res.stderr
    flat = " ".join(res.stdout.split())
    assert "8/8 runs, complete" in flat, flat
    assert f"{8 - len(present)} made" in flat, flat  # nothing made twice
    assert all((out / RUNS / k / "summary.json").stat().st_mtime_ns == s for k, s in stamps.items())
    assert not [p for p in (out / RUNS).iterdir() if p.name.startswith(".")]  # no debris
    assert _folders(out) == _folders(reference)
    assert _table(out).equals(_table(reference))


def test_worker_killed_mid_run_is_retried(
    grid: BatchGrid, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run of task 3 SIGKILLs its own worker once, mid-run: after the first 30 s chunk of
    # the kernel has been written to its temporary run folder (claimed through a flag file,
    # so the retry on the other worker runs normally).
    flag = tmp_path / "kill-once"
    flag.write_text("armed", "utf-8")
    killed = tmp_path / "killed-pid"
    original = runner.run_task

    def run_task_killing_once(task: RunTask, runs_dir: str | None) -> dict[str, Any]:
        if task.index == 3:
            import raidsim.sim.runner as transient

            real = transient.simulate

            def simulate_then_die(*args: Any, **kwargs: Any) -> Any:
                def on_progress(s_m: float, total_m: float) -> None:
                    try:
                        os.rename(flag, flag.with_suffix(".claimed"))
                    except FileNotFoundError:
                        return
                    killed.write_text(str(os.getpid()), "utf-8")
                    os.kill(os.getpid(), signal.SIGKILL)

                return real(*args, **{**kwargs, "on_progress": on_progress})

            transient.simulate = simulate_then_die
            try:
                return original(task, runs_dir)
            finally:
                transient.simulate = real
        return original(task, runs_dir)

    monkeypatch.setattr(runner, "run_task", run_task_killing_once)
    out = tmp_path / "faulty"
    with dask_client(2, None) as client:
        client.wait_for_workers(2, timeout=30)
        pids_before = set(client.run(os.getpid).values())
        res = run_batch(grid, out, client=client)
        client.wait_for_workers(2, timeout=30)  # the nanny restarts the killed worker
        pids_after = set(client.run(os.getpid).values())
    assert not flag.exists() and killed.exists(), "the kill hook never ran"
    dead = int(killed.read_text("utf-8"))
    assert dead in pids_before and dead not in pids_after
    assert (res.runs_done, res.runs_total, res.runs_made) == (8, 8, 8)
    assert not [p for p in (out / RUNS).iterdir() if p.name.startswith(".")]  # no debris
    assert _table(out).equals(_table(reference))
