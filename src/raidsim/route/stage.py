"""Stage definition (roadbook-style TOML, validated) and the built, drivable Stage.

A stage is a centre line resampled to 1 m plus per-metre surface class, speed zones,
waypoints, refuels and seeded terrain features (dune crests, jumps, whoops, rocks,
cross-slope). The same definition and seed give the same terrain, bit for bit.

Roadbook TOML keys (all distances in km from the start of the special, DSS = 0 km):

* ``synthetic_route`` table or ``route_file`` (GPX/GeoJSON/CSV, relative to the TOML);
* surface: ``default_surface``, then ``surface_by_km`` (one class per started km, an
  alternative to listing intervals), then ``[[sections]]`` intervals, then dune fields
  (which set ``dune``) override in that order;
* ``[[speed_zones]]`` (DZ/FZ with limit), ``[[waypoints]]`` (WPV/WPM/WPS/WPE/WPC/WPN/WPP,
  DSS/ASS, validation radius and opening radius), ``[[refuels]]``, ``[[dangers]]`` (level
  1-3), ``[[neutralizations]]`` (a neutralized stop, s); an OpenRally GPX carries the same
  (:mod:`raidsim.route.openrally`);
* roughness (ISO 8608, :mod:`raidsim.route.roughness`): all ground carries the default
  class of its surface (:data:`raidsim.model.surfaces.ROUGHNESS_CLASS`); a ``[[sections]]``
  entry may set ``roughness`` to a class letter ("A".."H") or a Gd(n0) in m^3 instead
  ("default" or no key: its surface's class). ``roughness_scale`` multiplies every Gd(n0)
  of the stage, ``dune_height_scale`` every dune field's height, ``dune_spacing_scale``
  (1-20) every field's crest spacing along the line (how often the line crosses a crest)
  and ``dune_slope_scale`` (at most 1) the slope of every dune face along the line: the terrain
  calibration (:mod:`raidsim.correlate.terrain`, docs/physics.md §13.4), properties of
  the ground, the same for every car.
  ``tarmac`` is asphalt (an alias of ``hard`` with roughness class A);
* seeded features: ``[[dunes]]`` (landforms: kind, height, spacing, windward and slip
  faces, the crew's crossing angle and crest runs; docs/physics.md §14.1), ``[[jumps]]``,
  ``[[whoops]]``, ``[[rocks]]``, ``[[cross_slopes]]``;
* itinerary data, not used by the transient run: ``date``, ``start``, ``finish`` and
  ``liaison_km`` (road sections to and from the special, reported separately; see
  :func:`raidsim.route.catalogue.liaison_time_s`).

Intervals of one kind must not overlap; positions beyond the route end are rejected when
the stage is built (the length of a route file is known only then).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import RouteError
from raidsim.model.ambient import ARGUMENT_SOURCE, Conditions
from raidsim.model.setup import format_validation_error, read_text_file
from raidsim.model.surfaces import (
    ROUGHNESS_CLASS,
    STAGE_SURFACE_CODE,
    SURFACES,
    StageSurfaceName,
)
from raidsim.route.centreline import Centreline

F64 = NDArray[np.float64]
TERRAIN_STEP_M = 0.25


class _Def(BaseModel):
    # defer_build: each schema is built on its first validation, not at import (start-up)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Interval(_Def):
    start_km: float = Field(ge=0)
    end_km: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> Interval:
        if self.end_km <= self.start_km:
            raise ValueError(f"end_km={self.end_km} must exceed start_km={self.start_km}")
        return self


Roughness = Literal["A", "B", "C", "D", "E", "F", "G", "H", "default"] | float


class SurfaceSection(Interval):
    surface: StageSurfaceName
    roughness: Roughness | None = Field(
        default=None,
        description='ISO 8608 class "A".."H", Gd(n0) in m^3 (n0 = 0.1 cycles/m) or "default"',
    )

    @model_validator(mode="after")
    def _roughness(self) -> SurfaceSection:
        r = self.roughness
        if isinstance(r, float) and not (math.isfinite(r) and 0.0 < r <= 0.1):
            raise ValueError(f"roughness = {r} m^3: Gd(n0) must lie in (0, 0.1] m^3")
        return self

    def roughness_gd_m3(self) -> float:
        """Gd(n0) in m^3 of this section's roughness (its surface's class unless it gives
        a class or a value)."""
        from raidsim.route.roughness import roughness_gd_m3

        if self.roughness is None or self.roughness == "default":
            return roughness_gd_m3(ROUGHNESS_CLASS[self.surface])
        return roughness_gd_m3(self.roughness)

    @property
    def declares_roughness(self) -> bool:
        """True when the section names its own class or value (it wins over dune fields)."""
        return self.roughness is not None and self.roughness != "default"


class SpeedZone(Interval):
    limit_kmh: float = Field(gt=5, le=200)


#: the angle of repose of dry sand, deg: no slip face stands steeper (docs/physics.md §14.1)
REPOSE_MAX_DEG = 34.0
#: the field kinds and their spread of heights and spacings, +- fraction (estimates,
#: docs/physics.md §14.1: linear ridges are regular, barchans scattered, star dunes both)
DUNE_JITTER: dict[str, float] = {"linear": 0.15, "barchan": 0.4, "star": 0.3}
DuneKind = Literal["linear", "barchan", "star"]


class DuneField(Interval):
    """A dune field: dunes as landforms (windward face, crest, slip face) and the crew's
    line through them (docs/physics.md §14.1). Heights and angles are measured across
    the crests; the crew's line meets them at ``crossing_angle_deg``."""

    kind: DuneKind = Field(default="linear", description="linear (seif), barchan or star")
    crest_spacing_m: float = Field(gt=20, le=5000, description="crest to crest, across crests")
    height_m: float = Field(gt=0.2, le=300, description="mean dune height, foot to crest")
    windward_deg: float = Field(
        default=12.0, ge=1.0, le=25.0, description="windward (stoss) face slope, deg"
    )
    slip_face_deg: float = Field(
        default=32.0,
        ge=3.0,
        le=REPOSE_MAX_DEG,
        description="lee (slip) face slope, deg: at most the angle of repose of dry sand",
    )
    crossing_angle_deg: float = Field(
        default=0.0,
        ge=0.0,
        le=75.0,
        description="angle of the crew's line to the crests' normal, deg (0 = straight over)",
    )
    crest_run_m: float = Field(
        default=0.0, ge=0.0, le=5000.0, description="line along each crest before the drop, m"
    )
    lee_soft_m: float = Field(
        default=15.0, ge=0.0, le=200.0, description="wind-blown soft sand past each slip face, m"
    )
    spread: float | None = Field(
        default=None,
        ge=0.0,
        le=0.6,
        description="+- fraction by which heights and spacings vary; default by kind",
    )

    @model_validator(mode="before")
    @classmethod
    def _removed(cls, data: object) -> object:
        if isinstance(data, dict) and "crest_speed_kmh" in data:
            raise ValueError(
                f"crest_speed_kmh = {data['crest_speed_kmh']} is no longer a dune field key: "
                "the speed over a crest comes from the car (docs/physics.md §14.2); remove it"
            )
        return data

    @model_validator(mode="after")
    def _fits(self) -> DuneField:
        need = self.height_m * self.footprint_per_m
        if need > self.crest_spacing_m:
            top = self.crest_spacing_m / self.footprint_per_m
            raise ValueError(
                f"height_m = {self.height_m:g}: a dune with {self.windward_deg:g} deg windward "
                f"and {self.slip_face_deg:g} deg slip faces is {need:.1f} m long at that height; "
                f"crest_spacing_m = {self.crest_spacing_m:g} m allows 0.2 < height_m <= "
                f"{top:.2f} m"
            )
        return self

    @property
    def footprint_per_m(self) -> float:
        """Length across the crests of both faces per metre of height (cot + cot)."""
        return 1.0 / math.tan(math.radians(self.windward_deg)) + 1.0 / math.tan(
            math.radians(self.slip_face_deg)
        )

    @property
    def jitter(self) -> float:
        """The +- spread of heights and spacings (``spread``, else the kind's)."""
        return DUNE_JITTER[self.kind] if self.spread is None else self.spread


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
    radius_m: float = Field(default=200.0, gt=0, le=5000, description="validation (clear)")
    open_radius_m: float | None = Field(
        default=None, gt=0, le=10000, description="shown on the GPS from here; None: always"
    )
    name: str = ""


