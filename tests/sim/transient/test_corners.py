"""One corner of the car (sim.transient.corners), checked by hand on the car at rest.

At its static ride height on flat ground each tyre carries its static share of the
weight, m g b / (2 L) at the front and m g a / (2 L) at the rear (a, b: CG to front and
rear axle, L the wheelbase), and each spring that share less the unsprung weight.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import AT_M, Kernel

from raidsim.model.vehicle import Vehicle
from raidsim.sim import indices as ix
from raidsim.sim.transient.corners import corner, tyre_load
from raidsim.units import G_MPS2

LEVEL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)  # body-to-world rotation, level
#: at rest on the route under the CG: (vx, vy, vz, wx, wy, wz, speed, s, n, tx, ty)
AT_REST = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, AT_M, 0.0, 1.0, 0.0)


def static_share_N(car: Vehicle, i: int) -> float:
    c = car.chassis
    a = c.cg_to_front_axle_m
    b = c.wheelbase_m - a
    return car.total_mass_kg * G_MPS2 * (b if i < 2 else a) / (2.0 * c.wheelbase_m)


def _corner(k: Kernel, i: int, brake: float = 0.0) -> int:
    return int(corner(i, k.S, k.P, k.W, k.terrain, k.surface, LEVEL, AT_REST, 0.0, brake, 1.0))


@pytest.mark.parametrize("i", range(4))
def test_one_corner_at_static_load_gives_its_static_share(
    i: int, at_rest: Kernel, d7xr: Vehicle
) -> None:
    assert _corner(at_rest, i) == 1  # on the ground
    share = static_share_N(d7xr, i)
    unsprung = (d7xr.suspension_front if i < 2 else d7xr.suspension_rear).unsprung_mass_kg
    assert at_rest.W[ix.W_FZ, i] == pytest.approx(share, rel=1e-9)
    assert at_rest.W[ix.W_FS, i] == pytest.approx(share - unsprung * G_MPS2, rel=1e-9)
    assert at_rest.W[ix.W_TRAVEL, i] == pytest.approx(0.0, abs=1e-12)  # static ride height


def test_the_four_shares_carry_the_whole_car(at_rest: Kernel, d7xr: Vehicle) -> None:
    for i in range(4):
        _corner(at_rest, i)
    total = at_rest.W[ix.W_FZ].sum()
    assert total == pytest.approx(d7xr.total_mass_kg * G_MPS2, rel=1e-9)


def test_a_wheel_at_rest_has_no_slip_and_no_tyre_force(at_rest: Kernel) -> None:
    _corner(at_rest, 0)
    assert at_rest.W[ix.W_SLIP, 0] == 0.0
    assert at_rest.W[ix.W_FYW, 0] == 0.0
    assert at_rest.W[ix.W_FXW, 0] == pytest.approx(0.0, abs=1e-9)


def test_a_lifted_wheel_carries_nothing(at_rest: Kernel) -> None:
    """Raise the hub by more than the tyre's static deflection: the one-sided tyre spring
    pulls nothing, and the corner reports no contact."""
    at_rest.S[ix.S_ZU + 2] += 0.2
    assert _corner(at_rest, 2) == 0
    assert at_rest.W[ix.W_FZ, 2] == 0.0
    assert at_rest.W[ix.W_FXW, 2] == at_rest.W[ix.W_FYW, 2] == 0.0


def test_tyre_load_is_stiffness_times_deflection(at_rest: Kernel) -> None:
    """At zero deflection rate Fz = kz x exactly (the damper adds nothing)."""
    k = at_rest
    r0 = k.P[ix.P_R0]
    hub_z = r0 - 0.02  # the hub 2 cm lower than the unloaded radius above flat ground
    k.S[ix.S_ZU + 1] = hub_z
    k.S[ix.S_WU + 1] = 0.0
    fz, defl = tyre_load(1, k.S, k.P, k.W, 0.0, 0.0, 0.0, 1e-3)
    assert defl == pytest.approx(0.02)
    assert fz == pytest.approx(k.P[ix.P_KZ_T + 1] * 0.02)


def test_the_brake_torque_reaches_the_wheel_at_rest(at_rest: Kernel) -> None:
    """Full brake at rest: the friction torque of the corner is the brake's."""
    _corner(at_rest, 0, brake=1.0)
    assert at_rest.W[ix.W_TBRK, 0] > 0.0
    assert np.isfinite(at_rest.W[ix.W_TFRIC, 0])
    assert at_rest.W[ix.W_TFRIC, 0] >= at_rest.W[ix.W_TBRK, 0]
