"""Campaign model and runner: determinism, resume, statistics, bad input."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from raidsim.campaign.model import simulate_replicates
from raidsim.campaign.runner import chunk_path, dask_client, run_campaign
from raidsim.campaign.spec import CampaignSpec, load_spec
from raidsim.errors import ConfigError

RALLY = "dakar-2026"


def _read(out: Path) -> pa.Table:
    table = pq.read_table(sorted(out.glob("chunk-*.parquet")))
    return table.sort_by(
        [("replicate", "ascending"), ("crew_index", "ascending"), ("stage_index", "ascending")]
    )


def _run(spec: CampaignSpec, out: Path, **kw: object) -> pa.Table:
    kw.setdefault("replicates", 60)
    kw.setdefault("seed", 7)
    run_campaign(RALLY, spec, out_dir=out, **kw)  # type: ignore[arg-type]
    return _read(out)


def test_default_spec_numbers_are_cited() -> None:
    text = (resources.files("raidsim.campaign") / "default.toml").read_text("utf-8")
    number = re.compile(r"=\s*-?[0-9.]+(e-?[0-9]+)?\s*(,|}|#|$)")
    for i, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if number.search(code) or re.search(r"=\s*-?[0-9]", code):
            assert re.search(r"#\s*(source|reference|derived|estimate):", line), f"line {i}: {line}"
    load_spec()  # and it validates


def test_base_table_shapes_and_marathon_service(small_table, small_spec) -> None:  # type: ignore[no-untyped-def]
    t = small_table
    assert t.stages == ["dakar-2026/prologue", "dakar-2026/1", "dakar-2026/13"]
    assert len(t.base_time_s) == len(small_spec.crews)
    assert all(v > 0 for row in t.base_time_s for v in row)
    full = load_spec()
    from raidsim.campaign.model import build_base_table

    marathon = full.model_copy(update={"stages": ["3", "4", "5", "6"], "crews": full.crews[:1]})
    assert build_base_table(RALLY, marathon).service_before == [True, True, False, True]


def test_same_results_whatever_the_chunking(small_spec, small_table, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = _run(small_spec, tmp_path / "a", chunk_size=10)
    b = _run(small_spec, tmp_path / "b", chunk_size=25)
    assert a.num_rows == 60 * len(small_spec.crews) * 3
    assert a.equals(b)
    # and a direct call for any sub-range gives the same rows
    part = simulate_replicates(small_table, small_spec, 7, 13, 17)
    sel = a.filter(
        pa.compute.and_(
            pa.compute.greater_equal(a["replicate"], 13), pa.compute.less(a["replicate"], 17)
        )
    )
    assert part.equals(sel)


def _profiler_settings() -> tuple[bool, bool]:
    import dask

    return (
        bool(dask.config.get("distributed.worker.profile.enabled")),
        bool(dask.config.get("distributed.admin.system-monitor.gil.enabled")),
    )


def test_one_vs_two_dask_workers(small_spec, tmp_path) -> None:  # type: ignore[no-untyped-def]
    local = _run(small_spec, tmp_path / "sync", chunk_size=10)
    with dask_client(2, None) as client:
        two = _run(small_spec, tmp_path / "two", chunk_size=10, client=client)
        # the same client again, straight away (a notebook re-running a cell): fresh task
        # keys, nothing of the first call's released data is needed
        again = _run(small_spec, tmp_path / "again", chunk_size=10, client=client)
        # the batch cluster's workers run without the dashboard's samplers
        assert set(client.run(_profiler_settings).values()) == {(False, False)}
    assert again.equals(two)
    with dask_client(1, None) as client:
        one = _run(small_spec, tmp_path / "one", chunk_size=25, client=client)
    assert two.equals(local)
    assert one.equals(local)


def test_interrupted_then_resumed_equals_uninterrupted(small_spec, tmp_path) -> None:  # type: ignore[no-untyped-def]
    full = _run(small_spec, tmp_path / "full", chunk_size=10)
    out = tmp_path / "resumed"
    first = run_campaign(
        RALLY, small_spec, replicates=60, seed=7, out_dir=out, chunk_size=10, max_chunks=2
    )
    assert (first.chunks_done, first.chunks_total) == (2, 6)
    # a crash mid-write leaves only a hidden temporary file, never a chunk-*.parquet
    (out / ".chunk-00003.parquet.999.tmp").write_bytes(b"partial")
    stamp = chunk_path(out, 0).stat().st_mtime_ns
    second = run_campaign(RALLY, small_spec, replicates=60, seed=7, out_dir=out, chunk_size=10)
    assert second.chunks_run == 4 and second.chunks_done == 6
    assert chunk_path(out, 0).stat().st_mtime_ns == stamp  # finished chunks are skipped
    assert _read(out).equals(full)
    again = run_campaign(RALLY, small_spec, replicates=60, seed=7, out_dir=out, chunk_size=10)
    assert again.chunks_run == 0


def test_resume_refuses_a_different_campaign(small_spec, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "c"
    run_campaign(RALLY, small_spec, replicates=20, seed=1, out_dir=out, chunk_size=10, max_chunks=1)
    with pytest.raises(ConfigError, match=r"seed is 1 there, 2 here"):
        run_campaign(RALLY, small_spec, replicates=20, seed=2, out_dir=out, chunk_size=10)
    other = small_spec.model_copy(update={"ambient_C": 40.0})
    with pytest.raises(ConfigError, match="spec_hash"):
        run_campaign(RALLY, other, replicates=20, seed=1, out_dir=out, chunk_size=10)


def test_puncture_counts_match_the_rate(small_spec, small_table) -> None:  # type: ignore[no-untyped-def]
    mech = small_spec.mechanical.model_copy(update={"retire_probability": 0.0})
    spec = small_spec.model_copy(update={"mechanical": mech})
    n = 4000
    t = simulate_replicates(small_table, spec, 123, 0, n)
    counts = t["punctures"].to_numpy().reshape(n, len(spec.crews), 3)
    lam = np.array(small_table.puncture_rate)
    mean = counts.mean(axis=0)
    # Poisson: var = lambda, so the mean of n draws has sd sqrt(lambda / n); allow 4 sd
    assert np.all(np.abs(mean - lam) <= 4.0 * np.sqrt(lam / n) + 1e-12), (mean, lam)
    # the low-pressure crew punctures more on rocks (stage 1 is 36 % rocky)
    assert lam[0, 1] > 0


def test_spares_restock_at_service_but_not_in_a_marathon(small_spec, small_table) -> None:  # type: ignore[no-untyped-def]
    big = [[5.0] * 3 for _ in small_table.crews]
    for service, expect_stage2_long in ((True, False), (False, True)):
        table = replace(small_table, puncture_rate=big, service_before=[True, service, True])
        t = simulate_replicates(table, small_spec, 5, 0, 300)
        shape = (300, len(small_table.crews), 3)
        p = t["punctures"].to_numpy().reshape(shape)
        left = t["spares_left"].to_numpy().reshape(shape)
        loss = t["puncture_loss_s"].to_numpy().reshape(shape)
        spares = np.array(small_table.spares)[None, :]
        ps = small_spec.punctures
        alive = ~t["retired"].to_numpy().reshape(shape)
        start2 = spares if service else left[:, :, 0]
        used = np.minimum(p[:, :, 1], start2)
        want = used * ps.change_time_s + (p[:, :, 1] - used) * ps.long_stop_s
        np.testing.assert_allclose(loss[:, :, 1][alive[:, :, 0]], want[alive[:, :, 0]])
        assert (loss[:, :, 1] >= ps.long_stop_s).mean() > (0.5 if expect_stage2_long else 0.0)


def test_flight_mode_lowers_the_mechanical_hazard(small_spec) -> None:  # type: ignore[no-untyped-def]
    from raidsim.campaign.model import build_base_table

    crew = small_spec.crews[0]
    off = crew.model_copy(update={"name": "FM off", "setup": {"flight_mode.enabled": False}})
    spec = small_spec.model_copy(update={"crews": [crew, off]})
    t = build_base_table(RALLY, spec)
    assert t.landing_peak_torque_Nm[1] > t.landing_peak_torque_Nm[0]
    assert t.mechanical_hazard[1][1] > t.mechanical_hazard[0][1]
    # Flight Mode is in the transient sweeps behind the speed table (whoops), so the QSS
    # base time may move a little, never by much
    assert t.base_time_s[0] == pytest.approx(t.base_time_s[1], rel=5e-3)


def test_default_chunk_size_is_automatic_and_resumes_the_stored_one(small_spec, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from raidsim.campaign.runner import auto_chunk_size, read_manifest

    # dakar-2026 x 3 crews = 42 rows a replicate; 25,000 rows a chunk -> at most 596
    assert [auto_chunk_size(n, None, 42) for n in (10, 200, 1000, 10_000)] == [10, 200, 500, 589]
    res = run_campaign(RALLY, small_spec, replicates=3000, seed=7, out_dir=tmp_path / "auto")
    # 5 crews x 3 stages = 15 rows a replicate: 3,000 x 15 = 45,000 rows -> 2 chunks of 1,500
    assert len(small_spec.crews) * 3 == 15
    assert read_manifest(tmp_path / "auto")["chunk_size"] == 1500
    assert res.chunks_total == 2
    out = tmp_path / "ten"
    run_campaign(RALLY, small_spec, replicates=60, seed=7, out_dir=out, chunk_size=10, max_chunks=1)
    again = run_campaign(RALLY, small_spec, replicates=60, seed=7, out_dir=out)
    assert (again.chunks_total, again.chunks_run) == (6, 5)  # kept the directory's 10
    assert _read(out).equals(_run(small_spec, tmp_path / "ref", chunk_size=25))


def test_auto_chunk_size_keeps_every_worker_busy() -> None:
    from raidsim.campaign.runner import ROWS_PER_CHUNK, auto_chunk_size, n_chunks

    assert [auto_chunk_size(n, 1, 42) for n in (10, 200, 1000, 10_000)] == [10, 200, 500, 589]
    assert [n_chunks(r, auto_chunk_size(r, 2, 42)) for r in (60, 120, 1000, 10_000)] == [
        4,
        4,
        4,
        18,
    ]
    assert n_chunks(1000, auto_chunk_size(1000, 3, 42)) == 6
    for replicates in (1, 2, 3, 7, 60, 999, 1000, 12_345):
        for workers in (None, 1, 2, 3, 8):
            for rows in (1, 5, 42, 30_000):
                size = auto_chunk_size(replicates, workers, rows)
                chunks = n_chunks(replicates, size)
                assert 1 <= size <= replicates
                assert size * rows <= ROWS_PER_CHUNK or size == 1  # bounded work a task
                if workers and workers > 1 and replicates >= 50:
                    # aimed at 2 x workers; integer sizes can lose one (60 on 8: 15 of 4)
                    assert chunks >= 2 * workers - 1


def test_base_table_has_the_qss_derate_time(small_spec, small_table) -> None:  # type: ignore[no-untyped-def]
    """Derate hours come from the QSS heat pass (one number per crew x stage, >= 0); at
    the spec's 35 C none of the three small-spec stages derates the cars (QSS coolant
    peaks ~98-106 C against the 112 C derate start)."""
    d = small_table.derate_time_s
    assert d is not None
    assert len(d) == len(small_spec.crews) and all(len(row) == 3 for row in d)
    assert all(x == 0.0 for row in d for x in row)
