"""Championship standings of a season from its rounds' campaign chunks (numpy, per replicate).

Per replicate and round, within each crew's class (all shipped crews are Stock):

* position points: ``coefficient x points.positions[p]`` for the p-th classified finisher
  (``points.beyond`` past the table), ``coefficient x points.non_finisher`` for a crew that
  retired; the coefficient doubles a marathon rally (the Dakar);
* stage points: ``points.stage_points[p]`` for the p-th fastest special time of each stage
  among the crews still running (not multiplied);
* manufacturer points: the sum of the best ``points.manufacturer_scorers`` crews' round
  points of that manufacturer within the class (a simplification of the FIA manufacturer
  scale).

Every class is its own championship, as the W2RC scores Ultimate and Stock separately
(FIA W2RC sporting regulations: one drivers' title per class; worldrallyraidchampionship.com):
the standing after each round ranks the class's crews by points so far (ties: more round
wins so far, then the spec's crew order); the class champion leads it after the last round;
the deciding round is the first after which the eventual champion led the class to the end.
Replicate r of every round is the same season.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import raidsim.atomic as atomic
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

COLUMNS = (
    "replicate",
    "crew",
    "manufacturer",
    "entry_class",
    "round_index",
    "round",
    "position",
    "position_points",
    "stage_points",
    "round_points",
    "total_points",
    "standing",
)


def round_dir(out_dir: Path, rally: str) -> Path:
    """A season's round directory: ``DIR/<rally>``."""
    return Path(out_dir) / rally


def write_atomic(path: Path, table: pa.Table) -> None:
    with atomic.writing(path) as tmp:
        pq.write_table(table, tmp)


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


