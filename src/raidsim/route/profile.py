"""Stage profile plot: elevation and feature height against distance, by surface.

Top panel: route elevation (the centre line's z). Bottom panel: the seeded feature height
(dune crests, jump ramps, whoops) added to it at the wheel. Both are coloured by surface
class; jumps, speed zones (DZ/FZ), waypoints and refuels are marked. Long stages are
decimated for display only with min/max buckets (:mod:`raidsim.decimate`), so
every crest and lip keeps its height.

Written as a self-contained HTML file (plotly.js inlined, opens offline). A ``.png`` path
is written as PNG only when ``kaleido`` is installed; without it the profile goes to the
same path with ``.html`` and a warning says so.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from raidsim.decimate import minmax_indices
from raidsim.model.surfaces import SURFACE_CODE
from raidsim.route.stage import TERRAIN_STEP_M, Stage

MAX_POINTS = 20_000  # per panel; enough for one dune crest per point on a 480 km special
SURFACE_COLOUR = {
    "hard": "#555555",
    "gravel": "#8c6d46",
    "rocky": "#6b4f8a",
    "sand_firm": "#d9b76c",
    "sand_soft": "#e8a33d",
    "dune": "#d0661f",
    "whoops": "#2a8c82",
}


class ProfileWarning(UserWarning):
    """The profile could not be written in the requested format."""


def default_profile_path(stage: Stage) -> Path:
    """``<stage>-profile.html`` in the working directory (``/`` in names becomes ``-``)."""
    return Path(f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', stage.name)}-profile.html")


def _runs_with_gaps(idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values[idx]`` as float32 with NaN between non-consecutive runs (line breaks)."""
    out = values[idx].astype(np.float32)
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    return np.insert(out, breaks, np.float32(np.nan))


def _surface_traces(
    fig: go.Figure, s_m: np.ndarray, y: np.ndarray, code: np.ndarray, row: int, first: bool
) -> None:
    for name, k in SURFACE_CODE.items():
        on = code == k
        if not on.any():
            continue
        # keep the neighbour after each run so the coloured pieces join up
        idx = np.flatnonzero(on | np.concatenate([[False], on[:-1]]))
        fig.add_trace(
            go.Scattergl(
                x=_runs_with_gaps(idx, s_m / 1000.0),
                y=_runs_with_gaps(idx, y),
                mode="lines",
                line={"color": SURFACE_COLOUR[name], "width": 1.5},
                name=name,
                legendgroup=name,
                showlegend=first,
                connectgaps=False,
                hovertemplate=f"{name}<br>%{{x:.3f}} km<br>%{{y:.2f}} m<extra></extra>",
            ),
            row=row,
            col=1,
        )


def profile_figure(stage: Stage, max_points: int = MAX_POINTS) -> go.Figure:
    """The two-panel profile of ``stage`` (see module docstring)."""
    d = stage.definition
    cl = stage.centreline
    n1 = len(cl.s_m)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.55, 0.45],
        subplot_titles=("route elevation", "feature height (dunes, jumps, whoops)"),
    )
    i1 = minmax_indices(cl.z_m, max_points)
    _surface_traces(fig, cl.s_m[i1], cl.z_m[i1], stage.surface_code[i1], 1, True)
    feat = stage.feature_height_m
    s4 = np.arange(len(feat)) * TERRAIN_STEP_M
    i4 = minmax_indices(feat, max_points)
    code4 = stage.surface_code[np.minimum((s4[i4] / cl.step_m).astype(np.int64), n1 - 1)]
    _surface_traces(fig, s4[i4], feat[i4], code4, 2, False)

    lips = stage.jump_lip_s_m
    if len(lips):
        fig.add_trace(
            go.Scatter(
                x=lips / 1000.0,
                y=np.interp(lips, s4, feat),
                mode="markers",
                marker={"symbol": "triangle-up", "size": 11, "color": "#c0392b"},
                name="jump lip",
                text=[
                    f"jump, ramp {j.ramp_height_m} m / {j.ramp_length_m} m, drop {j.drop_m} m"
                    for j in sorted(d.jumps, key=lambda j: j.km)
                ],
                hovertemplate="%{text}<br>%{x:.3f} km<extra></extra>",
            ),
            row=2,
            col=1,
        )
    for zone in d.speed_zones:
        fig.add_vrect(
            x0=zone.start_km,
            x1=zone.end_km,
            fillcolor="#3498db",
            opacity=0.18,
            line_width=0,
            annotation_text=f"{zone.limit_kmh:g} km/h",
            annotation_position="top left",
            row="all",
            col=1,
        )
    marks: list[tuple[float, str, str]] = [(w.km, w.kind, w.name or w.kind) for w in d.waypoints]
    marks += [(r.km, "fuel", r.name or "refuel") for r in d.refuels]
    if marks:
        km = np.array([m[0] for m in marks])
        fig.add_trace(
            go.Scatter(
                x=km,
                y=np.interp(km * 1000.0, cl.s_m, cl.z_m),
                mode="markers+text",
                text=[m[1] for m in marks],
                textposition="top center",
                customdata=[m[2] for m in marks],
                marker={
                    "symbol": ["diamond" if m[1] == "fuel" else "circle" for m in marks],
                    "size": 8,
                    "color": ["#27ae60" if m[1] == "fuel" else "#2c3e50" for m in marks],
                },
                name="waypoints / refuels",
                hovertemplate="%{customdata}<br>%{x:.3f} km<extra></extra>",
            ),
            row=1,
            col=1,
        )
    title = f"{stage.name}: {stage.length_m / 1000.0:.1f} km special"
    if d.liaison_km:
        title += f" + {d.liaison_km:g} km liaison"
    if d.date is not None:
        title += f" ({d.date.isoformat()}, {d.start} -> {d.finish})"
    fig.update_layout(title=title, template="plotly_white", height=700, hovermode="closest")
    fig.update_xaxes(title_text="distance, km", row=2, col=1)
    fig.update_yaxes(title_text="elevation, m", row=1, col=1)
    fig.update_yaxes(title_text="height, m", row=2, col=1)
    return fig


def write_profile(stage: Stage, path: str | Path | None = None) -> Path:
    """Write the profile; return the path written (see module docstring for formats)."""
    out = default_profile_path(stage) if path is None else Path(path)
    fig = profile_figure(stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".png":
        if importlib.util.find_spec("kaleido") is not None:
            fig.write_image(str(out), width=1400, height=700)
            return out
        out = out.with_suffix(".html")
        warnings.warn(
            f"kaleido is not installed, so no PNG; wrote the profile as HTML to {out}",
            ProfileWarning,
            stacklevel=2,
        )
    fig.write_html(str(out), include_plotlyjs=True, full_html=True)
    return out
