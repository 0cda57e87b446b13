"""Brake torque, pad fade and lumped disc temperature (physics.md §8).

T_b   = pedal T_b,max mu(T_d) / mu_nominal                                §8.1
Q_in  = eta T_b omega_wheel,   eta = heat partition to the disc 0.88-0.95  §8.1
m c dT_d/dt = eta Q_in - h A (T_d - T_air) - eps sigma A (T_d^4 - T_air^4) §8.1 [S89][S90]
Limpert convection, Re = rho v D / mu_air [S88]:
  faces, laminar    h = 0.70 (k/D) Re^0.55
  faces, turbulent  h = 0.04 (k/D) Re^0.8
  vanes             h = 0.023 (1 + (d_h/l)^0.67) (k/d_h) Re^0.8 Pr^0.33
Single stop: Delta T = E_stop share / (m c)                               §8.2

Temperatures in deg C at the interface; radiation uses kelvin inside.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from raidsim.physics.interp import interp_table

STEFAN_BOLTZMANN = 5.670374e-8
KELVIN = 273.15
#: Prandtl number of air, 20-400 C
PR_AIR = 0.70
#: Still-air floor on the disc's face coefficient, W/(m^2 K) (natural convection, estimate)
H_NATURAL_W_PER_M2K = 5.0


@njit(cache=True)
def pad_mu(T_disc_C: float, table_T_C: np.ndarray, table_mu: np.ndarray) -> float:
    """Pad friction coefficient from a piecewise-linear mu(T) table, clamped at its ends:
    rises to a plateau in the pad's window, falls above the fade point (§8.1)."""
    return interp_table(T_disc_C, table_T_C, table_mu, table_T_C.shape[0], 0)


@njit(cache=True)
def air_viscosity_Pa_s(T_K: float) -> float:
    """Sutherland: mu = 1.716e-5 (T/273.15)^1.5 (273.15 + 110.4)/(T + 110.4)."""
    return 1.716e-5 * (T_K / 273.15) ** 1.5 * (273.15 + 110.4) / (T_K + 110.4)


@njit(cache=True)
def air_conductivity_W_per_mK(T_K: float) -> float:
    """Sutherland form: k = 0.0241 (T/273.15)^1.5 (273.15 + 194)/(T + 194)."""
    return 0.0241 * (T_K / 273.15) ** 1.5 * (273.15 + 194.0) / (T_K + 194.0)


@njit(cache=True)
def disc_convection_W(
    T_disc_C: float,
    T_air_C: float,
    v_mps: float,
    wheel_omega_radps: float,
    rho_kg_m3: float,
    d_outer_m: float,
    d_inner_m: float,
    face_area_m2: float,
    vane_area_m2: float,
    vane_dh_m: float,
    vane_length_m: float,
    vane_pump_coeff: float,
) -> float:
    """Convective loss of one vented disc, W (Limpert [S88], physics.md §8.1).

    Faces (``face_area_m2``, both sides of the friction ring): Re = rho v D / mu with the
    vehicle speed; h = max(0.70 (k/D) Re^0.55, 0.04 (k/D) Re^0.8, h_natural). Taking the
    larger of the laminar and turbulent forms makes h continuous (they cross near
    Re 1e5, below Limpert's 2.4e5 switch, where they differ by < 25 %).

    Vanes (``vane_area_m2``): channel velocity from centrifugal pumping,
    v_ch = c_pump omega sqrt(r_o^2 - r_i^2) (c_pump ~0.3 reproduces Limpert's inlet
    velocity 0.0158 n sqrt(D_o^2 - D_i^2), n in rpm), Re = rho v_ch d_h / mu,
    h = 0.023 (1 + (d_h/l)^0.67) (k/d_h) Re^0.8 Pr^0.33.
    Air properties at the film temperature (Sutherland).
    """
    T_film = 0.5 * (T_disc_C + T_air_C) + KELVIN
    mu = air_viscosity_Pa_s(T_film)
    k = air_conductivity_W_per_mK(T_film)
    re_face = rho_kg_m3 * abs(v_mps) * d_outer_m / mu
    h_face = max(
        0.70 * k / d_outer_m * re_face**0.55,
        0.04 * k / d_outer_m * re_face**0.8,
        H_NATURAL_W_PER_M2K,
    )
    r_o = 0.5 * d_outer_m
    r_i = 0.5 * d_inner_m
    v_ch = vane_pump_coeff * abs(wheel_omega_radps) * math.sqrt(r_o * r_o - r_i * r_i)
    re_ch = rho_kg_m3 * v_ch * vane_dh_m / mu
    h_vane = (
        0.023
        * (1.0 + (vane_dh_m / vane_length_m) ** 0.67)
        * k
        / vane_dh_m
        * re_ch**0.8
        * PR_AIR**0.33
    )
    return (h_face * face_area_m2 + h_vane * vane_area_m2) * (T_disc_C - T_air_C)


@njit(cache=True)
def disc_radiation_W(T_disc_C: float, T_air_C: float, emissivity: float, area_m2: float) -> float:
    """Radiated power, eps sigma A (T_d^4 - T_air^4) with temperatures in kelvin (§8.1)."""
    td = T_disc_C + KELVIN
    ta = T_air_C + KELVIN
    return emissivity * STEFAN_BOLTZMANN * area_m2 * (td**4 - ta**4)


@njit(cache=True)
def disc_step(
    T_disc_C: float,
    q_friction_W: float,
    heat_partition: float,
    q_loss_W: float,
    mass_kg: float,
    cp_J_per_kgK: float,
    dt_s: float,
) -> float:
    """Explicit step of the lumped disc, m c dT/dt = eta Q_in - Q_loss (§8.1), with
    Q_in = T_b omega_wheel the friction power and Q_loss = convection + radiation.
    Stable for dt well below m c/(h A) (~100-300 s)."""
    return T_disc_C + dt_s * (heat_partition * q_friction_W - q_loss_W) / (mass_kg * cp_J_per_kgK)


@njit(cache=True)
def fade_scaled_brake_torque_Nm(
    pedal: float, max_torque_Nm: float, pad_mu: float, pad_mu_nominal: float
) -> float:
    """Brake torque of a pedal position when the rated maximum torque is quoted at the
    nominal pad friction: T_b = pedal T_max mu(T_disc) / mu_nom (pad fade, §8.1)."""
    return pedal * max_torque_Nm * pad_mu / pad_mu_nominal
