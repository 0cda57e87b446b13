"""Heat along the QSS trace (raidsim.sim.qss_thermal) against the transient tier, which
runs the same thermal step on its own operating points (physics.md §3.2, §7)."""

from __future__ import annotations

import numpy as np
import pytest

import raidsim as rs
from raidsim.model.vehicle import Vehicle
from raidsim.physics.converter import converter_part_load
from raidsim.route.scenarios import straight_stage
from raidsim.sim.qss import estimate
from raidsim.sim.runner import planned_model

HOT = rs.Ambient(temp_C=50.0)


def _with_cooling(car: Vehicle, **changes: float) -> Vehicle:
    return car.model_copy(update={"cooling": car.cooling.model_copy(update=changes)})


def _transient_over(car: Vehicle, stage: rs.Stage, seconds: float, v0_mps: float) -> tuple:
    m = planned_model(car, stage, HOT, initial_speed_mps=v0_mps)
    return m, m.run_for(seconds)


#: soft-sand grades both tiers climb from standstill: with the sand tyre law (physics.md
#: §5.4) the D7X-R's pull on dry sand at 1.6/1.8 bar, its wheels spun out to the sliding
#: slip, is about 0.44 of its weight against 0.25 of compaction at walking pace
#: the tier gap still open (issue 24): the QSS now takes the tyres' pull at the slip the
#: kernel's wheels run at (time and fuel agree in the dunes), but on a walking-pace 10 %
#: soft-sand climb the transient's transmission oil runs 19 C hotter (110.1 against
#: 90.7 C at 30 km/h) and its derate is shallower (0.78 against 0.74): the converter and
#: the wheels slip there in ways the steady state does not hold
TIER_GAP_IN_SOFT_SAND = pytest.mark.xfail(
    strict=True,
    reason="oil 19 C hotter in the transient on a 10 % soft-sand climb at 30 km/h (issue 24)",
)


@pytest.mark.parametrize(
    ("grade", "limit_kmh"),
    [pytest.param(0.10, 30.0, marks=TIER_GAP_IN_SOFT_SAND), (0.08, 60.0)],
)
def test_slow_soft_sand_climb_heat_matches_the_transient(
    d7xr: Vehicle, grade: float, limit_kmh: float
) -> None:
    """50 C, soft-sand climbs below lock-up speed (converter slipping at part throttle)
    and above it: coolant and transmission-oil peaks within 2.5 C of the transient's."""
    stage = straight_stage(4000.0, grade=grade, surface="sand_soft", limit_kmh=limit_kmh)
    q = estimate(d7xr, stage, HOT)
    assert q.heat is not None
    _, ch = _transient_over(d7xr, stage, 0.95 * float(q.time_s[-1]), limit_kmh / 3.6)
    reach = int(min(np.asarray(ch["distance_m"])[-1], len(q.s_m) - 1))
    assert q.heat.coolant_C[:reach].max() == pytest.approx(np.max(ch["coolant_C"]), abs=2.5)
    assert q.heat.oil_C[:reach].max() == pytest.approx(np.max(ch["oil_C"]), abs=2.5)
    assert q.summary["max_coolant_C"] > HOT.temp_C + 40.0  # hot, not a flat line


@TIER_GAP_IN_SOFT_SAND
def test_derate_time_matches_the_transient(d7xr: Vehicle) -> None:
    """With the ECU derate lowered to 100-106 C the climb runs derated most of the way:
    time under derate within 10 % and the deepest derate within 0.02 of the transient."""
    car = _with_cooling(d7xr, coolant_derate_C=100.0, coolant_max_C=106.0)
    stage = straight_stage(4000.0, grade=0.10, surface="sand_soft", limit_kmh=30.0)
    q = estimate(car, stage, HOT)
    m, ch = _transient_over(car, stage, float(q.time_s[-1]), 30.0 / 3.6)
    assert q.summary["derate_time_s"] > 0.5 * float(q.time_s[-1])
    assert q.summary["derate_time_s"] == pytest.approx(m["DERATE_TIME"], rel=0.10)
    assert q.summary["min_derate"] == pytest.approx(float(np.min(ch["derate_factor"])), abs=0.02)
    # the stock calibration (derate from 112 C) does not derate here
    assert estimate(d7xr, stage, HOT).summary["derate_time_s"] == 0.0


def test_derate_costs_time_where_the_torque_is_needed(d7xr: Vehicle) -> None:
    """A deep derate (floor 0.3) on a climb that needs most of the torque: slower than the
    same car without derate, and the derate caps the coolant peak."""
    stage = straight_stage(4000.0, grade=0.10, surface="sand_soft", limit_kmh=60.0)
    hot_car = _with_cooling(d7xr, coolant_derate_C=98.0, coolant_max_C=104.0, derate_floor=0.3)
    free = _with_cooling(d7xr, coolant_derate_C=150.0, coolant_max_C=160.0)
    a = estimate(hot_car, stage, HOT).summary
    b = estimate(free, stage, HOT).summary
    assert a["derate_time_s"] > 0.0 and b["derate_time_s"] == 0.0
    assert a["stage_time_s"] > b["stage_time_s"] * 1.02
    assert a["max_coolant_C"] < b["max_coolant_C"]


@pytest.mark.parametrize(("w_t", "t_turb"), [(40.0, 200.0), (80.0, 400.0), (150.0, 150.0)])
def test_converter_part_load_solves_the_two_map_model(
    d7xr: Vehicle, w_t: float, t_turb: float
) -> None:
    """T_turb = TR(SR) (w_e / K(SR))^2 with SR = w_t / w_e (physics.md §3.2), slip >= 0."""
    cv = d7xr.converter
    sr_tab = np.array(cv.speed_ratio)
    k_tab = np.array(cv.capacity_factor_radps_per_sqrtNm)
    tr_tab = np.array(cv.torque_ratio)
    idle = d7xr.engine.idle_rpm * np.pi / 30.0
    w_e, t_imp = converter_part_load(w_t, t_turb, idle, sr_tab, k_tab, tr_tab, len(sr_tab))
    sr = w_t / w_e
    assert w_e >= idle and 0.0 < sr < 1.0
    tr = float(np.interp(sr, sr_tab, tr_tab))
    assert tr * t_imp == pytest.approx(t_turb, rel=1e-6)
    if w_e > idle:  # on the map (not idling with a creeping converter)
        k = float(np.interp(sr, sr_tab, k_tab))
        assert t_imp == pytest.approx((w_e / k) ** 2, rel=1e-3)
    assert t_imp * w_e >= t_turb * w_t  # the converter only loses power
