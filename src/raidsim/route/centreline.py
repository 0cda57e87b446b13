"""A route centre line resampled to a uniform distance grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from raidsim.errors import RouteError
from raidsim.physics import fpmath

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Centreline:
    """Uniformly resampled centre line in a local metric frame (x east, y north, z up).

    ``s_m`` starts at 0 and advances by ``step_m``; ``heading_rad`` is the direction of
    travel measured from +x (counter-clockwise), unwrapped; ``curvature_1pm`` is
    d heading / ds (positive = turning left).
    """

    s_m: F64
    x_m: F64
    y_m: F64
    z_m: F64
    heading_rad: F64
    curvature_1pm: F64
    has_elevation: bool = True

    def __post_init__(self) -> None:
        n = len(self.s_m)
        for name in ("x_m", "y_m", "z_m", "heading_rad", "curvature_1pm"):
            arr = getattr(self, name)
            if len(arr) != n:
                raise RouteError(f"centre line field {name} has {len(arr)} points, s_m has {n}")
            if not np.all(np.isfinite(arr)):
                raise RouteError(f"centre line field {name} contains non-finite values")
        if n < 2:
            raise RouteError(f"centre line needs at least 2 points, got {n}")

    @property
    def length_m(self) -> float:
        return float(self.s_m[-1])

    @property
    def step_m(self) -> float:
        return float(self.s_m[1] - self.s_m[0])

    @staticmethod
    def from_xy(
        x_m: F64, y_m: F64, z_m: F64, step_m: float = 1.0, has_elevation: bool = True
    ) -> Centreline:
        """Build from already uniformly spaced points: heading and curvature by finite
        differences (central, then the curvature smoothed by the caller if needed)."""
        x = np.ascontiguousarray(x_m, dtype=np.float64)
        y = np.ascontiguousarray(y_m, dtype=np.float64)
        z = np.ascontiguousarray(z_m, dtype=np.float64)
        n = len(x)
        s = np.arange(n, dtype=np.float64) * step_m
        heading = np.unwrap(fpmath.arctan2(np.gradient(y), np.gradient(x)))
        curvature = np.gradient(heading, step_m)
        return Centreline(s, x, y, z, heading, curvature, has_elevation)
