"""The transient tier: the 14-DOF kernel (``step``, composed of ``tracking``,
``controls``, ``corners``, ``flight``, ``powertrain``, ``body``, ``sample``), the ground
under the wheels (``terrain``) and the runner that drives it chunk by chunk
(``runner``)."""

from raidsim.sim.transient.runner import (
    Run,
    SimulationStopped,
    TransientModel,
    simulate,
    state_name,
)

__all__ = ["Run", "SimulationStopped", "TransientModel", "simulate", "state_name"]
