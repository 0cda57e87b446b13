"""The slow states' blocks: engine cooling ([cooling]), the sand filters with the intake
air flow at the restrictor cap, and the brake discs ([brake_thermal])."""

from __future__ import annotations

import math
from typing import Literal

from raidsim.model.surfaces import N_SURF, SURFACES
from raidsim.sim.blocks.base import N_TABLE, PackInputs, ParamBlock, SlotWriter

#: per-wheel axle names, in ``layout.WHEELS`` order (fl, fr, rl, rr)
_AXLE: tuple[Literal["front", "rear"], ...] = ("front", "front", "rear", "rear")
#: J per kWh (brake-specific fuel consumption g/kWh -> kg/J)
_J_PER_KWH = 3.6e6


def pack_cooling(w: SlotWriter, x: PackInputs) -> None:
    """[cooling]: radiator, fans, coolant loop, thermostat, oil, derates (physics.md §7.1)."""
    cl = x.vehicle.cooling
    w["CL_FRAC_FULL"] = cl.coolant_fraction_full_load
    w["CL_FRAC_PART"] = cl.coolant_fraction_part_load
    w["CL_UA_REF"] = cl.radiator_ua_ref_W_per_K
    w["CL_V_REF"] = cl.radiator_ref_face_velocity_mps
    w["CL_UA_EXP"] = cl.radiator_ua_exponent
    w["CL_FACE_A"] = cl.radiator_face_area_m2
    w["CL_K_SYS0"] = cl.radiator_k + cl.ducting_k
    w["CL_C_RAM"] = cl.ram_pressure_coefficient
    w["CL_N_FANS"] = cl.n_fans
    w["CL_FAN_DP0"] = cl.fan_dp0_Pa
    w["CL_FAN_Q0"] = cl.fan_q0_m3s
    w["CL_FAN_W"] = cl.fan_power_W
    w["CL_FAN_LOW"] = cl.fan_duty_low
    w["CL_FAN_ON"] = cl.fan_on_C
    w["CL_FAN_FULL"] = cl.fan_full_C
    w["CL_ALT_EFF"] = cl.alternator_efficiency
    w["CL_PUMP"] = cl.coolant_pump_flow_kg_s
    w["CL_CP"] = cl.coolant_cp_J_per_kgK
    w["CL_TH_OPEN"] = cl.thermostat_open_C
    w["CL_TH_FULL"] = cl.thermostat_full_C
    w["CL_TH_MIN"] = cl.thermostat_min_opening
    w["CL_C_ENG"] = cl.engine_heat_capacity_J_per_K
    w["CL_C_OIL"] = cl.oil_heat_capacity_J_per_K
    w["CL_G_LOSS"] = cl.engine_loss_W_per_K
    w["CL_G_OC"] = cl.oil_coolant_W_per_K
    w["CL_G_OA"] = cl.oil_ambient_W_per_K
    w["CL_DER_C"] = cl.coolant_derate_C
    w["CL_MAX_C"] = cl.coolant_max_C
    w["CL_DER_OIL"] = cl.oil_derate_C
    w["CL_MAX_OIL"] = cl.oil_max_C
    w["CL_FLOOR"] = cl.derate_floor


COOLING = ParamBlock(
    "cooling",
    (
        ("CL_FRAC_FULL", 1),
        ("CL_FRAC_PART", 1),
        ("CL_UA_REF", 1),
        ("CL_V_REF", 1),
        ("CL_UA_EXP", 1),
        ("CL_FACE_A", 1),
        ("CL_K_SYS0", 1),
        ("CL_C_RAM", 1),
        ("CL_N_FANS", 1),
        ("CL_FAN_DP0", 1),
        ("CL_FAN_Q0", 1),
        ("CL_FAN_W", 1),
        ("CL_FAN_LOW", 1),
        ("CL_FAN_ON", 1),
        ("CL_FAN_FULL", 1),
        ("CL_ALT_EFF", 1),
        ("CL_PUMP", 1),
        ("CL_CP", 1),
        ("CL_TH_OPEN", 1),
        ("CL_TH_FULL", 1),
        ("CL_TH_MIN", 1),
        ("CL_C_ENG", 1),
        ("CL_C_OIL", 1),
        ("CL_G_LOSS", 1),
        ("CL_G_OC", 1),
        ("CL_G_OA", 1),
        ("CL_DER_C", 1),
        ("CL_MAX_C", 1),
        ("CL_DER_OIL", 1),
        ("CL_MAX_OIL", 1),
        ("CL_FLOOR", 1),
    ),
    pack_cooling,
)


