"""Questions over a campaign directory, answered by DuckDB from ``chunk-*.parquet``.

* class win and podium probability per crew (rank by total special time among the
  replicate's finishers of the class; a retired crew is not classified), DNF probability;
* overall and per-stage time percentiles (finishers / crews still running);
* mean time lost per rally by cause: punctures, navigation, mechanical, fuel, penalties;
* what-if: the win probability and median total time of each crew in two campaigns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from raidsim.campaign.runner import read_manifest
from raidsim.errors import ConfigError

CAUSES = ("puncture", "navigation", "mechanical", "fuel", "penalty")

_TOTALS = """
WITH rows AS (SELECT * FROM read_parquet('{glob}')),
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

    return duckdb.connect(":memory:")


def _glob(out_dir: Path) -> str:
    files = sorted(out_dir.glob("chunk-*.parquet"))
    if not files:
        raise ConfigError(f"{out_dir}: no chunk-*.parquet files; run `raidsim campaign` first")
    return str(out_dir / "chunk-*.parquet").replace("'", "''")


def campaign_report(out_dir: Path | str) -> dict[str, Any]:
    """All report numbers of one campaign directory as plain Python data."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    glob = _glob(out)
    con = _connect()
    n_rep = con.execute(f"SELECT count(DISTINCT replicate) FROM read_parquet('{glob}')").fetchone()[
        0
    ]
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
FROM read_parquet('{glob}') GROUP BY stage_index, stage, crew, crew_index
ORDER BY stage_index, crew_index
"""
    ).fetchall()
    causes = con.execute(
        f"""
SELECT crew, sum(puncture_loss_s) / {n_rep}, sum(navigation_loss_s) / {n_rep},
       sum(mechanical_loss_s) / {n_rep}, sum(fuel_loss_s) / {n_rep}, sum(penalty_s) / {n_rep},
       sum(punctures) / {n_rep}, sum(incidents) / {n_rep}, sum(missed_waypoints) / {n_rep}
FROM read_parquet('{glob}') GROUP BY crew, crew_index ORDER BY crew_index
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


def render(report: dict[str, Any], other: dict[str, Any] | None = None) -> list[Any]:
    """rich tables for the console."""
    from rich.table import Table

    out: list[Any] = []
    t = Table(
        title=f"{report['rally']} campaign: {report['replicates']} replicates "
        f"(seed {report['seed']}, {report['dir']})"
    )
    for col in ("crew", "class", "win", "podium", "DNF", "total p5", "median", "p95"):
        t.add_column(col, justify="left" if col in ("crew", "class") else "right")
    for c in report["crews"]:
        t.add_row(
            c["crew"],
            c["entry_class"],
            f"{c['p_win']:.1%}",
            f"{c['p_podium']:.1%}",
            f"{c['p_dnf']:.1%}",
            hms(c["total_p05_s"]),
            hms(c["total_median_s"]),
            hms(c["total_p95_s"]),
        )
    for cls, p in report["p_no_finisher"].items():
        if p > 0:
            t.add_row("(no finisher)", cls, f"{p:.1%}", "", "", "", "", "")
    out.append(t)

    crews = [c["crew"] for c in report["crews"]]
    st = Table(title="special time per stage: median (p10 to p90), crews still running")
    st.add_column("stage")
    for c in crews:
        st.add_column(c, justify="right")
    by_stage: dict[str, dict[str, str]] = {}
    for r in report["stages"]:
        cell = f"{hms(r['median_s'])} [{hms(r['p10_s'])}-{hms(r['p90_s'])}]"
        by_stage.setdefault(r["stage"], {})[r["crew"]] = cell
    for stage, cells in by_stage.items():
        st.add_row(stage, *(cells.get(c, "-") for c in crews))
    out.append(st)

    lt = Table(title="mean time lost per rally by cause (h:mm:ss) and events")
    for col in ("crew", *CAUSES, "punctures", "incidents", "missed WP"):
        lt.add_column(col, justify="left" if col == "crew" else "right")
    for r in report["lost_time"]:
        lt.add_row(
            r["crew"],
            *(hms(r[f"{k}_s"]) for k in CAUSES),
            f"{r['punctures']:.2f}",
            f"{r['incidents']:.2f}",
            f"{r['missed_waypoints']:.2f}",
        )
    out.append(lt)

    if other is not None:
        ct = Table(title=f"what-if: B = {other['dir']} minus A = {report['dir']}")
        for col in ("crew", "win A", "win B", "d win", "median A", "median B", "d median"):
            ct.add_column(col, justify="left" if col == "crew" else "right")
        for r in compare(report, other):
            ct.add_row(
                r["crew"],
                f"{r['p_win_a']:.1%}",
                f"{r['p_win_b']:.1%}",
                f"{r['d_p_win']:+.1%}",
                hms(r["median_a_s"]),
                hms(r["median_b_s"]),
                "-"
                if r["d_median_s"] is None
                else ("+" if r["d_median_s"] >= 0 else "") + hms(r["d_median_s"]),
            )
        out.append(ct)
    return out
