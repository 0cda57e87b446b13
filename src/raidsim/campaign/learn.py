"""Each crew's pace learned from its real stage times: a conjugate normal-inverse-gamma update.

The campaign's model of a crew's driving time on special s is
``T = T_qss[s] x exp(mu + sigma Z)`` with ``Z ~ N(0, 1)`` independent per stage, so the
log time ratio ``y_s = ln(T_s / T_qss[s])`` is normal with mean ``mu = ln(pace_factor)``
and sd ``sigma = variability_sigma``. Both are unknown to the strategist; the spec's values
are the prior's centre. The conjugate prior for a normal with unknown mean and variance is
the normal-inverse-gamma (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §3.3; Murphy,
"Conjugate Bayesian analysis of the Gaussian distribution", 2007, §6)::

    sigma^2        ~ InvGamma(a0, b0)
    mu | sigma^2   ~ N(m0, sigma^2 / k0)

with ``m0 = ln(pace_factor)``, ``a0 = nu0 / 2`` (``nu0`` = ``learning.spread_prior_stages``
pseudo-stages of spread), ``b0 = (a0 - 1) variability_sigma^2`` (prior mean of sigma^2 =
the spec's), and ``k0 = variability_sigma^2 / learning.pace_prior_sigma^2`` (the prior sd
of ``mu`` at sigma = the spec's is ``pace_prior_sigma``). After n stages with mean ``ybar``
and sum of squares ``S``::

    k_n = k0 + n                m_n = (k0 m0 + n ybar) / k_n
    a_n = a0 + n / 2            b_n = b0 + S / 2 + k0 n (ybar - m0)^2 / (2 k_n)

The marginal posterior of ``mu`` is Student-t with ``2 a_n`` degrees of freedom, centre
``m_n`` and scale ``sqrt(b_n / (a_n k_n))``: the pace factor's interval is ``exp`` of its
quantiles. A replicate draws ``sigma^2`` then ``mu`` from the posterior, so the odds carry
what is still unknown about the pace.

A real special time holds the crew's losses too (punctures, repairs, a lost waypoint),
which the model draws separately. A stage slower than the crew's own median ratio (from
three stages on; the prior's centre before) by more than ``learning.outlier_sd`` x the
larger of the prior's spread and the ratios' own (1.4826 x median absolute deviation, a
robust sd; Huber, *Robust Statistics*, 1981; one-sided: a loss only slows a crew) is left
out of the update, and each crew's count of such stages is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class PacePosterior:
    """Normal-inverse-gamma posterior of one crew's log pace (see the module docstring)."""

    m: float
    k: float
    a: float
    b: float
    n_used: int  # stages that fed the update
    n_outliers: int  # stages left out as holding a loss

    def to_row(self) -> list[float]:
        """As the manifest keeps it: m, k, a, b, stages used, stages left out."""
        return [self.m, self.k, self.a, self.b, float(self.n_used), float(self.n_outliers)]

    @classmethod
    def from_row(cls, row: list[float]) -> PacePosterior:
        m, k, a, b, used, left = row
        return cls(m, k, a, b, int(used), int(left))

    @property
    def pace_factor(self) -> float:
        """Posterior median of the pace factor (exp of the t's centre)."""
        return math.exp(self.m)

    def pace_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central ``level`` credible interval of the pace factor."""
        scale = math.sqrt(self.b / (self.a * self.k))
        q = float(stats.t.ppf(0.5 + level / 2.0, 2.0 * self.a))
        return math.exp(self.m - q * scale), math.exp(self.m + q * scale)

    @property
    def sigma(self) -> float:
        """Posterior mean of sigma^2, as an sd (the stage-to-stage spread)."""
        return math.sqrt(self.b / (self.a - 1.0)) if self.a > 1.0 else math.sqrt(self.b / self.a)

    def sigma_interval(self, level: float = 0.95) -> tuple[float, float]:
        lo = float(stats.invgamma.ppf(0.5 - level / 2.0, self.a, scale=self.b))
        hi = float(stats.invgamma.ppf(0.5 + level / 2.0, self.a, scale=self.b))
        return math.sqrt(lo), math.sqrt(hi)


def prior(
    pace_factor: float, sigma: float, pace_prior_sigma: float, spread_prior_stages: float
) -> PacePosterior:
    """The prior from the spec's values (see the module docstring)."""
    a0 = spread_prior_stages / 2.0
    s2 = max(sigma, 1e-4) ** 2  # a spec sigma of 0 still needs a proper prior
    return PacePosterior(
        m=math.log(pace_factor),
        k=s2 / pace_prior_sigma**2,
        a=a0,
        b=(a0 - 1.0) * s2,
        n_used=0,
        n_outliers=0,
    )


def update(p0: PacePosterior, log_ratios: list[float], outlier_sd: float) -> PacePosterior:
    """Posterior after the stages' log time ratios ``ln(T / T_qss)`` (outliers left out:
    above the centre by more than ``outlier_sd`` x the prior's spread, the centre being the
    median of the crew's own ratios from three stages on, the spread the larger of the
    prior's and 1.4826 x their median absolute deviation; the prior's before)."""
    y = np.array(log_ratios, dtype=np.float64)
    prior_sd = math.sqrt(p0.b / (p0.a - 1.0))
    if y.size >= 3:  # robust: median and scaled median absolute deviation of its own
        centre = float(np.median(y))
        spread = max(prior_sd, 1.4826 * float(np.median(np.abs(y - centre))))
    else:
        centre, spread = p0.m, prior_sd * math.sqrt(1.0 + 1.0 / p0.k)
    keep = y <= centre + outlier_sd * spread
    y = y[keep]
    n = int(y.size)
    if n == 0:
        return PacePosterior(p0.m, p0.k, p0.a, p0.b, 0, int((~keep).sum()))
    ybar = float(y.mean())
    ss = float(((y - ybar) ** 2).sum())
    k = p0.k + n
    return PacePosterior(
        m=(p0.k * p0.m + n * ybar) / k,
        k=k,
        a=p0.a + n / 2.0,
        b=p0.b + ss / 2.0 + p0.k * n * (ybar - p0.m) ** 2 / (2.0 * k),
        n_used=n,
        n_outliers=int((~keep).sum()),
    )


def draw(rng: np.random.Generator, posts: list[PacePosterior]) -> tuple[np.ndarray, np.ndarray]:
    """One replicate's (log pace mu, sigma) per crew, drawn from the posteriors."""
    a = np.array([p.a for p in posts])
    b = np.array([p.b for p in posts])
    var = b / rng.gamma(a, 1.0)  # InvGamma(a, b)
    mu = np.array([p.m for p in posts]) + np.sqrt(var / np.array([p.k for p in posts])) * (
        rng.standard_normal(len(posts))
    )
    return mu, np.sqrt(var)
