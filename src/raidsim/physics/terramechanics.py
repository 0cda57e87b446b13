"""Tyres in sand: Bekker-Wong sinkage and motion resistance, the WES sand numeric for
traction against slip, Janosi-Hanamoto shear as its cross-check (physics.md §5.1, §5.4;
Wong, Theory of Ground Vehicles [S64]; Mason et al. 2018 [S-T1]).

rigid wheel (diameter D, width b, load W):
    z0  = [3 W / ((3 - n)(k_c + b k_phi) sqrt(D))]^(2/(2n+1))
    p_g = (k_c/b + k_phi) z0^n                       ground pressure under a rigid wheel
    R_c = b (k_c/b + k_phi) z0^(n+1) / (n+1)
flexible tyre (when p_i + p_c < p_g):
    R_c = b (p_i + p_c)^((n+1)/n) / ((n+1) (k_c/b + k_phi)^(1/n))
Coulomb thrust limit (Janosi, full slip): F_max = A c + W tan(phi), A = b l;
thrust at slip i: F = F_max [1 - K/(i l) (1 - exp(-i l / K))].
WES sand numeric and gross traction (one law, both tiers):
    N_s = G (b D)^1.5 (delta / h) / W,  G = CI / (3.47 in)
    T(s) = 0.66 - 0.66 Y / (N_s + 10 + Y),  Y = 4.71 + 1.72 / s     gross traction / W
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from raidsim.physics.tyre import MIN_SLIDING_OVER_PEAK_SLIP

#: Bekker statics overstate compaction resistance at speed; it falls as
#: R_c / (1 + v / v_ref) with this reference speed (estimate, physics.md §5.3)
SAND_SPEED_REF_MPS = 30.0


#: WES sand traction constants (Mason et al. 2018 [S-T1]): T = X - X Y / (N_s + 10 + Y),
#: Y = Y0 + Y1 / slip
WES_X = 0.66
WES_NS_OFFSET = 10.0
WES_Y0 = 4.71
WES_Y1 = 1.72
#: cone-index gradient G = CI / 3.47, CI in psi over the 0-6 in layer, G in psi/in
#: (Mason 2016 [S-T1]): the 3.47 is a length, 3.47 in
CONE_INDEX_DEPTH_M = 3.47 * 0.0254
#: slips below this give no WES traction (Y -> infinity); above 1 the curve is held
MIN_WES_SLIP = 1e-4


@dataclass(frozen=True)
class Soil:
    """Bekker/Janosi soil parameters (SI: k_c N/m^(n+1), k_phi N/m^(n+2)) and the WES
    cone index CI of the same sand (0-6 in layer, Pa)."""

    n: float
    k_c: float
    k_phi: float
    cohesion_Pa: float
    friction_angle_deg: float
    shear_modulus_K_m: float
    cone_index_Pa: float

    @property
    def sand_gradient_Pa_per_m(self) -> float:
        """WES cone-index gradient G = CI / 3.47 in (physics.md §5.4)."""
        return self.cone_index_Pa / CONE_INDEX_DEPTH_M


def bekker_cone_index_Pa(n: float, k_c: float, k_phi: float, plate_width_m: float) -> float:
    """The cone index of a Bekker sand, estimated as its plate pressure at the depth where
    the WES relation G = CI / 3.47 in puts the layer mean: p(3.47 in) = (k_c/b + k_phi)
    z^n (physics.md §5.4; an estimate linking the two descriptions of one sand)."""
    return (k_c / plate_width_m + k_phi) * CONE_INDEX_DEPTH_M**n


#: plate width for the cone-index estimate: a 0.5 in^2 cone is far narrower than any
#: tyre; the k_c/b term is small for sand, so the tyre-scale 0.3 m is used (estimate)
CONE_PLATE_WIDTH_M = 0.3
#: Dry sand, Land Locomotion Lab values via Wong Table 2.3 [S64][S65]; K for loose sand.
DRY_SAND = Soil(
    1.1,
    0.99e3,
    1528.43e3,
    1.04e3,
    28.0,
    0.025,
    bekker_cone_index_Pa(1.1, 0.99e3, 1528.43e3, CONE_PLATE_WIDTH_M),
)
#: LETE sand (Chrono Bekker++ test program) [S65]; firm.
LETE_SAND = Soil(
    0.793,
    102e3,
    5301e3,
    1.3e3,
    31.1,
    0.012,
    bekker_cone_index_Pa(0.793, 102e3, 5301e3, CONE_PLATE_WIDTH_M),
)


def rigid_sinkage_m(soil: Soil, load_N: float, diameter_m: float, width_m: float) -> float:
    if load_N <= 0.0:
        return 0.0
    base = (
        3.0 * load_N / ((3.0 - soil.n) * (soil.k_c + width_m * soil.k_phi) * math.sqrt(diameter_m))
    )
    return float(base ** (2.0 / (2.0 * soil.n + 1.0)))


def _regime(
    soil: Soil,
    load_N: float,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> tuple[float, float, float, bool]:
    """(k_c/b + k_phi, the rigid wheel's sinkage z0, p_i + p_c, flexible): the tyre is in
    the flexible regime when p_i + p_c is below the rigid wheel's ground pressure
    k_eq z0^n."""
    k_eq = soil.k_c / width_m + soil.k_phi
    z0 = rigid_sinkage_m(soil, load_N, diameter_m, width_m)
    p_tyre = inflation_Pa + carcass_Pa
    return k_eq, z0, p_tyre, p_tyre < k_eq * z0**soil.n


def sinkage_m(
    soil: Soil,
    load_N: float,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> float:
    """Static sinkage, rigid or flexible regime: z0 of the rigid wheel, or
    ((p_i + p_c) / (k_c/b + k_phi))^(1/n) when the tyre is softer than the rigid wheel's
    ground pressure (it flattens and spreads its load), m."""
    if load_N <= 0.0:
        return 0.0
    k_eq, z0, p_tyre, flexible = _regime(
        soil, load_N, diameter_m, width_m, inflation_Pa, carcass_Pa
    )
    if flexible:
        return float((p_tyre / k_eq) ** (1.0 / soil.n))
    return z0


def compaction_resistance_N(
    soil: Soil,
    load_N: float,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> float:
    """Motion resistance from soil compaction, rigid or flexible regime, N."""
    if load_N <= 0.0:
        return 0.0
    k_eq, z0, p_tyre, flexible = _regime(
        soil, load_N, diameter_m, width_m, inflation_Pa, carcass_Pa
    )
    if flexible:
        return float(
            width_m
            * p_tyre ** ((soil.n + 1.0) / soil.n)
            / ((soil.n + 1.0) * k_eq ** (1.0 / soil.n))
        )
    return float(width_m * k_eq * z0 ** (soil.n + 1.0) / (soil.n + 1.0))


def compaction_table(
    soil: Soil,
    loads_N: np.ndarray,
    diameter_m: float,
    width_m: float,
    inflation_Pa: float,
    carcass_Pa: float,
) -> np.ndarray:
    """R_c over a grid of loads (for interpolation inside the kernel)."""
    return np.array(
        [
            compaction_resistance_N(soil, float(w), diameter_m, width_m, inflation_Pa, carcass_Pa)
            for w in loads_N
        ],
        dtype=np.float64,
    )


@njit(cache=True)
def contact_length_m(unloaded_radius_m: float, deflection_m: float) -> float:
    """Geometric contact-patch length of a deflected tyre: l = 2 sqrt(2 r0 d - d^2)."""
    d = deflection_m
    return 2.0 * math.sqrt(max(0.0, 2.0 * unloaded_radius_m * d - d * d))


@njit(cache=True)
def janosi_thrust_cap_N(
    width_m: float, contact_length_m: float, cohesion_Pa: float, load_N: float, tan_phi: float
) -> float:
    """Coulomb (full-slip Janosi-Hanamoto) thrust limit F_max = A c + W tan(phi), A = b l
    (physics.md §5.1) [S64]."""
    return width_m * contact_length_m * cohesion_Pa + load_N * tan_phi


@njit(cache=True)
def janosi_thrust_N(
    width_m: float,
    contact_length_m: float,
    cohesion_Pa: float,
    load_N: float,
    tan_phi: float,
    shear_modulus_K_m: float,
    slip: float,
) -> float:
    """Janosi-Hanamoto thrust at slip i with uniform pressure over the patch:
    F = (A c + W tan phi) [1 - K/(i l) (1 - exp(-i l / K))] (physics.md §5.1) [S64]."""
    cap = janosi_thrust_cap_N(width_m, contact_length_m, cohesion_Pa, load_N, tan_phi)
    j = abs(slip) * contact_length_m / shear_modulus_K_m
    if j < 1e-9:
        return 0.0
    return cap * (1.0 - (1.0 - math.exp(-j)) / j)


@njit(cache=True)
def sand_numeric(
    gradient_Pa_per_m: float,
    width_m: float,
    diameter_m: float,
    deflection_m: float,
    section_height_m: float,
    load_N: float,
) -> float:
    """WES sand numeric N_s = G (b D)^1.5 (delta / h) / W (physics.md §5.4) [S-T1];
    delta/h is held in [0, 1]. An unloaded wheel has no numeric (0)."""
    if load_N <= 0.0:
        return 0.0
    ratio = min(max(deflection_m / section_height_m, 0.0), 1.0)
    return gradient_Pa_per_m * (width_m * diameter_m) ** 1.5 * ratio / load_N


@njit(cache=True)
def wes_gross_traction(sand_numeric: float, slip: float) -> float:
    """Gross traction coefficient T(s) = X - X Y / (N_s + 10 + Y), Y = 4.71 + 1.72 / s
    (Mason et al. 2018 [S-T1]): 0 at no slip, rising with slip, X (N_s + 10) /
    (N_s + 16.43) at full slip. |s| is held in [1e-4, 1]."""
    s = min(max(abs(slip), MIN_WES_SLIP), 1.0)
    y = WES_Y0 + WES_Y1 / s
    return WES_X - WES_X * y / (sand_numeric + WES_NS_OFFSET + y)


@njit(cache=True)
def sand_traction_N(
    gradient_Pa_per_m: float,
    width_m: float,
    diameter_m: float,
    deflection_m: float,
    section_height_m: float,
    load_N: float,
    slip: float,
) -> float:
    """Gross traction of one tyre in sand at slip s: W T(N_s, s), the one law both tiers
    cap the tyre's force with on soil (physics.md §5.4) [S-T1]."""
    ns = sand_numeric(
        gradient_Pa_per_m, width_m, diameter_m, deflection_m, section_height_m, load_N
    )
    return load_N * wes_gross_traction(ns, slip)


@njit(cache=True)
def operating_soil_traction_N(
    gradient_Pa_per_m: float,
    width_m: float,
    diameter_m: float,
    deflection_m: float,
    section_height_m: float,
    load_N: float,
    peak_force_N: float,
    peak_slip: float,
    sliding_force_N: float,
    sliding_slip: float,
) -> float:
    """The pull of a driven tyre on soil that its driveline can spin up (physics.md
    §5.4): the tyre curve's peak (F_M at s_M) and sliding (F_S at s_S) points each capped
    by the WES sand traction at their slip, as the transient kernel caps them
    (``sim.transient.corners.tyre_forces``). The WES curve rises with slip, so on soft
    sand the capped curve still climbs past s_M; with no traction control a wheel under
    full drive runs out to s_S, where the pull is the larger of the two points, N."""
    s_min = MIN_SLIDING_OVER_PEAK_SLIP * peak_slip
    s_s = sliding_slip if sliding_slip > s_min else s_min
    at_peak = min(
        peak_force_N,
        sand_traction_N(
            gradient_Pa_per_m,
            width_m,
            diameter_m,
            deflection_m,
            section_height_m,
            load_N,
            peak_slip,
        ),
    )
    at_sliding = min(
        sliding_force_N,
        sand_traction_N(
            gradient_Pa_per_m, width_m, diameter_m, deflection_m, section_height_m, load_N, s_s
        ),
    )
    return max(at_peak, at_sliding)


@njit(cache=True)
def sand_speed_factor(speed_mps: float, reference_speed_mps: float) -> float:
    """Speed scaling of the static compaction resistance: 1 / (1 + v / v_ref) (§5.3)."""
    return 1.0 / (1.0 + speed_mps / reference_speed_mps)
