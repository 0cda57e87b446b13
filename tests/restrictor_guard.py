"""The restrictor cap as a check on telemetry rows (used by conftest.py on every
transient run of the test suite, and by tests/sim/test_restrictor_cap.py).

The engine's brake power can never exceed the choked-flow cap of its restrictor at the
run's ambient pressure and temperature (physics.md §1, §2.1): the intake filter and the
ECU derate only lower it. ``engine_power_kW`` is the step's torque times the speed it was
produced at, so it is held to the cap exactly (1e-9 relative for rounding).

``engine_torque_Nm`` is produced at the speed at the start of a 1 ms step while the row
holds the speed at its end. Over one step the engine speed changes by at most
h (T_e + T_lock-up + |T_impeller|) / J_e: about 1 ms x (800 + 1000 + 300) N m / 0.30 kg m^2
= 7 rad/s for the D7X-R, under 2 % of the speed at which the cap binds (about 380 rad/s:
287 kW / 750 N m). The torque is therefore held to cap / omega within TORQUE_STEP_TOL.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from raidsim.sim.layout import CH, PARAM

#: relative tolerance of the torque check: one step's engine-speed change (docstring)
TORQUE_STEP_TOL = 0.02
#: relative tolerance of the power check: floating-point rounding only
POWER_TOL = 1e-9
#: below this engine speed the cap is not applied (as in physics.engine), rad/s
MIN_OMEGA_RADPS = 1.0


def over_cap(rows: NDArray[np.float64], params: NDArray[np.float64]) -> list[str]:
    """Descriptions of the rows (full-rate kernel rows) above the run's restrictor cap."""
    cap_W = float(params[PARAM["P_CAP"]])
    if not math.isfinite(cap_W):
        return []
    t = rows[:, CH["time_s"]]
    power_W = rows[:, CH["engine_power_kW"]] * 1000.0
    torque = rows[:, CH["engine_torque_Nm"]]
    omega = rows[:, CH["engine_speed_rpm"]] * math.pi / 30.0
    bad_p = np.flatnonzero(power_W > cap_W * (1.0 + POWER_TOL))
    spinning = omega > MIN_OMEGA_RADPS
    allowed = np.where(spinning, cap_W / np.maximum(omega, MIN_OMEGA_RADPS), np.inf)
    bad_t = np.flatnonzero(torque > allowed * (1.0 + TORQUE_STEP_TOL))
    out = [f"t={t[i]:.2f} s: {power_W[i] / 1e3:.1f} kW > cap {cap_W / 1e3:.1f} kW" for i in bad_p]
    out += [
        f"t={t[i]:.2f} s: {torque[i]:.0f} N m at {omega[i] * 30 / math.pi:.0f} rpm > "
        f"cap {allowed[i]:.0f} N m"
        for i in bad_t
    ]
    return out
