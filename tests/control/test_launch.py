"""Launch control (control.launch): staging, ending, slip hold and the launch-mode curve,
each against values a reader can work out by hand (physics.md §2.1)."""

from __future__ import annotations

import pytest

from raidsim.control.ecu import SLIP_SPEED_FLOOR_MPS, tread_speed_mps, wheel_slip_estimate
from raidsim.control.launch import (
    LAUNCH_MIN_THROTTLE,
    LAUNCH_SLIP_BAND,
    LAUNCH_STAGE_SPEED_MPS,
    launch_curve_Nm,
    launch_engaged,
    launch_torque_factor,
)


def test_a_floored_pedal_at_a_standstill_stages_a_launch() -> None:
    assert launch_engaged(False, 1.0, 0.0, 0.0) == (True, True)
    # already engaged: runs on, no second staging (the boost is not set again)
    assert launch_engaged(True, 1.0, 0.0, 0.0) == (True, False)
    # moving: no new launch, a running one holds
    assert launch_engaged(False, 1.0, 0.0, LAUNCH_STAGE_SPEED_MPS + 0.1) == (False, False)
    assert launch_engaged(True, 1.0, 0.0, 30.0) == (True, False)


def test_a_lift_or_the_brake_ends_the_launch() -> None:
    assert launch_engaged(True, LAUNCH_MIN_THROTTLE - 0.01, 0.0, 10.0) == (False, False)
    assert launch_engaged(True, 1.0, 0.2, 10.0) == (False, False)
    assert launch_engaged(False, 1.0, 0.2, 0.0) == (False, False)


def test_slip_hold_takes_torque_off_over_the_band() -> None:
    """f = clip(1 - (s - s*)/0.2): 1 at the target, 1/2 half a band above, 0 a band above."""
    assert LAUNCH_SLIP_BAND == 0.20
    assert launch_torque_factor(0.10, 0.10) == 1.0
    assert launch_torque_factor(0.0, 0.10) == 1.0  # below the target: clipped at 1
    assert launch_torque_factor(0.20, 0.10) == pytest.approx(0.5)
    assert launch_torque_factor(0.30, 0.10) == pytest.approx(0.0)
    assert launch_torque_factor(1.0, 0.10) == 0.0


def test_slip_estimate_from_the_wheel_speeds() -> None:
    """r0 mean(omega) = 0.35 x 40 = 14 m/s against 10 m/s ground speed: s = 0.4; at a
    standstill the 2 m/s floor keeps it finite: 14 / 2 = 7."""
    tread = tread_speed_mps(0.35, 40.0, 40.0, 40.0, 40.0)
    assert tread == pytest.approx(14.0)
    assert wheel_slip_estimate(tread, 10.0, SLIP_SPEED_FLOOR_MPS) == pytest.approx(0.4)
    assert wheel_slip_estimate(tread, 0.0, SLIP_SPEED_FLOOR_MPS) == pytest.approx(7.0)


def test_launch_curve_raises_torque_but_not_power() -> None:
    """OCTA: 750 -> 800 Nm (ratio 16/15) [S6], capped by the peak power 467 kW."""
    ratio, p_peak = 800.0 / 750.0, 467e3
    low = 2500.0 * 0.10471975511965977  # rad/s: 800 Nm x 262 rad/s = 209 kW, under the cap
    assert launch_curve_Nm(750.0, ratio, p_peak, low) == pytest.approx(800.0)
    high = 6500.0 * 0.10471975511965977  # 467 kW / 681 rad/s = 686 Nm
    assert launch_curve_Nm(650.0, ratio, p_peak, high) == pytest.approx(p_peak / high)
    # never below the production curve
    assert launch_curve_Nm(700.0, ratio, p_peak, high) == 700.0
    assert launch_curve_Nm(750.0, ratio, p_peak, 0.0) == pytest.approx(800.0)
