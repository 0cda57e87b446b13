"""The corners' blocks: suspension ([suspension_front], [suspension_rear]), tyre ([tyre]
at the set pressures) and the ground's surface classes with the per-wheel Bekker tables."""

from __future__ import annotations

import numpy as np

from raidsim.model.derived import per_wheel
from raidsim.model.surfaces import N_SURF, SURFACE_TABLE, SURFACES
from raidsim.physics.terramechanics import SAND_SPEED_REF_MPS, compaction_table
from raidsim.physics.tyre import rolling_resistance_coefficients
from raidsim.sim.blocks.base import N_RC, PackInputs, ParamBlock, SlotWriter
from raidsim.units import BAR_TO_PA


def pack_suspension(w: SlotWriter, x: PackInputs) -> None:
    """[suspension_front], [suspension_rear]: springs, dampers, stops (physics.md §6.1)."""
    sus = per_wheel(x.vehicle.suspension_front, x.vehicle.suspension_rear)
    clicks = np.array([1.0 + 0.05 * s.damper_clicks for s in sus])  # estimate: +5 % per click
    w["K_S"] = [s.spring_rate_N_per_m for s in sus]
    w["PRELOAD"] = x.geometry.static_spring_force_N
    w["C_COMP"] = np.array([s.damper_compression_Ns_per_m for s in sus]) * clicks
    w["C_REB"] = np.array([s.damper_rebound_Ns_per_m for s in sus]) * clicks
    w["D_DIG"] = [s.damper_digressivity_s_per_m for s in sus]
    w["BUMP"] = [s.bump_travel_m for s in sus]
    w["DROOP"] = [s.droop_travel_m for s in sus]
    w["ENDZ_START"] = [s.bump_travel_m * (1.0 - s.damper_end_zone_fraction) for s in sus]
    w["ENDZ_MULT"] = [s.damper_end_zone_multiplier for s in sus]
    w["BS_LEN"] = [s.bump_stop_length_m for s in sus]
    w["BS_F"] = [s.bump_stop_force_full_N for s in sus]
    w["BS_P"] = [s.bump_stop_exponent for s in sus]
    w["BS_C"] = [s.bump_stop_damping_Ns_per_m for s in sus]
    w["DROOP_K"] = [s.droop_stop_rate_N_per_m for s in sus]


SUSPENSION = ParamBlock(
    "suspension",
    (
        ("K_S", 4),
        ("PRELOAD", 4),
        ("C_COMP", 4),
        ("C_REB", 4),
        ("D_DIG", 4),
        ("BUMP", 4),
        ("DROOP", 4),
        ("ENDZ_START", 4),
        ("ENDZ_MULT", 4),
        ("BS_LEN", 4),
        ("BS_F", 4),
        ("BS_P", 4),
        ("BS_C", 4),
        ("DROOP_K", 4),
    ),
    pack_suspension,
)


def pack_tyre(w: SlotWriter, x: PackInputs) -> None:
    """[tyre] + pressures: TMeasy, vertical stiffness, rolling resistance (physics.md §5.1-5.2)."""
    t = x.vehicle.tyre
    w["R0"] = t.unloaded_radius_m
    w["TYRE_W"] = t.width_m
    w["TYRE_H"] = t.section_height_m
    w["J_W"] = t.spin_inertia_kgm2
    w["KZ_T"] = x.geometry.tyre_stiffness_N_per_m
    w["CZ_T"] = t.vertical_damping_Ns_per_m
    w["FZ_NOM"] = t.nominal_load_N
    for key in ("dfx0", "fxm", "fxs", "dfy0", "fym", "fys"):
        w[key.upper()] = getattr(t, f"{key}_N")
    for key in ("sxm", "sxs", "sym", "sys"):
        w[key.upper()] = getattr(t, key)
    w["V_N"] = t.rolling_speed_regulariser_mps
    # hard-road rolling resistance f = a + b v^2 at each wheel's pressure [S68]
    rr = [rolling_resistance_coefficients(float(p)) for p in x.tyre_pressures_bar]
    w["RR_A"] = [a for a, _ in rr]
    w["RR_B"] = [b for _, b in rr]


TYRE = ParamBlock(
    "tyre",
    (
        ("R0", 1),
        ("TYRE_W", 1),
        ("TYRE_H", 1),  # section height, m (WES sand numeric)
        ("J_W", 1),
        ("KZ_T", 4),
        ("CZ_T", 1),
        ("FZ_NOM", 1),
        ("DFX0", 2),
        ("FXM", 2),
        ("SXM", 2),
        ("FXS", 2),
        ("SXS", 2),
        ("DFY0", 2),
        ("FYM", 2),
        ("SYM", 2),
        ("FYS", 2),
        ("SYS", 2),
        ("V_N", 1),
        ("RR_A", 4),
        ("RR_B", 4),  # hard-road rolling resistance f = A + B v^2 per wheel
    ),
    pack_tyre,
)


def pack_surfaces(w: SlotWriter, x: PackInputs) -> None:
    """Surface table (model.surfaces) + per-wheel Bekker R_c(W) tables and the WES sand
    gradient (physics.md §5.1, §5.3, §5.4)."""
    t, p_bar = x.vehicle.tyre, x.tyre_pressures_bar
    surf = [SURFACE_TABLE[s] for s in SURFACES]
    w["SURF_MU"] = [s.mu_scale for s in surf]
    w["SURF_RR"] = [s.rolling_scale for s in surf]
    w["SURF_SM"] = [s.slip_peak_scale for s in surf]
    w["SURF_FS"] = [s.sliding_ratio for s in surf]
    w["SURF_SOFT"] = [1.0 if s.soil is not None else 0.0 for s in surf]
    w["SURF_SAND_G"] = [s.soil.sand_gradient_Pa_per_m if s.soil else 0.0 for s in surf]
    w_max = 4.0 * t.nominal_load_N
    loads = np.linspace(0.0, w_max, N_RC)
    table = np.zeros((len(SURFACES), 4, N_RC))
    pc = t.carcass_pressure_kPa * 1000.0
    for k, s in enumerate(surf):
        if s.soil is None:
            continue
        for i in range(4):
            table[k, i] = compaction_table(
                s.soil, loads, 2.0 * t.unloaded_radius_m, t.width_m, p_bar[i] * BAR_TO_PA, pc
            )
    w["RC_WMAX"] = w_max
    w["RC_TABLE"] = table.ravel()
    w["SAND_SPEED_REF"] = SAND_SPEED_REF_MPS


SURFACES_BLOCK = ParamBlock(
    "surfaces",
    (
        ("SURF_MU", N_SURF),
        ("SURF_RR", N_SURF),
        ("SURF_SM", N_SURF),
        ("SURF_FS", N_SURF),
        ("SURF_SOFT", N_SURF),
        ("SURF_SAND_G", N_SURF),  # WES cone-index gradient G per surface, Pa/m (0: no soil)
        ("RC_WMAX", 1),
        ("RC_TABLE", N_SURF * 4 * N_RC),  # Bekker R_c(W) per surface, wheel
        ("SAND_SPEED_REF", 1),
    ),
    pack_surfaces,
)
