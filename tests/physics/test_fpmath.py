"""CPU-independent array math (raidsim.physics.fpmath) against the C library's scalar
functions (Python's ``math``, the same libm) and NumPy's definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidsim.physics import fpmath

X = np.array([[1e-300, 0.5, 1.0], [2.0, 10.0, 700.0]])


@pytest.mark.parametrize(
    ("fn", "ref"),
    [(fpmath.exp, math.exp), (fpmath.log, math.log), (fpmath.tan, math.tan)],
)
def test_unary_is_the_c_library_bit_for_bit(fn, ref) -> None:  # type: ignore[no-untyped-def]
    got = fn(X)
    assert got.shape == X.shape
    assert [float(v) for v in got.ravel()] == [ref(float(v)) for v in X.ravel()]
    assert fn(2.0) == ref(2.0) and np.ndim(fn(2.0)) == 0


def test_log_edges_as_numpy() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.log(np.array([0.0, -1.0, np.inf]))
    np.testing.assert_array_equal(fpmath.log([0.0, -1.0, np.inf]), want)


def test_binary_broadcasts_and_matches_math() -> None:
    base = np.array([0.5, 2.0, 3.0])
    expo = np.array([[-2.0], [1.5]])
    got = fpmath.power(base, expo)
    assert got.shape == (2, 3)
    assert got[0, 1] == math.pow(2.0, -2.0) and got[1, 2] == math.pow(3.0, 1.5)
    assert fpmath.arctan2(1.0, -1.0) == math.atan2(1.0, -1.0) == pytest.approx(0.75 * math.pi)


def _in_order(a: np.ndarray, b: np.ndarray) -> float:
    acc = 0.0
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        acc += x * y
    return acc


def test_sums_in_index_order() -> None:
    a = np.array([1e16, 3.0, -1e16, 1.0])
    b = np.ones(4)
    # in index order the 3 is rounded against 1e16: the exact sum 4 is not what comes out
    assert fpmath.dot(a, b) == _in_order(a, b) != 4.0
    m = np.stack([a, a[::-1]])
    np.testing.assert_array_equal(fpmath.matvec(m, b), [_in_order(r, b) for r in m])
    sig = np.arange(10.0)
    k = np.array([0.25, 0.5, 0.125])
    want = [_in_order(sig[i : i + 3], k[::-1]) for i in range(8)]
    np.testing.assert_array_equal(fpmath.convolve_valid(sig, k), want)
    np.testing.assert_allclose(fpmath.convolve_valid(sig, k), np.convolve(sig, k, "valid"))
    with pytest.raises(ValueError, match="convolve_valid"):
        fpmath.convolve_valid(k, sig)
