"""Calibration with a synthetic truth: the odds conditioned on the first n real stages.

The "real rally" k is replicate k of a campaign on a synthetic 13-stage rally whose crews'
paces are not known exactly: each replicate draws them from the prior that the pace update
starts from (``[learning]``), as a real crew's pace against the twin is uncertain before the
start. For n = 0, 4, 8, 12 its first n stages are written as an organiser's results file
(:func:`raidsim.campaign.results.replicate_csv`), read and checked like a user's, and the
rest of the rally is simulated (the campaign's own draws, the learned paces). Over 200
truths: the probability given to k's actual winner rises with n on average; every n > 0 has
a lower Brier score than n = 0 (the campaign before the start) and than the campaign with
the spec's fixed paces; and the predictions are calibrated (the reliability table below:
in each bin of predicted probability the observed frequency agrees within its sampling
error).
"""

from __future__ import annotations

import numpy as np
from conftest import synthetic_spec, synthetic_table

from raidsim.campaign.learn import prior
from raidsim.campaign.model import Given, simulate_arrays
from raidsim.campaign.results import condition, read_results, replicate_csv

N_CREWS, N_STAGES = 4, 13
PACES = [1.10, 1.11, 1.12, 1.13]
TRUTHS, PREDICTIVE = 200, 100
STAGES_GIVEN = (0, 4, 8, 12)


def _win_probability(sim: dict[str, np.ndarray]) -> np.ndarray:
    """(C,) share of replicates each crew wins (least total time among finishers)."""
    total = sim["stage_time_s"].sum(axis=2)
    total = np.where(np.isnan(total), np.inf, total)
    won = np.argmin(total, axis=1)[np.isfinite(total).any(axis=1)]
    return np.bincount(won, minlength=total.shape[1]) / total.shape[0]


def test_conditioned_odds_are_calibrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table, spec = synthetic_table(N_CREWS, N_STAGES), synthetic_spec(N_CREWS, PACES)
    assert spec.learning is not None
    lrn = spec.learning
    before = Given(
        0,
        [[]] * N_CREWS,
        [[]] * N_CREWS,
        [[]] * N_CREWS,
        [[]] * N_CREWS,
        [
            prior(
                c.pace_factor, c.variability_sigma, lrn.pace_prior_sigma, lrn.spread_prior_stages
            ).to_row()
            for c in spec.crews
        ],
    )
    truth = simulate_arrays(table, spec, 20261, 0, TRUTHS, before)
    events: dict[str, np.ndarray] = {}
    p_plain = _win_probability(simulate_arrays(table, spec, 7, 0, PREDICTIVE))
    path = tmp_path / "results.csv"
    p_winner = {n: [] for n in STAGES_GIVEN}  # type: ignore[var-annotated]
    brier = {n: [] for n in (*STAGES_GIVEN, "plain")}  # type: ignore[var-annotated]
    pairs: list[tuple[float, float]] = []
    for k in range(TRUTHS):
        totals = truth["stage_time_s"][k].sum(axis=1)
        if np.isnan(totals).all():
            continue  # nobody finished: no winner to predict
        outcome = np.zeros(N_CREWS)
        outcome[int(np.nanargmin(totals))] = 1.0
        brier["plain"].append(float(((p_plain - outcome) ** 2).sum()))
        for n in STAGES_GIVEN:
            given = before
            if n:
                path.write_text(replicate_csv(truth, k, n, table.crews, table.stages), "utf-8")
                given = condition(read_results(path, table.crews, table.stages), table, spec)
            p = _win_probability(
                simulate_arrays(table, spec, 7, 0, PREDICTIVE, given, events=events)
            )
            p_winner[n].append(float(p @ outcome))
            brier[n].append(float(((p - outcome) ** 2).sum()))
            if n:
                pairs += list(zip(p, outcome, strict=True))
    mean_p = [float(np.mean(p_winner[n])) for n in STAGES_GIVEN]
    score = {n: float(np.mean(v)) for n, v in brier.items()}
    assert len(p_winner[0]) >= 195
    # the probability of the actual winner rises with every block of real stages
    assert all(a < b for a, b in zip(mean_p, mean_p[1:], strict=False)), mean_p
    for n in STAGES_GIVEN[1:]:
        assert score[n] < score[0] and score[n] < score["plain"], score
    table_rows = _reliability(pairs)
    report = "\n".join(
        f"{lo:.1f}-{hi:.1f}  n={cnt:4d}  predicted {pm:.3f}  observed {om:.3f}"
        for lo, hi, cnt, pm, om in table_rows
    )
    print(f"\nmean p(winner) at n={STAGES_GIVEN}: {mean_p}\nBrier: {score}\n{report}")
    for lo, hi, cnt, pm, om in table_rows:
        if cnt >= 20:
            se = np.sqrt(max(pm * (1 - pm), 0.01) / cnt)
            assert abs(om - pm) <= 3.0 * se + 0.03, f"bin {lo:.1f}-{hi:.1f}\n{report}"
    ece = sum(cnt * abs(om - pm) for _, _, cnt, pm, om in table_rows) / len(pairs)
    assert ece < 0.04, report


def _reliability(pairs: list[tuple[float, float]]) -> list[tuple[float, float, int, float, float]]:
    """Per bin of predicted probability (tenths): count, mean predicted, observed share."""
    p = np.array([a for a, _ in pairs])
    o = np.array([b for _, b in pairs])
    rows = []
    for i in range(10):
        lo, hi = i / 10, (i + 1) / 10
        sel = (p >= lo) & ((p < hi) if i < 9 else (p <= hi))
        if sel.any():
            rows.append((lo, hi, int(sel.sum()), float(p[sel].mean()), float(o[sel].mean())))
    return rows
