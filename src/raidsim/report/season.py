"""The season section of the HTML report: a championship campaign directory, read by DuckDB.

``raidsim campaign w2rc-2026 --out DIR`` leaves ``DIR/season.json`` (the summary: rounds,
classes, seed, replicates, manufacturers) and ``DIR/championship.parquet`` (one row per
replicate x crew x round: class, points of the round, points so far, ``standing`` = class
rank after the round; see :mod:`raidsim.campaign.championship`). This module reads only
those two files, never the campaign package (the report sits below it in the layer order),
and reads the Parquet with DuckDB aggregates, so memory is bounded by the number of crews,
rounds and histogram bins, not by the replicates.

What it shows, every class its own championship (the W2RC scores Ultimate and Stock apart):

* championship win and podium odds per crew, and the manufacturers' title odds;
* the final points distribution per crew (histogram, p10/median/p90);
* which rounds decide it: each crew's odds of leading its class after every round (the swing
  from round to round), the share of seasons whose champion led from that round to the end
  (``deciding round``), the odds that the leader after the round becomes champion, and the
  spread (standard deviation) of each crew's points in the round.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

import raidsim.atomic as atomic
from raidsim.errors import ConfigError
from raidsim.report.html import RUN_COLOURS, _table, html_page, plot_div

__all__ = [
    "CHAMPIONSHIP_FILE",
    "SEASON_FILE",
    "SeasonData",
    "build_season_report",
    "is_season_dir",
    "read_season",
    "write_report",
]

SEASON_FILE = "season.json"
CHAMPIONSHIP_FILE = "championship.parquet"
#: final points histogram: about this many bins over the whole range
HIST_BINS = 30


def is_season_dir(path: str | os.PathLike[str]) -> bool:
    """A finished season campaign directory: ``season.json`` and ``championship.parquet``."""
    p = Path(path)
    return (p / SEASON_FILE).is_file() and (p / CHAMPIONSHIP_FILE).is_file()


@dataclass(frozen=True)
class SeasonData:
    """What the season section draws; plain rows (dicts), per crew in the spec's order."""

    dir: Path
    summary: dict[str, Any]
    #: crew, entry_class, manufacturer, p_champion, p_podium, points p10/p50/p90, mean
    crews: list[dict[str, Any]]
    #: crew, round_index, round, p_lead, points_mean, points_sd
    per_round: list[dict[str, Any]]
    #: entry_class, round_index, p_decided (share of seasons decided there),
    #: p_leader_champion (the leader after the round is the champion)
    deciding: list[dict[str, Any]]
    #: crew, bin_lo (points), count; bin width ``bin_width``
    histogram: list[dict[str, Any]]
    bin_width: float

    @property
    def rounds(self) -> list[str]:
        return list(self.summary["rounds"])


_LAST = "round_index = (SELECT max(round_index) FROM t)"


def _queries(con: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The season's aggregates; ``t`` is the championship view."""
    crews = con.execute(
        f"""
SELECT crew, any_value(entry_class), any_value(manufacturer),
       avg(CASE WHEN standing = 1 THEN 1.0 ELSE 0.0 END),
       avg(CASE WHEN standing <= 3 THEN 1.0 ELSE 0.0 END),
       quantile_cont(total_points, 0.1), quantile_cont(total_points, 0.5),
       quantile_cont(total_points, 0.9), avg(total_points), min(total_points),
       max(total_points)
FROM t WHERE {_LAST} GROUP BY crew ORDER BY min(crew_order)
"""
    ).fetchall()
    per_round = con.execute(
        """
SELECT crew, round_index, any_value(round),
       avg(CASE WHEN standing = 1 THEN 1.0 ELSE 0.0 END),
       avg(round_points), stddev_pop(round_points)
FROM t GROUP BY crew, round_index ORDER BY min(crew_order), round_index
"""
    ).fetchall()
    deciding = con.execute(
        f"""
WITH champ AS (SELECT replicate, entry_class, crew FROM t WHERE {_LAST} AND standing = 1),
ch AS (SELECT t.* FROM t JOIN champ USING (replicate, entry_class, crew)),
decided AS (
  SELECT replicate, entry_class,
         coalesce(max(round_index) FILTER (WHERE standing <> 1) + 1, 0) AS k
  FROM ch GROUP BY replicate, entry_class
),
share AS (SELECT entry_class, k, count(*) AS n FROM decided GROUP BY ALL),
seasons AS (SELECT entry_class, count(*) AS n FROM decided GROUP BY ALL),
lead AS (
  SELECT entry_class, round_index, avg(CASE WHEN standing = 1 THEN 1.0 ELSE 0.0 END) AS p
  FROM ch GROUP BY ALL
)
SELECT lead.entry_class, lead.round_index, coalesce(share.n, 0) / seasons.n, lead.p
FROM lead JOIN seasons USING (entry_class)
LEFT JOIN share ON share.entry_class = lead.entry_class AND share.k = lead.round_index
ORDER BY lead.entry_class, lead.round_index
"""
    ).fetchall()
    return {"crews": crews, "per_round": per_round, "deciding": deciding}


def _histogram(con: Any, lo: float, hi: float) -> tuple[list[tuple[Any, ...]], float]:
    """Final points per crew in bins of a round width (DuckDB group-by: bounded rows)."""
    span = max(hi - lo, 1.0)
    raw = span / HIST_BINS
    width = float(next(w for w in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1e9) if w >= raw))
    rows = con.execute(
        f"""
SELECT crew, floor(total_points / {width}) * {width} AS lo, count(*)
FROM t WHERE {_LAST} GROUP BY crew, lo ORDER BY min(crew_order), lo
"""
    ).fetchall()
    return rows, width


