"""A cluster only the team can use: ``--scheduler tls://`` with the cluster's credentials.

A TLS scheduler and one worker run on 127.0.0.1 (in this process) with credentials made
here by the ``openssl`` command: a CA, a certificate it signed for the cluster and the
client, and a second CA whose certificate the scheduler must refuse. Through
``--scheduler tls://``, ``raidsim batch``, ``raidsim campaign`` and a season give the same
results as in this process (``--workers 0``); a client with the wrong certificate, the
wrong CA, no credentials or a ``tcp://`` address is refused with exit 2 and a line that
says what to do.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from raidsim.batch.runner import read_results
from raidsim.cli import app
from raidsim.sim.runner import TIMING_FIELDS

runner = CliRunner()

STAGE = """
name = "tls-a"
seed = 0
[synthetic_route]
length_km = 1.0
"""
SEASON = """
season = "tls"
[points]
positions = [30, 25]
beyond = 2
non_finisher = 1
stage_points = [5, 4]
manufacturer_scorers = 2
[manufacturers]
"d7x-r" = "Land Rover"
[[rounds]]
rally = "dakar-2026"
"""


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def _issue(ca: str, name: str, base: Path) -> None:
    """``name.pem`` and ``name.key``: an EC P-256 certificate signed by ``ca``."""
    key, csr, pem = (str(base / f"{name}.{ext}") for ext in ("key", "csr", "pem"))
    _openssl(
        *("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
        *("-keyout", key, "-out", csr, "-subj", f"/CN={name}"),
    )
    _openssl(
        *("x509", "-req", "-in", csr, "-CA", str(base / f"{ca}.pem")),
        *("-CAkey", str(base / f"{ca}.key"), "-CAcreateserial", "-out", pem, "-days", "1"),
    )


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ca``/``cluster``/``client`` (one trust) and ``other-ca``/``intruder``: PEM files."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the test credentials; it is not installed")
    base = tmp_path_factory.mktemp("tls")
    for ca in ("ca", "other-ca"):
        _openssl(
            *("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(base / f"{ca}.key"), "-out", str(base / f"{ca}.pem")),
            *("-days", "1", "-subj", f"/CN={ca}"),
        )
    _issue("ca", "cluster", base)
    _issue("ca", "client", base)
    _issue("other-ca", "intruder", base)
    _openssl(  # the client's key under a passphrase (PKCS#8), which Dask cannot ask for
        *("pkcs8", "-topk8", "-in", str(base / "client.key"), "-out", str(base / "locked.key")),
        *("-v2", "aes-256-cbc", "-passout", "pass:secret"),
    )
    return base


@pytest.fixture(scope="module")
def tls_scheduler(creds: Path) -> Iterator[str]:
    """The address of a TLS scheduler with one worker on 127.0.0.1 (mutual TLS, one CA)."""
    from distributed import LocalCluster
    from distributed.security import Security

    cluster_cert, cluster_key = str(creds / "cluster.pem"), str(creds / "cluster.key")
    security = Security(
        require_encryption=True,
        tls_ca_file=str(creds / "ca.pem"),
        tls_scheduler_cert=cluster_cert,
        tls_scheduler_key=cluster_key,
        tls_worker_cert=cluster_cert,
        tls_worker_key=cluster_key,
        tls_client_cert=cluster_cert,
        tls_client_key=cluster_key,
    )
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tls://",
        host="127.0.0.1",
        security=security,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # HTTP: a free port
        silence_logs=logging.CRITICAL,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tls://127.0.0.1:")
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def tcp_scheduler() -> Iterator[str]:
    """The address of a plain tcp:// scheduler (no workers) on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # HTTP: a free port
        silence_logs=logging.CRITICAL,
    ) as cluster:
        yield cluster.scheduler_address


def _flags(creds: Path, cert: str = "client", ca: str = "ca") -> list[str]:
    return [
        *("--tls-ca-file", str(creds / f"{ca}.pem")),
        *("--tls-cert", str(creds / f"{cert}.pem")),
        *("--tls-key", str(creds / f"{cert}.key")),
    ]


def _line(output: str) -> str:
    return " ".join(output.split())


def test_batch_through_tls_equals_local(tls_scheduler: str, creds: Path, tmp_path: Path) -> None:
    stage = tmp_path / "a.toml"
    stage.write_text(STAGE, "utf-8")
    args = ["batch", str(stage), "--seeds", "0,1", "--quiet", "--out"]
    local = runner.invoke(app, [*args, str(tmp_path / "local"), "--workers", "0"])
    assert local.exit_code == 0, local.output
    remote = runner.invoke(
        app, [*args, str(tmp_path / "tls"), "--scheduler", tls_scheduler, *_flags(creds)]
    )
    assert remote.exit_code == 0, remote.output
    assert "2/2 runs, complete" in remote.output

    def table(out: Path) -> pl.DataFrame:
        t = read_results(out)
        return t.drop([c for c in TIMING_FIELDS if c in t.columns])

    assert table(tmp_path / "tls").equals(table(tmp_path / "local"))
    assert (read_results(tmp_path / "tls")["status"] == "finished").all()


def test_campaign_through_tls_equals_local(
    tls_scheduler: str, creds: Path, small_spec_file: Path, tmp_path: Path
) -> None:
    args = ["campaign", "--crews", str(small_spec_file), "--replicates", "20"]
    args += ["--chunk-size", "10", "--seed", "4", "--quiet", "--out"]
    local = runner.invoke(app, [*args, str(tmp_path / "local"), "--workers", "0"])
    assert local.exit_code == 0, local.output
    remote = runner.invoke(
        app, [*args, str(tmp_path / "tls"), "--scheduler", tls_scheduler, *_flags(creds)]
    )
    assert remote.exit_code == 0, remote.output
    assert "2/2 chunks, complete" in remote.output
    for name in ("chunk-00000.parquet", "chunk-00001.parquet"):
        assert pq.read_table(tmp_path / "tls" / name).equals(
            pq.read_table(tmp_path / "local" / name)
        )


