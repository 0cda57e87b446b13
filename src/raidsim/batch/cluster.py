"""Dask plumbing shared by ``raidsim batch`` and ``raidsim campaign``.

* :func:`dask_client`: a ``LocalCluster`` (one single-threaded worker process per core,
  no dashboard, no profiler, every socket on 127.0.0.1 only) or the existing scheduler at
  ``tcp://host:port`` or ``tls://host:port``; a scheduler that is not there, or refuses
  the client, is a :class:`~raidsim.errors.ConfigError` (exit code 2) saying which; a
  cluster lost mid-run is a :class:`ClusterLost` (exit code 3; re-run to resume).
* :func:`client_security`: the client credentials of a ``tls://`` scheduler as Dask's own
  ``distributed.security.Security`` (CA file, client certificate and key from the flags,
  else from the Dask configuration ``distributed.comm.tls.*``), each file checked first.
* :func:`worker_count`: the cluster's current workers (None when it does not say).

Workers need raidsim installed and nothing else; results come back to the driver, which
writes them (a batch may also let workers write into a directory they share with it).
Whoever can reach a scheduler can run code on its workers: design.md "Security of a
cluster" says how to run one safely (TLS with mutual authentication, or bound to localhost).
"""

from __future__ import annotations

import contextlib
import logging
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raidsim.errors import ClusterLost as ClusterLost  # re-exported: raised here
from raidsim.errors import ConfigError

__all__ = [
    "LOCAL_CLUSTER_CONFIG",
    "LOCAL_HOST",
    "TLS_OPTIONS",
    "ClusterLost",
    "client_security",
    "dask_client",
    "worker_count",
]

#: Dask settings of the LocalCluster that :func:`dask_client` starts (see there)
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}
#: the only interface the LocalCluster's scheduler, nannies and workers listen on
LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class TlsOption:
    """One client credential of a ``tls://`` scheduler: its flag, the Dask configuration
    key read when the flag is not given, and what the (PEM) file holds."""

    flag: str
    config_key: str
    holds: str


#: the client credentials, in the order Dask's ``Security`` takes them
TLS_OPTIONS: dict[str, TlsOption] = {
    "tls_ca_file": TlsOption(
        "--tls-ca-file",
        "distributed.comm.tls.ca-file",
        "the cluster's CA certificate",
    ),
    "tls_client_cert": TlsOption(
        "--tls-cert",
        "distributed.comm.tls.client.cert",
        "a client certificate signed by the cluster's CA",
    ),
    "tls_client_key": TlsOption(
        "--tls-key",
        "distributed.comm.tls.client.key",
        "the client certificate's private key",
    ),
}


def _scheme(scheduler: str) -> str:
    """``tls`` of ``tls://host:port``; an address without a scheme is ``tcp`` (Dask's)."""
    scheme, sep, _ = scheduler.partition("://")
    return scheme.lower() if sep else "tcp"


