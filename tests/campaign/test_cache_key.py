"""The campaign's QSS cache key covers every source and data file a result depends on."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from raidsim.campaign import model
from raidsim.model.settings import DriverSpec, Settings

VEHICLE_KEY = '{"name": "test-car"}'  # qss_key takes the encoded vehicle as is


@pytest.fixture
def source_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of ``src/raidsim`` that the cache keys read instead of the real tree."""
    root = tmp_path / "raidsim"
    shutil.copytree(model._SOURCE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(model, "_SOURCE_ROOT", root)
    yield root
    model.source_digest.cache_clear()  # drop the temp tree's entries


def _key(settings: Settings | None = None) -> str:
    settings_key = None if settings is None else model.settings_json(settings)
    return model.qss_key(VEHICLE_KEY, "dakar-2026/1", 35.0, settings_key)


def _bump_first_constant(path: Path) -> str:
    """Change the first module-level float constant of ``path`` (``NAME = 1.5``); returns
    its name."""
    text = path.read_text("utf-8")
    m = re.search(r"^([A-Z][A-Z0-9_]*) = (-?[0-9]+\.[0-9]*)\b", text, re.MULTILINE)
    assert m, f"no float constant in {path}"
    bumped = f"{m.group(1)} = {float(m.group(2)) * 1.01 + 0.5!r}"
    path.write_text(text[: m.start()] + bumped + text[m.end() :], "utf-8")
    return m.group(1)


def test_key_depends_on_content_not_location(source_copy: Path) -> None:
    in_copy = _key()
    model.source_digest.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(model, "_SOURCE_ROOT", Path(model.__file__).resolve().parents[1])
        assert _key() == in_copy


def test_a_physics_constant_changes_the_key(source_copy: Path) -> None:
    before = _key()
    _bump_first_constant(source_copy / "physics" / "cooling.py")
    # memoised: the tree is read once per process, so the edit shows only after a reset
    assert _key() == before
    model.source_digest.cache_clear()
    assert _key() != before


@pytest.mark.parametrize(
    "edited",
    [
        "model/surfaces.py",
        "model/settings.py",
        "model/presets/d7x-r.toml",
        "route/stages/dakar-2026/1.toml",
        "control/speed_profile.py",
        "sim/qss/forward.py",
        "units.py",
        "campaign/model.py",
    ],
)
def test_any_file_the_qss_depends_on_changes_the_key(source_copy: Path, edited: str) -> None:
    before = _key()
    path = source_copy / edited
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")
    model.source_digest.cache_clear()
    assert _key() != before


def test_an_unrelated_tool_does_not_change_the_key(source_copy: Path) -> None:
    before = _key()
    path = source_copy / "report" / "html.py"
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")
    model.source_digest.cache_clear()
    assert _key() == before


def test_changing_a_settings_field_changes_the_key() -> None:
    default = Settings()
    assert _key() == _key(default)  # None means the default settings
    changed = [
        default.model_copy(update={"dt_s": default.dt_s / 2}),
        default.model_copy(
            update={"driver": DriverSpec(preview_time_s=default.driver.preview_time_s + 1.0)}
        ),
    ]
    keys = {_key(s) for s in changed}
    assert len(keys) == 2 and _key() not in keys


def test_key_parts() -> None:
    base = _key()
    assert model.qss_key(VEHICLE_KEY, "dakar-2026/2", 35.0) != base  # stage
    assert model.qss_key(VEHICLE_KEY, "dakar-2026/1", 36.0) != base  # ambient
    assert model.qss_key('{"name": "other"}', "dakar-2026/1", 35.0) != base  # vehicle
    assert re.fullmatch(r"qss-[0-9a-f]{32}", base)


def _layers() -> ModuleType:
    """tests/test_layers.py (its import-graph reader), loaded by path."""
    path = Path(__file__).resolve().parents[1] / "test_layers.py"
    spec = importlib.util.spec_from_file_location("_raidsim_test_layers", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _covered(module: str, sources: tuple[str, ...]) -> bool:
    rel = module.split(".")[1:]
    if len(rel) == 1 and "*.py" in sources:  # a top-level module
        return True
    return any(
        rel[: len(s.split("/"))] == s.removesuffix(".py").split("/") for s in sources if s != "*.py"
    )


@pytest.mark.parametrize(
    ("roots", "sources"),
    [
        # qss_entry: route.terrain.load_stage, sim.qss.estimate, Ambient, Settings
        (
            ["raidsim.route.terrain", "raidsim.sim.qss", "raidsim.model.ambient"],
            model.QSS_SOURCES,
        ),
        # stage_surface_km: route.terrain.load_stage
        (["raidsim.route.terrain"], model.STAGE_SOURCES),
    ],
)
def test_key_sources_cover_everything_the_computation_imports(
    roots: list[str], sources: tuple[str, ...]
) -> None:
    """A new dependency of the QSS (say sim -> a new package) must join the key's sources."""
    layers = _layers()
    graph = layers.import_graph(layers.read_sources())
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        mod = todo.pop()
        if mod not in seen:
            seen.add(mod)
            todo.extend(graph.get(mod, ()))
    missing = sorted(m for m in seen if not _covered(m, sources))
    assert not missing, f"the cache key does not hash {missing}"
