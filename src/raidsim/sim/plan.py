"""The driver's speed plan and the kernel's route arrays (:class:`RouteArrays`).

:func:`build_route_arrays` turns a stage into the arrays the kernel reads, with the plan
(:func:`raidsim.control.speed_profile.target_speed_profile`) over the ground's limits when
given them (:class:`TerrainLike`: the speed table's ride, shock and crest limits and the
rough-ground grip, :func:`raidsim.sim.ride.limits.planned_route_arrays`), or a constant set
speed (the speed-table sweeps). Nothing here runs the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from raidsim.control.limits import Limit, binding_limits
from raidsim.control.speed_profile import target_speed_profile
from raidsim.model.derived import surface_lateral_mu, vehicle_limit_mps
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.layout import ROUTE_ARRAYS

F64 = NDArray[np.float64]

#: metres before a brink from which the crest speed holds, down to the foot of the slip
#: face (the car's length and the crew's last look before it noses over; estimate, the
#: same for every car; docs/physics.md §14.2)
CREST_WINDOW_M = 8.0


def crest_spans(stage: Stage) -> list[slice]:
    """The metres of each dune crest of ``stage``, from :data:`CREST_WINDOW_M` before its
    brink to the foot of its slip face: where the crew holds the crest speed and, knowing
    the brink is there, comes off the throttle as the car goes light (physics.md §11.4)."""
    n = len(stage.centreline.s_m)
    slip_end = stage.crest_s_m + stage.crest_height_m / np.maximum(stage.crest_slip_tan, 1e-3)
    return [
        slice(max(0, int(a)), min(n, int(b) + 2))
        for a, b in zip(stage.crest_s_m - CREST_WINDOW_M, slip_end, strict=True)
    ]


def crest_marker(stage: Stage) -> F64:
    """1.0 on the metres of :func:`crest_spans`, 0.0 elsewhere (the kernel's ``crest``
    route array)."""
    out = np.zeros(len(stage.centreline.s_m))
    for span in crest_spans(stage):
        out[span] = 1.0
    return out


class TerrainLike(Protocol):
    """What the plan needs of the ground's limits (:class:`raidsim.sim.ride.limits.
    TerrainLimits`)."""

    @property
    def limit_mps(self) -> F64: ...

    @property
    def shock_mps(self) -> F64: ...

    @property
    def crest_mps(self) -> F64: ...

    def grip_factor(self, speed_mps: F64) -> F64: ...


@dataclass(frozen=True)
class RouteArrays:
    """Contiguous float64 route arrays passed to the kernel."""

    x: F64
    y: F64
    z: F64
    surface: F64
    target_speed: F64
    feature_height: F64
    cross_slope: F64
    rock: F64
    rough_left: F64
    rough_right: F64
    #: per metre, 1.0 where a dune crest's brink is expected (:func:`crest_marker`)
    crest: F64
    #: per metre, the :class:`~raidsim.control.limits.Limit` code of the plan's binding term
    limit_code: NDArray[np.int8] | None = None

    def as_tuple(self) -> tuple[F64, ...]:
        """The arrays in the kernel's order (``layout.ROUTE_ARRAYS``)."""
        return tuple(getattr(self, name) for name in ROUTE_ARRAYS)


#: passes of the plan with the speed-dependent grip factor (damped fixed point, >= 2)
GRIP_PASSES = 3


def build_route_arrays(
    v: Vehicle,
    settings: Settings,
    stage: Stage,
    terrain: TerrainLike | None = None,
    plan_speed_mps: float | None = None,
) -> RouteArrays:
    """The kernel's route arrays. The driver's plan: :func:`target_speed_profile` with the
    ride/shock limit and the rough-ground grip of ``terrain``
    (:class:`raidsim.sim.ride.limits.TerrainLimits`; none when omitted), or the constant
    set speed ``plan_speed_mps`` (the speed-table sweeps).

    The grip factor depends on the speed, the speed on the grip: the plan is solved as a
    damped fixed point over :data:`GRIP_PASSES` passes (grip evaluated along the last
    plan, averaged with the previous factor)."""
    cl = stage.centreline
    if abs(cl.step_m - 1.0) > 1e-9:
        raise ValueError(f"stage centre line must be at 1 m spacing, got {cl.step_m}")
    # the driver plans to the limiter's speed and lets the limiter govern it
    v_lim = vehicle_limit_mps(v)
    # every term of the plan by the limit it stands for (raidsim.control.limits)
    terms: dict[Limit, F64] = {}
    if plan_speed_mps is not None:
        vt = np.full(len(cl.s_m), min(plan_speed_mps, v_lim))
    else:
        # the roadbook's feature speeds (jump take-offs) at the crew's pace over them
        features_mps = stage.feature_speed_cap_mps * settings.driver.feature_speed_scale
        limit = np.minimum(stage.speed_limit_mps, features_mps)
        terms[Limit.ZONE] = stage.speed_limit_mps
        terms[Limit.FEATURE] = features_mps
        if terrain is not None:
            limit = np.minimum(limit, terrain.limit_mps)
            terms[Limit.CREST] = terrain.crest_mps
            terms[Limit.SHOCK] = terrain.shock_mps
            terms[Limit.RIDE] = terrain.limit_mps
        plan = partial(
            target_speed_profile,
            cl.curvature_1pm,
            stage.surface_code,
            limit,
            cl.step_m,
            settings.driver,
            surface_lateral_mu(v),
            v_lim,
            terms=terms,
        )
        vt = plan()
        if terrain is not None:
            grip = terrain.grip_factor(vt)
            vt = plan(grip)
            for _ in range(GRIP_PASSES - 2):
                grip = 0.5 * (grip + terrain.grip_factor(vt))
                vt = plan(grip)
    f = np.ascontiguousarray
    return RouteArrays(
        x=f(cl.x_m, dtype=np.float64),
        y=f(cl.y_m, dtype=np.float64),
        z=f(cl.z_m, dtype=np.float64),
        surface=f(stage.surface_code, dtype=np.float64),
        target_speed=f(vt, dtype=np.float64),
        feature_height=f(stage.feature_height_m, dtype=np.float64),
        cross_slope=f(stage.cross_slope, dtype=np.float64),
        rock=f(stage.rock_amplitude_m, dtype=np.float64),
        rough_left=f(stage.rough_left_m, dtype=np.float64),
        rough_right=f(stage.rough_right_m, dtype=np.float64),
        crest=crest_marker(stage),
        limit_code=binding_limits(vt, terms),
    )
