"""Ambient conditions at the stage: temperature, pressure (ISA from altitude), wind.

:class:`Ambient` is the weather a run is at. :class:`Conditions` is an Ambient plus, per
field, where its value came from; a stage carries its own (``Stage.conditions``: a stage
of a shipped rally its ``rally.toml`` temperature and altitude, any other stage the
defaults, 35 °C at sea level without wind). The one rule every entry point follows:

    a value given (an argument, a command-line flag, a grid or campaign entry)
    > the stage's catalogue value (its rally's ``rally.toml``)
    > the default (:class:`Ambient`'s field default).

``Ambient.for_stage(stage, temp_C=20.0)`` is that rule's Ambient;
``Conditions.for_stage`` the same with the sources, which every stage summary records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from raidsim.errors import ConfigError
from raidsim.model.setup import field_bounds
from raidsim.units import G_MPS2 as G_MPS2  # re-exported (standard gravity, raidsim.units)

#: Specific gas constant of dry air, J/(kg K) (physics.md §1.2)
R_AIR_J_PER_KGK = 287.05
#: ISA sea-level pressure, Pa, sea-level temperature, K, temperature lapse rate, K/m
ISA_P0_PA = 101325.0
ISA_T0_K = 288.15
ISA_LAPSE_K_PER_M = 0.0065


def isa_pressure_Pa(altitude_m: float) -> float:
    """ISA troposphere pressure: p = p0 (1 - L h / T0)^(g/(R L)) (ISO 2533)."""
    return ISA_P0_PA * (1.0 - ISA_LAPSE_K_PER_M * altitude_m / ISA_T0_K) ** (
        G_MPS2 / (R_AIR_J_PER_KGK * ISA_LAPSE_K_PER_M)
    )


class Ambient(BaseModel):
    """Weather at the stage. Pressure defaults to ISA at ``altitude_m``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temp_C: float = Field(default=35.0, ge=-30.0, le=60.0)
    altitude_m: float = Field(default=0.0, ge=-400.0, le=5000.0)
    pressure_Pa: float | None = Field(default=None, gt=40000.0, le=110000.0)
    headwind_mps: float = Field(default=0.0, ge=-40.0, le=40.0)

    @property
    def temp_K(self) -> float:
        return self.temp_C + 273.15

    @property
    def p_Pa(self) -> float:
        return (
            self.pressure_Pa if self.pressure_Pa is not None else isa_pressure_Pa(self.altitude_m)
        )

    @property
    def air_density_kg_per_m3(self) -> float:
        """Ideal gas: rho = p / (R T)."""
        return self.p_Pa / (R_AIR_J_PER_KGK * self.temp_K)

    def describe(self) -> str:
        return (
            f"{self.temp_C:.0f} C, {self.p_Pa / 1000:.1f} kPa, rho {self.air_density_kg_per_m3:.3f}"
        )

    @classmethod
    def for_stage(cls, stage: HasConditions | None, **overrides: float | None) -> Ambient:
        """The weather to run ``stage`` at: ``overrides`` (None: not given) over the
        stage's own conditions (its catalogue's, else the defaults)."""
        return Conditions.for_stage(stage, ARGUMENT_SOURCE, **overrides).ambient


#: the fields whose source a :class:`Conditions` records (every stage summary shows them)
CONDITION_FIELDS = ("temp_C", "altitude_m", "headwind_mps")
#: where a value came from when nothing gave it: the :class:`Ambient` field default
DEFAULT_SOURCE = "default"
#: where a value came from when a caller passed it (an ``Ambient`` given to ``simulate``)
ARGUMENT_SOURCE = "argument"


def _default_sources() -> dict[str, str]:
    return dict.fromkeys(CONDITION_FIELDS, DEFAULT_SOURCE)


class HasConditions(Protocol):
    """A stage (or a rally's day) that knows its conditions."""

    @property
    def conditions(self) -> Conditions: ...


