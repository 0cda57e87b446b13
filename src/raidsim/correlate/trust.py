"""When a correlation cannot be trusted: coverage, residuals after the fit, a likely wrong stage.

A least-squares fit always returns numbers, also for a log of another stage or of a few
hundred metres; its intervals only mean something when the log and the stage belong
together and the twin, once fitted, follows the log. :func:`assess_trust` checks (physics.md
§10.4):

==================  ===========================================================  ============
criterion           the correlation is not trusted when                          limit
==================  ===========================================================  ============
coverage            the aligned log covers less than this share of the stage     50 %
log length          the log drives more than this multiple of the stage length   1.25
                    (integrated speed while moving; a log of a longer stage)
off route           the median distance of the moving GPS fixes from the centre  25 m
                    line, at the distance they were aligned to (another stage)
residuals           the RMS speed error after the fit is above this              10 km/h
factor at a bound   a fitted factor ends on its bound (0.3 or 2; ``pace``: 0.7    1e-3
                    or 1.4, :func:`raidsim.correlate.fit.factor_bounds`)
undetermined        a factor's 95 % interval is wider than this (the log does    +-0.10
                    not see it) or not finite
==================  ===========================================================  ============

``raidsim correlate`` **refuses** an untrusted correlation: one line naming every failed
criterion with its value, exit code 2, nothing written. ``--accept-untrusted`` writes it
anyway, with a ``warning:`` line per criterion and ``trusted = false`` plus the reasons in
``correlation.json`` (``trust``), ``driver-fit.toml`` (``[trust]``) and the header and
description of ``vehicle-fit.toml``. A trusted correlation records ``trusted = true``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from raidsim.correlate.align import STANDING_MPS, AlignedLog, Origin, log_xy
from raidsim.correlate.fit import factor_bounds
from raidsim.correlate.logs import LoggedRun
from raidsim.errors import UntrustedCorrelation as UntrustedCorrelation  # re-exported: raised here
from raidsim.route.stage import Stage

if TYPE_CHECKING:
    from raidsim.correlate.fit import FitResult

#: the aligned log covers at least this share of the stage
MIN_COVERAGE = 0.5
#: the log's own distance (integrated speed) is at most this multiple of the stage length
MAX_LOG_LENGTH_RATIO = 1.25
#: median distance of the moving GPS fixes from the centre line, m
MAX_OFF_ROUTE_M = 25.0
#: RMS speed error after the fit, km/h
MAX_RMS_AFTER_KMH = 10.0
#: a factor this close to a bound ended on it
BOUND_TOL = 1e-3
#: widest acceptable 95 % interval of a factor
MAX_CI95 = 0.10


@dataclass(frozen=True)
class Trust:
    """The trust criteria of one correlation (module docstring) and their values."""

    trusted: bool
    reasons: list[str] = field(default_factory=list)
    coverage: float = math.nan
    logged_km: float = math.nan
    stage_km: float = math.nan
    log_length_ratio: float = math.nan
    off_route_median_m: float | None = None
    rms_after_kmh: float = math.nan

    def as_dict(self) -> dict[str, Any]:
        """The fields, without the ones that are not known (None or NaN)."""
        d = asdict(self)
        return {
            k: v
            for k, v in d.items()
            if v is not None and not (isinstance(v, float) and not math.isfinite(v))
        }


def off_route_median_m(log: LoggedRun, stage: Stage, aligned: AlignedLog, origin: Origin) -> float:
    """Median distance (m) of the moving GPS fixes from the centre-line point at the
    distance each was aligned to."""
    x, y = log_xy(log, origin)
    v = log.channels["speed_mps"]
    s = aligned.sample_s_m
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(v) & (v > STANDING_MPS)
    if ok.sum() < 10:
        return math.nan
    cl = stage.centreline
    d = np.hypot(x[ok] - np.interp(s[ok], cl.s_m, cl.x_m), y[ok] - np.interp(s[ok], cl.s_m, cl.y_m))
    return float(np.median(d))


def _driven_m(log: LoggedRun) -> float:
    t = log.channels["time_s"]
    v = np.where(np.isfinite(log.channels["speed_mps"]), log.channels["speed_mps"], 0.0)
    v = np.maximum(v, 0.0)
    return float(np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(t))) if len(t) > 1 else 0.0


def assess_trust(
    aligned: AlignedLog,
    stage: Stage,
    log: LoggedRun,
    origin: Origin | None,
    result: FitResult,
) -> Trust:
    """Check a fitted correlation against the criteria of the module docstring."""
    reasons: list[str] = []
    stage_m = float(stage.length_m)
    logged_m = float(aligned.s_m[-1] - aligned.s_m[0])
    coverage = logged_m / stage_m if stage_m > 0 else 0.0
    if coverage < MIN_COVERAGE:
        reasons.append(
            f"the log covers {100 * coverage:.0f} % of the {stage_m / 1000:.2f} km stage "
            f"({logged_m / 1000:.2f} km; at least {100 * MIN_COVERAGE:.0f} % needed)"
        )
    driven = _driven_m(log)
    ratio = driven / stage_m if stage_m > 0 else math.inf
    if ratio > MAX_LOG_LENGTH_RATIO:
        reasons.append(
            f"the log drives {driven / 1000:.2f} km, {ratio:.2f} x the {stage_m / 1000:.2f} km "
            f"stage (at most {MAX_LOG_LENGTH_RATIO:g} x): a log of another stage?"
        )
    off = None
    if origin is not None and log.has("lat_deg", "lon_deg"):
        off = off_route_median_m(log, stage, aligned, origin)
        if not math.isfinite(off) or off > MAX_OFF_ROUTE_M:
            reasons.append(
                f"the GPS fixes lie a median {off:.0f} m from the stage's centre line "
                f"(at most {MAX_OFF_ROUTE_M:g} m): a log of another stage?"
            )
    rms = float(result.after.rms_speed_error_kmh)
    if not math.isfinite(rms) or rms > MAX_RMS_AFTER_KMH:
        reasons.append(
            f"RMS speed error after the fit {rms:.1f} km/h (at most {MAX_RMS_AFTER_KMH:g} km/h): "
            "the fitted twin does not follow the log"
        )
    for f in result.factors:
        if f.name == "final_drive":
            continue
        lo, hi = factor_bounds(f.name)
        if min(abs(f.value - lo), abs(f.value - hi)) < BOUND_TOL:
            reasons.append(f"{f.name} ended on its bound ({f.value:.3f}; bounds {lo:g}..{hi:g})")
        elif not math.isfinite(f.ci95) or f.ci95 > MAX_CI95:
            reasons.append(
                f"{f.name} is not determined by the log (95 % interval +-{f.ci95:.3g}, "
                f"at most +-{MAX_CI95:g})"
            )
    return Trust(
        trusted=not reasons,
        reasons=reasons,
        coverage=coverage,
        logged_km=logged_m / 1000.0,
        stage_km=stage_m / 1000.0,
        log_length_ratio=ratio,
        off_route_median_m=off,
        rms_after_kmh=rms,
    )


def require_trust(trust: Trust, what: str, accept_untrusted: bool = False) -> None:
    """Raise :class:`UntrustedCorrelation` naming every failed criterion, unless the
    correlation is trusted or ``accept_untrusted``."""
    if trust.trusted or accept_untrusted:
        return
    raise UntrustedCorrelation(
        f"{what}: the correlation cannot be trusted: {'; '.join(trust.reasons)}. Check the "
        "log and --stage; nothing was written (--accept-untrusted writes the fit anyway, "
        "marked trusted = false)"
    )
