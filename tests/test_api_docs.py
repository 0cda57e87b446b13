"""The API reference builds from the docstrings without a warning (pdoc)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[1] / "docs" / "build_api.py"


@pytest.mark.slow
def test_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("pdoc", reason="pdoc not installed (pip install -e '.[test]')")
    spec = importlib.util.spec_from_file_location("build_api", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problems = module.build(tmp_path)
    assert problems == []
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    for page in (
        "raidsim.html",
        "raidsim/sim/time_loss.html",
        "raidsim/control/limits.html",
        "raidsim/route/openrally.html",
        "raidsim/report/limits.html",
    ):
        assert page in pages, page
    assert "section_table" in (tmp_path / "raidsim/sim/time_loss.html").read_text("utf-8")