def class_rank(points: np.ndarray, wins: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """1-based rank (R, len(idx)) among the crews ``idx`` of ``points`` (R, C): most points,
    then most ``wins``, then the spec's crew order."""
    n_r = points.shape[0]
    order_key = np.broadcast_to(np.arange(len(idx)), (n_r, len(idx)))
    order = np.lexsort((order_key, -wins[:, idx], -points[:, idx]), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(1, len(idx) + 1)[None, :], axis=1)
    return rank


def _leads_from(leads: np.ndarray) -> np.ndarray:
    """First round index (R,) from which ``leads`` (R, K) stays true to the end."""
    tail = np.flip(np.cumprod(np.flip(leads, axis=1), axis=1), axis=1).astype(bool)
    return np.asarray(np.argmax(tail, axis=1))


def standings(
    season: Any, spec: CampaignSpec, per_round: list[np.ndarray], classes: list[str]
) -> dict[str, Any]:
    """Arrays of the season from per-round arrays ``(times)``, every class on its own.

    Per crew (R, C, K): ``position``, ``position_points``, ``stage_points``, ``points``,
    ``cumulative``, ``standing`` (1-based class rank after the round); per class (dicts
    keyed by class): ``champion`` and ``deciding_round`` (R,), ``manufacturers`` (names),
    ``manufacturer_points`` (R, M, K), ``manufacturer_total`` (R, M) and
    ``manufacturer_champion`` (R,) (ties: alphabetical order)."""
    n_r, n_c = per_round[0].shape[:2]
    pos, pp, sp = zip(
        *(
            round_points(t, classes, season.points, r.coefficient)
            for t, r in zip(per_round, season.rounds, strict=True)
        ),
        strict=True,
    )
    position = np.stack(pos, axis=2)  # (R, C, K)
    pos_pts, stage_pts = np.stack(pp, axis=2), np.stack(sp, axis=2)
    pts = pos_pts + stage_pts
    cum = np.cumsum(pts, axis=2)
    wins = np.cumsum(position == 1, axis=2)
    n_k = pts.shape[2]
    standing = np.zeros((n_r, n_c, n_k), dtype=np.int64)
    reps = np.arange(n_r)
    out: dict[str, Any] = {k: {} for k in ("champion", "deciding_round", "manufacturers")}
    out.update({k: {} for k in ("manufacturer_points", "manufacturer_total")})
    out["manufacturer_champion"] = {}
    makers_of = [season.manufacturer_of(c.vehicle) for c in spec.crews]
    for cls in sorted(set(classes)):
        idx = np.array([i for i, c in enumerate(classes) if c == cls])
        for k in range(n_k):
            standing[:, idx, k] = class_rank(cum[:, :, k], wins[:, :, k], idx)
        champ = idx[np.argmax(standing[:, idx, -1] == 1, axis=1)]
        out["champion"][cls] = champ
        out["deciding_round"][cls] = _leads_from(standing[reps, champ, :] == 1)
        makers = sorted({makers_of[i] for i in idx})
        m_pts = np.zeros((n_r, len(makers), n_k))
        for m, name in enumerate(makers):
            sub = np.sort(pts[:, [i for i in idx if makers_of[i] == name], :], axis=1)[:, ::-1]
            m_pts[:, m, :] = sub[:, : season.points.manufacturer_scorers, :].sum(axis=1)
        out["manufacturers"][cls] = makers
        out["manufacturer_points"][cls] = m_pts
        out["manufacturer_total"][cls] = m_pts.sum(axis=2)
        out["manufacturer_champion"][cls] = np.argmax(m_pts.sum(axis=2), axis=1)
    out.update(
        position=position,
        position_points=pos_pts,
        stage_points=stage_pts,
        points=pts,
        cumulative=cum,
        standing=standing,
    )
    return out


def _pct(a: np.ndarray, q: float) -> float:
    return float(np.percentile(a, q))


def championship(
    season: Any, spec: CampaignSpec, out_dir: Path, replicates: int
) -> tuple[pa.Table, dict[str, Any]]:
    """The long table (one row per replicate x crew x round, :data:`COLUMNS`) and the
    summary (per class: odds, points distribution, deciding rounds) of a finished season
    directory."""
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

    def strings(values: list[str], index: np.ndarray) -> pa.Array:
        return pa.array(np.array(values, dtype=object)[index], pa.string())

    table = pa.table(
        {
            "replicate": pa.array(rep, pa.int64()),
            "crew": strings(crews, ci),
            "manufacturer": strings(makers, ci),
            "entry_class": strings(classes, ci),
            "round_index": pa.array(ki, pa.int32()),
            "round": strings(labels, ki),
            "position": pa.array(pos, pa.int32(), mask=pos == 0),
            "position_points": pa.array(s["position_points"].ravel()),
            "stage_points": pa.array(s["stage_points"].ravel()),
            "round_points": pa.array(s["points"].ravel()),
            "total_points": pa.array(s["cumulative"].ravel()),
            "standing": pa.array(s["standing"].ravel(), pa.int32()),
        }
    )
    total = s["cumulative"][:, :, -1]
    lead = s["standing"] == 1
    summary: dict[str, Any] = {
        "season": season.season,
        "rounds": labels,
        "classes": sorted(set(classes)),
        "crews": [
            {
                "crew": crews[c],
                "entry_class": classes[c],
                "manufacturer": makers[c],
                "p_champion": float(np.mean(s["champion"][classes[c]] == c)),
                "p_podium": float(np.mean(s["standing"][:, c, -1] <= 3)),
                "points_mean": float(total[:, c].mean()),
                "points_p10": _pct(total[:, c], 10),
                "points_p50": _pct(total[:, c], 50),
                "points_p90": _pct(total[:, c], 90),
                "p_lead": [float(v) for v in lead[:, c, :].mean(axis=0)],
            }
            for c in range(n_c)
        ],
        "manufacturers": [
            {
                "manufacturer": m,
                "entry_class": cls,
                "p_champion": float(np.mean(s["manufacturer_champion"][cls] == i)),
                "points_mean": float(s["manufacturer_total"][cls][:, i].mean()),
                "points_p10": _pct(s["manufacturer_total"][cls][:, i], 10),
                "points_p50": _pct(s["manufacturer_total"][cls][:, i], 50),
                "points_p90": _pct(s["manufacturer_total"][cls][:, i], 90),
            }
            for cls, names in s["manufacturers"].items()
            for i, m in enumerate(names)
        ],
        "deciding_round": {
            cls: {labels[k]: float(np.mean(d == k)) for k in range(n_k)}
            for cls, d in s["deciding_round"].items()
        },
    }
    return table, summary
