"""The QSS stage estimate: plan, tables, one forward pass with heat, summary."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numba import njit

import raidsim.sim.qss.forward as forward
from raidsim.control.limits import Limit
from raidsim.io.summary import StageSummary
from raidsim.model.ambient import Ambient, Conditions
from raidsim.model.derived import vehicle_limit_mps
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim import indices as ix
from raidsim.sim import time_loss
from raidsim.sim.assemble import assemble
from raidsim.sim.context import context_fields
from raidsim.sim.fuel_range import fuel_watch
from raidsim.sim.jit import recompile
from raidsim.sim.plan import RouteArrays
from raidsim.sim.qss.heat import trace_from
from raidsim.sim.qss.result import QssResult
from raidsim.sim.qss.tables import (
    full_load_tables,
    full_throttle_forces_N,
    static_wheel_loads_N,
    surface_table,
)
from raidsim.sim.ride.limits import planned_route_arrays
from raidsim.units import KMH_PER_MPS

#: grade clip: the lip of a jump drops the ground by metres within one grid step; the
#: car flies over it, it does not fall down it (a landing gives no forward speed)
MAX_GRADE = 0.6
#: speed-grid points above the plan's top speed in the full-load tables
TABLE_MARGIN_POINTS = 40


@njit(cache=True)
def preview_ceiling(vt: np.ndarray, preview_s: float, ds: float) -> np.ndarray:
    """What the transient driver aims at: min(v_t(s), v_t(s + v_t(s) t_preview))."""
    n = vt.shape[0]
    out = vt.copy()
    for i in range(n):
        j = i + int(vt[i] * preview_s / ds)
        if j > n - 1:
            j = n - 1
        if vt[j] < out[i]:
            out[i] = vt[j]
    return out


def sin_grade(stage: Stage) -> np.ndarray:
    """sin(theta) of the route's grade per metre, clipped at the jump lips."""
    cl = stage.centreline
    ds = float(cl.step_m)
    z = stage.height_at(cl.s_m)
    grade = np.empty_like(z)
    grade[:-1] = np.diff(z) / ds
    grade[-1] = grade[-2] if len(z) > 1 else 0.0
    grade = np.clip(grade, -MAX_GRADE, MAX_GRADE)
    return np.ascontiguousarray(grade / np.sqrt(1.0 + grade * grade))


def _run_pass(args: tuple[Any, ...]) -> float:
    """The forward pass; a Numba cache compiled from other kernel sources (it returns
    NaN on a layout-hash mismatch) is recompiled once."""
    e_brake = forward.forward_pass(*args)
    if math.isnan(e_brake):
        recompile(forward.forward_pass)
        e_brake = forward.forward_pass(*args)
    return float(e_brake)


def estimate(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    rolling_resistance_scale: float = 1.0,
    limits: bool = True,
) -> QssResult:
    """Quasi-steady-state estimate of a stage (:mod:`raidsim.sim.qss`), at ``ambient`` if
    given, else at the stage's own conditions (``stage.conditions``: a shipped rally
    stage's rally.toml weather); the summary records which, and where it came from.

    ``rolling_resistance_scale`` scales rolling and compaction resistance (a
    correlation factor: :mod:`raidsim.correlate.fit`). ``limits=False`` leaves out what
    bound the speed per metre (``result.limits``, ``summary["time_loss"]``): the time, fuel
    and heat are the same, ~0.06 s per 100 km sooner."""
    conditions = Conditions.for_run(stage, ambient)  # the one place the weather is chosen
    ambient = conditions.ambient
    settings = settings or Settings()
    cl = stage.centreline
    ds = float(cl.step_m)
    run = assemble(
        vehicle, stage, settings, ambient, planned_route_arrays(vehicle, settings, stage)
    )
    route, params, state = run.route, run.params, run.state
    plan = route.target_speed
    ceiling = np.ascontiguousarray(
        preview_ceiling(plan, settings.driver.preview_time_s, ds), dtype=np.float64
    )
    n_v = int(math.ceil(float(plan.max(initial=0.0)) / forward.V_STEP_MPS)) + TABLE_MARGIN_POINTS
    tables = full_load_tables(vehicle, ambient, n_v)
    surfaces = surface_table(vehicle, settings)
    if rolling_resistance_scale != 1.0:
        params[ix.P_SURF_RR : ix.P_SURF_RR + surfaces.shape[1]] *= rolling_resistance_scale
        surfaces[forward.SURF_COMPACTION] *= rolling_resistance_scale
    n = len(cl.s_m)
    out = np.empty((forward.N_OUT_ROWS, n))
    e_brake = _run_pass(
        (
            ceiling,
            np.ascontiguousarray(stage.surface_code, dtype=np.int64),
            sin_grade(stage),
            ds,
            tables.as_tuple(),
            surfaces,
            static_wheel_loads_N(vehicle),
            state,
            params,
            out,
        )
    )
    heat = trace_from(out[forward.OUT_HEAT : forward.OUT_HEAT + forward.N_HEAT_ROWS], state)
    summary = _summary(vehicle, stage, conditions, out, e_brake, heat)
    trace = None
    if limits:
        args = (vehicle, stage, (ambient, settings), route, ceiling, out, heat)
        trace = _limit_trace(*args, (tables.force_N, surfaces))
        summary = summary.with_values(time_loss=time_loss.totals(trace))
    return QssResult(
        s_m=np.asarray(cl.s_m, dtype=np.float64),
        speed_mps=out[forward.OUT_SPEED],
        target_speed_mps=ceiling,
        time_s=out[forward.OUT_TIME],
        gear=out[forward.OUT_GEAR],
        fuel_used_kg=out[forward.OUT_FUEL],
        engine_power_kW=out[forward.OUT_POWER] / 1000.0,
        summary=summary,
        heat=heat,
        limits=trace,
    )


