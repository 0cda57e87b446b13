"""FIA air restrictor: isentropic flow through a throat (physics.md §1).

choked:    mdot* = Cd A p0 sqrt(g/(R T0)) (2/(g+1))^((g+1)/(2(g-1))) = 0.0404 Cd A p0/sqrt(T0)
subsonic:  mdot = Cd A p0 sqrt(2g/((g-1) R T0) (pr^(2/g) - pr^((g+1)/g))),  pr = p/p0 > 0.528
power cap: P = mdot / (AFR * BSFC)   [S20][S21][S22]
"""

from __future__ import annotations

import math

GAMMA_AIR = 1.4
R_AIR = 287.05
CRITICAL_PRESSURE_RATIO = (2.0 / (GAMMA_AIR + 1.0)) ** (GAMMA_AIR / (GAMMA_AIR - 1.0))


def choked_mass_flow_kg_s(
    diameter_m: float, discharge_coefficient: float, p0_Pa: float, T0_K: float
) -> float:
    """Choked (maximum) mass flow through one circular throat, kg/s."""
    area = math.pi * diameter_m**2 / 4.0
    g = GAMMA_AIR
    return (
        discharge_coefficient
        * area
        * p0_Pa
        * math.sqrt(g / (R_AIR * T0_K))
        * (2.0 / (g + 1.0)) ** ((g + 1.0) / (2.0 * (g - 1.0)))
    )


def subsonic_mass_flow_kg_s(
    diameter_m: float, discharge_coefficient: float, p0_Pa: float, T0_K: float, pr: float
) -> float:
    """Mass flow at downstream/upstream pressure ratio ``pr``; equals the choked flow
    for pr <= 0.528."""
    pr = max(pr, CRITICAL_PRESSURE_RATIO)
    area = math.pi * diameter_m**2 / 4.0
    g = GAMMA_AIR
    return (
        discharge_coefficient
        * area
        * p0_Pa
        * math.sqrt(
            2.0 * g / ((g - 1.0) * R_AIR * T0_K) * (pr ** (2.0 / g) - pr ** ((g + 1.0) / g))
        )
    )


def power_cap_W(
    diameter_m: float,
    count: int,
    discharge_coefficient: float,
    choke_fraction: float,
    afr: float,
    bsfc_g_per_kWh: float,
    p0_Pa: float,
    T0_K: float,
) -> float:
    """Brake-power ceiling of a restricted engine: achieved air flow / (AFR * BSFC)."""
    mdot_air = (
        count
        * choke_fraction
        * choked_mass_flow_kg_s(diameter_m, discharge_coefficient, p0_Pa, T0_K)
    )
    bsfc_kg_per_J = bsfc_g_per_kWh / 1000.0 / 3.6e6
    return mdot_air / afr / bsfc_kg_per_J