class Refuel(_Def):
    km: float = Field(ge=0, description="refuelling point inside the special")
    name: str = ""


class Danger(_Def):
    """A roadbook danger (! to !!!): kept, drawn and written back; the speed over it
    comes from the terrain, not from the mark."""

    km: float = Field(ge=0)
    level: int = Field(ge=1, le=3)
    name: str = ""


class Neutralization(_Def):
    """A neutralized stop inside the special (time not counted), s."""

    km: float = Field(ge=0)
    duration_s: float = Field(ge=0, le=86400)
    name: str = ""


class SyntheticRoute(_Def):
    """Seeded centre line: straights and arcs, rolling elevation."""

    length_km: float = Field(gt=0.2, le=1500)
    min_radius_m: float = Field(default=60.0, gt=10, le=5000)
    max_radius_m: float = Field(default=600.0, gt=10, le=20000)
    straight_m: tuple[float, float] = (100.0, 800.0)
    elevation_amplitude_m: float = Field(default=15.0, ge=0, le=500)
    elevation_wavelength_m: float = Field(default=3000.0, gt=100, le=100000)

    @model_validator(mode="after")
    def _ranges(self) -> SyntheticRoute:
        if self.min_radius_m > self.max_radius_m:
            raise ValueError(
                f"min_radius_m={self.min_radius_m:g} must not exceed "
                f"max_radius_m={self.max_radius_m:g}"
            )
        lo, hi = self.straight_m
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi <= 100000):
            raise ValueError(
                f"straight_m=[{lo:g}, {hi:g}] must be [shortest, longest] straight in m, "
                "0 <= shortest <= longest <= 100000"
            )
        return self


