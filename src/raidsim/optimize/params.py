"""Setup parameters the optimizer may vary, and their allowed ranges.

A parameter's allowed range is the intersection of

* the limits of the car's own parts (:func:`part_limits`: the lowest tyre pressure whose
  static deflection suits stage speed, :mod:`raidsim.optimize.tyres`),
* the spec's own validation bounds, read from the pydantic ``Field(gt=..., le=...)`` of
  the field the shorthand key points to (``raidsim.model.setup.SETUP_KEYS``),
* an engineering range defined here (:data:`ENGINEERING_RANGES`): what a race engineer
  would actually fit or dial in for this class of car. These are estimates unless a
  source is named; they keep the search inside settings the twin was built for.

A range a user asks for (``--range final_drive=4.5:5.5``) must lie inside the allowed
range, else :class:`~raidsim.errors.ConfigError` names the parameter and the bounds.

Engineering ranges (all **estimates**, physics.md references where there is one):

==========================  ===============  ==========================================
parameter                   range            why
==========================  ===============  ==========================================
final_drive                 3.0 - 6.0        hypoid ring/pinion sets for this axle size;
                                             the D7X-R runs "lower" than production,
                                             about 4.1 (3.7-4.6, physics.md §3.1 [S1])
tyre_pressure_front_bar     0.8 - 2.5 bar    desert 35-inch tyres: 0.6-0.8 bar on soft
tyre_pressure_rear_bar      0.8 - 2.5 bar    sand (physics.md §5.2), about 2.5 bar hard
                                             road; below 0.8 bar rim hits dominate;
                                             raised to the tyre's own limit at stage
                                             speed (:mod:`raidsim.optimize.tyres`:
                                             0.89 / 1.03 bar on the D7X-R)
fuel_load_L                 50 - tank        at least the 50 L an engineer leaves for
                                             a liaison; at most the tank (spec rule)
damper_clicks_front/rear    -10 - +10        the spec's click range (+1 click = +5 %)
spring_rate_front/rear      30 - 150 kN/m    coil-over rates at the wheel for a 3 t car
                                             (preset 55-60 kN/m, physics.md §6.2)
centre_lock_torque_Nm       0 - 5000 N m     multi-plate lock capacity, road car class
==========================  ===============  ==========================================

Restrictor, speed limiter and tank are homologation items, not setup: they are refused
with a message pointing at ``raidsim check-regs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from raidsim.errors import ConfigError
from raidsim.model.setup import SETUP_KEYS, field_bounds
from raidsim.model.vehicle import Vehicle
from raidsim.optimize.tyres import tyre_pressure_limits_bar

#: Engineering ranges (estimates, see the module docstring). ``None`` as the upper bound
#: of fuel_load_L means "the vehicle's tank capacity".
ENGINEERING_RANGES: dict[str, tuple[float, float | None]] = {
    "final_drive": (3.0, 6.0),
    "tyre_pressure_front_bar": (0.8, 2.5),
    "tyre_pressure_rear_bar": (0.8, 2.5),
    "fuel_load_L": (50.0, None),
    "damper_clicks_front": (-10, 10),
    "damper_clicks_rear": (-10, 10),
    "spring_rate_front_N_per_m": (30_000.0, 150_000.0),
    "spring_rate_rear_N_per_m": (30_000.0, 150_000.0),
    "centre_lock_torque_Nm": (0.0, 5000.0),
}

#: Homologated items: not setup parameters.
HOMOLOGATED = {"restrictor_mm", "speed_limit_kmh"}

DEFAULT_PARAMS = ("final_drive", "tyre_pressure_front_bar", "tyre_pressure_rear_bar", "fuel_load_L")


@dataclass(frozen=True)
class ParamRange:
    """One optimisation variable: shorthand name, spec path, bounds and type."""

    name: str
    path: str
    low: float
    high: float
    integer: bool

    def contains(self, value: float) -> bool:
        return self.low - 1e-12 <= value <= self.high + 1e-12

    def clip(self, value: float) -> float:
        v = min(max(value, self.low), self.high)
        return float(round(v)) if self.integer else float(v)


def _field_of(path: str) -> tuple[type[BaseModel], str]:
    """The spec model and field name of a dotted spec path (``gearbox.final_drive_ratio``)."""
    model: type[BaseModel] = Vehicle
    parts = path.split(".")
    for i, part in enumerate(parts):
        info = model.model_fields[part]
        if i == len(parts) - 1:
            return model, part
        ann = info.annotation
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            raise ConfigError(f"setup path '{path}' does not lead to a spec field")
        model = ann
    raise ConfigError(f"empty setup path '{path}'")


def path_bounds(path: str) -> tuple[float, float, bool]:
    """(low, high, integer) of the spec field at a dotted path, from
    :func:`raidsim.model.setup.field_bounds` (the one reader of a range), exclusive bounds
    nudged inwards so that the range can be sampled inclusively."""
    model, name = _field_of(path)
    low, high = field_bounds(model, name, inclusive=True)
    return low, high, model.model_fields[name].annotation is int


def part_limits(vehicle: Vehicle, name: str) -> tuple[float, float]:
    """(low, high) the car's own parts allow for ``name``: a tyre pressure within the
    tyre's declared range (``tyre.min_pressure_bar`` .. ``max_pressure_bar``) and no lower
    than its deflection allows at stage speed (:mod:`raidsim.optimize.tyres`, rounded up
    to 0.01 bar); unbounded for the other parameters."""
    if name in ("tyre_pressure_front_bar", "tyre_pressure_rear_bar"):
        low, high = tyre_pressure_limits_bar(vehicle, name)
        low = max(math.ceil(low * 100.0 - 1e-9) / 100.0, vehicle.tyre.min_pressure_bar)
        return low, min(high, vehicle.tyre.max_pressure_bar)
    return -math.inf, math.inf


def allowed_range(vehicle: Vehicle, name: str) -> ParamRange:
    """Spec bounds intersected with the engineering range and the parts' own limits
    (:func:`part_limits`), for this vehicle."""
    if name in HOMOLOGATED:
        raise ConfigError(
            f"parameter '{name}' is homologated, not a setup parameter "
            f"(check it with `raidsim check-regs`); optimisable: {', '.join(ENGINEERING_RANGES)}"
        )
    if name not in ENGINEERING_RANGES:
        raise ConfigError(
            f"unknown parameter '{name}' (optimisable: {', '.join(ENGINEERING_RANGES)})"
        )
    path = SETUP_KEYS[name]
    lo_spec, hi_spec, integer = path_bounds(path)
    lo_eng, hi_eng = ENGINEERING_RANGES[name]
    if hi_eng is None:  # fuel load: up to the tank
        hi_eng = vehicle.fuel.tank_capacity_L
    lo_part, hi_part = part_limits(vehicle, name)
    low = max(lo_spec, float(lo_eng), lo_part)
    high = min(hi_spec, float(hi_eng), hi_part)
    if low > high:
        raise ConfigError(f"parameter '{name}': empty allowed range [{low}, {high}]")
    return ParamRange(name, path, low, high, integer)


def parse_ranges(items: list[str] | None) -> dict[str, tuple[float, float]]:
    """``name=lo:hi`` strings from the command line."""
    out: dict[str, tuple[float, float]] = {}
    for item in items or []:
        name, sep, rest = item.partition("=")
        lo, sep2, hi = rest.partition(":")
        try:
            if not (sep and sep2):
                raise ValueError
            out[name.strip()] = (float(lo), float(hi))
        except ValueError:
            raise ConfigError(f"--range expects name=low:high, got '{item}'") from None
    return out


def build_ranges(
    vehicle: Vehicle,
    names: list[str],
    requested: dict[str, tuple[float, float]] | None = None,
) -> list[ParamRange]:
    """Allowed ranges for ``names``, narrowed by ``requested`` where given.

    Raises ConfigError naming the parameter when it is unknown, duplicated, or when a
    requested range is empty or leaves the allowed (physical) range.
    """
    requested = requested or {}
    if not names:
        raise ConfigError("no parameters to optimise (give --params)")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"parameter(s) listed twice: {', '.join(dupes)}")
    stray = sorted(set(requested) - set(names))
    if stray:
        raise ConfigError(f"--range given for parameter(s) not in --params: {', '.join(stray)}")
    out = []
    for name in names:
        allowed = allowed_range(vehicle, name)
        if name in requested:
            lo, hi = requested[name]
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
                raise ConfigError(f"parameter '{name}': range {lo}:{hi} is empty or not finite")
            if not (allowed.contains(lo) and allowed.contains(hi)):
                raise ConfigError(
                    f"parameter '{name}': range {lo}:{hi} leaves the physical bounds "
                    f"[{allowed.low:g}, {allowed.high:g}] (spec Field bounds and engineering "
                    f"range, raidsim.optimize.params)"
                )
            allowed = ParamRange(name, allowed.path, float(lo), float(hi), allowed.integer)
        out.append(allowed)
    return out


def baseline_value(vehicle: Vehicle, p: ParamRange) -> float:
    """The vehicle's current value of a parameter (its dotted spec path)."""
    node: Any = vehicle
    for part in p.path.split("."):
        node = getattr(node, part)
    return float(node)
