"""Championship standings of a season from its rounds' campaign chunks (numpy, per replicate).

Per replicate and round, within each crew's class (all shipped crews are Stock):

* position points: ``coefficient x points.positions[p]`` for the p-th classified finisher
  (``points.beyond`` past the table), ``coefficient x points.non_finisher`` for a crew that
  retired; the coefficient doubles a marathon rally (the Dakar);
* stage points: ``points.stage_points[p]`` for the p-th fastest special time of each stage
  among the crews still running (not multiplied);
* manufacturer points: the sum of the best ``points.manufacturer_scorers`` crews' round
  points of that manufacturer (a simplification of the FIA manufacturer scale).

The champion is the crew with most points after the last round (ties: more round wins, then
the spec's crew order); the deciding round is the first after which the eventual champion
led the standings to the end. Replicate r of every round is the same season.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

COLUMNS = (
    "replicate",
    "crew",
    "manufacturer",
    "round",
    "position",
    "position_points",
    "stage_points",
    "round_points",
    "total_points",
)


def round_dir(out_dir: Path, rally: str) -> Path:
    """A season's round directory: ``DIR/<rally>``."""
    return Path(out_dir) / rally


def write_atomic(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def round_arrays(out_dir: Path, replicates: int, n_crews: int) -> tuple[np.ndarray, np.ndarray]:
    """(stage times (R, C, S) with NaN once retired, retired at the end (R, C))."""
    files = sorted(Path(out_dir).glob("chunk-*.parquet"))
    if not files:
        raise ConfigError(f"{out_dir}: no chunk-*.parquet; run the season campaign first")
    t = pq.read_table(files, columns=["replicate", "crew_index", "stage_index", "stage_time_s"])
    rep = t["replicate"].to_numpy()
    ci = t["crew_index"].to_numpy()
    si = t["stage_index"].to_numpy()
    n_s = int(si.max()) + 1
    times = np.full((replicates, n_crews, n_s), np.nan)
    times[rep, ci, si] = t["stage_time_s"].to_numpy(zero_copy_only=False)
    return times, np.isnan(times).any(axis=2)


def round_points(
    times: np.ndarray, classes: list[str], points: Any, coefficient: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(position (R, C), 0 = not classified; position points; stage points), per class."""
    n_r, n_c, n_s = times.shape
    dnf = np.isnan(times).any(axis=2)
    total = np.where(dnf, np.inf, np.nan_to_num(times, nan=0.0).sum(axis=2))
    scale = np.asarray(points.positions, dtype=np.float64)
    bonus = np.asarray(points.stage_points, dtype=np.float64)
    position = np.zeros((n_r, n_c), dtype=np.int64)
    pos_pts = np.zeros((n_r, n_c))
    stage_pts = np.zeros((n_r, n_c))
    for cls in sorted(set(classes)):
        idx = np.array([i for i, c in enumerate(classes) if c == cls])
        order = np.argsort(total[:, idx], axis=1, kind="stable")  # ties: crew order
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(len(idx))[None, :], axis=1)
        fin = ~dnf[:, idx]
        p = np.where(fin, rank + 1, 0)
        position[:, idx] = p
        pts = np.where(p <= len(scale), scale[np.clip(p - 1, 0, len(scale) - 1)], points.beyond)
        pos_pts[:, idx] = coefficient * np.where(fin, pts, points.non_finisher)
        if len(bonus):
            st = np.where(np.isnan(times[:, idx, :]), np.inf, times[:, idx, :])
            o = np.argsort(st, axis=1, kind="stable")
            rk = np.empty_like(o)
            np.put_along_axis(rk, o, np.arange(len(idx))[None, :, None], axis=1)
            ran = np.isfinite(st)
            got = np.where(ran & (rk < len(bonus)), bonus[np.clip(rk, 0, len(bonus) - 1)], 0.0)
            stage_pts[:, idx] = got.sum(axis=2)
    return position, pos_pts, stage_pts


def standings(
    season: Any, spec: CampaignSpec, per_round: list[np.ndarray], classes: list[str]
) -> dict[str, Any]:
    """Arrays of the season from per-round arrays ``(times)``: see :func:`championship`."""
    n_r, n_c = per_round[0].shape[:2]
    pos, pp, sp = zip(
        *(
            round_points(t, classes, season.points, r.coefficient)
            for t, r in zip(per_round, season.rounds, strict=True)
        ),
        strict=True,
    )
    position = np.stack(pos, axis=2)  # (R, C, K)
    pts = np.stack(pp, axis=2) + np.stack(sp, axis=2)
    cum = np.cumsum(pts, axis=2)
    wins = (position == 1).sum(axis=2)
    crew_i = np.arange(n_c)[None, :]

    def leader(total: np.ndarray) -> np.ndarray:
        key = total * (n_c + 1) * 1000 + wins * (n_c + 1) - crew_i  # points, wins, order
        return np.asarray(np.argmax(key, axis=1))

    leaders = np.stack([leader(cum[:, :, k]) for k in range(cum.shape[2])], axis=1)  # (R, K)
    champion = leaders[:, -1]
    same = leaders == champion[:, None]
    # first k after which the champion leads to the end
    tail = np.flip(np.cumprod(np.flip(same, axis=1), axis=1), axis=1).astype(bool)
    deciding = np.argmax(tail, axis=1)
    total = cum[:, :, -1]
    order = np.argsort(-(total * (n_c + 1) * 1000 + wins * (n_c + 1) - crew_i), axis=1)
    final_rank = np.empty_like(order)
    np.put_along_axis(final_rank, order, np.arange(n_c)[None, :], axis=1)
    makers = sorted({season.manufacturer_of(c.vehicle) for c in spec.crews})
    m_of = np.array([makers.index(season.manufacturer_of(c.vehicle)) for c in spec.crews])
    m_pts = np.zeros((n_r, len(makers), pts.shape[2]))
    rp = np.stack(pp, axis=2) + np.stack(sp, axis=2)
    for m in range(len(makers)):
        sub = np.sort(rp[:, m_of == m, :], axis=1)[:, ::-1, :]
        m_pts[:, m, :] = sub[:, : season.points.manufacturer_scorers, :].sum(axis=1)
    m_total = m_pts.sum(axis=2)
    m_champion = np.argmax(m_total, axis=1)  # ties: alphabetical order
    return {
        "position": position,
        "position_points": np.stack(pp, axis=2),
        "stage_points": np.stack(sp, axis=2),
        "points": pts,
        "cumulative": cum,
        "champion": champion,
        "final_rank": final_rank,
        "deciding_round": deciding,
        "manufacturers": makers,
        "manufacturer_total": m_total,
        "manufacturer_champion": m_champion,
    }


def championship(
    season: Any, spec: CampaignSpec, out_dir: Path, replicates: int
) -> tuple[pa.Table, dict[str, Any]]:
    """The long table (one row per replicate x crew x round, :data:`COLUMNS`) and the
    summary (odds, points distribution, deciding rounds) of a finished season directory."""
    crews = [c.name for c in spec.crews]
    classes = [c.entry_class for c in spec.crews]
    per_round = [
        round_arrays(round_dir(out_dir, r.rally), replicates, len(crews))[0] for r in season.rounds
    ]
    s = standings(season, spec, per_round, classes)
    n_r, n_c, n_k = s["points"].shape
    rep, ci, ki = (a.ravel() for a in np.indices((n_r, n_c, n_k)))
    makers = [season.manufacturer_of(c.vehicle) for c in spec.crews]
    labels = [r.rally for r in season.rounds]
    pos = s["position"].ravel()
    table = pa.table(
        {
            "replicate": pa.array(rep, pa.int64()),
            "crew": pa.array(np.array(crews, dtype=object)[ci], pa.string()),
            "manufacturer": pa.array(np.array(makers, dtype=object)[ci], pa.string()),
            "round": pa.array(np.array(labels, dtype=object)[ki], pa.string()),
            "position": pa.array(pos, pa.int32(), mask=pos == 0),
            "position_points": pa.array(s["position_points"].ravel()),
            "stage_points": pa.array(s["stage_points"].ravel()),
            "round_points": pa.array(s["points"].ravel()),
            "total_points": pa.array(s["cumulative"].ravel()),
        }
    )
    total = s["cumulative"][:, :, -1]
    summary: dict[str, Any] = {
        "season": season.season,
        "rounds": labels,
        "crews": [
            {
                "crew": crews[c],
                "manufacturer": makers[c],
                "p_champion": float(np.mean(s["champion"] == c)),
                "p_podium": float(np.mean(s["final_rank"][:, c] < 3)),
                "points_mean": float(total[:, c].mean()),
                "points_p10": float(np.percentile(total[:, c], 10)),
                "points_p50": float(np.percentile(total[:, c], 50)),
                "points_p90": float(np.percentile(total[:, c], 90)),
            }
            for c in range(n_c)
        ],
        "manufacturers": [
            {
                "manufacturer": m,
                "p_champion": float(np.mean(s["manufacturer_champion"] == i)),
                "points_mean": float(s["manufacturer_total"][:, i].mean()),
            }
            for i, m in enumerate(s["manufacturers"])
        ],
        "deciding_round": {labels[k]: float(np.mean(s["deciding_round"] == k)) for k in range(n_k)},
    }
    return table, summary
