"""Fuel flow and fuel properties (physics.md §2.3-2.4).

Willans:    mdot_f = (T_brake + T_0(N)) omega / (e LHV)                   §2.3 [S33][S34]
enrichment: x 1/lambda near full load (lambda 0.85-0.9 on the restricted map)  §2.3
volume:     V = m / rho;  energy E = m LHV                                 §2.4
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

from raidsim.physics.engine import willans_fuel_rate_kg_s


class FuelProperties(NamedTuple):
    """Typical value and accepted band of a fuel kind (physics.md §2.4)."""

    lhv_MJ_per_kg: float
    lhv_band_MJ_per_kg: tuple[float, float]
    density_kg_per_L: float
    density_band_kg_per_L: tuple[float, float]
    afr_stoich: float


#: physics.md §2.4: gasoline 42-44 MJ/kg, 0.72-0.78 kg/L, AFR 14.7 [S36][S37]; advanced
#: sustainable drop-in petrol 42.5-43.5 MJ/kg, 0.73-0.76 kg/L, AFR 14.3-14.7 (E; oxygenates
#: lower LHV, so the band opens down to 40 MJ/kg); No. 2 / EN 590 diesel 42.8 MJ/kg
#: [S36], 0.820-0.845 kg/L, AFR 14.5.
FUEL_PROPERTIES: dict[str, FuelProperties] = {
    "pump_petrol": FuelProperties(43.0, (42.0, 44.0), 0.745, (0.72, 0.78), 14.7),
    "sustainable_petrol": FuelProperties(43.0, (40.0, 43.5), 0.745, (0.72, 0.78), 14.5),
    "diesel": FuelProperties(42.8, (42.0, 43.5), 0.835, (0.82, 0.85), 14.5),
}


@njit(cache=True)
def enrichment_factor(load_fraction: float, load_start: float, lambda_full: float) -> float:
    """Fuel multiplier 1 below ``load_start``, rising linearly to 1/lambda at full load
    (physics.md §2.3: lambda 0.85-0.9 protects turbines and pistons at 45 C)."""
    if load_fraction <= load_start or lambda_full >= 1.0:
        return 1.0
    x = min((load_fraction - load_start) / (1.0 - load_start), 1.0)
    return 1.0 + (1.0 / lambda_full - 1.0) * x


@njit(cache=True)
def fuel_burnt_kg(
    duration_s: float,
    torque_Nm: float,
    omega_radps: float,
    t0_Nm: float,
    efficiency: float,
    lhv_J_per_kg: float,
    load_fraction: float,
    enrichment_start: float,
    lambda_full: float,
) -> float:
    """Fuel burnt in ``duration_s`` at one operating point, kg: the Willans flow
    (T_b + T_0) omega / (e LHV) x enrichment(load) over the duration; zero on overrun.
    ``duration_s = 1`` gives the mass flow in kg/s. Both tiers call it (the transient per
    step, the QSS per metre). On the restrictor limit the same line holds: the cap limits
    the torque, so the fuel follows (physics.md §2.3)."""
    base = willans_fuel_rate_kg_s(torque_Nm, omega_radps, t0_Nm, efficiency, lhv_J_per_kg)
    return duration_s * base * enrichment_factor(load_fraction, enrichment_start, lambda_full)


@njit(cache=True)
def fuel_volume_L(mass_kg: float, density_kg_per_L: float) -> float:
    """V = m / rho, litres."""
    return mass_kg / density_kg_per_L


@njit(cache=True)
def fuel_energy_J(mass_kg: float, lhv_J_per_kg: float) -> float:
    """Chemical energy at the lower heating value, E = m LHV."""
    return mass_kg * lhv_J_per_kg


@njit(cache=True)
def bsfc_g_per_kWh(fuel_kg_s: float, power_W: float) -> float:
    """Brake-specific fuel consumption, g/kWh."""
    return fuel_kg_s / power_W * 3.6e9
