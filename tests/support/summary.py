"""A complete :class:`raidsim.io.summary.StageSummary` for tests that need one."""

from __future__ import annotations

from typing import Any

from raidsim.io.summary import StageSummary


def example_summary(**values: Any) -> StageSummary:
    """A QSS-tier summary of a 10 km stage in 400 s; ``values`` override fields."""
    base: dict[str, Any] = {
        "tier": "qss",
        "vehicle": "d7x-r",
        "stage": "default",
        "seed": 1,
        "ambient_C": 35.0,
        "altitude_m": 0.0,
        "headwind_mps": 0.0,
        "conditions_source": {"temp_C": "default"},
        "distance_m": 10_000.0,
        "stage_time_s": 400.0,
        "avg_speed_kmh": 90.0,
        "max_speed_kmh": 150.0,
        "fuel_used_kg": 7.45,
        "fuel_used_L": 10.0,
        "fuel_L_per_100km": 100.0,
        "jumps": 2,
        "max_coolant_C": 100.0,
        "max_oil_C": 95.0,
        "max_brake_disc_C": 400.0,
        "derate_time_s": 0.0,
        "final_filter_loading": 0.1,
        "raidsim_version": "0",
        "setup": {},
        "restrictor_cap_kW": 290.0,
        "thermal_limits_C": {"coolant_derate": 110.0},
    }
    return StageSummary(**(base | values))
