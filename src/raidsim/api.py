"""The public Python API: load a vehicle, load a stage, simulate.

``simulate`` (the transient runner, with Numba and polars behind it) is imported on first
access, so loading a vehicle or a stage does not pay for the kernel.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from raidsim.model.loader import load_vehicle

if TYPE_CHECKING:
    from raidsim.route.stage import Stage

    # the runner's simulate, re-exported as it is (its docstring is the API's)
    from raidsim.sim.runner import simulate

__all__ = ["load_stage", "load_vehicle", "simulate"]


def load_stage(name_or_path: str | Path = "default", seed: int | None = None) -> Stage:
    """Load a shipped stage (``"default"``, ``"dakar-2026/6"``; see
    :func:`raidsim.route.stage.stage_names`), a stage TOML or a route file; ``seed``
    overrides the definition's terrain seed."""
    from raidsim.route.terrain import load_stage as _load_stage

    return _load_stage(name_or_path, seed)


def __getattr__(name: str) -> Any:
    """``simulate``: the runner's, imported on first access (and kept)."""
    if name != "simulate":
        raise AttributeError(f"module 'raidsim.api' has no attribute {name!r}")
    value = importlib.import_module("raidsim.sim.runner").simulate
    globals()[name] = value
    return value