def _limit_trace(
    vehicle: Vehicle,
    stage: Stage,
    conditions: tuple[Ambient, Settings],
    route: RouteArrays,
    ceiling: np.ndarray,
    out: np.ndarray,
    heat: Any,
    tables: tuple[np.ndarray, np.ndarray],
) -> time_loss.LimitTrace:
    """Per metre, what bound the estimate's speed (:mod:`raidsim.sim.time_loss`): the
    forward pass is at full throttle wherever it runs below the ceiling."""
    speed = out[forward.OUT_SPEED]
    surface = np.asarray(stage.surface_code, dtype=np.int8)
    assert route.limit_code is not None
    columns = {
        "time_s": out[forward.OUT_TIME],
        "speed_mps": speed,
        "target_speed_mps": ceiling,
        "derate": heat.derate,
        "fuel_used_kg": out[forward.OUT_FUEL],
        "coolant_C": heat.coolant_C,
        "oil_C": heat.oil_C,
        "disc_max_C": heat.disc_max_C,
    }
    trace = time_loss.trace_from_columns(
        columns,
        route.target_speed,
        route.limit_code,
        surface,
        full_throttle_forces_N(vehicle, *conditions, speed, surface, tables),
        vehicle_limit_mps(vehicle),
        np.ones(len(speed), dtype=bool),
        (stage.centreline.x_m, stage.centreline.y_m),
    )
    # a metre whose time holds a bog-down's retry or the crawl after it is booked to it
    bogged = np.diff(out[forward.OUT_BOG_TIME, : len(trace.limit) + 1]) > 0.0
    if bogged.any():
        code = trace.limit.copy()
        code[: len(bogged)][bogged] = Limit.BOG_DOWN
        trace = replace(trace, limit=code)
    return trace


def _runs_dry_km(vehicle: Vehicle, stage: Stage, fuel_used_kg: np.ndarray) -> float | None:
    """Where the car's fuel load runs out before a refuel point or the finish, km
    (:mod:`raidsim.sim.fuel_range`), or None."""
    watch = fuel_watch(
        vehicle.fuel.fuel_load_L,
        vehicle.fuel.density_kg_per_L,
        [r.km for r in stage.definition.refuels],
    )
    s = stage.centreline.s_m
    k = watch.update(np.asarray(s, dtype=np.float64), fuel_used_kg)
    return None if k is None else float(s[k]) / 1000.0


def _summary(
    vehicle: Vehicle,
    stage: Stage,
    conditions: Conditions,
    out: np.ndarray,
    e_brake: float,
    heat: Any,
) -> StageSummary:
    stage_time = float(out[forward.OUT_TIME, -1])
    fuel_kg = float(out[forward.OUT_FUEL, -1])
    fuel_L = fuel_kg / vehicle.fuel.density_kg_per_L
    cl = stage.centreline
    length = float(cl.s_m[-1] - cl.s_m[0])
    return StageSummary(
        tier="qss",
        vehicle=vehicle.name,
        stage=stage.name,
        seed=int(stage.definition.seed),
        **conditions.summary_fields(),
        distance_m=length,
        stage_time_s=stage_time,
        avg_speed_kmh=length / stage_time * KMH_PER_MPS if stage_time > 0 else 0.0,
        max_speed_kmh=float(out[forward.OUT_SPEED].max() * KMH_PER_MPS),
        fuel_used_kg=fuel_kg,
        fuel_used_L=fuel_L,
        fuel_L_per_100km=fuel_L / (max(length, 1.0) / 1000.0) * 100.0,
        brake_energy_MJ=e_brake / 1e6,
        jumps=len(stage.jump_lip_s_m),
        dune_crests=len(stage.crest_s_m),
        bog_downs=int(out[forward.OUT_BOGS, -1]),
        bog_time_s=float(out[forward.OUT_BOG_TIME, -1]),
        runs_dry_km=_runs_dry_km(vehicle, stage, out[forward.OUT_FUEL]),
        max_coolant_C=float(heat.coolant_C.max()),
        max_oil_C=float(heat.oil_C.max()),
        max_brake_disc_C=float(heat.disc_max_C.max()),
        derate_time_s=heat.derate_time_s,
        min_derate=float(heat.derate.min()),
        final_filter_loading=float(heat.filter_loading[-1]),
        min_cap_factor=float(heat.cap_factor.min()),
        **context_fields(vehicle, conditions.ambient),
    )
