"""Dask plumbing shared by ``raidsim batch`` and ``raidsim campaign``.

* :func:`dask_client`: a ``LocalCluster`` (one single-threaded worker process per core,
  no dashboard, no profiler) or the existing scheduler at ``tcp://host:port``; an
  unreachable scheduler is a :class:`~raidsim.errors.ConfigError` (exit code 2).
* :func:`worker_count`: the cluster's current workers (None when it does not say).

Workers need raidsim installed and nothing else; results come back to the driver, which
writes them (a batch may also let workers write into a directory they share with it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from raidsim.errors import ConfigError

__all__ = ["LOCAL_CLUSTER_CONFIG", "dask_client", "worker_count"]

#: Dask settings of the LocalCluster that :func:`dask_client` starts (see there)
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
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard, and its HTTP server (health checks) on a free loopback port
            # instead of 8787: no "port 8787 is already in use" warning beside another
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def worker_count(client: Any) -> int | None:
    """Workers the scheduler knows now (None when it does not say: size work by itself)."""
    with contextlib.suppress(Exception):
        return len(client.scheduler_info()["workers"]) or None
    return None
