"""CompileWatch: Numba compiles are timed apart from the run and announced once."""

from __future__ import annotations

import numba

from raidsim.sim.compile_watch import CompileWatch


def test_compile_is_timed_and_announced_once() -> None:
    @numba.njit(cache=False)
    def inner(x: float) -> float:
        return x * 2.0

    @numba.njit(cache=False)
    def outer(x: float) -> float:
        return inner(x) + 1.0

    calls: list[int] = []
    with CompileWatch(lambda: calls.append(1)) as watch:
        assert outer(1.0) == 3.0  # compiles outer, and inner inside it
        first = watch.seconds
        assert outer(2.0) == 5.0  # compiled: no new compile
    assert calls == [1]
    assert first > 0.0 and watch.seconds == first
    outer_again = numba.njit(cache=False)(lambda x: x + 1.0)
    outer_again(1.0)  # after the block: not watched
    assert watch.seconds == first and calls == [1]


def test_no_compile_no_notice() -> None:
    calls: list[int] = []
    with CompileWatch(lambda: calls.append(1)) as watch:
        pass
    assert calls == [] and watch.seconds == 0.0