class StageDefinition(_Def):
    name: str
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)  # the range of `--seed`
    synthetic_route: SyntheticRoute | None = None
    route_file: str | None = None
    date: dt.date | None = None
    start: str = Field(default="", description="bivouac or town the day starts from")
    finish: str = Field(default="", description="bivouac or town the day ends at")
    liaison_km: float = Field(
        default=0.0, ge=0, le=2000, description="road sections of the day, outside the special"
    )
    default_surface: StageSurfaceName = "gravel"
    roughness_scale: float = Field(
        default=1.0,
        gt=0.0,
        le=100.0,
        description="multiplier on every Gd(n0) of the stage (terrain calibration)",
    )
    dune_height_scale: float = Field(
        default=1.0,
        gt=0.0,
        le=5.0,
        description="multiplier on every dune field's height (terrain calibration)",
    )
    dune_slope_scale: float = Field(
        default=1.0,
        gt=0.0,
        le=1.0,
        description="multiplier on the slope of every dune face along the line, at most 1: "
        "a slip face cannot stand steeper than dry sand's repose (terrain calibration)",
    )
    # the line runs the corridors between dune chains and crosses a crest where the
    # chains open: An Nafud's valleys between linear dunes are up to 16 km wide
    # (docs/physics.md §14.1), so the crests on the line lie 1-20 x the field's own spacing
    dune_spacing_scale: float = Field(
        default=1.0,
        ge=1.0,
        le=20.0,
        description="multiplier on every dune field's crest spacing along the line, 1-20: "
        "how often the crew's line crosses a crest (terrain calibration)",
    )
    surface_by_km: list[StageSurfaceName] | None = Field(
        default=None, description="one surface class per started km of the special"
    )
    sections: list[SurfaceSection] = Field(default_factory=list)
    speed_zones: list[SpeedZone] = Field(default_factory=list)
    dunes: list[DuneField] = Field(default_factory=list)
    jumps: list[Jump] = Field(default_factory=list)
    whoops: list[Whoops] = Field(default_factory=list)
    rocks: list[Rocks] = Field(default_factory=list)
    cross_slopes: list[CrossSlope] = Field(default_factory=list)
    waypoints: list[Waypoint] = Field(default_factory=list)
    refuels: list[Refuel] = Field(default_factory=list)
    dangers: list[Danger] = Field(default_factory=list)
    neutralizations: list[Neutralization] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _removed(cls, data: object) -> object:
        if isinstance(data, dict) and "crest_speed_scale" in data:
            raise ValueError(
                f"crest_speed_scale = {data['crest_speed_scale']} is no longer a stage key: "
                "crest speeds come from each car (docs/physics.md §14.2); calibrate the "
                "ground with dune_height_scale (0 < x <= 5) or roughness_scale instead"
            )
        return data

    @model_validator(mode="after")
    def _route(self) -> StageDefinition:
        if (self.synthetic_route is None) == (self.route_file is None):
            raise ValueError("give exactly one of [synthetic_route] or route_file")
        if self.synthetic_route is not None and self.surface_by_km is not None:
            check_surface_by_km(self.surface_by_km, self.synthetic_route.length_km * 1000.0)
        for name in ("sections", "speed_zones", "dunes", "whoops", "rocks", "cross_slopes"):
            intervals: list[Interval] = getattr(self, name)
            order = sorted(range(len(intervals)), key=lambda i: intervals[i].start_km)
            for i, j in zip(order, order[1:], strict=False):
                a, b = intervals[i], intervals[j]
                if b.start_km < a.end_km:
                    raise ValueError(
                        f"{name}[{i}] ({a.start_km}-{a.end_km} km) overlaps {name}[{j}] "
                        f"({b.start_km}-{b.end_km} km); intervals of one kind must not overlap"
                    )
        return self


def check_surface_by_km(surface_by_km: Sequence[str], length_m: float) -> None:
    """``surface_by_km`` needs one entry per started km of the route (the last may be
    partial); raise ValueError naming the field otherwise."""
    expected = max(1, math.ceil(length_m / 1000.0 - 1e-6))
    if len(surface_by_km) != expected:
        raise ValueError(
            f"surface_by_km has {len(surface_by_km)} entries; the route is "
            f"{length_m / 1000.0:.3f} km long, so it needs {expected} (one per started km)"
        )


