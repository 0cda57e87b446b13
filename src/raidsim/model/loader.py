"""Load vehicle presets (package TOML files or a user path) into validated specs."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from raidsim.errors import ConfigError
from raidsim.model.setup import format_validation_error, read_text_file
from raidsim.model.vehicle import Vehicle


def preset_names() -> list[str]:
    """Names of the vehicle presets shipped in the package."""
    root = resources.files("raidsim.model") / "presets"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _read_toml(path: Path | str, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


@functools.lru_cache(maxsize=32)
def _parse_cached(source: str, text: str) -> dict:
    """The TOML parse, memoised on the text (a campaign or an optimizer loads the same
    preset many times; parsing is ~100x the cost of validating). Never mutated: the
    validation below builds a fresh Vehicle (own lists) on every call."""
    return _read_toml(source, text)


def _vehicle_from_text(source: str, text: str) -> Vehicle:
    data = _parse_cached(source, text)
    try:
        return Vehicle.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc


def load_vehicle(name_or_path: str | Path) -> Vehicle:
    """Load a vehicle by preset name (``"d7x-r"``) or by a path to a TOML file.

    Raises ``ConfigError`` naming the file, the field, the value and the rule broken.
    """
    if str(name_or_path).strip() == "":
        raise ConfigError("vehicle '': an empty name; give a preset name or a TOML file")
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if candidate.is_dir():
            raise ConfigError(f"vehicle {candidate}: is a directory; give a vehicle TOML file")
        if not candidate.is_file():
            raise ConfigError(f"vehicle file not found: {candidate}")
        return _vehicle_from_text(str(candidate), read_text_file(candidate, "vehicle TOML"))
    else:
        name = str(name_or_path)
        if name not in preset_names():
            raise ConfigError(
                f"unknown vehicle '{name}' (presets: {', '.join(preset_names())}; "
                "or give a path to a .toml file)"
            )
        res = resources.files("raidsim.model") / "presets" / f"{name}.toml"
        return _vehicle_from_text(f"preset {name}.toml", res.read_text(encoding="utf-8"))
