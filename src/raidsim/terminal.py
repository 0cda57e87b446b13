"""Shared terminal edge of the CLI: consoles, exit codes and the one-line error exit."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

#: bad input (unknown vehicle, missing file, value out of range): one line, no traceback
EXIT_BAD_INPUT = 2
#: the simulation diverged or stopped before the finish
EXIT_SIM_FAILED = 3

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
