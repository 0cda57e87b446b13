"""The body's blocks: masses, inertias and hub positions ([chassis]), aerodynamics
([aero] + the ambient's density and headwind)."""

from __future__ import annotations

from raidsim.model.derived import unsprung_masses_kg
from raidsim.physics.aero import drag_constant
from raidsim.sim.blocks.base import PackInputs, ParamBlock, SlotWriter


def pack_body(w: SlotWriter, x: PackInputs) -> None:
    """[chassis] + unsprung masses: masses, inertias, hub positions (physics.md §9, §6.1)."""
    v, geo = x.vehicle, x.geometry
    c = v.chassis
    m_u = unsprung_masses_kg(v)
    w["M_TOTAL"] = v.total_mass_kg
    w["M_SPRUNG"] = v.sprung_mass_kg
    w["IXX"] = c.roll_inertia_kgm2
    w["IYY"] = c.pitch_inertia_kgm2
    # unsprung masses follow the body in yaw: add their m r^2
    w["IZZ"] = c.yaw_inertia_kgm2 + float((m_u * (geo.hub_x_m**2 + geo.hub_y_m**2)).sum())
    w["CX"] = geo.hub_x_m
    w["CY"] = geo.hub_y_m
    w["CZ"] = geo.hub_z_m
    w["M_U"] = m_u


BODY = ParamBlock(
    "body",
    (
        ("M_TOTAL", 1),
        ("M_SPRUNG", 1),
        ("IXX", 1),
        ("IYY", 1),
        ("IZZ", 1),
        ("CX", 4),
        ("CY", 4),
        ("CZ", 4),  # hub attachment, body frame from sprung CG, m
        ("M_U", 4),
    ),
    pack_body,
)


def pack_aero(w: SlotWriter, x: PackInputs) -> None:
    """[aero] + Ambient: drag and lift constants, headwind (physics.md §9.1)."""
    aero, ambient = x.vehicle.aero, x.ambient
    w["AERO_K"] = drag_constant(ambient.air_density_kg_per_m3, aero.drag_area_m2)
    w["LIFT_K"] = drag_constant(ambient.air_density_kg_per_m3, aero.lift_area_m2)
    w["HEADWIND"] = ambient.headwind_mps


AERO = ParamBlock("aero", (("AERO_K", 1), ("LIFT_K", 1), ("HEADWIND", 1)), pack_aero)
