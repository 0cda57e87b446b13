"""A resumed campaign trusts a chunk only if it matches the manifest's ledger (item 6).

``chunks.jsonl`` records rows, bytes and sha256 of every chunk as it is written; a resume
recomputes a truncated, altered or short chunk (with a warning) and gives the same numbers
as an uninterrupted run; ``campaign-report`` refuses a damaged directory with exit 2 naming
the chunk and how to repair it, where it used to report the chunk complete and then crash.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from raidsim.campaign.runner import (
    CHUNKS,
    CampaignWarning,
    chunk_path,
    expected_rows,
    read_ledger,
    read_manifest,
    run_campaign,
    verify_chunks,
)
from raidsim.campaign.spec import CampaignSpec
from raidsim.cli.campaign import campaign_command, campaign_report_command

RALLY = "dakar-2026"

app = typer.Typer()
app.command("campaign")(campaign_command)
app.command("campaign-report")(campaign_report_command)
runner = CliRunner()

REPS, SIZE, SEED = 40, 10, 5


def _run(spec: CampaignSpec, out: Path, **kw: object) -> object:
    return run_campaign(RALLY, spec, replicates=REPS, seed=SEED, out_dir=out, chunk_size=SIZE, **kw)


def _table(out: Path) -> pa.Table:
    return pa.concat_tables(pq.read_table(p) for p in sorted(out.glob("chunk-*.parquet")))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, small_spec: CampaignSpec) -> Path:
    out = tmp_path_factory.mktemp("ref") / "c"
    _run(small_spec, out)
    return out


def test_ledger_records_every_chunk(reference: Path) -> None:
    ledger = read_ledger(reference)
    manifest = read_manifest(reference)
    assert sorted(ledger) == [0, 1, 2, 3]
    for i, rec in ledger.items():
        data = chunk_path(reference, i).read_bytes()
        assert rec["bytes"] == len(data) and rec["rows"] == expected_rows(manifest, i)
        assert len(rec["sha256"]) == 64
    check = verify_chunks(reference, manifest)
    assert check.good == [0, 1, 2, 3] and not check.bad and not check.missing


@pytest.mark.parametrize("damage", ["truncate", "flip", "short", "junk"])
def test_resume_recomputes_a_damaged_chunk(
    damage: str, small_spec: CampaignSpec, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c"
    first = _run(small_spec, out, max_chunks=3)
    assert (first.chunks_done, first.chunks_total) == (3, 4)  # type: ignore[attr-defined]
    victim = chunk_path(out, 1)
    data = victim.read_bytes()
    if damage == "truncate":  # a copy cut short (the old runner called it complete)
        victim.write_bytes(data[: len(data) // 3])
    elif damage == "flip":
        victim.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    elif damage == "short":  # a valid Parquet file with too few rows
        pq.write_table(pq.read_table(victim).slice(0, 5), victim)
    else:
        victim.write_bytes(b"\xff" * 64)
    stamp = chunk_path(out, 0).stat().st_mtime_ns
    with pytest.warns(CampaignWarning, match=r"chunk-00001\.parquet: damaged chunk"):
        second = _run(small_spec, out)
    assert second.chunks_run == 2 and second.chunks_done == 4  # type: ignore[attr-defined]
    assert chunk_path(out, 0).stat().st_mtime_ns == stamp  # good chunks are kept
    assert _table(out).equals(_table(reference))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing damaged any more
        assert _run(small_spec, out).chunks_run == 0  # type: ignore[attr-defined]


def test_chunk_without_ledger_line_is_checked_by_its_footer(
    small_spec: CampaignSpec, reference: Path, tmp_path: Path
) -> None:
    """A directory from before the ledger (or a kill between rename and append): whole
    chunks are kept, a truncated one is computed again."""
    out = tmp_path / "c"
    _run(small_spec, out, max_chunks=2)
    (out / CHUNKS).unlink()
    data = chunk_path(out, 1).read_bytes()
    chunk_path(out, 1).write_bytes(data[:-20])  # the footer is gone
    with pytest.warns(CampaignWarning, match="chunk-00001"):
        res = _run(small_spec, out)
    assert res.chunks_run == 3  # type: ignore[attr-defined]
    assert _table(out).equals(_table(reference))


def test_torn_ledger_line_is_ignored(small_spec: CampaignSpec, tmp_path: Path) -> None:
    out = tmp_path / "c"
    _run(small_spec, out, max_chunks=2)
    text = (out / CHUNKS).read_text("utf-8")
    (out / CHUNKS).write_text(text + '{"index": 2, "rows"', "utf-8")  # killed mid-append
    assert sorted(read_ledger(out)) == [0, 1]
    assert _run(small_spec, out).chunks_run == 2  # type: ignore[attr-defined]


def test_report_refuses_a_damaged_chunk_and_cli_repairs_it(
    small_spec_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c"
    args = ["campaign", RALLY, "--out", str(out), "--crews", str(small_spec_file)]
    args += ["--workers", "0", "--quiet", "--replicates", "30", "--chunk-size", "10"]
    assert runner.invoke(app, args).exit_code == 0
    victim = chunk_path(out, 2)
    victim.write_bytes(victim.read_bytes()[:200])
    bad = runner.invoke(app, ["campaign-report", str(out)])
    assert bad.exit_code == 2, bad.output
    text = " ".join(bad.output.split())
    assert f"{victim}: damaged chunk" in text and "run the same `raidsim campaign`" in text
    assert "Traceback" not in bad.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "warning:" in again.output and "chunk-00002.parquet: damaged chunk" in again.output
    assert "3/3 chunks, complete; 1 computed" in again.output
    good = runner.invoke(app, ["campaign-report", str(out), "--json"])
    assert good.exit_code == 0 and json.loads(good.output)["replicates"] == 30
