"""Channel formats without Parquet (io/channels.py): the float32 mantissa rounding."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from raidsim.io.channels import FLOAT32_MANTISSA_BITS, round_mantissa

finite_f32 = st.floats(
    allow_nan=False,
    allow_infinity=False,
    allow_subnormal=False,
    width=32,
    min_value=-(2.0**100),
    max_value=2.0**100,
)


@given(hnp.arrays(np.float32, st.integers(1, 200), elements=finite_f32))
def test_rounding_is_within_half_a_kept_unit(x: np.ndarray) -> None:
    y = round_mantissa(x)
    assert y.dtype == np.float32
    bound = 2.0 ** -(FLOAT32_MANTISSA_BITS + 1)
    err = np.abs(y.astype(np.float64) - x.astype(np.float64))
    assert np.all(err <= bound * np.abs(x.astype(np.float64)) * (1 + 1e-12))
    drop = 23 - FLOAT32_MANTISSA_BITS
    assert np.all(y.view(np.uint32) & np.uint32((1 << drop) - 1) == 0)  # low bits zeroed
    assert np.array_equal(round_mantissa(y), y)  # idempotent


def test_known_values_and_non_finite() -> None:
    x = np.array([1.0, -2.5, 0.0, np.nan, np.inf, -np.inf, 1.0 + 2.0**-20], dtype=np.float32)
    y = round_mantissa(x)
    assert y[:3].tolist() == [1.0, -2.5, 0.0]
    assert np.isnan(y[3]) and y[4] == np.inf and y[5] == -np.inf
    assert y[6] == 1.0  # 2^-20 is below the kept resolution of 2^-16
    assert round_mantissa(np.float32([1.0 + 2.0**-16]))[0] == np.float32(1.0 + 2.0**-16)
    assert np.array_equal(round_mantissa(x, keep_bits=23), x, equal_nan=True)
