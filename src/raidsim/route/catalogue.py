"""Rally catalogues shipped with raidsim: ordered stages, marathon flags, rest days.

A catalogue is a folder under ``raidsim/route/stages/`` holding one roadbook TOML per
stage (loadable as ``"<folder>/<stage>"``, e.g. ``load_stage("dakar-2026/6")``) and a
``rally.toml`` with the running order::

    rally = load_rally("dakar-2026")
    for day in rally.stages:
        print(day.label, day.date, day.special_km, day.liaison_km, day.marathon)

Itinerary figures (dates, towns, liaison and special lengths) come from the stage files,
which cite their sources; the terrain in them is synthetic (see each file's header).
The transient twin drives the special only; a liaison is costed with
:func:`liaison_time_s`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import RouteError
from raidsim.model.setup import format_validation_error
from raidsim.route.stage import RALLY_FILE, StageDefinition, load_stage_definition

# Estimate: Saudi road limits are 120 km/h on motorways (some 140), 80-100 km/h on rural
# roads and 50-70 km/h in towns; a liaison mixes all three plus tracks, fuel and checks.
# 80 km/h is the planning average used here, not an organiser figure.
LIAISON_AVG_SPEED_KMH = 80.0


def liaison_time_s(km: float, avg_speed_kmh: float = LIAISON_AVG_SPEED_KMH) -> float:
    """Time to drive ``km`` of liaison (road section) at ``avg_speed_kmh``.

    t = 3600 km / v. Liaisons are driven on open roads within the speed limits, so the
    time is set by the average speed, not by the car: the default (80 km/h, an estimate
    from Saudi speed limits, see ``LIAISON_AVG_SPEED_KMH``) is a planning figure. Use the
    organiser's target time when it is known.
    """
    if not km >= 0.0:
        raise RouteError(f"liaison_time_s: km = {km!r}; allowed a distance >= 0 km")
    if not 5.0 < avg_speed_kmh <= 200.0:
        raise RouteError(
            f"liaison_time_s: avg_speed_kmh = {avg_speed_kmh!r}; allowed 5 < v <= 200 km/h"
        )
    return 3600.0 * km / avg_speed_kmh


class _Def(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RallyEntry(_Def):
    stage: str = Field(min_length=1, description="stage file in the catalogue folder, no .toml")
    marathon: bool = Field(default=False, description="no outside assistance overnight")


class RestDay(_Def):
    date: dt.date
    place: str = ""


class RallyDefinition(_Def):
    name: str
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    rest_days: list[RestDay] = Field(default_factory=list)
    stages: list[RallyEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> RallyDefinition:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        names = [e.stage for e in self.stages]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"stages lists {', '.join(dupes)} more than once")
        return self


@dataclass(frozen=True)
class RallyStage:
    """One day of a rally: itinerary data plus the stage definition (not yet built)."""

    name: str  # load_stage name, e.g. "dakar-2026/6"
    label: str  # "Prologue", "Stage 6"
    definition: StageDefinition
    marathon: bool

    @property
    def date(self) -> dt.date | None:
        return self.definition.date

    @property
    def liaison_km(self) -> float:
        return self.definition.liaison_km

    @property
    def special_km(self) -> float | None:
        """Published special length (the synthetic route's length); None for a route file."""
        route = self.definition.synthetic_route
        return None if route is None else route.length_km


@dataclass(frozen=True)
class Rally:
    name: str  # catalogue folder, e.g. "dakar-2026"
    definition: RallyDefinition
    stages: tuple[RallyStage, ...]

    @property
    def rest_days(self) -> tuple[dt.date, ...]:
        return tuple(r.date for r in self.definition.rest_days)

    @property
    def special_km(self) -> float:
        return sum(s.special_km or 0.0 for s in self.stages)

    @property
    def liaison_km(self) -> float:
        return sum(s.liaison_km for s in self.stages)


def rally_names() -> list[str]:
    """Catalogue folders shipped with raidsim (those with a ``rally.toml``)."""
    root = resources.files("raidsim.route") / "stages"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / RALLY_FILE).is_file())


def load_rally(name: str = "dakar-2026") -> Rally:
    """Read a shipped rally: running order, marathon flags, rest days, stage definitions.

    Checks that every listed stage exists and validates, that dates run in order within
    ``start_date``..``end_date``, and that no stage falls on a rest day.
    """
    if name not in rally_names():
        raise RouteError(f"unknown rally '{name}' (shipped: {', '.join(rally_names())})")
    source = f"{name}/{RALLY_FILE}"
    text = (resources.files("raidsim.route") / "stages" / name / RALLY_FILE).read_text("utf-8")
    try:
        definition = RallyDefinition.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise RouteError(f"{source}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise RouteError(format_validation_error(exc, source)) from exc
    stages = []
    for i, entry in enumerate(definition.stages):
        stage_name = f"{name}/{entry.stage}"
        stage_def, _ = load_stage_definition(stage_name)
        label = f"Stage {entry.stage}" if entry.stage.isdigit() else entry.stage.capitalize()
        stages.append(RallyStage(stage_name, label, stage_def, entry.marathon))
        date = stage_def.date
        if date is None:
            continue
        if not definition.start_date <= date <= definition.end_date:
            raise RouteError(
                f"{source}: stages[{i}] ({stage_name}) date {date} lies outside "
                f"{definition.start_date}..{definition.end_date}"
            )
        if date in {r.date for r in definition.rest_days}:
            raise RouteError(f"{source}: stages[{i}] ({stage_name}) falls on a rest day, {date}")
        previous = [s.date for s in stages[:-1] if s.date is not None]
        if previous and date <= previous[-1]:
            raise RouteError(
                f"{source}: stages[{i}] ({stage_name}) date {date} is not after the "
                f"previous stage's ({previous[-1]}); list stages in running order"
            )
    return Rally(name, definition, tuple(stages))
