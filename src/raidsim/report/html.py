"""One self-contained, offline HTML report of one or more runs.

:func:`build_report` writes a single file: plotly.js is inlined once in a ``<script>`` tag
(``plotly.offline.get_plotlyjs()``) and every figure is a ``<div>`` fragment without it
(:func:`raidsim.report.figures.figure_html`), so the page opens from disk with no network:
no CDN, no map tiles (the route map is a plain x/y scatter in the stage frame, metres, equal
axes; docs/design.md explains why no web map).

Contents: a summary card per run (results, heat against its derate thresholds, Flight Mode
false triggers, the setup and the raidsim version); the route map coloured by speed with
waypoints; with two or more runs, speed overlays and the time delta to the first run vs
distance; the split times (every 10 km and at waypoints, one row where a waypoint falls on
a marker); where the time goes (:mod:`raidsim.report.limits`: the loss per section split by
the limit that bound the speed, the limits map, per-surface shares, and where each run
gains on the first and why); per run, the channels vs distance on a shared x axis (legends
in the units of their axes; optional channels such as ``coolant_C`` appear when present),
where the car operated (:mod:`raidsim.report.operating`: G-G, gear and rpm histograms,
engine power against the restrictor cap), thermal margins and the landing table (real
flights of at least :data:`~raidsim.report.analysis.REAL_FLIGHT_S`, hops summarised).

Traces are decimated **for display only** (:mod:`raidsim.decimate`: min/max per bucket,
at most :data:`~raidsim.decimate.MAX_POINTS` points per trace) and stored as float32;
the tables are computed from the full-rate telemetry, and exports never decimate.

Each run's telemetry is read once, one row batch at a time (:func:`raidsim.report.stream.
digest_run`), so the report of the longest special needs no more memory than that of the
shortest; a channel stored at a lower rate is drawn over its own samples.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import html
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.offline import get_plotlyjs

import raidsim.atomic as atomic
from raidsim.decimate import MAX_POINTS
from raidsim.io.runs import RunLike, stopped_note, telemetry_source, waypoint_markers
from raidsim.report.analysis import (
    MIN_AIR_TIME_S,
    REAL_FLIGHT_S,
    TOUCHDOWN_WINDOW_S,
    Flight,
    delta_grid,
    split_marks,
)
from raidsim.report.figures import (
    FigureDict,
    figure,
    figure_html,
    scatter,
    subplot_layout,
    typed,
    with_axis,
)
from raidsim.report.limits import (
    comparison_section,
    limits_map,
    load_limits,
    time_loss_figure,
    time_loss_tables,
)
from raidsim.report.operating import operating_figure
from raidsim.report.stream import RunDigest, digest_run
from raidsim.sim.time_loss import LimitTrace
from raidsim.units import KMH_PER_MPS

__all__ = [
    "PATH_COLUMNS",
    "build_report",
    "digest_runs",
    "digested_run",
    "run_label",
    "trace_scales",
]

WHEELS = ("fl", "fr", "rl", "rr")
RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
WHEEL_COLOURS = {"fl": "#1f77b4", "fr": "#ff7f0e", "rl": "#2ca02c", "rr": "#d62728"}
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
ROW_HEIGHT_PX = 190


@dataclass(frozen=True)
class _Panel:
    """One subplot row: a title and the columns (with display scale) it draws."""

    title: str
    columns: Callable[[Sequence[str]], list[str]]
    scale: float = 1.0
    line_shape: str = "linear"


def _fixed(*names: str) -> Callable[[Sequence[str]], list[str]]:
    return lambda cols: [n for n in names if n in cols]


def _prefixed(prefix: str) -> Callable[[Sequence[str]], list[str]]:
    return lambda cols: sorted(c for c in cols if c.startswith(prefix))


PANELS: tuple[_Panel, ...] = (
    _Panel("speed [km/h]", _fixed("speed_mps", "target_speed_mps"), KMH_PER_MPS),
    _Panel("throttle / brake [%]", _fixed("throttle", "brake"), 100.0),
    _Panel("gear", _fixed("gear"), line_shape="hv"),
    _Panel("engine speed [rpm]", _fixed("engine_speed_rpm")),
    _Panel("halfshaft torque [N m]", _fixed(*(f"halfshaft_torque_{w}_Nm" for w in WHEELS))),
    _Panel("tyre load [kN]", _fixed(*(f"tyre_load_{w}_N" for w in WHEELS)), 1e-3),
    _Panel("wheels in contact", _fixed("wheels_in_contact"), line_shape="hv"),
    _Panel("coolant / oil [°C]", _fixed("coolant_C", "oil_C")),
    _Panel("brake disc [°C]", _prefixed("brake_disc_C_")),
    _Panel("fuel [L]", _fixed("fuel_L")),
    _Panel("flight mode state", _fixed("flight_mode_state"), line_shape="hv"),
)


#: name tokens that are units (dropped from a legend, which shows its axis's unit instead)
_UNIT_TOKENS = {"mps", "Nm", "N", "C", "rpm", "kW", "L", "kg", "m", "s", "radps", "mps2"}


def axis_unit(title: str) -> str:
    """The unit in brackets at the end of an axis or panel title (``speed [km/h]`` ->
    ``km/h``), empty when there is none."""
    if title.endswith("]") and "[" in title:
        return title[title.rindex("[") + 1 : -1]
    return ""


def legend_name(column: str, panel_title: str) -> str:
    """A channel's legend on a panel: its name without the stored unit, with the unit the
    panel draws it in (``speed_mps`` on ``speed [km/h]`` -> ``speed [km/h]``)."""
    words = [w for i, w in enumerate(column.split("_")) if i == 0 or w not in _UNIT_TOKENS]
    unit = axis_unit(panel_title)
    name = " ".join(words)
    return f"{name} [{unit}]" if unit else name


def run_label(run: RunLike, index: int) -> str:
    """The run's directory name when it has one (``RunData.dir`` / ``Run.out_dir``)."""
    for attr in ("dir", "out_dir"):
        d = getattr(run, attr, None)
        if isinstance(d, str | os.PathLike):
            return Path(d).name
    return f"run {index + 1}"


