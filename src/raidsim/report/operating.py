"""Where the car operated: the G-G diagram, time in each gear, the engine-speed histogram
and engine power against the restrictor's cap, from one streamed pass.

:class:`OperatingPoints` is fed the run's batches (:class:`raidsim.report.stream.
RunDigester` does it) and keeps fixed-size counts: a 2-D histogram of lateral and
longitudinal acceleration (g), samples per gear, an engine-speed histogram and the highest
engine power seen in each engine-speed bin. Each sample weighs one sample period, so the
counts are times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from raidsim.report.figures import FigureDict, figure, scatter, subplot_layout, with_axis
from raidsim.units import G_MPS2

__all__ = ["GG_EDGES_G", "RPM_EDGES", "OperatingPoints", "Operating", "operating_figure"]

F64 = NDArray[np.float64]
#: G-G bins, g (0.05 g wide, +-2 g)
GG_EDGES_G = np.linspace(-2.0, 2.0, 81)
#: engine-speed bins, rpm (100 rpm wide)
RPM_EDGES = np.arange(0.0, 8100.0, 100.0)
MAX_GEAR = 12
COLUMNS = ("ax_mps2", "ay_mps2", "gear", "engine_speed_rpm", "engine_power_kW")


@dataclass(frozen=True)
class Operating:
    """Times (s) per G-G cell (ax rows, ay columns), per gear (index = gear), per rpm
    bin, and the peak power (kW) per rpm bin (NaN where none)."""

    gg_time_s: F64
    gear_time_s: F64
    rpm_time_s: F64
    power_peak_kW: F64


class OperatingPoints:
    """The accumulator; ``update`` with batches holding :data:`COLUMNS`."""

    def __init__(self, sample_rate_hz: float) -> None:
        self.dt_s = 1.0 / sample_rate_hz if sample_rate_hz > 0 else 0.0
        n = len(GG_EDGES_G) - 1
        self.gg = np.zeros((n, n))
        self.gear = np.zeros(MAX_GEAR + 1)
        self.rpm = np.zeros(len(RPM_EDGES) - 1)
        self.power = np.full(len(RPM_EDGES) - 1, -np.inf)

    @staticmethod
    def wants(columns: Sequence[str]) -> bool:
        return set(COLUMNS) <= set(columns)

    def update(self, values: Mapping[str, F64]) -> None:
        ax = np.asarray(values["ax_mps2"], dtype=np.float64) / G_MPS2
        ay = np.asarray(values["ay_mps2"], dtype=np.float64) / G_MPS2
        ok = np.isfinite(ax) & np.isfinite(ay)
        self.gg += np.histogram2d(ax[ok], ay[ok], bins=(GG_EDGES_G, GG_EDGES_G))[0]
        gear = np.asarray(values["gear"], dtype=np.float64)
        gear = np.clip(np.nan_to_num(gear, nan=0.0), 0, MAX_GEAR).astype(np.int64)
        self.gear += np.bincount(gear, minlength=MAX_GEAR + 1)
        rpm = np.asarray(values["engine_speed_rpm"], dtype=np.float64)
        power = np.asarray(values["engine_power_kW"], dtype=np.float64)
        ok = np.isfinite(rpm) & np.isfinite(power)
        self.rpm += np.histogram(rpm[ok], bins=RPM_EDGES)[0]
        k = np.clip(np.searchsorted(RPM_EDGES, rpm[ok], side="right") - 1, 0, len(self.rpm) - 1)
        np.maximum.at(self.power, k, power[ok])

    def result(self) -> Operating:
        peak = np.where(np.isfinite(self.power), self.power, np.nan)
        return Operating(self.gg * self.dt_s, self.gear * self.dt_s, self.rpm * self.dt_s, peak)


def _centres(edges: F64) -> F64:
    return 0.5 * (edges[:-1] + edges[1:])


def operating_figure(op: Operating, label: str, cap_kW: float | None) -> FigureDict:
    """Four panels: G-G (time per cell, log colour), time per gear, time per 100 rpm, and
    the peak engine power per 100 rpm against the restrictor's cap (a line at
    ``cap_kW``, when known)."""
    layout = subplot_layout()
    layout.update(
        grid={"rows": 2, "columns": 2, "pattern": "independent"},
        title={"text": f"{label}: where the car operated"},
        height=760,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        showlegend=True,
        legend={"orientation": "h", "y": -0.08},
    )
    c = _centres(GG_EDGES_G)
    gg = np.where(op.gg_time_s > 0, np.log10(np.maximum(op.gg_time_s, 1e-9)), np.nan)
    data: list[dict[str, Any]] = [
        {
            "type": "heatmap",
            "x": c.tolist(),
            "y": c.tolist(),
            "z": np.round(gg, 3).tolist(),
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "log10 time [s]"}, "len": 0.45, "y": 0.78},
            "name": "G-G [g]",
            "hovertemplate": "ay %{x:.2f} g<br>ax %{y:.2f} g<br>log10 s %{z}<extra></extra>",
        }
    ]
    gears = np.arange(len(op.gear_time_s))
    used = op.gear_time_s > 0
    data.append(
        {
            "type": "bar",
            "x": gears[used].tolist(),
            "y": (op.gear_time_s[used] / 60.0).tolist(),
            "name": "time in gear [min]",
            "xaxis": "x2",
            "yaxis": "y2",
        }
    )
    rc = _centres(RPM_EDGES)
    data.append(
        {
            "type": "bar",
            "x": rc.tolist(),
            "y": (op.rpm_time_s / 60.0).tolist(),
            "name": "time per 100 rpm [min]",
            "xaxis": "x3",
            "yaxis": "y3",
        }
    )
    ok = np.isfinite(op.power_peak_kW)
    data.append(
        scatter(
            rc[ok], op.power_peak_kW[ok], mode="lines+markers", name="peak engine power [kW]",
            xaxis="x4", yaxis="y4", marker={"size": 3},
        )
    )  # fmt: skip
    if cap_kW is not None and ok.any():
        x = [float(rc[ok].min()), float(rc[ok].max())]
        line = {"dash": "dash", "color": "#d62728"}
        data.append(
            scatter(
                x, [cap_kW, cap_kW], mode="lines", name=f"restrictor cap {cap_kW:.0f} kW",
                xaxis="x4", yaxis="y4", line=line,
            )
        )  # fmt: skip
    axes = (
        ("xaxis", "ay lateral [g]"),
        ("yaxis", "ax longitudinal [g]"),
        ("xaxis2", "gear"),
        ("yaxis2", "time [min]"),
        ("xaxis3", "engine speed [rpm]"),
        ("yaxis3", "time [min]"),
        ("xaxis4", "engine speed [rpm]"),
        ("yaxis4", "engine power [kW]"),
    )
    for axis, text in axes:
        with_axis(layout, axis, title={"text": text})
    with_axis(layout, "yaxis", scaleanchor="x", scaleratio=1)
    return figure(data, layout)