def pack_filters(w: SlotWriter, x: PackInputs) -> None:
    """[cooling] sand filters + [restrictor]: filter loading, intake air flow (physics.md §7.1)."""
    v, cap_W = x.vehicle, x.cap_W
    cl = v.cooling
    w["CL_FK_CLEAN"] = cl.filter_k_clean
    w["CL_FK_PER"] = cl.filter_k_per_loading
    w["CL_IF_AREA"] = cl.intake_filter_area_m2
    w["CL_IF_K0"] = cl.intake_filter_k_clean
    w["CL_IF_KPER"] = cl.intake_filter_k_per_loading
    w["CL_LOAD_PER_KM"] = [cl.filter_loading_per_km[s] for s in SURFACES]
    # intake air volume flow at the restrictor cap (for the intake filter drop)
    r = v.restrictor
    mdot_air = (
        0.0
        if math.isinf(cap_W)
        else cap_W * r.afr_full_load * (r.bsfc_full_load_g_per_kWh / 1000.0 / _J_PER_KWH)
    )
    w["P_CAP_FLOW"] = mdot_air / x.ambient.air_density_kg_per_m3


FILTERS = ParamBlock(
    "filters",
    (
        ("CL_FK_CLEAN", 1),
        ("CL_FK_PER", 1),
        ("CL_IF_AREA", 1),
        ("CL_IF_K0", 1),
        ("CL_IF_KPER", 1),
        ("CL_LOAD_PER_KM", N_SURF),
        ("P_CAP_FLOW", 1),
    ),
    pack_filters,
)


def pack_brake_thermal(w: SlotWriter, x: PackInputs) -> None:
    """[brake_thermal]: disc masses and geometry, vane convection, pad mu(T) (physics.md §8.1)."""
    bt = x.vehicle.brake_thermal
    w["BR_MASS"] = [getattr(bt, f"disc_mass_{a}_kg") for a in _AXLE]
    w["BR_DO"] = [getattr(bt, f"disc_diameter_{a}_m") for a in _AXLE]
    w["BR_DI"] = [getattr(bt, f"ring_inner_diameter_{a}_m") for a in _AXLE]
    w["BR_FACE_A"] = [bt.face_area_m2(a) for a in _AXLE]
    w["BR_VANE_A"] = [bt.face_area_m2(a) * bt.vane_area_ratio for a in _AXLE]
    w["BR_VANE_L"] = [bt.vane_length_m(a) for a in _AXLE]
    w["BR_DH"] = bt.vane_hydraulic_diameter_m
    w["BR_PUMP"] = bt.vane_pump_coeff
    w["BR_CP"] = bt.disc_cp_J_per_kgK
    w["BR_EMIS"] = bt.disc_emissivity
    w["BR_PART"] = bt.heat_partition
    w["BR_MU_N"] = len(bt.pad_mu)
    w["BR_MU_T"] = bt.pad_mu_temp_C
    w["BR_MU"] = bt.pad_mu
    w["BR_MU_NOM"] = bt.pad_mu_nominal


BRAKE_THERMAL = ParamBlock(
    "brake_thermal",
    (
        ("BR_MASS", 4),
        ("BR_DO", 4),
        ("BR_DI", 4),
        ("BR_FACE_A", 4),
        ("BR_VANE_A", 4),
        ("BR_VANE_L", 4),
        ("BR_DH", 1),
        ("BR_PUMP", 1),
        ("BR_CP", 1),
        ("BR_EMIS", 1),
        ("BR_PART", 1),
        ("BR_MU_N", 1),
        ("BR_MU_T", N_TABLE),
        ("BR_MU", N_TABLE),
        ("BR_MU_NOM", 1),
    ),
    pack_brake_thermal,
)
