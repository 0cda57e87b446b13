"""The transient tier: the 14-DOF kernel (``step``, composed of ``tracking``,
``controls``, ``corners``, ``flight``, ``powertrain``, ``body``, ``sample``), the ground
under the wheels (``terrain``), the chunk call (``chunk``), the kernel's own thread
(``pipeline``) and the model that holds one run's arrays (``model``:
:class:`TransientModel`, which takes its plan).

A whole stage run (plan, model, outputs, summary) is :func:`raidsim.sim.runner.simulate`,
above this package: the transient tier imports nothing that plans.
"""

from raidsim.sim.transient.model import TransientModel, state_name

__all__ = ["TransientModel", "state_name"]
