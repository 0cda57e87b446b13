"""Aligned ``.npz`` files read by mapping (:mod:`raidsim.route.npz_map`)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from raidsim.route import npz_map


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "f": rng.normal(size=1001),
        "i8": rng.integers(-5, 5, size=333).astype(np.int8),
        "flag": np.array(True),
        "empty": np.zeros(0),
        "grid": rng.normal(size=(7, 5)),
        "fortran": np.asfortranarray(rng.normal(size=(4, 6))),
        "a_long_name_that_moves_the_header": np.arange(17, dtype=np.int64),
    }


def test_round_trip_is_exact_aligned_and_readable_by_numpy(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    arrays = _arrays()
    with open(path, "wb") as f:
        npz_map.save(f, arrays)
    got = npz_map.load(path)
    assert set(got) == set(arrays)
    for name, a in arrays.items():
        b = got[name]
        assert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b), name
        assert type(b) is np.ndarray  # a plain array (Numba types it as before)
        if b.size:
            assert b.flags.aligned and b.flags.writeable
            assert b.ctypes.data % npz_map.ALIGN == 0, name  # the file offset is aligned
    with np.load(path) as z:  # an ordinary npz
        for name, a in arrays.items():
            assert np.array_equal(z[name], a)
    got["f"][0] = 99.0  # copy-on-write: the file keeps its value
    assert npz_map.load(path)["f"][0] == arrays["f"][0]


def test_a_file_written_by_numpy_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "np.npz"
    arrays = _arrays()
    np.savez(path, **arrays)
    got = npz_map.load(path)
    for name, a in arrays.items():
        assert np.array_equal(got[name], a) and got[name].dtype == a.dtype
    compressed = tmp_path / "c.npz"
    np.savez_compressed(compressed, **arrays)
    assert np.array_equal(npz_map.load(compressed)["grid"], arrays["grid"])


@pytest.mark.parametrize("cut", [0, 100, -50])
def test_a_damaged_file_raises_what_callers_catch(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "x.npz"
    with open(path, "wb") as f:
        npz_map.save(f, _arrays())
    payload = path.read_bytes()
    path.write_bytes(payload[:cut] if cut else b"")
    with pytest.raises((OSError, ValueError, EOFError, zipfile.BadZipFile)):
        npz_map.load(path)