def test_season_through_tls_from_dask_config(
    tls_scheduler: str, creds: Path, small_spec_file: Path, tmp_path: Path
) -> None:
    """The credentials from the Dask configuration (``distributed.comm.tls.*``), no flags."""
    import dask

    season = tmp_path / "season.toml"
    season.write_text(SEASON, "utf-8")
    args = ["campaign", str(season), "--crews", str(small_spec_file), "--replicates", "4"]
    args += ["--chunk-size", "2", "--quiet", "--out"]
    local = runner.invoke(app, [*args, str(tmp_path / "local"), "--workers", "0"])
    assert local.exit_code == 0, local.output
    config = {
        "distributed.comm.tls.ca-file": str(creds / "ca.pem"),
        "distributed.comm.tls.client.cert": str(creds / "client.pem"),
        "distributed.comm.tls.client.key": str(creds / "client.key"),
    }
    with dask.config.set(config):
        remote = runner.invoke(app, [*args, str(tmp_path / "tls"), "--scheduler", tls_scheduler])
    assert remote.exit_code == 0, remote.output
    champ = "championship.parquet"
    assert pq.read_table(tmp_path / "tls" / champ).equals(pq.read_table(tmp_path / "local" / champ))


@pytest.mark.parametrize(
    ("how", "needle"),
    [
        ("intruder", "the scheduler refused this client's certificate"),
        ("other-ca", "the scheduler's certificate is not signed by the CA in"),
        ("no-flags", "a tls:// scheduler needs the cluster's CA certificate and a client"),
        ("tcp", "the scheduler closed the connection"),
        # a plain scheduler either answers the handshake with a stream tornado refuses or
        # drops the connection mid-handshake (seen on a loaded machine), as a scheduler
        # refusing the certificate does: either message is right
        (
            "tls-to-tcp",
            "the scheduler did not answer the TLS handshake|"
            "the scheduler refused this client's certificate",
        ),
        ("missing", "--tls-key"),
        ("key-of-another", "not a certificate and its private key"),
        ("not-pem", "not a PEM file"),
        ("encrypted", "the private key is encrypted with a passphrase"),
        ("no-key", "holds no private key and none was given; give the key with --tls-key"),
    ],
)
def test_a_client_without_the_right_credentials_is_refused(
    how: str,
    needle: str,
    tls_scheduler: str,
    creds: Path,
    small_spec_file: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    address, flags = tls_scheduler, _flags(creds)
    if how == "intruder":
        flags = _flags(creds, cert="intruder")
    elif how == "other-ca":
        flags = _flags(creds, ca="other-ca")
    elif how == "no-flags":
        flags = []
    elif how == "tcp":
        address, flags = tls_scheduler.replace("tls://", "tcp://"), []
    elif how == "tls-to-tcp":
        address = request.getfixturevalue("tcp_scheduler").replace("tcp://", "tls://")
    elif how == "missing":
        flags[-1] = str(tmp_path / "nowhere.key")
    elif how == "key-of-another":
        flags[-1] = str(creds / "intruder.key")
    elif how == "encrypted":
        flags[-1] = str(creds / "locked.key")
    elif how == "no-key":
        flags = flags[:-2]
    elif how == "not-pem":
        (tmp_path / "ca.txt").write_text("not a certificate\n", "utf-8")
        flags[1] = str(tmp_path / "ca.txt")
    out, stage = tmp_path / "o", tmp_path / "a.toml"
    stage.write_text(STAGE, "utf-8")
    for command in (
        ["batch", str(stage)],
        ["campaign", "--crews", str(small_spec_file), "--replicates", "10"],
    ):
        res = runner.invoke(
            app, [*command, "--out", str(out), "--quiet", "--scheduler", address, *flags]
        )
        assert res.exit_code == 2, res.output
        line = _line(res.output)
        assert line.startswith("error: "), line
        assert any(n in line for n in needle.split("|")), line
        assert "Traceback" not in res.output and "internal error" not in line
        assert not out.exists()
    if how == "missing":
        assert f"--tls-key {tmp_path / 'nowhere.key'}: cannot read it" in line
        assert "check the path" in line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tls-cert", "x.pem"], "--tls-cert: TLS credentials are only for --scheduler tls://"),
        (
            ["--scheduler", "tcp://127.0.0.1:1", "--tls-ca-file", "ca.pem"],
            "not for --scheduler tcp://127.0.0.1:1",
        ),
    ],
)
def test_tls_flags_without_a_tls_scheduler_exit_2(
    args: list[str], needle: str, tmp_path: Path
) -> None:
    res = runner.invoke(app, ["batch", "default", "--out", str(tmp_path / "o"), *args])
    # checked before the grid (no stage is built) and before any cluster
    assert res.exit_code == 2, res.output
    assert needle in _line(res.output)


def test_no_tls_scheduler_there_exits_2(creds: Path, small_spec_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["campaign", "--crews", str(small_spec_file), "--out", str(tmp_path / "o")]
        + ["--replicates", "10", "--quiet"]
        + ["--scheduler", "tls://127.0.0.1:1", *_flags(creds)],
    )
    assert res.exit_code == 2, res.output
    line = _line(res.output)
    assert "--scheduler tls://127.0.0.1:1: cannot connect within 5 s" in line
    assert "that the scheduler is running" in line