def read_season(path: str | os.PathLike[str]) -> SeasonData:
    """Read a season directory's summary and aggregate its championship table (DuckDB)."""
    import duckdb

    d = Path(path)
    if not is_season_dir(d):
        raise ConfigError(
            f"{d}: not a season campaign directory (no {SEASON_FILE} and {CHAMPIONSHIP_FILE}); "
            "run `raidsim campaign w2rc-2026 --out DIR` to completion first"
        )
    try:
        summary = json.loads((d / SEASON_FILE).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{d / SEASON_FILE}: not readable JSON ({exc})") from None
    crew_order = [c["crew"] for c in summary.get("crews", [])]
    con = duckdb.connect(":memory:")
    try:
        glob = "'" + str(d / CHAMPIONSHIP_FILE).replace("'", "''") + "'"
        order = ", ".join(
            f"('{c.replace(chr(39), chr(39) * 2)}', {i})" for i, c in enumerate(crew_order)
        )
        con.execute(
            f"CREATE VIEW t AS SELECT p.*, coalesce(o.i, 1000000) AS crew_order "
            f"FROM read_parquet({glob}) p LEFT JOIN (VALUES {order or '(NULL, 0)'}) o(c, i) "
            "ON p.crew = o.c"
        )
        q = _queries(con)
        lo = min((r[9] for r in q["crews"]), default=0.0)
        hi = max((r[10] for r in q["crews"]), default=1.0)
        hist, width = _histogram(con, float(lo), float(hi))
    except duckdb.Error as exc:
        raise ConfigError(
            f"{d / CHAMPIONSHIP_FILE}: cannot read the championship table "
            f"({type(exc).__name__}: {exc}); run the same `raidsim campaign` command again"
        ) from None
    finally:
        con.close()
    keys = ("p_champion", "p_podium", "points_p10", "points_p50", "points_p90", "points_mean")
    return SeasonData(
        dir=d,
        summary=summary,
        crews=[
            {"crew": r[0], "entry_class": r[1], "manufacturer": r[2]}
            | {k: float(v) for k, v in zip(keys, r[3:9], strict=True)}
            for r in q["crews"]
        ],
        per_round=[
            {
                "crew": r[0],
                "round_index": int(r[1]),
                "round": r[2],
                "p_lead": float(r[3]),
                "points_mean": float(r[4]),
                "points_sd": float(r[5] or 0.0),
            }
            for r in q["per_round"]
        ],
        deciding=[
            {
                "entry_class": r[0],
                "round_index": int(r[1]),
                "p_decided": float(r[2]),
                "p_leader_champion": float(r[3]),
            }
            for r in q["deciding"]
        ],
        histogram=[{"crew": r[0], "bin_lo": float(r[1]), "count": int(r[2])} for r in hist],
        bin_width=width,
    )


def _colour(i: int) -> str:
    return RUN_COLOURS[i % len(RUN_COLOURS)]


def _crew_label(c: dict[str, Any], classes: Sequence[str]) -> str:
    return f"{c['crew']} ({c['entry_class']})" if len(classes) > 1 else str(c["crew"])


def _odds_figure(data: SeasonData) -> go.Figure:
    classes = data.summary.get("classes", [])
    labels = [_crew_label(c, classes) for c in data.crews]
    fig = go.Figure()
    for key, name, colour in (
        ("p_champion", "champion", "#1f77b4"),
        ("p_podium", "podium", "#aec7e8"),
    ):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[100.0 * c[key] for c in data.crews],
                name=name,
                marker={"color": colour},
                hovertemplate="%{x}<br>" + name + " %{y:.1f} %<extra></extra>",
            )
        )
    fig.update_layout(
        title="championship odds per crew (within its class)",
        barmode="group",
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 80},
    )
    fig.update_yaxes(title_text="share of seasons [%]", range=[0, 100])
    return fig


