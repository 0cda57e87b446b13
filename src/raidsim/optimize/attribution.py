"""Where the time between two cars comes from: swap one parameter group at a time.

``attribute(base, donor, stages)`` estimates (QSS, :func:`raidsim.sim.qss.estimate`) the
base car, the donor car, and the base car with one :data:`GROUPS` entry copied from the
donor, on each stage at its own conditions. Each group's effect is its time minus the
base's; the interaction residual is the whole difference (donor minus base) less the sum
of the one-at-a-time effects.

The groups partition every parameter of :class:`~raidsim.model.vehicle.Vehicle` (leaf
fields of each subsystem table, plus the top-level tyre pressures); only the name, the
description and the category (:data:`KEPT`) are never swapped. Nothing in the simulation
reads the category (there is no class factor), so swapping every group gives the donor's
time exactly (``tests/optimize/test_attribution.py``).

The table in ``docs/attribution.md`` is made by ``python examples/make_attribution.py
--write`` (``tests/optimize/test_attribution.py`` regenerates and compares it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from raidsim.errors import ConfigError
from raidsim.model.setup import format_validation_error
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage

__all__ = [
    "GROUPS",
    "GROUP_NOTES",
    "KEPT",
    "Attribution",
    "attribute",
    "group_paths",
    "leaf_paths",
    "split_groups",
    "swap_groups",
]

_AXLES = ("suspension_front", "suspension_rear")


def _axles(*keys: str) -> tuple[str, ...]:
    return tuple(f"{axle}.{k}" for axle in _AXLES for k in keys)


#: Group name -> dotted parameter paths; a bare table name (``"tyre"``) is the whole table.
#: Every leaf parameter of a Vehicle is in exactly one group.
GROUPS: dict[str, tuple[str, ...]] = {
    "mass": (
        "chassis.empty_mass_kg",
        "chassis.crew_mass_kg",
        "chassis.payload_mass_kg",
        "chassis.cg_to_front_axle_m",
        "chassis.cg_height_m",
        "chassis.roll_inertia_kgm2",
        "chassis.pitch_inertia_kgm2",
        "chassis.yaw_inertia_kgm2",
        "chassis.spare_wheels",
        # the ride height is set for the car's weight: a car given the donor's mass is
        # given the preload that holds that mass at ride height (docs/physics.md §6.4)
        "chassis.ride_height_mass_kg",
        "fuel.tank_capacity_L",
        "fuel.fuel_load_L",
        "fuel.tank_x_from_cg_m",
        *_axles("unsprung_mass_kg"),
    ),
    "tyres": ("tyre", "tyre_pressure_front_bar", "tyre_pressure_rear_bar"),
    "travel": _axles(
        "bump_travel_m",
        "droop_travel_m",
        "bump_stop_length_m",
        "bump_stop_force_full_N",
        "bump_stop_exponent",
        "bump_stop_damping_Ns_per_m",
        "droop_stop_rate_N_per_m",
    ),
    "springs and dampers": _axles(
        "spring_rate_N_per_m",
        "damper_compression_Ns_per_m",
        "damper_rebound_Ns_per_m",
        "damper_digressivity_s_per_m",
        "damper_end_zone_fraction",
        "damper_end_zone_multiplier",
        "damper_clicks",
    ),
    "engine": (
        "engine",
        "restrictor",
        "cooling",
        "fuel.kind",
        "fuel.density_kg_per_L",
        "fuel.lhv_MJ_per_kg",
        "fuel.willans_efficiency",
        "fuel.lambda_full_load",
        "fuel.enrichment_start_load",
    ),
    "gearing": ("gearbox", "converter"),
    "driveline": ("driveline",),
    "body and aero": (
        "chassis.wheelbase_m",
        "chassis.track_front_m",
        "chassis.track_rear_m",
        "aero",
    ),
    "brakes and steering": ("brakes", "brake_thermal", "steering", "limiter"),
    "flight mode": ("flight_mode",),
}

#: What each group means, for the table's legend.
GROUP_NOTES: dict[str, str] = {
    "mass": "empty, crew and payload mass, CG position and height, body inertias, spare "
    "wheels, tank size, fuel load and its position, unsprung masses, the mass the ride "
    "height is set at",
    "tyres": "the whole tyre table (size, stiffness, TMeasy force curves, allowed "
    "pressures) and the pressures run front and rear",
    "travel": "bump and droop travel, bump stops and droop stops, both axles",
    "springs and dampers": "spring rates, damper curves and clicks, both axles",
    "engine": "engine map, restrictor, cooling system, fuel kind and the Willans fuel map",
    "gearing": "gearbox (ratios, efficiencies, final drive, shift map) and torque converter",
    "driveline": "torque split, diff locks, axle efficiency, half-shafts",
    "body and aero": "wheelbase, track widths, drag and lift areas",
    "brakes and steering": "brake torques, ABS, discs and pads, steering lock and rate, "
    "speed limiter",
    "flight mode": "Flight Mode on/off and its thresholds (it acts in the transient ride "
    "sweeps behind the QSS ride, shock and crest speed limits)",
}

#: Never swapped: they name the car; the simulation reads none of them.
KEPT = ("name", "description", "category")


def leaf_paths(vehicle: Vehicle) -> list[str]:
    """Every parameter of ``vehicle`` as a dotted path (``chassis.empty_mass_kg``),
    top-level scalars bare (``tyre_pressure_front_bar``), :data:`KEPT` left out."""
    paths = []
    for name in type(vehicle).model_fields:
        if name in KEPT:
            continue
        value = getattr(vehicle, name)
        if isinstance(value, BaseModel):
            paths += [f"{name}.{k}" for k in type(value).model_fields]
        else:
            paths.append(name)
    return paths


def group_paths(group: str, vehicle: Vehicle) -> list[str]:
    """The leaf paths of ``group`` (a whole table expanded to its fields)."""
    if group not in GROUPS:
        raise ConfigError(
            f"unknown parameter group '{group}' (groups: {', '.join(repr(g) for g in GROUPS)})"
        )
    leaves = leaf_paths(vehicle)
    out: list[str] = []
    for path in GROUPS[group]:
        out += [p for p in leaves if p == path or p.startswith(path + ".")]
    return out


def swap_groups(base: Vehicle, donor: Vehicle, groups: Sequence[str]) -> Vehicle:
    """``base`` with every parameter of ``groups`` taken from ``donor``, re-validated (a
    combination the specs refuse is a ConfigError naming the groups)."""
    data = base.model_dump()
    source = donor.model_dump()
    for group in groups:
        for path in group_paths(group, base):
            node, src = data, source
            *parents, leaf = path.split(".")
            for p in parents:
                node, src = node[p], src[p]
            node[leaf] = src[leaf]
    try:
        return Vehicle.model_validate(data)
    except ValidationError as exc:
        what = f"'{base.name}' with the {' + '.join(groups)} of '{donor.name}'"
        raise ConfigError(format_validation_error(exc, what)) from exc


@dataclass(frozen=True)
class Attribution:
    """Stage times of the base and the donor and each group's effect, per stage, s."""

    base: str
    donor: str
    stages: tuple[str, ...]
    base_time_s: tuple[float, ...]
    donor_time_s: tuple[float, ...]
    effect_s: dict[str, tuple[float, ...]]
    #: groups swapped together (``"mass+springs and dampers"``), not in :attr:`sum_s`
    together_s: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def total_s(self) -> tuple[float, ...]:
        """Donor minus base, per stage."""
        return tuple(d - b for d, b in zip(self.donor_time_s, self.base_time_s, strict=True))

    @property
    def sum_s(self) -> tuple[float, ...]:
        """The one-at-a-time effects added up, per stage."""
        return tuple(sum(col) for col in zip(*self.effect_s.values(), strict=True))

    @property
    def residual_s(self) -> tuple[float, ...]:
        """Interaction residual: total difference less the sum of the effects, per stage."""
        return tuple(t - s for t, s in zip(self.total_s, self.sum_s, strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "donor": self.donor,
            "stages": list(self.stages),
            "base_time_s": list(self.base_time_s),
            "donor_time_s": list(self.donor_time_s),
            "effect_s": {g: list(v) for g, v in self.effect_s.items()},
            "together_s": {g: list(v) for g, v in self.together_s.items()},
            "sum_s": list(self.sum_s),
            "total_s": list(self.total_s),
            "residual_s": list(self.residual_s),
        }


def _qss_time_s(vehicle: Vehicle, stage: Stage) -> float:
    from raidsim.sim.qss import estimate

    return float(estimate(vehicle, stage, limits=False).summary["stage_time_s"])


def attribute(
    base: Vehicle,
    donor: Vehicle,
    stages: Sequence[Stage],
    groups: Sequence[str] = tuple(GROUPS),
    together: Sequence[str] = (),
    time_s: Callable[[Vehicle, Stage], float] = _qss_time_s,
) -> Attribution:
    """Swap each of ``groups`` alone from ``donor`` into ``base`` and time every stage
    (QSS at each stage's own conditions unless ``time_s`` says otherwise); each entry of
    ``together`` (group names joined by ``+``) is swapped as one, for the interactions."""
    cars = {g: swap_groups(base, donor, [g]) for g in groups}  # every swap checked first
    combos = {c: swap_groups(base, donor, split_groups(c)) for c in together}
    base_s = tuple(time_s(base, s) for s in stages)

    def effect(car: Vehicle) -> tuple[float, ...]:
        return tuple(time_s(car, s) - b for s, b in zip(stages, base_s, strict=True))

    return Attribution(
        base=base.name,
        donor=donor.name,
        stages=tuple(s.name for s in stages),
        base_time_s=base_s,
        donor_time_s=tuple(time_s(donor, s) for s in stages),
        effect_s={g: effect(car) for g, car in cars.items()},
        together_s={c: effect(car) for c, car in combos.items()},
    )


def split_groups(combination: str) -> list[str]:
    """``"mass+springs and dampers"`` -> ``["mass", "springs and dampers"]`` (each checked)."""
    names = [g.strip() for g in combination.split("+")]
    for g in names:
        if g not in GROUPS:
            raise ConfigError(
                f"unknown parameter group '{g}' in '{combination}' "
                f"(groups: {', '.join(repr(g) for g in GROUPS)}; join several with '+')"
            )
    return names
