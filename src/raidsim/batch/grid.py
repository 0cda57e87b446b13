"""The grid of a batch: stages x setup variants x seeds x ambient temperatures.

The weather follows the one rule of :mod:`raidsim.model.ambient`: ``ambient_C``,
``altitude_m`` and ``headwind_mps`` when the grid gives them, else each stage's own (a
shipped rally stage: its rally.toml temperature and altitude; any other: 35 °C at sea
level), resolved once here, per stage, into each run's task.

A grid is a :class:`BatchGrid` (validated pydantic, frozen, unknown keys refused), built
from the command line or read from a TOML file::

    vehicle = "d7x-r"
    stages = ["dakar-2026/1", "stages/hegra.toml"]   # shipped names, TOML or route files
    seeds = [0, 1, 2]                                  # terrain seeds
    ambient_C = [35.0, 45.0]

    [[setups]]
    name = "base"                                      # no changes

    [[setups]]
    name = "fd43"
    final_drive = 4.3                                  # any ``--setup`` key

:func:`expand` turns it into the runs, in grid order (stage, then setup, then seed, then
ambient), each with a folder name (its key) made of the four labels. Everything a run
needs travels in its :class:`RunTask` (a few hundred bytes), so a worker needs no file of
the driver's except the stage files the grid names.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient, Conditions

__all__ = ["BatchGrid", "RunTask", "SetupVariant", "expand", "load_grid", "slug"]

#: the most runs one batch directory may plan
MAX_RUNS = 100_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")


def slug(text: str) -> str:
    """A file-name-safe label: ``dakar-2026/8`` -> ``dakar-2026-8``."""
    out = _UNSAFE.sub("_", text.replace("/", "-").replace("\\", "-")).strip("._-")
    return out or "x"


#: file suffixes dropped from a stage's folder label (``stages/hegra.toml`` -> ``hegra``)
_STAGE_SUFFIXES = (".toml", ".gpx", ".geojson", ".json", ".csv")


def stage_label(stage: str) -> str:
    """The folder label of a stage argument: a file's stem, or the shipped name."""
    if stage.lower().endswith(_STAGE_SUFFIXES):
        return slug(Path(stage).stem)
    return slug(stage)


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SetupVariant(_M):
    """A named set of ``--setup`` changes (``{}``: the preset as it is)."""

    name: str = Field(min_length=1, max_length=60)
    changes: dict[str, float | int | str | bool] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if slug(v) != v:
            raise ValueError(f"setup name {v!r}: use letters, digits and . _ - = only")
        return v


class BatchGrid(_M):
    """What a batch runs: every stage x setup x seed x ambient temperature."""

    stages: list[str] = Field(min_length=1)
    vehicle: str = "d7x-r"
    setups: list[SetupVariant] = Field(default_factory=lambda: [SetupVariant(name="base")])
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    #: None: each stage's own conditions (its rally.toml's, else the defaults)
    ambient_C: list[float] | None = Field(default=None, min_length=1)
    altitude_m: float | None = None
    headwind_mps: float | None = None
    sample_rate_hz: float = 100.0
    channel_rates: dict[str, float] = Field(default_factory=dict)

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: list[int]) -> list[int]:
        bad = [s for s in v if not 0 <= s <= 2**32 - 1]
        if bad:
            raise ValueError(f"seeds must lie between 0 and 4294967295, got {bad[0]}")
        return v

    def hash(self) -> str:
        """SHA-256 of the grid's JSON (what a resume must match)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RunTask:
    """One run of the grid: what a worker needs to make it, and its folder name."""

    index: int
    key: str
    stage: str
    setup: str
    changes: dict[str, Any]
    seed: int
    ambient_C: float
    vehicle: str
    altitude_m: float = 0.0
    headwind_mps: float = 0.0
    sample_rate_hz: float = 100.0
    channel_rates: dict[str, float] = field(default_factory=dict)
    #: where each of the weather values came from (the grid, the stage's rally.toml or the
    #: default): the run's summary records it
    conditions_source: dict[str, str] = field(default_factory=dict)

    def conditions(self) -> Conditions:
        """The run's weather, as :func:`expand` resolved it."""
        ambient = Ambient(
            temp_C=self.ambient_C, altitude_m=self.altitude_m, headwind_mps=self.headwind_mps
        )
        return Conditions(ambient, dict(self.conditions_source))

    def labels(self) -> dict[str, Any]:
        """The run's coordinates in the grid (the results table's first columns)."""
        return {
            "run": self.key,
            "index": self.index,
            "stage_arg": self.stage,
            "setup": self.setup,
            "setup_changes": json.dumps(self.changes, sort_keys=True),
            "seed": self.seed,
            "ambient_C": self.ambient_C,
        }


