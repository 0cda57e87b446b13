"""Pack a Vehicle + Ambient + Settings + Stage into the kernel's parameter array.

Packing only packs: what is derived from the spec (static loads, preloads, sprung CG,
tyre stiffness at the set pressure, restrictor power cap) comes from
:mod:`raidsim.model.derived`, and each subsystem's slots are written by the packer of its
block (:mod:`raidsim.sim.blocks`), through a writer that refuses a slot outside the block.
``tests/sim/test_pack.py`` checks that together they write every slot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.blocks import BLOCKS, PackInputs, ParamBlock
from raidsim.sim.layout import LAYOUT_HASH, N_PARAM, PARAM, PARAM_SIZE

F64 = NDArray[np.float64]


class _Writer:
    """The parameter array, written by name at the ``layout.PARAM`` offsets; slots no
    packer writes keep ``fill`` (0; the tests fill NaN to find them). ``block``: when
    given, only that block's slots may be written."""

    def __init__(self, fill: float = 0.0, p: F64 | None = None, block: ParamBlock | None = None):
        self.p = np.full(N_PARAM, fill, dtype=np.float64) if p is None else p
        self.block = block

    def for_block(self, block: ParamBlock) -> _Writer:
        """A writer of the same array that writes only ``block``'s slots."""
        return _Writer(p=self.p, block=block)

    def __setitem__(self, name: str, value: float | Sequence[float] | F64) -> None:
        if self.block is not None and name not in self.block.names:
            raise KeyError(
                f"parameter {name} is not in block '{self.block.name}' "
                f"({', '.join(n for n, _ in self.block.slots)}): declare it there"
            )
        off = PARAM[name]
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if len(arr) > PARAM_SIZE[name]:
            raise ValueError(f"parameter {name} has {PARAM_SIZE[name]} slots, got {len(arr)}")
        self.p[off : off + len(arr)] = arr


def build_params(
    v: Vehicle, ambient: Ambient, settings: Settings, stage: Stage, *, fill: float = 0.0
) -> F64:
    """The kernel's parameter array (``layout.PARAM``): the layout's fingerprint, then every
    block's packer (:data:`raidsim.sim.blocks.BLOCKS`); ``fill`` goes to slots no packer
    writes (the unused tails of the engine, converter, gear and pad-mu tables)."""
    inputs = PackInputs.of(v, ambient, settings, stage)
    w = _Writer(fill)
    w["LAYOUT_HASH"] = LAYOUT_HASH
    for block in BLOCKS:
        block.pack(w.for_block(block), inputs)
    return w.p
