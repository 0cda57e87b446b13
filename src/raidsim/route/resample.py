"""Repair, check and resample a :class:`RawRoute` into a uniform :class:`Centreline`.

Steps (each repair warns with a :class:`~raidsim.route.readers.RouteWarning` saying what
changed and how many points; each rejection raises :class:`~raidsim.errors.RouteError`
naming the source, the point or distance, the value and the limit):

1. drop points with a non-finite x, y or z;
2. drop consecutive duplicates (closer than ``DUPLICATE_M`` horizontally);
3. reject fewer than 2 usable points, a gap between consecutive points longer than
   ``MAX_GAP_M``, or a route shorter than ``MIN_LENGTH_M``;
4. resample x/y/z linearly on cumulative horizontal distance to a uniform ``step_m`` grid;
5. smooth x, y and z with a zero-phase Gaussian of physical length ``smoothing_m``
   (:func:`gaussian_smooth`), then take heading and curvature from the smoothed curve
   and re-grid everything on the arc length of the smoothed curve;
6. reject an absurd grade: ``|dz/ds| > MAX_GRADE`` sustained over more than
   ``MAX_GRADE_RUN_M`` after smoothing.

Why smooth before differentiating: consumer GPS jitters by a few metres between fixes
and DEM/GPS elevation is noisier still. Curvature is a second derivative of position,
so on a 1 m grid a 1 m position error becomes a curvature error of order 1 m/(1 m)^2 =
1 1/m, a hundred times the curvature of a 100 m bend, and the raw grade shows fake
+-10 % ramps (ecosystem.md §3). Smoothing over ``smoothing_m`` (15 m, about three car
lengths, shorter than any real bend of interest) removes that while keeping the bends.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray

from raidsim.errors import RouteError
from raidsim.physics import fpmath
from raidsim.route.centreline import Centreline
from raidsim.route.readers import RawRoute, RouteWarning

F64 = NDArray[np.float64]

#: Consecutive points closer than this (horizontal, m) are duplicates and dropped.
DUPLICATE_M = 0.05
#: Longest accepted gap between consecutive points, m (a lost GPS fix, a split file).
MAX_GAP_M = 2000.0
#: Shortest accepted route, m.
MIN_LENGTH_M = 10.0
#: Steepest accepted sustained grade after smoothing (60 %, beyond any drivable track).
MAX_GRADE = 0.60
#: A grade beyond MAX_GRADE is rejected when it lasts longer than this, m.
MAX_GRADE_RUN_M = 20.0
#: Accepted grid step, m.
STEP_MAX_M = 100.0
#: Floor on |d r_smooth / ds| so the curvature of a smoothed-away reversal stays finite.
_SPEED_FLOOR = 1e-6
#: Warning text when the route has no elevation (docs/design.md "Terrain and routes").
NO_ELEVATION_MESSAGE = "route has no elevation; using flat ground plus generated features"


def gaussian_smooth(values: F64, sigma_samples: float) -> F64:
    """Zero-phase Gaussian smoothing with point-reflected (odd) edges.

    Kernel ``w_k = exp(-k^2 / (2 sigma^2))``, normalised, truncated at 4 sigma; the
    kernel is symmetric, so the filter has no phase lag (a bend is not shifted along the
    route). Edges are padded by point reflection about the end sample,
    ``v[-k] = 2 v[0] - v[k]``, which continues the local straight line through the end:
    a straight segment passes unchanged and the end position and direction are kept
    (plain mirror reflection would force the slope to zero at both ends, so the heading
    at the start and finish would be undefined). ``sigma_samples <= 0`` returns a copy.
    """
    v = np.asarray(values, dtype=np.float64)
    if sigma_samples <= 0.0 or len(v) < 2:
        return v.copy()
    half = max(1, math.ceil(4.0 * sigma_samples))
    k = np.arange(-half, half + 1, dtype=np.float64)
    kernel = fpmath.exp(-0.5 * (k / sigma_samples) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(v, half, mode="reflect", reflect_type="odd")
    return fpmath.convolve_valid(padded, kernel)


def _runs(mask: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start indices and lengths of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return starts, ends - starts


def _drop_duplicates(
    x: F64, y: F64, z: F64, idx: NDArray[np.intp]
) -> tuple[F64, F64, F64, NDArray[np.intp]]:
    """Drop each point closer than DUPLICATE_M to its predecessor, until none is."""
    while len(x) > 1:
        dup = np.hypot(np.diff(x), np.diff(y)) < DUPLICATE_M
        if not dup.any():
            break
        keep = np.concatenate(([True], ~dup))
        x, y, z, idx = x[keep], y[keep], z[keep], idx[keep]
    return x, y, z, idx


def to_centreline(raw: RawRoute, step_m: float = 1.0, smoothing_m: float = 15.0) -> Centreline:
    """Repair, check and resample ``raw`` to a centre line with a uniform ``step_m`` grid.

    Heading and curvature come from the route smoothed by a zero-phase Gaussian over
    distance with ``sigma = smoothing_m / 2`` (so the kernel's +-1 sigma spans
    ``smoothing_m``; see :func:`gaussian_smooth`), because GPS jitter of a few metres
    makes curvature from raw points meaningless (module docstring). Elevation is smoothed
    by the same filter, because DEM/GPS noise shows up as fake grades.

    On the smoothed curve r(s): heading = unwrap(atan2(y', x')) and
    curvature = d heading / d sigma = (d heading / ds) / |r'(s)|, where sigma is the
    smoothed curve's own arc length; the output is re-gridded uniformly in sigma, so
    zig-zag length from jitter does not dilute the curvature. The output x/y/z are the
    smoothed positions, consistent with heading and curvature. The last partial step
    of the route is dropped. ``smoothing_m = 0`` disables smoothing.

    Known bias: Gaussian smoothing pulls a bend of curvature kappa inwards, shortening it
    and raising its curvature by a factor of about 1 + sigma^2 kappa^2 / 2 (0.3 % at
    R = 100 m, 1.1 % at R = 50 m, 7 % at R = 20 m with the default 15 m); straights are
    unaffected.

    A route without elevation gets z = 0 and a loud warning.
    """
    src = raw.source if raw.source is not None else "<route>"
    if not (math.isfinite(step_m) and 0.0 < step_m <= STEP_MAX_M):
        raise RouteError(f"{src}: step_m is {step_m!r}; allowed 0 < step_m <= {STEP_MAX_M:g} m")
    if not (math.isfinite(smoothing_m) and smoothing_m >= 0.0):
        raise RouteError(f"{src}: smoothing_m is {smoothing_m!r}; allowed a finite value >= 0 m")

    x = np.array(raw.x_m, dtype=np.float64).ravel()
    y = np.array(raw.y_m, dtype=np.float64).ravel()
    z = np.array(raw.z_m, dtype=np.float64).ravel() if raw.has_elevation else np.zeros_like(x)
    n_in = len(x)
    idx = np.arange(n_in)

    with np.errstate(over="ignore", invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
        if not ok.all():
            bad = np.flatnonzero(~ok)
            warnings.warn(
                f"{src}: dropped {bad.size} of {n_in} points with non-finite coordinates "
                f"(first at index {int(bad[0])})",
                RouteWarning,
                stacklevel=2,
            )
            x, y, z, idx = x[ok], y[ok], z[ok], idx[ok]
        if len(x) < 2:
            raise RouteError(
                f"{src}: {len(x)} of {n_in} points have finite coordinates; at least 2 needed"
            )
        # Work relative to the first point for numerical conditioning.
        x_ref, y_ref = float(x[0]), float(y[0])
        x, y = x - x_ref, y - y_ref

        n_before = len(x)
        x, y, z, idx = _drop_duplicates(x, y, z, idx)
        if len(x) < n_before:
            warnings.warn(
                f"{src}: dropped {n_before - len(x)} consecutive duplicate points "
                f"(< {DUPLICATE_M:g} m from the previous point)",
                RouteWarning,
                stacklevel=2,
            )
        if len(x) < 2:
            raise RouteError(
                f"{src}: all {n_before} usable points lie within {DUPLICATE_M:g} m of each "
                "other; at least 2 distinct points needed"
            )

        seg = np.hypot(np.diff(x), np.diff(y))
        gaps = np.flatnonzero(~(seg <= MAX_GAP_M))
        if gaps.size:
            g = int(gaps[0])
            raise RouteError(
                f"{src}: gap of {seg[g]:.1f} m between points {int(idx[g])} and "
                f"{int(idx[g + 1])}; at most {MAX_GAP_M:g} m allowed ({gaps.size} such gaps)"
            )
        s_raw = np.concatenate(([0.0], np.cumsum(seg)))
        length_raw = float(s_raw[-1])
        if length_raw < MIN_LENGTH_M:
            raise RouteError(
                f"{src}: route is {length_raw:.2f} m long; at least {MIN_LENGTH_M:g} m needed"
            )

    # Uniform grid covering the whole raw arc length (step h <= step_m, so no end is cut),
    # then zero-phase smoothing.
    n = int(math.ceil(length_raw / step_m - 1e-9)) + 1
    h = length_raw / (n - 1)
    s = np.linspace(0.0, length_raw, n)
    sigma_samples = 0.5 * smoothing_m / h
    xs = gaussian_smooth(np.interp(s, s_raw, x), sigma_samples)
    ys = gaussian_smooth(np.interp(s, s_raw, y), sigma_samples)
    zs = gaussian_smooth(np.interp(s, s_raw, z), sigma_samples)

    dx = np.gradient(xs, h)
    dy = np.gradient(ys, h)
    speed = np.maximum(np.hypot(dx, dy), _SPEED_FLOOR)
    heading = np.unwrap(fpmath.arctan2(dy, dx))
    curvature = np.gradient(heading, h) / speed

    # Re-grid uniformly with step_m on the smoothed curve's own arc length; only the
    # last partial step (< step_m) is dropped.
    sigma = np.concatenate(([0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * h)))
    length = float(sigma[-1])
    if length < MIN_LENGTH_M:
        raise RouteError(
            f"{src}: route is {length:.2f} m long after smoothing over {smoothing_m:g} m "
            f"({length_raw:.1f} m raw: it doubles back on itself); at least "
            f"{MIN_LENGTH_M:g} m needed"
        )
    m = int(math.floor(length / step_m + 1e-9)) + 1
    s_out = np.arange(m, dtype=np.float64) * step_m
    x_out = np.interp(s_out, sigma, xs) + x_ref
    y_out = np.interp(s_out, sigma, ys) + y_ref
    z_out = np.interp(s_out, sigma, zs)
    heading_out = np.interp(s_out, sigma, heading)
    curvature_out = np.interp(s_out, sigma, curvature)

    if raw.has_elevation:
        grade = np.gradient(z_out, step_m)
        starts, lengths = _runs(np.abs(grade) > MAX_GRADE)
        long_runs = np.flatnonzero(lengths * step_m > MAX_GRADE_RUN_M)
        if long_runs.size:
            r = int(long_runs[0])
            a, b = int(starts[r]), int(starts[r] + lengths[r])
            worst = float(grade[a:b][np.argmax(np.abs(grade[a:b]))])
            raise RouteError(
                f"{src}: grade reaches {100 * worst:.0f} % over {lengths[r] * step_m:.0f} m "
                f"from s = {s_out[a]:.0f} m (after smoothing over {smoothing_m:g} m); "
                f"|grade| above {100 * MAX_GRADE:.0f} % is allowed for at most "
                f"{MAX_GRADE_RUN_M:g} m (check the elevation data)"
            )
    else:
        warnings.warn(f"{src}: {NO_ELEVATION_MESSAGE}", RouteWarning, stacklevel=2)

    return Centreline(
        s_out, x_out, y_out, z_out, heading_out, curvature_out, has_elevation=raw.has_elevation
    )
