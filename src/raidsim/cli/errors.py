"""The terminal edge of the CLI: consoles, exit codes and the one error-to-exit-code map.

Every command is wrapped in :func:`handle_errors`, so no command catches errors itself and
no traceback reaches the user:

====================================================================  =====
error                                                                  exit
====================================================================  =====
none                                                                   0
bad input: :class:`ConfigError`, :class:`RouteError`, :class:`RunError`, 2
:class:`LogError`, a pydantic ``ValidationError``, ``OSError`` (files),
``UnicodeError`` (a file that is not UTF-8 text)
the simulation stopped or diverged: :class:`SimulationStopped`,        3
:class:`SimulationDiverged` (and any other :class:`RaidsimError`)
an unexpected exception (a bug; ``RAIDSIM_TRACEBACK=1`` re-raises it)  70
====================================================================  =====

``check-regs`` adds 1 for a failed rule; typer's own usage errors exit 2. Messages are
printed as plain text (no rich markup), so ``stage[red]x.toml``, ``a[/b].toml`` and
``[lon, lat]`` survive; a file-system error names the path and says what to do. Python
warnings raised while a command runs (a route repaired on reading, ...) are printed as
``warning: message`` lines on stderr, never as raw ``file:line: Warning`` lines.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import warnings
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from raidsim.cli.process import command_started
from raidsim.errors import ConfigError, RaidsimError, RouteError, SimulationDiverged

#: success
EXIT_OK = 0
#: bad input (unknown vehicle, missing file, value out of range): one line, no traceback
EXIT_BAD_INPUT = 2
#: the simulation diverged or stopped before the finish
EXIT_SIM_FAILED = 3
#: an exception raidsim did not expect (a bug): one line, no traceback
EXIT_INTERNAL = 70

ExitMap = tuple[tuple[tuple[type[BaseException], ...], int], ...]


@functools.cache
def exit_codes() -> ExitMap:
    """Exception classes -> exit code, first match wins (the one map every command uses).

    Built on first use: the error classes of the run directories, the logs and the
    transient runner live in modules a command may not need (``raidsim run`` does not
    import the log reader), so they are imported only when an error is mapped."""
    from raidsim.correlate.logs import LogError
    from raidsim.io.runs import RunError
    from raidsim.sim.runner import SimulationStopped

    return (
        (
            (ConfigError, RouteError, RunError, LogError, ValidationError, OSError, UnicodeError),
            EXIT_BAD_INPUT,
        ),
        ((SimulationStopped, SimulationDiverged, RaidsimError), EXIT_SIM_FAILED),
    )


def __getattr__(name: str) -> Any:
    """``EXIT_CODES``: :func:`exit_codes` under its former constant name."""
    if name == "EXIT_CODES":
        return exit_codes()
    raise AttributeError(f"module 'raidsim.cli.errors' has no attribute {name!r}")


#: set to re-raise unexpected exceptions with their traceback (debugging)
TRACEBACK_ENV = "RAIDSIM_TRACEBACK"

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: BaseException) -> int:
    """Exit code of an exception under :func:`exit_codes` (:data:`EXIT_INTERNAL` if none)."""
    for classes, code in exit_codes():
        if isinstance(exc, classes):
            return code
    return EXIT_INTERNAL


#: errno -> what the user can do about a file-system error on that path
OS_HINTS: dict[int, str] = {
    errno.ENOENT: "check the path",
    errno.EEXIST: "it exists and is not a directory; give a new or existing directory",
    errno.ENOTDIR: "a part of the path is a file, not a directory; give another path",
    errno.EISDIR: "it is a directory; give a file name",
    errno.EACCES: "no permission; choose a location you can write to",
    errno.EPERM: "not permitted; choose a location you can write to",
    errno.EROFS: "read-only file system; choose a location you can write to",
    errno.ENOSPC: "the disk is full; free space or choose another location",
    errno.ENAMETOOLONG: "the name is too long; give a shorter path",
    errno.ELOOP: "too many symbolic links; give another path",
    errno.ENXIO: "not a regular file; give a file name",
}


#: the outputs the running command writes (``--out DIR``), newest last: a file-system error
#: that names no file (a full disk) is reported against the newest (:func:`writes_to`)
_OUTPUTS: list[str] = []


def writes_to(label: str) -> None:
    """Say that the running command writes ``label`` (``--out runs/s6``): an error that
    names no path (a full disk while Parquet writes a row group) then names it."""
    _OUTPUTS.append(label)


def _os_message(exc: OSError) -> str:
    from raidsim.atomic import visible

    if exc.filename is None:
        where = _OUTPUTS[-1] if _OUTPUTS else ""
    else:  # never a hidden temporary: the file it becomes
        where = str(visible(os.fsdecode(exc.filename)))
    if exc.filename2 is not None:
        where = f"{where} -> {visible(os.fsdecode(exc.filename2))}"
    reason = exc.strerror or str(exc)
    text = f"{where}: {reason}" if where != "" else reason
    hint = OS_HINTS.get(exc.errno or 0)
    return f"{text} ({hint})" if hint else text


def message_for(exc: BaseException) -> str:
    """One line describing ``exc`` for the user."""
    if isinstance(exc, ValidationError):
        from raidsim.model.setup import format_validation_error

        text = format_validation_error(exc, exc.title)
    elif isinstance(exc, OSError):
        text = _os_message(exc)
    elif isinstance(exc, UnicodeError):
        text = f"a file is not UTF-8 text ({exc}); save it as UTF-8"
    elif exit_code_for(exc) == EXIT_INTERNAL:
        text = (
            f"internal error ({type(exc).__name__}: {exc}); "
            f"set {TRACEBACK_ENV}=1 to see the traceback"
        )
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.splitlines())


def printable(message: str) -> str:
    """``message`` safe to print: a lone surrogate (an undecodable byte in a command-line
    path) becomes ``\\udcff`` instead of failing the write."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


