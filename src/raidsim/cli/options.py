"""Options shared by the commands, defined once, and the one load/validate path.

Commands declare ``vehicle: Vehicle = DEFAULT_VEHICLE``, ``ambient_C: AmbientC =
DEFAULT_AMBIENT_C`` ... and build their inputs with :func:`load_car`,
:func:`ambient_from_flags` and :func:`resolve_stages`. Nothing here catches errors: a bad
value raises :class:`~raidsim.errors.ConfigError` (or ``RouteError``) naming the flag, the
value and the allowed range, and :func:`raidsim.cli.errors.handle_errors` turns it into one
line and exit code 2.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient

if TYPE_CHECKING:
    from raidsim.model.vehicle import Vehicle as VehicleSpec
    from raidsim.route.stage import Stage

DEFAULT_VEHICLE = "d7x-r"
DEFAULT_STAGE = "default"


def field_bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """(low, high) of a numeric pydantic field from its ``ge/gt/le/lt`` constraints."""
    low, high = -math.inf, math.inf
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge | Gt):
            low = float(m.ge if isinstance(m, Ge) else m.gt)  # type: ignore[arg-type]
        elif isinstance(m, Le | Lt):
            high = float(m.le if isinstance(m, Le) else m.lt)  # type: ignore[arg-type]
    return low, high


#: Ambient field -> (flag, unit, default) of the three weather flags
AMBIENT_FLAGS: dict[str, tuple[str, str, float]] = {
    "temp_C": ("--ambient-C", "°C", 35.0),
    "altitude_m": ("--altitude-m", "m", 0.0),
    "headwind_mps": ("--headwind-mps", "m/s", 0.0),
}
DEFAULT_AMBIENT_C = AMBIENT_FLAGS["temp_C"][2]
DEFAULT_ALTITUDE_M = AMBIENT_FLAGS["altitude_m"][2]
DEFAULT_HEADWIND_MPS = AMBIENT_FLAGS["headwind_mps"][2]


def _range_help(field: str) -> str:
    low, high = field_bounds(Ambient, field)
    return f"{low:g} to {high:g} {AMBIENT_FLAGS[field][1]}"


# --------------------------------------------------------------------- shared options
StageArg = Annotated[str, typer.Argument(help="stage name, stage TOML or route file")]
TargetArg = Annotated[str, typer.Argument(help="rally name, stage name, stage TOML or route file")]
Vehicle = Annotated[str, typer.Option("--vehicle", help="vehicle preset or TOML path")]
Setup = Annotated[
    list[str] | None, typer.Option("--setup", help="setup change key=value (repeat the option)")
]
AmbientC = Annotated[
    float,
    typer.Option("--ambient-C", help=f"ambient temperature ({_range_help('temp_C')})"),
]
AltitudeM = Annotated[
    float,
    typer.Option(
        "--altitude-m", help=f"altitude for the ISA air pressure ({_range_help('altitude_m')})"
    ),
]
HeadwindMps = Annotated[
    float,
    typer.Option(
        "--headwind-mps",
        help=f"headwind along the route, negative for a tailwind ({_range_help('headwind_mps')})",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet/--no-quiet", help="no progress bar")]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="existing Dask scheduler, tcp://host:port")
]


def seed_option(help: str) -> Any:
    """``--seed N``; what it seeds differs (terrain, sampler, campaign)."""
    return typer.Option("--seed", help=help)


def out_option(help: str, *short: str) -> Any:
    """``--out PATH``; a directory or a file depending on the command."""
    return typer.Option("--out", *short, help=help)


def json_option(help: str = "print JSON") -> Any:
    return typer.Option("--json", help=help)


# --------------------------------------------------------------------- load / validate
def parse_setup(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs from the command line; values parsed as numbers when they can."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--setup expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        value: Any
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
        out[key.strip()] = value
    return out


def load_car(vehicle: str, setup: list[str] | None = None) -> VehicleSpec:
    """The vehicle preset or TOML ``vehicle`` with the ``--setup key=value`` changes."""
    import raidsim as rs

    car = rs.load_vehicle(vehicle)
    if setup:
        car = car.with_changes(**parse_setup(setup))
    return car


def check_flag(flag: str, value: float, low: float, high: float, unit: str = "") -> float:
    """``value`` if finite and within [low, high], else a ConfigError naming the flag."""
    if not (math.isfinite(value) and low <= value <= high):
        units = f" {unit}" if unit else ""
        raise ConfigError(
            f"{flag}: value {value:g} is not allowed (must be between {low:g} and {high:g}{units})"
        )
    return value


def check_ambient_field(field: str, value: float) -> float:
    flag, unit, _ = AMBIENT_FLAGS[field]
    low, high = field_bounds(Ambient, field)
    return check_flag(flag, value, low, high, unit)


def ambient_from_flags(
    ambient_C: float = DEFAULT_AMBIENT_C,
    altitude_m: float = DEFAULT_ALTITUDE_M,
    headwind_mps: float = DEFAULT_HEADWIND_MPS,
) -> Ambient:
    """The :class:`Ambient` of ``--ambient-C``, ``--altitude-m`` and ``--headwind-mps``."""
    values = {"temp_C": ambient_C, "altitude_m": altitude_m, "headwind_mps": headwind_mps}
    for field, value in values.items():
        check_ambient_field(field, value)
    return Ambient(**values)


def resolve_stages(target: str) -> tuple[str, list[tuple[str, Stage]]]:
    """(title, [(row label, stage)]): every stage of a rally from
    ``raidsim.route.catalogue`` when ``target`` names one, else a single stage (shipped
    name, stage TOML or route file)."""
    import raidsim as rs

    try:
        catalogue: Any = importlib.import_module("raidsim.route.catalogue")
    except ModuleNotFoundError:  # catalogue not installed in this build
        catalogue = None
    if catalogue is not None and target in catalogue.rally_names():
        rally = catalogue.load_rally(target)
        return rally.name, [(day.label, rs.load_stage(day.name)) for day in rally.stages]
    stage = rs.load_stage(target)
    return stage.name, [(stage.name, stage)]
