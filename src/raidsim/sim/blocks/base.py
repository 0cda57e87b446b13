"""What a parameter block is: the slots one subsystem owns in the kernel's parameter array
(``layout.PARAM``), declared beside the packer that writes them.

A block is a name, its slots in order (name, number of float64 values) and its packer,
``pack(w, x)``, which writes those slots (and only those: :func:`raidsim.sim.pack.
build_params` refuses a write outside the block) from :class:`PackInputs`. The layout
strings the blocks together (:data:`raidsim.sim.blocks.BLOCKS`, in order) and the
kernel's index constants are generated from it (``python -m raidsim.sim.layout``), so a
new slot is one line in its block and one in its packer: nothing is renumbered by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.derived import Geometry, geometry, restrictor_cap_W, tyre_pressures_bar
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage

F64 = NDArray[np.float64]

#: max points in the engine, converter and pad-friction tables
N_TABLE = 12
#: max forward gears
N_GEARS_MAX = 10
#: points of the per-wheel Bekker compaction-resistance table vs load
N_RC = 16


class SlotWriter(Protocol):
    """Writes one parameter by name (a scalar, or up to the slot's number of values)."""

    def __setitem__(self, name: str, value: float | Sequence[float] | F64) -> None: ...


@dataclass(frozen=True)
class PackInputs:
    """Everything a packer reads: the run's specs and what is derived from them once."""

    vehicle: Vehicle
    ambient: Ambient
    settings: Settings
    stage: Stage
    geometry: Geometry
    #: restrictor power cap at the ambient, W (inf: none)
    cap_W: float
    #: per wheel (fl, fr, rl, rr)
    tyre_pressures_bar: F64
    #: the sprung CG's x from the total CG, m
    sprung_cg_x_m: float

    @classmethod
    def of(cls, v: Vehicle, ambient: Ambient, settings: Settings, stage: Stage) -> PackInputs:
        geo = geometry(v)
        return cls(
            vehicle=v,
            ambient=ambient,
            settings=settings,
            stage=stage,
            geometry=geo,
            cap_W=restrictor_cap_W(v, ambient),
            tyre_pressures_bar=tyre_pressures_bar(v),
            # hub_x[0] is the front axle from the sprung CG
            sprung_cg_x_m=float(-geo.hub_x_m[0] + v.chassis.cg_to_front_axle_m),
        )


Packer = Callable[[SlotWriter, PackInputs], None]


@dataclass(frozen=True)
class ParamBlock:
    """One subsystem's slots of ``layout.PARAM``, in order, and the packer that writes them."""

    name: str
    slots: tuple[tuple[str, int], ...]
    pack: Packer

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.slots)
