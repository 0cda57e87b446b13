"""Every citation in ``src/raidsim`` resolves inside the repository's own docs.

The code cites the physics reference as ``physics.md §N`` / ``§N.M`` (also ranges such as
``§7-8`` and lists such as ``§7.1, §7.3``), its sources as ``[Sxx]`` and the design notes
as ``design.md "<heading>"`` (or ``DESIGN.md "<heading>"``). These tests read every
``*.py``, ``*.toml`` and ``*.md`` file under ``src/raidsim`` and fail, naming file:line, on
a citation that ``docs/physics.md`` or ``docs/design.md`` does not define.

How citations are parsed:

* A section reference is ``§`` followed by ``N(.M)*``, optionally a range ``-N(.M)*``. A
  range expands over its last component (``§4.3-4.5`` is 4.3, 4.4, 4.5; ``§7-8`` is 7, 8;
  ``§7.1-3`` is 7.1-7.3); a range whose ends differ above the last component (``§2.3-3.1``)
  stands for its two ends.
* The document a ``§`` belongs to is the ``<name>.md`` written directly before it (only
  whitespace or comment markers ``#`` / ``:`` between). A bare ``§`` (``physics.md §2.5,
  §7``; ``§8.1`` in a module whose docstring cites physics.md) belongs to the document of
  the previous ``§`` in the same file, and to physics.md when it is the first one. Only
  physics.md references are checked here (``ecosystem.md §3`` and the like are not).
* ``physics.md key numbers`` refers to the "Key numbers at a glance" table.
* A source tag is ``[S<digits><optional letter>]`` or ``[S-<letters><digits>]``.
* A design citation is ``DESIGN.md "..."``, ``design.md "..."`` (any path before it) or
  ``DESIGN "..."``; the quoted text, with whitespace collapsed, must equal a heading of
  docs/design.md.

Headings of docs/physics.md are written ``## §N Title``, ``### §N.M Title`` (any depth);
the sources are the ``- [Sxx] reference`` items of the ``§12 Sources`` section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "raidsim"
PHYSICS = REPO / "docs" / "physics.md"
DESIGN = REPO / "docs" / "design.md"
SCANNED = ("*.py", "*.toml", "*.md")
SOURCES_SECTION = "12"

_SECTION = r"\d+(?:\.\d+)*"
SECTION_REF = re.compile(rf"§\s*(?P<start>{_SECTION})(?:\s*[-–]\s*(?P<end>{_SECTION}))?")
#: a document name directly before a ``§`` (comment markers may sit between on a new line)
DOC_BEFORE = re.compile(r"(?P<doc>[\w-]+)\.md[\s#:]*\Z")
KEY_NUMBERS_REF = re.compile(r"physics\.md\s+key numbers", re.IGNORECASE)
SOURCE_TAG = re.compile(r"\[(?P<tag>S(?:\d+[a-z]?|-[A-Z]+\d+))\]")
DESIGN_REF = re.compile(r'(?:\b(?:DESIGN|design)\.md|\bDESIGN)\s*"(?P<heading>[^"]{1,200})"')
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>\S.*?)\s*#*\s*$")
SECTION_HEADING = re.compile(rf"^§(?P<id>{_SECTION})\s+\S")
SOURCE_ENTRY = re.compile(r"^\s*[-*]\s+\[(?P<tag>S[\w-]+)\]\s+(?P<ref>\S.*)$")


@dataclass(frozen=True)
class Citation:
    """One cited target (a section id, a source tag or a heading) and where it was cited."""

    where: str  # "src/raidsim/x.py:12"
    target: str


# ----------------------------------------------------------------------------- parsing


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _normalise(heading: str) -> str:
    """Collapse whitespace, dropping comment markers at line starts inside a quote."""
    return " ".join(re.sub(r"\n\s*#:?", " ", heading).split())


def expand_range(start: str, end: str | None) -> list[str]:
    """The section ids a reference stands for (see the module docstring)."""
    if end is None:
        return [start]
    a = [int(x) for x in start.split(".")]
    b = [int(x) for x in end.split(".")]
    if len(b) < len(a):
        b = a[: len(a) - len(b)] + b
    if len(a) == len(b) and a[:-1] == b[:-1] and a[-1] <= b[-1]:
        prefix = ".".join(str(x) for x in a[:-1])
        return [f"{prefix}.{k}" if prefix else str(k) for k in range(a[-1], b[-1] + 1)]
    return [start, ".".join(str(x) for x in b)]


def section_refs(text: str) -> Iterator[tuple[str, int, str]]:
    """(document, line, section id) for every ``§`` reference in ``text``."""
    doc = "physics"
    prev_end = 0
    for m in SECTION_REF.finditer(text):
        named = DOC_BEFORE.search(text, prev_end, m.start())
        if named is not None:
            doc = named.group("doc").lower()
        prev_end = m.end()
        for sid in expand_range(m.group("start"), m.group("end")):
            yield doc, _line_of(text, m.start()), sid


def physics_refs(text: str) -> Iterator[tuple[int, str]]:
    """(line, section id) of the references that belong to physics.md."""
    for doc, line, sid in section_refs(text):
        if doc == "physics":
            yield line, sid


def key_number_refs(text: str) -> Iterator[int]:
    for m in KEY_NUMBERS_REF.finditer(text):
        yield _line_of(text, m.start())


def source_refs(text: str) -> Iterator[tuple[int, str]]:
    for m in SOURCE_TAG.finditer(text):
        yield _line_of(text, m.start()), m.group("tag")


def design_refs(text: str) -> Iterator[tuple[int, str]]:
    for m in DESIGN_REF.finditer(text):
        yield _line_of(text, m.start()), _normalise(m.group("heading"))


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside fenced code blocks."""
    out = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else HEADING.match(line)
        if m:
            out.append((len(m.group("hashes")), m.group("text")))
    return out


