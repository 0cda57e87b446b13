"""Shift map, shift decision and lock-up hysteresis (control.tcu)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidsim.control.tcu import (
    DOWNSHIFT_REV_MARGIN,
    LOCKUP_SPEED_HYSTERESIS_MPS,
    lockup_command,
    shift_decision,
    shift_points,
)

RATIOS = np.array([4.7, 3.1, 2.1, 1.7, 1.3, 1.0])
N_GEARS = 6
REV_LIMIT = 700.0  # rad/s
CEILING = DOWNSHIFT_REV_MARGIN * REV_LIMIT


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0))
def test_shift_points_are_linear_in_throttle(thr: float) -> None:
    """up = up_part + (up_full - up_part) thr, the same for down: the part-load line at
    0, the full-load line at 1."""
    up, down = shift_points(thr, 200.0, 500.0, 120.0, 300.0)
    assert up == pytest.approx(200.0 + 300.0 * thr)
    assert down == pytest.approx(120.0 + 180.0 * thr)
    assert shift_points(0.0, 200.0, 500.0, 120.0, 300.0) == (200.0, 120.0)
    assert shift_points(1.0, 200.0, 500.0, 120.0, 300.0) == (500.0, 300.0)


def _decide(gear: int, w: float, up: float = 450.0, down: float = 250.0, **kw: bool) -> int:
    return shift_decision(
        gear,
        N_GEARS,
        w,
        up,
        down,
        kw.get("up_ok", True),
        kw.get("down_ok", True),
        RATIOS,
        CEILING,
    )


def test_upshift_above_the_line() -> None:
    assert _decide(3, 451.0) == 1
    assert _decide(3, 449.0) == 0
    assert _decide(N_GEARS, 650.0) == 0  # no gear above the top
    assert _decide(3, 451.0, up_ok=False) == 0


def test_downshift_below_the_line_unless_it_would_over_rev() -> None:
    """Downshift from g when w < down and w r_{g-1} / r_g < 0.92 rev limit, else hold."""
    # 2nd -> 1st at 200 rad/s: 200 x 4.7 / 3.1 = 303 rad/s < 644: shift
    assert _decide(2, 200.0) == -1
    # a downshift line above the ceiling / ratio step: from 2nd at 430 rad/s the turbine
    # would reach 652 rad/s > 644 rad/s: hold
    assert 430.0 * RATIOS[0] / RATIOS[1] > CEILING
    assert _decide(2, 430.0, down=440.0) == 0
    assert 420.0 * RATIOS[0] / RATIOS[1] < CEILING
    assert _decide(2, 420.0, down=440.0) == -1
    assert _decide(1, 100.0) == 0  # no gear below first
    assert _decide(3, 200.0, down_ok=False) == 0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, N_GEARS), st.floats(0.0, 800.0))
def test_hold_between_the_lines(gear: int, w: float) -> None:
    """Between the lines the gear holds; any downshift keeps the new turbine speed under
    the ceiling; any upshift is from above the line."""
    got = _decide(gear, w)
    if 250.0 <= w <= 450.0:
        assert got == 0
    if got == -1:
        assert w * RATIOS[gear - 2] / RATIOS[gear - 1] < CEILING
    if got == 1:
        assert w > 450.0 and gear < N_GEARS


def test_lockup_hysteresis() -> None:
    """Closes above v_min in a high enough gear, stays closed down to v_min - hysteresis,
    opens below it; once open it stays open until v_min is passed again."""
    gmin, vmin = 3.0, 12.0
    lo = vmin - LOCKUP_SPEED_HYSTERESIS_MPS
    assert lockup_command(0.0, 4, vmin + 0.1, gmin, vmin, False) == 1.0
    assert lockup_command(1.0, 4, vmin - 0.5, gmin, vmin, False) == 1.0  # inside the band
    assert lockup_command(1.0, 4, lo - 0.1, gmin, vmin, False) == 0.0
    assert lockup_command(0.0, 4, vmin - 0.5, gmin, vmin, False) == 0.0  # open stays open
    assert lockup_command(1.0, 2, vmin + 5.0, gmin, vmin, False) == 0.0  # gear too low
    # during a shift the command holds
    assert lockup_command(0.0, 4, vmin + 5.0, gmin, vmin, True) == 0.0
    assert lockup_command(1.0, 4, vmin + 5.0, gmin, vmin, True) == 1.0


def test_lockup_speed_sweep_traces_the_hysteresis_loop() -> None:
    """Sweeping speed up then down: closes at v_min going up, opens at v_min - 2 going down."""
    gmin, vmin = 3.0, 12.0
    cmd = 0.0
    up, down = [], []
    speeds = np.linspace(5.0, 20.0, 151)
    for v in speeds:
        cmd = lockup_command(cmd, 4, float(v), gmin, vmin, False)
        up.append(cmd)
    for v in speeds[::-1]:
        cmd = lockup_command(cmd, 4, float(v), gmin, vmin, False)
        down.append(cmd)
    close_at = speeds[np.argmax(np.array(up) > 0.5)]
    open_at = speeds[::-1][np.argmax(np.array(down) < 0.5)]
    assert close_at == pytest.approx(vmin, abs=0.11)
    assert open_at == pytest.approx(vmin - LOCKUP_SPEED_HYSTERESIS_MPS, abs=0.11)
