"""The ``raidsim`` Typer app: one group whose commands load when they are named.

Each command lives in its module (:data:`COMMANDS`); the group imports the module of the
command a process runs and builds only that command (``raidsim --help`` builds them all
to list them), so ``raidsim run`` does not pay for the other twelve commands' modules and
options (``benchmarks/bench_startup.py`` measures the whole process).
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from raidsim.cli.helptext import tidy_command
from raidsim.cli.process import call_as_process

__all__ = ["COMMANDS", "RaidsimApp", "app"]

#: command name -> (module, function), in the order ``raidsim --help`` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("raidsim.cli.run", "run_command"),
    "presets": ("raidsim.cli.run", "presets_command"),
    "stage-info": ("raidsim.cli.run", "stage_info_command"),
    "jump": ("raidsim.cli.run", "jump_command"),
    "export": ("raidsim.cli.report", "export_command"),
    "report": ("raidsim.cli.report", "report_command"),
    "estimate": ("raidsim.cli.estimate", "estimate_command"),
    "attribute": ("raidsim.cli.attribute", "attribute_command"),
    "correlate": ("raidsim.cli.correlate", "correlate_command"),
    "optimize": ("raidsim.cli.optimize", "optimize_command"),
    "check-regs": ("raidsim.cli.regs", "check_regs_command"),
    "campaign": ("raidsim.cli.campaign", "campaign_command"),
    "campaign-report": ("raidsim.cli.campaign", "campaign_report_command"),
    "batch": ("raidsim.cli.batch", "batch_command"),
}


def command_function(name: str) -> Any:
    """The function behind command ``name`` (its module imported)."""
    module, attr = COMMANDS[name]
    return getattr(importlib.import_module(module), attr)


class LazyGroup(TyperGroup):
    """A Typer group that knows its commands by name and builds one when it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            single = typer.Typer(add_completion=False)
            single.command(cmd_name)(command_function(cmd_name))
            self.commands[cmd_name] = tidy_command(typer.main.get_command(single))
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer's, with its "Did you mean ..." drawn from every command name (Typer's own
        draws only from the commands built so far)."""
        try:
            return super().resolve_command(ctx, args)
        except typer.exceptions.TyperException as exc:
            message = getattr(exc, "message", None)
            if args and isinstance(message, str) and "Did you mean" not in message:
                matches = difflib.get_close_matches(args[0], list(COMMANDS))
                if matches:
                    names = ", ".join(repr(m) for m in matches)
                    exc.message = f"{message.rstrip('.')}. Did you mean {names}?"
            raise


class RaidsimApp(typer.Typer):
    """The ``raidsim`` Typer app. Called itself (the console script, ``python -m
    raidsim.cli``) it runs the command as the process (:mod:`raidsim.cli.process`: the
    heap is frozen once the command has loaded); a test runner that invokes the click
    command (``CliRunner().invoke(app, ...)``) gets the plain app."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call_as_process(super().__call__, *args, **kwargs)


HELP = (
    "raidsim: digital twin and race-engineering toolkit for rally-raid cars.\n\n"
    "Exit codes: 0 done, 2 bad input (one line naming the file, flag or value), "
    "3 the simulation stopped or diverged; check-regs: 1 a rule failed."
)

app = RaidsimApp(cls=LazyGroup, add_completion=False, no_args_is_help=False, help=HELP)


@app.callback()
def _group() -> None:
    """The group itself takes no options; the commands are in :data:`COMMANDS`."""
