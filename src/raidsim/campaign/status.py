"""Where a campaign conditioned on real results stands: standings and learned paces.

Read from the manifest alone (``campaign.json``'s ``given``, ``base_table`` and ``spec``),
so ``raidsim campaign`` prints it after a run and ``raidsim campaign-report`` shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from raidsim.campaign.learn import PacePosterior
from raidsim.campaign.model import Given
from raidsim.campaign.runner import given_of, read_manifest


def standings(given: Given, crews: list[str], classes: list[str]) -> list[dict[str, Any]]:
    """Overall standings after the last stage given: crews with a time on every stage
    given, by total time (penalties in), then the crews still out, then the retired;
    ``gap_s`` to the class leader."""
    rows: list[dict[str, Any]] = []
    n = given.n_stages
    for c, crew in enumerate(crews):
        retired = any(given.retire_on[c])
        still_out = not given.fixed[c][n - 1]
        times = np.array(given.time_s[c], dtype=np.float64)
        total = None if retired or still_out else float(np.nansum(times))
        rows.append(
            {
                "crew": crew,
                "entry_class": classes[c],
                "total_s": total,
                "penalty_s": float(sum(given.penalty_s[c])),
                "state": "retired" if retired else "still out" if still_out else "",
            }
        )
    rows.sort(key=lambda r: (r["total_s"] is None, r["total_s"] or 0.0, r["state"]))
    leader: dict[str, float] = {}
    for r in rows:
        if r["total_s"] is None:
            r["gap_s"] = None
            continue
        leader.setdefault(r["entry_class"], r["total_s"])
        r["gap_s"] = r["total_s"] - leader[r["entry_class"]]
    return rows


def pace_rows(given: Given, spec: dict[str, Any], crews: list[str]) -> list[dict[str, Any]]:
    """Per crew: the spec's pace, the learned one with its 95 % interval, the spread."""
    if given.pace is None:
        return []
    rows = []
    for c, p in enumerate(given.pace):
        post = PacePosterior.from_row(p)
        lo, hi = post.pace_interval(0.95)
        rows.append(
            {
                "crew": crews[c],
                "prior_pace_factor": float(spec["crews"][c]["pace_factor"]),
                "prior_sigma": float(spec["crews"][c]["variability_sigma"]),
                "pace_factor": post.pace_factor,
                "pace_lo": lo,
                "pace_hi": hi,
                "sigma": post.sigma,
                "n_used": post.n_used,
                "n_outliers": post.n_outliers,
            }
        )
    return rows


def rally_status(out_dir: Path | str) -> dict[str, Any]:
    """Standings after the last real stage and the learned paces of a campaign directory
    (``{"n_stages": 0}`` when it has no results)."""
    manifest = read_manifest(out_dir)
    given = given_of(manifest)
    if given is None:
        return {"n_stages": 0}
    table = manifest["base_table"]
    crews, classes = table["crews"], table["classes"]
    n = given.n_stages
    return {
        "n_stages": n,
        "last_stage": table["stages"][n - 1],
        "results_file": manifest.get("results_file"),
        "standings": standings(given, crews, classes),
        "still_out": [crews[c] for c in range(len(crews)) if not given.fixed[c][n - 1]],
        "pace": pace_rows(given, manifest["spec"], crews),
    }
