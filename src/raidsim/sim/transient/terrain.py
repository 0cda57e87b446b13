"""Ground under a wheel, evaluated on the route grid inside the kernel: centre-line
height + seeded feature height + cross slope + rock-field value noise
(:func:`ground_under`), plus the ISO 8608 random profile of the wheel's track
(:func:`ground_under_tracks`, docs/physics.md §13.1)."""

from __future__ import annotations

import math

import numpy as np

from raidsim.physics.interp import interp_grid
from raidsim.sim.jit import kernel_part

#: value-noise cell of the rock field, m (estimate: fist-to-boulder scale)
ROCK_CELL_M = 0.7
#: half-width of the centred difference for the along-route ground slope, m
SLOPE_HALF_WIDTH_M = 0.25


@kernel_part
def _hash01(i: int, j: int, seed: int) -> float:
    """Deterministic hash of an integer lattice point to [0, 1)."""
    h = (i * 73856093) ^ (j * 19349663) ^ (seed * 83492791)
    h = h & 0xFFFFFFFF
    h = ((h >> 16) ^ h) * 0x45D9F3B
    h = h & 0xFFFFFFFF
    h = ((h >> 16) ^ h) * 0x45D9F3B
    h = h & 0xFFFFFFFF
    h = (h >> 16) ^ h
    return (h & 0xFFFFFF) / 16777216.0


@kernel_part
def rock_noise(s: float, n: float, seed: int) -> float:
    """Smooth value noise in [-1, 1] over (s, lateral), cell ROCK_CELL_M."""
    u = s / ROCK_CELL_M
    v = n / ROCK_CELL_M
    i = int(math.floor(u))
    j = int(math.floor(v))
    fu = u - i
    fv = v - j
    fu = fu * fu * (3.0 - 2.0 * fu)
    fv = fv * fv * (3.0 - 2.0 * fv)
    a = _hash01(i, j, seed)
    b = _hash01(i + 1, j, seed)
    c = _hash01(i, j + 1, seed)
    d = _hash01(i + 1, j + 1, seed)
    val = a + (b - a) * fu + (c - a) * fv + (a - b - c + d) * fu * fv
    return 2.0 * val - 1.0


@kernel_part
def centre_height_m(rz: np.ndarray, fh: np.ndarray, s: float, terrain_ds: float) -> float:
    """Route height ``rz`` (1 m grid) + feature height ``fh`` (terrain grid) at s."""
    return interp_grid(rz, s / 1.0) + interp_grid(fh, s / terrain_ds)


@kernel_part
def ground_under(
    terrain: tuple,  # type: ignore[type-arg]
    s_m: float,
    n_m: float,
    tx: float,
    ty: float,
    terrain_ds: float,
    seed: int,
) -> tuple[float, float, float, int]:
    """Ground height and world slopes (dz/dx, dz/dy) at route coordinates (s, n), with
    the route tangent (tx, ty); ``terrain`` = (route height, feature height, cross
    slope, rock amplitude). Returns (height, gx, gy, metre index)."""
    rz, fh, cross, rock = terrain
    n_route = cross.shape[0]
    idx = int(s_m)
    if idx < 0:
        idx = 0
    elif idx > n_route - 1:
        idx = n_route - 1
    ground = centre_height_m(rz, fh, s_m, terrain_ds) + cross[idx] * n_m
    ramp = rock[idx]
    if ramp > 0.0:
        ground += ramp * rock_noise(s_m, n_m, seed)
    gs = (
        centre_height_m(rz, fh, s_m + SLOPE_HALF_WIDTH_M, terrain_ds)
        - centre_height_m(rz, fh, s_m - SLOPE_HALF_WIDTH_M, terrain_ds)
    ) * 2.0
    gn = cross[idx]
    return ground, gs * tx - gn * ty, gs * ty + gn * tx, idx


@kernel_part
def track_height_m(
    rough_left: np.ndarray, rough_right: np.ndarray, s_m: float, n_m: float, terrain_ds: float
) -> float:
    """ISO 8608 profile height of the wheel's track at s: the left track for n > 0, the
    right one otherwise, linear along s on the terrain grid; 0 where the stage has none
    (empty arrays). Two array reads."""
    prof = rough_left if n_m > 0.0 else rough_right
    if prof.shape[0] < 2:
        return 0.0
    return interp_grid(prof, s_m / terrain_ds)


@kernel_part
def ground_under_tracks(
    terrain: tuple,  # type: ignore[type-arg]
    s_m: float,
    n_m: float,
    tx: float,
    ty: float,
    terrain_ds: float,
    seed: int,
) -> tuple[float, float, float, int]:
    """:func:`ground_under` of ``terrain[:4]`` plus the track profile of ``terrain[4:6]``
    (left, right; :func:`track_height_m`). The profile enters as height only: its slope is
    left out of the contact normal (wavelengths of a few metres tilt it by a few degrees at
    most, and each slope would cost two more reads per wheel and step)."""
    ground, gx, gy, idx = ground_under(
        (terrain[0], terrain[1], terrain[2], terrain[3]), s_m, n_m, tx, ty, terrain_ds, seed
    )
    ground += track_height_m(terrain[4], terrain[5], s_m, n_m, terrain_ds)
    return ground, gx, gy, idx
