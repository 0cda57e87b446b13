"""What a run's summary records besides its results: the raidsim version, the setup a race
engineer changes between runs, the restrictor's power cap and the thermal limits the
margins are read against. Both tiers (:mod:`raidsim.sim.runner`,
:mod:`raidsim.sim.qss.estimate`) add these fields, so two runs can be told apart by their
``summary.json`` alone."""

from __future__ import annotations

from typing import Any

import numpy as np

from raidsim._version import __version__
from raidsim.model.ambient import Ambient
from raidsim.model.derived import restrictor_cap_W
from raidsim.model.vehicle import Vehicle

#: pad friction below this share of its peak is fade (the disc margin's reference)
PAD_FADE_SHARE = 0.9


def setup_fields(v: Vehicle) -> dict[str, float]:
    """The setup a crew changes: final drive, tyre pressures, damper clicks and low-speed
    slopes per axle, fuel load."""
    front, rear = v.suspension_front, v.suspension_rear
    return {
        "final_drive_ratio": v.gearbox.final_drive_ratio,
        "tyre_pressure_front_bar": v.tyre_pressure_front_bar,
        "tyre_pressure_rear_bar": v.tyre_pressure_rear_bar,
        "damper_clicks_front": front.damper_clicks,
        "damper_clicks_rear": rear.damper_clicks,
        "damper_compression_front_Ns_per_m": front.damper_compression_Ns_per_m,
        "damper_compression_rear_Ns_per_m": rear.damper_compression_Ns_per_m,
        "damper_rebound_front_Ns_per_m": front.damper_rebound_Ns_per_m,
        "damper_rebound_rear_Ns_per_m": rear.damper_rebound_Ns_per_m,
        "fuel_load_L": v.fuel.fuel_load_L,
    }


def pad_fade_C(v: Vehicle) -> float:
    """The disc temperature from which the pad's friction stays below
    :data:`PAD_FADE_SHARE` of its peak (the last point of its table when it never fades)."""
    bt = v.brake_thermal
    temps = np.asarray(bt.pad_mu_temp_C, dtype=np.float64)
    mu = np.asarray(bt.pad_mu, dtype=np.float64)
    peak = int(np.argmax(mu))
    after = np.nonzero(mu[peak:] < PAD_FADE_SHARE * mu[peak])[0]
    if len(after) == 0:
        return float(temps[-1])
    k = peak + int(after[0])
    # linear between the last point above the share and the first below it
    t0, t1, m0, m1 = temps[k - 1], temps[k], mu[k - 1], mu[k]
    target = PAD_FADE_SHARE * mu[peak]
    return float(t0 + (m0 - target) / (m0 - m1) * (t1 - t0))


def context_fields(v: Vehicle, ambient: Ambient) -> dict[str, Any]:
    """Version, setup, restrictor cap (kW) and thermal limits (°C) for a summary."""
    c = v.cooling
    return {
        "raidsim_version": __version__,
        "setup": setup_fields(v),
        "restrictor_cap_kW": restrictor_cap_W(v, ambient) / 1000.0,
        "thermal_limits_C": {
            "coolant_derate": c.coolant_derate_C,
            "oil_derate": c.oil_derate_C,
            "disc_pad_fade": pad_fade_C(v),
        },
    }
