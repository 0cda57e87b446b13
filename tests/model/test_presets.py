"""Every shipped vehicle preset loads, is physically plausible and cites each number.

Plausibility bands come from docs/physics.md (§9.2 masses, key numbers) and the published
road-car figures quoted in the presets; the citation rule is docs/design.md's "Presets and
parameters": every value carries a source comment and estimates are marked as such.
"""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from raidsim.errors import ConfigError
from raidsim.model.loader import load_vehicle, preset_names
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle

PRESETS = preset_names()
G_MPS2 = 9.81

#: Comment tags a numeric preset value must carry (docs/physics.md marks P/R/D/E).
CITATION_TAG = re.compile(r"#\s*(source|reference|derived|estimate):")
KEY_VALUE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")

#: Total mass at the start of a stage (kg) per preset: physics.md §9.2 for the D7X-R
#: (2.8-3.0 t, widened a little), OCTA kerb 2510-2585 kg [S11][S15] plus driver and fuel,
#: Land Cruiser 300 road car ~2.6 t plus rally kit, crew and a long-range tank.
MASS_BAND_KG = {
    "d7x-r": (2800.0, 3100.0),
    "octa": (2500.0, 2750.0),
    "lc-gr-sport": (2800.0, 3300.0),
    # T1+ minimum 2010 kg [S105] + crew, kit, spares and > 400 kg of fuel [S108]
    "sandrider": (2500.0, 2750.0),
    # Challenger minimum 900 kg [S-T4] + crew, kit and a 150-250 L tank
    "t3-challenger": (1150.0, 1400.0),
    # Maverick R about 1020 kg [S-T5] + crew, kit and a 100-150 L tank
    "t4-ssv": (1200.0, 1450.0),
}

#: Published peak torque (Nm) each engine curve must reach (within 2 %); the T3 and SSV
#: torque figures were not found, so only their power is checked.
PEAK_TORQUE_NM = {"d7x-r": 750.0, "octa": 750.0, "lc-gr-sport": 700.0, "sandrider": 539.0}

#: Published peak power (kW): OCTA 467 kW [S6], F33A-FTV 227 kW (carsguide),
#: Sandrider 265 kW [S103], the X-Raid Fenic's restricted 178 hp = 132.7 kW [S-T4], the
#: Maverick R's road 240 hp = 179.0 kW [S-T5].
PEAK_POWER_KW = {
    "d7x-r": 467.0,
    "octa": 467.0,
    "lc-gr-sport": 227.0,
    "sandrider": 265.0,
    "t3-challenger": 132.7,
    "t4-ssv": 179.0,
}

#: Class speed limits (km/h): Ultimate and Stock 170, Challenger 135, SSV 125 (2025 edition,
#: no 2026 figure found) [S-T6]; the road car keeps its own published 250 km/h.
CLASS_SPEED_LIMIT_KMH = {
    "t1_ultimate": 170.0,
    "w2rc_stock": 170.0,
    "t3_challenger": 135.0,
    "t4_ssv": 125.0,
    "road": 250.0,
}


def _preset_path(name: str) -> Path:
    return Path(str(resources.files("raidsim.model") / "presets" / f"{name}.toml"))


