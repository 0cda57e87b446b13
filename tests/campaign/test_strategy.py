"""Pace against risk: the strategy curve on a synthetic state (a leader ahead by a margin)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import synthetic_spec, synthetic_table

from raidsim.campaign.model import Given, risk_multipliers, simulate_arrays
from raidsim.campaign.strategy import pace_grid, strategy_curve
from raidsim.errors import ConfigError

N_GIVEN, N_STAGES = 2, 8  # two real stages, six to run
SCALES = [0.95, 0.97, 0.99, 1.01, 1.03, 1.05, 1.07, 1.09]


def _state(margin_min: float) -> Given:
    """Two alike crews (pace 1.10 on 4 h specials); crew 1 leads by ``margin_min``."""
    times = [[4 * 3600 * 1.10] * N_GIVEN for _ in range(2)]
    times[1][0] += 60.0 * margin_min
    fixed = [[True] * N_GIVEN] * 2
    return Given(N_GIVEN, fixed, times, [[0.0] * N_GIVEN] * 2, [[False] * N_GIVEN] * 2, None)


def _curve(margin_min: float, spec=None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return strategy_curve(
        synthetic_table(2, N_STAGES),
        spec or synthetic_spec(2),
        _state(margin_min),
        "crew 1",
        seed=4,
        replicates=800,
        scales=SCALES,
    )


def test_risk_law_is_exponential_in_speed() -> None:
    spec = synthetic_spec(2)
    assert spec.pace_risk is not None
    p, m, n = risk_multipliers(spec, np.array([1.0, 1 / 1.02]))
    assert (p[0], m[0], n[0]) == (1.0, 1.0, 1.0)  # the usual pace: the spec's rates
    assert m[1] == pytest.approx(np.exp(spec.pace_risk.mechanical_beta * 0.02))
    assert p[1] == pytest.approx(np.exp(spec.pace_risk.puncture_beta * 0.02))


def test_pushing_raises_the_events_and_saves_driving_time() -> None:
    table, spec = synthetic_table(2, N_STAGES), synthetic_spec(2)
    slow = simulate_arrays(table, spec, 1, 0, 600, None, np.array([1.05, 1.0]), coupled=True)
    fast = simulate_arrays(table, spec, 1, 0, 600, None, np.array([0.95, 1.0]), coupled=True)
    # same uniforms: at a higher rate never fewer events, and the other crew is untouched
    # (compared on the stages both still started: a retired crew has no events)
    out_before = fast["retired"][:, 0] | slow["retired"][:, 0]
    both = np.ones_like(out_before)
    both[:, 1:] = ~out_before[:, :-1]
    assert (fast["incidents"][:, 0][both] >= slow["incidents"][:, 0][both]).all()
    assert (fast["punctures"][:, 0][both] >= slow["punctures"][:, 0][both]).all()
    assert fast["incidents"][:, 0].mean() > 1.5 * slow["incidents"][:, 0].mean()
    assert np.array_equal(fast["stage_time_s"][:, 1], slow["stage_time_s"][:, 1], equal_nan=True)
    f_s, s_s = fast["driving_time_s"][:, 0][both], slow["driving_time_s"][:, 0][both]
    assert np.allclose(f_s / s_s, 0.95 / 1.05)


def test_leader_has_an_interior_best_pace_that_slows_as_the_margin_grows() -> None:
    best = []
    for margin in (0.0, 60.0, 150.0):
        plan = _curve(margin)
        p = [r["p_goal"] for r in plan["curve"]]
        i = int(np.argmax(p))
        assert 0 < i < len(p) - 1, (margin, p)  # interior maximum
        assert p[i] > p[0] + 0.01 and p[i] > p[-1] + 0.01, (margin, p)
        best.append(plan["best_pace_scale"])
        # backing off keeps the usual odds down to the reported pace, not beyond
        assert plan["back_off_p_goal"] >= plan["usual_p_goal"]
    assert best[0] <= best[1] <= best[2] and best[2] > best[0], best


def test_without_risk_the_fastest_pace_wins() -> None:
    spec = synthetic_spec(2)
    assert spec.pace_risk is not None
    flat = spec.pace_risk.model_copy(
        update={"puncture_beta": 0.0, "mechanical_beta": 0.0, "navigation_beta": 0.0}
    )
    plan = _curve(60.0, spec.model_copy(update={"pace_risk": flat}))
    p = [r["p_goal"] for r in plan["curve"]]
    assert all(a >= b for a, b in zip(p, p[1:], strict=False)), p
    assert plan["best_pace_scale"] == SCALES[0]


def test_bad_strategy_requests() -> None:
    table, spec = synthetic_table(2, N_STAGES), synthetic_spec(2)
    for kw, match in (
        ({"crew": "crew 9"}, "crew 9"),
        ({"goal": "stage"}, "--goal"),
        ({"keep": 1.5}, "--keep"),
    ):
        args = {"crew": "crew 1", **kw}
        crew = args.pop("crew")
        with pytest.raises(ConfigError, match=match):
            strategy_curve(table, spec, None, crew, seed=0, replicates=10, **args)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="pace_risk"):
        pace_grid(spec.model_copy(update={"pace_risk": None}))
    assert pace_grid(spec)[0] == 0.95 and 1.0 in pace_grid(spec)


def test_coupled_inversion_matches_scipy_quantiles() -> None:
    from scipy import stats

    from raidsim.campaign.model import _binom_inv, _poisson_inv

    u = np.random.default_rng(0).random(20000)
    for lam in (0.05, 0.7, 3.0, 12.0):
        assert np.array_equal(_poisson_inv(u, np.array(lam)), stats.poisson.ppf(u, lam))
    for n, p in ((10, 0.002), (3, 0.1), (25, 0.5), (0, 0.3)):
        assert np.array_equal(_binom_inv(u, np.array(n), np.array(p)), stats.binom.ppf(u, n, p))
