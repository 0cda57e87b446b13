"""Pure-refactor guard: the default stage's results, bit for bit.

Recorded on main before the core restructuring (issue: one clear core). A change that
is meant to be a refactor must leave both digests unchanged; a change that alters the
physics on purpose updates them in the same commit and says why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np

import raidsim as rs

TRANSIENT_DEFAULT = "aed1d646dda8478e30a77a91915f68f9ad0f85288f362d326621c281327c0ba9"
QSS_DEFAULT = "3b992c804ce584687020baa1c1b9b32ac42f5d47629e1e79ded6bfff2a2cb754"


def digest(columns: Mapping[str, object]) -> str:
    """SHA-256 over (name, float64 bytes) of each column, names sorted."""
    h = hashlib.sha256()
    for name in sorted(columns):
        h.update(name.encode())
        h.update(np.ascontiguousarray(np.asarray(columns[name]), dtype=np.float64).tobytes())
    return h.hexdigest()


def test_default_stage_telemetry_bit_identical() -> None:
    run = rs.simulate(rs.load_vehicle("d7x-r"), rs.load_stage("default"))
    tel = run.telemetry
    assert tel.height == 218843
    assert digest({c: tel[c].to_numpy() for c in tel.columns}) == TRANSIENT_DEFAULT


def test_default_stage_qss_bit_identical() -> None:
    est = rs.estimate(rs.load_vehicle("d7x-r"), rs.load_stage("default"))
    assert digest(est.columns()) == QSS_DEFAULT
