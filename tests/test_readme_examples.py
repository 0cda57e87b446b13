"""The README's optimisation and correlation examples run, and print the README's numbers.

* ``examples/synthetic_log.csv`` (and the stage it is made on) is what
  ``examples/make_synthetic_log.py`` writes, byte for byte;
* the ``raidsim optimize`` and ``raidsim correlate`` commands of the README's example
  sections are run as written (from a scratch directory, the ``examples/`` paths pointing
  at the repository's), and every number the README quotes is the one the command prints.

When the QSS or transient tier changes the numbers: regenerate the log with
``python examples/make_synthetic_log.py``, run the two commands and copy the printed
numbers into the README (the failure message shows README and printed value side by side).
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from raidsim.cli import app
from raidsim.cli import correlate as correlate_cli
from raidsim.cli import errors as cli_errors
from raidsim.cli import optimize as optimize_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"

NUM = r"[-+]?\d+(?:\.\d+)?"
#: what separates table cells: anything but a word character or a sign
SEP = r"[^\w+-]+"


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def readme_command(section: str, program: str) -> list[str]:
    """The ``raidsim <program> ...`` line of the section's bash block, split into args."""
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            if line.strip().startswith(f"raidsim {program}"):
                return shlex.split(line)[1:]
    raise AssertionError(f"README section has no `raidsim {program}` command")


def prose(section: str) -> str:
    """The section without code blocks, whitespace collapsed (prose wraps anywhere)."""
    return " ".join(re.sub(r"```.*?```", " ", section, flags=re.S).split())


def find(pattern: str, text: str, what: str) -> tuple[str, ...]:
    m = re.search(pattern, text, flags=re.M)
    assert m is not None, f"{what}: no match for {pattern!r} in\n{text}"
    return m.groups()


def run_readme_command(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a README command in-process from ``cwd``; ``examples/...`` arguments point at the
    repository's examples. Returns the output."""
    wide = Console(width=200)
    for module in (cli_errors, optimize_cli, correlate_cli):
        monkeypatch.setattr(module, "console", wide)
    monkeypatch.chdir(cwd)
    argv = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == 0, res.output
    return res.output


def test_synthetic_log_is_what_the_script_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_log", EXAMPLES / "make_synthetic_log.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path)])
    for name in ("synthetic_stage.csv", "synthetic_stage.toml", "synthetic_log.csv"):
        made, committed = (tmp_path / name).read_bytes(), (EXAMPLES / name).read_bytes()
        assert made == committed, (
            f"examples/{name} is stale: regenerate it with python examples/make_synthetic_log.py "
            "(and update the README's correlation numbers)"
        )


def test_readme_correlation_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = readme_section("Correlation example")
    args = readme_command(section, "correlate")
    out = run_readme_command(args, tmp_path, monkeypatch)
    text = prose(section)
    printed = " ".join(out.split())
    for factor, truth in (("grip", 0.90), ("power", 0.95)):
        said = find(rf"{factor} ({NUM}) ± ({NUM})", text, f"README {factor}")
        got = find(rf"(?:^| ){factor} ({NUM}) ± ({NUM}) \(95 %\)", printed, f"printed {factor}")
        assert said == got, f"{factor}: README {said}, printed {got}"
        value, ci = map(float, got)
        assert abs(value - truth) <= ci, f"{factor} {value} ± {ci} excludes the truth {truth}"
    said = find(rf"RMS speed error ({NUM}) -> ({NUM}) km/h", text, "README RMS")
    got = find(rf"RMS speed error{SEP}({NUM}) km/h{SEP}({NUM}) km/h", printed, "printed RMS")
    assert said == got, f"RMS speed error: README {said}, printed {got}"
    said = find(rf"stage-time error ({NUM}) % -> ({NUM}) %", text, "README stage time")
    got = find(rf"stage-time error{SEP}({NUM}) %{SEP}({NUM}) %", printed, "printed stage time")
    assert said == got, f"stage-time error: README {said}, printed {got}"
    assert "trusted: yes" in printed
    assert (tmp_path / "runs" / "correlate" / "vehicle-fit.toml").is_file()


def _row(out: str, label: str) -> list[str]:
    """The numbers of the first output line that starts with ``label``."""
    for line in out.splitlines():
        if line.strip().startswith(label):
            return re.findall(NUM, line[line.index(label) + len(label) :])
    raise AssertionError(f"no line starting with {label!r} in\n{out}")


@pytest.mark.slow
def test_readme_optimisation_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = readme_section("Optimisation example")
    args = readme_command(section, "optimize")
    out = run_readme_command(args, tmp_path, monkeypatch)
    text = prose(section)
    said = find(
        rf"best final_drive ({NUM}) and tyre_pressure_front_bar ({NUM}) bar "
        rf"\(baseline ({NUM}) and ({NUM})\)",
        text,
        "README best setup",
    )
    fd, pf = _row(out, "final_drive"), _row(out, "tyre_pressure_front_bar")
    got = (fd[-1], pf[-1], fd[-2], pf[-2])  # best, best, baseline, baseline
    assert said == got, f"setup: README {said}, printed {got}"
    said = find(rf"QSS stage time ({NUM}) -> ({NUM}) s", text, "README QSS time")
    got = tuple(_row(out, "QSS time, s")[-2:])
    assert said == got, f"QSS time: README {said}, printed {got}"
    said = find(rf"transient confirmation ({NUM}) s \(QSS ({NUM}) %\)", text, "README transient")
    t, _qss, diff = find(
        rf"transient confirmation: ({NUM}) s \(QSS ({NUM}) s, ({NUM}) %\)", out, "printed"
    )
    assert said == (t, diff), f"transient confirmation: README {said}, printed {(t, diff)}"
    assert "50 trials (50 run now)" in out
