"""The public Python API: load a vehicle, load a stage, simulate."""

from __future__ import annotations

from pathlib import Path

from raidsim.model.loader import load_vehicle
from raidsim.route.stage import Stage
from raidsim.route.terrain import load_stage as _load_stage

# the runner's simulate, re-exported as it is (its docstring is the API's)
from raidsim.sim.transient import simulate

__all__ = ["load_stage", "load_vehicle", "simulate"]


def load_stage(name_or_path: str | Path = "default", seed: int | None = None) -> Stage:
    """Load a shipped stage (``"default"``, ``"dakar-2026/6"``; see
    :func:`raidsim.route.stage.stage_names`), a stage TOML or a route file; ``seed``
    overrides the definition's terrain seed."""
    return _load_stage(name_or_path, seed)
