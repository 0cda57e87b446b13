"""Assemble one run of the kernel: its parameters, its route (with the plan) and its
initial state, the one place they are put together.

:func:`assemble` is used by every caller of the kernel: the transient model
(:class:`raidsim.sim.transient.model.TransientModel`), the speed-table sweeps
(:mod:`raidsim.sim.ride.sweep`) and the QSS estimate (:mod:`raidsim.sim.qss.estimate`). It
takes the plan already made (:class:`~raidsim.sim.plan.RouteArrays`): planning, which may
run the speed-table sweeps, happens above (:func:`raidsim.sim.ride.limits.
planned_route_arrays`), never inside an assembly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.derived import geometry
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.layout import N_STATE, PARAM, STATE
from raidsim.sim.pack import build_params
from raidsim.sim.plan import RouteArrays
from raidsim.units import RPM_TO_RADPS

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Assembled:
    """The kernel's three inputs for one run: parameters (``layout.PARAM``), route arrays
    with the plan, initial state (``layout.STATE``). The arrays are the run's own: the
    kernel advances ``state`` in place."""

    params: F64
    route: RouteArrays
    state: F64


def assemble(
    vehicle: Vehicle,
    stage: Stage,
    settings: Settings,
    ambient: Ambient,
    plan: RouteArrays,
    initial_speed_mps: float = 0.0,
) -> Assembled:
    """The run of ``vehicle`` on ``stage`` at ``ambient`` with ``settings``, driving the
    planned route ``plan``, from the start line at ``initial_speed_mps``."""
    params = build_params(vehicle, ambient, settings, stage)
    return Assembled(params, plan, initial_state(vehicle, stage, params, initial_speed_mps))


def initial_state(v: Vehicle, stage: Stage, params: F64, speed_mps: float = 0.0) -> F64:
    """Car at the start line, on the route heading, at static ride height (level)."""
    geo = geometry(v)
    s = np.zeros(N_STATE, dtype=np.float64)
    cl = stage.centreline
    heading = float(cl.heading_rad[0])
    ground = float(stage.height_at(np.array([0.0]))[0])
    s[STATE["X"]] = cl.x_m[0]
    s[STATE["Y"]] = cl.y_m[0]
    s[STATE["Z"]] = ground + geo.sprung_cg_height_m
    s[STATE["PSI"]] = heading
    s[STATE["VX"]] = speed_mps * math.cos(heading)
    s[STATE["VY"]] = speed_mps * math.sin(heading)
    zu = STATE["ZU"]
    s[zu : zu + 4] = ground + geo.loaded_radius_m
    r_dyn = v.tyre.unloaded_radius_m
    om = STATE["OMEGA"]
    s[om : om + 4] = speed_mps / r_dyn
    sg = STATE["OMEGA_SG"]
    s[sg : sg + 4] = speed_mps / r_dyn
    # a gear that suits the initial speed (below 85 % of the full-throttle upshift)
    gb = v.gearbox
    gear = 1
    wheel_w = speed_mps / r_dyn
    for k, ratio in enumerate(gb.ratios):
        w_t = wheel_w * ratio * gb.final_drive_ratio * gb.transfer_ratio
        gear = k + 1
        if w_t / RPM_TO_RADPS < 0.85 * gb.upshift_rpm_full:
            break
    s[STATE["GEAR"]] = float(gear)
    w_turb = wheel_w * gb.ratios[gear - 1] * gb.final_drive_ratio * gb.transfer_ratio
    s[STATE["OMEGA_T"]] = w_turb
    s[STATE["OMEGA_E"]] = max(v.engine.idle_rpm * RPM_TO_RADPS, w_turb)
    s[STATE["FIRST_STEP"]] = 1.0
    s[STATE["TIME_IN_GEAR"]] = 10.0
    # warm engine at the start line (thermostat opening), discs and oil above ambient
    s[STATE["T_COOLANT"]] = v.cooling.thermostat_open_C
    s[STATE["T_OIL"]] = v.cooling.thermostat_open_C - 10.0
    t_air = float(params[PARAM["T_AIR"]])
    s[STATE["T_DISC"] : STATE["T_DISC"] + 4] = t_air + 20.0
    s[STATE["FAN_DUTY"]] = v.cooling.fan_duty_low
    s[STATE["DERATE"]] = 1.0
    s[STATE["CAP_FACTOR"]] = 1.0
    bt = v.brake_thermal
    mu0 = float(np.interp(t_air + 20.0, bt.pad_mu_temp_C, bt.pad_mu))
    s[STATE["MU_PAD"] : STATE["MU_PAD"] + 4] = mu0
    # mass properties at the start line; the thermal step moves them as fuel burns
    for name, size in (("M_TOTAL", 1), ("M_SPRUNG", 1), ("IYY", 1), ("IZZ", 1), ("CX", 4)):
        s[STATE[name] : STATE[name] + size] = params[PARAM[name] : PARAM[name] + size]
    s[STATE["TANK_X"]] = params[PARAM["TANK_X"]]
    s[STATE["CREW_PACE"]] = 1.0
    # the hub accelerometers read g at rest (the ground holds each wheel up)
    s[STATE["FM_HUB_F"] : STATE["FM_HUB_F"] + 4] = float(params[PARAM["G"]])
    return s
