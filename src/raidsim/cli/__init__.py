"""Command line ``raidsim``: one module per command group, one error map, shared options.

* :mod:`raidsim.cli.run`: ``run``, ``presets``, ``stage-info``, ``jump``
* :mod:`raidsim.cli.estimate`: ``estimate`` (QSS)
* :mod:`raidsim.cli.optimize`: ``optimize``
* :mod:`raidsim.cli.campaign`: ``campaign``, ``campaign-report``
* :mod:`raidsim.cli.correlate`: ``correlate``
* :mod:`raidsim.cli.regs`: ``check-regs``
* :mod:`raidsim.cli.report`: ``export``, ``report``
* :mod:`raidsim.cli.batch`: ``batch`` (transient runs over a grid, on Dask)
* :mod:`raidsim.cli.options`: the shared options and the one load/validate path
* :mod:`raidsim.cli.errors`: consoles, exit codes, the error-to-exit-code map
* :mod:`raidsim.cli.process`: what the command does once per process (garbage collection)

The command modules import only typer, rich and the option helpers at the top; each
command imports what it needs when it runs (``raidsim run`` never loads optuna, Dask or
plotly; ``benchmarks/bench_startup.py`` measures the whole process).

Every user error (unknown vehicle, missing stage file, value out of range) prints one
line naming the file/flag/value and exits with code 2; a simulation that diverges or stops
prints its diagnostic and exits with code 3. No tracebacks for either.
"""

from __future__ import annotations

from typing import Any

import typer

from raidsim.cli import batch, campaign, correlate, estimate, optimize, regs, report, run
from raidsim.cli.process import call_as_process


class RaidsimApp(typer.Typer):
    """The ``raidsim`` Typer app. Called itself (the console script, ``python -m
    raidsim.cli``) it runs the command as the process (:mod:`raidsim.cli.process`:
    the heap is frozen before the interpreter shuts down); a test runner that invokes
    the click command (``CliRunner().invoke(app, ...)``) gets the plain app."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call_as_process(super().__call__, *args, **kwargs)


app = RaidsimApp(
    add_completion=False,
    no_args_is_help=False,
    help="raidsim: digital twin and race-engineering toolkit for rally-raid cars.\n\n"
    "Exit codes: 0 done, 2 bad input (one line naming the file, flag or value), "
    "3 the simulation stopped or diverged; check-regs: 1 a rule failed.",
)

app.command("run")(run.run_command)
app.command("presets")(run.presets_command)
app.command("stage-info")(run.stage_info_command)
app.command("jump")(run.jump_command)
app.command("export")(report.export_command)
app.command("report")(report.report_command)
app.command("estimate")(estimate.estimate_command)
app.command("correlate")(correlate.correlate_command)
app.command("optimize")(optimize.optimize_command)
app.command("check-regs")(regs.check_regs_command)
app.command("campaign")(campaign.campaign_command)
app.command("campaign-report")(campaign.campaign_report_command)
app.command("batch")(batch.batch_command)

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover
    app()
