"""The retired ``model = "..."`` keys: older vehicle files still load (with a warning),
a value that was never a model is an error naming the field, the shipped presets carry
none but the restrictor's (the one real switch)."""

from __future__ import annotations

import re
import warnings
from importlib import resources
from pathlib import Path

import pytest

from raidsim.errors import ConfigError, ConfigWarning
from raidsim.model.loader import load_vehicle, preset_names
from raidsim.model.vehicle import RETIRED_MODEL_KEYS


def _with_model_keys(text: str, keys: dict[str, str]) -> str:
    for section, value in keys.items():
        text = text.replace(f"[{section}]\n", f'[{section}]\nmodel = "{value}"\n', 1)
    return text


def _preset_text(name: str) -> str:
    return (resources.files("raidsim.model") / "presets" / f"{name}.toml").read_text("utf-8")


def test_an_older_file_with_model_keys_loads_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text(_with_model_keys(_preset_text("d7x-r"), RETIRED_MODEL_KEYS), "utf-8")
    with pytest.warns(ConfigWarning, match=r"\[tyre\].*no longer read") as caught:
        old = load_vehicle(path)
    assert len([w for w in caught if issubclass(w.category, ConfigWarning)]) == 1
    assert old == load_vehicle("d7x-r")


def test_a_model_nothing_implements_is_an_error_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(_with_model_keys(_preset_text("d7x-r"), {"tyre": "pacejka"}), "utf-8")
    with pytest.raises(ConfigError, match=r"tyre\.model = 'pacejka'.*'tmeasy'"):
        load_vehicle(path)


@pytest.mark.parametrize("name", preset_names())
def test_presets_carry_no_retired_key(name: str) -> None:
    section = ""
    for line in _preset_text(name).splitlines():
        m = re.match(r"\[(\w+)\]", line)
        section = m.group(1) if m else section
        if re.match(r"model\s*=", line):
            assert section == "restrictor", f"{name}: [{section}] {line}"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        load_vehicle(name)