# --- helpers -------------------------------------------------------------------------------
def _fmt_time(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "–"
    sign = "-" if seconds < 0 else ""
    h, rem = divmod(abs(seconds), 3600.0)
    m, s = divmod(rem, 60.0)
    return f"{sign}{int(h)}:{int(m):02d}:{s:04.1f}" if h else f"{sign}{int(m)}:{s:04.1f}"


def _fig_html(fig: FigureDict | go.Figure) -> str:
    return figure_html(fig, PLOT_CONFIG)


@functools.cache
def plotly_js() -> str:
    """plotly.js (4.6 MB of source, read from plotly's package once per process)."""
    return str(get_plotlyjs())


def html_page(title: str, parts: Sequence[str]) -> str:
    """One self-contained offline page: the report's CSS and plotly.js inline."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly_js()}</script></head><body>'
        + "\n".join(parts)
        + "</body></html>\n"
    )


def plot_div(fig: FigureDict | go.Figure, div_id: str = "") -> list[str]:
    """A figure in the report's plot box (``div_id``: the box's HTML id, none if empty)."""
    attr = f' id="{div_id}"' if div_id else ""
    return [f'<div class="plot"{attr}>', _fig_html(fig), "</div>"]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


#: the map path's columns: the reference run's coloured by speed, the others plain
PATH_COLUMNS = ("x_m", "y_m", "speed_mps")


def trace_scales(columns: Sequence[str]) -> dict[str, float]:
    """Every panel column present -> its display scale."""
    scales: dict[str, float] = {}
    for panel in PANELS:
        for name in panel.columns(columns):
            scales.setdefault(name, panel.scale)
    return scales


# --- sections ------------------------------------------------------------------------------
def _summary_card(run: RunLike, digest: RunDigest, label: str, colour: str) -> str:
    s = run.summary

    def num(key: str, fmt: str, scale: float = 1.0) -> str | None:
        v = s.get(key)
        return format(float(v) * scale, fmt) if isinstance(v, int | float) else None

    rows: list[tuple[str, str | None]] = [
        ("status", stopped_note(run)),
        ("vehicle", str(s["vehicle"]) if "vehicle" in s else None),
        ("stage", str(s["stage"]) if "stage" in s else None),
        ("seed", str(s["seed"]) if "seed" in s else None),
        ("stage time", _fmt_time(float(s["stage_time_s"])) if "stage_time_s" in s else None),
        ("distance", f"{num('distance_m', '.2f', 1e-3)} km" if "distance_m" in s else None),
        ("average speed", f"{num('avg_speed_kmh', '.1f')} km/h" if "avg_speed_kmh" in s else None),
        ("max speed", f"{num('max_speed_kmh', '.1f')} km/h" if "max_speed_kmh" in s else None),
        ("fuel used", f"{num('fuel_used_L', '.1f')} L" if "fuel_used_L" in s else None),
        (
            "max halfshaft torque",
            f"{num('max_halfshaft_torque_Nm', '.0f')} N m"
            if "max_halfshaft_torque_Nm" in s
            else None,
        ),
        ("ambient", f"{num('ambient_C', '.0f')} °C" if "ambient_C" in s else None),
        ("altitude", f"{num('altitude_m', '.0f')} m" if "altitude_m" in s else None),
        *_engineer_rows(s, num),
        ("flights", _flight_count(digest.flights)),
        ("samples", f"{digest.num_rows:,} × {len(digest.columns)} channels"),
        ("raidsim", str(s["raidsim_version"]) if "raidsim_version" in s else None),
    ]
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
        if v is not None
    )
    return (
        f'<div class="card" style="border-top-color:{colour}">'
        f"<h3>{html.escape(label)}</h3><table>{body}</table></div>"
    )


def _engineer_rows(
    s: Mapping[str, Any], num: Callable[[str, str], str | None]
) -> list[tuple[str, str | None]]:
    """The card's heat, Flight Mode and setup rows (those the summary has)."""
    raw_setup, raw_limits = s.get("setup"), s.get("thermal_limits_C")
    setup: dict[str, Any] = raw_setup if isinstance(raw_setup, dict) else {}
    limits: dict[str, Any] = raw_limits if isinstance(raw_limits, dict) else {}

    def peak(key: str, limit: str) -> str | None:
        v = num(key, ".0f")
        if v is None:
            return None
        ref = limits.get(limit)
        return f"{v} °C (derate from {ref:.0f})" if isinstance(ref, int | float) else f"{v} °C"

    def pair(front: str, rear: str, fmt: str, unit: str) -> str | None:
        f, r = setup.get(front), setup.get(rear)
        if not isinstance(f, int | float) or not isinstance(r, int | float):
            return None
        return f"{format(f, fmt)} / {format(r, fmt)}{unit}"

    fd = setup.get("final_drive_ratio")
    fuel = setup.get("fuel_load_L")
    disc = num("max_brake_disc_C", ".0f")
    fade = limits.get("disc_pad_fade")
    return [
        ("max coolant", peak("max_coolant_C", "coolant_derate")),
        ("max oil", peak("max_oil_C", "oil_derate")),
        (
            "max brake disc",
            None if disc is None else f"{disc} °C" + (f" (pad fade {fade:.0f})" if fade else ""),
        ),
        ("derate time", f"{num('derate_time_s', '.0f')} s" if "derate_time_s" in s else None),
        (
            "Flight Mode false triggers",
            str(s["flight_mode_false_triggers"]) if "flight_mode_false_triggers" in s else None,
        ),
        (
            "restrictor cap",
            f"{num('restrictor_cap_kW', '.0f')} kW" if "restrictor_cap_kW" in s else None,
        ),
        ("final drive", f"{fd:g}" if isinstance(fd, int | float) else None),
        (
            "tyres front / rear",
            pair("tyre_pressure_front_bar", "tyre_pressure_rear_bar", ".2f", " bar"),
        ),
        ("damper clicks f / r", pair("damper_clicks_front", "damper_clicks_rear", "+d", "")),
        ("fuel at start", f"{fuel:.0f} L" if isinstance(fuel, int | float) else None),
    ]


