"""Engine cooling: heat rejection, radiator, fans + ram air, sand filter, thermal nodes
and ECU derate (physics.md §2.5, §7).

Q_cool  = f(load) P_fuel,  f = 0.325 (part load) -> 0.275 (full load)     §2.5 [S35]
eps     = 1 - exp((NTU^0.22/Cr)(exp(-Cr NTU^0.78) - 1))   cross-flow, unmixed  §7.1 [S85]
Q_rad   = eps C_min (T_c - T_air),  NTU = UA/C_min,  Cr = C_min/C_max     §7.1 [S84]
UA      = UA_ref (v_face/v_ref)^n                                          §7.1 (E)
c_ram 0.5 rho v^2 + dp_fan(Q/N) = K_sys 0.5 rho (Q/A)^2                    §7.1
K_sys   = K_radiator + K_filter(loading) + K_ducting                       §7.1
C_eng dT_c/dt = Q_engine - Q_rad - Q_loss + G_oc (T_oil - T_c)             §7.1
C_oil dT_oil/dt = Q_slip - G_oc (T_oil - T_c) - G_oa (T_oil - T_air)       §7.3
thermostat x = clamp((T_c - T_open)/(T_full - T_open), x_min, 1)           §7.1
derate     1 at T <= T_derate -> floor at T >= T_max, min over nodes      §7.1 (E)

Temperatures in deg C (differences only, so C and K agree), powers in W, flows SI.

Sand-filter loading is a dimensionless index ``L`` (0 = clean, 1 = the loading at which the
filter's loss coefficient has risen by ``k_per_loading``; it may exceed 1). It grows with
distance driven on dusty surfaces, dL/dt = loading_per_km(surface) |v| / 1000 (E): the
dust taken in scales with the air swallowed, which at speed scales with distance. One index
drives both the cooling-air filter (K_filter in K_sys, less air through the core) and the
engine-intake filter (a pressure drop that lowers the restrictor's upstream pressure p0,
so the power cap falls in proportion, physics.md §1.3).
"""

from __future__ import annotations

import math

from numba import njit

#: Specific heat of air at constant pressure near 45 C, J/(kg K)
CP_AIR_J_PER_KGK = 1007.0


@njit(cache=True)
def heat_to_coolant_W(
    fuel_power_W: float, load_fraction: float, fraction_full: float, fraction_part: float
) -> float:
    """Heat into coolant + engine oil, W: f(load) x fuel power (mdot_f LHV).

    f is linear in load between ``fraction_part`` at zero load and ``fraction_full`` at
    full load (FEV energy split: 32.5 % part, 27.5 % full, physics.md §2.5 [S35]); at
    full load 0.275 P_fuel ~ 0.95 P_brake.
    """
    x = min(max(load_fraction, 0.0), 1.0)
    return (fraction_part + (fraction_full - fraction_part) * x) * max(fuel_power_W, 0.0)


@njit(cache=True)
def radiator_effectiveness(ntu: float, cr: float) -> float:
    """Cross-flow effectiveness, both fluids unmixed (Incropera; physics.md §7.1 [S85]):

    eps = 1 - exp((NTU^0.22 / Cr) (exp(-Cr NTU^0.78) - 1)); Cr -> 0 gives 1 - exp(-NTU).
    """
    if ntu <= 0.0:
        return 0.0
    c = min(max(cr, 0.0), 1.0)
    if c < 1e-9:
        return 1.0 - math.exp(-ntu)
    return 1.0 - math.exp(ntu**0.22 / c * (math.exp(-c * ntu**0.78) - 1.0))


@njit(cache=True)
def radiator_ua_W_per_K(
    air_flow_m3s: float,
    face_area_m2: float,
    ua_ref_W_per_K: float,
    v_ref_mps: float,
    exponent: float,
) -> float:
    """Radiator conductance, UA = UA_ref (v_face/v_ref)^n with v_face = Q/A (physics.md
    §7.1, n 0.5-0.8, E)."""
    v_face = max(air_flow_m3s, 0.0) / face_area_m2
    return ua_ref_W_per_K * (v_face / v_ref_mps) ** exponent


@njit(cache=True)
def radiator_conductance_W_per_K(
    ua_W_per_K: float, c_air_W_per_K: float, c_coolant_W_per_K: float
) -> float:
    """G_rad = eps C_min, W/K (Q_rad = G_rad (T_c,in - T_air,in)), eps from
    :func:`radiator_effectiveness` with NTU = UA/C_min, Cr = C_min/C_max (§7.1); 0 when
    either stream is stopped."""
    c_min = min(c_air_W_per_K, c_coolant_W_per_K)
    if c_min <= 0.0:
        return 0.0
    c_max = max(c_air_W_per_K, c_coolant_W_per_K)
    return radiator_effectiveness(ua_W_per_K / c_min, c_min / c_max) * c_min


