"""Drive the transient twin over a canonical course at one set speed and measure the
seat (docs/physics.md §13.3).

The kernel runs directly (:func:`raidsim.sim.transient.chunk.step_chunk_fresh`; the
runner's chunk loop is not needed for a 300 m course): the
plan is the set speed everywhere (no terrain limits: this is how they are measured), the
car starts at that speed in a suitable gear, and the seat's vertical acceleration is the
sprung-mass specific force less g (the crew sits close to the sprung CG; seat cushion
dynamics are left out, as in NRMM's ride runs). Returned: the mean speed actually driven
over the measured part, the absorbed power (W), the peak 30 Hz shock (g) and the tyres'
dynamic load coefficient (std / mean of the normal load, the road-holding measure) there, and
the deepest compression of any corner as a share of its bump travel. A run
that loses control or diverges returns infinite absorbed power and shock: that speed is
beyond what the crew can drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.physics.ride import absorbed_power_W, shock_filtered_mps2
from raidsim.route.stage import Stage
from raidsim.sim.assemble import assemble
from raidsim.sim.layout import (
    CH,
    N_CH,
    PARAM,
    STATUS_FINISHED,
    STATUS_RUNNING,
    WHEELS,
)
from raidsim.sim.pack import build_params
from raidsim.sim.plan import build_route_arrays
from raidsim.sim.ride.courses import RIDE_RUNUP_M
from raidsim.sim.transient.chunk import step_chunk_fresh
from raidsim.units import G_MPS2

#: flat full-load torque of the sweep car, N m: enough to hold every set speed, so the
#: table does not depend on the engine (a power, restrictor or launch change reuses it)
SWEEP_TORQUE_NM = 1500.0
#: telemetry rate of the sweep runs (the 30 Hz shock low-pass needs well above 60 Hz)
SWEEP_RATE_HZ = 500.0
#: the absorbed-power filter's start-up transient skipped in the measured part, s
SETTLE_S = 0.5


@dataclass(frozen=True)
class SeatResponse:
    speed_mps: float
    absorbed_power_W: float
    shock_peak_g: float
    load_variation: float
    #: deepest compression of any corner / its bump travel over the measured part
    travel_use: float


def sweep_settings(settings: Settings) -> Settings:
    """The settings of a sweep run: the user's, at the sweep's sample rate."""
    return settings.model_copy(update={"sample_rate_hz": SWEEP_RATE_HZ, "max_time_s": None})


def sweep_vehicle(vehicle: Vehicle) -> Vehicle:
    """The car of a sweep run: the vehicle with a flat ``SWEEP_TORQUE_NM`` engine and no
    restrictor, so it holds the set speed whatever its engine (the ride is the body,
    suspension, tyres and masses over the ground, not the power)."""
    engine = vehicle.engine.model_copy(
        update={
            "torque_curve_Nm": [SWEEP_TORQUE_NM] * len(vehicle.engine.torque_curve_Nm),
            "launch_torque_Nm": None,
        }
    )
    restrictor = vehicle.restrictor.model_copy(update={"model": "none"})
    return vehicle.model_copy(update={"engine": engine, "restrictor": restrictor})


def sweep_params(vehicle: Vehicle, settings: Settings, course: Stage) -> np.ndarray:
    """The kernel parameters of a sweep run of ``vehicle`` (:func:`sweep_vehicle`; default
    ambient: ride does not depend on it)."""
    return build_params(sweep_vehicle(vehicle), Ambient(), sweep_settings(settings), course)


def seat_response(
    vehicle: Vehicle, settings: Settings, course: Stage, speed_mps: float
) -> SeatResponse:
    """Drive ``course`` at the set speed ``speed_mps``; measure the seat after the run-up."""
    car = sweep_vehicle(vehicle)
    plan = build_route_arrays(car, settings, course, plan_speed_mps=speed_mps)
    run = assemble(car, course, sweep_settings(settings), Ambient(), plan, speed_mps)
    params, route, state = run.params, run.route, run.state
    duration_s = course.length_m / max(speed_mps, 1.0) * 1.1 + 2.0
    n_steps = int(round(duration_s / settings.dt_s))
    every = int(params[PARAM["SAMPLE_EVERY"]])
    out = np.empty((n_steps // every + 1, N_CH), dtype=np.float64)
    status, n, _ = step_chunk_fresh(state, params, route.as_tuple(), out, n_steps)
    rows = out[:n]
    inf = SeatResponse(speed_mps, math.inf, math.inf, math.inf, math.inf)
    if status not in (STATUS_RUNNING, STATUS_FINISHED) or not np.all(np.isfinite(rows)):
        return inf
    keep = rows[:, CH["distance_m"]] >= RIDE_RUNUP_M
    if np.count_nonzero(keep) < SWEEP_RATE_HZ:  # under a second measured
        return inf
    first = int(np.argmax(keep))
    start = max(0, first - int(SETTLE_S * SWEEP_RATE_HZ))
    a = rows[start:, CH["specific_force_z_mps2"]] - G_MPS2
    settle_s = (first - start) / SWEEP_RATE_HZ
    power_W = absorbed_power_W(a, SWEEP_RATE_HZ, settle_s=settle_s)
    peak_g = float(np.max(np.abs(shock_filtered_mps2(a, SWEEP_RATE_HZ)[first - start :])))
    kept = rows[keep]
    v_mean = float(np.mean(kept[:, CH["speed_mps"]]))
    loads = kept[:, [CH[f"tyre_load_{w}_N"] for w in WHEELS]]
    dlc = float(np.mean(np.std(loads, axis=0) / np.maximum(np.mean(loads, axis=0), 1.0)))
    travel = kept[:, [CH[f"suspension_travel_{w}_m"] for w in WHEELS]]
    bump = params[PARAM["BUMP"] : PARAM["BUMP"] + 4]
    travel_use = float(np.max(np.max(travel, axis=0) / bump))
    return SeatResponse(v_mean, power_W, peak_g / G_MPS2, dlc, travel_use)