def say(message: str, *, err: bool = False) -> None:
    """Print ``message`` as plain text: no markup, no highlighting, no wrapping."""
    (err_console if err else console).print(
        printable(message), markup=False, highlight=False, soft_wrap=True
    )


def warn(message: str) -> None:
    """``warning: message`` on stderr (message printed literally)."""
    err_console.print(
        Text.assemble(("warning:", "yellow"), " ", printable(" ".join(message.splitlines()))),
        highlight=False,
        soft_wrap=True,
    )


def _print_error(message: str) -> None:
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", printable(message)),
        highlight=False,
        soft_wrap=True,
    )


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` while a command runs: one ``warning:`` line, no source."""
    warn(str(message))


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr (message printed literally) and exit with ``code``."""
    _print_error(message)
    raise typer.Exit(code)


#: cleanups registered by the running command (:func:`on_failure`), newest last
_CLEANUPS: list[Callable[[], None]] = []


def on_failure(cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` if the command running now fails (an exception, a non-zero exit,
    Ctrl-C): how a command's half-written outputs are removed (see ``StagedDir``)."""
    _CLEANUPS.append(cleanup)


#: releases registered by the running command (:func:`at_end`), newest last
_AT_END: list[Callable[[], None]] = []


def at_end(release: Callable[[], None]) -> None:
    """Run ``release`` when the command running now ends, however it ends (after the
    :func:`on_failure` cleanups): how a command's lock on its ``--out`` is let go."""
    _AT_END.append(release)


def _run_cleanups(since: int) -> None:
    while len(_CLEANUPS) > since:
        cleanup = _CLEANUPS.pop()
        try:
            cleanup()
        except Exception as exc:  # report, but keep the command's own error
            warn(f"could not remove a partial output ({message_for(exc)})")


_PASS_THROUGH: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    typer.exceptions.TyperException,  # usage errors, BadParameter: typer prints them
)


def handle_errors(func: F) -> F:
    """Wrap a typer command: map any exception through :func:`exit_codes` to one printed
    line and an exit code. ``typer.Exit``/``Abort`` and usage errors pass through. Python
    warnings raised meanwhile are printed by :func:`warn`; on any failure the cleanups
    registered with :func:`on_failure` run (partial outputs are removed)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        command_started(func)
        since, ends, outputs = len(_CLEANUPS), len(_AT_END), len(_OUTPUTS)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return func(*args, **kwargs)
        except typer.Exit as exc:
            if exc.exit_code != 0:
                _run_cleanups(since)
            raise
        except _PASS_THROUGH:
            _run_cleanups(since)
            raise
        except Exception as exc:
            _run_cleanups(since)
            code = exit_code_for(exc)
            if code == EXIT_INTERNAL and os.environ.get(TRACEBACK_ENV):
                raise
            _print_error(message_for(exc))
            raise typer.Exit(code) from None
        except BaseException:  # Ctrl-C
            _run_cleanups(since)
            raise
        finally:
            del _CLEANUPS[since:]
            del _OUTPUTS[outputs:]
            while len(_AT_END) > ends:
                with contextlib.suppress(Exception):
                    _AT_END.pop()()

    return cast(F, wrapper)