@dataclass(frozen=True)
class Conditions:
    """The weather a stage runs at and, per field, where each value came from: a flag's
    name (``--ambient-C``), a catalogue (``argentina-2026/rally.toml``), a grid or spec,
    :data:`ARGUMENT_SOURCE` or :data:`DEFAULT_SOURCE`."""

    ambient: Ambient = field(default_factory=Ambient)
    sources: Mapping[str, str] = field(default_factory=_default_sources)

    @classmethod
    def catalogue(cls, temp_C: float | None, altitude_m: float | None, source: str) -> Conditions:
        """A catalogue stage's conditions: the values its catalogue gives (None: none),
        the defaults for the rest."""
        return cls().with_values(source, temp_C=temp_C, altitude_m=altitude_m)

    @classmethod
    def given(cls, ambient: Ambient, source: str = ARGUMENT_SOURCE) -> Conditions:
        """``ambient`` as a whole, every field from ``source``."""
        return cls(ambient, dict.fromkeys(CONDITION_FIELDS, source))

    @classmethod
    def for_stage(
        cls,
        stage: HasConditions | None,
        given_by: str | Mapping[str, str] = ARGUMENT_SOURCE,
        **overrides: float | None,
    ) -> Conditions:
        """The rule of the module docstring: ``overrides`` (None: not given; their source
        ``given_by``, one name or one per field) over ``stage``'s own conditions."""
        base = cls() if stage is None else stage.conditions
        return base.with_values(given_by, **overrides)

    @classmethod
    def for_run(cls, stage: HasConditions, ambient: Ambient | None) -> Conditions:
        """What a run of ``stage`` uses: ``ambient`` when the caller gives one (as a whole),
        else the stage's own conditions. Both tiers (the transient model and the QSS
        estimate) resolve their weather here and nowhere else."""
        return stage.conditions if ambient is None else cls.given(ambient)

    def with_values(self, given_by: str | Mapping[str, str], **values: float | None) -> Conditions:
        """These conditions with ``values`` (Ambient fields; None: keep) set, each from
        ``given_by`` (one source, or one per field). A value outside the field's range is
        a ConfigError naming the source, the field, the value and the range."""
        data: dict[str, Any] = self.ambient.model_dump()
        sources = dict(self.sources)
        for key, value in values.items():
            if value is None:
                continue
            if key not in data:
                raise ConfigError(
                    f"unknown ambient field '{key}' (fields: {', '.join(sorted(data))})"
                )
            source = given_by if isinstance(given_by, str) else given_by.get(key, ARGUMENT_SOURCE)
            low, high = field_bounds(Ambient, key)
            if not (math.isfinite(value) and low <= value <= high):
                raise ConfigError(
                    f"{source}: {key} = {value:g} is not allowed (must be between "
                    f"{low:g} and {high:g})"
                )
            data[key], sources[key] = float(value), source
        return Conditions(Ambient(**data), sources)

    def fill_defaults(self, source: str, **values: float) -> Conditions:
        """These conditions with ``values`` in the fields nothing gave yet (source
        :data:`DEFAULT_SOURCE`): a campaign's own fallback temperature, say."""
        unset = {k: v for k, v in values.items() if self.source(k) == DEFAULT_SOURCE}
        return self.with_values(source, **unset)

    def source(self, key: str) -> str:
        """Where ``key``'s value came from."""
        return self.sources.get(key, DEFAULT_SOURCE)

    def summary_fields(self) -> dict[str, Any]:
        """What every stage summary records: ``ambient_C``, ``altitude_m``,
        ``headwind_mps`` and ``conditions_source`` (field -> where it came from)."""
        a = self.ambient
        return {
            "ambient_C": a.temp_C,
            "altitude_m": a.altitude_m,
            "headwind_mps": a.headwind_mps,
            "conditions_source": {k: self.source(k) for k in CONDITION_FIELDS},
        }

    def describe(self) -> str:
        """``13 °C (argentina-2026/rally.toml), 1300 m (argentina-2026/rally.toml),
        headwind 0 m/s (default)``."""
        a = self.ambient
        parts = (
            (f"{a.temp_C:g} °C", "temp_C"),
            (f"{a.altitude_m:g} m", "altitude_m"),
            (f"headwind {a.headwind_mps:g} m/s", "headwind_mps"),
        )
        return ", ".join(f"{text} ({self.source(key)})" for text, key in parts)
