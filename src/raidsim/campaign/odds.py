"""The odds over the days of a campaign conditioned on real results, and the time to find.

* **Real days** (stages 1..n given): the class-win probability each crew had on the evening
  of stage s, i.e. the campaign conditioned on the first s real stages alone (their times
  fixed, the paces learned from them), s = 0 (before the start) .. n. These runs reuse one
  set of draws (:func:`raidsim.campaign.model.simulate_arrays`' ``events``), so the days
  differ only by what was known on them.
* **Simulated days** (stages n+1..S): the probability that the crew leads its class after
  stage s, from the campaign's chunks (the first :data:`MAX_REPLICATES` replicates); after
  the last stage that is its win probability.
* **Time to find**: the time a crew must gain on each stage left, on top of what the twin
  expects of it, to win its class with probability 1/2. Per replicate ``d = (T_crew - T_best
  rival) / stages left`` (``+inf`` when the crew retires, ``-inf`` when no rival finishes);
  the crew wins with a gain of ``g`` a stage when ``d < g``, so a gain of just over the
  lower median of ``d`` wins half the replicates (negative: the time it can give away).
  The gain is time only: the extra risk of driving faster is what ``campaign-report
  --strategy`` weighs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from raidsim.campaign.learn import prior, update
from raidsim.campaign.model import BaseTable, Given, simulate_arrays
from raidsim.campaign.runner import given_of, read_manifest
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

#: replicates of each real day's re-run (at most; the campaign's count if fewer)
DAY_REPLICATES = 1000


def given_prefix(given: Given, s: int, table: BaseTable, spec: CampaignSpec) -> Given:
    """What was known on the evening of stage ``s`` (< given.n_stages): the first ``s``
    stages fixed and the paces learned from them alone."""
    n_c = len(table.crews)
    pace = None
    if spec.learning is not None:
        lrn = spec.learning
        pace = []
        for c, crew in enumerate(spec.crews):
            p0 = prior(
                crew.pace_factor,
                crew.variability_sigma,
                lrn.pace_prior_sigma,
                lrn.spread_prior_stages,
            )
            ratios = [
                math.log((t - given.penalty_s[c][j]) / table.base_time_s[c][j])
                for j, t in enumerate(given.time_s[c][:s])
                if given.fixed[c][j] and not math.isnan(t) and t > given.penalty_s[c][j]
            ]
            pace.append(update(p0, ratios, lrn.outlier_sd).to_row())
    return Given(
        s,
        [list(given.fixed[c][:s]) for c in range(n_c)],
        [list(given.time_s[c][:s]) for c in range(n_c)],
        [list(given.penalty_s[c][:s]) for c in range(n_c)],
        [list(given.retire_on[c][:s]) for c in range(n_c)],
        pace,
    )


def class_win(stage_time_s: np.ndarray, classes: list[str]) -> np.ndarray:
    """(C,) share of replicates in which each crew wins its class (least total time among
    the class's finishers; (R, C, S) times, NaN once retired)."""
    return class_lead(stage_time_s.sum(axis=2), classes).mean(axis=0)


def class_lead(total_s: np.ndarray, classes: list[str]) -> np.ndarray:
    """(R, C) bool: the crew has the least time of its class (NaN: out), ties to the
    spec's order."""
    lead = np.zeros(total_s.shape, dtype=bool)
    t = np.where(np.isnan(total_s), np.inf, total_s)
    for cls in sorted(set(classes)):
        idx = np.array([i for i, c in enumerate(classes) if c == cls])
        sub = t[:, idx]
        best = np.argmin(sub, axis=1)
        ok = np.isfinite(sub[np.arange(len(sub)), best])
        lead[np.flatnonzero(ok), idx[best[ok]]] = True
    return lead


#: the odds over the days read at most this many replicates (the first chunks): enough for
#: a probability to +-0.4 % (1 sd at 50 %), and bounded memory on a campaign of millions
MAX_REPLICATES = 20_000


def chunk_times(out_dir: Path, manifest: dict[str, Any]) -> np.ndarray:
    """The campaign's stage times (R, C, S), NaN once retired, from its verified chunks:
    the replicates present (a campaign stopped by ``--max-chunks`` has fewer), of the
    first chunks up to :data:`MAX_REPLICATES`."""
    import pyarrow.parquet as pq

    from raidsim.campaign.report import chunk_glob
    from raidsim.campaign.runner import chunk_path

    chunk_glob(out_dir, manifest)  # ConfigError on a damaged or missing chunk
    n_read = -(-MAX_REPLICATES // int(manifest["chunk_size"]))
    files = [
        p
        for i in range(min(n_read, int(manifest["n_chunks"])))
        if (p := chunk_path(out_dir, i)).is_file()
    ]
    if not files:  # the first chunks missing (a partial run): the ones there are
        files = sorted(out_dir.glob("chunk-*.parquet"))[:n_read]
    t = pq.read_table(files, columns=["replicate", "crew_index", "stage_index", "stage_time_s"])
    rep = t["replicate"].to_numpy()
    n_c = len(manifest["base_table"]["crews"])
    n_s = len(manifest["base_table"]["stages"])
    present, row = np.unique(rep, return_inverse=True)
    times = np.full((len(present), n_c, n_s), np.nan)
    ci = t["crew_index"].to_numpy()
    si = t["stage_index"].to_numpy()
    times[row, ci, si] = t["stage_time_s"].to_numpy(zero_copy_only=False)
    return times


def time_to_find(times: np.ndarray, classes: list[str], first_left: int) -> list[float | None]:
    """Per crew: gain per stage left (s) for a class win with probability 1/2; None when
    no finite gain says it (it retires, or no rival finishes, in half the replicates or
    more), or no stage is left."""
    left = times.shape[2] - first_left
    if left <= 0:
        return [None] * times.shape[1]
    total = times.sum(axis=2)
    out: list[float | None] = []
    for c, cls in enumerate(classes):
        rivals = [i for i, k in enumerate(classes) if k == cls and i != c]
        best = np.full(total.shape[0], np.inf)
        if rivals:
            best = np.min(np.where(np.isnan(total[:, rivals]), np.inf, total[:, rivals]), axis=1)
        d = np.where(np.isnan(total[:, c]), np.inf, (total[:, c] - best) / left)
        g = float(np.quantile(d, 0.5, method="lower"))
        out.append(g if math.isfinite(g) else None)
    return out


def odds_over_days(out_dir: Path | str) -> dict[str, Any]:
    """Per stage the crews' odds (see the module docstring), and the time to find."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    given = given_of(manifest)
    try:
        table = BaseTable.from_json(manifest["base_table"])
        spec = CampaignSpec.model_validate(manifest["spec"])
        seed = int(manifest["seed"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{out / 'campaign.json'}: incomplete manifest ({exc})") from None
    times = chunk_times(out, manifest)
    n = 0 if given is None else given.n_stages
    days: list[dict[str, Any]] = []
    if given is not None:
        reps = min(DAY_REPLICATES, int(manifest["replicates"]))
        events: dict[str, np.ndarray] = {}
        for s in range(n):
            g = given_prefix(given, s, table, spec)
            sim = simulate_arrays(table, spec, seed, 0, reps, g, events=events)
            p = class_win(sim["stage_time_s"], table.classes)
            days.append({"after": s, "real": True, "p": p.tolist()})
        days.append({"after": n, "real": True, "p": class_win(times, table.classes).tolist()})
    running = np.nancumsum(times, axis=2)
    running = np.where(np.isnan(times).cumsum(axis=2) > 0, np.nan, running)
    for s in range(max(n, 1), len(table.stages) + 1):
        if s == n:
            continue
        lead = class_lead(running[:, :, s - 1], table.classes).mean(axis=0)
        days.append({"after": s, "real": False, "p": lead.tolist()})
    first_left = n
    if given is not None and not all(row[n - 1] for row in given.fixed):
        first_left = n - 1  # a crew still out on the last stage given: simulated there
    return {
        "crews": table.crews,
        "classes": table.classes,
        "stages": table.stages,
        "labels": table.labels,
        "n_given": n,
        "days": days,
        "time_to_find_s": time_to_find(times, table.classes, first_left),
        "stages_left": len(table.stages) - first_left,
    }
