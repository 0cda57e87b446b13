"""Single-jump scenarios: Flight Mode on vs off, and the height x speed sweep.

``run_jump`` drives the car at ``speed_kmh`` over a kicker whose lip sits ``drop_m``
above the landing (:func:`raidsim.route.scenarios.jump_stage`) and scores the landing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import jump_stage
from raidsim.sim.landings import analyse_landings
from raidsim.sim.layout import CHANNEL_NAMES
from raidsim.sim.runner import planned_model
from raidsim.units import KMH_PER_MPS

SWEEP_HEIGHTS_M = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
SWEEP_SPEEDS_KMH = (40.0, 60.0, 80.0, 100.0, 120.0, 140.0)


@dataclass(frozen=True)
class JumpResult:
    flight_mode: bool
    drop_m: float
    speed_kmh: float
    air_time_s: float
    peak_halfshaft_torque_Nm: float
    max_abs_wheel_speed_error: float
    detection_latency_s: float
    landings: int
    telemetry: pl.DataFrame

    def row(self) -> dict[str, Any]:
        return {
            "flight_mode": "on" if self.flight_mode else "off",
            "drop_m": self.drop_m,
            "speed_kmh": self.speed_kmh,
            "air_time_s": self.air_time_s,
            "peak_halfshaft_torque_Nm": self.peak_halfshaft_torque_Nm,
            "max_abs_wheel_speed_error": self.max_abs_wheel_speed_error,
            "detection_latency_s": self.detection_latency_s,
        }


def validate_jump(vehicle: Vehicle, drop_m: float, speed_kmh: float) -> None:
    if not 0.1 <= drop_m <= 5.0:
        raise ConfigError(f"--height-m={drop_m}: jump drop must lie in [0.1, 5.0] m")
    limit = vehicle.limiter.speed_limit_kmh or 250.0
    if not 20.0 <= speed_kmh <= limit:
        raise ConfigError(
            f"--speed-kmh={speed_kmh}: take-off speed must lie in [20, {limit:.0f}] km/h "
            f"(speed limiter of '{vehicle.name}')"
        )


def run_jump(
    vehicle: Vehicle,
    drop_m: float,
    speed_kmh: float,
    flight_mode: bool,
    ambient: Ambient | None = None,
) -> JumpResult:
    validate_jump(vehicle, drop_m, speed_kmh)
    car = vehicle.with_changes(**{"flight_mode.enabled": flight_mode})
    stage = jump_stage(drop_m, speed_kmh)
    model = planned_model(car, stage, ambient, initial_speed_mps=speed_kmh / KMH_PER_MPS)
    lip = float(stage.jump_lip_s_m[0])
    pieces = []
    while model["S_ROUTE"] < lip + 150.0 and model.time_s < 200.0:
        ch = model.run_for(1.0)
        pieces.append(ch)
    tel = pl.DataFrame({k: np.concatenate([p[k] for p in pieces]) for k in CHANNEL_NAMES})
    report = analyse_landings(tel, car.tyre.unloaded_radius_m)
    ev = report.events
    if ev.height == 0:
        return JumpResult(flight_mode, drop_m, speed_kmh, 0.0, 0.0, 0.0, float("nan"), 0, tel)
    main = ev.sort("air_time_s", descending=True).row(0, named=True)
    return JumpResult(
        flight_mode,
        drop_m,
        speed_kmh,
        main["air_time_s"],
        float(ev["peak_halfshaft_torque_Nm"].max()),  # type: ignore[arg-type]
        main["max_abs_wheel_speed_error"],
        main["detection_latency_s"],
        ev.height,
        tel,
    )


def sweep(
    vehicle: Vehicle,
    heights_m: tuple[float, ...] = SWEEP_HEIGHTS_M,
    speeds_kmh: tuple[float, ...] = SWEEP_SPEEDS_KMH,
    ambient: Ambient | None = None,
) -> pl.DataFrame:
    """Grid of jumps with Flight Mode on and off at ``ambient`` (default: 35 °C, sea
    level); one row per (height, speed)."""
    rows = []
    for hgt in heights_m:
        for spd in speeds_kmh:
            on = run_jump(vehicle, hgt, spd, True, ambient)
            off = run_jump(vehicle, hgt, spd, False, ambient)
            rows.append(
                {
                    "drop_m": hgt,
                    "speed_kmh": spd,
                    "air_time_s": off.air_time_s,
                    "peak_torque_off_Nm": off.peak_halfshaft_torque_Nm,
                    "peak_torque_on_Nm": on.peak_halfshaft_torque_Nm,
                    "wheel_speed_error_off": off.max_abs_wheel_speed_error,
                    "wheel_speed_error_on": on.max_abs_wheel_speed_error,
                    "detection_latency_s": on.detection_latency_s,
                }
            )
    return pl.DataFrame(rows)