def _manufacturer_figure(data: SeasonData) -> go.Figure:
    rows = data.summary.get("manufacturers", [])
    classes = data.summary.get("classes", [])
    labels = [
        f"{r['manufacturer']} ({r['entry_class']})" if len(classes) > 1 else r["manufacturer"]
        for r in rows
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=[100.0 * r["p_champion"] for r in rows],
            marker={"color": [_colour(i) for i in range(len(rows))]},
            hovertemplate="%{x}<br>title %{y:.1f} %<extra></extra>",
            name="manufacturers' title",
        )
    )
    fig.update_layout(
        title="manufacturers' title odds", height=360, margin={"l": 60, "r": 20, "t": 50, "b": 60}
    )
    fig.update_yaxes(title_text="share of seasons [%]", range=[0, 100])
    return fig


def _points_figure(data: SeasonData) -> go.Figure:
    fig = go.Figure()
    classes = data.summary.get("classes", [])
    n = sum(1 for _ in data.crews)
    for i, c in enumerate(data.crews):
        rows = [h for h in data.histogram if h["crew"] == c["crew"]]
        total = sum(h["count"] for h in rows) or 1
        fig.add_trace(
            go.Bar(
                x=[h["bin_lo"] + data.bin_width / 2 for h in rows],
                y=[100.0 * h["count"] / total for h in rows],
                width=data.bin_width,
                name=_crew_label(c, classes),
                marker={"color": _colour(i)},
                opacity=0.55 if n > 1 else 0.9,
                hovertemplate=f"{html.escape(c['crew'])}<br>%{{x:.0f}} pts: %{{y:.1f}} %"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"final championship points per crew (bins of {data.bin_width:g} points)",
        barmode="overlay",
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    fig.update_xaxes(title_text="points after the last round")
    fig.update_yaxes(title_text="share of seasons [%]")
    return fig


def _rounds_figure(data: SeasonData) -> go.Figure:
    """Odds of leading after every round (the swing), and which round decides it."""
    from plotly.subplots import make_subplots

    rounds = data.rounds
    classes = data.summary.get("classes", [])
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[
            "odds of leading the class after the round [%]",
            "deciding round: champion leads from it to the end [%] (line: leader then is champion)",
            "spread of the round's points, standard deviation",
        ],
    )
    for i, c in enumerate(data.crews):
        rows = [r for r in data.per_round if r["crew"] == c["crew"]]
        label = _crew_label(c, classes)
        colour = _colour(i)
        fig.add_trace(
            go.Scatter(
                x=[rounds[r["round_index"]] for r in rows],
                y=[100.0 * r["p_lead"] for r in rows],
                mode="lines+markers",
                name=label,
                legendgroup=label,
                line={"color": colour},
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=[rounds[r["round_index"]] for r in rows],
                y=[r["points_sd"] for r in rows],
                name=label,
                legendgroup=label,
                showlegend=False,
                marker={"color": colour},
            ),
            row=3,
            col=1,
        )
    for j, cls in enumerate(classes):
        rows = [r for r in data.deciding if r["entry_class"] == cls]
        x = [rounds[r["round_index"]] for r in rows]
        fig.add_trace(
            go.Bar(
                x=x,
                y=[100.0 * r["p_decided"] for r in rows],
                name=f"{cls}: decided",
                marker={"color": "#7f7f7f" if j == 0 else _colour(j + 3)},
            ),
            row=2,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[100.0 * r["p_leader_champion"] for r in rows],
                mode="lines+markers",
                name=f"{cls}: leader is champion",
                line={"color": "#222222", "dash": "dot"},
            ),
            row=2,
            col=1,
        )
    fig.update_layout(
        title="which rounds decide it",
        barmode="group",
        height=900,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        hovermode="x unified",
    )
    fig.update_yaxes(range=[0, 100], row=1, col=1)
    fig.update_yaxes(range=[0, 100], row=2, col=1)
    fig.update_yaxes(title_text="points", row=3, col=1)
    return fig


