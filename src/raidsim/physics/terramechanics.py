"""Bekker-Wong pressure-sinkage and Janosi-Hanamoto shear for tyres on sand
(physics.md §5.1; Wong, Theory of Ground Vehicles [S64]).

rigid wheel (diameter D, width b, load W):
    z0  = [3 W / ((3 - n)(k_c + b k_phi) sqrt(D))]^(2/(2n+1))
    p_g = (k_c/b + k_phi) z0^n                       ground pressure under a rigid wheel
    R_c = b (k_c/b + k_phi) z0^(n+1) / (n+1)
flexible tyre (when p_i + p_c < p_g):
    R_c = b (p_i + p_c)^((n+1)/n) / ((n+1) (k_c/b + k_phi)^(1/n))
Coulomb thrust limit (Janosi, full slip): F_max = A c + W tan(phi), A = b l.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

#: Bekker statics overstate compaction resistance at speed; it falls as
#: R_c / (1 + v / v_ref) with this reference speed (estimate, physics.md §5.3)
SAND_SPEED_REF_MPS = 30.0


@dataclass(frozen=True)
class Soil:
    """Bekker/Janosi soil parameters (SI: k_c N/m^(n+1), k_phi N/m^(n+2))."""

    n: float
    k_c: float
    k_phi: float
    cohesion_Pa: float
    friction_angle_deg: float
    shear_modulus_K_m: float


#: Dry sand, Land Locomotion Lab values via Wong Table 2.3 [S64][S65]; K for loose sand.
DRY_SAND = Soil(1.1, 0.99e3, 1528.43e3, 1.04e3, 28.0, 0.025)
#: LETE sand (Chrono Bekker++ test program) [S65]; firm.
LETE_SAND = Soil(0.793, 102e3, 5301e3, 1.3e3, 31.1, 0.012)


def rigid_sinkage_m(soil: Soil, load_N: float, diameter_m: float, width_m: float) -> float:
    if load_N <= 0.0:
        return 0.0
    base = (
        3.0 * load_N / ((3.0 - soil.n) * (soil.k_c + width_m * soil.k_phi) * math.sqrt(diameter_m))
    )
    return float(base ** (2.0 / (2.0 * soil.n + 1.0)))


def compaction_resistance_N(
    soil: Soil,
    load_N: float,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> float:
    """Motion resistance from soil compaction, rigid or flexible regime, N."""
    if load_N <= 0.0:
        return 0.0
    k_eq = soil.k_c / width_m + soil.k_phi
    z0 = rigid_sinkage_m(soil, load_N, diameter_m, width_m)
    p_ground = k_eq * z0**soil.n
    p_tyre = inflation_Pa + carcass_Pa
    if p_tyre < p_ground:
        return float(
            width_m
            * p_tyre ** ((soil.n + 1.0) / soil.n)
            / ((soil.n + 1.0) * k_eq ** (1.0 / soil.n))
        )
    return float(width_m * k_eq * z0 ** (soil.n + 1.0) / (soil.n + 1.0))


def compaction_table(
    soil: Soil,
    loads_N: np.ndarray,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> np.ndarray:
    """R_c over a grid of loads (for interpolation inside the kernel)."""
    return np.array(
        [
            compaction_resistance_N(soil, float(w), diameter_m, width_m, inflation_Pa, carcass_Pa)
            for w in loads_N
        ],
        dtype=np.float64,
    )


@njit(cache=True)
def contact_length_m(unloaded_radius_m: float, deflection_m: float) -> float:
    """Geometric contact-patch length of a deflected tyre: l = 2 sqrt(2 r0 d - d^2)."""
    d = deflection_m
    return 2.0 * math.sqrt(max(0.0, 2.0 * unloaded_radius_m * d - d * d))


@njit(cache=True)
def janosi_thrust_cap_N(
    width_m: float, contact_length_m: float, cohesion_Pa: float, load_N: float, tan_phi: float
) -> float:
    """Coulomb (full-slip Janosi-Hanamoto) thrust limit F_max = A c + W tan(phi), A = b l
    (physics.md §5.1) [S64]."""
    return width_m * contact_length_m * cohesion_Pa + load_N * tan_phi


@njit(cache=True)
def sand_speed_factor(speed_mps: float, reference_speed_mps: float) -> float:
    """Speed scaling of the static compaction resistance: 1 / (1 + v / v_ref) (§5.3)."""
    return 1.0 / (1.0 + speed_mps / reference_speed_mps)