@njit(cache=True)
def filter_k(loading: float, k_clean: float, k_per_loading: float) -> float:
    """Filter loss coefficient K = K_clean + k_per_loading L (L = loading index >= 0, see
    the module docstring; physics.md §7.2: clean K 3-10 rising with loading, E)."""
    return k_clean + k_per_loading * max(loading, 0.0)


@njit(cache=True)
def filter_pressure_drop_Pa(
    loading: float,
    k_clean: float,
    k_per_loading: float,
    rho_kg_m3: float,
    flow_m3s: float,
    area_m2: float,
) -> float:
    """Pressure drop across the filter, dp = K(L) 0.5 rho (Q/A)^2 (physics.md §7.1)."""
    v = flow_m3s / area_m2
    return filter_k(loading, k_clean, k_per_loading) * 0.5 * rho_kg_m3 * v * v


@njit(cache=True)
def intake_p0_Pa(p_ambient_Pa: float, filter_drop_Pa: float) -> float:
    """Restrictor upstream pressure behind the intake filter: p0 = p_amb - dp_filter
    (physics.md §1.3: the particle-filter drop is a reduction of p0)."""
    return p_ambient_Pa - filter_drop_Pa


@njit(cache=True)
def filter_loading_increment(speed_mps: float, loading_per_km: float, dt_s: float) -> float:
    """Loading added in ``dt_s``: dL = loading_per_km(surface) |v| dt / 1000 (estimate;
    module docstring)."""
    return loading_per_km * abs(speed_mps) * dt_s / 1000.0


@njit(cache=True)
def core_air_flow_m3s(
    v_mps: float,
    rho_kg_m3: float,
    fan_duty: float,
    n_fans: float,
    fan_dp0_Pa: float,
    fan_q0_m3s: float,
    k_sys: float,
    face_area_m2: float,
    c_ram: float,
) -> float:
    """Volume flow through the core where ram + fan pressure meets the system loss, m^3/s.

    c_ram 0.5 rho v^2 + dp_fan(Q/N) = K_sys 0.5 rho (Q/A)^2          (physics.md §7.1)
    dp_fan(q) = dp0 d^2 (1 - (q/(q0 d))^2)  (fan laws: q ~ d, dp ~ d^2, d = duty)

    With a = K_sys 0.5 rho / A^2 and b = dp0 / (N q0)^2 the balance is quadratic in Q with
    no linear term: Q = sqrt((dp_ram + dp0 d^2) / (a + b)). A fan is taken to freewheel
    (dp_fan >= 0, no added blockage) once ram air alone pushes more than its free delivery
    N q0 d; then, and with the fans off (d = 0), Q = A v sqrt(c_ram / K_sys). The two
    branches meet at Q = N q0 d, so Q is continuous in duty and speed.
    """
    a = k_sys * 0.5 * rho_kg_m3 / (face_area_m2 * face_area_m2)
    dp_ram = c_ram * 0.5 * rho_kg_m3 * v_mps * v_mps
    q_ram = math.sqrt(dp_ram / a)
    d = min(max(fan_duty, 0.0), 1.0)
    q_free = n_fans * fan_q0_m3s * d
    if q_ram >= q_free:
        return q_ram
    b = fan_dp0_Pa / (n_fans * fan_q0_m3s) ** 2
    return math.sqrt((dp_ram + fan_dp0_Pa * d * d) / (a + b))


@njit(cache=True)
def fan_duty(T_coolant_C: float, T_on_C: float, T_full_C: float, duty_low: float) -> float:
    """Fan duty 0..1: the D7X-R's four fans run at low speed (``duty_low``) whenever the
    engine runs, ramping linearly to full speed between ``T_on_C`` and ``T_full_C``
    (estimate; physics.md §7.2 and [S3] give four electric fans, logic unpublished)."""
    if T_coolant_C <= T_on_C:
        return duty_low
    if T_coolant_C >= T_full_C:
        return 1.0
    return duty_low + (1.0 - duty_low) * (T_coolant_C - T_on_C) / (T_full_C - T_on_C)


