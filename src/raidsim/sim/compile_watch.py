"""How long Numba spends compiling while a run is set up and driven.

The first run after an install or an update compiles the kernel (a minute or more on a
small machine); every later run loads it from Numba's cache in a fraction of a second.
Compiling is not driving: :class:`CompileWatch` listens to Numba's ``numba:compile``
events (fired for a real compile only, not for a load from the cache) so that the run can
report the compile time apart, leave it out of the real-time factor, and say once, as the
first compile starts, that it is compiling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from numba.core import event

__all__ = ["CompileWatch"]


class CompileWatch(event.Listener):  # type: ignore[misc]
    """Installed by ``with``: :attr:`seconds` is the wall time of the outermost Numba
    compiles in any thread meanwhile; ``on_compiling`` is called once, when the first one
    starts (on the compiling thread)."""

    def __init__(self, on_compiling: Callable[[], None] | None = None) -> None:
        self.on_compiling = on_compiling
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._notified = False

    def on_start(self, ev: Any) -> None:
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        if depth:
            return
        self._local.t0 = time.perf_counter()
        with self._lock:
            notify, self._notified = not self._notified, True
        if notify and self.on_compiling is not None:
            self.on_compiling()

    def on_end(self, ev: Any) -> None:
        self._local.depth = getattr(self._local, "depth", 1) - 1
        if self._local.depth == 0:
            spent = time.perf_counter() - self._local.t0
            with self._lock:
                self.seconds += spent

    def __enter__(self) -> CompileWatch:
        event.register("numba:compile", self)
        return self

    def __exit__(self, *exc: object) -> None:
        event.unregister("numba:compile", self)
