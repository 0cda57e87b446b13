"""The LocalCluster that ``raidsim batch`` and ``raidsim campaign`` start by default listens
on the loopback interface only: nobody else on the network can reach it (and run code on
its workers). The TLS path (``--scheduler tls://``) is tested in
tests/campaign/test_tls_cluster.py."""

from __future__ import annotations

from typing import Any

import psutil

from raidsim.batch.cluster import LOCAL_HOST, dask_client


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
