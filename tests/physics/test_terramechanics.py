"""Contact-patch geometry, Janosi thrust, the sand speed factor, and tyres in soft sand:
Bekker sinkage and resistance against inflation pressure, the WES sand numeric and its
traction against slip, cross-checked against Janosi shear (docs/physics.md §5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.physics.terramechanics import (
    DRY_SAND,
    LETE_SAND,
    SAND_SPEED_REF_MPS,
    compaction_resistance_N,
    contact_length_m,
    janosi_thrust_cap_N,
    janosi_thrust_N,
    operating_soil_traction_N,
    rigid_sinkage_m,
    sand_numeric,
    sand_speed_factor,
    sand_traction_N,
    sinkage_m,
    wes_gross_traction,
)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.3, 0.6), st.floats(1e-4, 1.0))  # the Pythagoras form cancels below
def test_contact_length_is_the_chord_of_the_flattened_circle(r: float, frac: float) -> None:
    """A circle of radius r cut by a line d inside its rim has the chord
    2 sqrt(r^2 - (r - d)^2) = 2 sqrt(2 r d - d^2) (Pythagoras)."""
    d = frac * r
    assert contact_length_m(r, d) == pytest.approx(
        2.0 * math.sqrt(r * r - (r - d) ** 2), rel=1e-9, abs=1e-12
    )


def test_contact_length_limits() -> None:
    """No deflection: no patch; d = r: the full diameter; negative deflection clamps."""
    assert contact_length_m(0.45, 0.0) == 0.0
    assert contact_length_m(0.45, 0.45) == pytest.approx(0.9)
    assert contact_length_m(0.45, -0.01) == 0.0
    # 30 mm on a 0.45 m tyre: 2 sqrt(0.027 - 0.0009) = 0.3231 m
    assert contact_length_m(0.45, 0.03) == pytest.approx(0.32311, abs=1e-5)


def test_janosi_thrust_cap() -> None:
    """F_max = A c + W tan(phi), A = b l: b 0.3 m, l 0.4 m, c 1.04 kPa, W 8 kN, phi 28 deg."""
    tan_phi = math.tan(math.radians(28.0))
    got = janosi_thrust_cap_N(0.3, 0.4, 1.04e3, 8000.0, tan_phi)
    assert got == pytest.approx(0.12 * 1.04e3 + 8000.0 * tan_phi, rel=1e-12)
    assert got == pytest.approx(4378.48, abs=0.01)
    # cohesionless sand: pure Coulomb friction
    assert janosi_thrust_cap_N(0.3, 0.4, 0.0, 8000.0, tan_phi) == pytest.approx(8000.0 * tan_phi)
    # unloaded wheel on cohesive soil keeps the adhesion term
    assert janosi_thrust_cap_N(0.3, 0.4, 1.04e3, 0.0, tan_phi) == pytest.approx(124.8)


def test_sand_speed_factor() -> None:
    """1 / (1 + v / v_ref): 1 at rest, 1/2 at v_ref, 1/3 at 2 v_ref, decreasing."""
    v_ref = SAND_SPEED_REF_MPS
    assert sand_speed_factor(0.0, v_ref) == 1.0
    assert sand_speed_factor(v_ref, v_ref) == pytest.approx(0.5)
    assert sand_speed_factor(2.0 * v_ref, v_ref) == pytest.approx(1.0 / 3.0)
    values = [sand_speed_factor(v, v_ref) for v in (0.0, 5.0, 10.0, 20.0, 40.0)]
    assert values == sorted(values, reverse=True)


# --------------------------------------------------------------- tyres in soft sand
# 35 x 12.5 R17 desert tyre at 7 kN on Wong's dry sand (docs/physics.md §5.2 table, D)
D_35_M, B_35_M, H_35_M, W_N = 0.889, 0.318, 0.2286, 7000.0


def test_rigid_sinkage_and_ground_pressure_match_the_hand_values() -> None:
    """physics.md §5.2 (D): rigid wheel z0 97 mm, ground pressure 118 kPa, f 0.25."""
    z0 = rigid_sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M)
    assert z0 == pytest.approx(0.097, abs=0.001)
    k_eq = DRY_SAND.k_c / B_35_M + DRY_SAND.k_phi
    assert k_eq * z0**DRY_SAND.n == pytest.approx(118e3, rel=0.01)
    rigid = compaction_resistance_N(DRY_SAND, W_N, D_35_M, B_35_M, 1e6, 0.0)
    assert rigid / W_N == pytest.approx(0.25, abs=0.01)


def test_sinkage_and_resistance_rise_with_pressure_up_to_the_rigid_limit() -> None:
    """Flexible regime: z = ((p_i + p_c)/k)^(1/n), R_c = b (p_i + p_c) z / (n + 1), both
    rising with pressure; at p_i + p_c = the rigid wheel's ground pressure the two
    regimes meet (z = z0, R_c = the rigid value) and above it nothing changes."""
    n = DRY_SAND.n
    k_eq = DRY_SAND.k_c / B_35_M + DRY_SAND.k_phi
    z0 = rigid_sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M)
    r_rigid = B_35_M * k_eq * z0 ** (n + 1.0) / (n + 1.0)
    p_switch = k_eq * z0**n
    pc = 20e3
    pressures = np.linspace(30e3, p_switch - pc - 1.0, 25)
    z = [sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M, p, pc) for p in pressures]
    r = [compaction_resistance_N(DRY_SAND, W_N, D_35_M, B_35_M, p, pc) for p in pressures]
    assert all(b > a for a, b in zip(z, z[1:], strict=False))
    assert all(b > a for a, b in zip(r, r[1:], strict=False))
    for p, zi, ri in zip(pressures, z, r, strict=True):
        assert zi == pytest.approx(((p + pc) / k_eq) ** (1.0 / n), rel=1e-12)
        assert ri == pytest.approx(B_35_M * (p + pc) * zi / (n + 1.0), rel=1e-9)
    # the regimes meet at the switch pressure ...
    assert z[-1] == pytest.approx(z0, rel=1e-4)  # 1 Pa below the switch
    assert r[-1] == pytest.approx(r_rigid, rel=1e-4)
    # ... and above it the tyre acts as the rigid wheel
    for p in (p_switch, 2.0 * p_switch, 4e5):
        assert sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M, p, pc) == pytest.approx(z0)
        assert compaction_resistance_N(DRY_SAND, W_N, D_35_M, B_35_M, p, pc) == pytest.approx(
            r_rigid
        )
    # hand values of physics.md §5.2 (D): 68 mm at 60 kPa, 84 mm at 80 kPa (+20 kPa)
    assert sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M, 60e3, pc) == pytest.approx(0.068, abs=0.001)
    assert sinkage_m(DRY_SAND, W_N, D_35_M, B_35_M, 80e3, pc) == pytest.approx(0.084, abs=0.001)


def test_sand_numeric_by_hand() -> None:
    """N_s = G (b D)^1.5 (delta/h) / W: G 1.2 MPa/m, 0.318 x 0.889 m, 60 mm of a 228.6 mm
    sidewall, 7 kN: (0.282702)^1.5 = 0.150312; 1.2e6 x 0.150312 x 0.262467 / 7000 = 6.763."""
    assert sand_numeric(1.2e6, B_35_M, D_35_M, 0.06, H_35_M, W_N) == pytest.approx(6.763, abs=1e-3)
    # twice the deflection, twice the numeric; twice the load (same deflection), half
    base = sand_numeric(1.2e6, B_35_M, D_35_M, 0.03, H_35_M, W_N)
    assert sand_numeric(1.2e6, B_35_M, D_35_M, 0.06, H_35_M, W_N) == pytest.approx(2.0 * base)
    assert sand_numeric(1.2e6, B_35_M, D_35_M, 0.03, H_35_M, 2.0 * W_N) == pytest.approx(0.5 * base)
    assert sand_numeric(1.2e6, B_35_M, D_35_M, 0.03, H_35_M, 0.0) == 0.0


def test_wes_gross_traction_by_hand_and_its_shape() -> None:
    """T = 0.66 - 0.66 Y/(N_s + 10 + Y), Y = 4.71 + 1.72/s. N_s 10, s 0.2: Y = 13.31,
    T = 0.66 - 8.7846/33.31 = 0.39628. Full slip: 0.66 (N_s + 10)/(N_s + 16.43)."""
    assert wes_gross_traction(10.0, 0.2) == pytest.approx(0.39628, abs=1e-5)
    assert wes_gross_traction(10.0, 1.0) == pytest.approx(0.66 * 20.0 / 26.43, rel=1e-9)
    assert wes_gross_traction(10.0, -0.2) == wes_gross_traction(10.0, 0.2)  # braking
    slips = np.linspace(0.01, 1.0, 100)
    t = np.array([wes_gross_traction(10.0, s) for s in slips])
    assert wes_gross_traction(10.0, 0.0) < 0.001  # no slip, no traction
    assert np.all(np.diff(t) > 0.0)  # rises with slip ...
    assert np.all(np.diff(t, 2) < 0.0)  # ... ever more slowly ...
    assert t[49] / t[-1] > 0.93  # ... and saturates: half slip gives > 93 % of full slip
    # a better sand numeric (bigger, softer tyre) gives more traction at every slip
    assert all(wes_gross_traction(20.0, s) > wes_gross_traction(5.0, s) for s in slips)


def test_operating_pull_is_the_capped_curve_at_its_sliding_slip() -> None:
    """A 35-inch tyre at 7 kN, 60 mm deflected, G 1.2 MPa/m (N_s 6.763), TMeasy peak
    F_M 4000 N at s_M 0.275, sliding F_S 3900 N at s_S 0.9: the sand caps both (WES
    T(0.275) W = 0.66 (1 - 10.965/27.728) W = 2793 N, T(0.9) W = 0.66 (1 - 6.621/23.384) W
    = 3312 N), so the wheel spun out to s_S pulls 3312 N, not the 2793 N of the peak."""
    args = (1.2e6, B_35_M, D_35_M, 0.06, H_35_M, W_N)
    ns = sand_numeric(*args)
    want = W_N * wes_gross_traction(ns, 0.9)
    y = 4.71 + 1.72 / 0.9
    assert want == pytest.approx(W_N * 0.66 * (1.0 - y / (ns + 10.0 + y)), rel=1e-12)
    got = operating_soil_traction_N(*args, 4000.0, 0.275, 3900.0, 0.9)
    assert got == pytest.approx(want, rel=1e-12)
    assert got > sand_traction_N(*args, 0.275)
    # where the tyre's own sliding force binds (a hard, grippy sand), it is that force;
    # where even the peak binds lower than the capped sliding point, the larger one wins
    assert operating_soil_traction_N(*args, 4000.0, 0.275, 2000.0, 0.9) == pytest.approx(
        sand_traction_N(*args, 0.275)
    )
    assert operating_soil_traction_N(*args, 4000.0, 0.275, 3000.0, 0.9) == 3000.0
    # the sliding slip is at least 1.5 x the peak slip, as in the kernel
    assert operating_soil_traction_N(*args, 4000.0, 0.4, 4000.0, 0.3) == pytest.approx(
        sand_traction_N(*args, 0.6)
    )


def test_wes_traction_agrees_with_janosi_shear_on_the_same_sand() -> None:
    """Cross-check of the two laws (physics.md §5.4): on Wong's dry sand, a 35-inch tyre
    deflected 61 mm (0.8 bar) and a 22-inch road tyre deflected 21 mm (2.5 bar) give the
    same gross traction at 20 % slip from the WES numeric (G from the sand's cone index)
    and from Janosi-Hanamoto shear over the deflected patch, within 12 %."""
    tan_phi = math.tan(math.radians(DRY_SAND.friction_angle_deg))
    g = DRY_SAND.sand_gradient_Pa_per_m
    for d, b, h, defl, w in (
        (D_35_M, B_35_M, H_35_M, 0.061, 6900.0),
        (0.834, 0.275, 0.1375, 0.021, 6600.0),
    ):
        wes = sand_traction_N(g, b, d, defl, h, w, 0.2)
        l = contact_length_m(0.5 * d, defl)
        jan = janosi_thrust_N(
            b, l, DRY_SAND.cohesion_Pa, w, tan_phi, DRY_SAND.shear_modulus_K_m, 0.2
        )
        assert wes == pytest.approx(jan, rel=0.12), (d, wes / w, jan / w)


def test_janosi_thrust_rises_to_the_coulomb_cap() -> None:
    """F(i) = F_max [1 - K/(i l)(1 - e^(-i l/K))]: 0 at no slip, F_max as i l/K grows;
    i l / K = 1 gives F_max / e."""
    cap = janosi_thrust_cap_N(0.3, 0.4, 1.04e3, 8000.0, 0.5)
    assert janosi_thrust_N(0.3, 0.4, 1.04e3, 8000.0, 0.5, 0.025, 0.0) == 0.0
    assert janosi_thrust_N(0.3, 0.4, 1.04e3, 8000.0, 0.5, 0.4, 1.0) == pytest.approx(cap / math.e)
    assert janosi_thrust_N(0.3, 0.4, 1.04e3, 8000.0, 0.5, 0.001, 1.0) == pytest.approx(
        cap, rel=0.003
    )


def test_cone_index_of_a_bekker_sand() -> None:
    """CI estimated as the plate pressure at 3.47 in: dry sand (k_phi 1528 kN/m^2.1, n 1.1)
    1528.43e3 x 0.088138^1.1 + 0.99e3/0.3 x 0.088138^1.1 = 106 kPa (15 psi); LETE firmer."""
    assert DRY_SAND.cone_index_Pa == pytest.approx(105.9e3, rel=0.01)
    assert DRY_SAND.sand_gradient_Pa_per_m == pytest.approx(105.9e3 / 0.088138, rel=0.01)
    assert LETE_SAND.cone_index_Pa > 5.0 * DRY_SAND.cone_index_Pa
