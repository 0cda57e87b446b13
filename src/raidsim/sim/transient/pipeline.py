"""The kernel on its own thread: chunks computed ahead while the caller consumes them.

The step loop releases the GIL (:mod:`raidsim.sim.jit`), so a thread that calls it runs
beside the caller's thread on a second core. :class:`KernelThread` advances a model chunk
by chunk on such a thread and hands the chunks over through a bounded queue: the caller
streams one chunk to the telemetry file and the summary while the kernel computes the
next ones, and what the caller does once (loading pyarrow and polars, opening the file)
overlaps the first chunks instead of delaying them.

* **Bounded.** The kernel runs at most :data:`RUN_AHEAD_BYTES` of sample rows ahead of the
  caller (at least one chunk), whatever the stage's length.
* **Deterministic.** One thread advances the model, chunk after chunk, with the same
  arithmetic as a loop in the caller's thread: the results are bit-identical.
* **State.** The model's arrays belong to the kernel thread until the run ends: a chunk
  carries the distance at its end (:attr:`Chunk.distance_m`) for the caller's progress.
  The thread stops after a chunk whose status is not running, so when the caller gets
  that chunk the model's state is the state at its end.
* **Errors and early exits.** An error of the kernel (a divergence) is raised in the
  caller's thread when it reaches that chunk; leaving the ``with`` block early (an error of
  the caller, Ctrl-C) stops the thread after the chunk it is computing.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from raidsim.sim.layout import N_CH, STATUS_RUNNING

__all__ = ["RUN_AHEAD_BYTES", "Chunk", "KernelThread"]

#: sample rows the kernel may compute ahead of the caller (32 MB: ~17 chunks of 30 s at
#: 100 Hz, ~0.4 s of kernel time, enough to cover the caller's start-up)
RUN_AHEAD_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class Chunk:
    """One kernel call: its status, sampled rows, wall time (s) and the route distance (m)
    at its end."""

    status: int
    rows: NDArray[np.float64]
    kernel_s: float
    distance_m: float


class Advancing(Protocol):
    """What the thread needs of a model: a chunk call and its distance along the route."""

    sample_every: int

    def advance(self, n_steps: int) -> tuple[int, NDArray[np.float64]]: ...

    def __getitem__(self, name: str) -> float: ...


class KernelThread:
    """Advance ``model`` by ``chunk_steps`` per chunk on a kernel thread, from entering the
    ``with`` block until a chunk's status is not running; iterate for the chunks."""

    def __init__(self, model: Advancing, chunk_steps: int) -> None:
        self.model = model
        self.chunk_steps = int(chunk_steps)
        chunk_bytes = (self.chunk_steps // model.sample_every + 1) * N_CH * 8
        self.depth = max(1, RUN_AHEAD_BYTES // chunk_bytes)
        self._queue: queue.Queue[Chunk | BaseException] = queue.Queue(maxsize=self.depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="raidsim-kernel", daemon=True)

    def __enter__(self) -> KernelThread:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if item.status != STATUS_RUNNING:
                return

    def _produce(self) -> None:
        try:
            while not self._stop.is_set():
                t = time.perf_counter()
                status, rows = self.model.advance(self.chunk_steps)
                chunk = Chunk(status, rows, time.perf_counter() - t, self.model["S_ROUTE"])
                self._put(chunk)
                if status != STATUS_RUNNING:
                    return
        except BaseException as exc:  # handed to the caller's thread, raised there
            self._put(exc)

    def _put(self, item: Chunk | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
