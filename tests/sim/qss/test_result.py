"""A QSS result (sim.qss.result): its columns and its Parquet file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from support.summary import example_summary

from raidsim.sim.qss.result import COLUMNS, QssResult


def _result() -> QssResult:
    s = np.arange(5.0)
    summary = example_summary(stage_time_s=4.0)
    return QssResult(s, s * 2, s * 3, s * 4, np.ones(5), s / 10, s * 50, summary)


def test_columns_without_heat_are_the_seven_profiles() -> None:
    cols = _result().columns()
    assert list(cols) == [
        "distance_m",
        "speed_mps",
        "target_speed_mps",
        "time_s",
        "gear",
        "fuel_used_kg",
        "engine_power_kW",
    ]
    assert set(cols) <= set(COLUMNS)


def test_parquet_keeps_values_units_and_summary(tmp_path: Path) -> None:
    path = _result().to_parquet(tmp_path / "sub" / "p.parquet")
    table = pq.read_table(path)
    assert table.column("speed_mps").to_pylist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert table.schema.field("speed_mps").metadata == {b"unit": b"m/s"}
    assert json.loads(table.schema.metadata[b"raidsim.summary"]) == _result().summary.to_json()
    assert not list(path.parent.glob("*.partial"))  # written under a temporary name