def _flight_count(flights: Sequence[Flight]) -> str:
    real = sum(1 for f in flights if f.air_time_s >= REAL_FLIGHT_S)
    return f"{real} (≥ {REAL_FLIGHT_S:g} s), {len(flights) - real} hops"


def _axes(row: int) -> dict[str, str]:
    """The trace properties that put a trace on subplot ``row`` (1 = the top one)."""
    k = "" if row == 1 else str(row)
    return {"xaxis": f"x{k}", "yaxis": f"y{k}"}


def _map_figure(
    digests: Sequence[RunDigest], labels: Sequence[str], first: RunLike | None = None
) -> FigureDict:
    data: list[dict[str, Any]] = []
    for i, digest in reversed(list(enumerate(digests))):
        path = digest.path
        if path is None or not {"x_m", "y_m"} <= set(path):
            continue
        if i == 0 and "speed_mps" in path:
            marker = {
                "color": typed(path["speed_mps"] * KMH_PER_MPS),
                "colorscale": "Turbo",
                "size": 4,
                "colorbar": {"title": {"text": "km/h"}},
            }
            data.append(
                scatter(
                    path["x_m"],
                    path["y_m"],
                    mode="markers",
                    name=f"{labels[i]} speed",
                    marker=marker,
                    hovertemplate="x %{x:.0f} m<br>y %{y:.0f} m<br>%{marker.color:.0f} km/h",
                )
            )
        else:
            line = {"color": "#aaaaaa", "width": 1}
            data.append(
                scatter(
                    path["x_m"], path["y_m"], mode="lines", name=labels[i], line=line,
                    hoverinfo="skip",
                )
            )  # fmt: skip
    if digests and digests[0].waypoint_xy is not None and first is not None:
        marks = waypoint_markers(first.summary)
        wx, wy = digests[0].waypoint_xy
        if marks:
            data.append(
                scatter(
                    wx,
                    wy,
                    mode="markers+text",
                    name="waypoints",
                    text=[m.kind for m in marks],
                    textposition="top center",
                    marker={"symbol": "diamond", "size": 10, "color": "black"},
                    hovertext=[m.name for m in marks],
                )
            )
    layout = subplot_layout()
    layout.update(
        title={"text": "route (stage frame, metres; offline, no map tiles)"},
        height=560,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.12},
    )
    with_axis(layout, "xaxis", title={"text": "x east [m]"})
    with_axis(layout, "yaxis", title={"text": "y north [m]"}, scaleanchor="x", scaleratio=1)
    return figure(data, layout)


