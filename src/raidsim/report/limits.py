"""The report's "where the time goes": the limits map, the speed coloured by the limit that
bound it, the loss per 10 km split by limit, the tables per section and surface, and with
two or more runs where each gains on the first and why (:mod:`raidsim.sim.time_loss`).

Everything here reads a run's per-metre :class:`~raidsim.sim.time_loss.LimitTrace`
(``Run.limits``, or ``limits.parquet`` in the run directory); a run without one (written
before it existed, or a synthetic one) simply has no such section.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from raidsim.control.limits import COLOURS, LABELS, Limit
from raidsim.io.runs import RunLike
from raidsim.report.figures import FigureDict, figure, scatter, subplot_layout, with_axis
from raidsim.sim.time_loss import (
    LIMITS_FILE,
    LimitTrace,
    SectionKind,
    compare_table,
    limit_key,
    limit_shares,
    section_table,
)
from raidsim.units import KMH_PER_MPS

__all__ = [
    "comparison_section",
    "gain_figure",
    "limits_map",
    "load_limits",
    "time_loss_figure",
    "time_loss_tables",
]

#: points of the speed-by-limit trace and of the limits map
MAP_POINTS = 6000


def load_limits(run: RunLike) -> LimitTrace | None:
    """The run's trace: ``run.limits`` or ``limits.parquet`` in its directory; None if
    neither."""
    trace = getattr(run, "limits", None)
    if isinstance(trace, LimitTrace):
        return trace
    for attr in ("dir", "out_dir"):
        d = getattr(run, attr, None)
        if isinstance(d, str | os.PathLike) and (Path(d) / LIMITS_FILE).is_file():
            return LimitTrace.read_parquet(Path(d) / LIMITS_FILE)
    return None


def _stride(n: int) -> int:
    return max(1, int(np.ceil(n / MAP_POINTS)))


def _present(trace: LimitTrace) -> list[Limit]:
    codes = set(np.unique(trace.limit).tolist())
    return [lim for lim in Limit if int(lim) in codes]


def limits_map(trace: LimitTrace, label: str) -> FigureDict | None:
    """The route in the stage frame coloured by the limit that bound the speed."""
    if trace.x_m is None or trace.y_m is None:
        return None
    k = _stride(len(trace.limit))
    x, y, code = trace.x_m[::k], trace.y_m[::k], trace.limit[::k]
    km = trace.distance_m[::k] / 1000.0
    data = []
    for lim in _present(trace):
        m = code == lim
        if not m.any():
            continue
        data.append(
            scatter(
                x[m], y[m], mode="markers", name=LABELS[lim],
                marker={"size": 4, "color": COLOURS[lim]},
                customdata=np.round(km[m], 2).tolist(),
                hovertemplate="km %{customdata}<extra>" + html.escape(LABELS[lim]) + "</extra>",
            )
        )  # fmt: skip
    layout = subplot_layout()
    layout.update(
        title={"text": f"{label}: limits map (what bound the speed, stage frame)"},
        height=560,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.12},
    )
    with_axis(layout, "xaxis", title={"text": "x east [m]"})
    with_axis(layout, "yaxis", title={"text": "y north [m]"}, scaleanchor="x", scaleratio=1)
    return figure(data, layout)


def time_loss_figure(trace: LimitTrace, label: str) -> FigureDict:
    """Two rows on one distance axis: the speed [km/h] coloured by its binding limit, and
    the loss [s] per 10 km against the reference, stacked by limit."""
    layout = subplot_layout(
        ["speed [km/h] by binding limit", "time lost per 10 km against the reference [s]"],
        vertical_spacing=0.08,
        row_heights=[0.55, 0.45],
    )
    k = _stride(len(trace.limit))
    km = trace.distance_m[::k] / 1000.0
    v = trace.speed_mps[::k] * KMH_PER_MPS
    code = trace.limit[::k]
    table = section_table(trace)
    mid = ((table["start_km"] + table["end_km"]) / 2).to_numpy()
    width = (table["end_km"] - table["start_km"]).to_numpy()
    data: list[dict[str, Any]] = []
    for lim in _present(trace):
        m = code == lim
        colour = COLOURS[lim]
        name = LABELS[lim]
        if m.any():
            data.append(
                scatter(
                    km[m], v[m], mode="markers", name=name, legendgroup=name,
                    marker={"size": 3, "color": colour},
                )
            )  # fmt: skip
        loss = table[f"loss_{limit_key(lim)}_s"].to_numpy()
        data.append(
            {
                "type": "bar", "x": mid.tolist(), "y": np.round(loss, 2).tolist(),
                "width": (0.9 * width).tolist(), "name": name, "legendgroup": name,
                "showlegend": not m.any(), "marker": {"color": colour},
                "xaxis": "x2", "yaxis": "y2",
            }
        )  # fmt: skip
    layout.update(
        barmode="relative",
        title={
            "text": f"{label}: where the time goes (reference: flat out at the limiter, "
            f"{trace.reference_speed_mps * KMH_PER_MPS:.0f} km/h)"
        },
        height=640,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    with_axis(layout, "xaxis2", title={"text": "distance [km]"})
    return figure(data, layout)


def _f(x: float, fmt: str = ".1f") -> str:
    return format(x, fmt) if np.isfinite(x) else "–"


def _top_limits(row: dict[str, Any], prefix: str, n: int = 3) -> str:
    """The ``n`` largest ``<prefix><limit>_s`` of a table row: ``power 52 s, braking 31 s``."""
    parts = []
    for lim in Limit:
        value = float(row.get(f"{prefix}{limit_key(lim)}_s", 0.0))
        if abs(value) >= 0.05:
            parts.append((value, LABELS[lim]))
    parts.sort(key=lambda p: -abs(p[0]))
    return ", ".join(f"{name} {value:+.1f} s" for value, name in parts[:n])


def time_loss_tables(trace: LimitTrace, waypoints_m: Sequence[float], table_html: Any) -> list[str]:
    """The section tables (10 km, waypoint to waypoint when there are waypoints) and the
    per-surface table with the share of distance each limit bound. ``table_html``
    renders (headers, rows, css) as the report's other tables."""
    parts = []
    kinds: list[tuple[SectionKind, str]] = [("10km", "every 10 km")]
    if any(0.0 < w < trace.distance_m[-1] for w in waypoints_m):
        kinds.append(("waypoint", "waypoint to waypoint"))
    headers = (
        "section", "time", "reference", "lost [s]", "lost to (largest three)",
        "fuel [kg]", "max coolant [°C]", "max oil [°C]", "max disc [°C]", "derate [s]",
    )  # fmt: skip
    for kind, title in kinds:
        table = section_table(trace, kind, waypoints_m)
        rows = [
            (
                r["section"],
                _f(r["time_s"]),
                _f(r["reference_s"]),
                _f(r["loss_s"]),
                _top_limits(r, "loss_"),
                _f(r["fuel_used_kg"], ".2f"),
                _f(r["max_coolant_C"], ".0f"),
                _f(r["max_oil_C"], ".0f"),
                _f(r["max_disc_C"], ".0f"),
                _f(r["derate_time_s"], ".0f"),
            )  # fmt: skip
            for r in table.iter_rows(named=True)
        ]
        total = table["time_s"].sum()
        parts.append(f"<h3>Per section, {title}</h3>")
        parts.append(table_html(headers, rows, "num"))
        parts.append(
            f'<p class="note">The sections sum to {total:.1f} s; each section\'s time is '
            "its reference plus its losses.</p>"
        )
    shares = limit_shares(trace, "surface")
    by_surface = section_table(trace, "surface")
    present = [lim for lim in Limit if any(limit_key(lim) in s for s in shares.values())]
    headers2 = ["surface", "km", "time", "lost [s]", *(f"{LABELS[lim]} [%]" for lim in present)]
    rows2 = []
    for r in by_surface.iter_rows(named=True):
        share = shares.get(r["section"], {})
        rows2.append(
            (
                r["section"],
                _f(r["distance_km"]),
                _f(r["time_s"]),
                _f(r["loss_s"]),
                *(_f(100.0 * share.get(limit_key(lim), 0.0), ".0f") for lim in present),
            )  # fmt: skip
        )
    parts.append("<h3>Per surface: share of the distance each limit bound</h3>")
    parts.append(table_html(headers2, rows2, "num"))
    return parts


