"""ISO 8608 random profiles of the wheel tracks (route/roughness.py, physics.md §13.1):
PSD, class order, reproducibility, left/right coherence, the stage schema field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.fft import next_fast_len
from scipy.signal import coherence as msc
from scipy.signal import welch

from raidsim.errors import RouteError
from raidsim.model.surfaces import ROUGHNESS_CLASS, STAGE_SURFACE_CODE, SURFACE_CODE
from raidsim.route.roughness import (
    CLASS_GD_M3,
    N_MIN,
    RAMP_M,
    band_rms_m,
    coherence,
    fft_length,
    iso_psd,
    rough_tracks,
    roughness_gd_m3,
)
from raidsim.route.stage import TERRAIN_STEP_M, load_stage_definition
from raidsim.route.terrain import build_stage, load_stage

DS = TERRAIN_STEP_M
FS = 1.0 / DS


def _tracks(cls: str, seed: int = 3, length: float = 20000.0) -> tuple[np.ndarray, np.ndarray]:
    return rough_tracks(length, DS, [(0.0, length, CLASS_GD_M3[cls])], seed)


def test_class_levels_are_the_iso_geometric_means() -> None:
    assert CLASS_GD_M3["A"] == pytest.approx(16e-6)
    assert CLASS_GD_M3["B"] == pytest.approx(64e-6)
    assert CLASS_GD_M3["C"] == pytest.approx(256e-6)
    assert CLASS_GD_M3["D"] == pytest.approx(1024e-6)
    assert CLASS_GD_M3["E"] == pytest.approx(4096e-6)
    assert CLASS_GD_M3["F"] == pytest.approx(16384e-6)
    assert roughness_gd_m3("c") == CLASS_GD_M3["C"]
    assert roughness_gd_m3(5e-4) == 5e-4
    with pytest.raises(ValueError, match="class"):
        roughness_gd_m3("Z")


def test_welch_psd_matches_the_iso_line_over_the_band() -> None:
    left, right = _tracks("C")
    gd = CLASS_GD_M3["C"]
    for track in (left, right):
        f, p = welch(track, fs=FS, nperseg=4096)
        band = (f >= 0.05) & (f <= 1.5)
        ratio = p[band] / iso_psd(f[band], gd)
        # mean level within 10 %, and (Welch scatter) every estimate within a factor 2
        assert np.exp(np.mean(np.log(ratio))) == pytest.approx(1.0, abs=0.10)
        assert ratio.min() > 0.5 and ratio.max() < 2.0
        # the slope of the log PSD is the ISO waviness w = 2
        slope = np.polyfit(np.log(f[band]), np.log(p[band]), 1)[0]
        assert slope == pytest.approx(-2.0, abs=0.1)
    # and the RMS is the band integral sqrt(Gd(n0) n0^2 (1/n1 - 1/n2))
    assert left.std() == pytest.approx(band_rms_m(gd, N_MIN, 0.5 / DS), rel=0.1)


def test_rms_rises_with_the_class() -> None:
    rms = [float(np.std(_tracks(c, length=5000.0)[0])) for c in "ABCDE"]
    assert rms == sorted(rms)
    # each class step is 4x in PSD, 2x in RMS
    assert np.allclose(np.diff(np.log2(rms)), 1.0, atol=0.05)


def test_same_seed_same_profile_bit_for_bit_other_seed_differs() -> None:
    a = _tracks("D", seed=11, length=3000.0)
    b = _tracks("D", seed=11, length=3000.0)
    c = _tracks("D", seed=12, length=3000.0)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_left_right_coherence_follows_the_model() -> None:
    """Magnitude-squared coherence of the two tracks = g(n)^2: long waves shared, short
    ones independent."""
    left, right = _tracks("C", length=40000.0)
    f, c2 = msc(left, right, fs=FS, nperseg=2048)
    want = coherence(f) ** 2
    for lo, hi in ((0.02, 0.06), (0.06, 0.12), (0.12, 0.25)):
        band = (f >= lo) & (f < hi)
        assert c2[band].mean() == pytest.approx(want[band].mean(), abs=0.12), (lo, hi)
    assert c2[f > 0.8].mean() < 0.05  # independent at short wavelengths (estimator bias)
    assert coherence(np.array([0.0]))[0] == 1.0


def test_profile_is_zero_outside_rough_sections_and_ramps_in() -> None:
    left, _ = rough_tracks(3000.0, DS, [(1000.0, 2000.0, CLASS_GD_M3["E"])], 5)
    s = np.arange(left.size) * DS
    assert np.all(left[s < 1000.0] == 0.0) and np.all(left[s >= 2000.0] == 0.0)
    inside = left[(s > 1000.0 + RAMP_M) & (s < 2000.0 - RAMP_M)]
    assert inside.std() > 0.01
    # no steps at the section ends: jumps there no larger than inside the section
    step = np.abs(np.diff(left))
    ends = (np.abs(s[1:] - 1000.0) < RAMP_M) | (np.abs(s[1:] - 2000.0) < RAMP_M)
    assert step[ends].max() <= step[(s[1:] > 1010.0) & (s[1:] < 1990.0)].max()
    assert rough_tracks(3000.0, DS, [], 5)[0].size == 0


def _stage_toml(tmp_path: Path, sections: str) -> Path:
    p = tmp_path / "rough.toml"
    p.write_text(
        'name = "rough"\nseed = 4\ndefault_surface = "gravel"\n'
        "[synthetic_route]\nlength_km = 3.0\nelevation_amplitude_m = 0.0\n" + sections,
        encoding="utf-8",
    )
    return p


def test_stage_toml_with_roughness_loads_and_builds(tmp_path: Path) -> None:
    p = _stage_toml(
        tmp_path,
        '[[sections]]\nstart_km = 0.0\nend_km = 1.0\nsurface = "tarmac"\nroughness = "default"\n'
        '[[sections]]\nstart_km = 1.0\nend_km = 2.0\nsurface = "rocky"\nroughness = "F"\n'
        '[[sections]]\nstart_km = 2.0\nend_km = 3.0\nsurface = "gravel"\nroughness = 2e-3\n',
    )
    definition, _ = load_stage_definition(p)
    gds = [sec.roughness_gd_m3() for sec in definition.sections]
    assert gds == [CLASS_GD_M3["A"], CLASS_GD_M3["F"], 2e-3]
    stage = load_stage(p)
    assert stage.rough_left_m.size == stage.rough_right_m.size > 0
    s = np.arange(stage.rough_left_m.size) * DS
    rms = [stage.rough_left_m[(s > a + 10) & (s < a + 990)].std() for a in (0.0, 1000.0, 2000.0)]
    assert rms[0] < rms[2] < rms[1]  # A < 2e-3 m^3 < F
    # tarmac is asphalt: the hard class's code, roughness class A by default
    assert stage.surface_code[500] == SURFACE_CODE["hard"] == STAGE_SURFACE_CODE["tarmac"]
    assert ROUGHNESS_CLASS["tarmac"] == "A"
    # the same TOML and seed give the same profile bit for bit
    again = load_stage(p)
    assert np.array_equal(stage.rough_left_m, again.rough_left_m)


def test_roughness_leaves_the_rest_of_the_stage_unchanged(tmp_path: Path) -> None:
    smooth = _stage_toml(
        tmp_path, '[[sections]]\nstart_km = 0.5\nend_km = 2.5\nsurface = "rocky"\n'
    )
    a = load_stage(smooth)
    rough_def, _ = load_stage_definition(smooth)
    secs = [rough_def.sections[0].model_copy(update={"roughness": "G"})]
    b = build_stage(rough_def.model_copy(update={"sections": secs}))
    # no roughness key: the surface's default class (rocky: E); a class of its own wins
    s1 = a.centreline.s_m
    inside = (s1 >= 600) & (s1 < 2400)
    assert np.all(a.roughness_gd_m3[inside] == CLASS_GD_M3[ROUGHNESS_CLASS["rocky"]])
    assert np.all(b.roughness_gd_m3[inside] == CLASS_GD_M3["G"])
    assert np.array_equal(
        a.roughness_gd_m3[~inside & (s1 < 400)], b.roughness_gd_m3[~inside & (s1 < 400)]
    )
    # the random stream is the roughness's own: the features and the line do not move
    assert np.array_equal(a.feature_height_m, b.feature_height_m)
    assert np.array_equal(a.centreline.x_m, b.centreline.x_m)
    grid = np.arange(b.rough_left_m.size) * DS
    zone = (grid > 600) & (grid < 2400)
    assert b.rough_left_m[zone].std() > 3.0 * a.rough_left_m[zone].std()


def test_all_ground_carries_its_surface_class_and_the_calibrated_scale() -> None:
    """Every metre of a shipped stage has roughness: its surface's ISO class (gravel D by
    default), times the stage's calibrated ``roughness_scale``."""
    stage = load_stage("default")
    assert stage.rough_left_m.size > 0
    gravel = stage.surface_code == SURFACE_CODE["gravel"]
    scale = stage.definition.roughness_scale
    assert np.allclose(stage.roughness_gd_m3[gravel], CLASS_GD_M3["D"] * scale)
    definition = stage.definition.model_copy(update={"roughness_scale": 2.0 * scale})
    doubled = build_stage(definition)
    assert np.allclose(doubled.roughness_gd_m3, 2.0 * stage.roughness_gd_m3)


@pytest.mark.parametrize("bad", ["'Z'", "-1e-4", "0.5"])
def test_bad_roughness_is_a_route_error_naming_the_field(tmp_path: Path, bad: str) -> None:
    p = _stage_toml(
        tmp_path,
        f'[[sections]]\nstart_km = 0.0\nend_km = 1.0\nsurface = "gravel"\nroughness = {bad}\n',
    )
    with pytest.raises(RouteError, match="roughness"):
        load_stage_definition(p)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_fft_length_is_scipys_real_fast_length(target: int) -> None:
    """The padded FFT length is scipy's 5-smooth next fast length for real transforms."""
    assert fft_length(target) == next_fast_len(target, real=True)


def test_fft_length_small_and_smooth() -> None:
    assert [fft_length(n) for n in range(1, 18)] == [
        next_fast_len(n, real=True) for n in range(1, 18)
    ]
    for n in (7, 11, 13, 97, 10007):
        m = fft_length(n)
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        assert m == 1
