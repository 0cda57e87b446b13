"""Quantities derived from a vehicle spec, once, in Python: static geometry and loads, the
restrictor's power cap at an ambient, the tyre's friction peaks, the limiter's speed.

Both tiers (the transient parameter packer :mod:`raidsim.sim.pack`, the QSS tables
:mod:`raidsim.sim.qss.tables`), the speed plan (:mod:`raidsim.sim.plan`) and the regulation
checker (:mod:`raidsim.regs.check`) read them from here, so each is derived one way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.surfaces import SURFACE_TABLE, SURFACES
from raidsim.model.vehicle import Vehicle
from raidsim.physics import restrictor
from raidsim.physics.terramechanics import operating_soil_traction_N
from raidsim.physics.tyre import load_linear, load_scaled
from raidsim.units import BAR_TO_PA, G_MPS2, KMH_PER_MPS

F64 = NDArray[np.float64]
_T = TypeVar("_T")


def per_wheel(front: _T, rear: _T) -> list[_T]:
    """A front and a rear value, per wheel (fl, fr, rl, rr)."""
    return [front] * 2 + [rear] * 2


@dataclass(frozen=True)
class Geometry:
    """Static geometry derived from the spec (sprung-CG frame)."""

    hub_x_m: F64
    hub_y_m: F64
    hub_z_m: F64  # hub height relative to sprung CG at ride height (negative)
    sprung_cg_height_m: float
    static_tyre_load_N: F64
    static_spring_force_N: F64
    tyre_stiffness_N_per_m: F64
    loaded_radius_m: F64


def unsprung_masses_kg(v: Vehicle) -> F64:
    """Per wheel (fl, fr, rl, rr)."""
    return np.array(
        per_wheel(v.suspension_front.unsprung_mass_kg, v.suspension_rear.unsprung_mass_kg)
    )


def tyre_pressures_bar(v: Vehicle) -> F64:
    """Per wheel (fl, fr, rl, rr)."""
    return np.array(per_wheel(v.tyre_pressure_front_bar, v.tyre_pressure_rear_bar))


def _static_tyre_loads_N(mass_kg: float, a_m: float, wheelbase_m: float) -> F64:
    """Static tyre loads (fl, fr, rl, rr) of a car of ``mass_kg`` whose CG lies ``a_m``
    behind the front axle: each axle's share of the weight by the lever rule, halved."""
    axle_front = mass_kg * G_MPS2 * (wheelbase_m - a_m) / wheelbase_m
    axle_rear = mass_kg * G_MPS2 * a_m / wheelbase_m
    return np.array(per_wheel(axle_front / 2, axle_rear / 2))


def geometry(v: Vehicle) -> Geometry:
    c = v.chassis
    m = v.total_mass_kg
    a = c.cg_to_front_axle_m
    b = c.wheelbase_m - a
    mu = unsprung_masses_kg(v)
    x_total = np.array([a, a, -b, -b])
    y = np.array(
        [c.track_front_m / 2, -c.track_front_m / 2, c.track_rear_m / 2, -c.track_rear_m / 2]
    )
    tyre_load = _static_tyre_loads_N(m, a, c.wheelbase_m)
    # the preload holds the corner at ride height at the mass the ride height was set at
    m_set = m if c.ride_height_mass_kg is None else c.ride_height_mass_kg
    set_load = tyre_load if m_set == m else _static_tyre_loads_N(m_set, a, c.wheelbase_m)
    p_ref = v.tyre.reference_pressure_bar * BAR_TO_PA
    pc = v.tyre.carcass_pressure_kPa * 1000.0
    pressures = tyre_pressures_bar(v) * BAR_TO_PA
    # tyre vertical stiffness ~ (p_i + p_c) (physics.md §5.2: roughly linear in pressure)
    kz = v.tyre.vertical_stiffness_N_per_m * (pressures + pc) / (p_ref + pc)
    loaded_r = v.tyre.unloaded_radius_m - tyre_load / kz
    m_s = v.sprung_mass_kg
    x_s = float(-(mu * x_total).sum() / m_s)  # sprung CG x relative to the total CG
    h_s = float((c.cg_height_m * m - (mu * loaded_r).sum()) / m_s)
    return Geometry(
        hub_x_m=x_total - x_s,
        hub_y_m=y,
        hub_z_m=loaded_r - h_s,
        sprung_cg_height_m=h_s,
        static_tyre_load_N=tyre_load,
        static_spring_force_N=set_load - mu * G_MPS2,
        tyre_stiffness_N_per_m=kz,
        loaded_radius_m=loaded_r,
    )