def _duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    return [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]


def expand(grid: BatchGrid) -> list[RunTask]:
    """The grid's runs in grid order; ConfigError for repeated entries or too many runs."""
    for what, values in (
        ("stages", grid.stages),
        ("setup names", [s.name for s in grid.setups]),
        ("seeds", grid.seeds),
        ("ambient temperatures", grid.ambient_C or []),
    ):
        dup = _duplicates(list(values))
        if dup:
            raise ConfigError(f"batch grid: {what} repeat {dup[0]!r}; give each once")
    stage_slugs = [stage_label(s) for s in grid.stages]
    dup = _duplicates(stage_slugs)
    if dup:
        raise ConfigError(
            f"batch grid: two stages share the folder label {dup[0]!r}; rename one file"
        )
    temps: list[float | None] = [None] if grid.ambient_C is None else list(grid.ambient_C)
    total = len(grid.stages) * len(grid.setups) * len(grid.seeds) * len(temps)
    if total > MAX_RUNS:
        raise ConfigError(f"batch grid: {total:,} runs, more than the {MAX_RUNS:,} one batch holds")
    tasks: list[RunTask] = []
    for stage, stage_slug in zip(grid.stages, stage_slugs, strict=True):
        weather = [stage_weather(grid, stage, temp) for temp in temps]
        for setup in grid.setups:
            for seed in grid.seeds:
                for cond in weather:
                    amb = cond.ambient
                    key = f"{stage_slug}__{setup.name}__seed{seed}__{amb.temp_C:g}C"
                    tasks.append(
                        RunTask(
                            index=len(tasks),
                            key=key,
                            stage=stage,
                            setup=setup.name,
                            changes=dict(setup.changes),
                            seed=seed,
                            ambient_C=amb.temp_C,
                            vehicle=grid.vehicle,
                            altitude_m=amb.altitude_m,
                            headwind_mps=amb.headwind_mps,
                            sample_rate_hz=grid.sample_rate_hz,
                            channel_rates=dict(grid.channel_rates),
                            conditions_source=dict(cond.sources),
                        )
                    )
    return tasks


#: a grid field -> the source a run's summary names for it
GRID_SOURCES = {
    "temp_C": "batch grid ambient_C",
    "altitude_m": "batch grid altitude_m",
    "headwind_mps": "batch grid headwind_mps",
}


def stage_weather(grid: BatchGrid, stage: str, temp_C: float | None) -> Conditions:
    """The conditions of a run of ``stage`` at ``temp_C`` (None: not given): the grid's
    values over the stage's own (:func:`raidsim.route.catalogue.catalogue_conditions`).
    ConfigError naming the grid field for a value out of range."""
    from raidsim.route.catalogue import catalogue_conditions

    own = catalogue_conditions(stage) if not Path(stage).suffix else None
    return (own or Conditions()).with_values(
        GRID_SOURCES,
        temp_C=temp_C,
        altitude_m=grid.altitude_m,
        headwind_mps=grid.headwind_mps,
    )


def load_grid(path: Path | str) -> BatchGrid:
    """Read a grid TOML (see the module docstring). Stage and vehicle paths relative to the
    file resolve against its directory when they exist there; ``[[setups]]`` tables take
    ``name`` plus ``--setup`` keys. ConfigError names the file and the field."""
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"--grid {p}: is a directory; give a grid TOML file")
    try:
        raw = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--grid {p}: file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"--grid {p}: not a readable TOML file ({exc})") from exc

    def near(value: Any) -> Any:
        if isinstance(value, str) and not Path(value).is_absolute():
            candidate = p.parent / value
            if candidate.exists():
                return str(candidate)
        return value

    if isinstance(raw.get("stages"), list):
        raw["stages"] = [near(s) for s in raw["stages"]]
    if "vehicle" in raw:
        raw["vehicle"] = near(raw["vehicle"])
    setups = raw.get("setups")
    if isinstance(setups, list):
        raw["setups"] = [
            {"name": s.get("name"), "changes": {k: v for k, v in s.items() if k != "name"}}
            if isinstance(s, dict)
            else s
            for s in setups
        ]
    try:
        return BatchGrid.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"--grid {p}: {where}: {first['msg']}") from None
