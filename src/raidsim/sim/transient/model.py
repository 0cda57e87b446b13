"""One transient simulation as flat arrays (state, parameters, route) advanced by the
Numba kernel chunk by chunk, with named access to the state and the parameters.

The model takes its plan: it never plans (planning may run the speed-table sweeps,
:mod:`raidsim.sim.ride`, which themselves run the kernel), so the transient tier imports
nothing above it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from raidsim.errors import SimulationDiverged
from raidsim.model.ambient import Ambient, Conditions
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.assemble import assemble
from raidsim.sim.layout import CHANNEL_NAMES, N_CH, PARAM, STATE, STATUS_DIVERGED
from raidsim.sim.plan import RouteArrays
from raidsim.sim.transient.chunk import step_chunk_fresh


def state_name(index: int) -> str:
    """Name of a state slot, with the wheel for per-wheel states (e.g. ``OMEGA[rl]``)."""
    offsets = sorted((off, name) for name, off in STATE.items())
    for k, (off, name) in enumerate(offsets):
        end = offsets[k + 1][0] if k + 1 < len(offsets) else off + 1
        if off <= index < end:
            if end - off == 4:
                return f"{name}[{('fl', 'fr', 'rl', 'rr')[index - off]}]"
            return name
    return f"state[{index}]"


class TransientModel:
    """Flat arrays of one transient simulation, advanced by the Numba kernel.

    ``plan``: the route arrays with the driver's speed plan, made by the caller
    (:func:`raidsim.sim.ride.limits.planned_route_arrays` for a stage run;
    :func:`raidsim.sim.runner.planned_model` plans and builds in one call). Building a
    model assembles its arrays (:func:`raidsim.sim.assemble.assemble`) and runs nothing."""

    def __init__(
        self,
        vehicle: Vehicle,
        stage: Stage,
        ambient: Ambient | None = None,
        settings: Settings | None = None,
        initial_speed_mps: float = 0.0,
        *,
        plan: RouteArrays,
    ) -> None:
        self.vehicle = vehicle
        self.stage = stage
        #: the weather and where it came from: ``ambient`` if given, else the stage's own
        self.conditions = Conditions.for_run(stage, ambient)
        self.ambient = self.conditions.ambient
        self.settings = settings or Settings()
        run = assemble(vehicle, stage, self.settings, self.ambient, plan, initial_speed_mps)
        self.params = run.params
        self.route: RouteArrays = run.route
        self.state = run.state
        self.sample_every = int(self.params[PARAM["SAMPLE_EVERY"]])

    # -- named access -------------------------------------------------------------
    def __getitem__(self, name: str) -> float:
        return float(self.state[STATE[name]])

    def __setitem__(self, name: str, value: float) -> None:
        self.state[STATE[name]] = value

    def set_param(self, name: str, value: float) -> None:
        self.params[PARAM[name]] = value

    def param(self, name: str) -> float:
        return float(self.params[PARAM[name]])

    @property
    def time_s(self) -> float:
        return self["T"]

    # -- stepping -----------------------------------------------------------------
    def advance(self, n_steps: int) -> tuple[int, NDArray[np.float64]]:
        """Run up to ``n_steps`` steps; returns (status, sampled channel rows)."""
        out = np.empty((n_steps // self.sample_every + 1, N_CH), dtype=np.float64)
        status, n, bad = step_chunk_fresh(
            self.state, self.params, self.route.as_tuple(), out, n_steps
        )
        rows = out[:n]
        if status == STATUS_DIVERGED:
            raise SimulationDiverged(
                self.time_s, self["S_ROUTE"], state_name(bad), float(self.state[bad])
            )
        return status, rows

    def load_kernel(self) -> None:
        """Load the compiled kernel (from Numba's cache, or compile it: about a minute on
        the first run after an install or an update) without advancing the run: the kernel
        is called on a copy of the state for zero steps."""
        out = np.empty((1, N_CH), dtype=np.float64)
        step_chunk_fresh(self.state.copy(), self.params, self.route.as_tuple(), out, 0)

    def run_for(self, duration_s: float) -> dict[str, NDArray[np.float64]]:
        """Advance by ``duration_s`` and return the sampled channels by name."""
        n = int(round(duration_s / self.settings.dt_s))
        _, rows = self.advance(n)
        return {name: rows[:, i].copy() for i, name in enumerate(CHANNEL_NAMES)}
