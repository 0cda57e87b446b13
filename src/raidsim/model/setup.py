"""Setup vocabulary: the shorthand setup keys, the one-line format of validation errors and
:func:`read_text_file`, the one way a spec loader reads a user's file.

Imports nothing else of :mod:`raidsim.model`, so every spec loader (vehicle, stage, rules,
campaign) can use it; the changes themselves are applied by
:func:`raidsim.model.vehicle.apply_changes` (``Vehicle.with_changes``).
"""

from __future__ import annotations

import math
from pathlib import Path

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError

from raidsim.errors import ConfigError

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


def field_bounds(
    model: type[BaseModel], name: str, *, inclusive: bool = False
) -> tuple[float, float]:
    """(low, high) of a numeric pydantic field from its ``ge/gt/le/lt`` constraints
    (-inf/inf where it has none; the tightest where it has several). ``inclusive``: an
    exclusive bound (gt/lt) is nudged inwards by a relative 1e-9, so that the range can be
    sampled inclusively (the optimiser's ranges)."""
    low, high = -math.inf, math.inf
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge):
            low = max(low, float(m.ge))  # type: ignore[arg-type]
        elif isinstance(m, Gt):
            gt = float(m.gt)  # type: ignore[arg-type]
            low = max(low, gt + 1e-9 * max(1.0, abs(gt)) if inclusive else gt)
        elif isinstance(m, Le):
            high = min(high, float(m.le))  # type: ignore[arg-type]
        elif isinstance(m, Lt):
            lt = float(m.lt)  # type: ignore[arg-type]
            high = min(high, lt - 1e-9 * max(1.0, abs(lt)) if inclusive else lt)
    return low, high


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: ``source: field.path = value -> message``."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        msg = err["msg"]
        if isinstance(value, float) and not math.isfinite(value):
            # pydantic compares NaN with the first bound and names that one: misleading
            msg = "not a finite number; give a number"
        elif not loc and err["type"] == "value_error":
            # a whole-vehicle check: its message names the fields, values and range
            lines.append(f"{source}: {msg.removeprefix('Value error, ')}")
            continue
        lines.append(f"{source}: {loc or '<root>'} = {shown} -> {msg}")
    return "; ".join(lines)


def read_text_file(path: Path, what: str, error: type[Exception] = ConfigError) -> str:
    """The UTF-8 text of ``path``; an unreadable or binary file raises ``error``
    (ConfigError, RouteError) naming the file, what it should be (``what``) and what to
    do, never a bare ``'utf-8' codec can't decode``."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason}); "
            f"give a {what} saved as UTF-8 text"
        ) from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
