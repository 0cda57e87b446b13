"""Flight Mode's airborne vote as the step runs it (sim.transient.flight).

On the ground at static load nothing votes; in free fall (no specific force, wheels at
full droop, springs unloaded) the IMU and the droop votes carry it airborne once the IMU
has seen less than its threshold for its minimum time, and the lock-up opens.
"""

from __future__ import annotations

import math

from kernel_support import Kernel

from raidsim.control.flight_mode import FM_AIRBORNE, FM_GROUND
from raidsim.sim import indices as ix
from raidsim.sim.transient.flight import airborne_votes, flight_mode_update
from raidsim.units import G_MPS2


def _on_the_ground(k: Kernel) -> None:
    k.W[ix.W_FS] = k.P[ix.P_PRELOAD : ix.P_PRELOAD + 4]
    k.W[ix.W_TRAVEL] = 0.0
    k.S[ix.S_SF_MAG] = G_MPS2
    k.S[ix.S_FM_IMU_F] = G_MPS2
    k.P[ix.P_FM_ENABLED] = 1.0


def _falling(k: Kernel) -> None:
    droop = k.P[ix.P_DROOP : ix.P_DROOP + 4]
    k.W[ix.W_FS] = 0.0
    k.W[ix.W_TRAVEL] = -droop
    k.S[ix.S_SF_MAG] = 0.0


def test_on_the_ground_at_static_load_nothing_votes(at_rest: Kernel) -> None:
    k = at_rest
    _on_the_ground(k)
    votes, loaded, none_pushing = airborne_votes(k.S, k.P, k.W, 0.0)
    assert (votes, loaded, none_pushing) == (0, 4, False)  # every suspension carries load
    assert flight_mode_update(k.S, k.P, k.W, 0.0) == FM_GROUND


def test_in_free_fall_it_is_declared_airborne_and_opens_the_lockup(at_rest: Kernel) -> None:
    k = at_rest
    _on_the_ground(k)
    k.S[ix.S_LOCKUP] = k.S[ix.S_LOCKUP_CMD] = 1.0
    _falling(k)
    h = k.P[ix.P_DT]
    # the IMU's low-pass needs a few time constants, then the minimum time: 0.5 s is ample
    steps = 0
    fm = FM_GROUND
    while fm < FM_AIRBORNE and steps < 500:
        fm = flight_mode_update(k.S, k.P, k.W, 20.0)
        steps += 1
    assert fm >= FM_AIRBORNE, "never declared airborne in 0.5 s of free fall"
    assert steps * h >= k.P[ix.P_FM_IMU_TMIN] or k.P[ix.P_FM_VOTES] <= 2
    assert k.S[ix.S_LOCKUP] == k.S[ix.S_LOCKUP_CMD] == 0.0 or k.P[ix.P_FM_OPEN_LU] < 0.5
    assert math.isfinite(k.S[ix.S_FM_IMU_F]) and k.S[ix.S_FM_IMU_F] < G_MPS2


def test_disabled_it_only_counts(at_rest: Kernel) -> None:
    k = at_rest
    _on_the_ground(k)
    k.P[ix.P_FM_ENABLED] = 0.0
    _falling(k)
    for _ in range(500):
        assert flight_mode_update(k.S, k.P, k.W, 20.0) == FM_GROUND
