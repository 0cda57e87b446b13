"""One unit vocabulary in the telemetry schema and i2-friendly .ld short names."""

from __future__ import annotations

from raidsim.io.motec import SHORT_NAME_BYTES, motec_short_name
from raidsim.sim.layout import CHANNELS

VOCABULARY = {"N m", "rad/s", "1"}
NOT_IN_VOCABULARY = {"Nm", "radps", "", "-"}


def test_units_use_one_vocabulary() -> None:
    units = {c.name: c.unit for c in CHANNELS}
    assert not NOT_IN_VOCABULARY & set(units.values()), sorted(set(units.values()))
    assert units["halfshaft_torque_fl_Nm"] == "N m"
    assert units["wheel_speed_rr_radps"] == "rad/s"
    assert units["slip_ratio_fl"] == "1"
    assert set(units.values()) >= VOCABULARY


def test_short_names_are_filled_and_fit() -> None:
    assert motec_short_name("halfshaft_torque_peak_fl_Nm") == "HaToPeFL"
    assert motec_short_name("engine_speed_rpm") == "EnSp"
    for c in CHANNELS:
        short = motec_short_name(c.name)
        assert short and len(short.encode()) <= SHORT_NAME_BYTES, c.name
