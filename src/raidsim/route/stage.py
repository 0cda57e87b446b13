"""Stage definition (roadbook-style TOML, validated) and the built, drivable Stage.

A stage is a centre line resampled to 1 m plus per-metre surface class, speed zones,
waypoints and seeded terrain features (dune crests, jumps, whoops, rocks, cross-slope).
The same definition and seed give the same terrain, bit for bit.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import RouteError
from raidsim.model.setup import format_validation_error
from raidsim.route.centreline import Centreline
from raidsim.sim.layout import SURFACE_CODE, SURFACES

F64 = NDArray[np.float64]
SurfaceName = Literal["hard", "gravel", "rocky", "sand_firm", "sand_soft", "dune", "whoops"]
TERRAIN_STEP_M = 0.25


class _Def(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Def):
    start_km: float = Field(ge=0)
    end_km: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> Interval:
        if self.end_km <= self.start_km:
            raise ValueError(f"end_km={self.end_km} must exceed start_km={self.start_km}")
        return self


class SurfaceSection(Interval):
    surface: SurfaceName


class SpeedZone(Interval):
    limit_kmh: float = Field(gt=5, le=200)


class DuneField(Interval):
    crest_spacing_m: float = Field(gt=20, le=500)
    height_m: float = Field(gt=0.2, le=30)
    crest_speed_kmh: float = Field(default=55.0, gt=10, le=150, description="driver at crests")


class Jump(_Def):
    km: float = Field(ge=0)
    ramp_length_m: float = Field(default=12.0, gt=2, le=60)
    ramp_height_m: float = Field(default=1.0, gt=0.1, le=5)
    drop_m: float = Field(default=1.0, ge=0.0, le=10, description="lip height above landing")
    landing_slope: float = Field(default=0.0, ge=0.0, le=0.6, description="down-slope after lip")
    takeoff_speed_kmh: float = Field(default=80.0, gt=10, le=170)


class Whoops(Interval):
    wavelength_m: float = Field(default=12.0, gt=3, le=60)
    amplitude_m: float = Field(default=0.3, gt=0.02, le=1.5, description="crest to trough")


class Rocks(Interval):
    amplitude_m: float = Field(default=0.08, gt=0.0, le=0.5)


class CrossSlope(Interval):
    slope: float = Field(ge=-0.4, le=0.4, description="dz/dn, + = rising to the left")


class Waypoint(_Def):
    km: float = Field(ge=0)
    kind: Literal["WPV", "WPM", "WPS", "WPE", "WPC", "WPN", "WPP", "DSS", "ASS"] = "WPV"
    radius_m: float = Field(default=200.0, gt=0, le=5000)
    name: str = ""


class SyntheticRoute(_Def):
    """Seeded centre line: straights and arcs, rolling elevation."""

    length_km: float = Field(gt=0.2, le=1500)
    min_radius_m: float = Field(default=60.0, gt=10, le=5000)
    max_radius_m: float = Field(default=600.0, gt=10, le=20000)
    straight_m: tuple[float, float] = (100.0, 800.0)
    elevation_amplitude_m: float = Field(default=15.0, ge=0, le=500)
    elevation_wavelength_m: float = Field(default=3000.0, gt=100, le=100000)


class StageDefinition(_Def):
    name: str
    description: str = ""
    seed: int = Field(default=0, ge=0)
    synthetic_route: SyntheticRoute | None = None
    route_file: str | None = None
    default_surface: SurfaceName = "gravel"
    sections: list[SurfaceSection] = Field(default_factory=list)
    speed_zones: list[SpeedZone] = Field(default_factory=list)
    dunes: list[DuneField] = Field(default_factory=list)
    jumps: list[Jump] = Field(default_factory=list)
    whoops: list[Whoops] = Field(default_factory=list)
    rocks: list[Rocks] = Field(default_factory=list)
    cross_slopes: list[CrossSlope] = Field(default_factory=list)
    waypoints: list[Waypoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _route(self) -> StageDefinition:
        if (self.synthetic_route is None) == (self.route_file is None):
            raise ValueError("give exactly one of [synthetic_route] or route_file")
        return self


@dataclass(frozen=True)
class Stage:
    """A drivable stage: per-metre arrays along the centre line."""

    name: str
    definition: StageDefinition
    centreline: Centreline
    surface_code: NDArray[np.int8]  # per metre
    speed_limit_mps: F64  # per metre, inf where none (zones)
    feature_speed_cap_mps: F64  # per metre (jumps, crests), inf where none
    feature_height_m: F64  # at TERRAIN_STEP_M
    cross_slope: F64  # per metre
    rock_amplitude_m: F64  # per metre
    jump_lip_s_m: F64 = field(default_factory=lambda: np.zeros(0))

    @property
    def length_m(self) -> float:
        return self.centreline.length_m

    def surface_mix(self) -> dict[str, float]:
        """Fraction of the length on each surface class."""
        counts = np.bincount(self.surface_code.astype(np.int64), minlength=len(SURFACES))
        total = counts.sum()
        return {name: float(counts[i] / total) for i, name in enumerate(SURFACES) if counts[i]}

    def height_at(self, s_m: F64) -> F64:
        """Centre-line ground height (route elevation + features) at distances s_m."""
        cl = self.centreline
        base = np.interp(s_m, cl.s_m, cl.z_m)
        grid = np.arange(len(self.feature_height_m)) * TERRAIN_STEP_M
        return np.asarray(base + np.interp(s_m, grid, self.feature_height_m), dtype=np.float64)


def stage_names() -> list[str]:
    root = resources.files("raidsim.route") / "stages"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def load_stage_definition(name_or_path: str | Path) -> tuple[StageDefinition, Path | None]:
    """Read and validate a stage TOML (package stage name or file path)."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise RouteError(f"stage file not found: {candidate}")
        text = candidate.read_text(encoding="utf-8")
        source, base = str(candidate), candidate.parent
    else:
        name = str(name_or_path)
        if name not in stage_names():
            raise RouteError(
                f"unknown stage '{name}' (shipped: {', '.join(stage_names())}; "
                "or give a path to a .toml, .gpx, .geojson or .csv file)"
            )
        text = (resources.files("raidsim.route") / "stages" / f"{name}.toml").read_text("utf-8")
        source, base = f"stage {name}.toml", None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RouteError(f"{source}: not valid TOML ({exc})") from exc
    try:
        return StageDefinition.model_validate(data), base
    except ValidationError as exc:
        raise RouteError(format_validation_error(exc, source)) from exc


def surface_code(name: str) -> int:
    return SURFACE_CODE[name]
