"""The README's W2RC season table is what ``examples/make_readme_season.py`` prints.

The script runs ``raidsim campaign w2rc-2026`` (100 replicates, seed 0, in this process)
and lays the summary out as the README's table. When the physics or the season spec moves
the numbers, this test fails with both tables; rewrite README's block with
``python examples/make_readme_season.py --write``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _script() -> ModuleType:
    return load_script("make_readme_season")


def test_readme_season_block_names_its_generator() -> None:
    m = _script()
    text = README.read_text("utf-8")
    section = text[text.index("### The W2RC season\n") :]
    assert section.index(m.BEGIN) < section.index(m.END)
    assert "python examples/make_readme_season.py --write" in m.BEGIN
    assert f"--replicates {m.REPLICATES} --seed {m.SEED}" in " ".join(section.split())


@pytest.mark.slow
def test_readme_season_table_is_what_the_script_prints(tmp_path: Path) -> None:
    m = _script()
    table = m.main(["--out", str(tmp_path / "season")])
    said = m.readme_block(README.read_text("utf-8"))
    assert said == table, (
        "README.md's season table is stale: run python examples/make_readme_season.py --write"
        f"\n--- README\n{said}--- printed\n{table}"
    )
    # --write puts the same table back in place (idempotent) and keeps the rest of the file
    copy = tmp_path / "README.md"
    copy.write_text(README.read_text("utf-8"), "utf-8")
    m.main(["--write", "--readme", str(copy), "--out", str(tmp_path / "season")])
    assert copy.read_text("utf-8") == README.read_text("utf-8")
    lines = table.splitlines()
    assert lines[0] == f"w2rc-2026: {m.REPLICATES} seasons, seed {m.SEED}"
    assert sum(float(r.split()[-5].rstrip("%")) for r in lines[3:8]) == pytest.approx(100.0, 0.01)