def _split_comment(line: str) -> tuple[str, str]:
    """Split a TOML line into (code, comment), ignoring '#' inside quoted strings."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == "\\" and quote == '"':
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i], line[i:]
    return line, ""


def _uncited_numeric_lines(path: Path) -> list[str]:
    """``file:line`` of every numeric ``key = value`` statement without a citation tag.

    String values (``name``, ``model``, ``description``, ``category``) need no source; numbers,
    booleans and lists do. A list spread over several lines is one statement: a tag on any
    of its lines counts.
    """
    offenders = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        code, comment = _split_comment(lines[i])
        match = KEY_VALUE.match(code)
        if code.strip().startswith("[") or not match:
            i += 1
            continue
        start = i
        value_text, comments = match.group(2), [comment]
        while True:
            try:
                value = tomllib.loads(f"v = {value_text}")["v"]
                break
            except tomllib.TOMLDecodeError:
                i += 1
                if i >= len(lines):
                    raise AssertionError(f"{path.name}:{start + 1}: unterminated value") from None
                more_code, more_comment = _split_comment(lines[i])
                value_text += "\n" + more_code
                comments.append(more_comment)
        if not isinstance(value, str) and not any(CITATION_TAG.search(c) for c in comments):
            offenders.append(f"{path.name}:{start + 1}: {lines[start].strip()}")
        i += 1
    return offenders


@pytest.fixture(scope="module", params=PRESETS)
def vehicle(request: pytest.FixtureRequest) -> Vehicle:
    return load_vehicle(request.param)


def test_the_expected_presets_ship() -> None:
    assert {"d7x-r", "octa", "lc-gr-sport"} <= set(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_and_names_itself(name: str) -> None:
    v = load_vehicle(name)
    assert isinstance(v, Vehicle)
    assert v.name == name


def test_total_mass_is_plausible(vehicle: Vehicle) -> None:
    lo, hi = MASS_BAND_KG[vehicle.name]
    assert lo <= vehicle.total_mass_kg <= hi, (vehicle.name, vehicle.total_mass_kg)
    assert 0.1 < vehicle.unsprung_mass_kg / vehicle.total_mass_kg < 0.2


def test_weight_distribution_is_plausible(vehicle: Vehicle) -> None:
    c = vehicle.chassis
    rear_share = c.cg_to_front_axle_m / c.wheelbase_m
    assert 0.40 <= rear_share <= 0.58, (vehicle.name, rear_share)
    # Static wheel load close to the tyre's nominal load (TMeasy parameters hold there).
    corner_load_N = vehicle.total_mass_kg * G_MPS2 / 4.0
    assert 0.8 <= corner_load_N / vehicle.tyre.nominal_load_N <= 1.25, vehicle.name
    # CG below the half-track: static rollover threshold t / (2 h) above 1 g.
    assert min(c.track_front_m, c.track_rear_m) / (2.0 * c.cg_height_m) > 1.0


def test_inertias_are_consistent_with_size(vehicle: Vehicle) -> None:
    c = vehicle.chassis
    m = vehicle.total_mass_kg
    # Radii of gyration (m): HMMWV proxy 0.72 / 1.19 / 1.31 [S94]; same order here.
    assert 0.55 < math.sqrt(c.roll_inertia_kgm2 / m) < 0.9
    assert 1.0 < math.sqrt(c.pitch_inertia_kgm2 / m) < 1.5
    assert 1.1 < math.sqrt(c.yaw_inertia_kgm2 / m) < 1.6
    assert c.roll_inertia_kgm2 < c.pitch_inertia_kgm2 < c.yaw_inertia_kgm2


def test_engine_curve_reaches_published_torque_and_power(vehicle: Vehicle) -> None:
    e = vehicle.engine
    rpm = np.asarray(e.torque_curve_rpm)
    torque_Nm = np.asarray(e.torque_curve_Nm)
    if vehicle.name in PEAK_TORQUE_NM:
        assert torque_Nm.max() == pytest.approx(PEAK_TORQUE_NM[vehicle.name], rel=0.02)
    power_kW = torque_Nm * rpm * RPM_TO_RADPS / 1e3
    assert power_kW.max() == pytest.approx(PEAK_POWER_KW[vehicle.name], rel=0.03)
    assert rpm[0] <= e.idle_rpm and rpm[-1] >= e.rev_limit_rpm


def test_class_speed_limit(vehicle: Vehicle) -> None:
    assert vehicle.limiter.speed_limit_kmh == CLASS_SPEED_LIMIT_KMH[vehicle.category]


def test_the_challenger_and_the_ssv_follow_their_published_specs() -> None:
    """T3: 900 kg minimum, a 27 mm restrictor giving 178 hp at 25 C [S-T4]; SSV: 999 cc
    turbo, seven-speed dual-clutch, 25/26 in of travel, 35-inch tyres on 15-inch wheels,
    about 1020 kg [S-T5]; both lighter and less powerful than the T1+."""
    from raidsim.model.ambient import Ambient
    from raidsim.model.derived import restrictor_cap_W

    t3, t4 = load_vehicle("t3-challenger"), load_vehicle("t4-ssv")
    assert t3.category == "t3_challenger" and t4.category == "t4_ssv"
    assert t3.chassis.empty_mass_kg == 900.0
    assert t3.restrictor.diameter_mm == 27.0
    assert restrictor_cap_W(t3, Ambient(temp_C=25.0)) / 1e3 == pytest.approx(132.7, rel=0.02)
    assert t4.engine.displacement_L == pytest.approx(0.999)
    assert t4.gearbox.n_gears == 7
    inch = 0.0254
    assert t4.suspension_front.bump_travel_m + t4.suspension_front.droop_travel_m == (
        pytest.approx(25 * inch, abs=0.001)
    )
    assert t4.suspension_rear.bump_travel_m + t4.suspension_rear.droop_travel_m == (
        pytest.approx(26 * inch, abs=0.001)
    )
    assert 2.0 * t4.tyre.unloaded_radius_m == pytest.approx(35 * inch, abs=0.002)
    rim_in = (2.0 * t4.tyre.unloaded_radius_m - 2.0 * t4.tyre.section_height_m) / inch
    assert rim_in == pytest.approx(15.0, abs=0.1)
    assert t4.chassis.empty_mass_kg == pytest.approx(1020.0)
    sandrider = load_vehicle("sandrider")
    t1_cap = restrictor_cap_W(sandrider, Ambient(temp_C=25.0))
    for car in (t3, t4):
        assert car.total_mass_kg < 0.55 * sandrider.total_mass_kg
        assert restrictor_cap_W(car, Ambient(temp_C=25.0)) < 0.55 * t1_cap


def test_octa_launch_mode_and_road_car_settings() -> None:
    v = load_vehicle("octa")
    assert v.category == "road"
    assert v.engine.launch_torque_Nm == 800.0
    assert v.restrictor.model == "none"
    assert v.limiter.speed_limit_kmh == 250.0
    assert v.chassis.crew_mass_kg <= 100.0
    # its real 22-inch road tyres (275/50 R22 for the published 33 inches) at road pressure
    t = v.tyre
    rim_in = (2.0 * t.unloaded_radius_m - 2.0 * t.section_height_m) / 0.0254
    assert rim_in == pytest.approx(22.0, abs=0.05)
    assert t.section_height_m == pytest.approx(0.50 * t.width_m)
    assert t.min_pressure_bar >= 1.5  # a road tyre is not aired down to desert pressures


def test_lc_gr_sport_is_a_ten_speed_diesel() -> None:
    v = load_vehicle("lc-gr-sport")
    assert v.category == "w2rc_stock"
    assert v.gearbox.n_gears == 10
    assert v.engine.rev_limit_rpm <= 5000.0
    assert 0.82 <= v.fuel.density_kg_per_L <= 0.85  # diesel, not petrol


def test_gearing_reaches_the_speed_limit_below_the_rev_limit(vehicle: Vehicle) -> None:
    gb = vehicle.gearbox
    overall = gb.ratios[-1] * gb.final_drive_ratio * gb.transfer_ratio
    wheel_radps = vehicle.engine.rev_limit_rpm * RPM_TO_RADPS / overall
    top_kmh = wheel_radps * vehicle.tyre.unloaded_radius_m * 3.6
    assert top_kmh > vehicle.limiter.speed_limit_kmh, (vehicle.name, top_kmh)


@pytest.mark.parametrize("name", PRESETS)
def test_every_numeric_value_cites_a_source(name: str) -> None:
    offenders = _uncited_numeric_lines(_preset_path(name))
    assert not offenders, (
        "numeric preset values need '# source:', '# reference:', '# derived:' or "
        "'# estimate:' on the line:\n" + "\n".join(offenders)
    )


def test_citation_check_flags_a_bare_number(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(
        'name = "x"  \n[chassis]\nmodel = "rigid_body_14dof"\n'
        "wheelbase_m = 3.0\n"
        "cg_height_m = 0.8  # estimate: fine\n"
        'ratios = [1.0, # a "#" in a comment\n  2.0]  # source: ok\n'
        "spare_wheels = 2  # estimate no colon\n",
        encoding="utf-8",
    )
    assert _uncited_numeric_lines(p) == [
        "bad.toml:4: wheelbase_m = 3.0",
        "bad.toml:8: spare_wheels = 2  # estimate no colon",
    ]


def test_unknown_preset_raises_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="nope"):
        load_vehicle("nope")


def test_out_of_range_value_raises_config_error_naming_field_and_value(tmp_path: Path) -> None:
    text = _preset_path("d7x-r").read_text(encoding="utf-8")
    bad_text, n = re.subn(r"(?m)^wheelbase_m = 3\.022", "wheelbase_m = 50.0", text)
    assert n == 1
    bad = tmp_path / "big.toml"
    bad.write_text(bad_text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_vehicle(bad)
    message = str(info.value)
    assert "chassis.wheelbase_m" in message
    assert "50" in message
    assert "big.toml" in message
