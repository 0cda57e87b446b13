"""Every error class raidsim raises lives in ``raidsim.errors``; the modules that raise
them re-export them, so the old import paths keep working."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import raidsim.errors as errors

SRC = Path(__file__).resolve().parents[1] / "src" / "raidsim"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("raidsim.sim.runner", "SimulationStopped"),
        ("raidsim.sim.runner", "LostControl"),
        ("raidsim.correlate.logs", "LogError"),
        ("raidsim.correlate.trust", "UntrustedCorrelation"),
        ("raidsim.io.runs", "RunError"),
        ("raidsim.optimize.study", "ConfirmationFailed"),
    ],
)
def test_the_old_import_paths_give_the_same_class(module: str, name: str) -> None:
    import importlib

    assert getattr(importlib.import_module(module), name) is getattr(errors, name)
    assert issubclass(getattr(errors, name), errors.RaidsimError)


def test_no_public_error_class_outside_errors_py() -> None:
    """A class deriving from an exception (by the name of its base) is defined in
    errors.py; private control-flow exceptions (``_Name``) may stay where they are used."""
    names = {n for n in dir(errors) if isinstance(getattr(errors, n), type)}
    outside = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & (names | {"Exception", "ValueError", "RuntimeError"}):
                outside.append(f"{path.relative_to(SRC)}: {node.name}")
    assert not outside, outside
