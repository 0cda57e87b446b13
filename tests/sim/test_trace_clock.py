"""The transient run's per-metre clock (raidsim.sim.trace_clock): checked on rows
whose answer is known by hand (a car at a constant 10 m/s reaches metre m at m / 10 s)."""

from __future__ import annotations

import numpy as np

from raidsim.sim.layout import CH, CHANNEL_NAMES
from raidsim.sim.trace_clock import TraceClock


def _rows(t_s: np.ndarray, speed_mps: float) -> np.ndarray:
    rows = np.zeros((len(t_s), len(CHANNEL_NAMES)))
    rows[:, CH["time_s"]] = t_s
    rows[:, CH["distance_m"]] = speed_mps * t_s
    rows[:, CH["speed_mps"]] = speed_mps
    rows[:, CH["brake_disc_C_fl"]] = 100.0
    rows[:, CH["brake_disc_C_rr"]] = 250.0
    return rows


def test_constant_speed_reaches_each_metre_at_distance_over_speed() -> None:
    clock = TraceClock(length_m=50.0)
    t = np.arange(0.0, 6.0, 0.01)
    for part in np.array_split(_rows(t, 10.0), 7):  # chunk cuts must not matter
        clock.update(part)
    clock.update(np.empty((0, len(CHANNEL_NAMES))))  # an empty chunk is harmless
    cols = clock._clock.result()
    np.testing.assert_allclose(cols["time_s"], clock.grid / 10.0, atol=1e-9)
    np.testing.assert_allclose(cols["speed_mps"], 10.0)
    # the hottest of the four discs
    np.testing.assert_allclose(cols["disc_max_C"], 250.0)
    assert len(clock.grid) == 51 and clock.grid[-1] == 50.0
