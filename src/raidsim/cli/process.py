"""What the ``raidsim`` command does once per process, and never under a test runner.

The console script (``raidsim``, :func:`raidsim.cli.main`) and ``python -m raidsim.cli``
call :func:`begin_startup` before they import the CLI and then run the app as the process
(:func:`as_process`); a test that drives the commands through ``typer.testing.CliRunner``
does neither, so none of this touches a test session.

Garbage collection: a run imports Numba, polars, pydantic and the model (some 200,000
long-lived objects: modules, classes, functions, types) before the kernel starts.
Python's cyclic collector would traverse them again and again while they load (~0.1 s of
``raidsim run``'s start, ``benchmarks/bench_startup.py``), on every full collection during
the run and once more while the interpreter shuts down.

* :func:`begin_startup` stops the collector while the process loads (and fixes the
  allocator's mmap threshold so freed arrays leave the resident memory,
  :func:`return_freed_arrays`);
* :func:`freeze_gc` (called by a command once it has loaded what it needs, by
  :func:`raidsim.cli.errors.handle_errors` when a command starts unless it is marked
  :func:`freezes_heap_itself`, and when the command ends) moves every object alive at
  that moment to the collector's permanent generation (:func:`gc.freeze`) and starts the
  collector again: the frozen objects are never traversed again, objects made afterwards
  are collected as usual, and nothing is skipped on exit but the final sweep (files are
  flushed and closed, ``atexit`` handlers run).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_state = {"process": False, "collector_stopped": False}

#: attribute of a command that calls :func:`freeze_gc` itself once it has loaded
FREEZES_ITSELF = "_raidsim_freezes_heap_itself"


def in_process() -> bool:
    """True while the ``raidsim`` command runs as the process (see :func:`as_process`)."""
    return _state["process"]


def begin_startup() -> None:
    """The console script, before it imports the CLI: stop the cyclic collector until
    the command has loaded (:func:`freeze_gc` starts it again), and fix the allocator's
    mmap threshold (:func:`return_freed_arrays`)."""
    gc.disable()
    _state["collector_stopped"] = True
    return_freed_arrays()


#: glibc's ``mallopt`` parameter for the mmap threshold; the threshold while a command
#: loads and builds (glibc's initial value) and afterwards (the most glibc's own dynamic
#: threshold reaches on 64-bit)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024
MMAP_THRESHOLD_AFTER_BYTES = 32 * 1024 * 1024
#: glibc's ``mallopt`` parameter for the heap-trim threshold (a fixed mmap threshold stops
#: glibc moving it too): afterwards twice the mmap threshold, as glibc's dynamic rule keeps
#: it, so freeing an array at the top of the heap does not hand its pages back only to
#: fault them in again for the next one
M_TRIM_THRESHOLD = -1


def return_freed_arrays(threshold_bytes: int = MMAP_THRESHOLD_BYTES) -> bool:
    """On glibc: serve every allocation of ``threshold_bytes`` or more with its own mapping
    (a freed one goes back to the system at once); True if set.

    glibc starts at 128 KiB but raises the threshold after each large free (up to 32 MB),
    so the arrays of a long stage's build and speed plan end up on the heap and stay in the
    process's resident memory after they are freed (~100 MB on an 800 km special,
    ``benchmarks/bench_memory.py``). :func:`begin_startup` fixes it at 128 KiB while the
    command loads and builds; :func:`freeze_gc` sets 32 MB once it runs, so the kernel's
    chunks and the report's batches reuse heap memory instead of mapping (and faulting in)
    fresh pages for each. Polars and pyarrow use their own allocators. Elsewhere (macOS,
    Windows, musl) it does nothing."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim = libc.mallopt(M_TRIM_THRESHOLD, 2 * int(threshold_bytes))
        return bool(libc.mallopt(M_MMAP_THRESHOLD, int(threshold_bytes)) and trim)
    except (OSError, AttributeError):
        return False


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
    permanent generation, and start the collector (and set the allocator's threshold for
    the work, :func:`return_freed_arrays`) if :func:`begin_startup` stopped it (call it
    when a command has loaded what it needs, before its long work); elsewhere (a test
    runner, a notebook) do nothing."""
    if in_process():
        gc.freeze()
        if _state["collector_stopped"]:
            _state["collector_stopped"] = False
            gc.enable()
            return_freed_arrays(MMAP_THRESHOLD_AFTER_BYTES)


def command_started(command: Callable[..., Any]) -> None:
    """A command begins: unless it freezes the heap itself (:func:`freezes_heap_itself`),
    freeze it now, so no command runs its work with the collector stopped."""
    if not getattr(command, FREEZES_ITSELF, False):
        freeze_gc()


def freezes_heap_itself(command: F) -> F:
    """Mark a command that calls :func:`freeze_gc` itself once it has loaded what it
    needs (so its own imports and setup load with the collector stopped)."""
    setattr(command, FREEZES_ITSELF, True)
    return command


def call_as_process(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)`` inside :func:`as_process`."""
    with as_process():
        return call(*args, **kwargs)


