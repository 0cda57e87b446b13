"""Outputs at the edges (issue 27, "Dead ends and wrong answers at the edges"): what a killed
run leaves is removed by the next, one writer per ``--out`` (the second fails at once,
before any work), and a stopped run is readable by ``report`` and ``export``.
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

import pytest
from typer.testing import CliRunner, Result

import raidsim.api
import raidsim.atomic as atomic
from raidsim.cli import app

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"
TINY_STAGE = """\
name = "tiny"
seed = 1
[synthetic_route]
length_km = 2.0
min_radius_m = 80.0
max_radius_m = 400.0
"""


def invoke(args: list[str], **kw: Any) -> Result:
    result = runner.invoke(app, args, **kw)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def one_line(result: Result) -> str:
    text = " ".join(result.output.split())
    assert len(result.output.strip().splitlines()) == 1, result.output
    return text


def _no_simulation(*a: Any, **k: Any) -> Any:
    raise AssertionError("the simulation ran although --out is held by another writer")


def _fake_simulate(vehicle: Any, stage: Any, *a: Any, **k: Any) -> Any:
    from types import SimpleNamespace

    out = Path(k["out_dir"])
    (out / "telemetry.parquet").write_bytes(b"new telemetry")
    keys = [
        "distance_m",
        "avg_speed_kmh",
        "max_speed_kmh",
        "fuel_used_L",
        "fuel_L_per_100km",
        "max_coolant_C",
        "max_oil_C",
        "derate_time_s",
        "max_brake_disc_C",
        "max_halfshaft_torque_Nm",
        "ambient_C",
        "real_time_factor",
    ]
    summary = {"vehicle": vehicle.name, "stage": stage.name, "stage_time_s": 1.0}
    summary |= dict.fromkeys(keys, 1.0)
    (out / "summary.json").write_text(json.dumps(summary), "utf-8")
    return SimpleNamespace(summary=summary)


@pytest.fixture
def stage(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_STAGE, "utf-8")
    return path


# --------------------------------------------------------------------- kill -9, stale temps
def test_kill_9_leftovers_are_removed_by_the_next_run(stage: Path, tmp_path: Path) -> None:
    """A real ``raidsim run`` killed with SIGKILL while it writes leaves its hidden
    temporary directory beside --out; the next run into the same --out removes it."""
    out = tmp_path / "r"
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    cmd = [sys.executable, "-m", "raidsim.cli", "run", str(stage), "--quiet", "--no-report"]
    proc = subprocess.Popen([*cmd, "--out", str(out)], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240.0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            # the run directory is staged (the kernel compiles or runs): kill it there
            # (at once: with warm caches the tiny stage finishes within a second)
            if any(p.name.endswith(atomic.TMP_SUFFIX) for p in tmp_path.iterdir()):
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r."))
    temps = [n for n in left if n.endswith(atomic.TMP_SUFFIX)]
    assert len(temps) == 1 and set(left) <= {temps[0], ".r.raidsim-lock"}, left  # lock: unheld
    assert not out.exists()
    # the next run, into another --out as `runs/<timestamp>` is (the simulation stubbed:
    # only the clean-up is under test), removes it and the lock file no one holds
    mp = pytest.MonkeyPatch()
    mp.setattr(raidsim.api, "simulate", _fake_simulate)
    try:
        done = invoke(["run", str(stage), "--quiet", "--no-report", "--out", str(out) + "2"])
    finally:
        mp.undo()
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r2", "tiny.toml"]


# --------------------------------------------------------------------- one writer per --out
@pytest.mark.parametrize(
    "args",
    [
        ["run", "{stage}", "--quiet", "--no-report", "--out", "{out}"],
        ["batch", "{stage}", "--workers", "0", "--quiet", "--out", "{out}"],
        ["campaign", "--workers", "0", "--replicates", "4", "--quiet", "--out", "{out}"],
        ["correlate", "{log}", "--out", "{out}"],
    ],
    ids=["run", "batch", "campaign", "correlate"],
)
def test_second_writer_to_one_out_fails_at_once(
    args: list[str], stage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import raidsim.batch.runner
    import raidsim.campaign.runner
    import raidsim.correlate

    for mod, name in (
        (raidsim.api, "simulate"),
        (raidsim.batch.runner, "run_batch"),
        (raidsim.campaign.runner, "build_base_table"),
        (raidsim.campaign.runner, "run_campaign"),
    ):
        monkeypatch.setattr(mod, name, _no_simulation)
    out = tmp_path / "out"
    log = tmp_path / "log.csv"
    log.write_text("time_s,speed_mps\ns,m/s\n0,0\n", "utf-8")
    argv = [a.format(stage=stage, out=out, log=log) for a in args]
    with atomic.OutLock(out, "the first writer"):
        started = time.monotonic()
        result = invoke(argv)
        took_s = time.monotonic() - started
    assert result.exit_code == 2, result.output
    text = one_line(result)
    assert text.startswith(f"error: --out {out}: another raidsim process"), text
    assert "is writing there now" in text and took_s < 30.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "tiny.toml"]


# --------------------------------------------------------------------- Dask's dashboard port
def test_local_cluster_does_not_warn_about_port_8787(capfd: pytest.CaptureFixture[str]) -> None:
    """A LocalCluster beside another process on 8787 (a Jupyter dashboard, a second batch)
    starts without the "Port 8787 is already in use" warning, and listens on loopback."""
    import logging
    import socket
    import warnings

    from raidsim.batch.cluster import dask_client

    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", 8787))
        blocker.listen()
    except OSError:
        pass  # already taken by something else: the same situation
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("distributed").addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught, dask_client(1, None) as client:
            warnings.simplefilter("always")
            assert client.submit(sum, [1, 2]).result() == 3
            address = client.scheduler.address
    finally:
        logging.getLogger("distributed").removeHandler(handler)
        blocker.close()
    text = "\n".join(
        [capfd.readouterr().err, *(r.getMessage() for r in records), *map(str, caught)]
    )
    assert "8787" not in text and "already in use" not in text, text
    assert address.startswith("tcp://127.0.0.1:"), address


# --------------------------------------------------------------------- a stopped run
@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run of the 2 km stage stopped by its time limit after 20 s (exit 3 in the
    CLI): ``telemetry.parquet.partial`` and ``stopped.json``, no summary."""
    from raidsim.errors import SimulationStopped
    from raidsim.model.settings import Settings

    root = tmp_path_factory.mktemp("stopped")
    (root / "tiny.toml").write_text(TINY_STAGE, "utf-8")
    out = root / "run"
    car = raidsim.api.load_vehicle("d7x-r")
    st = raidsim.api.load_stage(root / "tiny.toml")
    with pytest.raises(SimulationStopped):
        raidsim.api.simulate(car, st, settings=Settings(max_time_s=20.0), out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == ["stopped.json", "telemetry.parquet.partial"]
    return out


def test_report_of_a_stopped_run_marks_where_it_stopped(stopped_run: Path, tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    result = invoke(["report", str(stopped_run), "--out", str(page)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    km = json.loads((stopped_run / "stopped.json").read_text("utf-8"))["distance_m"] / 1000
    assert f"the run stopped at km {km:.2f} (time limit 20 s reached" in text, text
    html = page.read_text("utf-8")
    assert f"d7x-r on tiny (stopped at km {km:.2f})" in html
    assert "<th>status</th><td>stopped at km" in html


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ld"])
def test_export_of_a_stopped_run(fmt: str, stopped_run: Path, tmp_path: Path) -> None:
    import polars as pl

    from raidsim.io.csv_export import read_csv

    target = tmp_path / f"x.{fmt}"
    result = invoke(["export", str(stopped_run), "--format", fmt, "--out", str(target)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning:" in text and "the run stopped at km 0." in text and "ends there" in text
    assert f"wrote {target}" in text
    partial = pl.read_parquet(stopped_run / "telemetry.parquet.partial")
    if fmt == "parquet":
        assert pl.read_parquet(target).equals(partial)
    elif fmt == "csv":
        assert len(read_csv(target)[0]["time_s"]) == partial.height
    else:
        assert target.stat().st_size > 1000 and b"stopped at km" in target.read_bytes()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("string time", "summary.json: field 'stage_time_s' = 'fast' is not a number"),
        ("no rows", "telemetry.parquet: no samples; not the telemetry of a raidsim run"),
        ("wrong table", "telemetry.parquet: no time_s column; not the telemetry"),
        ("a file", "is a file, not a run directory"),
    ],
)
def test_report_on_a_damaged_run_is_bad_input(damage: str, message: str, tmp_path: Path) -> None:
    """Exit 2 naming the file and the field, never an internal error (exit 70) and never a
    report of 50 km beside "shorter than 10 km"."""
    import polars as pl

    from raidsim.io.runs import save_run

    run = tmp_path / "run"
    frame = pl.DataFrame({"time_s": [0.01, 0.02], "distance_m": [0.0, 0.3]})
    summary: dict[str, Any] = {"vehicle": "d7x-r", "stage": "default", "stage_time_s": 2000.0}
    if damage == "string time":
        summary["stage_time_s"] = "fast"
    elif damage == "no rows":
        frame = frame.clear()
    elif damage == "wrong table":
        frame = pl.DataFrame({"chunk": [1, 2], "stage_time_s": [1.0, 2.0]})
    save_run(run, frame, summary, {})
    arg = run / "telemetry.parquet" if damage == "a file" else run
    if damage == "a file":
        arg = tmp_path / "notes.txt"
        arg.write_text("x", "utf-8")
    for command in (["report", str(arg)], ["export", str(arg), "-f", "csv"]):
        result = invoke(command)
        assert result.exit_code == 2, result.output
        text = one_line(result)
        assert message in text, text


# --------------------------------------------------------------------- first run
def test_summary_table_shows_compile_time_apart_from_the_factor() -> None:
    import io

    from rich.console import Console

    from raidsim.cli.run import summary_table

    summary = dict.fromkeys(
        [
            "distance_m",
            "avg_speed_kmh",
            "max_speed_kmh",
            "fuel_used_L",
            "fuel_L_per_100km",
            "max_coolant_C",
            "max_oil_C",
            "derate_time_s",
            "max_brake_disc_C",
            "max_halfshaft_torque_Nm",
            "ambient_C",
        ],
        1.0,
    )
    summary |= {"vehicle": "d7x-r", "stage": "default", "stage_time_s": 2085.6}

    def render(extra: dict[str, float]) -> str:
        buf = io.StringIO()
        Console(file=buf, width=100).print(summary_table(summary | extra))
        return " ".join(buf.getvalue().split())

    cold = render({"real_time_factor": 612.0, "compile_time_s": 64.7})
    assert "real-time factor │ 612 x" in cold
    assert "kernel compile │ 65 s (first run; not in the factor)" in cold
    warm = render({"real_time_factor": 640.0, "compile_time_s": 0.0})
    assert "kernel compile" not in warm and "640 x" in warm


def test_first_run_says_it_compiles(
    stage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-line notice is printed when Numba starts compiling (here a stand-in for the
    runner calls ``on_compiling`` as a cold cache would), not otherwise."""
    seen: list[Any] = []

    def fake(*a: Any, **k: Any) -> Any:
        seen.append(k.get("on_compiling"))
        if len(seen) == 1:
            k["on_compiling"]()
        return _fake_simulate(*a, **k)

    monkeypatch.setattr(raidsim.api, "simulate", fake)
    cold = invoke(["run", str(stage), "--quiet", "--no-report", "--out", str(tmp_path / "a")])
    assert cold.exit_code == 0, cold.output
    assert "compiling the simulation kernel (first run after an install or update" in cold.output
    warm = invoke(["run", str(stage), "--quiet", "--no-report", "--out", str(tmp_path / "b")])
    assert warm.exit_code == 0 and "compiling" not in warm.output


# --------------------------------------------------------------------- campaign reports
@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 replicates of a 3-stage Dakar in four chunks (in this process)."""
    from raidsim.campaign.runner import run_campaign
    from raidsim.campaign.spec import load_spec

    root = tmp_path_factory.mktemp("campaign")
    mp = pytest.MonkeyPatch()
    mp.setenv("RAIDSIM_CACHE_DIR", str(root / "cache"))
    try:
        spec_file = root / "small.toml"
        spec_file.write_text('stages = ["prologue", "1", "13"]\n', "utf-8")
        out = root / "camp"
        result = run_campaign(
            "dakar-2026", load_spec(spec_file), replicates=40, seed=0, out_dir=out, chunk_size=10
        )
    finally:
        mp.undo()
    assert result.chunks_done == result.chunks_total == 4
    return out


def test_campaign_report_json_is_the_same_twice(campaign_dir: Path) -> None:
    first = invoke(["campaign-report", str(campaign_dir), "--json"])
    second = invoke(["campaign-report", str(campaign_dir), "--json"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["complete"] is True and data["replicates"] == 40


def test_campaign_report_says_a_campaign_is_incomplete(campaign_dir: Path, tmp_path: Path) -> None:
    import shutil

    part = tmp_path / "part"
    shutil.copytree(campaign_dir, part)
    (part / "chunk-00003.parquet").unlink()
    result = invoke(["campaign-report", str(part)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"warning: {part}: incomplete: 30 of 40 replicates (1 of 4 chunks missing)" in text
    assert "run the same `raidsim campaign` command again" in text
    assert "30 of 40 (INCOMPLETE) replicates" in text
    data = json.loads(invoke(["campaign-report", str(part), "--json"]).stdout)
    assert data["complete"] is False and data["chunks_missing"] == 1


def test_campaign_out_refuses_a_run_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was: chunks written into the run directory, exit 0."""
    import raidsim.campaign.runner

    monkeypatch.setattr(raidsim.campaign.runner, "build_base_table", _no_simulation)
    run = tmp_path / "run"
    run.mkdir()
    for name in ("summary.json", "telemetry.parquet"):
        (run / name).write_text("{}", "utf-8")
    result = invoke(["campaign", "--workers", "0", "--replicates", "4", "--out", str(run)])
    assert result.exit_code == 2, result.output
    text = one_line(result)
    held = "holds files (summary.json, telemetry.parquet) but no campaign.json"
    assert f"--out {run}: {held}" in text
    assert sorted(p.name for p in run.iterdir()) == ["summary.json", "telemetry.parquet"]
