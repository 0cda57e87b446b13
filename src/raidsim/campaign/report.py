"""Questions over a campaign directory, answered by DuckDB from ``chunk-*.parquet``.

* class win and podium probability per crew (rank by total special time among the
  replicate's finishers of the class; a retired crew is not classified), DNF probability;
* overall and per-stage time percentiles (finishers / crews still running);
* mean time lost per rally by cause: punctures, navigation, mechanical, fuel, penalties;
* what-if: the win probability and median total time of each crew in two campaigns.

Plain data only; ``raidsim campaign-report`` renders it (:mod:`raidsim.cli.campaign`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from raidsim.campaign.runner import CHUNKS, chunk_path, read_manifest, verify_chunks
from raidsim.errors import ConfigError

CAUSES = ("puncture", "navigation", "mechanical", "fuel", "penalty")

_TOTALS = """
WITH rows AS (SELECT * FROM read_parquet({glob})),
per AS (
  SELECT replicate, crew, crew_index, entry_class,
         bool_or(retired) AS dnf, sum(stage_time_s) AS total_s
  FROM rows GROUP BY ALL
),
ranked AS (
  SELECT *, CASE WHEN dnf THEN NULL ELSE
           rank() OVER (PARTITION BY replicate, entry_class, dnf ORDER BY total_s) END AS pos
  FROM per
)
"""


def _connect() -> Any:
    import duckdb

    con = duckdb.connect(":memory:")
    # one thread: sums and averages add in one order (the chunks' row order), so two
    # reports of one directory print the same digits (parallel partial sums do not)
    con.execute("SET threads = 1")
    return con


def chunk_glob(out_dir: Path, manifest: dict[str, Any]) -> str:
    """The DuckDB file list of the verified chunks (ConfigError if one is damaged)."""
    return _verified_glob(out_dir, manifest)[0]


def _verified_glob(out_dir: Path, manifest: dict[str, Any]) -> tuple[str, int]:
    """The DuckDB file list of the verified chunks (ConfigError if one is damaged) and how
    many planned chunks are missing (a partial campaign)."""
    try:
        check = verify_chunks(out_dir, manifest)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{out_dir / 'campaign.json'}: incomplete manifest ({type(exc).__name__}: {exc}); "
            "run the campaign again into a new --out"
        ) from None
    if check.bad:
        i, why = next(iter(check.bad.items()))
        more = f" (and {len(check.bad) - 1} more)" if len(check.bad) > 1 else ""
        raise ConfigError(
            f"{chunk_path(out_dir, i)}: damaged chunk ({why}){more}; run the same "
            "`raidsim campaign` command again to compute it again"
        )
    if not check.good:
        raise ConfigError(f"{out_dir}: no chunk-*.parquet files; run `raidsim campaign` first")
    # every chunk-*.parquet present is verified now: the glob reads exactly those
    return "'" + str(out_dir / "chunk-*.parquet").replace("'", "''") + "'", len(check.missing)


def campaign_report(out_dir: Path | str) -> dict[str, Any]:
    """All report numbers of one campaign directory as plain Python data.

    Only chunks that pass :func:`raidsim.campaign.runner.verify_chunks` (size, sha256 and
    rows against the ledger ``chunks.jsonl``) are read; a damaged one is a ConfigError
    naming it and saying how to recompute it."""
    import duckdb

    out = Path(out_dir)
    manifest = read_manifest(out)
    glob, missing = _verified_glob(out, manifest)
    try:
        report = _report(out, manifest, glob)
    except duckdb.Error as exc:
        raise ConfigError(
            f"{out}: cannot read the chunks ({type(exc).__name__}: {exc}); run the same "
            f"`raidsim campaign` command again to repair {CHUNKS} and the chunks"
        ) from None
    report["chunks_planned"] = int(manifest.get("n_chunks", 0))
    report["chunks_missing"] = missing
    report["complete"] = missing == 0
    return report


def incomplete_note(report: dict[str, Any]) -> str | None:
    """``incomplete: 750 of 1,000 replicates (1 of 4 chunks missing) ...`` for a partial
    campaign, None for a complete one."""
    if report.get("complete", True):
        return None
    return (
        f"{report['dir']}: incomplete: {report['replicates']:,} of "
        f"{report['replicates_planned']:,} replicates ({report['chunks_missing']} of "
        f"{report['chunks_planned']} chunks missing); the figures cover only those; run the "
        "same `raidsim campaign` command again to finish it"
    )


def _report(out: Path, manifest: dict[str, Any], glob: str) -> dict[str, Any]:
    con = _connect()
    n_rep = con.execute(f"SELECT count(DISTINCT replicate) FROM read_parquet({glob})").fetchone()[0]
    crews = con.execute(
        _TOTALS.format(glob=glob)
        + """