def section_ids(markdown: str) -> list[str]:
    """Section ids of the ``§N.M Title`` headings, in order (duplicates kept)."""
    ids = []
    for _, text in headings(markdown):
        m = SECTION_HEADING.match(text)
        if m:
            ids.append(m.group("id"))
    return ids


def sources_defined(markdown: str, section: str = SOURCES_SECTION) -> list[tuple[str, str]]:
    """(tag, reference) of the list items of the sources section, in order."""
    out = []
    level = None
    for line in markdown.splitlines():
        h = HEADING.match(line)
        if h:
            s = SECTION_HEADING.match(h.group("text"))
            if s and s.group("id") == section:
                level = len(h.group("hashes"))
                continue
            if level is not None and len(h.group("hashes")) <= level:
                break
        if level is not None:
            e = SOURCE_ENTRY.match(line)
            if e:
                out.append((e.group("tag"), e.group("ref")))
    return out


# ----------------------------------------------------------------------------- the tree


def scanned_files() -> list[Path]:
    files = {p for pattern in SCANNED for p in SRC.rglob(pattern)}
    return sorted(p for p in files if "__pycache__" not in p.parts)


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(REPO).as_posix()}:{line}"


def _collect(
    files: Iterable[Path],
) -> tuple[list[Citation], list[Citation], list[Citation], list[Citation]]:
    sections, keys, sources, designs = [], [], [], []
    for path in files:
        text = path.read_text("utf-8")
        sections += [Citation(_where(path, ln), sid) for ln, sid in physics_refs(text)]
        keys += [Citation(_where(path, ln), "Key numbers") for ln in key_number_refs(text)]
        sources += [Citation(_where(path, ln), tag) for ln, tag in source_refs(text)]
        designs += [Citation(_where(path, ln), h) for ln, h in design_refs(text)]
    return sections, keys, sources, designs


@pytest.fixture(scope="module")
def physics_md() -> str:
    assert PHYSICS.is_file(), f"{PHYSICS.relative_to(REPO)} is missing"
    return PHYSICS.read_text("utf-8")


@pytest.fixture(scope="module")
def design_md() -> str:
    assert DESIGN.is_file(), f"{DESIGN.relative_to(REPO)} is missing"
    return DESIGN.read_text("utf-8")


@pytest.fixture(scope="module")
def cited() -> tuple[list[Citation], list[Citation], list[Citation], list[Citation]]:
    return _collect(scanned_files())


def _report(bad: list[Citation], what: str) -> str:
    return f"{len(bad)} {what}:\n" + "\n".join(f"{c.where}: {c.target}" for c in bad)


def test_the_scanner_finds_citations(cited: tuple[list[Citation], ...]) -> None:
    """Guard: a scanner that finds nothing would pass every check below."""
    sections, _keys, sources, designs = cited
    files = {c.where.split(":")[0] for c in sections}
    assert len(sections) >= 50, f"only {len(sections)} physics.md § citations found under src"
    assert any(f.endswith(".py") for f in files), "no § citation found in a .py file"
    assert any(f.endswith(".toml") for f in files), "no § citation found in a .toml file"
    assert len(sources) >= 20, f"only {len(sources)} [Sxx] citations found under src"
    assert designs, "no design.md / DESIGN.md heading citation found under src"


def test_cited_physics_sections_have_headings(
    cited: tuple[list[Citation], ...], physics_md: str
) -> None:
    sections, keys, _, _ = cited
    ids = set(section_ids(physics_md))
    bad = [c for c in sections if c.target not in ids]
    assert not bad, _report(bad, "physics.md § citation(s) with no '§N' heading in docs/physics.md")
    if keys:
        titles = [text for _, text in headings(physics_md)]
        assert any(t.lower().startswith("key numbers") for t in titles), _report(
            keys, "'physics.md key numbers' citation(s) with no 'Key numbers' heading"
        )


