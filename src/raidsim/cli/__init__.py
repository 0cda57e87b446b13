"""Command line ``raidsim``: one module per command group, one error map, shared options.

* :mod:`raidsim.cli.group`: the Typer app; it loads the module of the command it runs
* :mod:`raidsim.cli.run`: ``run``, ``presets``, ``stage-info``, ``jump``
* :mod:`raidsim.cli.estimate`: ``estimate`` (QSS)
* :mod:`raidsim.cli.attribute`: ``attribute`` (one parameter group at a time, QSS)
* :mod:`raidsim.cli.optimize`: ``optimize``
* :mod:`raidsim.cli.campaign`: ``campaign``, ``campaign-report``
* :mod:`raidsim.cli.correlate`: ``correlate``
* :mod:`raidsim.cli.regs`: ``check-regs``
* :mod:`raidsim.cli.report`: ``export``, ``report``
* :mod:`raidsim.cli.batch`: ``batch`` (transient runs over a grid, on Dask)
* :mod:`raidsim.cli.options`: the shared options and the one load/validate path
* :mod:`raidsim.cli.errors`: consoles, exit codes, the error-to-exit-code map
* :mod:`raidsim.cli.process`: what the command does once per process (garbage collection)

``import raidsim.cli`` itself loads nothing (``app`` is imported on first access), so the
console script (:func:`main`) can stop the garbage collector before the CLI loads. The
command modules import only typer, rich and the option helpers at the top; each command
imports what it needs when it runs (``raidsim run`` never loads optuna, Dask or plotly;
``benchmarks/bench_startup.py`` measures the whole process).

Every user error (unknown vehicle, missing stage file, value out of range) prints one
line naming the file/flag/value and exits with code 2; a simulation that diverges or stops
prints its diagnostic and exits with code 3. No tracebacks for either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from raidsim.cli import process

if TYPE_CHECKING:
    from raidsim.cli.group import RaidsimApp

    app: RaidsimApp

__all__ = ["app", "main"]


def main() -> None:
    """The ``raidsim`` console script (and ``python -m raidsim.cli``): stop the garbage
    collector while the process loads (:mod:`raidsim.cli.process`), run the app, and end
    the process with the command's exit code once its work is done
    (:func:`raidsim.cli.process.end_process`)."""
    process.begin_startup()
    from raidsim.cli.group import app

    try:
        app()
    except SystemExit as done:
        process.end_process(done.code)
    process.end_process(0)


def __getattr__(name: str) -> Any:
    """``app``: the Typer app (:mod:`raidsim.cli.group`), imported on first access."""
    if name != "app":
        raise AttributeError(f"module 'raidsim.cli' has no attribute {name!r}")
    from raidsim.cli.group import app

    return app
