"""The chunk call Python makes (sim.transient.chunk): the step's result as ints, and a
kernel that keeps refusing the layout raised as an error."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import Kernel

from raidsim.errors import RaidsimError
from raidsim.sim import indices as ix
from raidsim.sim.layout import N_CH, STATUS
from raidsim.sim.transient import chunk
from raidsim.sim.transient.chunk import step_chunk_fresh


def test_a_chunk_runs_and_returns_plain_ints(at_rest: Kernel) -> None:
    k = at_rest
    k.P[ix.P_MODE] = ix.MODE_HELD
    status, n, bad = step_chunk_fresh(k.S, k.P, k.route, np.empty((20, N_CH)), 100)
    assert (status, bad) == (STATUS["RUNNING"], -1)
    assert n == 100 // int(k.P[ix.P_SAMPLE_EVERY])
    assert all(type(v) is int for v in (status, n, bad))


def test_a_persistent_layout_mismatch_is_an_error(
    at_rest: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale cache is recompiled once; if the kernel still refuses, say so."""
    recompiled: list[object] = []
    monkeypatch.setattr(chunk, "recompile", lambda *f: recompiled.extend(f))
    k = at_rest
    k.P[ix.P_LAYOUT_HASH] += 1.0
    with pytest.raises(RaidsimError, match="mismatch persists"):
        step_chunk_fresh(k.S, k.P, k.route, np.empty((1, N_CH)), 10)
    assert len(recompiled) == 2  # the loop and the entry
