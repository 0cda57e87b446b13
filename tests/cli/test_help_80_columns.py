"""Every command's ``--help`` at COLUMNS=80: nothing wider, no default cut with an
ellipsis, no bracket eaten as markup, no paragraph broken before the line is full (a
docstring's own line breaks), and check-regs' table never splits a rule id."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from raidsim.cli import app
from raidsim.cli.group import COMMANDS
from raidsim.cli.helptext import reflow

WIDTH = 80
#: the help text's lines carry one space of padding each side
TEXT_WIDTH = WIDTH - 2


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.output


def _ragged(text: str) -> list[str]:
    """Lines of the description (above the first panel) that end although the next word
    of their paragraph would have fitted."""
    head = text.split("╭", 1)[0]
    paragraphs: list[list[str]] = [[]]
    for line in head.splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    bad = []
    for lines in paragraphs:
        for line, nxt in zip(lines, lines[1:], strict=False):
            if len(line) + 1 + len(nxt.split()[0]) <= TEXT_WIDTH:
                bad.append(line)
    return bad


def _flat(text: str) -> str:
    """The help as one line of words (panel borders dropped)."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns(command: str) -> None:
    text = _help(*([command] if command else []))
    too_wide = [ln for ln in text.splitlines() if len(ln) > WIDTH]
    assert too_wide == [], too_wide
    assert "…" not in text  # a default or a word cut short
    assert "([]" not in text and "[]," not in text  # a bracket eaten as markup
    assert _ragged(text) == []


def test_brackets_and_long_defaults_survive() -> None:
    assert "[[crews]]" in _help("campaign")
    assert "TOML [channels] table" in _flat(_help("correlate"))
    optimize = _flat(_help("optimize"))
    assert "[default: final_drive, tyre_pressure_front_bar, tyre_pressure_rear_bar" in optimize


def test_reflow_joins_lines_but_keeps_lists_and_paragraphs() -> None:
    text = "First line\nsame paragraph.\n\nItems:\n- one\n- two\n  indented\n\n\bkeep\nas is"
    assert reflow(text) == (
        "First line same paragraph.\n\nItems:\n- one\n- two\n  indented\n\n\bkeep\nas is"
    )


def test_check_regs_table_never_splits_a_rule_id() -> None:
    result = CliRunner().invoke(app, ["check-regs"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    assert "restrictor_power_to_weight:" in result.output
    assert "production_powertrain:" in result.output
    assert all(len(ln) <= WIDTH for ln in result.output.splitlines())