@dataclass(frozen=True)
class Stage:
    """A drivable stage: per-metre arrays along the centre line."""

    name: str
    definition: StageDefinition
    centreline: Centreline
    surface_code: NDArray[np.int8]  # per metre
    speed_limit_mps: F64  # per metre, inf where none (zones)
    feature_speed_cap_mps: F64  # per metre (jump take-offs), inf where none
    feature_height_m: F64  # at TERRAIN_STEP_M
    cross_slope: F64  # per metre
    rock_amplitude_m: F64  # per metre
    jump_lip_s_m: F64 = field(default_factory=lambda: np.zeros(0))
    #: ISO 8608 random profile of the left / right wheel track at TERRAIN_STEP_M from s = 0
    #: (empty for a smooth stage)
    rough_left_m: F64 = field(default_factory=lambda: np.zeros(0))
    rough_right_m: F64 = field(default_factory=lambda: np.zeros(0))
    #: ISO 8608 Gd(n0) per metre, m^3 (empty for a smooth stage); what the ride limit of
    #: the speed plan reads
    roughness_gd_m3: F64 = field(default_factory=lambda: np.zeros(0))
    #: the weather the stage runs at unless a run is given another (a shipped rally stage:
    #: its rally.toml temperature and altitude; any other: the defaults)
    conditions: Conditions = field(default_factory=Conditions)
    #: dune crests along the line (sorted): position, m; height above the windward foot,
    #: m; tangent of the slip face behind it as the crew's line meets it; tangent of the
    #: windward face below it along the line (docs/physics.md §14.1)
    crest_s_m: F64 = field(default_factory=lambda: np.zeros(0))
    crest_height_m: F64 = field(default_factory=lambda: np.zeros(0))
    crest_slip_tan: F64 = field(default_factory=lambda: np.zeros(0))
    crest_windward_tan: F64 = field(default_factory=lambda: np.zeros(0))

    @property
    def length_m(self) -> float:
        return self.centreline.length_m

    def with_conditions(
        self, given_by: str | Mapping[str, str] = ARGUMENT_SOURCE, **values: float | None
    ) -> Stage:
        """This stage with ``values`` (Ambient fields; None: keep the stage's) in its
        conditions, each from ``given_by``; the arrays are shared, not copied."""
        return replace(self, conditions=self.conditions.with_values(given_by, **values))

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


RALLY_FILE = "rally.toml"  # in a catalogue folder: the rally's ordered stage list


def _natural_key(name: str) -> list[tuple[int, int | str]]:
    """Sort ``dakar-2026/prologue, dakar-2026/2, dakar-2026/10`` in human order."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]


def stage_names() -> list[str]:
    """Shipped stages: ``default`` and catalogue stages such as ``dakar-2026/6``."""
    root = resources.files("raidsim.route") / "stages"
    names = [p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml")]
    for folder in root.iterdir():
        if folder.is_dir() and not folder.name.startswith(("_", ".")):
            names += [
                f"{folder.name}/{p.name[:-5]}"
                for p in folder.iterdir()
                if p.name.endswith(".toml") and p.name != RALLY_FILE
            ]
    return sorted(names, key=_natural_key)


def load_stage_definition(name_or_path: str | Path) -> tuple[StageDefinition, Path | None]:
    """Read and validate a stage TOML (package stage name or file path)."""
    if str(name_or_path).strip() == "":
        raise RouteError("stage '': an empty name; give a shipped stage name or a file")
    candidate = Path(name_or_path)
    base: Path | None
    if candidate.suffix == ".toml" or candidate.exists():
        if candidate.is_dir():
            raise RouteError(f"stage {candidate}: is a directory; give a stage TOML file")
        if not candidate.is_file():
            raise RouteError(f"stage file not found: {candidate}")
        text = read_text_file(candidate, "stage TOML", RouteError)
        source, base = str(candidate), candidate.parent
    else:
        name = str(name_or_path)
        if name not in stage_names():
            raise RouteError(
                f"unknown stage '{name}' (shipped: {', '.join(stage_names())}; "
                "or give a path to a .toml, .gpx, .geojson or .csv file)"
            )
        resource = resources.files("raidsim.route").joinpath("stages", *f"{name}.toml".split("/"))
        text = resource.read_text("utf-8")
        source = f"stage {name}.toml"
        # route_file in a shipped stage is relative to its folder (installed as real files)
        base = Path(str(resource)).parent if isinstance(resource, Path) else None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RouteError(f"{source}: not valid TOML ({exc})") from exc
    try:
        return StageDefinition.model_validate(data), base
    except ValidationError as exc:
        raise RouteError(format_validation_error(exc, source)) from exc


def surface_code(name: str) -> int:
    return STAGE_SURFACE_CODE[name]