def restrictor_cap_W(v: Vehicle, ambient: Ambient) -> float:
    r = v.restrictor
    if r.model == "none":
        return math.inf
    return restrictor.power_cap_W(
        r.diameter_mm / 1000.0,
        r.count,
        r.discharge_coefficient,
        r.choke_fraction,
        r.afr_full_load,
        r.bsfc_full_load_g_per_kWh,
        ambient.p_Pa,
        ambient.temp_K + r.intake_temp_rise_K,
    )


def tyre_lateral_mu(v: Vehicle) -> float:
    """Peak lateral friction at nominal load on hard ground: the cornering limit the
    driver's speed plan scales by surface and grip usage (lower than the longitudinal
    peak for this tyre set, and closer to what a 3 t car with a high CG can use)."""
    t = v.tyre
    return load_scaled(1.0, t.fym_N[0], t.fym_N[1]) / t.nominal_load_N


def soil_forces_N(v: Vehicle, surface: str, direction: str) -> F64:
    """Per wheel (fl, fr, rl, rr), at the static loads: the force the tyre holds on the soil
    of ``surface`` along ``direction`` ("x": its pull, "y": sideways), the tyre curve's peak
    (F_M at s_M) and sliding (F_S at s_S) points each x the surface's mu and slip scales and
    capped by the WES sand traction at its slip, as the transient kernel caps them
    (``sim.transient.corners.tyre_forces``;
    :func:`raidsim.physics.terramechanics.operating_soil_traction_N`, physics.md §5.4)."""
    t = v.tyre
    s = SURFACE_TABLE[surface]
    assert s.soil is not None, surface
    fm_N, sm, fs_N, ss = (
        (t.fxm_N, t.sxm, t.fxs_N, t.sxs) if direction == "x" else (t.fym_N, t.sym, t.fys_N, t.sys)
    )
    geo = geometry(v)
    loads = geo.static_tyre_load_N
    deflection = loads / geo.tyre_stiffness_N_per_m
    out = np.empty(4)
    for i in range(4):
        r = float(loads[i]) / t.nominal_load_N
        peak = load_scaled(r, fm_N[0], fm_N[1])
        out[i] = operating_soil_traction_N(
            s.soil.sand_gradient_Pa_per_m,
            t.width_m,
            2.0 * t.unloaded_radius_m,
            float(deflection[i]),
            t.section_height_m,
            float(loads[i]),
            peak * s.mu_scale,
            load_linear(r, sm[0], sm[1]) * s.slip_peak_scale,
            max(load_scaled(r, fs_N[0], fs_N[1]) * s.mu_scale, s.sliding_ratio * peak * s.mu_scale),
            load_linear(r, ss[0], ss[1]),
        )
    return out


def surface_lateral_mu(v: Vehicle) -> F64:
    """Per surface class (the order of :data:`raidsim.model.surfaces.SURFACES`): the
    lateral friction the driver's speed plan corners on.

    Firm ground: the tyre's hard-ground peak (:func:`tyre_lateral_mu`) x the surface's mu
    scale. Soil: what the tyres can hold sideways there (:func:`soil_forces_N`, the four
    at their static loads) over the car's weight. On soil the grip is the sand's, not the
    rubber's: a road tyre whose rubber grips better on tarmac holds less in the sand when
    it sinks as a rigid wheel."""
    weight_N = float(geometry(v).static_tyre_load_N.sum())
    hard = tyre_lateral_mu(v)
    return np.array(
        [
            hard * SURFACE_TABLE[name].mu_scale
            if SURFACE_TABLE[name].soil is None
            else sum(float(f) for f in soil_forces_N(v, name, "y")) / weight_N
            for name in SURFACES
        ]
    )


def tyre_peak_mu(v: Vehicle) -> float:
    """Peak longitudinal friction at nominal load on hard ground."""
    t = v.tyre
    return load_scaled(1.0, t.fxm_N[0], t.fxm_N[1]) / t.nominal_load_N


def vehicle_limit_mps(v: Vehicle) -> float:
    """The vehicle's own speed limiter, m/s (400 km/h where it has none)."""
    return (v.limiter.speed_limit_kmh or 400.0) / KMH_PER_MPS