def test_cited_sources_are_defined(cited: tuple[list[Citation], ...], physics_md: str) -> None:
    _, _, sources, _ = cited
    defined = {tag for tag, _ in sources_defined(physics_md)}
    bad = [c for c in sources if c.target not in defined]
    assert not bad, _report(bad, "[Sxx] tag(s) not defined in the §12 Sources of docs/physics.md")


def test_cited_design_headings_exist(cited: tuple[list[Citation], ...], design_md: str) -> None:
    _, _, _, designs = cited
    titles = {_normalise(text) for _, text in headings(design_md)}
    physics_text = PHYSICS.read_text("utf-8") if PHYSICS.is_file() else ""
    from_docs = [Citation(f"docs/physics.md:{ln}", h) for ln, h in design_refs(physics_text)]
    bad = [c for c in designs + from_docs if c.target not in titles]
    assert not bad, _report(bad, "design.md citation(s) with no such heading in docs/design.md")


def test_physics_md_is_self_consistent(physics_md: str) -> None:
    """Section headings are unique and nested under their parent; every tag used in the text
    is defined in §12; every source entry carries a reference; §N cross-references resolve."""
    ids = section_ids(physics_md)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate section headings in docs/physics.md: {dupes}"
    orphans = [i for i in ids if "." in i and i.rsplit(".", 1)[0] not in ids]
    assert not orphans, f"subsections without a parent heading: {orphans}"
    entries = sources_defined(physics_md)
    tags = [tag for tag, _ in entries]
    assert len(tags) >= 50, f"only {len(tags)} entries found in the §12 Sources section"
    assert len(set(tags)) == len(tags), "a source tag is defined twice in §12"
    short = [tag for tag, ref in entries if len(ref) < 20]
    assert not short, f"source entries without a full reference: {short}"
    used = {tag for _, tag in source_refs(physics_md)}
    assert not used - set(tags), f"tags used in docs/physics.md but not defined: {used - set(tags)}"
    bad_xref = sorted({sid for _, sid in physics_refs(physics_md) if sid not in set(ids)})
    assert not bad_xref, f"docs/physics.md refers to missing sections: {bad_xref}"


# ----------------------------------------------------------------------------- self-test


def test_parser_reads_ranges_lists_and_bare_references() -> None:
    text = (
        '"""Cooling (physics.md §2.5, §7).\n\n'
        "eps = ...   §7.1 [S85]\n"
        'derate ... §7-8, and ecosystem.md §3; then §4.3-4.5 and §7.1-3."""\n'
        "x = 1  # see physics.md\n#: §5.3 and DESIGN.md §1\n"
    )
    refs = list(section_refs(text))
    assert refs == [
        ("physics", 1, "2.5"),
        ("physics", 1, "7"),
        ("physics", 3, "7.1"),
        ("physics", 4, "7"),
        ("physics", 4, "8"),
        ("ecosystem", 4, "3"),
        ("ecosystem", 4, "4.3"),  # bare: inherits the previous document
        ("ecosystem", 4, "4.4"),
        ("ecosystem", 4, "4.5"),
        ("ecosystem", 4, "7.1"),
        ("ecosystem", 4, "7.2"),
        ("ecosystem", 4, "7.3"),
        ("physics", 6, "5.3"),  # document on the previous comment line
        ("design", 6, "1"),
    ]
    assert [sid for _, sid in physics_refs("§12. then §0, §1")] == ["12", "0", "1"]
    assert expand_range("2.3", "3.1") == ["2.3", "3.1"]
    assert list(source_refs("[S1][S12a] [S-N2] [Sxx] [S]")) == [
        (1, "S1"),
        (1, "S12a"),
        (1, "S-N2"),
    ]
    assert list(key_number_refs("(physics.md key numbers 1-2)")) == [1]


def test_parser_reads_design_citations_and_headings() -> None:
    text = (
        'a DESIGN.md "The two simulation tiers" b docs/design.md "Terrain and\n'
        '    #: routes" c physics.md DESIGN "QSS" d the design "not a citation"'
    )
    assert [h for _, h in design_refs(text)] == [
        "The two simulation tiers",
        "Terrain and routes",
        "QSS",
    ]
    md = (
        "# Title\n## §1 Air\n### §1.1 Equations\n```\n## §9 not a heading\n```\n"
        "## §12 Sources\n- [S1] A. Author, A title, 2020. https://x\n- [S2] Another one, 1999.\n"
        "## §13 After\n- [S3] not a source here\n"
    )
    assert section_ids(md) == ["1", "1.1", "12", "13"]
    assert [t for t, _ in sources_defined(md)] == ["S1", "S2"]
    assert headings(md)[0] == (1, "Title")
