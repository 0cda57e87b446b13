"""The odds over the days of a rally campaign, as a self-contained HTML chart.

Plain data in (what :func:`raidsim.campaign.odds.odds_over_days` returns: crews, stage
labels, per stage the crews' probabilities, real or simulated), one offline page out: a
line per crew against the stage, solid over the real days (the win probability on the
evening of each), dotted over the simulated ones (the probability of leading the class
after the stage), and a table of the time each crew must find per stage left.
"""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

import raidsim.atomic as atomic
from raidsim.report.html import RUN_COLOURS, _table, html_page, plot_div


def _hms_signed(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(round(abs(seconds)))
    return f"{'-' if seconds < 0 else '+'}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def odds_figure(odds: dict[str, Any]) -> go.Figure:
    labels = ["start", *odds["labels"]]
    fig = go.Figure()
    for c, crew in enumerate(odds["crews"]):
        colour = RUN_COLOURS[c % len(RUN_COLOURS)]
        for real, dash in ((True, "solid"), (False, "dot")):
            days = [d for d in odds["days"] if d["real"] == real]
            if not real and odds["n_given"]:  # the dotted part starts where the real ends
                days = [d for d in odds["days"] if d["after"] == odds["n_given"]] + days
            if not days:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[labels[d["after"]] for d in days],
                    y=[100.0 * d["p"][c] for d in days],
                    mode="lines+markers",
                    name=crew if real or not odds["n_given"] else f"{crew} (simulated)",
                    legendgroup=crew,
                    showlegend=real or not odds["n_given"],
                    line={"color": colour, "dash": dash},
                    hovertemplate=f"{html.escape(crew)}<br>%{{x}}: %{{y:.1f}} %<extra></extra>",
                )
            )
    fig.update_layout(
        title="class-win odds after every stage (solid: real days; dotted: simulated, "
        "leading the class after the stage)",
        height=480,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    fig.update_yaxes(title_text="probability [%]", range=[0, 100])
    return fig


def write_odds_chart(odds: dict[str, Any], path: Path | str, title: str) -> Path:
    """Write the odds page to ``path`` (atomic); returns it."""
    rows = [
        [crew, _hms_signed(g)]
        for crew, g in zip(odds["crews"], odds["time_to_find_s"], strict=True)
    ]
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Generated {_dt.datetime.now().strftime("%Y-%m-%d %H:%M")}; '
        f"{odds['n_given']} real stages given.</p>",
        *plot_div(odds_figure(odds), "odds"),
        f"<h2>time to find per stage left ({odds['stages_left']} stages) for a 50 % "
        "class win (negative: time to spare)</h2>",
        _table(["crew", "per stage"], rows),
    ]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(out, html_page(title, parts).encode("utf-8"))
    return out
