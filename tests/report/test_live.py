"""The report digest made while a run is written equals the one its file gives, and a
digest that does not fit the run is not used (the report streams the file instead)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import raidsim as rs
from raidsim.io.runs import load_run
from raidsim.report.html import build_report, digest_runs, digested_run
from raidsim.report.live import LiveDigest
from raidsim.report.stream import RunDigest

MAX_POINTS = 300  # small: the buckets and the map grid coarsen several times


@pytest.fixture(scope="module")
def live_run(
    tmp_path_factory: pytest.TempPathFactory, report_stage: Path
) -> tuple[Path, LiveDigest, int]:
    base = tmp_path_factory.mktemp("live")
    stage = rs.load_stage(report_stage)
    live = LiveDigest(stage.name, stage.length_m, MAX_POINTS)
    tables: list[int] = []

    def on_table(table: Any) -> None:
        tables.append(table.num_rows)
        live(table)

    rs.simulate(rs.load_vehicle("d7x-r"), stage, out_dir=base / "run", on_table=on_table)
    return base / "run", live, len(tables)


def _assert_same(a: RunDigest, b: RunDigest) -> None:
    assert a.columns == b.columns and a.num_rows == b.num_rows
    assert a.distance_range_m == b.distance_range_m
    assert a.traces.keys() == b.traces.keys()
    for name, (x, y) in a.traces.items():
        np.testing.assert_array_equal(x, b.traces[name][0], err_msg=name)
        np.testing.assert_array_equal(y, b.traces[name][1], err_msg=name)
    assert a.path is not None and b.path is not None and a.path.keys() == b.path.keys()
    for name, values in a.path.items():
        np.testing.assert_array_equal(values, b.path[name], err_msg=name)
    np.testing.assert_array_equal(a.split_times_s, b.split_times_s)
    np.testing.assert_array_equal(a.split_marks_m, b.split_marks_m)
    assert a.flights == b.flights


def test_live_digest_equals_the_files(live_run: tuple[Path, LiveDigest, int]) -> None:
    out, live, tables = live_run
    assert tables >= 3  # several row groups: every accumulator crosses a boundary
    run = load_run(out)
    digest = live.digest()
    assert digest is not None and live.error is None
    ready = digested_run(run, digest)
    assert ready is not None
    (from_file,), marks, _ = digest_runs([run], MAX_POINTS)
    assert ready[1] == marks and [m[0] for m in marks] == [10_000.0]
    _assert_same(ready[0][0], from_file)
    assert len(from_file.flights) >= 1 and len(from_file.traces["speed_mps"][0]) <= MAX_POINTS


def test_report_from_the_live_digest_is_the_files(
    live_run: tuple[Path, LiveDigest, int], tmp_path: Path
) -> None:
    out, live, _ = live_run
    run = load_run(out)
    a = build_report([run], tmp_path / "a.html", max_points=MAX_POINTS, digest=live.digest())
    b = build_report([run], tmp_path / "b.html", max_points=MAX_POINTS)

    def text(path: Path) -> str:
        page = re.sub(r"Generated [0-9: -]+\.", "", path.read_text("utf-8"))
        return re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "", page)

    assert text(a) == text(b)  # but the time it was made and the plots' random div ids


def test_a_digest_that_does_not_fit_is_not_used(live_run: tuple[Path, LiveDigest, int]) -> None:
    out, live, _ = live_run
    run = load_run(out)
    digest = live.digest()
    assert digest is not None
    short = dataclasses.replace(digest, num_rows=digest.num_rows - 1)  # a row group missed
    assert digested_run(run, short) is None
    other_marks = dataclasses.replace(
        digest, split_marks_m=np.array([5_000.0]), split_times_s=np.array([300.0])
    )
    assert digested_run(run, other_marks) is None
    other_wps = dataclasses.replace(digest, waypoints_m=np.array([3_000.0]))
    assert digested_run(run, other_wps) is None


def test_an_error_while_digesting_stops_the_live_digest() -> None:
    import pyarrow as pa

    live = LiveDigest("no-such-stage", 1000.0)
    live(pa.table({"distance_m": [0.0, 1.0], "time_s": ["a", "b"]}))  # time as text
    assert live.error is not None and live.digest() is None
    live(pa.table({"distance_m": [0.0]}))  # ignored from now on
    assert live.digest() is None
