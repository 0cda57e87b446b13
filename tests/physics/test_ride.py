"""Absorbed power and the shock measure against analytic cases (docs/physics.md §13)."""

from __future__ import annotations

import numpy as np
import pytest

from raidsim.physics.ride import (
    FT_M,
    absorbed_power_gain_sq,
    absorbed_power_W,
    shock_peak_g,
)
from raidsim.units import G_MPS2


@pytest.mark.parametrize("freq_hz", [1.0, 2.0, 4.5, 8.0, 15.0])
@pytest.mark.parametrize("amp_mps2", [0.5, 2.0])
def test_sinusoid_gives_gain_squared_times_mean_square(freq_hz: float, amp_mps2: float) -> None:
    """a = A sin(w t): P_abs = |H(jw)|^2 (A/0.3048)^2 / 2 once the filter has settled."""
    rate = 2000.0
    t = np.arange(0.0, 30.0, 1.0 / rate)
    a = amp_mps2 * np.sin(2.0 * np.pi * freq_hz * t)
    expected = float(absorbed_power_gain_sq(freq_hz)) * (amp_mps2 / FT_M) ** 2 / 2.0
    got = absorbed_power_W(a, rate, settle_s=5.0)
    assert got == pytest.approx(expected, rel=0.01)


def test_gain_by_hand_and_its_peak() -> None:
    """|H| at 4.5 Hz by hand from H(s) = 14.5 s (s+44) / ((s+63)(s^2+24s+750)); the
    response peaks at 4-5 Hz and 6 W there is about 1.7 m/s^2 RMS (physics.md §13)."""
    w = 2 * np.pi * 4.5
    s = 1j * w
    h = 14.5 * s * (s + 44) / ((s + 63) * (s * s + 24 * s + 750))
    assert float(absorbed_power_gain_sq(4.5)) == pytest.approx(abs(h) ** 2, rel=1e-12)
    f = np.linspace(0.5, 30.0, 600)
    peak = f[np.argmax(absorbed_power_gain_sq(f))]
    assert 3.5 <= peak <= 5.5
    rms_for_6w = FT_M * np.sqrt(6.0 / absorbed_power_gain_sq(peak).item())
    assert 1.5 <= rms_for_6w <= 1.9


def test_absorbed_power_scales_with_mean_square() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=20000)
    p1 = absorbed_power_W(a, 1000.0)
    assert absorbed_power_W(3.0 * a, 1000.0) == pytest.approx(9.0 * p1, rel=1e-9)


def test_shock_peak_passes_slow_pulses_and_removes_fast_ones() -> None:
    """A 2 g half-sine of 0.2 s (2.5 Hz) passes the 30 Hz low-pass almost whole; a 2 g
    spike of one millisecond is mostly removed."""
    rate = 2000.0
    t = np.arange(0.0, 2.0, 1.0 / rate)
    slow = np.where((t > 0.5) & (t < 0.7), 2.0 * G_MPS2 * np.sin(np.pi * (t - 0.5) / 0.2), 0.0)
    assert shock_peak_g(slow, rate) == pytest.approx(2.0, rel=0.05)
    spike = np.zeros_like(t)
    spike[1000:1002] = 2.0 * G_MPS2
    assert shock_peak_g(spike, rate) < 0.5
