"""One call of the kernel's step loop, recompiled once where its Numba cache is stale.

Shared by the runner (:class:`raidsim.sim.runner.TransientModel`) and the
speed-table sweeps (:mod:`raidsim.sim.ride.sweep`), which drive the kernel directly.
"""

from __future__ import annotations

import numpy as np

import raidsim.sim.transient.step as kernel
from raidsim.errors import RaidsimError
from raidsim.sim.jit import recompile
from raidsim.sim.layout import STATUS_LAYOUT_MISMATCH


def step_chunk_fresh(
    state: np.ndarray,
    params: np.ndarray,
    route: tuple,  # type: ignore[type-arg]
    out: np.ndarray,
    n_steps: int,
) -> tuple[int, int, int]:
    """:func:`raidsim.sim.transient.step.step_chunk`; a Numba cache compiled against
    another layout or other kernel sources (Numba checks only step.py's own time stamp)
    returns a layout mismatch before stepping, and is recompiled once."""
    args = (state, params, route, out, n_steps)
    status, n, bad = kernel.step_chunk(*args)
    if status == STATUS_LAYOUT_MISMATCH:
        recompile(kernel.advance, kernel.step_chunk)
        status, n, bad = kernel.step_chunk(*args)
        if status == STATUS_LAYOUT_MISMATCH:
            raise RaidsimError("kernel/layout mismatch persists after recompiling")
    return int(status), int(n), int(bad)
