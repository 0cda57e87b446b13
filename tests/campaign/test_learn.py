"""The pace update (normal-inverse-gamma): closed form, coverage of its interval, losses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidsim.campaign.learn import PacePosterior, draw, prior, update


def test_prior_matches_the_spec() -> None:
    p = prior(1.10, 0.04, 0.03, 6.0)
    assert p.pace_factor == pytest.approx(1.10)
    assert p.sigma == pytest.approx(0.04)  # prior mean of sigma^2 = the spec's
    # the sd of ln(pace) at sigma = the spec's is pace_prior_sigma
    assert math.sqrt(0.04**2 / p.k) == pytest.approx(0.03)


def test_update_is_the_textbook_posterior() -> None:
    """Gelman et al. BDA3 §3.3 with a flat limit: many stages -> the sample's mean and sd."""
    rng = np.random.default_rng(1)
    y = np.log(1.07) + 0.05 * rng.standard_normal(4000)
    post = update(prior(1.20, 0.02, 0.03, 6.0), list(y), 3.0)
    assert post.pace_factor == pytest.approx(math.exp(y.mean()), rel=1e-3)
    assert post.sigma == pytest.approx(y.std(), rel=0.02)
    lo, hi = post.pace_interval(0.95)
    assert lo < 1.07 < hi and hi - lo < 0.01
    # one stage by hand: k1 = k0 + 1, m1 = (k0 m0 + y)/k1, a1 = a0 + 1/2,
    # b1 = b0 + k0 (y - m0)^2 / (2 k1)
    p0 = prior(1.10, 0.04, 0.03, 6.0)
    p1 = update(p0, [math.log(1.13)], 3.0)
    assert p1.k == pytest.approx(p0.k + 1)
    assert p1.m == pytest.approx((p0.k * p0.m + math.log(1.13)) / (p0.k + 1))
    assert p1.a == pytest.approx(p0.a + 0.5)
    assert p1.b == pytest.approx(p0.b + p0.k * (math.log(1.13) - p0.m) ** 2 / (2 * (p0.k + 1)))


def test_recovers_the_true_pace_within_its_interval() -> None:
    """200 synthetic crews: true pace 8 % either side of the spec's, true spread 0.03-0.06,
    8 stages of ``QSS x pace x exp(sigma Z)``: the 95 % interval holds the truth in >= 90 %
    of trials, and it is narrower than the prior's."""
    rng = np.random.default_rng(2026)
    spec_pace, spec_sigma = 1.10, 0.04
    p0 = prior(spec_pace, spec_sigma, 0.03, 6.0)
    lo0, hi0 = p0.pace_interval(0.95)
    hits, widths = 0, []
    for _ in range(200):
        true_pace = spec_pace * math.exp(rng.uniform(-0.08, 0.08))
        true_sigma = rng.uniform(0.03, 0.06)
        qss_s = rng.uniform(2 * 3600, 5 * 3600, 8)
        times_s = qss_s * true_pace * np.exp(true_sigma * rng.standard_normal(8))
        post = update(p0, list(np.log(times_s / qss_s)), 3.0)
        lo, hi = post.pace_interval(0.95)
        hits += lo <= true_pace <= hi
        widths.append(hi - lo)
    assert hits / 200 >= 0.90, hits
    assert np.median(widths) < 0.7 * (hi0 - lo0)


def test_a_stage_with_a_loss_is_left_out() -> None:
    rng = np.random.default_rng(5)
    qss_s = np.full(8, 4 * 3600.0)
    times_s = qss_s * 1.12 * np.exp(0.04 * rng.standard_normal(8))
    times_s[3] += 3600.0  # a long stop: no spare left
    post = update(prior(1.10, 0.04, 0.03, 6.0), list(np.log(times_s / qss_s)), 3.0)
    assert (post.n_used, post.n_outliers) == (7, 1)
    lo, hi = post.pace_interval(0.95)
    assert lo < 1.12 < hi


def test_draws_follow_the_posterior() -> None:
    post = PacePosterior.from_row(update(prior(1.1, 0.04, 0.03, 6.0), [0.1] * 10, 3.0).to_row())
    rng = np.random.default_rng(0)
    mus = np.array([draw(rng, [post])[0][0] for _ in range(20000)])
    lo, hi = post.pace_interval(0.9)
    inside = np.mean((np.exp(mus) >= lo) & (np.exp(mus) <= hi))
    assert inside == pytest.approx(0.9, abs=0.01)
