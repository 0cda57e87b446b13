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
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import RouteError
from raidsim.model.ambient import Conditions
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
    altitude_m: float | None = Field(
        default=None, ge=-400.0, le=5000.0, description="typical altitude of the special, m"
    )
    ambient_C: float | None = Field(
        default=None, ge=-30.0, le=60.0, description="typical air temperature of the day, °C"
    )


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
    #: typical altitude and air temperature of the day (rally.toml), None where not given
    altitude_m: float | None = None
    ambient_C: float | None = None

    @property
    def conditions(self) -> Conditions:
        """The day's weather: its rally.toml temperature and altitude, the defaults where
        it gives none (the stage built from it carries the same: ``load_stage``)."""
        rally = self.name.partition("/")[0]
        return Conditions.catalogue(self.ambient_C, self.altitude_m, f"{rally}/{RALLY_FILE}")

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


def round_names() -> list[str]:
    """Catalogue folders shipped with raidsim (those with a ``rally.toml``): one rally each."""
    root = resources.files("raidsim.route") / "stages"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / RALLY_FILE).is_file())


def season_names() -> list[str]:
    """Seasons shipped with raidsim (``stages/_seasons/<name>.toml``)."""
    root = resources.files("raidsim.route") / "stages" / SEASONS_DIR
    if not root.is_dir():
        return []
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def rally_names() -> list[str]:
    """Rallies and seasons that :func:`load_rally` reads: the catalogue folders and the
    seasons (a season reads as one rally of all its rounds' stages, for ``estimate``)."""
    return sorted({*round_names(), *season_names()})


def load_rally(name: str = "dakar-2026") -> Rally:
    """Read a shipped rally: running order, marathon flags, rest days, stage definitions.

    Checks that every listed stage exists and validates, that dates run in order within
    ``start_date``..``end_date``, and that no stage falls on a rest day.
    """
    if name in season_names() and name not in round_names():
        return load_season(name).as_rally()
    if name not in rally_names():
        raise RouteError(f"unknown rally '{name}' (shipped: {', '.join(rally_names())})")
    source = f"{name}/{RALLY_FILE}"
    definition = _rally_definition(name)
    stages = []
    for i, entry in enumerate(definition.stages):
        stage_name = f"{name}/{entry.stage}"
        stage_def, _ = load_stage_definition(stage_name)
        label = f"Stage {entry.stage}" if entry.stage.isdigit() else entry.stage.capitalize()
        stages.append(
            RallyStage(
                stage_name, label, stage_def, entry.marathon, entry.altitude_m, entry.ambient_C
            )
        )
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


@functools.cache
def _rally_definition(name: str) -> RallyDefinition:
    """A shipped round's ``rally.toml``, validated (read once per process)."""
    source = f"{name}/{RALLY_FILE}"
    text = (resources.files("raidsim.route") / "stages" / name / RALLY_FILE).read_text("utf-8")
    try:
        return RallyDefinition.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise RouteError(f"{source}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise RouteError(format_validation_error(exc, source)) from exc


def catalogue_conditions(stage_name: str) -> Conditions | None:
    """The conditions of a shipped rally stage named ``<rally>/<stage>``
    (``argentina-2026/3``: its rally.toml temperature and altitude); None for any other
    name (``default``, a file, a stage its rally's rally.toml does not list). Reads the
    rally.toml only, not the stage files."""
    rally, sep, stage = stage_name.partition("/")
    if not sep or rally not in round_names():
        return None
    for entry in _rally_definition(rally).stages:
        if entry.stage == stage:
            return Conditions.catalogue(entry.ambient_C, entry.altitude_m, f"{rally}/{RALLY_FILE}")
    return None


# ------------------------------------------------------------------------------- seasons
#: folder of season index files under ``raidsim/route/stages`` (skipped as a stage folder)
SEASONS_DIR = "_seasons"


class SeasonRound(_Def):
    rally: str = Field(min_length=1, description="catalogue folder of the round")
    label: str = Field(min_length=1, description="short name, e.g. 'Argentina'")


class SeasonDefinition(_Def):
    name: str
    description: str = ""
    rounds: list[SeasonRound] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SeasonDefinition:
        names = [r.rally for r in self.rounds]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rounds lists {', '.join(dupes)} more than once")
        return self


@dataclass(frozen=True)
class Season:
    """A championship season: rounds (rallies) in calendar order."""

    name: str  # e.g. "w2rc-2026"
    definition: SeasonDefinition
    rounds: tuple[Rally, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.definition.rounds)

    def as_rally(self) -> Rally:
        """Every stage of every round as one rally (labels ``Argentina Stage 5``)."""
        days = tuple(
            RallyStage(
                d.name,
                f"{label} {d.label}",
                d.definition,
                d.marathon,
                d.altitude_m,
                d.ambient_C,
            )
            for label, rally in zip(self.labels, self.rounds, strict=True)
            for d in rally.stages
        )
        first, last = self.rounds[0].definition, self.rounds[-1].definition
        definition = RallyDefinition(
            name=self.definition.name,
            description=self.definition.description,
            start_date=first.start_date,
            end_date=last.end_date,
            rest_days=[r for rally in self.rounds for r in rally.definition.rest_days],
            stages=[RallyEntry(stage=d.name) for d in days],
        )
        return Rally(self.name, definition, days)


def load_season(name: str = "w2rc-2026") -> Season:
    """Read a shipped season and each of its rounds (:func:`load_rally`); rounds must run in
    calendar order without overlapping."""
    if name not in season_names():
        raise RouteError(f"unknown season '{name}' (shipped: {', '.join(season_names())})")
    source = f"{SEASONS_DIR}/{name}.toml"
    text = (resources.files("raidsim.route") / "stages" / SEASONS_DIR / f"{name}.toml").read_text(
        "utf-8"
    )
    try:
        definition = SeasonDefinition.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise RouteError(f"{source}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise RouteError(format_validation_error(exc, source)) from exc
    rounds: list[Rally] = []
    for i, r in enumerate(definition.rounds):
        if r.rally not in round_names():
            raise RouteError(f"{source}: rounds[{i}].rally '{r.rally}' is not a shipped rally")
        rally = load_rally(r.rally)
        if rounds and rally.definition.start_date <= rounds[-1].definition.end_date:
            raise RouteError(
                f"{source}: rounds[{i}] ({r.rally}) starts before the previous round ends"
            )
        rounds.append(rally)
    return Season(name, definition, tuple(rounds))
