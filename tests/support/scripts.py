"""The repository's generator scripts (``examples/make_*.py``) loaded as modules, so that a
test can call their functions and compare what they write with what is committed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    """``examples/<name>.py`` as a module (run top to bottom, ``main`` not called)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
