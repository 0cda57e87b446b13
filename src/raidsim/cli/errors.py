"""The terminal edge of the CLI: consoles, exit codes and the one error-to-exit-code map.

Every command is wrapped in :func:`handle_errors`, so no command catches errors itself and
no traceback reaches the user:

====================================================================  =====
error                                                                  exit
====================================================================  =====
none                                                                   0
bad input: :class:`ConfigError`, :class:`RouteError`, :class:`RunError`, 2
:class:`LogError`, a pydantic ``ValidationError``, ``OSError`` (files)
the simulation stopped or diverged: :class:`SimulationStopped`,        3
:class:`SimulationDiverged` (and any other :class:`RaidsimError`)
an unexpected exception (a bug; ``RAIDSIM_TRACEBACK=1`` re-raises it)  70
====================================================================  =====

``check-regs`` adds 1 for a failed rule; typer's own usage errors exit 2. Messages are
printed as plain text (no rich markup), so ``stage[red]x.toml`` and ``[lon, lat]`` survive.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from raidsim.correlate.logs import LogError
from raidsim.errors import ConfigError, RaidsimError, RouteError, SimulationDiverged
from raidsim.io.runs import RunError
from raidsim.sim.transient import SimulationStopped

#: success
EXIT_OK = 0
#: bad input (unknown vehicle, missing file, value out of range): one line, no traceback
EXIT_BAD_INPUT = 2
#: the simulation diverged or stopped before the finish
EXIT_SIM_FAILED = 3
#: an exception raidsim did not expect (a bug): one line, no traceback
EXIT_INTERNAL = 70

#: exception classes -> exit code, first match wins (the one map every command uses)
EXIT_CODES: tuple[tuple[tuple[type[BaseException], ...], int], ...] = (
    ((ConfigError, RouteError, RunError, LogError, ValidationError, OSError), EXIT_BAD_INPUT),
    ((SimulationStopped, SimulationDiverged, RaidsimError), EXIT_SIM_FAILED),
)

#: set to re-raise unexpected exceptions with their traceback (debugging)
TRACEBACK_ENV = "RAIDSIM_TRACEBACK"

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: BaseException) -> int:
    """Exit code of an exception under :data:`EXIT_CODES` (:data:`EXIT_INTERNAL` if none)."""
    for classes, code in EXIT_CODES:
        if isinstance(exc, classes):
            return code
    return EXIT_INTERNAL


def message_for(exc: BaseException) -> str:
    """One line describing ``exc`` for the user."""
    if isinstance(exc, ValidationError):
        from raidsim.model.setup import format_validation_error

        text = format_validation_error(exc, exc.title)
    elif isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        text = f"{where}: {exc.strerror}" if where != "" else exc.strerror
    elif exit_code_for(exc) == EXIT_INTERNAL:
        text = (
            f"internal error ({type(exc).__name__}: {exc}); "
            f"set {TRACEBACK_ENV}=1 to see the traceback"
        )
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.splitlines())


def say(message: str, *, err: bool = False) -> None:
    """Print ``message`` as plain text: no markup, no highlighting, no wrapping."""
    (err_console if err else console).print(message, markup=False, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """``warning: message`` on stderr (message printed literally)."""
    err_console.print(
        Text.assemble(("warning:", "yellow"), " ", message), highlight=False, soft_wrap=True
    )


def _print_error(message: str) -> None:
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True
    )


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr (message printed literally) and exit with ``code``."""
    _print_error(message)
    raise typer.Exit(code)


_PASS_THROUGH: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    typer.exceptions.TyperException,  # usage errors, BadParameter: typer prints them
)


def handle_errors(func: F) -> F:
    """Wrap a typer command: map any exception through :data:`EXIT_CODES` to one printed
    line and an exit code. ``typer.Exit``/``Abort`` and usage errors pass through."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            code = exit_code_for(exc)
            if code == EXIT_INTERNAL and os.environ.get(TRACEBACK_ENV):
                raise
            _print_error(message_for(exc))
            raise typer.Exit(code) from None

    return cast(F, wrapper)
