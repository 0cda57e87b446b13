"""How a telemetry channel is stored: its rate and dtype (no Parquet needed to say so).

:class:`ChannelFormat` and :func:`channel_stride` are what a run validates before the
kernel starts (``--channel-rate``, ``--sample-rate-hz``); the Parquet writer and readers
(:mod:`raidsim.io.telemetry`, which imports pyarrow) build on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["NUMPY_DTYPES", "ChannelFormat", "channel_stride"]

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