SELECT crew, entry_class,
       avg(CASE WHEN pos = 1 THEN 1.0 ELSE 0.0 END) AS p_win,
       avg(CASE WHEN pos <= 3 THEN 1.0 ELSE 0.0 END) AS p_podium,
       avg(CASE WHEN dnf THEN 1.0 ELSE 0.0 END) AS p_dnf,
       quantile_cont(total_s, 0.05) FILTER (WHERE NOT dnf) AS p05_s,
       quantile_cont(total_s, 0.5) FILTER (WHERE NOT dnf) AS median_s,
       quantile_cont(total_s, 0.95) FILTER (WHERE NOT dnf) AS p95_s
FROM ranked GROUP BY crew, crew_index, entry_class ORDER BY crew_index
"""
    ).fetchall()
    no_winner = con.execute(
        _TOTALS.format(glob=glob)
        + """
SELECT entry_class, avg(CASE WHEN n_fin = 0 THEN 1.0 ELSE 0.0 END) FROM (
  SELECT replicate, entry_class, count(total_s) FILTER (WHERE NOT dnf) AS n_fin
  FROM ranked GROUP BY ALL) GROUP BY entry_class ORDER BY entry_class
"""
    ).fetchall()
    stages = con.execute(
        f"""
SELECT stage_index, stage, crew,
       quantile_cont(stage_time_s, 0.1), quantile_cont(stage_time_s, 0.5),
       quantile_cont(stage_time_s, 0.9)
FROM read_parquet({glob}) GROUP BY stage_index, stage, crew, crew_index
ORDER BY stage_index, crew_index
"""
    ).fetchall()
    causes = con.execute(
        f"""
SELECT crew, sum(puncture_loss_s) / {n_rep}, sum(navigation_loss_s) / {n_rep},
       sum(mechanical_loss_s) / {n_rep}, sum(fuel_loss_s) / {n_rep}, sum(penalty_s) / {n_rep},
       sum(punctures) / {n_rep}, sum(incidents) / {n_rep}, sum(missed_waypoints) / {n_rep}
FROM read_parquet({glob}) GROUP BY crew, crew_index ORDER BY crew_index
"""
    ).fetchall()
    con.close()
    return {
        "dir": str(out),
        "rally": manifest.get("rally"),
        "seed": manifest.get("seed"),
        "replicates_planned": manifest.get("replicates"),
        "replicates": int(n_rep),
        "crews": [
            {
                "crew": c[0],
                "entry_class": c[1],
                "p_win": float(c[2]),
                "p_podium": float(c[3]),
                "p_dnf": float(c[4]),
                "total_p05_s": c[5],
                "total_median_s": c[6],
                "total_p95_s": c[7],
            }
            for c in crews
        ],
        "p_no_finisher": {r[0]: float(r[1]) for r in no_winner},
        "stages": [
            {"stage": r[1], "crew": r[2], "p10_s": r[3], "median_s": r[4], "p90_s": r[5]}
            for r in stages
        ],
        "lost_time": [
            {
                "crew": r[0],
                **{f"{k}_s": float(v) for k, v in zip(CAUSES, r[1:6], strict=True)},
                "punctures": float(r[6]),
                "incidents": float(r[7]),
                "missed_waypoints": float(r[8]),
            }
            for r in causes
        ],
    }


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What-if rows per crew present in both reports: B minus A."""
    rows = []
    bc = {c["crew"]: c for c in b["crews"]}
    for ca in a["crews"]:
        cb = bc.get(ca["crew"])
        if cb is None:
            continue
        ma, mb = ca["total_median_s"], cb["total_median_s"]
        rows.append(
            {
                "crew": ca["crew"],
                "p_win_a": ca["p_win"],
                "p_win_b": cb["p_win"],
                "d_p_win": cb["p_win"] - ca["p_win"],
                "median_a_s": ma,
                "median_b_s": mb,
                "d_median_s": None if ma is None or mb is None else mb - ma,
            }
        )
    return rows


def hms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(round(seconds))
    sign = "-" if s < 0 else ""
    s = abs(s)
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
