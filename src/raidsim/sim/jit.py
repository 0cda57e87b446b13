"""How the kernels' Numba functions are compiled: one place for the options.

* :func:`kernel_part`: a subsystem of the transient step (or the shared thermal step),
  inlined into its caller at Numba IR level so the step compiles as one function, and
  compiled without the Numba runtime (NRT): the hot code allocates nothing, and without
  NRT the arrays it passes carry no atomic reference counting (together half the step
  time in a composed step with ~20 subsystem calls).
* :func:`kernel_loop`: the step loop itself (no NRT, not inlined).
* :func:`kernel_entry`: the chunk call Python makes (it allocates its work arrays, so
  with the NRT).

The loop and the entry release the GIL (``nogil``): the runner drives the kernel on its
own thread while the caller's thread streams the chunk before to the telemetry file and
the summary (:class:`raidsim.sim.transient.pipeline.KernelThread`).

Both use NumPy's error model: a division by zero gives inf/NaN, which the step's
divergence check reports with the state that went bad, instead of an exception that
would lose the diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from numba import njit

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS: dict[str, Any] = {"cache": True, "error_model": "numpy", "_nrt": False, "nogil": True}


def kernel_part(fn: F) -> F:
    """Compile ``fn`` as an inlined, NRT-free kernel subsystem."""
    return njit(inline="always", **_OPTIONS)(fn)  # type: ignore[no-any-return]


def kernel_loop(fn: F) -> F:
    """Compile ``fn`` as the NRT-free kernel loop."""
    return njit(**_OPTIONS)(fn)  # type: ignore[no-any-return]


def kernel_entry(fn: F) -> F:
    """Compile ``fn`` as the kernel's entry from Python: cached, GIL released, with the NRT."""
    options = {**_OPTIONS, "_nrt": True}
    return njit(**options)(fn)  # type: ignore[no-any-return]


def recompile(*functions: object) -> None:
    """Recompile kernel functions in this process (after a stale cache was detected)."""
    for fn in functions:
        fn.recompile()  # type: ignore[attr-defined]
