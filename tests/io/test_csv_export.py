"""Tests for raidsim.io.csv_export: exact round trip, header and units rows, clear errors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from raidsim.io.csv_export import read_csv, write_csv


def test_header_units_and_data_rows(tmp_path: Path) -> None:
    table = {
        "time_s": np.array([0.0, 0.01, 0.02]),
        "speed_mps": np.array([12.5, 0.1, 1 / 3]),
        "gear": np.array([3, 3, 4]),
    }
    units = {"time_s": "s", "speed_mps": "m/s"}  # gear has no unit
    write_csv(tmp_path / "t.csv", table, units)
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time_s,speed_mps,gear"
    assert lines[1] == "s,m/s,"
    assert lines[2] == "0.0,12.5,3"
    assert lines[4] == f"0.02,{1 / 3!r},4"  # full precision, shortest repr
    assert len(lines) == 5

    back, back_units = read_csv(tmp_path / "t.csv")
    assert list(back) == list(table)
    assert back_units == {"time_s": "s", "speed_mps": "m/s", "gear": ""}
    assert back["gear"].dtype == np.int64
    for name in table:
        np.testing.assert_array_equal(back[name], table[name])


def test_awkward_names_and_non_finite_values(tmp_path: Path) -> None:
    table = {
        'tyre "FL", temp_C': np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324]),
        "line\nbreak": np.array([1, -2, 3, 0, 2**62], dtype=np.int64),
        "": np.array([True, False, True, True, False]),
    }
    units = {'tyre "FL", temp_C': "°C", "line\nbreak": "a,b", "": ""}
    write_csv(tmp_path / "w.csv", table, units)
    back, back_units = read_csv(tmp_path / "w.csv")
    assert back_units == units
    a = back['tyre "FL", temp_C']
    np.testing.assert_array_equal(a, table['tyre "FL", temp_C'])
    assert np.signbit(a[3]) and a[4] == 5e-324
    np.testing.assert_array_equal(back["line\nbreak"], table["line\nbreak"])
    np.testing.assert_array_equal(back[""], [1, 0, 1, 1, 0])


def test_errors_name_the_channel(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'b' has 2 samples"):
        write_csv(tmp_path / "x.csv", {"a": np.ones(3), "b": np.ones(2)}, {})
    with pytest.raises(ValueError, match="'a' must be 1-D"):
        write_csv(tmp_path / "x.csv", {"a": np.ones((2, 2))}, {})
    with pytest.raises(ValueError, match="'a' has dtype"):
        write_csv(tmp_path / "x.csv", {"a": np.array(["x", "y"])}, {})
    assert not (tmp_path / "x.csv").exists()

    (tmp_path / "bad.csv").write_text("a,b\n,\n1.0,2.0\n3.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 4 has 1 fields"):
        read_csv(tmp_path / "bad.csv")
    (tmp_path / "bad2.csv").write_text("a,b\n,\n1.0,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'b'"):
        read_csv(tmp_path / "bad2.csv")
    (tmp_path / "bad3.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="units row"):
        read_csv(tmp_path / "bad3.csv")


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_csv(tmp_path / "t.csv", {"a": np.arange(4.0)}, {"a": "m"})
    write_csv(tmp_path / "t.csv", {"a": np.arange(5.0)}, {"a": "m"})  # overwrite in place
    assert os.listdir(tmp_path) == ["t.csv"]
    assert len(read_csv(tmp_path / "t.csv")[0]["a"]) == 5


names = st.text(st.characters(codec="utf-8"), max_size=12)
units_text = st.text(st.characters(codec="utf-8"), max_size=6)


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    cols = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    n = draw(st.integers(0, 50))
    table: dict[str, np.ndarray] = {}
    for name in cols:
        if draw(st.booleans()):
            table[name] = draw(hnp.arrays(np.float64, n, elements=st.floats()))
        else:
            table[name] = draw(hnp.arrays(np.int64, n))
    units = {name: draw(units_text) for name in cols}
    return table, units


@settings(max_examples=200, deadline=None)
@given(tables())
def test_property_exact_round_trip(tu: tuple[dict[str, np.ndarray], dict[str, str]]) -> None:
    table, units = tu
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.csv"
        write_csv(path, table, units)
        back, back_units = read_csv(path)
    assert list(back) == list(table)
    assert back_units == units
    for name, values in table.items():
        got = back[name]
        if len(values):
            assert got.dtype == values.dtype
        # exact: every non-NaN value has the same bits (-0.0, subnormals included); NaN stays
        # NaN (its sign and payload are not kept, ``repr`` writes every NaN as "nan")
        nan = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), bool)
        np.testing.assert_array_equal(np.isnan(got) if got.dtype.kind == "f" else nan, nan)
        assert got[~nan].astype(values.dtype).tobytes() == values[~nan].tobytes()
