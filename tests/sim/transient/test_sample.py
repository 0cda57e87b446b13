"""The divergence check and the telemetry row (sim.transient.sample)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.layout import CH, N_CH
from raidsim.sim.transient.sample import MAX_SPEED_MPS, diverged_state, write_row
from raidsim.units import RADPS_TO_RPM


def test_a_sane_state_passes_and_each_check_names_its_state(at_rest: Kernel) -> None:
    k = at_rest
    assert diverged_state(k.S, k.P) == -1
    k.S[ix.S_T_OIL] = math.nan
    assert diverged_state(k.S, k.P) == ix.S_T_OIL
    k.S[ix.S_T_OIL] = 90.0
    k.S[ix.S_VX] = MAX_SPEED_MPS + 1.0
    assert diverged_state(k.S, k.P) == ix.S_VX
    k.S[ix.S_VX] = 0.0
    k.S[ix.S_OMEGA + 2] = -2000.0
    assert diverged_state(k.S, k.P) == ix.S_OMEGA + 2


def test_the_row_shows_the_state_in_channel_units(at_rest: Kernel) -> None:
    k = at_rest
    k.S[ix.S_VX], k.S[ix.S_VY] = 3.0, 4.0
    k.S[ix.S_HS_PEAK + 1] = 1234.0
    k.W[ix.W_FZ] = [1.0, 2.0, 3.0, 4.0]
    a = np.zeros(ix.N_AUX)
    a[ix.A_CONTACT] = 4
    row = np.zeros(N_CH)
    write_row(row, k.S, k.P, k.W, a, k.surface, 100.0, -0.5)
    assert row[CH["speed_mps"]] == 5.0  # |(3, 4)|
    assert row[CH["distance_m"]] == 100.0 and row[CH["lateral_offset_m"]] == -0.5
    assert row[CH["engine_speed_rpm"]] == pytest.approx(k.S[ix.S_OMEGA_E] * RADPS_TO_RPM)
    assert row[CH["gear"]] == k.S[ix.S_GEAR]
    assert list(row[[CH[f"tyre_load_{w}_N"] for w in ("fl", "fr", "rl", "rr")]]) == [1, 2, 3, 4]
    assert row[CH["airborne_truth"]] == 0.0 and row[CH["wheels_in_contact"]] == 4
    assert row[CH["halfshaft_torque_peak_fr_Nm"]] == 1234.0
    assert k.S[ix.S_HS_PEAK + 1] == 0.0  # the peak hold restarts after each row
