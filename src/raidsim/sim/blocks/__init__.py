"""The kernel's parameter blocks: one per subsystem, each the slots it owns in
``layout.PARAM`` declared beside the packer that writes them (:class:`ParamBlock`).

:data:`BLOCKS` is their order in the parameter array: :mod:`raidsim.sim.layout` strings
them together after its own ``LAYOUT_HASH`` slot, :func:`raidsim.sim.pack.build_params`
calls each packer, and ``python -m raidsim.sim.layout`` regenerates the kernel's index
constants (:mod:`raidsim.sim.indices`; a test fails while they are stale). Adding a
parameter to a subsystem touches its spec (``model/``), its block and packer here and the
kernel code that reads it.
"""

from raidsim.sim.blocks.base import N_GEARS_MAX, N_RC, N_TABLE, PackInputs, ParamBlock
from raidsim.sim.blocks.body import AERO, BODY
from raidsim.sim.blocks.controls import CHASSIS_CONTROLS, DRIVER, FLIGHT_MODE, LOST_CONTROL
from raidsim.sim.blocks.corners import SURFACES_BLOCK, SUSPENSION, TYRE
from raidsim.sim.blocks.powertrain import CONVERTER, DRIVELINE, ENGINE, FUEL, GEARBOX, LAUNCH
from raidsim.sim.blocks.run import AMBIENT, RUN, TIMING
from raidsim.sim.blocks.thermal import BRAKE_THERMAL, COOLING, FILTERS

#: the blocks in their order in ``layout.PARAM``
BLOCKS: tuple[ParamBlock, ...] = (
    TIMING,
    BODY,
    SUSPENSION,
    TYRE,
    SURFACES_BLOCK,
    AERO,
    ENGINE,
    CONVERTER,
    GEARBOX,
    DRIVELINE,
    CHASSIS_CONTROLS,
    DRIVER,
    LOST_CONTROL,
    AMBIENT,
    COOLING,
    FILTERS,
    BRAKE_THERMAL,
    FUEL,
    FLIGHT_MODE,
    RUN,
    LAUNCH,
)

__all__ = ["BLOCKS", "N_GEARS_MAX", "N_RC", "N_TABLE", "PackInputs", "ParamBlock"]
