"""The composed step (sim.transient.step): the whole car, checked by hand.

Held in neutral with the pedals off on flat ground, the car at its static ride height
stays where it is (nothing pushes it), and a car with more aboard than its ride height was
set for settles by the extra load over the wheel rate; the step refuses parameters packed
for another layout before it moves anything.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import Kernel, kernel_at_rest

from raidsim.model.vehicle import Vehicle
from raidsim.sim import indices as ix
from raidsim.sim.layout import CH, N_CH, STATUS, WHEELS
from raidsim.sim.transient.step import step_chunk
from raidsim.units import G_MPS2


def _held_in_neutral(k: Kernel) -> None:
    k.P[ix.P_MODE] = ix.MODE_HELD  # held: pedals, steering and gear as set
    k.S[ix.S_GEAR] = 0.0
    k.S[ix.S_THROTTLE] = k.S[ix.S_BRAKE] = k.S[ix.S_STEER] = 0.0


def test_a_car_at_rest_stays_at_rest(at_rest: Kernel) -> None:
    k = at_rest
    _held_in_neutral(k)
    x0, y0, z0 = k.S[ix.S_X], k.S[ix.S_Y], k.S[ix.S_Z]
    out = np.empty((200, N_CH))
    status, samples, bad = step_chunk(k.S, k.P, k.route, out, 2000)  # 2 s
    assert (status, bad) == (STATUS["RUNNING"], -1)
    assert samples == 2000 // int(k.P[ix.P_SAMPLE_EVERY])
    assert k.S[ix.S_T] == pytest.approx(2.0)
    assert np.hypot(k.S[ix.S_VX], k.S[ix.S_VY]) < 1e-3  # m/s
    assert abs(k.S[ix.S_X] - x0) < 1e-3 and abs(k.S[ix.S_Y] - y0) < 1e-3
    assert abs(k.S[ix.S_Z] - z0) < 2e-3  # settles within 2 mm of the static ride height
    assert abs(k.S[ix.S_PHI]) < 1e-4 and abs(k.S[ix.S_THETA]) < 1e-3


def test_another_layout_is_refused_before_any_step(at_rest: Kernel) -> None:
    k = at_rest
    k.P[ix.P_LAYOUT_HASH] += 1.0
    before = k.S.copy()
    status, samples, _ = step_chunk(k.S, k.P, k.route, np.empty((10, N_CH)), 100)
    assert (status, samples) == (STATUS["LAYOUT_MISMATCH"], 0)
    assert np.array_equal(k.S, before)


def test_more_aboard_sits_lower_by_the_extra_load_over_the_wheel_rate(d7xr: Vehicle) -> None:
    """300 kg over the mass the ride height was set at, on the same springs: each corner
    settles Delta F_i / k_i into its bump travel, Delta F_i the corner's lever-rule share
    of the extra weight (docs/physics.md §6.4)."""
    extra_kg = 300.0
    car = d7xr.with_changes(**{"chassis.payload_mass_kg": d7xr.chassis.payload_mass_kg + extra_kg})
    assert car.chassis.ride_height_mass_kg == pytest.approx(d7xr.total_mass_kg)
    k = kernel_at_rest(car)
    _held_in_neutral(k)
    out = np.empty((300, N_CH))
    step_chunk(k.S, k.P, k.route, out, 3000)  # 3 s
    c = car.chassis
    front_N = extra_kg * G_MPS2 * (c.wheelbase_m - c.cg_to_front_axle_m) / c.wheelbase_m / 2
    rear_N = extra_kg * G_MPS2 * c.cg_to_front_axle_m / c.wheelbase_m / 2
    expected_m = [
        front_N / car.suspension_front.spring_rate_N_per_m,
        front_N / car.suspension_front.spring_rate_N_per_m,
        rear_N / car.suspension_rear.spring_rate_N_per_m,
        rear_N / car.suspension_rear.spring_rate_N_per_m,
    ]
    samples = 3000 // int(k.P[ix.P_SAMPLE_EVERY])
    travel_m = [out[samples - 1, CH[f"suspension_travel_{w}_m"]] for w in WHEELS]
    assert travel_m == pytest.approx(expected_m, abs=5e-4)  # 12-13 mm each, within 0.5 mm
