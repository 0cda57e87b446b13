"""What ``raidsim run`` loads at startup (no wall-clock asserts: what is imported).

``benchmarks/bench_startup.py`` times the whole process; these tests keep the reasons
it is fast from regressing: ``import raidsim`` is cheap (its public names load on first
use), ``import raidsim.cli`` loads nothing, the app loads only the command it runs, the
run command's module loads no other command's heavy tools (optuna, Dask, plotly, DuckDB),
and the process-only garbage-collector tuning never touches a test runner.
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


def test_run_command_module_loads_no_heavy_tool() -> None:
    assert _loaded_after("from raidsim.cli.group import app; import raidsim.cli.run", HEAVY) == []


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


def test_import_cli_loads_nothing_but_the_process_helpers() -> None:
    """The console script stops the collector before the CLI loads: the package is empty."""
    assert _loaded_after("import raidsim.cli", ("typer", "rich", "numba", "pydantic")) == []


def test_the_app_loads_no_command_module() -> None:
    commands = [f"raidsim.cli.{m}" for m in ("run", "batch", "report", "optimize", "campaign")]
    loaded = _loaded_after("from raidsim.cli.group import app", ("numba", "polars", *commands))
    assert loaded == []


def _console(argv: list[str], probe: str) -> str:
    """What ``probe`` (an expression) is at exit of the console script run with ``argv``."""
    code = (
        "import atexit, gc, sys; "
        f"atexit.register(lambda: print('PROBE', repr({probe}))); "
        f"sys.argv = ['raidsim', *{argv!r}]; "
        "from raidsim.cli import main; main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1].removeprefix("PROBE ")


def test_a_command_loads_only_its_own_module() -> None:
    others = ("batch", "report", "optimize", "campaign", "correlate", "estimate", "regs")
    probe = f"[m for m in {[f'raidsim.cli.{m}' for m in others]!r} if m in sys.modules]"
    assert _console(["presets"], probe) == "[]"


def test_console_script_restarts_the_collector_frozen() -> None:
    """Stopped while the process loads, the collector runs again once the command has
    started, with the loaded heap frozen."""
    assert _console(["presets"], "(gc.isenabled(), gc.get_freeze_count() > 0)") == "(True, True)"


def test_help_lists_every_command() -> None:
    from raidsim.cli.group import COMMANDS

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in COMMANDS:
        assert name in result.output


def test_allocator_threshold_is_fixed_on_glibc() -> None:
    """The console script keeps freed arrays out of the resident memory on glibc (and
    does nothing where there is no glibc)."""
    import platform

    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert process.return_freed_arrays() is glibc


def test_a_mistyped_command_gets_a_suggestion() -> None:
    """The lazy group suggests from every command name, built or not."""
    result = CliRunner().invoke(app, ["rnu"])
    assert result.exit_code == 2
    assert "Did you mean 'run'?" in " ".join(result.output.split())
