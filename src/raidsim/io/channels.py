"""How a telemetry channel is stored: its rate and dtype (no Parquet needed to say so).

:class:`ChannelFormat` and :func:`channel_stride` are what a run validates before the
kernel starts (``--channel-rate``, ``--sample-rate-hz``); the Parquet writer and readers
(:mod:`raidsim.io.telemetry`, which imports pyarrow) build on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FLOAT32_MANTISSA_BITS",
    "NUMPY_DTYPES",
    "ChannelFormat",
    "channel_stride",
    "round_mantissa",
]

#: significant mantissa bits a float32 channel keeps in the file (of float32's 23): a
#: relative resolution of 2^-17 = 7.6e-6 (0.04 N m on a 5,000 N m halfshaft torque, 0.06 N
#: on an 8 kN tyre load), far below what any channel means; the zeroed low bits are what
#: lets byte-stream-split + zstd compress noisy floats (-22 % on the default stage)
FLOAT32_MANTISSA_BITS = 16

#: the dtypes a channel may be stored as, by name
NUMPY_DTYPES: dict[str, type[np.generic]] = {
    "float64": np.float64,
    "float32": np.float32,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
}


@dataclass(frozen=True)
class ChannelFormat:
    """How one channel is stored: its rate (Hz, a divisor of the grid rate) and dtype."""

    name: str
    unit: str = ""
    description: str = ""
    rate_hz: float = 100.0
    dtype: str = "float64"

    def __post_init__(self) -> None:
        if self.dtype not in NUMPY_DTYPES:
            raise ValueError(
                f"channel '{self.name}': dtype {self.dtype!r} is not one of {sorted(NUMPY_DTYPES)}"
            )
        if not (math.isfinite(self.rate_hz) and self.rate_hz > 0):
            raise ValueError(f"channel '{self.name}': rate {self.rate_hz!r} Hz must be > 0")


def channel_stride(name: str, rate_hz: float, grid_rate_hz: float) -> int:
    """Rows of the grid per sample of a channel at ``rate_hz``; ``ValueError`` unless the
    grid rate is a whole multiple of the channel's."""
    k = grid_rate_hz / rate_hz
    if not (rate_hz > 0 and k >= 1.0 - 1e-9 and abs(k - round(k)) < 1e-9 * k):
        raise ValueError(
            f"channel '{name}': {rate_hz:g} Hz does not divide the {grid_rate_hz:g} Hz sample "
            "grid (a channel rate must be the grid rate divided by a whole number)"
        )
    return int(round(k))


def round_mantissa(values: np.ndarray, keep_bits: int = FLOAT32_MANTISSA_BITS) -> np.ndarray:
    """float32 ``values`` rounded to ``keep_bits`` significant mantissa bits (round to
    nearest, ties away from zero), non-finite values unchanged: "bit rounding" as in
    numcodecs' BitRound and netCDF-4's quantize. The result is within a relative
    2^-(keep_bits + 1) of the value (rounding may carry into the exponent)."""
    x = np.ascontiguousarray(values, dtype=np.float32)
    drop = 23 - int(keep_bits)
    if drop <= 0:
        return x
    bits = x.view(np.uint32)
    mask = np.uint32((0xFFFFFFFF << drop) & 0xFFFFFFFF)
    rounded = ((bits + np.uint32(1 << (drop - 1))) & mask).view(np.float32)
    return np.where(np.isfinite(x), rounded, x)