def _channel_panels(traces: Sequence[str]) -> list[tuple[_Panel, list[str]]]:
    """The panels with a trace among ``traces`` and, for each, its traces."""
    panels = [(p, [c for c in p.columns(traces) if c in traces]) for p in PANELS]
    return [(p, cols) for p, cols in panels if cols]


def _channels_layout(panels: Sequence[tuple[_Panel, list[str]]]) -> FigureDict:
    spacing = 0.012 if len(panels) > 6 else 0.03
    return subplot_layout([p.title for p, _ in panels], spacing)


def warm_up(columns: Sequence[str] = ()) -> None:
    """Build what the report of a run with telemetry ``columns`` needs from plotly before
    its data: the default template and the channel panels' layout
    (:func:`raidsim.report.figures.subplot_layout`, cached), plotly.js's source (cached),
    and render a two-point figure.

    plotly builds its template and property validators on first use (~0.1 s of the first
    report in a process). ``raidsim run`` calls this on its own thread while the kernel
    runs, so the report written after the run does not pay for it."""
    x = np.array([0.0, 1.0])
    _channels_layout(_channel_panels(list(trace_scales(columns))))
    tiny = RunDigest(
        columns=["distance_m", "speed_mps", "gear", "x_m", "y_m"],
        num_rows=2,
        traces={"speed_mps": (x, x), "gear": (x, x)},
        path={"x_m": x, "y_m": x, "speed_mps": x},
    )
    for fig in (_channels_figure(tiny, "warm-up"), _map_figure([tiny], ["warm-up"])):
        if fig is not None:
            _fig_html(fig)
    plotly_js()


