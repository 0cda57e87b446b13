"""A transient run's :class:`~raidsim.sim.time_loss.LimitTrace`, built from the kernel's
full-rate rows chunk by chunk in constant memory per metre of the stage: the first time the
car reached each metre (and the speed, target, throttle, derate, fuel and heat there),
interpolated by :class:`raidsim.io.runs.DistanceClock`, then classified by the limit that
bound the speed (:func:`raidsim.sim.time_loss.trace_from_columns`)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from raidsim.io.runs import DistanceClock
from raidsim.model.ambient import Ambient
from raidsim.model.derived import vehicle_limit_mps
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.sim.layout import CH, WHEELS
from raidsim.sim.qss.tables import full_throttle_forces_N
from raidsim.sim.time_loss import FULL_THROTTLE, LimitTrace, trace_from_columns

F64 = NDArray[np.float64]


class TraceClock:
    """Builds a transient run's :class:`LimitTrace` from its full-rate kernel rows, chunk by
    chunk in constant memory per metre (:class:`raidsim.io.runs.DistanceClock` on the
    1 m grid of the stage)."""

    COLUMNS: tuple[str, ...] = (
        *("time_s", "speed_mps", "target_speed_mps", "throttle", "derate_factor"),
        *("fuel_used_kg", "coolant_C", "oil_C"),
    )

    def __init__(self, length_m: float) -> None:
        self.grid = np.arange(int(math.floor(length_m)) + 1, dtype=np.float64)
        self._clock = DistanceClock(self.grid, (*self.COLUMNS, "disc_max_C"))
        self._index = {name: CH[name] for name in self.COLUMNS}
        self._discs = [CH[f"brake_disc_C_{w}"] for w in WHEELS]
        self._distance = CH["distance_m"]

    def update(self, rows: F64) -> None:
        if len(rows) == 0:
            return
        values = {name: rows[:, j] for name, j in self._index.items()}
        values["disc_max_C"] = rows[:, self._discs].max(axis=1)
        self._clock.update(rows[:, self._distance], values)

    def trace(
        self,
        vehicle: Vehicle,
        ambient: Ambient,
        settings: Settings,
        plan_mps: F64,
        plan_code: NDArray[np.int8],
        surface: NDArray[np.int8],
        xy_m: tuple[F64, F64] | None = None,
    ) -> LimitTrace:
        """The trace once the run is over (the car's limits classified against the plan)."""
        cols = self._clock.result()
        cols["derate"] = cols.pop("derate_factor")
        speed = np.nan_to_num(cols["speed_mps"], nan=0.0)
        n = len(self.grid)
        sc = np.asarray(surface[:n], dtype=np.int8)
        return trace_from_columns(
            cols,
            plan_mps[:n],
            plan_code[:n],
            sc,
            full_throttle_forces_N(vehicle, ambient, settings, speed, sc),
            vehicle_limit_mps(vehicle),
            np.nan_to_num(cols["throttle"], nan=0.0) >= FULL_THROTTLE,
            xy_m,
        )
