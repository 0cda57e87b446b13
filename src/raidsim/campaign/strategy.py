"""How hard to push: one crew's odds against the pace it drives the remaining stages.

For a pace scale ``q`` (the crew's special time x ``q`` on every stage still to run; < 1
pushing, > 1 backing off) the campaign is simulated again from where it stands (real
results fixed, paces learned: :class:`raidsim.campaign.model.Given`) with the crew's
hazards at ``q`` (:class:`raidsim.campaign.spec.PaceRiskSpec`: punctures, mechanical
incidents, navigation misses each x ``exp(beta (1 / q - 1))``), every other crew at its
usual pace. The same seed at every ``q`` (common random numbers) keeps the curve smooth.

Reported per ``q``: the probability of the goal (class win, class podium, or overall win),
of retiring, and the median total; the ``q`` that maximises the goal; and how far the
crew can back off while keeping a chosen probability (by default its odds at its usual
pace): the slowest ``q`` on the grid whose probability is at least that, with the time it
gives away per remaining stage.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from raidsim.campaign.model import BaseTable, Given, simulate_arrays
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

Goal = Literal["win", "podium", "overall"]
GOALS: tuple[str, ...] = ("win", "podium", "overall")


def outcome(
    stage_time_s: np.ndarray, classes: list[str], crew_index: int, goal: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replicate: (goal reached, retired, total time) of ``crew_index`` from the
    (R, C, S) stage times (NaN once retired). Ranks by total time among the finishers of
    the crew's class (``overall``: of every class); ties count for the crew."""
    total = stage_time_s.sum(axis=2)  # NaN for a crew that retired
    dnf = np.isnan(total)
    mine = total[:, crew_index]
    same = np.array([goal == "overall" or c == classes[crew_index] for c in classes], dtype=bool)
    ahead = (~dnf[:, same] & (total[:, same] < mine[:, None])).sum(axis=1)
    place = np.where(dnf[:, crew_index], np.iinfo(np.int64).max, ahead + 1)
    reached = place <= (3 if goal == "podium" else 1)
    return reached, dnf[:, crew_index], mine


def remaining_driving_s(table: BaseTable, given: Given | None, crew_index: int) -> list[float]:
    """QSS time of each stage the crew still has to drive (after the real ones)."""
    first = 0 if given is None else given.n_stages
    if given is not None and not given.fixed[crew_index][given.n_stages - 1]:
        first -= 1  # still out on the last stage given: it is simulated
    return [float(t) for t in table.base_time_s[crew_index][first:]]


def pace_grid(spec: CampaignSpec, step: float = 0.01) -> list[float]:
    """Pace scales from the spec's fastest to its slowest, 1.0 included."""
    if spec.pace_risk is None:
        raise ConfigError(
            "campaign spec has no [pace_risk] table: hazards do not depend on pace, so "
            "there is no pace to choose; add [pace_risk] (see campaign/default.toml)"
        )
    lo, hi = spec.pace_risk.min_pace_scale, spec.pace_risk.max_pace_scale
    n_lo, n_hi = int(round((1.0 - lo) / step)), int(round((hi - 1.0) / step))
    return [round(1.0 + k * step, 6) for k in range(-n_lo, n_hi + 1)]


def strategy_curve(
    table: BaseTable,
    spec: CampaignSpec,
    given: Given | None,
    crew: str,
    *,
    seed: int,
    replicates: int,
    goal: str = "win",
    keep: float | None = None,
    scales: list[float] | None = None,
) -> dict[str, Any]:
    """The crew's odds over a grid of pace scales (see the module docstring)."""
    if crew not in table.crews:
        raise ConfigError(f"--strategy {crew!r}: not a crew of this campaign ({table.crews})")
    if goal not in GOALS:
        raise ConfigError(f"--goal {goal!r}: allowed {', '.join(GOALS)}")
    if keep is not None and not 0.0 <= keep <= 1.0:
        raise ConfigError(f"--keep {keep}: a probability, allowed 0 <= value <= 1")
    if replicates <= 0:
        raise ConfigError(f"--replicates {replicates}: must be > 0")
    c = table.crews.index(crew)
    grid = pace_grid(spec) if scales is None else list(scales)
    rows: list[dict[str, Any]] = []
    for q in grid:
        scale = np.ones(len(table.crews))
        scale[c] = q
        sim = simulate_arrays(table, spec, seed, 0, replicates, given, scale, coupled=True)
        reached, dnf, total = outcome(sim["stage_time_s"], table.classes, c, goal)
        fin = total[~dnf]
        rows.append(
            {
                "pace_scale": q,
                "p_goal": float(reached.mean()),
                "p_dnf": float(dnf.mean()),
                "median_total_s": float(np.median(fin)) if fin.size else None,
            }
        )
    best = max(rows, key=lambda r: (r["p_goal"], r["pace_scale"]))  # ties: the slower
    usual = min(rows, key=lambda r: abs(r["pace_scale"] - 1.0))
    target = usual["p_goal"] if keep is None else keep
    ok = [r for r in rows if r["p_goal"] >= target]
    back_off = max(ok, key=lambda r: r["pace_scale"]) if ok else None
    left = remaining_driving_s(table, given, c)
    pace_now = _usual_pace(spec, given, c)
    per_stage_s = pace_now * float(np.mean(left)) if left else 0.0
    return {
        "crew": crew,
        "goal": goal,
        "replicates": replicates,
        "stages_left": len(left),
        "curve": rows,
        "best_pace_scale": best["pace_scale"],
        "best_p_goal": best["p_goal"],
        "usual_p_goal": usual["p_goal"],
        "keep": target,
        "back_off_pace_scale": None if back_off is None else back_off["pace_scale"],
        "back_off_p_goal": None if back_off is None else back_off["p_goal"],
        "back_off_s_per_stage": None
        if back_off is None
        else (back_off["pace_scale"] - 1.0) * per_stage_s,
        "mean_stage_s": per_stage_s,
    }


def _usual_pace(spec: CampaignSpec, given: Given | None, c: int) -> float:
    """The crew's pace factor now: learned (posterior median) or the spec's."""
    if given is not None and given.pace is not None:
        return float(np.exp(given.pace[c][0]))
    return spec.crews[c].pace_factor
