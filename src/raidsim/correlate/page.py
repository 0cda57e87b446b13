"""The HTML correlation page: speed and delta-time against distance, residual map, factors.

Self-contained: plotly.js is inlined once, so the page opens from disk with no network.
Traces are decimated for display only (:mod:`raidsim.decimate`).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import raidsim.atomic as atomic
from raidsim.correlate.align import AlignedLog, Comparison
from raidsim.correlate.fit import FitResult
from raidsim.decimate import MAX_POINTS, distance_indices, minmax_indices
from raidsim.units import KMH_PER_MPS


def _idx(values: np.ndarray) -> np.ndarray:
    return minmax_indices(values, MAX_POINTS)


def traces_figure(before: Comparison, after: Comparison) -> go.Figure:
    """Speed (log, twin before and after the fit) and delta-time against distance."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=("Speed", "Delta time, twin - log (negative: twin faster)"),
    )
    km = before.s_m / 1000.0
    for name, y, color, row in (
        ("log", before.log_speed_mps * KMH_PER_MPS, "black", 1),
        ("twin before", before.model_speed_mps * KMH_PER_MPS, "#d62728", 1),
        ("twin after fit", after.model_speed_mps * KMH_PER_MPS, "#1f77b4", 1),
        ("before", before.delta_time_s, "#d62728", 2),
        ("after fit", after.delta_time_s, "#1f77b4", 2),
    ):
        i = _idx(y)
        fig.add_trace(
            go.Scattergl(
                x=km[i],
                y=y[i],
                name=name,
                mode="lines",
                line={"color": color, "width": 1},
                legendgroup=str(row),
            ),
            row=row,
            col=1,
        )
    fig.update_yaxes(title_text="km/h", row=1, col=1)
    fig.update_yaxes(title_text="s", row=2, col=1)
    fig.update_xaxes(title_text="distance, km", row=2, col=1)
    fig.update_layout(height=700, margin={"l": 60, "r": 20, "t": 40, "b": 40})
    return fig


def residual_map(aligned: AlignedLog, cmp: Comparison, title: str) -> go.Figure:
    """The route as x/y points coloured by the speed residual (twin - log, km/h)."""
    i = distance_indices(aligned.s_m, MAX_POINTS)
    res = cmp.speed_residual_mps[i] * KMH_PER_MPS
    lim = float(np.percentile(np.abs(res), 98)) or 1.0
    fig = go.Figure(
        go.Scattergl(
            x=aligned.x_m[i],
            y=aligned.y_m[i],
            mode="markers",
            marker={
                "color": res,
                "colorscale": "RdBu_r",
                "cmin": -lim,
                "cmax": lim,
                "size": 4,
                "colorbar": {"title": "km/h"},
            },
            text=[
                f"{s / 1000:.2f} km: {r:+.1f} km/h"
                for s, r in zip(aligned.s_m[i], res, strict=True)
            ],
            hoverinfo="text",
            name="speed residual",
        )
    )
    fig.update_layout(
        title=title,
        height=600,
        xaxis_title="east, m",
        yaxis_title="north, m",
        yaxis={"scaleanchor": "x", "scaleratio": 1},
    )
    return fig


def _fmt(v: float | None, unit: str, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f} {unit}"


def _metrics_table(result: FitResult) -> str:
    rows = []
    for label, key, unit in (
        ("RMS speed error", "rms_speed_error_kmh", "km/h"),
        ("stage time, twin", "stage_time_model_s", "s"),
        ("stage time, log", "stage_time_log_s", "s"),
        ("stage-time error", "stage_time_error_s", "s"),
        ("fuel, twin", "fuel_model_L", "L"),
        ("fuel, log", "fuel_log_L", "L"),
        ("fuel error", "fuel_error_L", "L"),
    ):
        b = result.before.metrics()[key]
        a = result.after.metrics()[key]
        rows.append(f"<tr><td>{label}</td><td>{_fmt(b, unit)}</td><td>{_fmt(a, unit)}</td></tr>")
    return "<table><tr><th></th><th>before</th><th>after fit</th></tr>" + "".join(rows) + "</table>"


def _factor_table(result: FitResult) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(f.name)}</td><td>{f.value:.4f}</td><td>&plusmn; {f.ci95:.4f}</td>"
        f"<td>{html.escape(f.maps_to)}</td></tr>"
        for f in result.factors
    )
    fd = result.final_drive
    check = (
        ""
        if fd is None
        else f"<p>Final-drive / rolling-radius check (logged RPM over predicted, locked "
        f"converter): {fd.value:.4f} &plusmn; {fd.ci95:.4f}</p>"
    )
    return (
        "<table><tr><th>factor</th><th>value</th><th>95 %</th><th>applies to</th></tr>"
        + rows
        + "</table>"
        + check
    )


def write_page(path: Path, aligned: AlignedLog, result: FitResult, title: str) -> Path:
    """Write the self-contained correlation page to ``path``."""
    f1 = traces_figure(result.before, result.after)
    f2 = residual_map(aligned, result.after, "Speed residual after fit, twin - log")
    f3 = residual_map(aligned, result.before, "Speed residual before fit, twin - log")
    prov = "".join(
        f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in result.provenance.items()
    )
    body = (
        f"<h1>{html.escape(title)}</h1>"
        f"<ul>{prov}</ul>"
        "<h2>Errors</h2>" + _metrics_table(result) + "<h2>Fitted factors</h2>"
        "<p>Least squares on speed against distance (and the fuel total where logged), QSS "
        "tier; 95 % intervals from (J<sup>T</sup>J)<sup>-1</sup>s<sup>2</sup>, widened for "
        "correlated residuals.</p>"
        + _factor_table(result)
        + f1.to_html(full_html=False, include_plotlyjs=True)
        + f2.to_html(full_html=False, include_plotlyjs=False)
        + f3.to_html(full_html=False, include_plotlyjs=False)
    )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style>"
        f"</head><body>{body}</body></html>"
    )
    atomic.write_bytes(path, page.encode("utf-8"))
    return path
