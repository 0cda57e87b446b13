"""Physics functions against published/derived figures (physics.md)."""

from __future__ import annotations

import math

import pytest

from raidsim.physics import restrictor
from raidsim.physics.terramechanics import DRY_SAND, LETE_SAND, compaction_resistance_N
from raidsim.physics.tyre import generalised_force, load_scaled, tmeasy_forces


@pytest.mark.parametrize(("d_mm", "mdot"), [(32, 0.191), (36, 0.241), (38, 0.269), (40, 0.298)])
def test_choked_flow_table(d_mm: float, mdot: float) -> None:
    """physics.md §1.2: choked flow per diameter at Cd 1, 101.3 kPa, 25 C."""
    got = restrictor.choked_mass_flow_kg_s(d_mm / 1000, 1.0, 101.3e3, 298.15)
    assert got == pytest.approx(mdot, rel=0.01)


def test_choked_constant_0_0404() -> None:
    a = math.pi * 0.038**2 / 4
    got = restrictor.choked_mass_flow_kg_s(0.038, 1.0, 1e5, 300.0)
    assert got == pytest.approx(0.0404 * a * 1e5 / math.sqrt(300.0), rel=0.002)


def test_subsonic_shortfall() -> None:
    """pr 0.6 -> 98.9 %, 0.7 -> 93 %, 0.8 -> 82 % of choked flow (physics.md §1.1)."""
    choked = restrictor.choked_mass_flow_kg_s(0.038, 1.0, 1e5, 300.0)
    for pr, frac in ((0.6, 0.989), (0.7, 0.93), (0.8, 0.82)):
        sub = restrictor.subsonic_mass_flow_kg_s(0.038, 1.0, 1e5, 300.0, pr)
        assert sub / choked == pytest.approx(frac, abs=0.01)


def test_power_cap_table() -> None:
    """38 mm, AFR 12.5, BSFC 270 g/kWh -> 287 kW (physics.md §1.2)."""
    p = restrictor.power_cap_W(0.038, 1, 1.0, 1.0, 12.5, 270.0, 101.3e3, 298.15)
    assert p / 1000 == pytest.approx(287.0, rel=0.01)


def test_bekker_dry_sand_flexible_tyre() -> None:
    """physics.md §5.2: 35x12.5 tyre, 7 kN, dry sand: f 0.12 at 60 kPa, 0.18 at 80 kPa
    (+20 kPa carcass), rigid-acting f 0.25."""
    f60 = compaction_resistance_N(DRY_SAND, 7000.0, 0.889, 0.318, 60e3, 20e3) / 7000
    f80 = compaction_resistance_N(DRY_SAND, 7000.0, 0.889, 0.318, 80e3, 20e3) / 7000
    rigid = compaction_resistance_N(DRY_SAND, 7000.0, 0.889, 0.318, 1e6, 0.0) / 7000
    assert f60 == pytest.approx(0.12, abs=0.015)
    assert f80 == pytest.approx(0.18, abs=0.02)
    assert rigid == pytest.approx(0.25, abs=0.02)
    # LETE sand is much firmer (f ~0.01 at 60 kPa)
    assert compaction_resistance_N(LETE_SAND, 7000.0, 0.889, 0.318, 60e3, 20e3) / 7000 < 0.03


def test_tmeasy_curve_shape() -> None:
    df0, sm, fm, ss, fs = 120e3, 0.12, 6000.0, 0.9, 3800.0
    assert generalised_force(sm, df0, sm, fm, ss, fs) == pytest.approx(fm)
    assert generalised_force(2.0, df0, sm, fm, ss, fs) == pytest.approx(fs)
    eps = 1e-6
    assert generalised_force(eps, df0, sm, fm, ss, fs) / eps == pytest.approx(df0, rel=1e-3)
    # load interpolation passes through (Fn, y1) and (2 Fn, y2)
    assert load_scaled(1.0, 10.0, 17.0) == pytest.approx(10.0)
    assert load_scaled(2.0, 10.0, 17.0) == pytest.approx(17.0)


def test_tmeasy_combined_slip_friction_circle() -> None:
    """Combined force never exceeds the larger peak and points along the slip."""
    args = (123e3, 0.12, 6200.0, 0.9, 3800.0, 41.6e3, 0.388, 5400.0, 0.82, 4980.0)
    for sx, sy in ((0.3, 0.0), (0.0, 0.5), (0.2, 0.3), (-0.1, -0.2)):
        fx, fy, sec = tmeasy_forces(sx, sy, *args)
        assert math.hypot(fx, fy) <= 6200.0 + 1e-6
        assert fx * sx >= 0 and fy * sy >= 0
        assert sec >= 0