def _channels_figure(digest: RunDigest, label: str) -> FigureDict | None:
    if "distance_m" not in digest.columns:
        return None
    panels = _channel_panels(list(digest.traces))
    if not panels:
        return None
    data: list[dict[str, Any]] = []
    for row, (panel, cols) in enumerate(panels, start=1):
        for name in cols:
            x_km, y = digest.traces[name]
            wheel = next((w for w in WHEELS if f"_{w}_" in f"_{name}_"), None)
            line: dict[str, Any] = {"width": 1, "shape": panel.line_shape}
            if wheel is not None:
                line["color"] = WHEEL_COLOURS[wheel]
            if name.startswith("target_"):
                line.update(dash="dot", color="#555555")
            data.append(
                scatter(
                    x_km, y, mode="lines", name=legend_name(name, panel.title), meta=name,
                    legendgroup=panel.title, line=line, **_axes(row),
                )
            )  # fmt: skip
    layout = _channels_layout(panels)
    bottom = "xaxis" + _axes(len(panels))["xaxis"][1:]
    with_axis(layout, bottom, title={"text": "distance [km]"})
    layout.update(
        title={"text": f"{label}: channels vs distance"},
        height=ROW_HEIGHT_PX * len(panels) + 120,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        hovermode="x unified",
    )
    return figure(data, layout)


def _comparison_figure(
    digests: Sequence[RunDigest],
    labels: Sequence[str],
    deltas: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
) -> FigureDict:
    layout = subplot_layout(
        ["speed [km/h]", f"time delta to {labels[0]} (+ = slower) [s]"],
        vertical_spacing=0.06,
        row_heights=[0.6, 0.4],
    )
    data: list[dict[str, Any]] = []
    for i, digest in enumerate(digests):
        colour = RUN_COLOURS[i % len(RUN_COLOURS)]
        if "speed_mps" in digest.traces:
            x_km, v = digest.traces["speed_mps"]  # the speed panel's trace, in km/h
            line = {"width": 1, "color": colour}
            data.append(
                scatter(
                    x_km, v, mode="lines", name=f"{labels[i]} speed [km/h]", line=line, **_axes(1)
                )
            )
        if i > 0:
            grid, dt = deltas[i]
            line = {"width": 1.5, "color": colour}
            name = f"{labels[i]} − {labels[0]} [s]"
            data.append(scatter(grid / 1000.0, dt, mode="lines", name=name, line=line, **_axes(2)))
    with_axis(layout, "xaxis2", title={"text": "distance [km]"})
    layout.update(
        title={"text": "comparison"},
        height=620,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        hovermode="x unified",
    )
    return figure(data, layout)


def _landing_table(all_flights: Sequence[Flight]) -> str:
    if not all_flights:
        return "<p>No flights (no run of 0 wheels in contact for ≥ 0.1 s).</p>"
    flights = [f for f in all_flights if f.air_time_s >= REAL_FLIGHT_S]
    hops = [f for f in all_flights if f.air_time_s < REAL_FLIGHT_S]
    note = ""
    if hops:
        peaks = [
            f.peak_halfshaft_torque_Nm for f in hops if np.isfinite(f.peak_halfshaft_torque_Nm)
        ]
        peak = f", peak |halfshaft torque| after landing {max(peaks):.0f} N m" if peaks else ""
        note = (
            f'<p class="note">{len(hops)} shorter hops (whoops, crests: '
            f"{min(f.air_time_s for f in hops):.2f}-{max(f.air_time_s for f in hops):.2f} s in "
            f"the air{peak}) are not listed.</p>"
        )
    if not flights:
        return f"<p>No flight of ≥ {REAL_FLIGHT_S:g} s.</p>" + note
    rows = [
        (
            str(k + 1),
            _fmt_time(f.takeoff_time_s),
            f"{f.takeoff_distance_m / 1000:.3f}",
            f"{f.air_time_s:.2f}",
            f"{f.landing_speed_mps * KMH_PER_MPS:.0f}",
            f"{f.peak_halfshaft_torque_Nm:.0f}" if np.isfinite(f.peak_halfshaft_torque_Nm) else "–",
            f.peak_wheel or "–",
        )
        for k, f in enumerate(flights)
    ]
    headers = (
        "#",
        "take-off time",
        "take-off km",
        "air time [s]",
        "landing km/h",
        f"peak |halfshaft torque| in {TOUCHDOWN_WINDOW_S:g} s after touchdown [N m]",
        "wheel",
    )
    return _table(headers, rows, "num") + note


