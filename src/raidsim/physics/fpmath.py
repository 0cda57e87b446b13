"""Array math that gives the same bits on every x86-64 CPU (docs/design.md "Reproducible
across machines").

NumPy picks a loop for ``np.exp``, ``np.log``, ``np.power``, ``np.arctan2``, ``np.tan``
(and others) by the CPU it runs on: with AVX-512 it runs its own vectorised kernels,
without it the C library's; the two differ in the last bit of some results. ``np.dot``,
``@`` and ``np.convolve`` go through OpenBLAS, whose kernels (and so the order of their
sums) are chosen by the CPU too. A last-bit difference in a terrain profile or a speed
plan grows into a different run. What feeds the simulation therefore uses these instead:

* element-wise functions compiled by Numba as loops over the C library's scalar function
  (``math.exp`` ...), which is the same on every CPU: LLVM has no vector version of it
  without a vector math library, and Numba compiles without fast-math, so it neither
  contracts ``a * b + c`` into a fused multiply-add nor reorders a sum;
* sums of products in index order (:func:`dot`, :func:`matvec`, :func:`convolve_valid`).

Each takes and returns float64 (scalars give NumPy scalars).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]


@njit(cache=True)
def _exp(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = math.exp(x[i])


@njit(cache=True)
def _log(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = math.log(v) if v > 0.0 else (-math.inf if v == 0.0 else math.nan)


@njit(cache=True)
def _tan(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = math.tan(x[i])


@njit(cache=True)
def _power(x: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = math.pow(x[i], y[i])


@njit(cache=True)
def _arctan2(y: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.shape[0]):
        out[i] = math.atan2(y[i], x[i])


def _unary(kernel: Callable[[np.ndarray, np.ndarray], None], x: ArrayLike) -> Any:
    a = np.asarray(x, dtype=np.float64)
    out = np.empty(a.shape)
    kernel(np.ascontiguousarray(a).reshape(-1), out.reshape(-1))
    return out if out.ndim else out[()]


def _binary(
    kernel: Callable[[np.ndarray, np.ndarray, np.ndarray], None], a: ArrayLike, b: ArrayLike
) -> Any:
    x, y = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    xc = np.ascontiguousarray(x).reshape(-1)
    yc = np.ascontiguousarray(y).reshape(-1)
    out = np.empty(x.shape)
    kernel(xc, yc, out.reshape(-1))
    return out if out.ndim else out[()]


def exp(x: ArrayLike) -> Any:
    """e^x, element by element."""
    return _unary(_exp, x)


def log(x: ArrayLike) -> Any:
    """Natural logarithm, element by element (-inf at 0, NaN below, as NumPy)."""
    return _unary(_log, x)


def tan(x: ArrayLike) -> Any:
    """Tangent, element by element."""
    return _unary(_tan, x)


def power(x: ArrayLike, y: ArrayLike) -> Any:
    """x^y, element by element with broadcasting (the C library's ``pow``)."""
    return _binary(_power, x, y)


def arctan2(y: ArrayLike, x: ArrayLike) -> Any:
    """Angle of (x, y) in (-pi, pi], element by element with broadcasting."""
    return _binary(_arctan2, y, x)


@njit(cache=True)
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


def dot(a: ArrayLike, b: ArrayLike) -> float:
    """sum_i a_i b_i of two equal-length vectors, summed in index order."""
    x = np.ascontiguousarray(a, dtype=np.float64)
    y = np.ascontiguousarray(b, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"dot of shapes {x.shape} and {y.shape}: need equal 1-D vectors")
    return float(_dot(x, y))


@njit(cache=True)
def _matvec(m: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
    for r in range(m.shape[0]):
        acc = 0.0
        for k in range(m.shape[1]):
            acc += m[r, k] * v[k]
        out[r] = acc


def matvec(m: ArrayLike, v: ArrayLike) -> F64:
    """``m @ v`` over the last axis of ``m`` (any leading shape), summed in index order."""
    mm = np.asarray(m, dtype=np.float64)
    vv = np.ascontiguousarray(v, dtype=np.float64)
    if vv.ndim != 1 or mm.ndim < 1 or mm.shape[-1] != vv.shape[0]:
        raise ValueError(f"matvec of shapes {mm.shape} and {vv.shape}")
    flat = np.ascontiguousarray(mm.reshape(-1, vv.shape[0]))
    out = np.empty(flat.shape[0])
    _matvec(flat, vv, out)
    return out.reshape(mm.shape[:-1])


@njit(cache=True)
def _convolve_valid(a: np.ndarray, k: np.ndarray, out: np.ndarray) -> None:
    nk = k.shape[0]
    for i in range(out.shape[0]):
        acc = 0.0
        for j in range(nk):
            acc += a[i + j] * k[nk - 1 - j]
        out[i] = acc


def convolve_valid(a: ArrayLike, kernel: ArrayLike) -> F64:
    """``np.convolve(a, kernel, mode="valid")`` with each output summed in index order."""
    x = np.ascontiguousarray(a, dtype=np.float64)
    k = np.ascontiguousarray(kernel, dtype=np.float64)
    if x.ndim != 1 or k.ndim != 1 or k.size == 0 or k.size > x.size:
        raise ValueError(f"convolve_valid of shapes {x.shape} and {k.shape}")
    out = np.empty(x.size - k.size + 1)
    _convolve_valid(x, k, out)
    return out
