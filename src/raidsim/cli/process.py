"""What the ``raidsim`` command does once per process, and never under a test runner.

The console script (``raidsim``) and ``python -m raidsim.cli`` call the app itself
(:class:`raidsim.cli.RaidsimApp`), which marks the process with :func:`as_process`; a test
that drives the commands through ``typer.testing.CliRunner`` never does, so none of this
touches a test session.

Garbage collection: a run imports Numba, polars, pydantic and the model (some 150,000
long-lived objects: modules, classes, functions, types) before the kernel starts.
Python's cyclic collector would traverse them all again on every full collection during
the run and once more while the interpreter shuts down (~0.35 s of a 3 s ``raidsim run``
on the default stage, ``benchmarks/bench_startup.py``). :func:`freeze_gc` moves every
object alive at that moment to the collector's permanent generation (:func:`gc.freeze`):
they are never traversed again, objects made afterwards are collected as usual, and
nothing is skipped on exit but the final sweep (files are flushed and closed, ``atexit``
handlers run).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_state = {"process": False}


def in_process() -> bool:
    """True while the ``raidsim`` command runs as the process (see :func:`as_process`)."""
    return _state["process"]


@contextmanager
def as_process() -> Iterator[None]:
    """Mark this process as the ``raidsim`` command for the ``with`` block; on leaving it
    (the command's exit, an error included) freeze the heap so the interpreter's shutdown
    does not sweep it."""
    previous = _state["process"]
    _state["process"] = True
    try:
        yield
    finally:
        freeze_gc()
        _state["process"] = previous


def freeze_gc() -> None:
    """In the ``raidsim`` process: move every object alive now to the collector's
    permanent generation (call it when a command has loaded what it needs, before its
    long work); elsewhere (a test runner, a notebook) do nothing."""
    if in_process():
        gc.freeze()


def call_as_process(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)`` inside :func:`as_process`."""
    with as_process():
        return call(*args, **kwargs)