def _splits_table(
    digests: Sequence[RunDigest], labels: Sequence[str], marks: Sequence[tuple[float, str]]
) -> str:
    if not marks or "distance_m" not in digests[0].columns or digests[0].num_rows < 2:
        return "<p>No splits (the run is shorter than 10 km and has no waypoints).</p>"
    headers = ["marker", "km"]
    for i, label in enumerate(labels):
        headers += [f"{label} time", f"{label} segment", f"{label} seg. km/h"]
        if i > 0:
            headers.append(f"Δ {label}")
    rows = []
    prev = [(0.0, 0.0)] * len(digests)
    times = [
        d.split_times_s if len(d.split_times_s) == len(marks) else np.full(len(marks), np.nan)
        for d in digests
    ]
    for k, (dist, label) in enumerate(marks):
        row = [label, f"{dist / 1000:.1f}"]
        for i in range(len(digests)):
            t = float(times[i][k])
            p_d, p_t = prev[i]
            seg = t - p_t
            speed = (dist - p_d) / seg * KMH_PER_MPS if seg > 0 else float("nan")
            row += [
                _fmt_time(t),
                _fmt_time(seg),
                f"{speed:.1f}" if np.isfinite(speed) else "–",
            ]
            if i > 0:
                delta = t - float(times[0][k])
                row.append(f"{delta:+.1f} s" if np.isfinite(delta) else "–")
            if np.isfinite(t):
                prev[i] = (dist, t)
        rows.append(row)
    return _table(headers, rows, "num")


def _time_loss_parts(
    runs: Sequence[RunLike], names: Sequence[str], traces: Sequence[LimitTrace | None]
) -> list[str]:
    """The section "Where the time goes" (:mod:`raidsim.report.limits`), for the runs with
    a per-metre limits trace; nothing when none has one."""
    if all(t is None for t in traces):
        return []
    waypoints_m = [w.distance_m for w in waypoint_markers(runs[0].summary)]
    parts = [
        "<h2>Where the time goes</h2>",
        '<p class="note">Each metre is booked to the limit that set the speed there: the '
        "plan's cornering grip, braking for what comes, speed zones, feature speeds, dune "
        "crests, the ride and shock limits and the limiter, or the car's own power, "
        "traction or heat "
        "derate where it ran more than 3 % below the plan at full throttle. The reference is "
        "the stage flat out at the limiter; a section's time is its reference plus its "
        "losses.</p>",
    ]
    for item in comparison_section(traces, names, _table):
        parts += plot_div(item) if isinstance(item, dict) else [item]
    for trace, name in zip(traces, names, strict=True):
        if trace is None:
            continue
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts += plot_div(time_loss_figure(trace, name))
        fig = limits_map(trace, name)
        if fig is not None:
            parts += plot_div(fig)
        parts += time_loss_tables(trace, waypoints_m, _table)
    return parts


