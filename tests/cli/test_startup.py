"""What ``raidsim run`` loads at startup (no wall-clock asserts: what is imported).

``benchmarks/bench_startup.py`` times the whole process; these tests keep the reasons
it is fast from regressing: ``import raidsim`` is cheap (its public names load on first
use), ``import raidsim.cli`` loads no command's heavy tools (optuna, Dask, plotly,
DuckDB), and the process-only garbage-collector tuning never touches a test runner.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import raidsim
from raidsim.cli import app, process

#: modules ``raidsim run`` must not pay for (other commands' tools)
HEAVY = ("optuna", "dask", "distributed", "plotly", "duckdb", "raidsim.optimize.study")


def _loaded_after(statement: str, names: tuple[str, ...]) -> list[str]:
    """The ``names`` in ``sys.modules`` of a fresh interpreter after ``statement``."""
    code = (
        f"import json, sys; {statement}; "
        f"print(json.dumps([n for n in {list(names)!r} if n in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_raidsim_is_lazy() -> None:
    assert _loaded_after("import raidsim", ("numba", "polars", "raidsim.sim.transient")) == []


def test_import_cli_loads_no_heavy_tool() -> None:
    assert _loaded_after("import raidsim.cli", HEAVY) == []


def test_public_names_resolve_lazily() -> None:
    for name in raidsim.__all__:
        assert getattr(raidsim, name) is not None
    assert set(raidsim.__all__) <= set(dir(raidsim))
    with pytest.raises(AttributeError):
        raidsim.no_such_name  # noqa: B018


def test_cli_runner_is_not_the_process() -> None:
    """A test runner invoking the commands never freezes the heap."""
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(app, ["presets"])
    assert result.exit_code == 0, result.output
    assert not process.in_process()
    assert gc.get_freeze_count() == frozen


def test_as_process_marks_and_unmarks() -> None:
    calls: list[bool] = []
    try:
        process.call_as_process(lambda: calls.append(process.in_process()))
        assert calls == [True] and not process.in_process()
    finally:
        gc.unfreeze()
