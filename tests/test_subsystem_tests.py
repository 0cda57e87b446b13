"""Every kernel subsystem has a test module of its own, so that when a golden digest moves
the failing subsystem test says where.

For each module ``src/raidsim/<pkg>/<module>.py`` of the kernel's packages (the transient
step's parts, the QSS estimator's, the controllers) there must be a test file
``tests/<pkg>/test_<module>*.py`` that imports it (``tests/sim/transient/test_corners.py``
imports ``raidsim.sim.transient.corners``). Read with :mod:`ast`; nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "raidsim"
#: the packages whose every module has its own test module
PACKAGES = ("sim/transient", "sim/qss", "control")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _modules() -> list[tuple[str, str]]:
    return [
        (pkg, p.stem)
        for pkg in PACKAGES
        for p in sorted((SRC / pkg).glob("*.py"))
        if p.stem != "__init__"
    ]


@pytest.mark.parametrize(("pkg", "module"), _modules(), ids=lambda v: str(v))
def test_the_module_has_a_test_module_of_its_own(pkg: str, module: str) -> None:
    dotted = "raidsim." + pkg.replace("/", ".") + "." + module
    candidates = sorted((ROOT / "tests" / pkg).glob(f"test_{module}*.py"))
    assert candidates, f"no tests/{pkg}/test_{module}.py for {dotted}"
    assert any(dotted in _imported(c) for c in candidates), (
        f"tests/{pkg}/test_{module}*.py do not import {dotted}"
    )


def test_the_packages_are_there() -> None:
    assert len(_modules()) > 20  # a renamed package would pass the test above vacuously
