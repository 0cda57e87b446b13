"""Season campaign: every round of a championship as a rally campaign, then the points.

``raidsim campaign w2rc-2026 --out DIR`` runs, for each round of the season spec
(``campaign/w2rc-2026.toml``), today's rally campaign into ``DIR/<rally>/`` (same crews and
constants, each day's altitude and temperature from the round's ``rally.toml``, a seeded
day-to-day spread shared by all crews of a replicate), each with its own seed derived from
the season seed and the round index. Every round directory resumes on its own (chunks,
ledger, manifest), so a killed season picks up where it stopped; the championship
(:mod:`raidsim.campaign.championship`) is then recomputed from the chunks, which is
deterministic, and written atomically to ``DIR/championship.parquet`` and
``DIR/season.json``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

import raidsim.atomic as atomic
from raidsim.campaign.championship import round_dir
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError
from raidsim.model.setup import format_validation_error, read_text_file

SEASON_FILE = "season.json"


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PointsSpec(_Spec):
    positions: list[int] = Field(min_length=1, description="points by class position, 1st first")
    beyond: int = Field(ge=0, description="a classified finisher beyond the table")
    non_finisher: int = Field(ge=0, description="a crew that did not finish")
    stage_points: list[int] = Field(default_factory=list, description="per special, 1st first")
    manufacturer_scorers: int = Field(ge=1, le=3, description="best crews per manufacturer")

    @model_validator(mode="after")
    def _check(self) -> PointsSpec:
        for name in ("positions", "stage_points"):
            pts = getattr(self, name)
            if any(p < 0 for p in pts) or any(a < b for a, b in zip(pts, pts[1:], strict=False)):
                raise ValueError(f"points.{name} must be >= 0 and not increasing: {pts}")
        return self


class RoundSpec(_Spec):
    rally: str = Field(min_length=1)
    coefficient: float = Field(default=1.0, gt=0.0, le=5.0, description="x position points")
    ambient_C: float | None = Field(default=None, ge=-30.0, le=60.0, description="days without one")


class SeasonSpec(_Spec):
    description: str = ""
    season: str = Field(min_length=1)
    ambient_spread_C: float = Field(default=0.0, ge=0.0, le=15.0)
    points: PointsSpec
    manufacturers: dict[str, str] = Field(description="vehicle preset -> manufacturer")
    rounds: list[RoundSpec] = Field(min_length=1)

    def manufacturer_of(self, vehicle: str) -> str:
        return self.manufacturers.get(vehicle, vehicle)

    def round_spec(self, spec: CampaignSpec, k: int) -> CampaignSpec:
        """The rally campaign spec of round ``k``: per-day weather, the season's spread."""
        r = self.rounds[k]
        data = spec.model_dump()
        data.update(stage_ambient="rally", ambient_spread_C=self.ambient_spread_C)
        if r.ambient_C is not None:
            data["ambient_C"] = r.ambient_C
        return CampaignSpec.model_validate(data)


def season_spec_names() -> list[str]:
    return sorted(
        p.name[:-5]
        for p in (resources.files("raidsim.campaign")).iterdir()
        if p.name.endswith(".toml") and p.name != "default.toml"
    )


def load_season_spec(name_or_path: str | Path = "w2rc-2026") -> SeasonSpec:
    """A shipped season spec by name (``w2rc-2026``) or a TOML file."""
    path = Path(name_or_path)
    if path.suffix == ".toml":
        text, source = read_text_file(path, "season spec TOML"), str(path)
    elif str(name_or_path) in season_spec_names():
        res = resources.files("raidsim.campaign") / f"{name_or_path}.toml"
        text, source = res.read_text("utf-8"), f"raidsim/campaign/{name_or_path}.toml"
    else:
        raise ConfigError(f"unknown season '{name_or_path}' (shipped: {season_spec_names()})")
    try:
        return SeasonSpec.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc


def round_seed(seed: int, k: int) -> int:
    """Seed of round ``k``: independent streams per round, fixed by the season seed."""
    return int(np.random.SeedSequence([seed, 7, k]).generate_state(1, np.uint32)[0])


def run_season(
    season: SeasonSpec,
    spec: CampaignSpec,
    *,
    replicates: int,
    seed: int,
    out_dir: Path | str,
    chunk_size: int | None = None,
    client: Any = None,
    max_chunks: int | None = None,
    on_round: Callable[[int, str], None] | None = None,
    results: Path | str | None = None,
) -> dict[str, Any]:
    """Run (or resume) every round, then the championship; returns the season summary
    (:func:`raidsim.campaign.championship.season_summary`), or ``{"complete": False}``
    when ``max_chunks`` left a round unfinished. ``results``: the real results of the
    rounds run so far (:func:`round_results`)."""
    from raidsim.campaign.championship import championship, write_atomic
    from raidsim.campaign.runner import run_campaign

    out = Path(out_dir)
    given = {} if results is None else round_results(season, spec, out, results)
    complete = True
    left = max_chunks
    for k, r in enumerate(season.rounds):
        if on_round is not None:
            on_round(k, r.rally)
        res = run_campaign(
            r.rally,
            season.round_spec(spec, k),
            replicates=replicates,
            seed=round_seed(seed, k),
            out_dir=round_dir(out, r.rally),
            chunk_size=chunk_size,
            client=client,
            max_chunks=left,
            results=given.get(r.rally),
        )
        if left is not None:
            left = max(0, left - res.chunks_run)
        complete = complete and res.chunks_done == res.chunks_total
    if not complete:
        return {"complete": False}
    table, summary = championship(season, spec, out, replicates)
    write_atomic(out / "championship.parquet", table)
    summary.update(seed=seed, replicates=replicates, complete=True)
    atomic.write_text(out / SEASON_FILE, json.dumps(summary, indent=1))
    return summary


def round_results(
    season: SeasonSpec, spec: CampaignSpec, out_dir: Path, results: Path | str
) -> dict[str, Path]:
    """The season's real results: a results CSV (:mod:`raidsim.campaign.results`) with a
    ``rally`` column naming each row's round. Every round it names is checked first (its
    crews and stages, as a rally's file), then each round's rows are written atomically as
    ``DIR/<rally>/results.csv``, which that round's campaign is conditioned on (a round
    with all its stages is fixed; one under way is simulated from where it stands; later
    rounds are simulated whole). Returns rally -> that file."""
    from raidsim.campaign.model import build_base_table
    from raidsim.campaign.results import read_results, round_results_csv, season_rounds_given
    from raidsim.campaign.runner import ROUND_RESULTS_FILE

    rallies = [r.rally for r in season.rounds]
    named = season_rounds_given(results, rallies)
    texts: dict[str, str] = {}
    for k, r in enumerate(season.rounds):
        if r.rally in named and r.rally not in texts:
            table = build_base_table(r.rally, season.round_spec(spec, k))
            read_results(results, table.crews, table.stages, tuple(rallies))
            texts[r.rally] = round_results_csv(results, r.rally, rallies)
    paths: dict[str, Path] = {}
    for rally, text in texts.items():
        folder = round_dir(out_dir, rally)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ROUND_RESULTS_FILE
        atomic.write_text(path, text)
        paths[rally] = path
    return paths
