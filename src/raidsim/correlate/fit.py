"""Fit named correction factors of the twin to an aligned log, with confidence intervals.

The model inside the fit is the QSS tier (:func:`raidsim.sim.qss.estimate`, ~0.07 s per
50 km once the vehicle's ride/shock speed table is cached), so a fit of a few factors costs
a few seconds. The crew's tolerances are applied after the table lookup
(:mod:`raidsim.sim.ride.limits`), and the table's sweep car has its own engine, so no
factor below recomputes the table. Factors (all multiplicative, 1 = as the preset/driver
defaults say):

==============  ==================================================================  ===========
name            what it scales                                                      lands in
==============  ==================================================================  ===========
pace            the crew's overall pace, k a speed ratio (0.95 = 5 % slower where   driver,
                the crew sets the speed): ``grip_usage`` and ``decel_g`` x k^2,     corrections
                ``absorbed_power_limit_W`` x k^2, ``shock_limit_g`` x k^4, the
                roadbook's feature speeds x k (exponents: :data:`PACE_EXPONENTS`)
grip            every surface's ``DriverSpec.grip_usage`` (corner speeds)           driver
grip_<surface>  one surface's ``grip_usage`` (e.g. ``grip_gravel``)                 driver
brake           every surface's ``DriverSpec.decel_g`` (the braking the plan        driver
                assumes)
ride            ``DriverSpec.absorbed_power_limit_W`` (ride tolerance, W at the     driver
                seat: the ride-limited speed on rough ground)
shock           ``DriverSpec.shock_limit_g`` (peak seat acceleration over whoops    driver
                and rock fields)
features        ``DriverSpec.feature_speed_scale``: the crew's pace over the         driver
                roadbook's feature speeds (jump ``takeoff_speed_kmh``; dune
                crests come from the car and ``shock_limit_g``)
power           engine power: ``engine.torque_curve_Nm`` x k and the restrictor    vehicle
                throat ``restrictor.diameter_mm`` x sqrt(k) (choked flow ~ area)
rolling         rolling + sand compaction resistance (no vehicle field yet: applied  corrections
                in the fit by scaling the QSS surface loads; recorded, not applied
                by ``load_vehicle``)
fuel            fuel use: ``fuel.willans_efficiency`` / k                           vehicle
final_drive     ``gearbox.final_drive_ratio`` x k (or rolling radius / k): not a    vehicle
                least-squares factor, the check below
==============  ==================================================================  ===========

"corrections" is the ``[model_corrections]`` table of ``driver-fit.toml``
(:func:`write_driver_settings`): applied inside the fit, recorded, applied by no loader.

**Pace exponents** (:data:`PACE_EXPONENTS`): each crew limit is scaled so that the speed
it sets moves by about k. Corner speed is sqrt(grip_usage mu g / kappa) and a brakeable
plan has v^2 ~ decel x distance: both x k^2. The absorbed power on the ISO 8608 ride
curves grows as v^1.2..v^1.6 at low speed and v^1.9..v^2.1 from about 100 km/h, where a
rally crew's 10 W limit is crossed (D7X-R table, class E: 5.5 W at 108 km/h, 8.9 W at 136,
13.4 W at 168): x k^2. The peak shock over a single bump grows quasi-statically as v^2,
but over whoops it rises far more steeply through the crew's 2.5 g (D7X-R, 14 m / 0.3 m
whoops: 0.59 g at 43 km/h, 2.67 g at 61 km/h, a local v^4.4): x k^4. The roadbook's feature
speeds are speeds: x k. The power the crew asks for is left to ``power``; ``pace`` with
``power`` is :data:`DEFAULT_FIT`. Where the exponents are off (another car's whoops),
``shock``, ``ride``, ``grip`` and ``brake`` fitted on their own say so.

Check (tests/correlate/test_pace_fit.py, issue #15): a log of the twin on the default stage
slowed 5 % uniformly (time x 1.05, speed / 1.05, no fuel channel): the twin starts 4.8 %
faster than the log; the default fit (pace 0.946, power 0.880) ends 0.3 % faster, mostly
the 50 km/h speed zone (a limit, not the crew's pace, that the slowed log drives at 47.6
km/h). ``grip`` and ``power`` alone end 2.7 % faster: the dune crests, whoops and braking
stay at the twin's.

Least squares (``scipy.optimize.least_squares``, trust region, bounds
:func:`factor_bounds`: 0.3..2 (:data:`BOUNDS`), ``pace`` 0.7..1.4 (:data:`FACTOR_BOUNDS`:
k^4 keeps the shock limit a valid ``DriverSpec`` value), forward differences with a 1 %
step: the QSS speed trace has small steps in the factors, from the driver preview's
whole-metre look-ahead, that a finer step would read as slope) on the residual vector,
each term over its expected error:
r = [(v_model(s_i) - v_log(s_i)) / 0.5 m/s on the 5 m grid, and when the log has fuel,
(F_model - F_log) / (1 % of F_log)] -- the fuel total is one observation.

**Intervals that carry model error** (physics.md §10.4). The residuals of a real fit are not
white noise of the assumed size: they hold the model's own error (a surface the twin gets
wrong, an alignment slip, a driver who lifts), which is correlated along the stage and
larger where the model is sensitive. Two estimates of the covariance of the factors, and
the larger variance of each factor is used (each misses what the other sees):

* effective sample size: ``C_ess = (J^T J)^-1 s^2 tau`` with ``s^2 = r.r / (n - p)`` (the
  residual variance, not the assumed 0.5 m/s) and ``tau = 1 + 2 sum_k rho_k`` the
  integrated autocorrelation time of the speed residuals along distance (Geyer's initial
  positive sequence: pairs of lags summed while positive), so ``n_eff = n / tau``;
* sandwich over blocks of distance (Newey-West, the linearised block bootstrap):
  ``C_hac = A (sum_|k|<=L w_k sum_i g_i g_{i+k}^T) A n / (n - p)``, ``A = (J^T J)^-1``,
  ``g_i = J_i r_i``, Bartlett weights ``w_k = 1 - |k| / (L + 1)`` with a bandwidth ``L`` of
  :data:`HAC_BANDWIDTH_M` of distance (at least twice the correlation length ``tau``):
  residuals that are large, or correlated, where a factor matters widen that factor only.
  The fuel row enters with at least its assumed 1 % error.

95 % interval = 1.96 sqrt(max(C_ess_kk, C_hac_kk)). Neither sees a bias common to the whole
log, so the alignment must not have one (:mod:`raidsim.correlate.align`). On the shipped
example (a log made by the QSS with known factors, 1 km/h speed noise, +-5 m GPS jitter) 40
noise seeds put the truth inside the interval 90 % (grip) and 95 % (power) of the time: the
QSS answers the factors in small steps (the driver preview's whole-metre look-ahead), which
adds a little scatter neither estimate sees.

Whether a fit can be trusted at all (coverage, residuals after the fit, a likely wrong
stage) is :mod:`raidsim.correlate.trust`.

**Final-drive / rolling-radius check**: where the converter is locked (gear >= lock-up gear,
above the lock-up speed), engine speed = v / r_d x i_gear x i_final x i_transfer. The median
of logged RPM over that prediction (from the logged gear and speed) is the scale on
i_final / r_d the log implies; 1.00 +- 0.02 means gearing and tyre radius agree.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

import raidsim.atomic as atomic
from raidsim.correlate.align import AlignedLog, Comparison, compare
from raidsim.correlate.logs import LogError, LoggedRun
from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient
from raidsim.model.loader import load_vehicle
from raidsim.model.settings import DriverSpec, Settings
from raidsim.model.surfaces import SURFACES
from raidsim.model.vehicle import RPM_TO_RADPS, Vehicle
from raidsim.route.stage import Stage
from raidsim.sim import qss
from raidsim.units import KMH_PER_MPS

F64 = NDArray[np.float64]

FACTORS: dict[str, str] = {
    "grip": "DriverSpec.grip_usage, every surface",
    **{f"grip_{s}": f"DriverSpec.grip_usage['{s}']" for s in SURFACES},
    "brake": "DriverSpec.decel_g x k, every surface",
    "ride": "DriverSpec.absorbed_power_limit_W x k",
    "shock": "DriverSpec.shock_limit_g x k",
    "pace": "DriverSpec grip_usage, decel_g x k^2, absorbed_power_limit_W x k^2, "
    "shock_limit_g x k^4; feature speeds x k (model correction)",
    "features": "roadbook feature speeds: takeoff_speed_kmh x k (model correction)",
    "power": "engine.torque_curve_Nm x k, restrictor.diameter_mm x sqrt(k)",
    "rolling": "rolling + compaction resistance (model correction)",
    "fuel": "fuel.willans_efficiency / k",
    "final_drive": "gearbox.final_drive_ratio x k (RPM check)",
}
#: ``pace`` k is a speed ratio: each crew limit is scaled by k^e so that the speed it sets
#: moves by about k (module docstring)
PACE_EXPONENTS: dict[str, float] = {
    "grip": 2.0,
    "brake": 2.0,
    "ride": 2.0,
    "shock": 4.0,
    "features": 1.0,
}
DEFAULT_FIT = ("pace", "power")
BOUNDS = (0.3, 2.0)
#: factors with other bounds than :data:`BOUNDS`
FACTOR_BOUNDS: dict[str, tuple[float, float]] = {"pace": (0.7, 1.4)}
#: expected speed residual of a good fit (sensor + alignment + model), m/s
SIGMA_SPEED_MPS = 0.5
#: expected relative error of a logged fuel total
SIGMA_FUEL = 0.01


def factor_bounds(name: str) -> tuple[float, float]:
    """Least-squares bounds of a factor (:data:`FACTOR_BOUNDS`, else :data:`BOUNDS`)."""
    return FACTOR_BOUNDS.get(name, BOUNDS)


def check_factor_names(names: Sequence[str]) -> None:
    """Known factors, each once (ConfigError naming ``--fit`` and the factor)."""
    unknown = [n for n in names if n not in FACTORS]
    if unknown:
        raise ConfigError(
            f"--fit {unknown[0]}: unknown correction factor (known: {', '.join(FACTORS)})"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"--fit {twice[0]}: given more than once; give each factor once")


@dataclass(frozen=True)
class Corrected:
    """A vehicle, a driver and the rolling-resistance correction, with factors applied."""

    vehicle: Vehicle
    driver: DriverSpec
    rolling_scale: float = 1.0


def _scaled(values: dict[str, float], k: float) -> dict[str, float]:
    return {s: x * k for s, x in values.items()}


def apply_factors(vehicle: Vehicle, driver: DriverSpec, values: dict[str, float]) -> Corrected:
    """Apply multiplicative factors (names in :data:`FACTORS`) to a vehicle and a driver."""
    check_factor_names(list(values))
    grip = dict(driver.grip_usage)
    decel = dict(driver.decel_g)
    ride = driver.absorbed_power_limit_W
    shock = driver.shock_limit_g
    features = driver.feature_speed_scale
    for name, value in values.items():
        k = float(value)  # numpy scalars from the solver: plain floats in the presets
        if name == "pace":  # speed ratio k: every crew limit moves its speed by about k
            e = PACE_EXPONENTS
            grip, decel = _scaled(grip, k ** e["grip"]), _scaled(decel, k ** e["brake"])
            ride, shock = ride * k ** e["ride"], shock * k ** e["shock"]
            features *= k ** e["features"]
        elif name == "grip":
            grip = _scaled(grip, k)
        elif name.startswith("grip_"):
            surf = name[5:]
            grip[surf] = grip[surf] * k
        elif name == "brake":
            decel = _scaled(decel, k)
        elif name == "ride":
            ride *= k
        elif name == "shock":
            shock *= k
        elif name == "features":
            features *= k
    new_driver = driver.model_copy(
        update={
            "grip_usage": grip,
            "decel_g": decel,
            "absorbed_power_limit_W": ride,
            "shock_limit_g": shock,
            "feature_speed_scale": features,
        }
    )
    changes: dict[str, Any] = {}
    if "power" in values:
        k = values["power"]
        changes["engine.torque_curve_Nm"] = [t * k for t in vehicle.engine.torque_curve_Nm]
        if vehicle.restrictor.model == "choked_flow":
            changes["restrictor.diameter_mm"] = vehicle.restrictor.diameter_mm * math.sqrt(k)
    if "fuel" in values:
        changes["fuel.willans_efficiency"] = vehicle.fuel.willans_efficiency / values["fuel"]
    if "final_drive" in values:
        changes["gearbox.final_drive_ratio"] = (
            vehicle.gearbox.final_drive_ratio * values["final_drive"]
        )
    new_vehicle = vehicle.with_changes(**changes) if changes else vehicle
    return Corrected(new_vehicle, new_driver, float(values.get("rolling", 1.0)))


def run_qss(
    c: Corrected, stage: Stage, ambient: Ambient | None, settings: Settings | None
) -> qss.QssResult:
    """The QSS tier with a corrected vehicle, driver and rolling resistance."""
    base = settings or Settings()
    s = base.model_copy(update={"driver": c.driver})
    return qss.estimate(c.vehicle, stage, ambient, s, rolling_resistance_scale=c.rolling_scale)


@dataclass(frozen=True)
class FactorEstimate:
    name: str
    value: float
    ci95: float
    maps_to: str

    def as_dict(self) -> dict[str, Any]:
        """Value, 95 % half-width (None when the log does not determine it) and target."""
        ci = self.ci95 if math.isfinite(self.ci95) else None
        return {"value": self.value, "ci95": ci, "maps_to": self.maps_to}


def autocorrelation_time(r: F64) -> float:
    """Integrated autocorrelation time ``tau = 1 + 2 sum_k rho_k`` of a residual series
    (Geyer's initial positive sequence: lag pairs rho_{2m-1} + rho_{2m} are added while
    positive); 1 for white noise, ``n / tau`` is the effective sample size."""
    n = len(r)
    x = np.asarray(r, dtype=np.float64) - float(np.mean(r)) if n else np.zeros(0)
    var = float(x @ x)
    if n < 4 or var == 0.0:
        return 1.0
    nfft = 1 << int(math.ceil(math.log2(2 * n)))
    f = np.fft.rfft(x, nfft)
    acf = np.fft.irfft(f * np.conj(f), nfft)[:n] / var
    tau = 1.0
    for m in range(1, (n - 1) // 2):
        pair = float(acf[2 * m - 1] + acf[2 * m])
        if pair <= 0.0:
            break
        tau += 2.0 * pair
    return float(min(max(tau, 1.0), n / 2.0))


def _n_eff(r: F64) -> float:
    """Effective number of independent residuals (:func:`autocorrelation_time`)."""
    return max(len(r) / autocorrelation_time(r), 2.0)


#: bandwidth of the sandwich covariance, m of distance along the stage (module docstring)
HAC_BANDWIDTH_M = 250.0


@dataclass(frozen=True)
class Covariance:
    """Covariance of the fitted factors and how it was estimated (module docstring)."""

    matrix: F64  # p x p, the larger of the two estimates on the diagonal
    ess: F64  # (J^T J)^-1 s^2 tau
    hac: F64  # Bartlett-kernel sandwich over blocks of distance
    tau: float  # integrated autocorrelation time of the speed residuals, grid points
    n_eff: float  # effective number of independent speed residuals
    bandwidth: int  # sandwich bandwidth L, grid points
    residual_sigma: float  # sqrt(s^2), in units of SIGMA_SPEED_MPS

    @property
    def ci95(self) -> F64:
        return np.asarray(1.96 * np.sqrt(np.maximum(np.diag(self.matrix), 0.0)), np.float64)

    def summary(self) -> dict[str, Any]:
        """How the intervals were estimated (for ``correlation.json``)."""
        return {
            "method": "max(C_ess, C_hac): effective sample size and a Bartlett sandwich "
            "over blocks of distance (raidsim.correlate.fit)",
            "autocorrelation_time_points": self.tau,
            "n_eff": self.n_eff,
            "hac_bandwidth_points": self.bandwidth,
            "residual_sigma_over_assumed": self.residual_sigma,
            "ci95_ess": [float(x) for x in 1.96 * np.sqrt(np.maximum(np.diag(self.ess), 0.0))],
            "ci95_hac": [float(x) for x in 1.96 * np.sqrt(np.maximum(np.diag(self.hac), 0.0))],
        }


def covariance(jac: F64, r: F64, n_speed: int, step_m: float) -> Covariance:
    """Covariance of least-squares factors from the Jacobian ``jac`` and the residuals
    ``r`` at the solution (the first ``n_speed`` rows are speed residuals along distance,
    ``step_m`` apart; any further rows are single observations such as the fuel total):
    ``max(C_ess, C_hac)`` on the diagonal (module docstring). Raises
    ``numpy.linalg.LinAlgError`` when J^T J is singular (a factor the log does not see)."""
    jac = np.asarray(jac, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    n, p = jac.shape
    a = np.linalg.inv(jac.T @ jac)
    s2 = float(r @ r) / max(n - p, 1)
    rs = r[:n_speed]
    tau = autocorrelation_time(rs)
    ess = a * s2 * tau
    lag = max(int(math.ceil(HAC_BANDWIDTH_M / max(step_m, 1e-9))), int(math.ceil(2.0 * tau)))
    lag = min(lag, max(n_speed - 1, 0))
    g = jac[:n_speed] * rs[:, None]
    meat = g.T @ g
    for k in range(1, lag + 1):
        gk = g[:-k].T @ g[k:]
        meat += (1.0 - k / (lag + 1.0)) * (gk + gk.T)
    for i in range(n_speed, n):  # single observations: at least their assumed error
        meat += np.outer(jac[i], jac[i]) * max(float(r[i]) ** 2, 1.0)
    hac = a @ meat @ a * (n / max(n - p, 1))
    d = np.sqrt(np.maximum(np.maximum(np.diag(ess), np.diag(hac)), 0.0))
    d_ess = np.sqrt(np.maximum(np.diag(ess), 1e-300))
    # keep the correlations of C_ess, with the larger variance of each factor
    corr = ess / np.outer(d_ess, d_ess)
    cov = corr * np.outer(d, d)
    return Covariance(cov, ess, hac, tau, n_speed / tau, lag, math.sqrt(s2))


def final_drive_check(log: LoggedRun, vehicle: Vehicle) -> FactorEstimate | None:
    """Logged RPM over the RPM the gearing predicts (module docstring); None without RPM,
    gear or enough locked-converter samples."""
    if not log.has("engine_speed_rpm", "gear", "speed_mps"):
        return None
    gb, cv, e = vehicle.gearbox, vehicle.converter, vehicle.engine
    raw_gear = log.channels["gear"]
    # an empty Gear cell (NaN) is gear 0 here: left out like neutral, no NaN cast
    gear = np.round(np.where(np.isfinite(raw_gear), raw_gear, 0.0)).astype(np.int64)
    v = log.channels["speed_mps"]
    rpm = log.channels["engine_speed_rpm"]
    ok = (
        (gear >= cv.lockup_min_gear)
        & (gear <= gb.n_gears)
        & (v > cv.lockup_min_speed_kmh / KMH_PER_MPS + 2.0)
        & (rpm > 1.1 * e.idle_rpm)
        & np.isfinite(rpm)
    )
    if ok.sum() < 50:
        return None
    ratios = np.array(gb.overall_ratios)
    pred = v[ok] / qss.rolling_radius_m(vehicle) * ratios[gear[ok] - 1] / RPM_TO_RADPS
    k = rpm[ok] / pred
    value = float(np.median(k))
    r = k - value
    se = 1.2533 * float(np.std(r)) / math.sqrt(_n_eff(r))
    return FactorEstimate("final_drive", value, 1.96 * se, FACTORS["final_drive"])


@dataclass
class FitResult:
    """Fitted factors with 95 % intervals, the corrected model and before/after errors."""

    factors: list[FactorEstimate]
    corrected: Corrected
    before: Comparison
    after: Comparison
    final_drive: FactorEstimate | None
    evaluations: int
    base_vehicle: str
    provenance: dict[str, str] = field(default_factory=dict)
    covariance: Covariance | None = None

    def values(self) -> dict[str, float]:
        return {f.name: f.value for f in self.factors}


def fit_factors(
    aligned: AlignedLog,
    stage: Stage,
    vehicle: Vehicle,
    names: Sequence[str] = DEFAULT_FIT,
    log: LoggedRun | None = None,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
) -> FitResult:
    """Least-squares fit of ``names`` (module docstring) to an aligned log.

    ``final_drive`` in ``names`` applies the RPM check's scale (needs ``log`` with RPM and
    gear); it is not part of the least-squares vector.
    """
    check_factor_names(names)
    driver = (settings or Settings()).driver
    density = vehicle.fuel.density_kg_per_L
    fixed: dict[str, float] = {}
    fd = final_drive_check(log, vehicle) if log is not None else None
    if "final_drive" in names:
        if fd is None:
            src = log.source if log is not None else "log"
            raise LogError(
                f"{src}: the final_drive check needs engine_speed_rpm, gear and speed_mps "
                "with at least 50 locked-converter samples"
            )
        fixed["final_drive"] = fd.value
    lsq = [n for n in names if n != "final_drive"]
    has_fuel = "fuel_used_L" in aligned.channels
    if "fuel" in lsq and not has_fuel:
        src = log.source if log is not None else "log"
        raise LogError(f"{src}: missing channel(s) fuel_used_L (needed to fit 'fuel')")

    before_res = run_qss(Corrected(vehicle, driver), stage, ambient, settings)
    before = compare(aligned, before_res, density)
    fuel_log = before.fuel_log_L
    n_speed = len(aligned.s_m)
    count = 0

    def corrected(x: F64) -> Corrected:
        return apply_factors(vehicle, driver, {**fixed, **dict(zip(lsq, x, strict=True))})

    def residuals(x: F64) -> F64:
        nonlocal count
        count += 1
        cmp = compare(aligned, run_qss(corrected(x), stage, ambient, settings), density)
        r = cmp.speed_residual_mps / SIGMA_SPEED_MPS
        if has_fuel and fuel_log and cmp.fuel_model_L is not None:
            rf = (cmp.fuel_model_L - fuel_log) / (SIGMA_FUEL * fuel_log)
            r = np.concatenate((r, [rf]))
        return np.asarray(r, dtype=np.float64)

    estimates: list[FactorEstimate] = []
    if lsq:
        sol = least_squares(
            residuals,
            np.ones(len(lsq)),
            bounds=(
                np.array([factor_bounds(n)[0] for n in lsq]),
                np.array([factor_bounds(n)[1] for n in lsq]),
            ),
            diff_step=1e-2,
        )
        r = np.asarray(sol.fun, dtype=np.float64)
        jac = np.asarray(sol.jac, dtype=np.float64)
        p = len(lsq)
        step = float(aligned.s_m[1] - aligned.s_m[0]) if n_speed > 1 else 1.0
        try:
            cov = covariance(jac, r, n_speed, step)
            ci = cov.ci95
        except np.linalg.LinAlgError:
            cov = None
            ci = np.full(p, np.inf)
        x_best = np.asarray(sol.x, dtype=np.float64)
        estimates = [
            FactorEstimate(name, float(x_best[i]), float(ci[i]), FACTORS[name])
            for i, name in enumerate(lsq)
        ]
    else:
        x_best = np.zeros(0)
        cov = None
    if "final_drive" in names and fd is not None:
        estimates.append(fd)
    best = corrected(x_best)
    after = compare(aligned, run_qss(best, stage, ambient, settings), density)
    return FitResult(
        estimates,
        best,
        before,
        after,
        fd,
        count,
        vehicle.name,
        log.provenance() if log is not None else {},
        cov,
    )


# ----------------------------------------------------------------------------- writers
def _nan(v: Any) -> bool:
    return isinstance(v, float) and not math.isfinite(v)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write non-finite {v!r} to TOML")
        return repr(float(v))  # a numpy scalar's repr is not TOML
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """A minimal TOML writer for nested dicts of scalars and lists (None keys omitted)."""
    lines = []
    tables = []
    for k, v in data.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    out = "\n".join(lines)
    for k, v in tables:
        name = f"{prefix}{k}"
        body = to_toml(v, name + ".")
        out += f"\n\n[{name}]\n{body}" if out else f"[{name}]\n{body}"
    return out


def _untrusted(trust: Mapping[str, Any] | None) -> bool:
    return trust is not None and not trust.get("trusted", True)


def _header(result: FitResult, what: str, trust: Mapping[str, Any] | None = None) -> str:
    p = result.provenance
    lines = [f"# {what}"]
    if _untrusted(trust):
        assert trust is not None
        lines.append("# trusted = false: NOT A TRUSTED FIT (written with --accept-untrusted):")
        lines += [f"#   - {r}" for r in trust.get("reasons", [])]
    lines += [
        f"# derived: fitted by `raidsim correlate` from preset '{result.base_vehicle}' to the "
        f"log {p.get('log_file', '?')}",
        f"#   log sha256 {p.get('log_sha256', '?')}, log date {p.get('log_date', '') or '?'}, "
        f"fitted {p.get('fitted_on', '?')}",
    ]
    for f in result.factors:
        lines.append(f"#   {f.name} = {f.value:.4f} +- {f.ci95:.4f} (95 %): {f.maps_to}")
    return "\n".join(lines) + "\n"


def write_vehicle_preset(
    result: FitResult, path: Path, trust: Mapping[str, Any] | None = None
) -> Path:
    """The fitted vehicle as a preset TOML loadable by :func:`raidsim.load_vehicle`.

    ``trust`` (:meth:`raidsim.correlate.trust.Trust.as_dict`): an untrusted fit says so in
    the header and starts its description with ``UNTRUSTED FIT`` (a vehicle preset has no
    field for it)."""
    v = result.corrected.vehicle
    p = result.provenance
    desc = (
        ("UNTRUSTED FIT (trusted = false, see the header): " if _untrusted(trust) else "")
        + f"derived from '{result.base_vehicle}' by raidsim correlate: log "
        f"{p.get('log_file', '?')}"
        f" (sha256 {p.get('log_sha256', '?')[:16]}..., date {p.get('log_date', '') or '?'}); "
        + ", ".join(f"{f.name} x{f.value:.4f}" for f in result.factors)
    )
    fitted = v.model_copy(update={"name": f"{result.base_vehicle}-fit", "description": desc})
    text = _header(result, "Vehicle preset derived from logged data", trust) + "\n"
    text += to_toml(fitted.model_dump(mode="json")) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text)
    reloaded = load_vehicle(path)
    if reloaded != fitted:
        raise ConfigError(f"{path}: the written preset does not reload to the fitted vehicle")
    return path


def write_driver_settings(
    result: FitResult, path: Path, trust: Mapping[str, Any] | None = None
) -> Path:
    """Driver factors, the rolling-resistance correction, provenance, the ``[trust]``
    table (``trusted``, reasons and the criteria's values, when ``trust`` is given) and the
    fitted ``[driver]`` table (load with :func:`load_driver_settings`)."""
    data: dict[str, Any] = {
        "source": {**result.provenance, "base_vehicle": result.base_vehicle},
        "factors": {f.name: f.as_dict() for f in result.factors},
        "model_corrections": {
            "rolling_resistance_scale": result.corrected.rolling_scale,
        },
    }
    if trust is not None:
        data["trust"] = {k: v for k, v in trust.items() if not _nan(v)}
    data["driver"] = result.corrected.driver.model_dump(mode="json")
    text = _header(result, "Driver settings and model corrections derived from logged data", trust)
    text += "\n" + to_toml(data) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text)
    return path


def load_driver_settings(path: Path | str) -> DriverSpec:
    """The ``[driver]`` table of a file written by :func:`write_driver_settings`."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read driver settings ({exc})") from exc
    if "driver" not in data:
        raise ConfigError(f"{p}: no [driver] table")
    return DriverSpec.model_validate(data["driver"])
