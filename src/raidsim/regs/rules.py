"""Regulation rule sets as data: a cited TOML per class (``regs/<class>.toml``).

Every rule names the check it runs (:data:`raidsim.regs.check.CHECKS`), its limits, a
``source`` and whether its number is ``sourced``; unsourced numbers are printed as such.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from raidsim.errors import ConfigError
from raidsim.model.setup import format_validation_error

CheckName = Literal[
    "speed_limiter",
    "restrictor_present",
    "restrictor_power_to_weight",
    "category",
    "tank_capacity",
    "spare_wheels",
    "minimum_weight",
    "tyre_size",
]


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    check: CheckName
    severity: Literal["fail", "warn"] = "fail"
    sourced: bool
    source: str = Field(min_length=1)
    max_kmh: float | None = None
    min_W_per_kg: float | None = None
    max_W_per_kg: float | None = None
    category: str | None = None
    min_L: float | None = None
    min_count: int | None = None
    min_kg: float | None = None
    max_diameter_in: float | None = None


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    class_: str = Field(alias="class")
    title: str
    rule: list[Rule]


def rule_set_names() -> list[str]:
    """Names of the rule sets shipped in ``raidsim/regs``."""
    root = resources.files("raidsim.regs")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def load_rules(name: str = "w2rc_stock") -> RuleSet:
    """The shipped rule set ``regs/<name>.toml``."""
    shipped = rule_set_names()
    if name not in shipped:  # a name, never a path into the package
        raise ConfigError(f"unknown rule set '{name}' (shipped: {', '.join(shipped)})")
    path = resources.files("raidsim.regs") / f"{name}.toml"
    try:
        return RuleSet.model_validate(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"regs/{name}.toml: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, f"regs/{name}.toml")) from exc
