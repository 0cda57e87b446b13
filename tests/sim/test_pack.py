"""Parameter packing (``raidsim.sim.pack``): every slot written, derived values analytic."""

from __future__ import annotations

import math

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.ambient import Ambient
from raidsim.model.derived import geometry
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.physics import restrictor
from raidsim.physics.tyre import rolling_resistance_coefficients
from raidsim.route.stage import Stage
from raidsim.sim import layout
from raidsim.sim.blocks import BLOCKS
from raidsim.sim.blocks.powertrain import ENGINE
from raidsim.sim.pack import _Writer, build_params
from raidsim.units import G_MPS2, KMH_PER_MPS

#: tables written up to their point count (the count's slot); the tail keeps the fill
COUNTED = {
    "ENG_W": "ENG_N",
    "ENG_T": "ENG_N",
    "TC_SR": "TC_N",
    "TC_K": "TC_N",
    "TC_TR": "TC_N",
    "RATIO": "N_GEARS",
    "EFF": "N_GEARS",
    "BR_MU_T": "BR_MU_N",
    "BR_MU": "BR_MU_N",
}
SIZE = layout.PARAM_SIZE
HOT_HIGH = Ambient(temp_C=42.0, altitude_m=1800.0, headwind_mps=3.0)


@pytest.fixture(scope="module")
def stage() -> Stage:
    return rs.load_stage("default")


def _slot(p: np.ndarray, name: str) -> np.ndarray:
    off = layout.PARAM[name]
    return p[off : off + SIZE[name]]


def test_every_param_slot_is_written(d7xr: Vehicle, stage: Stage) -> None:
    """A parameter added to ``layout._PARAM_SPEC`` without a packer fails here, by name."""
    p = build_params(d7xr, HOT_HIGH, Settings(), stage, fill=math.nan)
    unwritten = []
    for name in layout.PARAM:
        vals = _slot(p, name)
        n = int(_slot(p, COUNTED[name])[0]) if name in COUNTED else SIZE[name]
        assert 0 < n <= SIZE[name], name
        if np.isnan(vals[:n]).any():
            unwritten.append(name)
    assert not unwritten, f"PARAM slots build_params does not write: {unwritten}"
    # the fill reaches only the counted tables' tails: elsewhere it is the default array
    p0 = build_params(d7xr, HOT_HIGH, Settings(), stage)
    written = ~np.isnan(p)
    assert np.array_equal(p0[written], p[written])
    assert not p0[~written].any()
    assert (~written).any()  # d7x-r's 8 gears leave RATIO/EFF tails (N_GEARS_MAX 10)