def _tables(data: SeasonData) -> list[str]:
    crews = _table(
        ("crew", "class", "manufacturer", "champion", "podium", "pts p10", "median", "p90", "mean"),
        [
            (
                c["crew"],
                c["entry_class"],
                c["manufacturer"],
                f"{c['p_champion']:.1%}",
                f"{c['p_podium']:.1%}",
                f"{c['points_p10']:.0f}",
                f"{c['points_p50']:.0f}",
                f"{c['points_p90']:.0f}",
                f"{c['points_mean']:.1f}",
            )
            for c in data.crews
        ],
        "num",
    )
    makers = _table(
        ("manufacturer", "class", "title", "pts p10", "median", "p90", "mean"),
        [
            (
                r["manufacturer"],
                r["entry_class"],
                f"{r['p_champion']:.1%}",
                f"{r.get('points_p10', float('nan')):.0f}",
                f"{r.get('points_p50', float('nan')):.0f}",
                f"{r.get('points_p90', float('nan')):.0f}",
                f"{r['points_mean']:.1f}",
            )
            for r in data.summary.get("manufacturers", [])
        ],
        "num",
    )
    rounds = data.rounds
    deciding = _table(
        ("class", "round", "decided here", "leader then is champion", "mean points SD"),
        [
            (
                r["entry_class"],
                rounds[r["round_index"]],
                f"{r['p_decided']:.1%}",
                f"{r['p_leader_champion']:.1%}",
                f"{_mean_sd(data, r['entry_class'], r['round_index']):.1f}",
            )
            for r in data.deciding
        ],
        "num",
    )
    return [
        "<h3>Crews</h3>",
        crews,
        "<h3>Manufacturers</h3>",
        makers,
        "<h3>Rounds</h3>",
        '<p class="note">decided here: share of seasons whose champion led the class from '
        "this round to the end; mean points SD: the round's points spread, averaged over the "
        "class's crews (a wide spread and a low leader-is-champion share mark a round that "
        "decides it).</p>",
        deciding,
    ]


def _mean_sd(data: SeasonData, cls: str, k: int) -> float:
    names = {c["crew"] for c in data.crews if c["entry_class"] == cls}
    sds = [r["points_sd"] for r in data.per_round if r["crew"] in names and r["round_index"] == k]
    return sum(sds) / len(sds) if sds else float("nan")


def season_section(data: SeasonData) -> list[str]:
    """The season section's HTML parts (headings, figures, tables)."""
    s = data.summary
    return [
        f"<h2>Season: {html.escape(str(s.get('season', '?')))}</h2>",
        f'<p class="meta">{s.get("replicates", "?")} seasons (seed {s.get("seed", "?")}), '
        f"rounds: {html.escape(', '.join(data.rounds))}; classes: "
        f"{html.escape(', '.join(s.get('classes', [])))} (each its own championship). "
        f"From {html.escape(str(data.dir))}.</p>",
        *plot_div(_odds_figure(data)),
        *plot_div(_manufacturer_figure(data)),
        *plot_div(_points_figure(data)),
        *plot_div(_rounds_figure(data), "season-rounds"),
        *_tables(data),
    ]


def build_season_report(
    season_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None
) -> Path:
    """Write the self-contained offline HTML report of a season campaign directory
    (default ``DIR/report.html``); returns the path."""
    data = read_season(season_dir)
    title = f"raidsim report: season {data.summary.get('season', '?')}"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Generated {_dt.datetime.now().strftime("%Y-%m-%d %H:%M")}.</p>',
        *season_section(data),
    ]
    page = html_page(title, parts)
    path = Path(out) if out is not None else data.dir / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, page.encode("utf-8"))
    return path


def write_report(paths: Sequence[str | os.PathLike[str]], out: Path | None = None) -> Path:
    """``raidsim report PATH ...``: one season campaign directory gets the season report;
    run directories get the run report (:func:`raidsim.report.html.build_report`, default
    ``FIRST_RUN/report.html``). A season directory among runs is a ConfigError."""
    from raidsim.io.runs import load_run
    from raidsim.report.html import build_report

    seasons = [p for p in paths if is_season_dir(p)]
    if seasons:
        if len(paths) > 1:
            raise ConfigError(
                f"{seasons[0]}: a season campaign directory is reported on its own "
                "(give it alone, or only run directories)"
            )
        return build_season_report(seasons[0], out)
    loaded = [load_run(p) for p in paths]
    return build_report(loaded, out if out is not None else loaded[0].dir / "report.html")
