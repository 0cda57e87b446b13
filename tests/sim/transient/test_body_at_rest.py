"""The sprung body (sim.transient.body): Newton and Euler by hand.

A body at rest with its weight carried stays at rest; a net force F gives dv = F h / m;
the static corner forces hold it level (no pitch or roll moment about the sprung CG).
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_support import Kernel

from raidsim.sim import indices as ix
from raidsim.sim.transient.body import contact_forces, integrate_body
from raidsim.units import G_MPS2

STILL = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # vx, vy, vz, p, q, r


def _weight_carried(k: Kernel) -> tuple[float, ...]:
    """Loads (Fx, Fy, Fz_body, Mx, My, Mz) of a body whose weight is carried exactly."""
    return (0.0, 0.0, k.S[ix.S_M_SPRUNG] * G_MPS2, 0.0, 0.0, 0.0)


def test_a_body_at_rest_stays_at_rest(at_rest: Kernel) -> None:
    k = at_rest
    before = k.S.copy()
    h = k.P[ix.P_DT]
    for _ in range(100):
        integrate_body(k.S, k.P, _weight_carried(k), STILL, h)
    for name in ("S_VX", "S_VY", "S_VZ", "S_P", "S_Q", "S_R"):
        assert k.S[getattr(ix, name)] == 0.0, name
    for name in ("S_X", "S_Y", "S_Z", "S_PHI", "S_THETA", "S_PSI", "S_ODOMETER"):
        assert k.S[getattr(ix, name)] == before[getattr(ix, name)], name
    assert k.S[ix.S_T] == pytest.approx(100 * h)


def test_a_net_force_accelerates_the_whole_mass(at_rest: Kernel) -> None:
    """Semi-implicit Euler: v = F h / m, then x += h v (the new velocity)."""
    k = at_rest
    h = k.P[ix.P_DT]
    x0, m = k.S[ix.S_X], k.S[ix.S_M_TOTAL]
    loads = (1000.0, 0.0, k.S[ix.S_M_SPRUNG] * G_MPS2, 0.0, 0.0, 0.0)
    ax, ay, az = integrate_body(k.S, k.P, loads, STILL, h)
    assert ax == pytest.approx(1000.0 / m) and ay == 0.0
    assert az == pytest.approx(G_MPS2)  # the specific force the IMU feels: 1 g up
    assert k.S[ix.S_VX] == pytest.approx(h * 1000.0 / m)
    assert k.S[ix.S_X] - x0 == pytest.approx(h * h * 1000.0 / m)


def test_without_support_the_body_falls_at_g(at_rest: Kernel) -> None:
    k = at_rest
    h = k.P[ix.P_DT]
    integrate_body(k.S, k.P, (0.0,) * 6, STILL, h)
    assert k.S[ix.S_VZ] == pytest.approx(-G_MPS2 * h)


def test_static_corner_forces_hold_the_body_level(at_rest: Kernel) -> None:
    """Springs at their preload (the static shares less the unsprung weight) and tyres at
    their static loads, no tangential force: no horizontal force and no moment about the
    sprung CG; the springs carry the sprung weight."""
    k = at_rest
    W, P = k.W, k.P
    W[:] = 0.0
    W[ix.W_COSW] = 1.0
    W[ix.W_NRM] = 1.0
    W[ix.W_FS] = P[ix.P_PRELOAD : ix.P_PRELOAD + 4]
    W[ix.W_FZ] = W[ix.W_FS] + P[ix.P_M_U : ix.P_M_U + 4] * G_MPS2
    W[ix.W_RWX] = P[ix.P_CX : ix.P_CX + 4]
    W[ix.W_RWY] = P[ix.P_CY : ix.P_CY + 4]
    fx, fy, fz_springs, mx, my, mz, brake = contact_forces(k.S, P, W)
    assert (fx, fy, brake) == (0.0, 0.0, 0.0)
    assert fz_springs == pytest.approx(k.S[ix.S_M_SPRUNG] * G_MPS2, rel=1e-9)
    scale = fz_springs * 1.0  # N m per metre of lever
    assert abs(mx) < 1e-9 * scale and abs(my) < 1e-9 * scale and mz == 0.0
    assert np.allclose(W[ix.W_FZW], W[ix.W_FZ])  # level ground: all of Fz is vertical
