"""Heat along a QSS trace: coolant, oil, sand filter, ECU derate and brake discs.

The QSS forward pass (:mod:`raidsim.sim.qss`) has, per metre, the time step, speed,
fuel burnt, engine load, converter slip heat and friction-brake energy. It feeds them, in
order, through the *same* slow-state step the transient kernel runs every
``Settings.thermal_dt_s`` (:func:`raidsim.sim.kernel._thermal_step`: coolant and oil nodes
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

from raidsim.sim.kernel import (
    ABRK_,
    AFUEL_,
    ALOAD_,
    ASLIP_,
    CAPF_,
    DER_,
    DERT_,
    FL_,
    TC_,
    TD_,
    THT_,
    TO_,
    _thermal_step,
    pTB,
    pTHDT,
)

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


@njit(cache=True)
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
    S[AFUEL_] += fuel_kg
    S[ALOAD_] += load * dt_s
    S[ASLIP_] += slip_W * dt_s
    tb_sum = P[pTB] + P[pTB + 1] + P[pTB + 2] + P[pTB + 3]
    if tb_sum > 0.0:
        for w in range(4):
            S[ABRK_ + w] += brake_J * P[pTB + w] / tb_sum
    S[THT_] += dt_s
    if S[THT_] >= P[pTHDT] - 1e-12:
        _thermal_step(S, P, speed_mps, surface)
    return S[DER_] * S[CAPF_]


@njit(cache=True)
def record(S: np.ndarray, i: int, out: np.ndarray) -> None:
    """Row ``i`` of ``out`` (6 x n): coolant, oil, hottest disc, filter loading, derate,
    p0 ratio."""
    out[0, i] = S[TC_]
    out[1, i] = S[TO_]
    d = S[TD_]
    for w in range(1, 4):
        d = max(d, S[TD_ + w])
    out[2, i] = d
    out[3, i] = S[FL_]
    out[4, i] = S[DER_]
    out[5, i] = S[CAPF_]


def trace_from(out: F64, state: F64) -> ThermalTrace:
    """The trace recorded by :func:`record` and the final state."""
    return ThermalTrace(
        coolant_C=out[0],
        oil_C=out[1],
        disc_max_C=out[2],
        filter_loading=out[3],
        derate=out[4],
        cap_factor=out[5],
        derate_time_s=float(state[DERT_]),
    )