def test_writer_rejects_values_past_the_slot() -> None:
    w = _Writer()
    w["CX"] = [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="CX has 4 slots"):
        w["CX"] = [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_packer_writes_only_its_own_block() -> None:
    """A slot is declared in its subsystem's block; a packer writing another block's slot
    (or an undeclared one) fails naming the block."""
    w = _Writer().for_block(ENGINE)
    w["P_CAP"] = 1.0
    with pytest.raises(KeyError, match="CX is not in block 'engine'"):
        w["CX"] = [1.0, 2.0, 3.0, 4.0]


def test_the_layout_is_the_blocks_in_order() -> None:
    """``layout.PARAM`` is the layout's fingerprint slot, then every block's slots in
    order, each block contiguous."""
    names = ["LAYOUT_HASH"] + [name for block in BLOCKS for name, _ in block.slots]
    assert list(layout.PARAM) == names
    offset = 1
    for block in BLOCKS:
        for name, size in block.slots:
            assert (layout.PARAM[name], layout.PARAM_SIZE[name]) == (offset, size), name
            offset += size
    assert offset == layout.N_PARAM


def test_static_tyre_loads_sum_to_weight(d7xr: Vehicle, stage: Stage) -> None:
    m_g = d7xr.total_mass_kg * G_MPS2
    assert geometry(d7xr).static_tyre_load_N.sum() == pytest.approx(m_g, rel=1e-12)
    # the packed spring preloads carry the weight less the unsprung masses'
    p = build_params(d7xr, Ambient(), Settings(), stage)
    sprung_g = _slot(p, "PRELOAD").sum() + _slot(p, "M_U").sum() * G_MPS2
    assert sprung_g == pytest.approx(m_g, rel=1e-12)
    assert p[layout.PARAM["G"]] == G_MPS2


def test_yaw_inertia_includes_unsprung_m_r2(d7xr: Vehicle, stage: Stage) -> None:
    c = d7xr.chassis
    a = c.cg_to_front_axle_m
    b = c.wheelbase_m - a
    m_u = [d7xr.suspension_front.unsprung_mass_kg] * 2 + [d7xr.suspension_rear.unsprung_mass_kg] * 2
    x = [a, a, -b, -b]
    y = [c.track_front_m / 2, -c.track_front_m / 2, c.track_rear_m / 2, -c.track_rear_m / 2]
    x_s = -sum(m * xi for m, xi in zip(m_u, x, strict=True)) / d7xr.sprung_mass_kg
    r2 = [(xi - x_s) ** 2 + yi**2 for xi, yi in zip(x, y, strict=True)]
    izz = c.yaw_inertia_kgm2 + sum(m * r for m, r in zip(m_u, r2, strict=True))
    p = build_params(d7xr, Ambient(), Settings(), stage)
    assert p[layout.PARAM["IZZ"]] == pytest.approx(izz, rel=1e-12)
    assert p[layout.PARAM["IZZ"]] > c.yaw_inertia_kgm2
    np.testing.assert_allclose(_slot(p, "CX"), np.array(x) - x_s, rtol=1e-12)


def test_halfshaft_modal_damping(d7xr: Vehicle, stage: Stage) -> None:
    d = d7xr.driveline
    j_w, j_sg = d7xr.tyre.spin_inertia_kgm2, d.side_gear_inertia_kgm2
    j_eq = 1.0 / (1.0 / j_w + 1.0 / j_sg)  # the two inertias in series
    c = 2.0 * d.halfshaft_damping_ratio * math.sqrt(d.halfshaft_stiffness_Nm_per_rad * j_eq)
    p = build_params(d7xr, Ambient(), Settings(), stage)
    assert p[layout.PARAM["C_HS"]] == pytest.approx(c, rel=1e-12)


@pytest.mark.parametrize("ambient", [Ambient(), HOT_HIGH])
def test_power_cap_is_the_restrictor_model(d7xr: Vehicle, stage: Stage, ambient: Ambient) -> None:
    r = d7xr.restrictor
    cap = restrictor.power_cap_W(
        r.diameter_mm / 1000.0,
        r.count,
        r.discharge_coefficient,
        r.choke_fraction,
        r.afr_full_load,
        r.bsfc_full_load_g_per_kWh,
        ambient.p_Pa,
        ambient.temp_K + r.intake_temp_rise_K,
    )
    p = build_params(d7xr, ambient, Settings(), stage)
    assert p[layout.PARAM["P_CAP"]] == cap
    # intake volume flow at the cap: mdot_air = P AFR bsfc, over the air density
    mdot_air = cap * r.afr_full_load * r.bsfc_full_load_g_per_kWh / 1000.0 / 3.6e6
    flow = mdot_air / ambient.air_density_kg_per_m3
    assert p[layout.PARAM["P_CAP_FLOW"]] == pytest.approx(flow, rel=1e-12)


def test_no_restrictor_means_no_cap(d7xr: Vehicle, stage: Stage) -> None:
    free = d7xr.with_changes(**{"restrictor.model": "none"})
    p = build_params(free, Ambient(), Settings(), stage)
    assert math.isinf(p[layout.PARAM["P_CAP"]])
    assert p[layout.PARAM["P_CAP_FLOW"]] == 0.0


def test_rolling_resistance_and_speeds(d7xr: Vehicle, stage: Stage) -> None:
    p = build_params(d7xr, Ambient(), Settings(), stage)
    p_bar = [d7xr.tyre_pressure_front_bar] * 2 + [d7xr.tyre_pressure_rear_bar] * 2
    rr = [rolling_resistance_coefficients(pb) for pb in p_bar]
    assert list(_slot(p, "RR_A")) == [a for a, _ in rr]
    assert list(_slot(p, "RR_B")) == [b for _, b in rr]
    # f = 0.005 + (1/p)(0.01 + 0.0095 (v/100 km/h)^2): at 100 km/h, a + b v^2
    v100 = 100.0 / KMH_PER_MPS
    f100 = _slot(p, "RR_A") + _slot(p, "RR_B") * v100**2
    np.testing.assert_allclose(f100, [0.005 + 0.0195 / pb for pb in p_bar], rtol=1e-12)
    lim = d7xr.limiter.speed_limit_kmh
    assert lim is not None
    assert p[layout.PARAM["V_LIM"]] == pytest.approx(lim / 3.6, rel=1e-15)
