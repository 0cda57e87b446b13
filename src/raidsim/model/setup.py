"""Setup changes: validated copies of a vehicle (``Vehicle.with_changes``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from raidsim.errors import ConfigError

if TYPE_CHECKING:
    from raidsim.model.vehicle import Vehicle

#: Shorthand setup keys an engineer types, mapped to their dotted spec path.
SETUP_KEYS: dict[str, str] = {
    "final_drive": "gearbox.final_drive_ratio",
    "final_drive_ratio": "gearbox.final_drive_ratio",
    "tyre_pressure_front_bar": "tyre_pressure_front_bar",
    "tyre_pressure_rear_bar": "tyre_pressure_rear_bar",
    "fuel_load_L": "fuel.fuel_load_L",
    "damper_clicks_front": "suspension_front.damper_clicks",
    "damper_clicks_rear": "suspension_rear.damper_clicks",
    "spring_rate_front_N_per_m": "suspension_front.spring_rate_N_per_m",
    "spring_rate_rear_N_per_m": "suspension_rear.spring_rate_N_per_m",
    "restrictor_mm": "restrictor.diameter_mm",
    "centre_lock_torque_Nm": "driveline.centre_lock_torque_Nm",
    "speed_limit_kmh": "limiter.speed_limit_kmh",
}


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: ``source: field.path = value -> message``."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        lines.append(f"{source}: {loc or '<root>'} = {shown} -> {err['msg']}")
    return "; ".join(lines)


def apply_changes(vehicle: Vehicle, changes: dict[str, Any]) -> Vehicle:
    """Apply dotted or shorthand changes and re-validate the whole vehicle."""
    from raidsim.model.vehicle import Vehicle

    data = vehicle.model_dump()
    for key, value in changes.items():
        path = SETUP_KEYS.get(key, key)
        parts = path.split(".")
        node: Any = data
        for p in parts[:-1]:
            if not isinstance(node, dict) or p not in node:
                raise ConfigError(
                    f"unknown setup key '{key}' (known shorthands: {', '.join(sorted(SETUP_KEYS))})"
                )
            node = node[p]
        if not isinstance(node, dict) or parts[-1] not in node:
            raise ConfigError(
                f"unknown setup key '{key}' (known shorthands: {', '.join(sorted(SETUP_KEYS))})"
            )
        node[parts[-1]] = value
    try:
        return Vehicle.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, f"setup of '{vehicle.name}'")) from exc