def _margins(s: Mapping[str, Any]) -> list[str]:
    """Thermal margins: each peak against the temperature from which it costs (the ECU's
    derate thresholds, the pad's fade)."""
    limits = s.get("thermal_limits_C")
    if not isinstance(limits, dict):
        return []
    rows = []
    for what, key, lim in (
        ("coolant", "max_coolant_C", "coolant_derate"),
        ("transmission oil", "max_oil_C", "oil_derate"),
        ("brake disc", "max_brake_disc_C", "disc_pad_fade"),
    ):
        peak, ref = s.get(key), limits.get(lim)
        if isinstance(peak, int | float) and isinstance(ref, int | float):
            rows.append((what, f"{peak:.0f}", f"{ref:.0f}", f"{ref - peak:+.0f}"))
    if not rows:
        return []
    headers = ("", "peak [°C]", "costs from [°C]", "margin [°C]")
    return ["<h3>Thermal margins</h3>", _table(headers, rows, "num")]


_Delta = tuple[NDArray[np.float64], NDArray[np.float64]]


def digest_runs(
    runs: Sequence[RunLike], max_points: int = MAX_POINTS
) -> tuple[list[RunDigest], list[tuple[float, str]], list[_Delta]]:
    """Stream every run once: the digests, the split markers and each run's time delta to
    the first (distance grid, seconds; empty for the first run)."""
    sources = [telemetry_source(r) for r in runs]
    ranges = [
        src.range("distance_m") if "distance_m" in src.columns else (np.nan, np.nan)
        for src in sources
    ]
    until = max((hi for _, hi in ranges if np.isfinite(hi)), default=0.0)
    waypoints = waypoint_markers(runs[0].summary)
    marks = split_marks(waypoints, until)
    grids = [np.zeros(0)] + [
        delta_grid(ranges[0], ranges[i], max_points) for i in range(1, len(runs))
    ]
    ref_queries = np.concatenate(grids[1:]) if len(runs) > 1 else np.zeros(0)
    digests = []
    for i, (run, src) in enumerate(zip(runs, sources, strict=True)):
        digests.append(
            digest_run(
                run,
                trace_scales(src.columns),
                max_points,
                split_marks_m=[m[0] for m in marks],
                delta_grid_m=ref_queries if i == 0 else grids[i],
                waypoints_m=[w.distance_m for w in waypoints] if i == 0 else (),
                path_columns=PATH_COLUMNS if i == 0 else PATH_COLUMNS[:2],
                source=src,
            )
        )
    deltas: list[_Delta] = [(np.zeros(0), np.zeros(0))]
    offset = 0
    for i in range(1, len(runs)):
        n = len(grids[i])
        ref_t = digests[0].delta_times_s[offset : offset + n]
        deltas.append((grids[i], digests[i].delta_times_s - ref_t))
        offset += n
    return digests, marks, deltas


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;
max-width:1400px;padding:16px;color:#222;background:#fafafa}
h1{font-size:1.5em;margin:0 0 4px} h2{margin-top:28px;border-bottom:1px solid #ccc}
.meta{color:#666;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-top:4px solid #1f77b4;border-radius:4px;
padding:8px 14px;min-width:280px}
.card h3{margin:4px 0 8px} .card th{text-align:left;font-weight:500;color:#555;padding-right:14px}
table.num{border-collapse:collapse;background:#fff;font-size:.9em}
table.num th,table.num td{border:1px solid #ddd;padding:3px 8px;text-align:right}
table.num th{background:#f0f0f0}
.plot{background:#fff;border:1px solid #ddd;margin:8px 0}
.note{color:#666;font-size:.85em}
"""


def digested_run(
    run: RunLike, digest: RunDigest
) -> tuple[list[RunDigest], list[tuple[float, str]], list[_Delta]] | None:
    """What :func:`digest_runs` gives for ``run`` alone, from a ``digest`` made while the
    run was written (:class:`raidsim.report.live.LiveDigest`): its split times at the
    run's split markers. None when the digest was not made for them (it timed other
    distances, placed other waypoints, or did not see every row)."""
    waypoints = waypoint_markers(run.summary)
    marks = split_marks(waypoints, digest.distance_range_m[1])
    if len(digest.split_marks_m) != len(digest.split_times_s):
        return None
    times = dict(zip(digest.split_marks_m.tolist(), digest.split_times_s.tolist(), strict=True))
    wp_m = [w.distance_m for w in waypoints]
    if any(m[0] not in times for m in marks) or digest.waypoints_m.tolist() != wp_m:
        return None
    if digest.num_rows != telemetry_source(run).num_rows:  # not fed every row
        return None
    at_marks = np.array([times[m[0]] for m in marks], dtype=np.float64)
    marks_m = np.array([m[0] for m in marks], dtype=np.float64)
    ready = dataclasses.replace(digest, split_marks_m=marks_m, split_times_s=at_marks)
    return [ready], marks, [(np.zeros(0), np.zeros(0))]


def build_report(
    runs: Sequence[RunLike],
    out: str | os.PathLike[str],
    labels: Sequence[str] | None = None,
    max_points: int = MAX_POINTS,
    digest: RunDigest | None = None,
    limits: Sequence[LimitTrace | None] | None = None,
) -> Path:
    """Write the self-contained HTML report of ``runs`` to ``out``; returns the path.

    ``labels`` default to the run directory names. The first run is the reference of the
    map colouring and of the time deltas. Raises ``ValueError`` for an empty ``runs``.
    ``digest``: for a single run, its digest made while it was written (the telemetry is
    then not read again, unless the digest does not fit the run, :func:`digested_run`).
    ``limits``: each run's per-metre limits trace when the caller has it (a run being
    written, whose directory is not yet where its name says); otherwise it is read from
    the run (:func:`raidsim.report.limits.load_limits`).
    """
    if not runs:
        raise ValueError("build_report needs at least one run")
    names = list(labels) if labels is not None else [run_label(r, i) for i, r in enumerate(runs)]
    if len(set(names)) < len(names):
        names = [f"{n} ({i + 1})" for i, n in enumerate(names)]
    first = runs[0].summary
    ready = digested_run(runs[0], digest) if digest is not None and len(runs) == 1 else None
    digests, marks, deltas = ready or digest_runs(runs, max_points)
    title = f"raidsim report: {first.get('vehicle', '?')} on {first.get('stage', '?')}"
    note = stopped_note(runs[0])
    if note:
        title += f" ({note.split(' (')[0]})"
    parts: list[str] = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{len(runs)} run(s): {html.escape(", ".join(names))}. '
        f"Generated {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}. Plots are decimated "
        f"for display (min/max per bucket, ≤ {max_points} points per trace); tables use "
        "full-rate data.</p>",
        '<h2>Summary</h2><div class="cards">',
        *(
            _summary_card(r, digests[i], names[i], RUN_COLOURS[i % len(RUN_COLOURS)])
            for i, r in enumerate(runs)
        ),
        "</div>",
        "<h2>Route</h2>",
        *plot_div(_map_figure(digests, names, runs[0])),
    ]
    if len(runs) > 1:
        parts += [
            "<h2>Comparison</h2>",
            *plot_div(_comparison_figure(digests, names, deltas), "comparison"),
        ]
    parts += [
        "<h2>Split times</h2>",
        '<p class="note">Every 10 km and at waypoints; time from the start of the run.</p>',
        _splits_table(digests, names, marks),
    ]
    traces = list(limits) if limits is not None else [load_limits(r) for r in runs]
    parts += _time_loss_parts(runs, names, traces)
    for i in range(len(runs)):
        parts.append(f"<h2>{html.escape(names[i])}</h2>")
        fig = _channels_figure(digests[i], names[i])
        if fig is not None:
            parts += plot_div(fig)
        op = digests[i].operating
        if op is not None:
            cap = runs[i].summary.get("restrictor_cap_kW")
            parts += plot_div(
                operating_figure(op, names[i], cap if isinstance(cap, float) else None)
            )
        parts += _margins(runs[i].summary)
        parts += [
            f"<h3>Landings</h3><p class='note'>Flights: 0 wheels in contact for ≥ "
            f"{REAL_FLIGHT_S:g} s (jumps); hops of {MIN_AIR_TIME_S:g}-{REAL_FLIGHT_S:g} s "
            "are counted below the table.</p>",
            _landing_table(digests[i].flights),
        ]
    page = html_page(title, parts)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, page.encode("utf-8"))
    return path