def _check_pem(where: str, path: str, *, key: bool) -> bytes:
    """``path`` can be read and holds PEM text (a key: not encrypted), else ConfigError
    naming ``where`` (the flag or the Dask configuration key) and the file."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        hint = (
            "check the path"
            if isinstance(exc, FileNotFoundError)
            else "give a file"
            if isinstance(exc, IsADirectoryError)
            else "check that you may read it"
        )
        raise ConfigError(f"{where} {path}: cannot read it ({exc.strerror}); {hint}") from None
    if b"-----BEGIN " not in text:
        raise ConfigError(f"{where} {path}: not a PEM file (no -----BEGIN line); give a PEM file")
    if key and (b"ENCRYPTED PRIVATE KEY" in text or b"Proc-Type: 4,ENCRYPTED" in text):
        raise ConfigError(
            f"{where} {path}: the private key is encrypted with a passphrase, which Dask "
            "cannot ask for; give an unencrypted key file readable only by you (chmod 600)"
        )
    return text


def client_security(
    scheduler: str | None,
    ca_file: Path | str | None = None,
    cert: Path | str | None = None,
    key: Path | str | None = None,
) -> Any:
    """The ``distributed.security.Security`` of a client of ``scheduler``: None for a
    ``tcp://`` scheduler or a LocalCluster (``scheduler`` None), and for ``tls://`` one with
    ``require_encryption`` and the CA file, client certificate and key given here, each
    one not given read from the Dask configuration (``distributed.comm.tls.ca-file``,
    ``.client.cert``, ``.client.key``; a key may also sit in the certificate file).

    Checked before any work (ConfigError naming the flag or configuration key, the file and
    what to do): a credential given without a ``tls://`` scheduler, a ``tls://`` scheduler
    without a CA file or certificate, a file that is missing, unreadable, not PEM or an
    encrypted key, a certificate and key that do not belong together.
    """
    given = {
        name: value for name, value in zip(TLS_OPTIONS, (ca_file, cert, key), strict=True) if value
    }
    if scheduler is None or _scheme(scheduler) != "tls":
        if given:
            flags = ", ".join(TLS_OPTIONS[name].flag for name in given)
            target = "a local cluster" if scheduler is None else f"--scheduler {scheduler}"
            raise ConfigError(
                f"{flags}: TLS credentials are only for --scheduler tls://HOST:PORT, not for "
                f"{target}; give the tls:// address of the scheduler or drop the flags"
            )
        return None
    import dask
    from distributed.security import Security

    files: dict[str, str | None] = {}
    where: dict[str, str] = {}
    for name, option in TLS_OPTIONS.items():
        value = given.get(name)
        where[name] = option.flag if value else f"Dask configuration {option.config_key}"
        files[name] = os.fspath(value) if value else dask.config.get(option.config_key, None)
    missing = [name for name in ("tls_ca_file", "tls_client_cert") if not files[name]]
    if missing:
        raise ConfigError(
            f"--scheduler {scheduler}: a tls:// scheduler needs "
            + " and ".join(TLS_OPTIONS[name].holds for name in missing)
            + " (Dask's TLS authenticates both sides); give "
            + " and ".join(f"{TLS_OPTIONS[name].flag} FILE" for name in missing)
            + " (and --tls-key FILE unless the certificate file holds the key), or set "
            + " and ".join(TLS_OPTIONS[name].config_key for name in missing)
            + " in the Dask configuration"
        )
    for name, path in files.items():
        if path:
            holds_key = name == "tls_client_key" or (
                name == "tls_client_cert" and not files["tls_client_key"]
            )
            text = _check_pem(where[name], path, key=holds_key)
            if name == "tls_client_cert" and holds_key and b"PRIVATE KEY" not in text:
                raise ConfigError(
                    f"{where[name]} {path}: holds no private key and none was given; give "
                    "the key with --tls-key FILE (or distributed.comm.tls.client.key)"
                )
    try:
        security = Security(require_encryption=True, **files)
        security.get_connection_args("client")  # loads the CA, certificate and key now
    except ValueError as exc:  # a TLS version in the Dask configuration
        raise ConfigError(f"Dask configuration: {exc}") from None
    except ssl.SSLError as exc:
        raise ConfigError(_credential_error(files, where, exc)) from None
    return security


def _credential_error(
    files: dict[str, str | None], where: dict[str, str], exc: ssl.SSLError
) -> str:
    """Which credential ssl refused: the CA file, or the certificate and its key."""
    ca = files["tls_ca_file"] or ""
    try:
        ssl.create_default_context(cafile=ca)
    except ssl.SSLError:
        return (
            f"{where['tls_ca_file']} {ca}: holds no usable CA certificate ({exc.reason or exc}); "
            "give the PEM file of the CA that signed the cluster's certificates"
        )
    cert, key = files["tls_client_cert"], files["tls_client_key"]
    keys = f" with {where['tls_client_key']} {key}" if key else " (the key in the same file)"
    return (
        f"{where['tls_client_cert']} {cert}{keys}: not a certificate and its private key "
        f"({exc.reason or exc}); give the PEM certificate and the key it was issued for"
    )


@contextlib.contextmanager
def dask_client(
    workers: int,
    scheduler: str | None,
    security: Any = None,
    connect_timeout_s: float = 5.0,
) -> Iterator[Any]:
    """A Dask client: the scheduler at ``scheduler`` (``tcp://host:port`` or
    ``tls://host:port`` with ``security``, by default :func:`client_security` from the
    Dask configuration) or a ``LocalCluster(n_workers=workers, threads_per_worker=1,
    processes=True)`` listening on :data:`LOCAL_HOST` only.

    A scheduler that does not answer within ``connect_timeout_s``, or refuses the client's
    certificate, or whose certificate the client's CA did not sign raises ConfigError.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        if security is None:
            security = client_security(scheduler)
        try:
            client = Client(scheduler, timeout=connect_timeout_s, security=security)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            raise ConfigError(_connect_error(scheduler, security, exc, connect_timeout_s)) from exc
        try:
            with _lost_is_stopped(f"--scheduler {scheduler}"):
                yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise ConfigError(f"--workers={workers}: need at least 1 worker for a LocalCluster")
    import dask

    if dask.config.get("distributed.comm.require-encryption", None):
        raise ConfigError(
            "the Dask configuration sets distributed.comm.require-encryption, and the local "
            "cluster talks plain tcp on 127.0.0.1: give --scheduler tls://HOST:PORT of a TLS "
            "cluster, run in this process with --workers 0, or unset it for raidsim "
            "(DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION=False)"
        )
    # a batch cluster without a dashboard: no statistical profiler sampling the running
    # task every 10 ms, no GIL-contention poll (both only feed the dashboard, and both cost
    # the task CPU); the nannies hand this config to the worker processes they (re)start.
    # Scheduler, nannies and workers listen on the loopback interface only: nobody else on
    # the network can reach this cluster (and run code on it); so does the HTTP server the
    # scheduler starts even without a dashboard (health, metrics, info), on a free port
    # (not 8787: two clusters at once print no port-in-use warning)
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            protocol="tcp://",
            host=LOCAL_HOST,
            dashboard_address=None,
            # no dashboard, and its HTTP server (health checks) on a free loopback port
            # instead of 8787: no "port 8787 is already in use" warning beside another
            scheduler_kwargs={"dashboard": False, "dashboard_address": f"{LOCAL_HOST}:0"},
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    try:
        with _lost_is_stopped("the local cluster"):
            yield client
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def _lost_is_stopped(where: str) -> Iterator[None]:
    """Turn the errors of a cluster lost mid-run (a task cancelled because the client lost
    its scheduler, a closed connection) into :class:`ClusterLost`."""
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    try:
        yield
    except (CancelledError, CommClosedError) as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ClusterLost(
            f"{where}: the cluster was lost mid-run ({text}); what finished is kept in "
            "--out: run the same command again to resume once the scheduler is back"
        ) from exc


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the error a closed stream hides in
    ``real_error`` (tornado's StreamClosedError)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        for nxt in (cur.__cause__, cur.__context__, getattr(cur, "real_error", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def _connect_error(scheduler: str, security: Any, exc: BaseException, timeout_s: float) -> str:
    """One line: why the client could not connect to ``scheduler``, and what to do. The
    ssl error may come as an exception in the chain or only in a message (Dask wraps it in
    a closed-connection error), so both are read."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    head = f"--scheduler {scheduler}"
    tls = _scheme(scheduler) == "tls"
    chain = list(_causes(exc))
    said = " ".join(f"{type(e).__name__}: {e}" for e in chain)
    ca, cert = (getattr(security, name, None) for name in ("tls_ca_file", "tls_client_cert"))
    if (
        any(isinstance(e, ssl.SSLCertVerificationError) for e in chain)
        or "CERTIFICATE_VERIFY_FAILED" in said
    ):
        return (
            f"{head}: the scheduler's certificate is not signed by the CA in "
            f"{ca} ({text}); give the CA of this cluster with --tls-ca-file"
        )
    if tls and isinstance(exc, ValueError):  # tornado: a plain stream, no handshake
        return (
            f"{head}: the scheduler did not answer the TLS handshake ({text}); it may be a "
            "tcp:// scheduler: give its tcp:// address, or start it with TLS"
        )
    if tls and (
        any(isinstance(e, ssl.SSLError | ConnectionResetError) for e in chain) or "SSL" in said
    ):
        return (
            f"{head}: the scheduler refused this client's certificate "
            f"{cert} in the TLS handshake ({text}); give a certificate "
            "signed by the CA the scheduler trusts with --tls-cert and --tls-key"
        )
    if not tls and any(isinstance(e, ConnectionResetError) for e in chain):
        return (
            f"{head}: the scheduler closed the connection ({text}); if it requires TLS, "
            "give its tls:// address with --tls-ca-file, --tls-cert and --tls-key"
        )
    if isinstance(exc, RuntimeError):  # Dask's configuration requires encryption
        return f"{head}: {text}; give the tls:// address of the scheduler"
    return (
        f"{head}: cannot connect within {timeout_s:g} s ({text}); check the address and "
        "port and that the scheduler is running"
    )


def worker_count(client: Any) -> int | None:
    """Workers the scheduler knows now (None when it does not say: size work by itself)."""
    with contextlib.suppress(Exception):
        return len(client.scheduler_info()["workers"]) or None
    return None
