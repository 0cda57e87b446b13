"""raidsim.cli.errors: the one error-to-exit-code map and the plain-text error line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from raidsim.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_SIM_FAILED,
    exit_code_for,
    fail,
    handle_errors,
    message_for,
)
from raidsim.correlate.logs import LogError
from raidsim.errors import (
    ConfigError,
    RaidsimError,
    RouteError,
    SimulationDiverged,
    SimulationStopped,
)
from raidsim.io.runs import RunError
from raidsim.model.ambient import Ambient


def _validation_error() -> ValidationError:
    try:
        Ambient(temp_C=99.0)
    except ValidationError as exc:
        return exc
    raise AssertionError("Ambient accepted 99 C")


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ConfigError("x"), EXIT_BAD_INPUT),
        (RouteError("x"), EXIT_BAD_INPUT),
        (RunError("x"), EXIT_BAD_INPUT),
        (LogError("x"), EXIT_BAD_INPUT),
        (_validation_error(), EXIT_BAD_INPUT),
        (FileNotFoundError(2, "No such file or directory", "a.toml"), EXIT_BAD_INPUT),
        (PermissionError(13, "Permission denied", "out"), EXIT_BAD_INPUT),
        (SimulationStopped("car stuck"), EXIT_SIM_FAILED),
        (SimulationDiverged(1.0, 2.0, "VX", float("inf")), EXIT_SIM_FAILED),
        (RaidsimError("other"), EXIT_SIM_FAILED),
        (ValueError("bug"), EXIT_INTERNAL),
        (KeyError("bug"), EXIT_INTERNAL),
    ],
)
def test_exit_code_map(exc: Exception, code: int) -> None:
    assert exit_code_for(exc) == code


def test_messages_are_one_line() -> None:
    assert message_for(FileNotFoundError(2, "No such file or directory", "a[red].toml")) == (
        "a[red].toml: No such file or directory (check the path)"
    )
    assert "\n" not in message_for(_validation_error())
    assert "temp_C = 99.0" in message_for(_validation_error())
    assert message_for(ConfigError("two\nlines")) == "two lines"
    assert message_for(ValueError("oops")).startswith("internal error (ValueError: oops)")


def _app(func: object) -> typer.Typer:
    app = typer.Typer()
    app.command("go")(func)  # type: ignore[arg-type]
    app.command("noop")(lambda: None)
    return app


def test_handle_errors_lets_exit_and_usage_errors_through() -> None:
    @handle_errors
    def go(n: int = 0) -> None:
        if n == 1:
            raise typer.Exit(1)
        if n == 2:
            raise typer.BadParameter("n must not be 2")
        if n == 3:
            fail("stage[red]x.toml: [lon, lat] expected", EXIT_BAD_INPUT)

    runner = CliRunner()
    assert runner.invoke(_app(go), ["go"]).exit_code == 0
    assert runner.invoke(_app(go), ["go", "--n", "1"]).exit_code == 1
    usage = runner.invoke(_app(go), ["go", "--n", "2"])
    assert usage.exit_code == 2 and "n must not be 2" in usage.output
    literal = runner.invoke(_app(go), ["go", "--n", "3"])
    assert literal.exit_code == 2
    assert literal.output.strip() == "error: stage[red]x.toml: [lon, lat] expected"


def test_unexpected_exception_one_line_or_traceback_on_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @handle_errors
    def go() -> None:
        raise ZeroDivisionError("[bold]boom")

    monkeypatch.delenv("RAIDSIM_TRACEBACK", raising=False)
    res = CliRunner().invoke(_app(go), ["go"])
    assert res.exit_code == EXIT_INTERNAL
    assert res.output.strip() == (
        "error: internal error (ZeroDivisionError: [bold]boom); "
        "set RAIDSIM_TRACEBACK=1 to see the traceback"
    )
    monkeypatch.setenv("RAIDSIM_TRACEBACK", "1")
    res = CliRunner().invoke(_app(go), ["go"])
    assert isinstance(res.exception, ZeroDivisionError)


def test_real_terminal_prints_markup_literally_on_one_line(tmp_path: Path) -> None:
    """The installed entry point, on a narrow terminal: one plain line on stderr, exit 2."""
    env = {**os.environ, "COLUMNS": "40", "TERM": "xterm-256color"}
    proc = subprocess.run(
        [sys.executable, "-m", "raidsim.cli", "run", "stage[red]x.toml", "--quiet"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: stage file not found: stage[red]x.toml"
    assert "Traceback" not in proc.stderr + proc.stdout
