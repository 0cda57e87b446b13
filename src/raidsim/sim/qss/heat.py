"""Heat along a QSS trace: coolant, oil, sand filter, ECU derate and brake discs.

The QSS forward pass (:mod:`raidsim.sim.qss`) has, per metre, the time step, speed,
fuel burnt, engine load, converter slip heat and friction-brake energy. It feeds them, in
order, through the *same* slow-state step the transient kernel runs every
``Settings.thermal_dt_s`` (:func:`raidsim.sim.thermal.thermal_step`: coolant and oil nodes
with the e-NTU radiator, fans + ram air through radiator, ducts and sand filter, filter
loading, ECU derate, restrictor p0 after the intake filter, disc temperatures with pad
fade; physics.md §7-8). One model of heat for both tiers; only its inputs differ (steady
operating points from the QSS instead of the transient's instantaneous ones).

Coupled causally, in the one forward pass: after each metre the pass calls
:func:`heat_step`, and the next metre's engine torque (full-load force and the part-throttle
full-load torque) is scaled by the current ``derate x p0 ratio``, as the kernel's ECU does.
The p0 ratio scales the restrictor's power cap; applying it to the whole full-load torque
is exact where the cap binds (most full-throttle running of a restricted engine) and a
small overstatement of the loss at low engine speed (estimate).

Brake heat is split over the wheels in proportion to their maximum brake torque (the
kernel's brake balance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from raidsim.sim import indices as ix
from raidsim.sim.thermal import thermal_step

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class ThermalTrace:
    """Per-metre slow states along the QSS trace (held between thermal steps)."""

    coolant_C: F64
    oil_C: F64
    disc_max_C: F64
    filter_loading: F64
    derate: F64  # ECU torque scale, 1 = none
    cap_factor: F64  # restrictor p0 / p_ambient after the intake filter
    derate_time_s: float


@njit(cache=True, inline="always")
def heat_step(
    S: np.ndarray,
    P: np.ndarray,
    dt_s: float,
    fuel_kg: float,
    load: float,
    slip_W: float,
    brake_J: float,
    speed_mps: float,
    surface: int,
) -> float:
    """Add one QSS step's fuel, load x dt, slip heat x dt and friction-brake energy to the
    kernel's accumulators; run its thermal step once ``TH_DT`` has built up. Returns the
    torque scale for the next step: ECU derate x restrictor p0 ratio."""
    S[ix.S_ACC_FUEL] += fuel_kg
    S[ix.S_ACC_LOAD] += load * dt_s
    S[ix.S_ACC_SLIP] += slip_W * dt_s
    tb_sum = P[ix.P_TB_MAX] + P[ix.P_TB_MAX + 1] + P[ix.P_TB_MAX + 2] + P[ix.P_TB_MAX + 3]
    if tb_sum > 0.0:
        for w in range(4):
            S[ix.S_ACC_BRAKE + w] += brake_J * P[ix.P_TB_MAX + w] / tb_sum
    S[ix.S_THERMAL_TIMER] += dt_s
    if S[ix.S_THERMAL_TIMER] >= P[ix.P_TH_DT] - 1e-12:
        thermal_step(S, P, speed_mps, surface)
    return S[ix.S_DERATE] * S[ix.S_CAP_FACTOR]


@njit(cache=True, inline="always")
def record(S: np.ndarray, i: int, out: np.ndarray) -> None:
    """Row ``i`` of ``out`` (6 x n): coolant, oil, hottest disc, filter loading, derate,
    p0 ratio."""
    out[0, i] = S[ix.S_T_COOLANT]
    out[1, i] = S[ix.S_T_OIL]
    d = S[ix.S_T_DISC]
    for w in range(1, 4):
        d = max(d, S[ix.S_T_DISC + w])
    out[2, i] = d
    out[3, i] = S[ix.S_FILTER_LOAD]
    out[4, i] = S[ix.S_DERATE]
    out[5, i] = S[ix.S_CAP_FACTOR]


def trace_from(out: F64, state: F64) -> ThermalTrace:
    """The trace recorded by :func:`record` and the final state."""
    return ThermalTrace(
        coolant_C=out[0],
        oil_C=out[1],
        disc_max_C=out[2],
        filter_loading=out[3],
        derate=out[4],
        cap_factor=out[5],
        derate_time_s=float(state[ix.S_DERATE_TIME]),
    )
