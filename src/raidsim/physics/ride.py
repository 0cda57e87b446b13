"""Ride and shock criteria at the crew's seat (docs/physics.md §13, [S-N2]).

Absorbed power (Pradko and Lee; NRMM's ride criterion). The seat's vertical acceleration
a(t), in ft/s^2, passes the third-order filter

    H(s) = 14.5 s (s + 44) / ((s + 63) (s^2 + 24 s + 750))

(Project Chrono's ``ChAbsorbed_Power_Vertical``, converted back to continuous time), and
the output y is squared and averaged: P_abs = mean(y^2) in W. For a sinusoid of amplitude
A at angular frequency w the steady state gives P_abs = |H(jw)|^2 (A / 0.3048)^2 / 2
(:func:`absorbed_power_gain_sq`). NRMM's military drivers accept 6 W; a rally crew far
more (``DriverSpec.absorbed_power_limit_W``).

Shock (NRMM): the peak seat vertical acceleration through a 4-pole 30 Hz Butterworth
low-pass over a discrete obstacle, 2.5 g for NRMM's drivers (``DriverSpec.shock_limit_g``).

Both run over sampled telemetry (a study, not the kernel's step), so they use
``scipy.signal``: the bilinear transform of H and a Butterworth in second-order sections.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from raidsim.units import G_MPS2

F64 = NDArray[np.float64]

#: m per ft: the absorbed-power filter takes acceleration in ft/s^2
FT_M = 0.3048
#: H(s) numerator and denominator, descending powers of s [S-N2]
AP_NUM = (14.5, 14.5 * 44.0, 0.0)
AP_DEN = tuple(np.polymul([1.0, 63.0], [1.0, 24.0, 750.0]))
#: NRMM shock criterion low-pass: 4 poles at 30 Hz [S-N2]
SHOCK_ORDER = 4
SHOCK_CUTOFF_HZ = 30.0


def absorbed_power_gain_sq(freq_hz: F64 | float) -> F64:
    """|H(j 2 pi f)|^2, W per (ft/s^2)^2 of mean-square input."""
    from scipy import signal  # lazily: a plain run never filters (start-up time)

    f = np.asarray(freq_hz, dtype=np.float64)
    _, h = signal.freqs(AP_NUM, AP_DEN, worN=2.0 * np.pi * np.atleast_1d(f))
    return np.asarray(np.abs(h) ** 2, dtype=np.float64).reshape(f.shape)


def absorbed_power_series_W(accel_mps2: F64, rate_hz: float) -> F64:
    """y(t)^2, the instantaneous absorbed power in W, of the seat's vertical acceleration
    (gravity removed) sampled at ``rate_hz``: H discretised by the bilinear transform."""
    from scipy import signal  # lazily: a plain run never filters (start-up time)

    b, a = signal.bilinear(AP_NUM, AP_DEN, fs=rate_hz)
    y = signal.lfilter(b, a, np.asarray(accel_mps2, dtype=np.float64) / FT_M)
    return np.asarray(y * y, dtype=np.float64)


def absorbed_power_W(accel_mps2: F64, rate_hz: float, settle_s: float = 0.0) -> float:
    """P_abs = mean(y^2) in W over the samples after the first ``settle_s`` (the filter's
    start-up transient)."""
    p = absorbed_power_series_W(accel_mps2, rate_hz)
    k = min(len(p) - 1, int(round(settle_s * rate_hz)))
    return float(np.mean(p[max(0, k) :]))


def shock_filtered_mps2(accel_mps2: F64, rate_hz: float) -> F64:
    """Seat vertical acceleration through the 4-pole 30 Hz Butterworth low-pass (the cutoff
    clipped just below Nyquist when the rate is under 60 Hz)."""
    from scipy import signal  # lazily: a plain run never filters (start-up time)

    cutoff = min(SHOCK_CUTOFF_HZ, 0.45 * rate_hz)
    sos = signal.butter(SHOCK_ORDER, cutoff, btype="low", fs=rate_hz, output="sos")
    return np.asarray(signal.sosfilt(sos, np.asarray(accel_mps2, dtype=np.float64)), np.float64)


def shock_peak_g(accel_mps2: F64, rate_hz: float) -> float:
    """Peak |filtered seat vertical acceleration| in g (NRMM's shock measure)."""
    f = shock_filtered_mps2(accel_mps2, rate_hz)
    return float(np.max(np.abs(f)) / G_MPS2) if len(f) else 0.0