def gain_figure(table: Any, a: str, b: str) -> FigureDict:
    """The gain of ``b`` on ``a`` per 10 km [s], stacked by the limit of the slower car."""
    layout = subplot_layout()
    data = []
    x = table["section"].to_list()
    for lim in Limit:
        y = table[f"gain_{limit_key(lim)}_s"].to_numpy()
        if np.any(np.abs(y) >= 0.05):
            data.append(
                {
                    "type": "bar", "x": x, "y": np.round(y, 2).tolist(), "name": LABELS[lim],
                    "marker": {"color": COLOURS[lim]},
                }
            )  # fmt: skip
    layout.update(
        barmode="relative",
        title={"text": f"{b} gains on {a} per section [s], by the limit of the slower car"},
        height=420,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    with_axis(layout, "yaxis", title={"text": f"{b} gains [s] (+ = {a} slower)"})
    with_axis(layout, "xaxis", title={"text": "section"})
    return figure(data, layout)


def comparison_section(
    traces: Sequence[LimitTrace | None], labels: Sequence[str], table_html: Any
) -> list[str | FigureDict]:
    """Where each run gains on the first, per 10 km, and why: a bar of the gain per
    section stacked by the limit of the slower car (a figure dict in the list), and a
    table."""
    ref = traces[0]
    if ref is None:
        return []
    parts: list[str | FigureDict] = []
    for i in range(1, len(traces)):
        other = traces[i]
        if other is None:
            continue
        table = compare_table(ref, other)
        a, b = labels[0], labels[i]
        rows = [
            (
                r["section"],
                _f(r["time_a_s"]),
                _f(r["time_b_s"]),
                f"{r['gain_s']:+.1f}",
                _top_limits(r, "gain_"),
            )  # fmt: skip
            for r in table.iter_rows(named=True)
        ]
        headers = ("section", f"{a} [s]", f"{b} [s]", f"{b} gains [s]", "why (limit of the slower)")
        parts.append(f"<h3>Where {html.escape(b)} gains on {html.escape(a)}</h3>")
        parts.append(
            '<p class="note">Per metre, the time of the slower car is booked to the limit '
            f"that bound it: positive where {html.escape(a)} was the slower, negative where "
            f"{html.escape(b)} was.</p>"
        )
        parts.append(gain_figure(table, a, b))
        parts.append(table_html(headers, rows, "num"))
    return parts
