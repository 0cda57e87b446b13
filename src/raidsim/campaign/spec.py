"""Campaign spec: crews and every constant of the whole-rally Monte Carlo, validated.

The shipped defaults live in ``campaign/default.toml``; every number there carries a
``# source:``, ``# reference:``, ``# derived:`` or ``# estimate:`` comment (a test checks
it). A user file (``raidsim campaign --crews FILE``) replaces whole top-level tables of
the defaults: a file with only ``[[crews]]`` keeps every other constant, one with
``[punctures]`` as well replaces that table too. Unknown keys are errors.

Units: times in s, distances in km at this edge (rates per 1000 km), pressures in bar,
torques in N m, energies in MJ, fuel in L.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raidsim.errors import ConfigError
from raidsim.model.setup import format_validation_error, read_text_file
from raidsim.model.surfaces import SURFACES

#: waypoint kinds a crew can miss (DSS/ASS, start and finish, cannot be missed)
WAYPOINT_KINDS = ("WPV", "WPM", "WPS", "WPE", "WPC", "WPN", "WPP")
DEFAULT_SPEC = "default.toml"

SetupValue = float | int | bool | str


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _per_key(
    values: dict[str, float], field: str, keys: tuple[str, ...], what: str, lo: float, hi: float
) -> dict[str, float]:
    """Check that ``values`` has exactly ``keys`` and every value lies in [lo, hi]."""
    missing = [k for k in keys if k not in values]
    unknown = [k for k in values if k not in keys]
    if missing or unknown:
        raise ValueError(
            f"{field} needs exactly the {what} {', '.join(keys)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    for k, v in values.items():
        if not lo <= v <= hi:
            raise ValueError(f"{field}.{k} = {v}; allowed {lo} <= value <= {hi}")
    return values


def _per_surface(values: dict[str, float], field: str, lo: float, hi: float) -> dict[str, float]:
    return _per_key(values, field, SURFACES, "surfaces", lo, hi)


def _per_kind(values: dict[str, float], field: str, lo: float, hi: float) -> dict[str, float]:
    return _per_key(values, field, tuple(WAYPOINT_KINDS), "waypoint kinds", lo, hi)


class CrewSpec(_Spec):
    name: str = Field(min_length=1, max_length=40, description="unique crew label")
    vehicle: str = Field(min_length=1, description="vehicle preset name or TOML path")
    entry_class: str = Field(default="Stock", min_length=1, description="class for rankings")
    setup: dict[str, SetupValue] = Field(
        default_factory=dict, description="vehicle.with_changes(**setup) keys"
    )
    pace_factor: float = Field(
        gt=0.7, le=2.0, description="median special time / QSS time (1 = the QSS driver)"
    )
    variability_sigma: float = Field(
        ge=0.0, le=0.5, description="lognormal sigma of the per-stage time factor"
    )
    navigation_factor: float = Field(
        default=1.0, ge=0.0, le=10.0, description="scales miss and hesitation probabilities"
    )
    spares: int | None = Field(
        default=None, ge=0, le=6, description="spare wheels aboard; None = punctures.spares"
    )


class PunctureSpec(_Spec):
    rate_per_1000km: dict[str, float] = Field(
        description="punctures per 1000 km per surface at the reference pressure"
    )
    reference_pressure_bar: float = Field(gt=0.6, le=4.5)
    pressure_exponent: dict[str, float] = Field(
        description="rate x (p_ref / p)^k per surface; k > 0: more punctures at low pressure"
    )
    spares: int = Field(ge=0, le=6, description="spare wheels aboard at a service")
    change_time_s: float = Field(ge=0.0, le=3600.0)
    long_stop_s: float = Field(ge=0.0, le=86400.0, description="a puncture with no spare left")

    @model_validator(mode="after")
    def _check(self) -> PunctureSpec:
        _per_surface(self.rate_per_1000km, "punctures.rate_per_1000km", 0.0, 1000.0)
        _per_surface(self.pressure_exponent, "punctures.pressure_exponent", 0.0, 10.0)
        return self


class NavigationSpec(_Spec):
    miss_probability: dict[str, float] = Field(description="per waypoint, by kind")
    miss_penalty_s: dict[str, float] = Field(description="per missed waypoint, by kind")
    hesitation_probability: dict[str, float] = Field(
        description="per waypoint, by kind: the crew searches before validating it"
    )
    search_time_mean_s: float = Field(ge=0.0, le=36000.0, description="exponential mean")

    @model_validator(mode="after")
    def _check(self) -> NavigationSpec:
        _per_kind(self.miss_probability, "navigation.miss_probability", 0.0, 1.0)
        _per_kind(self.miss_penalty_s, "navigation.miss_penalty_s", 0.0, 86400.0)
        _per_kind(self.hesitation_probability, "navigation.hesitation_probability", 0.0, 1.0)
        return self


class MechanicalSpec(_Spec):
    base_rate_per_1000km: float = Field(ge=0.0, le=100.0, description="load-independent")
    landing_reference_torque_Nm: float = Field(gt=0.0, le=50000.0)
    landing_probability_at_reference: float = Field(
        ge=0.0, le=1.0, description="incident probability per landing at the reference torque"
    )
    landing_exponent: float = Field(ge=0.0, le=20.0, description="p = p_ref (T/T_ref)^m")
    brake_rate_per_MJ: float = Field(ge=0.0, le=1.0, description="incidents per MJ braked")
    derate_rate_per_h: float = Field(
        ge=0.0, le=100.0, description="incidents per hour of coolant derate (when known)"
    )
    repair_time_mean_s: float = Field(ge=0.0, le=86400.0)
    repair_time_shape: float = Field(gt=0.0, le=100.0, description="gamma shape of a repair")
    retire_probability: float = Field(ge=0.0, le=1.0, description="per incident: out of the rally")


class LandingPoint(_Spec):
    vehicle: str = Field(min_length=1)
    flight_mode: bool
    drop_m: float = Field(gt=0.0, le=10.0)
    speed_kmh: float = Field(gt=0.0, le=250.0)
    peak_torque_Nm: float = Field(ge=0.0, le=100000.0)


class FuelSpec(_Spec):
    reserve_L: float = Field(ge=0.0, le=200.0, description="not usable (pick-up, sloshing)")
    consumption_sigma: float = Field(ge=0.0, le=1.0, description="lognormal sigma vs QSS")
    dry_stop_s: float = Field(ge=0.0, le=86400.0, description="running dry: wait for fuel")


class PenaltySpec(_Spec):
    speeding_probability: float = Field(ge=0.0, le=1.0, description="per speed zone")
    speeding_penalty_s: float = Field(ge=0.0, le=86400.0)


class LearningSpec(_Spec):
    """Prior of the pace learned from real results (:mod:`raidsim.campaign.learn`)."""

    pace_prior_sigma: float = Field(
        gt=0.0, le=0.5, description="prior sd of ln(pace_factor) before any real stage"
    )
    spread_prior_stages: float = Field(
        gt=2.0, le=1000.0, description="weight of the spec's variability_sigma, in stages"
    )
    outlier_sd: float = Field(
        gt=0.5,
        le=20.0,
        description="a stage slower than the prior's median by this many "
        "predictive sd holds a loss: left out of the pace update",
    )


class PaceRiskSpec(_Spec):
    """Hazards against the pace a crew chooses (:mod:`raidsim.campaign.strategy`).

    A crew driving ``pace_scale`` x its usual special time (< 1: pushing, > 1: backing off)
    goes ``v / v0 = 1 / pace_scale`` as fast, and each hazard's rate is multiplied by
    ``exp(beta (v / v0 - 1))``: the exponential form of the speed-risk relation (Elvik,
    "A re-parameterisation of the Power Model of the relationship between the speed of
    traffic and the number of accidents and accident victims", Accident Analysis &
    Prevention 50, 2013, 854-860). At ``pace_scale = 1`` every rate is the spec's.
    """

    puncture_beta: float = Field(ge=0.0, le=100.0, description="punctures per km")
    mechanical_beta: float = Field(ge=0.0, le=100.0, description="mechanical incidents")
    navigation_beta: float = Field(ge=0.0, le=100.0, description="misses and hesitations")
    min_pace_scale: float = Field(gt=0.5, lt=1.0, description="fastest pace a crew can hold")
    max_pace_scale: float = Field(gt=1.0, le=2.0, description="slowest pace considered")


class CampaignSpec(_Spec):
    """Everything a campaign needs besides the rally, seed and replicate count."""

    description: str = ""
    ambient_C: float = Field(ge=-30.0, le=60.0, description="air temperature for QSS")
    stage_ambient: Literal["spec", "rally"] = Field(
        default="rally",
        description="'rally' (default): each day's altitude_m and ambient_C from the rally's "
        "rally.toml (ambient_C, 0 m where a day has none), as every other command runs a "
        "rally stage; 'spec': every day at ambient_C, sea level",
    )
    ambient_spread_C: float = Field(
        default=0.0,
        ge=0.0,
        le=15.0,
        description="sigma of the day-to-day temperature spread, drawn per replicate and day, "
        "shared by all crews (0: every replicate at the nominal temperature)",
    )
    stages: list[str] | None = Field(
        default=None, description="subset of the rally's stages (file names); None = all"
    )
    crews: list[CrewSpec] = Field(min_length=1, max_length=64)
    punctures: PunctureSpec
    navigation: NavigationSpec
    mechanical: MechanicalSpec
    landing_table: list[LandingPoint] = Field(default_factory=list)
    fuel: FuelSpec
    penalties: PenaltySpec
    learning: LearningSpec | None = Field(
        default=None, description="pace update from real results (None: no update)"
    )
    pace_risk: PaceRiskSpec | None = Field(
        default=None, description="hazards against pace (None: hazards do not depend on it)"
    )

    @model_validator(mode="after")
    def _unique(self) -> CampaignSpec:
        names = [c.name for c in self.crews]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"crews: name {', '.join(dupes)} appears more than once")
        return self

    def spares_of(self, crew: CrewSpec) -> int:
        return self.punctures.spares if crew.spares is None else crew.spares

    def hash(self) -> str:
        """sha256 of the canonical JSON of the spec (manifest key for resuming)."""
        data = self.model_dump(mode="json")
        # a spec that runs as specs did before these keys hashes as it always did (the
        # default stage_ambient became "rally": a spec without it runs, and hashes, anew)
        for key, default in (("stage_ambient", "spec"), ("ambient_spread_C", 0.0)):
            if data.get(key) == default:
                del data[key]
        shipped = default_spec_data()
        for key in ("learning", "pace_risk"):  # the shipped tables: the hash as before them
            if data.get(key) is None or data.get(key) == shipped.get(key):
                data.pop(key, None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc


def default_spec_data() -> dict[str, Any]:
    text = (resources.files("raidsim.campaign") / DEFAULT_SPEC).read_text("utf-8")
    return _read_toml(text, f"raidsim/campaign/{DEFAULT_SPEC}")


def load_spec(path: Path | str | None = None) -> CampaignSpec:
    """The shipped spec, with the top-level tables of ``path`` (TOML) replacing its own."""
    data = default_spec_data()
    source = f"raidsim/campaign/{DEFAULT_SPEC}"
    if path is not None:
        path = Path(path)
        if path.is_dir():
            raise ConfigError(f"--crews {path}: is a directory; give a campaign spec TOML file")
        if not path.is_file():
            raise ConfigError(f"--crews {path}: file not found (give a campaign spec TOML)")
        text = read_text_file(path, "campaign spec TOML (--crews)")
        data.update(_read_toml(text, str(path)))
        source = str(path)
    try:
        return CampaignSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc
