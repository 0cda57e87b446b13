"""Measurable terrain: ISO 8608 random road profiles for the left and right wheel tracks
(docs/physics.md §13.1).

A surface section may declare ``roughness``: an ISO 8608 class letter ("A".."H"), a
displacement PSD level Gd(n0) in m^3, or ``"default"`` (the class of its surface,
:data:`raidsim.model.surfaces.ROUGHNESS_CLASS`). The profile's one-sided displacement PSD is

    Gd(n) = Gd(n0) (n / n0)^-w,   n0 = 0.1 cycles/m, w = 2          (ISO 8608)

over the band N_MIN..N_MAX (capped at the grid's Nyquist frequency). Class letters stand
for the geometric mean of the class bounds: Gd(n0) = 16e-6 x 4^k m^3 for A (k = 0) .. H.

Two tracks, half a design track width either side of the centre line: each is a shared
component plus an independent one (Liu et al. 2015),

    Z_L(n) = sqrt(g(n)) U(n) + sqrt(1 - g(n)) V_L(n),   likewise Z_R with V_R,

with U, V_L, V_R independent spectra of PSD Gd(n) and random phases, so both tracks have
the PSD Gd(n) and the coherence (cross-spectrum over auto-spectrum) is

    g(n) = 1 / (1 + (n b / KAPPA)^2),

long waves common to both wheels, short waves independent (the rational shape that fits
measured parallel-track coherences, Kropac and Mucka; KAPPA is an estimate). Each spectrum
is a sum of cosines of amplitude sqrt(2 Gd(n_k) dn) at the FFT frequencies n_k = k dn with
random phases, synthesised by one inverse real FFT on the terrain grid: precomputed once
per stage, reproducible from the stage TOML and seed (its own random stream, so stages
without roughness keep their terrain bit for bit).

Sections with different levels share one unit profile scaled by sqrt(Gd(n0)); the scale
ramps linearly over RAMP_M at section ends so the ground has no steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from raidsim.physics import fpmath

F64 = NDArray[np.float64]


def fft_length(target: int) -> int:
    """The smallest 5-smooth number (2^a 3^b 5^c) >= ``target``: a length the real FFT
    factors well (an awkward prime factor costs seconds on a long stage).

    The same lengths as ``scipy.fft.next_fast_len(target, real=True)`` (a test checks
    it); written here because importing ``scipy.fft`` costs ~0.1 s of every run's start
    and the transforms themselves are NumPy's."""
    if target <= 1:
        return 1
    best = 1 << (target - 1).bit_length()  # the next power of two bounds the search
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            q = -(-target // p35)  # the power of two that completes p35 to >= target
            best = min(best, p35 << (q - 1).bit_length())
            p35 *= 3
        p5 *= 5
    return best


#: ISO 8608 reference spatial frequency, cycles/m
N0 = 0.1
#: ISO 8608 waviness (slope of the log PSD)
WAVINESS = 2.0
#: ISO 8608 classes and their Gd(n0), m^3: geometric means of the class bounds, 16e-6 x 4^k
ISO_CLASSES = "ABCDEFGH"
CLASS_GD_M3: dict[str, float] = {c: 16e-6 * 4.0**k for k, c in enumerate(ISO_CLASSES)}
#: band of the generated profile, cycles/m (100 m to 0.1 m wavelength; the upper end is
#: capped at the grid's Nyquist frequency)
N_MIN = 0.01
N_MAX = 10.0
#: wheel-path separation the two tracks are generated for, m (estimate: track widths of
#: the shipped cars 1.67-1.95 m)
TRACK_SPACING_M = 1.8
#: coherence corner: g = 1/2 where n b = KAPPA (estimate: g 0.5 at a wavelength of 4 track
#: widths, 7.2 m, within the range of measured asphalt coherences)
KAPPA = 0.25
#: length over which the amplitude scale ramps between sections, m
RAMP_M = 5.0
#: stream tag mixed with the stage seed (keeps the feature generator's draws unchanged)
SEED_TAG = 8608


def roughness_gd_m3(value: str | float) -> float:
    """Gd(n0) in m^3 of an ISO 8608 class letter or a number in m^3."""
    if isinstance(value, str):
        key = value.strip().upper()
        if key not in CLASS_GD_M3:
            raise ValueError(f"roughness class '{value}' is not one of {', '.join(ISO_CLASSES)}")
        return CLASS_GD_M3[key]
    gd = float(value)
    if not (math.isfinite(gd) and gd > 0.0):
        raise ValueError(f"roughness Gd(n0) = {value} m^3 must be a positive number")
    return gd


def iso_psd(n: F64, gd_n0_m3: float) -> F64:
    """ISO 8608 displacement PSD Gd(n) = Gd(n0) (n/n0)^-w, m^3."""
    return np.asarray(gd_n0_m3 * fpmath.power(np.asarray(n) / N0, -WAVINESS), dtype=np.float64)


def coherence(n: F64, track_m: float = TRACK_SPACING_M) -> F64:
    """Left/right coherence g(n) = 1 / (1 + (n b / KAPPA)^2) (cross over auto spectrum)."""
    x = np.asarray(n) * track_m / KAPPA
    return np.asarray(1.0 / (1.0 + x * x), dtype=np.float64)


def band_rms_m(gd_n0_m3: float, n1: float, n2: float) -> float:
    """RMS height of the ISO profile over n1..n2 (w = 2): sqrt(Gd(n0) n0^2 (1/n1 - 1/n2))."""
    return math.sqrt(gd_n0_m3 * N0 * N0 * (1.0 / n1 - 1.0 / n2))


def unit_tracks(
    n_points: int, ds_m: float, rng: np.random.Generator, track_m: float = TRACK_SPACING_M
) -> tuple[F64, F64]:
    """Left and right profiles with Gd(n0) = 1 m^3 on ``n_points`` points ``ds_m`` apart."""
    if n_points < 4:
        return np.zeros(n_points), np.zeros(n_points)
    dn = 1.0 / (n_points * ds_m)
    n: F64 = np.arange(n_points // 2 + 1, dtype=np.float64) * dn
    band = (n >= N_MIN) & (n <= min(N_MAX, 0.5 / ds_m))
    amp = np.zeros_like(n)
    amp[band] = np.sqrt(2.0 * iso_psd(n[band], 1.0) * dn)
    g = coherence(n, track_m)
    # phases of the shared part and of each track's own part, drawn in this order
    u_shared, u_left, u_right = (rng.random(n.size) for _ in range(3))
    a_own = np.sqrt(1.0 - g)
    scale = 0.5 * n_points * amp  # irfft: x_j = sum_k amp_k cos(2 pi n_k s_j + phi_k)
    shared = np.sqrt(g) * np.exp(2j * np.pi * u_shared)
    del n, band, amp, g, u_shared

    def track(u: F64) -> F64:
        """irfft of scale (a_shared e^(i phi_shared) + a_own e^(i phi_own)), built in place
        (one spectrum alive at a time: an 800 km special has 1.6 M frequencies)."""
        spec = np.exp(2j * np.pi * u)
        spec *= a_own
        spec += shared
        spec *= scale
        return np.fft.irfft(spec, n_points)

    left = track(u_left)
    del u_left
    right = track(u_right)
    return np.ascontiguousarray(left), np.ascontiguousarray(right)


def amplitude_scale(n_points: int, ds_m: float, spans: Sequence[tuple[float, float, float]]) -> F64:
    """sqrt(Gd(n0)) per grid point for (start_m, end_m, gd) spans, 0 elsewhere, ramped
    linearly over RAMP_M inside each span's ends."""
    s = np.arange(n_points) * ds_m
    out = np.zeros(n_points)
    for a, b, gd in spans:
        i0 = int(np.searchsorted(s, a, side="left"))
        i1 = int(np.searchsorted(s, b, side="left"))
        if i1 <= i0:
            continue
        seg = s[i0:i1]
        ramp = np.minimum(1.0, np.minimum(seg - a, b - seg) / RAMP_M + 0.5 * ds_m / RAMP_M)
        out[i0:i1] = math.sqrt(gd) * np.clip(ramp, 0.0, 1.0)
    return out


def rough_tracks(
    length_m: float,
    ds_m: float,
    spans: Sequence[tuple[float, float, float]],
    seed: int,
    track_m: float = TRACK_SPACING_M,
) -> tuple[F64, F64]:
    """Left and right track heights on the terrain grid (``ds_m``, from s = 0 to the end
    of the last rough span) for (start_m, end_m, Gd(n0)) spans; empty arrays when there
    are none. Reproducible from ``seed`` alone."""
    spans = [(a, min(b, length_m), gd) for a, b, gd in spans if min(b, length_m) > a]
    if not spans:
        return np.zeros(0), np.zeros(0)
    end = max(b for _, b, _ in spans)
    start = min(a for a, _, _ in spans)
    n_points = int(math.floor(end / ds_m)) + 2
    i_start = max(0, int(math.floor(start / ds_m)) - 1)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), SEED_TAG]))
    # synthesise only over the rough part of the stage (and at least the longest band wave)
    # (padded to a length the FFT factors well: an awkward prime factor costs seconds)
    n_gen = fft_length(max(n_points - i_start, int(math.ceil(1.0 / (N_MIN * ds_m)))))
    left_u, right_u = unit_tracks(n_gen, ds_m, rng, track_m)
    scale = amplitude_scale(n_points, ds_m, spans)
    left = np.zeros(n_points)
    right = np.zeros(n_points)
    left[i_start:] = scale[i_start:] * left_u[: n_points - i_start]
    right[i_start:] = scale[i_start:] * right_u[: n_points - i_start]
    return np.ascontiguousarray(left), np.ascontiguousarray(right)
