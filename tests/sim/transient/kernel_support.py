"""Kernel arrays for the subsystem tests: the car at rest at its static ride height on a
flat straight, with the parameters, the state and the route arrays the step would get,
and an empty per-wheel scratch. Built without the speed plan (a constant set speed), so
no speed-table sweep runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim import indices as ix
from raidsim.sim.assemble import initial_state
from raidsim.sim.pack import build_params
from raidsim.sim.plan import build_route_arrays

#: where the car stands on the straight, m (its rear wheels well after the start)
AT_M = 100.0


@dataclass
class Kernel:
    """One step's inputs: state S, parameters P, per-wheel scratch W, route arrays."""

    S: np.ndarray
    P: np.ndarray
    W: np.ndarray
    route: tuple  # type: ignore[type-arg]

    @property
    def terrain(self) -> tuple:  # type: ignore[type-arg]
        """The terrain tuple of ``corner`` (route order of ``layout.ROUTE_ARRAYS``)."""
        _, _, rz, _, _, fh, cross, rock, rough_l, rough_r, _ = self.route
        return (rz, fh, cross, rock, rough_l, rough_r)

    @property
    def surface(self) -> np.ndarray:
        return self.route[3]  # type: ignore[no-any-return]


def kernel_at_rest(car: Vehicle, surface: str = "hard") -> Kernel:
    stage = straight_stage(400.0, surface=surface)
    settings = Settings()
    P = build_params(car, Ambient(), settings, stage)
    S = initial_state(car, stage, P)
    S[ix.S_X] = AT_M
    S[ix.S_S_ROUTE] = AT_M
    route = build_route_arrays(car, settings, stage, plan_speed_mps=10.0).as_tuple()
    return Kernel(S, P, np.zeros((ix.N_WHEEL_VAR, 4)), route)
