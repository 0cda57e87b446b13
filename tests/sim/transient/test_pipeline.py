"""The kernel on its own thread (sim/transient/pipeline.py): the same chunks as a serial
loop, bounded run-ahead, errors raised in the caller's thread, early exits that stop it."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from raidsim.errors import SimulationDiverged
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.layout import N_CH, STATUS_FINISHED, STATUS_RUNNING
from raidsim.sim.runner import planned_model
from raidsim.sim.transient import TransientModel, pipeline
from raidsim.sim.transient.pipeline import RUN_AHEAD_BYTES, KernelThread

#: 2 s chunks (2000 steps at 1 ms)
CHUNK = 2000


def _model(car: Vehicle, length_m: float = 600.0) -> TransientModel:
    return planned_model(car, straight_stage(length_m), settings=Settings())


def _kernel_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "raidsim-kernel"]


def test_thread_chunks_equal_a_serial_loop(d7xr: Vehicle) -> None:
    serial = _model(d7xr)
    expected = []
    while True:
        status, rows = serial.advance(CHUNK)
        expected.append((status, rows.copy(), serial["S_ROUTE"]))
        if status != STATUS_RUNNING:
            break
    threaded = _model(d7xr)
    with KernelThread(threaded, CHUNK) as chunks:
        got = [(c.status, c.rows, c.distance_m) for c in chunks]
    assert len(got) == len(expected) and got[-1][0] == STATUS_FINISHED
    for (s1, r1, d1), (s2, r2, d2) in zip(expected, got, strict=True):
        assert s1 == s2 and d1 == d2
        assert np.array_equal(r1, r2)  # bit-identical, NaN-free rows
    assert np.array_equal(serial.state, threaded.state)
    assert not _kernel_threads()


def test_run_ahead_is_bounded(d7xr: Vehicle, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that does not consume leaves the kernel waiting once the queue is full."""
    model = _model(d7xr, 5000.0)
    chunk_bytes = (CHUNK // model.sample_every + 1) * N_CH * 8
    assert KernelThread(model, CHUNK).depth == RUN_AHEAD_BYTES // chunk_bytes
    monkeypatch.setattr(pipeline, "RUN_AHEAD_BYTES", 3 * chunk_bytes)
    with KernelThread(model, CHUNK) as chunks:
        assert chunks.depth == 3
        deadline = time.monotonic() + 60.0
        while not chunks._queue.full() and time.monotonic() < deadline:
            time.sleep(0.01)
        t_full = model.time_s
        time.sleep(0.3)
        assert chunks._queue.qsize() == chunks.depth
        # nothing more was computed than the queue holds plus the chunk being handed over
        assert model.time_s <= t_full + CHUNK * model.settings.dt_s + 1e-9
        first = next(iter(chunks))
        assert first.status == STATUS_RUNNING
    assert not _kernel_threads()


def test_kernel_error_is_raised_in_the_caller(d7xr: Vehicle) -> None:
    model = _model(d7xr)
    model.set_param("K_HS", 5e9)  # the explicit driveline goes unstable (test_transient)
    with pytest.raises(SimulationDiverged), KernelThread(model, CHUNK) as chunks:
        for _ in chunks:
            pass
    assert not _kernel_threads()


def test_leaving_early_stops_the_thread(d7xr: Vehicle) -> None:
    model = _model(d7xr, 5000.0)
    with pytest.raises(RuntimeError, match="caller failed"), KernelThread(model, CHUNK) as chunks:
        for _ in chunks:
            raise RuntimeError("caller failed")
    assert not _kernel_threads()
    stopped_at = model.time_s
    time.sleep(0.1)
    assert model.time_s == stopped_at  # nothing advances the model any more
