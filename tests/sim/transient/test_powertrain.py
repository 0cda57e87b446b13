"""The powertrain (sim.transient.powertrain), checked by hand.

Open differentials split the gearbox torque by the front fraction and then in halves; a
locked converter turns the engine at the turbine's speed, the gearbox input speed being
the overall ratio times the mean side-gear speed.
"""

from __future__ import annotations

import pytest
from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.transient.powertrain import engine_turbine_speeds, torque_split


def test_open_differentials_split_by_the_front_fraction(at_rest: Kernel) -> None:
    ff = at_rest.P[ix.P_FRONT_FRAC]
    shares = [torque_split(at_rest.P, i) for i in range(4)]
    assert shares == pytest.approx([ff / 2, ff / 2, (1 - ff) / 2, (1 - ff) / 2])
    assert sum(shares) == pytest.approx(1.0)


def _in_gear(k: Kernel, gear: int, side_gear_radps: float) -> float:
    """Side gears all at ``side_gear_radps`` (before and after the step: steady); returns
    the overall ratio of ``gear``."""
    k.W[ix.W_SG_NEW] = side_gear_radps
    k.S[ix.S_OMEGA_SG : ix.S_OMEGA_SG + 4] = side_gear_radps
    return float(k.P[ix.P_RATIO + gear - 1] * k.P[ix.P_FD])


def test_a_locked_converter_gives_equal_engine_and_turbine_speed(at_rest: Kernel) -> None:
    k = at_rest
    gear = 3
    i_tot = _in_gear(k, gear, 40.0)
    k.S[ix.S_LOCKUP] = 1.0
    k.S[ix.S_LOCKUP_CMD] = 1.0
    k.S[ix.S_OMEGA_T] = i_tot * 40.0  # steady: the clutch carries just the engine torque
    k.S[ix.S_OMEGA_E] = i_tot * 40.0
    w_e, w_t = engine_turbine_speeds(k.S, k.P, k.W, 300.0, gear, i_tot, (0.0, 0.0, 0.0), 1e-3)
    assert w_t == pytest.approx(i_tot * 40.0)
    assert w_e == w_t
    assert k.S[ix.S_LOCKUP] == 1.0  # 300 N m is within the clutch's capacity


def test_the_lockup_clutch_slips_above_its_capacity(at_rest: Kernel) -> None:
    k = at_rest
    i_tot = _in_gear(k, 3, 40.0)
    k.S[ix.S_LOCKUP] = 1.0
    k.S[ix.S_LOCKUP_CMD] = 1.0
    k.S[ix.S_OMEGA_T] = i_tot * 40.0
    over = 1.5 * k.P[ix.P_LU_CAP]
    engine_turbine_speeds(k.S, k.P, k.W, over, 3, i_tot, (0.0, 0.0, 0.0), 1e-3)
    assert k.S[ix.S_LOCKUP] == 0.0


def test_in_neutral_the_engine_spins_up_with_its_own_torque(at_rest: Kernel) -> None:
    """Unlocked, nothing absorbing: w_e' = w_e + h T_e / J_e."""
    k = at_rest
    k.S[ix.S_LOCKUP] = 0.0
    k.S[ix.S_LOCKUP_CMD] = 0.0
    w0 = k.S[ix.S_OMEGA_E]
    h = 1e-3
    w_e, _ = engine_turbine_speeds(k.S, k.P, k.W, 50.0, 0, 0.0, (0.0, 0.0, 0.0), h)
    assert w_e == pytest.approx(w0 + h * 50.0 / k.P[ix.P_J_E])
