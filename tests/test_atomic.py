"""raidsim.atomic: the one module that renames files into place, its temporary names, the
clean-up of what a killed process left, and the lock on an output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import raidsim.atomic as atomic
from raidsim.errors import ConfigError

SRC = Path(__file__).resolve().parents[1] / "src" / "raidsim"


def test_no_rename_outside_the_atomic_module() -> None:
    """Every rename into place goes through raidsim.atomic (one temporary-name shape, one
    clean-up); a hand-rolled ``os.replace``/``os.rename``/``Path.replace`` is a second copy."""
    pattern = re.compile(
        r"\bos\.(replace|rename|renames)\(|\btempfile\.mk(s|d)temp\(|\b(tmp|temp)\w*\.(replace|rename)\("
    )
    offenders = [
        f"{path.relative_to(SRC)}:{i}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "atomic.py"
        for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, "use raidsim.atomic:\n" + "\n".join(offenders)
    # and the checker sees one
    assert pattern.search("    os.replace(tmp, path)") and pattern.search("tmp.replace(path)")


def test_temp_name_is_recognisable_and_beside_the_target(tmp_path: Path) -> None:
    t = atomic.temp_path(tmp_path / "telemetry.parquet")
    assert t.parent == tmp_path
    assert t.name.startswith(".telemetry.parquet.") and t.name.endswith(".raidsim-tmp")
    assert f"-{os.getpid()}-" in t.name
    assert atomic.temp_path(tmp_path / "x") != atomic.temp_path(tmp_path / "x")


def test_write_replaces_whole_and_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic.write_text(target, "one")
    atomic.write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    with pytest.raises(RuntimeError), atomic.writing(target) as tmp:
        tmp.write_text("half", "utf-8")
        raise RuntimeError("writer failed")
    with pytest.raises(RuntimeError), atomic.open_atomic(target) as fh:
        fh.write(b"half")
        raise RuntimeError("writer failed")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_clean_stale_removes_only_dead_writers_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "run"
    live = atomic.temp_path(out)  # this process: alive
    live.mkdir()
    dead_name = live.name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-")
    dead_dir = tmp_path / dead_name
    dead_dir.mkdir()
    (dead_dir / "telemetry.parquet.partial").write_bytes(b"x" * 1000)
    dead_file = tmp_path / re.sub(r"-[0-9a-f]{8}\.raidsim-tmp$", "-0123abcd.raidsim-tmp", dead_name)
    dead_file.write_bytes(b"half a file")
    other_host = tmp_path / re.sub(
        r"^\.run\.[A-Za-z0-9-]+?-(\d+-)", r".run.elsewhere-\1", dead_name
    )
    other_host.mkdir()
    foreign = tmp_path / ".run.notes.raidsim-tmp"  # not our token: kept
    foreign.write_text("keep", "utf-8")
    other_target = tmp_path / dead_name.replace(".run.", ".20261207-101500.", 1)
    other_target.mkdir()  # a killed run of another name (runs/<timestamp>): removed too
    removed = atomic.clean_stale(out)
    assert sorted(removed) == sorted([dead_dir, dead_file, other_target])
    assert not dead_dir.exists() and not dead_file.exists() and not other_target.exists()
    assert live.exists() and other_host.exists() and foreign.exists()


def test_second_lock_on_one_output_fails_at_once(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = atomic.OutLock(out, f"--out {out}")
    with pytest.raises(ConfigError) as exc:
        atomic.OutLock(out, f"--out {out}")
    msg = str(exc.value)
    assert msg.startswith(f"--out {out}: another raidsim process (pid {os.getpid()})"), msg
    first.release()
    assert not any(tmp_path.iterdir())  # the lock file goes with the lock
    with atomic.OutLock(out, "--out x"):
        pass
    assert not any(tmp_path.iterdir())


def test_lock_is_released_when_its_process_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code = (
        "import sys, time; from raidsim.atomic import OutLock; "
        f"OutLock({str(out)!r}, 'x'); print('locked', flush=True); time.sleep(60)"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"locked"
        with pytest.raises(ConfigError, match=f"pid {proc.pid}"):
            atomic.OutLock(out, "--out run")
        proc.kill()
        proc.wait()
        atomic.OutLock(out, "--out run").release()  # kill -9 left no lock behind
    finally:
        proc.kill()
        proc.wait()


def test_clean_stale_removes_a_killed_holders_lock_only(tmp_path: Path) -> None:
    held = atomic.OutLock(tmp_path / "a", "--out a")
    (tmp_path / ".b.raidsim-lock").write_text("12345\n", "utf-8")  # holder killed
    assert atomic.clean_stale(tmp_path / "c") == [tmp_path / ".b.raidsim-lock"]
    assert held.path.exists()
    with pytest.raises(ConfigError):
        atomic.OutLock(tmp_path / "a", "--out a")
    held.release()


def test_lock_without_its_parent_is_not_taken(tmp_path: Path) -> None:
    lock = atomic.OutLock(tmp_path / "missing" / "run", "--out x")
    lock.release()
    assert not (tmp_path / "missing").exists()
