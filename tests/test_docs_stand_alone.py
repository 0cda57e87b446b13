"""The repository's docs stand alone: they list what ships, and nothing cites a file
outside the repository.

* The README's ``Presets:`` list and docs/design.md's "One TOML file per vehicle (...)"
  name exactly the presets in ``src/raidsim/model/presets/``.
* No file of the source, the docs, the tests or the examples cites the project's
  workspace notes (``shared/physics.md``, ``shared/ecosystem.md``, ``STYLE.md``,
  ``DESIGN.md``): their facts and sources live in docs/physics.md and docs/design.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from raidsim.model.loader import preset_names

REPO = Path(__file__).resolve().parents[1]
SHIPPED = set(preset_names())


def _ticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


def test_the_readme_lists_the_presets_that_ship() -> None:
    text = (REPO / "README.md").read_text("utf-8")
    m = re.search(r"Presets: (.*?)\.\n", text, re.DOTALL)
    assert m, "README.md: no 'Presets: ...' list"
    assert _ticked(m.group(1)) == SHIPPED


def test_the_design_notes_list_the_presets_that_ship() -> None:
    text = (REPO / "docs" / "design.md").read_text("utf-8")
    m = re.search(r"One TOML file per vehicle \((.*?)\), one", text, re.DOTALL)
    assert m, "docs/design.md: no 'One TOML file per vehicle (...)' list"
    files = {Path(name).name for name in _ticked(m.group(1))}
    assert files == {f"{name}.toml" for name in SHIPPED}


#: a citation of a file outside the repository
OUTSIDE = re.compile(r"shared/[\w./-]+\.md|\bSTYLE\.md\b|(?<![\w/])DESIGN\.md\b")
SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg"}


def _files() -> list[Path]:
    roots = [REPO / "src", REPO / "docs", REPO / "tests", REPO / "examples", REPO / "benchmarks"]
    found = [p for r in roots if r.is_dir() for p in r.rglob("*") if p.suffix in SUFFIXES]
    return sorted([*found, *REPO.glob("*.md"), REPO / "pyproject.toml"])


#: files that write such names as examples of a citation format, not as citations
FORMAT_TESTS = {Path(__file__).resolve(), REPO / "tests" / "test_docs.py"}


def test_nothing_cites_a_file_outside_the_repository() -> None:
    hits = [
        f"{p.relative_to(REPO)}:{i}: {m.group(0)}"
        for p in _files()
        if p.resolve() not in FORMAT_TESTS and p.is_file()
        for i, line in enumerate(p.read_text("utf-8", errors="replace").splitlines(), 1)
        for m in OUTSIDE.finditer(line)
    ]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize(
    ("line", "cites"),
    [
        ("Sources: shared/physics.md §12", True),
        ("(STYLE.md naming)", True),
        ('(DESIGN.md "Layers")', True),
        ('(docs/design.md "Layers")', False),
        ("docs/physics.md §12", False),
    ],
)
def test_the_scanner_tells_outside_from_inside(line: str, cites: bool) -> None:
    assert bool(OUTSIDE.search(line)) == cites