@njit(cache=True)
def fan_electrical_power_W(duty: float, n_fans: float, power_full_W: float) -> float:
    """Electrical power of the fans, fan law P ~ d^3 (physics.md §7.2: 4 x 25-35 A at
    13.5 V); divide by the alternator efficiency (0.6, E) for the engine load."""
    d = min(max(duty, 0.0), 1.0)
    return n_fans * power_full_W * d * d * d


@njit(cache=True)
def thermostat_opening(T_coolant_C: float, T_open_C: float, T_full_C: float, x_min: float) -> float:
    """Fraction of pump flow sent to the radiator,
    clamp((T_c - T_open)/(T_full - T_open), x_min, 1) (physics.md §7.1)."""
    x = (T_coolant_C - T_open_C) / (T_full_C - T_open_C)
    return min(max(x, x_min), 1.0)


@njit(cache=True)
def coolant_step(
    T_coolant_C: float,
    T_oil_C: float,
    T_air_C: float,
    dt_s: float,
    q_engine_W: float,
    q_slip_W: float,
    air_mass_flow_kg_s: float,
    ua_radiator_W_per_K: float,
    pump_mass_flow_kg_s: float,
    coolant_cp_J_per_kgK: float,
    thermostat_open_C: float,
    thermostat_full_C: float,
    thermostat_min: float,
    engine_capacity_J_per_K: float,
    oil_capacity_J_per_K: float,
    engine_loss_W_per_K: float,
    oil_coolant_W_per_K: float,
    oil_ambient_W_per_K: float,
) -> tuple[float, float, float]:
    """One step of the engine/coolant node and the transmission-oil node.

    C_eng dT_c/dt = Q_engine - G_rad (T_c - T_air) - G_loss (T_c - T_air) + G_oc (T_o - T_c)
    C_oil dT_o/dt = Q_slip - G_oc (T_o - T_c) - G_oa (T_o - T_air)
    G_rad = eps C_min with C_air = mdot_air cp_air, C_cool = x mdot_pump cp_cool,
    x = thermostat opening (physics.md §7.1, §7.3).

    Linearly implicit Euler: the conductances (eps, C_min, x) are taken at the start of the
    step, the temperatures at its end, which leaves a 2 x 2 linear system solved in closed
    form. First order like explicit Euler, but stable for any dt (the coolant time
    constant C_eng/G_rad is ~30 s, the kernel's thermal step up to 1 s).

    Returns (T_coolant_C, T_oil_C, Q_rad_W) at the end of the step.
    """
    x = thermostat_opening(T_coolant_C, thermostat_open_C, thermostat_full_C, thermostat_min)
    g_rad = radiator_conductance_W_per_K(
        ua_radiator_W_per_K,
        air_mass_flow_kg_s * CP_AIR_J_PER_KGK,
        x * pump_mass_flow_kg_s * coolant_cp_J_per_kgK,
    )
    ce = engine_capacity_J_per_K / dt_s
    co = oil_capacity_J_per_K / dt_s
    g_out = g_rad + engine_loss_W_per_K
    a11 = ce + g_out + oil_coolant_W_per_K
    a12 = -oil_coolant_W_per_K
    a22 = co + oil_coolant_W_per_K + oil_ambient_W_per_K
    b1 = ce * T_coolant_C + q_engine_W + g_out * T_air_C
    b2 = co * T_oil_C + q_slip_W + oil_ambient_W_per_K * T_air_C
    det = a11 * a22 - a12 * a12
    tc = (b1 * a22 - a12 * b2) / det
    to = (a11 * b2 - a12 * b1) / det
    return tc, to, g_rad * (tc - T_air_C)


@njit(cache=True)
def _ramp_down(temp_C: float, derate_C: float, max_C: float, floor: float) -> float:
    if temp_C <= derate_C:
        return 1.0
    if temp_C >= max_C:
        return floor
    return 1.0 - (1.0 - floor) * (temp_C - derate_C) / (max_C - derate_C)


@njit(cache=True)
def derate_factor(
    T_coolant_C: float,
    T_oil_C: float,
    T_coolant_derate_C: float,
    T_coolant_max_C: float,
    T_oil_derate_C: float,
    T_oil_max_C: float,
    floor: float,
) -> float:
    """ECU torque scale: 1 at/below the derate temperature, linear to ``floor`` (0.5-0.7)
    at the maximum, the smaller of the coolant and oil ramps (physics.md §7.1, E)."""
    return min(
        _ramp_down(T_coolant_C, T_coolant_derate_C, T_coolant_max_C, floor),
        _ramp_down(T_oil_C, T_oil_derate_C, T_oil_max_C, floor),
    )
