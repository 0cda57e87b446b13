"""Analytic test stages: straights, constant-radius circles, flat ground.

Used by validation tests and benchmarks (ballistic flight, drop test, steady-state
circle, coast-down, full-throttle runs) where the answer is known in closed form.
"""

from __future__ import annotations

import numpy as np

from raidsim.model.surfaces import SURFACE_CODE
from raidsim.route.centreline import Centreline
from raidsim.route.stage import TERRAIN_STEP_M, Stage, StageDefinition, SyntheticRoute
from raidsim.units import KMH_PER_MPS


def _stage(
    name: str,
    cl: Centreline,
    surface: str,
    limit_kmh: float | None,
    feature_height_m: np.ndarray | None = None,
) -> Stage:
    n = len(cl.s_m)
    n4 = int(np.floor(cl.length_m / TERRAIN_STEP_M)) + 1
    definition = StageDefinition(
        name=name,
        synthetic_route=SyntheticRoute(length_km=max(cl.length_m / 1000.0, 0.3)),
        default_surface=surface,  # type: ignore[arg-type]
    )
    limit = np.full(n, np.inf if limit_kmh is None else limit_kmh / KMH_PER_MPS)
    return Stage(
        name=name,
        definition=definition,
        centreline=cl,
        surface_code=np.full(n, SURFACE_CODE[surface], dtype=np.int8),
        speed_limit_mps=limit,
        feature_speed_cap_mps=np.full(n, np.inf),
        feature_height_m=np.zeros(n4) if feature_height_m is None else feature_height_m,
        cross_slope=np.zeros(n),
        rock_amplitude_m=np.zeros(n),
    )


def straight_stage(
    length_m: float = 5000.0,
    grade: float = 0.0,
    surface: str = "hard",
    limit_kmh: float | None = None,
) -> Stage:
    """A straight along +x with constant grade (dz/ds)."""
    n = int(length_m) + 1
    s = np.arange(n, dtype=np.float64)
    cl = Centreline(s, s.copy(), np.zeros(n), grade * s, np.zeros(n), np.zeros(n), True)
    return _stage("straight", cl, surface, limit_kmh)


def circle_stage(
    radius_m: float,
    laps: float = 3.0,
    surface: str = "hard",
    limit_kmh: float | None = None,
    lead_in_m: float = 0.0,
) -> Stage:
    """A constant-radius left-hand circle (optionally preceded by a straight)."""
    n_arc = int(2.0 * np.pi * radius_m * laps)
    n_in = int(lead_in_m)
    s = np.arange(n_in + n_arc + 1, dtype=np.float64)
    x = np.empty_like(s)
    y = np.empty_like(s)
    x[: n_in + 1] = s[: n_in + 1]
    y[: n_in + 1] = 0.0
    ang = (s[n_in:] - n_in) / radius_m
    x[n_in:] = n_in + radius_m * np.sin(ang)
    y[n_in:] = radius_m * (1.0 - np.cos(ang))
    heading = np.where(s < n_in, 0.0, (s - n_in) / radius_m)
    curvature = np.where(s < n_in, 0.0, 1.0 / radius_m)
    cl = Centreline(s, x, y, np.zeros_like(s), heading, curvature, True)
    return _stage("circle", cl, surface, limit_kmh)


def jump_stage(
    drop_m: float,
    speed_kmh: float,
    ramp_height_m: float = 0.6,
    ramp_length_m: float = 8.0,
    run_up_m: float = 800.0,
    run_out_m: float = 400.0,
) -> Stage:
    """A straight with one kicker: a concave ramp of ``ramp_height_m`` over
    ``ramp_length_m`` ending in a lip, then flat landing ground ``drop_m`` below the lip,
    blending back to the approach level over 150 m. The whole stage is a speed zone at
    ``speed_kmh`` so the driver arrives at the lip at that speed."""
    length = run_up_m + run_out_m
    stage = straight_stage(length, limit_kmh=speed_kmh)
    n4 = len(stage.feature_height_m)
    s4 = np.arange(n4) * TERRAIN_STEP_M
    feat = np.zeros(n4)
    lip = run_up_m
    start = lip - ramp_length_m
    ramp = (s4 >= start) & (s4 <= lip)
    feat[ramp] = ramp_height_m * ((s4[ramp] - start) / ramp_length_m) ** 2
    landing = ramp_height_m - drop_m
    flat = (s4 > lip) & (s4 <= lip + 60.0)
    feat[flat] = landing
    blend = (s4 > lip + 60.0) & (s4 <= lip + 210.0)
    u = (s4[blend] - lip - 60.0) / 150.0
    feat[blend] = landing * (1.0 - u * u * (3.0 - 2.0 * u))
    from dataclasses import replace

    return replace(
        stage, name="jump", feature_height_m=feat, jump_lip_s_m=np.array([lip], dtype=np.float64)
    )
