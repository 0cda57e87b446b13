"""The public Python API: load a vehicle, load a stage, simulate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from raidsim.model.ambient import Ambient
from raidsim.model.loader import load_vehicle
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.route.terrain import load_stage as _load_stage
from raidsim.sim.transient import Run
from raidsim.sim.transient import simulate as _simulate

__all__ = ["load_stage", "load_vehicle", "simulate"]


def load_stage(name_or_path: str | Path = "default", seed: int | None = None) -> Stage:
    """Load a shipped stage (``"default"``, ``"dakar-2026/6"``; see
    :func:`raidsim.route.stage.stage_names`), a stage TOML or a route file; ``seed``
    overrides the definition's terrain seed."""
    return _load_stage(name_or_path, seed)


def simulate(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    out_dir: Path | str | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    channel_rates: Mapping[str, float] | None = None,
    on_rows: Callable[[NDArray[np.float64]], None] | None = None,
) -> Run:
    """Run the transient twin over the whole stage (see :func:`raidsim.sim.transient.simulate`).

    Without ``out_dir`` ``Run.telemetry`` is in memory (float64, every channel at
    ``settings.sample_rate_hz``); with it the telemetry streams to the compact
    ``out_dir/telemetry.parquet`` (``channel_rates``: Hz per channel name or pattern) and
    ``Run.telemetry`` reads the file when first asked.
    """
    return _simulate(
        vehicle,
        stage,
        ambient,
        settings,
        out_dir,
        on_progress,
        channel_rates=channel_rates,
        on_rows=on_rows,
    )