#: the module Numba's array functions import to see whether BLAS is there
SCIPY_BLAS = "scipy.linalg.cython_blas"


def load_numba_without_blas_probe() -> bool:
    """Import Numba's array functions (``numba.np.arraymath``) without their BLAS probe;
    True if this skipped it. For a command about to run raidsim's kernels in this process.

    When Numba first prepares its CPU target (the first jitted call or cache load), it
    imports ``numba.np.arraymath``, which imports ``scipy.linalg.cython_blas`` only to
    decide whether its ``np.correlate``/``np.convolve`` use a BLAS dot product or a plain
    loop. That import loads all of ``scipy.linalg`` (and, through SciPy's array-API layer,
    ``numpy.testing`` and ``numpy.f2py``): 0.13-0.16 s of a 2.5 s ``raidsim run``, for
    functions raidsim's jitted code never calls (``tests/cli/test_process.py`` checks
    that). With the probe's import refused (a ``None`` entry in ``sys.modules`` for the
    one import) Numba takes the loop; the entry is removed at once, so everything after
    imports SciPy as usual, and a jitted ``np.dot`` or ``np.linalg`` function still finds
    BLAS when it compiles. Does nothing when Numba's array functions or SciPy's BLAS are
    already loaded."""
    if "numba.np.arraymath" in sys.modules or SCIPY_BLAS in sys.modules:
        return False
    sys.modules[SCIPY_BLAS] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    except ImportError:  # another Numba layout: it probes (or not) on its own later
        return False
    finally:
        if SCIPY_BLAS in sys.modules and sys.modules[SCIPY_BLAS] is None:
            del sys.modules[SCIPY_BLAS]
    return True


def exit_status(code: object) -> int:
    """The process's exit status for ``SystemExit(code)``, as the interpreter maps it:
    None is 0, an int is itself, anything else is printed on stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def end_process(code: object) -> NoReturn:
    """End the ``raidsim`` process once its command has returned (or raised
    ``SystemExit(code)``) as the interpreter's own exit begins (``threading``'s shutdown:
    its exit hooks, which stop idle thread pools, then a wait for every non-daemon thread;
    then the ``atexit`` handlers), flush stdout and stderr, and leave with
    :func:`os._exit` and the command's status.

    Everything a command writes is closed and committed (atomically) before it returns, so
    what this skips is only the interpreter's finalization: tearing down each of the ~1,000
    modules a run imports (Numba and llvmlite, polars, pyarrow, plotly, scipy) and
    deallocating their objects, 0.15-0.3 s of a process that took 2.5 s
    (``benchmarks/bench_startup.py``) and nothing anyone reads."""
    status = exit_status(code)
    shutdown = getattr(threading, "_shutdown", None)
    if callable(shutdown) and threading.current_thread() is threading.main_thread():
        shutdown()  # what the interpreter does first: thread hooks (idle pools), joins
    else:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to save
            status = status or 1
    os._exit(status)
