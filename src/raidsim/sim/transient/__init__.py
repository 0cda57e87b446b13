"""The transient tier: the 14-DOF kernel (``step``, composed of ``tracking``,
``controls``, ``corners``, ``flight``, ``powertrain``, ``body``, ``sample``), the ground
under the wheels (``terrain``) and the runner that drives it chunk by chunk
(``runner``).

The runner's names are re-exported lazily: importing the kernel (``step``) alone, as the
speed-table sweep does (:mod:`raidsim.sim.ride.sweep`), does not import the runner, which
itself reads the speed table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raidsim.sim.transient.runner import (
        Run,
        SimulationStopped,
        TransientModel,
        simulate,
        state_name,
    )

__all__ = ["Run", "SimulationStopped", "TransientModel", "simulate", "state_name"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from raidsim.sim.transient import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
