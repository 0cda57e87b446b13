"""The README's during-the-rally block and example results file are what
``examples/make_readme_results.py`` makes.

The script writes replicate 3 of the seed-0 dakar-2026 campaign (prologue to stage 7) as a
synthetic organiser's results file, runs ``raidsim campaign dakar-2026 --results FILE``
(1000 replicates, seed 0, in this process) and ``campaign-report --strategy LEADER``, and
lays them out as the README's block. When the physics or the spec move the numbers, this
test fails with both; rewrite them with ``python examples/make_readme_results.py --write``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _script() -> ModuleType:
    return load_script("make_readme_results")


def test_readme_results_block_names_its_generator_and_file() -> None:
    m = _script()
    text = README.read_text("utf-8")
    section = text[text.index("### During the rally") :]
    assert section.index(m.BEGIN) < section.index(m.END)
    assert "python examples/make_readme_results.py --write" in m.BEGIN
    block = m.readme_block(text)
    assert f"--results examples/{m.RESULTS.name}" in block
    assert f"--replicates {m.REPLICATES} --seed {m.SEED}" in block
    head = m.RESULTS.read_text("utf-8").splitlines()[0]
    assert head.startswith("# SYNTHETIC results, not the real dakar-2026")


@pytest.mark.slow
def test_readme_results_block_is_what_the_script_prints(tmp_path: Path) -> None:
    m = _script()
    csv_text, block = m.main(["--out", str(tmp_path / "day7")])
    assert m.RESULTS.read_text("utf-8") == csv_text, (
        "examples/dakar-2026-results-stage7.csv is stale: run "
        "python examples/make_readme_results.py --write"
    )
    said = m.readme_block(README.read_text("utf-8"))
    assert said == block, (
        "README.md's results block is stale: run python examples/make_readme_results.py "
        f"--write\n--- README\n{said}--- printed\n{block}"
    )
    lines = block.splitlines()
    assert lines[0].startswith("raidsim campaign dakar-2026 --results")
    wins = [float(r.split()[-2].rstrip("%")) for r in lines[7:12]]
    assert sum(wins) == pytest.approx(100.0, abs=0.05)
