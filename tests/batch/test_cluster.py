"""The Dask plumbing of ``raidsim batch`` and ``raidsim campaign``: the LocalCluster they
start by default listens on the loopback interface only (nobody else on the network can
reach it and run code on its workers); a cluster lost mid-run exits with code 3 and keeps
what finished. The TLS path (``--scheduler tls://``) is tested in
tests/campaign/test_tls_cluster.py."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import psutil
import pytest
from typer.testing import CliRunner

from raidsim.batch import runner
from raidsim.batch.cluster import LOCAL_HOST, dask_client
from raidsim.batch.runner import RUNS
from raidsim.cli import app

STAGE = """
name = "lost-a"
seed = 0
[synthetic_route]
length_km = 1.0
"""


def _listening(procs: list[psutil.Process]) -> set[tuple[int, str, int]]:
    """(pid, ip, port) of every listening internet socket of ``procs``."""
    out: set[tuple[int, str, int]] = set()
    for proc in procs:
        for conn in proc.net_connections("inet"):
            if conn.status == psutil.CONN_LISTEN:
                out.add((proc.pid, conn.laddr.ip, conn.laddr.port))
    return out


def test_local_cluster_listens_on_127_0_0_1_only() -> None:
    me = psutil.Process()
    before = _listening([me])
    with dask_client(1, None) as client:
        client.wait_for_workers(1, timeout=60)
        info: dict[str, Any] = client.scheduler_info()
        children = me.children(recursive=True)
        sockets = _listening([me, *children]) - before
        addresses = [client.scheduler.address, *info["workers"]]
        addresses += [w["nanny"] for w in info["workers"].values()]
    assert LOCAL_HOST == "127.0.0.1"
    assert len(addresses) == 3, addresses  # scheduler, worker, nanny
    assert all(a.startswith("tcp://127.0.0.1:") for a in addresses), addresses
    # every socket the cluster opened to listen: the scheduler and nanny in this process,
    # the worker in its own; none on 0.0.0.0, ::, or a network interface
    assert {pid for pid, _, _ in sockets} >= {me.pid}
    assert len(sockets) >= 3, sockets
    assert {ip for _, ip, _ in sockets} == {"127.0.0.1"}, sockets
    assert 8787 not in {port for _, _, port in sockets}  # the HTTP server on a free port


def test_cluster_lost_mid_run_exits_3_and_keeps_what_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler goes away after the first run came back: exit 3, one line, the run
    that came back is kept, and the same command resumes from it."""
    from distributed import LocalCluster

    stage = tmp_path / "a.toml"
    stage.write_text(STAGE, "utf-8")
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # HTTP: a free port
        silence_logs=logging.CRITICAL,
    )
    place = runner._place

    def place_then_lose_the_cluster(*args: Any) -> None:
        place(*args)
        cluster.close()  # stops the scheduler and its worker

    monkeypatch.setattr(runner, "_place", place_then_lose_the_cluster)
    out = tmp_path / "o"
    args = ["batch", str(stage), "--seeds", "0-2", "--out", str(out), "--quiet"]
    try:
        res = CliRunner().invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    finally:
        cluster.close()
    assert res.exit_code == 3, res.output
    line = " ".join(res.output.split())
    assert "the cluster was lost mid-run" in line and "run the same command again" in line
    assert "Traceback" not in res.output
    kept = [p.name for p in (out / RUNS).iterdir() if not p.name.startswith(".")]
    assert len(kept) == 1
    monkeypatch.setattr(runner, "_place", place)
    again = CliRunner().invoke(app, [*args, "--workers", "0"])
    assert again.exit_code == 0, again.output
    assert "3/3 runs, complete; 2 made" in " ".join(again.output.split())


def test_a_configuration_requiring_encryption_is_not_bypassed(tmp_path: Path) -> None:
    """The plain-tcp LocalCluster is refused (exit 2, what to do) where the Dask
    configuration requires encryption; it does not start and does not override it."""
    import dask

    with dask.config.set({"distributed.comm.require-encryption": True}):
        res = CliRunner().invoke(app, ["batch", "default", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    line = " ".join(res.output.split())
    assert "distributed.comm.require-encryption" in line and "--workers 0" in line
