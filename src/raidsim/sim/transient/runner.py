"""Drive the Numba kernel chunk by chunk: progress, telemetry streaming, diagnostics.

``TransientModel`` holds the flat arrays (state, parameters, route) and advances them;
``simulate`` runs a whole stage, streaming each chunk to ``telemetry.parquet`` and
returning a :class:`Run` with the telemetry and a summary.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

import raidsim.sim.transient.step as kernel
from raidsim.errors import RaidsimError, SimulationDiverged
from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.jit import recompile
from raidsim.sim.landings import analyse_landings
from raidsim.sim.layout import (
    CHANNEL_NAMES,
    CHANNELS,
    N_CH,
    PARAM,
    STATE,
    STATUS_DIVERGED,
    STATUS_FINISHED,
    STATUS_LAYOUT_MISMATCH,
    STATUS_STUCK,
    STATUS_TIMEOUT,
)
from raidsim.sim.params import RouteArrays, build_params, build_route_arrays, initial_state


def state_name(index: int) -> str:
    """Name of a state slot, with the wheel for per-wheel states (e.g. ``OMEGA[rl]``)."""
    offsets = sorted((off, name) for name, off in STATE.items())
    for k, (off, name) in enumerate(offsets):
        end = offsets[k + 1][0] if k + 1 < len(offsets) else off + 1
        if off <= index < end:
            if end - off == 4:
                return f"{name}[{('fl', 'fr', 'rl', 'rr')[index - off]}]"
            return name
    return f"state[{index}]"


class SimulationStopped(RaidsimError):
    """The run ended before the finish (time limit or the car is stuck)."""


class TransientModel:
    """Flat arrays of one transient simulation, advanced by the Numba kernel."""

    def __init__(
        self,
        vehicle: Vehicle,
        stage: Stage,
        ambient: Ambient | None = None,
        settings: Settings | None = None,
        initial_speed_mps: float = 0.0,
    ) -> None:
        self.vehicle = vehicle
        self.stage = stage
        self.ambient = ambient or Ambient()
        self.settings = settings or Settings()
        self.params = build_params(vehicle, self.ambient, self.settings, stage)
        self.route: RouteArrays = build_route_arrays(vehicle, self.settings, stage)
        self.state = initial_state(vehicle, stage, self.params, initial_speed_mps)
        self.sample_every = int(self.params[PARAM["SAMPLE_EVERY"]])

    # -- named access -------------------------------------------------------------
    def __getitem__(self, name: str) -> float:
        return float(self.state[STATE[name]])

    def __setitem__(self, name: str, value: float) -> None:
        self.state[STATE[name]] = value

    def set_param(self, name: str, value: float) -> None:
        self.params[PARAM[name]] = value

    def param(self, name: str) -> float:
        return float(self.params[PARAM[name]])

    @property
    def time_s(self) -> float:
        return self["T"]

    # -- stepping -----------------------------------------------------------------
    def advance(self, n_steps: int) -> tuple[int, NDArray[np.float64]]:
        """Run up to ``n_steps`` steps; returns (status, sampled channel rows)."""
        out = np.empty((n_steps // self.sample_every + 1, N_CH), dtype=np.float64)
        args = (self.state, self.params, self.route.as_tuple(), out, n_steps)
        status, n, bad = kernel.step_chunk(*args)
        if status == STATUS_LAYOUT_MISMATCH:
            # a Numba cache compiled against another layout or other kernel sources
            # (Numba checks only step.py's own time stamp): recompile once
            recompile(kernel.advance, kernel.step_chunk)
            status, n, bad = kernel.step_chunk(*args)
            if status == STATUS_LAYOUT_MISMATCH:
                raise RaidsimError("kernel/layout mismatch persists after recompiling")
        rows = out[:n]
        if status == STATUS_DIVERGED:
            raise SimulationDiverged(
                self.time_s, self["S_ROUTE"], state_name(bad), float(self.state[bad])
            )
        return status, rows

    def run_for(self, duration_s: float) -> dict[str, NDArray[np.float64]]:
        """Advance by ``duration_s`` and return the sampled channels by name."""
        n = int(round(duration_s / self.settings.dt_s))
        _, rows = self.advance(n)
        return {name: rows[:, i].copy() for i, name in enumerate(CHANNEL_NAMES)}


@dataclass
class Run:
    """Result of a transient stage run."""

    telemetry: pl.DataFrame
    summary: dict[str, Any]
    out_dir: Path | None = None
    units: dict[str, str] = field(default_factory=dict)


def _schema() -> pa.Schema:
    meta = {
        b"raidsim.units": json.dumps({c.name: c.unit for c in CHANNELS}).encode(),
        b"raidsim.descriptions": json.dumps({c.name: c.description for c in CHANNELS}).encode(),
    }
    fields = [
        pa.field(
            c.name,
            pa.float64(),
            metadata={b"unit": c.unit.encode(), b"description": c.description.encode()},
        )
        for c in CHANNELS
    ]
    return pa.schema(fields, metadata=meta)


def _summary(tel: NDArray[np.float64], model: TransientModel, wall_s: float) -> dict[str, Any]:
    idx = {n: i for i, n in enumerate(CHANNEL_NAMES)}
    sim_t = model.time_s
    v = tel[:, idx["speed_mps"]] if len(tel) else np.zeros(1)
    hs = (
        np.abs(tel[:, [idx[f"halfshaft_torque_{w}_Nm"] for w in ("fl", "fr", "rl", "rr")]])
        if len(tel)
        else np.zeros((1, 4))
    )
    fuel_kg = model["FUEL_USED"]
    dist = model["S_ROUTE"]
    return {
        "vehicle": model.vehicle.name,
        "stage": model.stage.name,
        "seed": int(model.stage.definition.seed),
        "ambient_C": model.ambient.temp_C,
        "stage_time_s": sim_t,
        "distance_m": dist,
        "odometer_m": model["ODOMETER"],
        "avg_speed_kmh": dist / sim_t * 3.6 if sim_t > 0 else 0.0,
        "max_speed_kmh": float(v.max() * 3.6),
        "fuel_used_kg": fuel_kg,
        "fuel_used_L": fuel_kg / model.vehicle.fuel.density_kg_per_L,
        "max_halfshaft_torque_Nm": float(hs.max()),
        "sim_time_s": sim_t,
        "wall_time_s": wall_s,
        "real_time_factor": sim_t / wall_s if wall_s > 0 else math.inf,
        "steps": int(round(sim_t / model.settings.dt_s)),
    }


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def simulate(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    out_dir: Path | str | None = None,
    on_progress: Callable[[float, float], None] | None = None,
) -> Run:
    """Drive the whole stage with the transient model.

    Telemetry is streamed chunk by chunk to ``out_dir/telemetry.parquet`` (written to a
    temporary name and renamed when complete) and ``summary.json``. ``on_progress`` is
    called with (distance_m, stage_length_m) after every chunk.
    """
    model = TransientModel(vehicle, stage, ambient, settings)
    settings = model.settings
    chunk_steps = max(1, int(round(settings.chunk_s / settings.dt_s)))
    out_path = Path(out_dir) if out_dir is not None else None
    writer = None
    tmp_path = None
    if out_path is not None:
        out_path.mkdir(parents=True, exist_ok=True)
        tmp_path = out_path / "telemetry.parquet.partial"
        writer = pq.ParquetWriter(tmp_path, _schema(), compression="zstd")
    pieces: list[NDArray[np.float64]] = []
    t0 = time.perf_counter()
    try:
        while True:
            status, rows = model.advance(chunk_steps)
            if len(rows):
                pieces.append(rows)
                if writer is not None:
                    writer.write_table(
                        pa.Table.from_arrays(
                            [pa.array(rows[:, i]) for i in range(N_CH)], schema=_schema()
                        )
                    )
            if on_progress is not None:
                on_progress(model["S_ROUTE"], stage.length_m)
            if status == STATUS_FINISHED:
                break
            if status == STATUS_TIMEOUT:
                raise SimulationStopped(
                    f"time limit {model.param('MAX_TIME'):.0f} s reached at "
                    f"s={model['S_ROUTE']:.0f} m of {stage.length_m:.0f} m"
                )
            if status == STATUS_STUCK:
                raise SimulationStopped(
                    f"car stuck (below 1 m/s for 120 s) at t={model.time_s:.1f} s, "
                    f"s={model['S_ROUTE']:.0f} m, gear {model['GEAR']:.0f}"
                )
    except BaseException:
        if writer is not None:
            writer.close()
            assert tmp_path is not None
            tmp_path.unlink(missing_ok=True)
        raise
    wall = time.perf_counter() - t0
    tel = np.concatenate(pieces) if pieces else np.empty((0, N_CH))
    summary = _summary(tel, model, wall)
    frame = pl.DataFrame({name: tel[:, i] for i, name in enumerate(CHANNEL_NAMES)})
    landings = analyse_landings(frame, vehicle.tyre.unloaded_radius_m)
    summary["landings"] = landings.events.height
    summary["max_landing_halfshaft_torque_Nm"] = landings.max_peak_torque_Nm
    summary["flight_mode_false_triggers"] = landings.false_triggers
    dist_km = max(summary["distance_m"], 1.0) / 1000.0
    summary["fuel_L_per_100km"] = summary["fuel_used_L"] / dist_km * 100.0
    summary["max_coolant_C"] = float(frame["coolant_C"].max() or 0.0)  # type: ignore[arg-type]
    summary["max_oil_C"] = float(frame["oil_C"].max() or 0.0)  # type: ignore[arg-type]
    summary["derate_time_s"] = model["DERATE_TIME"]
    summary["max_brake_disc_C"] = max(
        float(frame[f"brake_disc_C_{w}"].max() or 0.0)  # type: ignore[arg-type]
        for w in ("fl", "fr", "rl", "rr")
    )
    summary["final_filter_loading"] = model["FILTER_LOAD"]
    if writer is not None and out_path is not None and tmp_path is not None:
        writer.close()
        os.replace(tmp_path, out_path / "telemetry.parquet")
        _atomic_json(out_path / "summary.json", summary)
    return Run(
        telemetry=frame, summary=summary, out_dir=out_path, units={c.name: c.unit for c in CHANNELS}
    )
