"""The lowest tyre pressure a setup may use at stage speed, from the tyre's own stiffness
(docs/physics.md §5.6 "Pressure limits of a setup").

A tyre run too soft deflects until its sidewall folds over the rim flange: pinch cuts and
rim hits on stones and landings, and a carcass that no longer holds the car on its line.
The rule used by central tyre-inflation systems is a limit on the static deflection as a
share of the section height that falls with speed (about 15 % on the road, 25 % across
country, 35 % and more in sand and mud at walking pace; estimate, see physics.md §5.6). A
rally stage is driven at speed on every surface, so a setup for a whole stage must keep
the static deflection within the cross-country share:

    delta = F_static / k_z(p) <= D_MAX H,   k_z(p) = k_z,ref (p + p_c) / (p_ref + p_c)
    =>  p_min = F_static (p_ref + p_c) / (k_z,ref D_MAX H) - p_c

with the transient tier's own stiffness law (model/derived.py ``geometry``), the static wheel
load with the tank full (the heaviest the car runs a stage) and the section height H
estimated from the unloaded radius (:data:`SECTION_HEIGHT_FRACTION`). For the D7X-R this
gives 0.89 bar front and 1.03 bar rear.
"""

from __future__ import annotations

from raidsim.model.derived import geometry
from raidsim.model.vehicle import Vehicle
from raidsim.units import BAR_TO_PA

#: allowed static deflection at stage speed, share of the section height (estimate:
#: central tyre-inflation "cross-country" settings, physics.md §5.6)
MAX_STATIC_DEFLECTION = 0.25
#: section height over unloaded radius (estimate: 0.49 for 35 x 12.5 R17, 0.54 for
#: 37 x 12.5 R17, 0.48 for 285/70 R17, the rally tyres of the shipped presets)
SECTION_HEIGHT_FRACTION = 0.5

#: setup key of each axle's pressure and its wheel index in the kernel's order
_AXLES = {"tyre_pressure_front_bar": 0, "tyre_pressure_rear_bar": 2}


def min_tyre_pressure_bar(vehicle: Vehicle, name: str) -> float:
    """The lowest pressure of ``name`` (``tyre_pressure_front_bar`` or ``..._rear_bar``)
    whose static deflection stays within MAX_STATIC_DEFLECTION of the section height."""
    full = vehicle.with_changes(fuel_load_L=vehicle.fuel.tank_capacity_L)
    load_N = float(geometry(full).static_tyre_load_N[_AXLES[name]])
    t = vehicle.tyre
    height_m = SECTION_HEIGHT_FRACTION * t.unloaded_radius_m
    p_c = t.carcass_pressure_kPa * 1000.0
    p_ref = t.reference_pressure_bar * BAR_TO_PA
    k_need = load_N / (MAX_STATIC_DEFLECTION * height_m)
    return (k_need / t.vertical_stiffness_N_per_m * (p_ref + p_c) - p_c) / BAR_TO_PA


def tyre_pressure_limits_bar(vehicle: Vehicle, name: str) -> tuple[float, float]:
    """(low, high) pressure limits of a setup from the tyre itself; the high end is left
    open here (the spec and the engineering range bound it)."""
    return min_tyre_pressure_bar(vehicle, name), float("inf")
