"""The report's figure dicts: valid plotly figures, typed arrays that decode to the traces,
every trace on an axis its layout has, and the layout ``warm_up`` builds is the one used."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from raidsim.io.runs import load_run
from raidsim.report import figures, html, limits
from raidsim.report.figures import scatter, subplot_layout, typed, with_axis
from raidsim.report.operating import operating_figure
from raidsim.sim.time_loss import compare_table


def _decode(spec: dict[str, Any]) -> np.ndarray:
    assert spec["dtype"] == "f4"
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f4")


def test_typed_arrays_decode_to_float32() -> None:
    values = np.array([0.1, -2.5, 1e6, np.nan])
    np.testing.assert_array_equal(_decode(typed(values)), values.astype(np.float32))
    trace = scatter([1.0, 2.0], [3.0, 4.0], mode="lines", xaxis="x2")
    assert trace["type"] == "scatter" and trace["xaxis"] == "x2"
    np.testing.assert_array_equal(_decode(trace["y"]), [3.0, 4.0])


def test_subplot_layout_is_make_subplots_and_a_fresh_dict() -> None:
    titles = ["a", "b", "c"]
    ref = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.05, subplot_titles=titles
    )
    layout = subplot_layout(titles, 0.05)
    assert layout == ref.to_dict()["layout"]
    assert layout["yaxis3"]["domain"][0] == pytest.approx(0.0)
    assert layout["xaxis"]["matches"] == "x3"  # shared x: the top axes follow the bottom one
    with_axis(layout, "xaxis3", title={"text": "km"})
    assert "title" not in subplot_layout(titles, 0.05)["xaxis3"]  # the cache is untouched


@pytest.fixture(scope="module")
def report_figures(short_runs: list[Path]) -> dict[str, Any]:
    runs = [load_run(d) for d in short_runs]
    digests, _, deltas = html.digest_runs(runs)
    traces = [limits.load_limits(r) for r in runs]
    assert all(t is not None for t in traces) and digests[0].operating is not None
    names = ["seed0", "seed1"]
    return {
        "digests": digests,
        "map": html._map_figure(digests, names, runs[0]),
        "comparison": html._comparison_figure(digests, names, deltas),
        "channels": html._channels_figure(digests[0], "seed0"),
        "time_loss": limits.time_loss_figure(traces[0], "seed0"),
        "limits_map": limits.limits_map(traces[0], "seed0"),
        "gain": limits.gain_figure(compare_table(traces[0], traces[1]), "seed0", "seed1"),
        "operating": operating_figure(digests[0].operating, "seed0", 280.0),
    }


def _row_titles(fig: dict[str, Any]) -> dict[str, str]:
    """y axis name (``y``, ``y2``) -> its title: the axis title, else the subplot title."""
    layout = fig["layout"]
    titles = {}
    notes = [a["text"] for a in layout.get("annotations", [])]
    for key, axis in layout.items():
        if not key.startswith("yaxis"):
            continue
        ref = "y" + key[5:]
        row = int(key[5:] or 1)
        text = axis.get("title", {}).get("text") or (notes[row - 1] if row <= len(notes) else "")
        titles[ref] = text
    return titles


@pytest.mark.parametrize("name", ["channels", "comparison"])
def test_legend_units_match_their_axes(report_figures: dict[str, Any], name: str) -> None:
    """A trace drawn on an axis in km/h says km/h (not speed_mps), one in kN says kN; a
    trace on an axis without a unit names none."""
    fig = report_figures[name]
    titles = _row_titles(fig)
    checked = 0
    for trace in fig["data"]:
        if trace.get("type", "scatter") != "scatter":
            continue
        unit = html.axis_unit(titles[trace.get("yaxis", "y")])
        legend = trace["name"]
        assert "_" not in legend, legend  # no stored column names with their SI suffix
        assert html.axis_unit(legend) == unit, (legend, titles[trace.get("yaxis", "y")])
        checked += 1
    assert checked >= 2
    assert html.legend_name("speed_mps", "speed [km/h]") == "speed [km/h]"
    assert html.legend_name("brake_disc_C_fl", "brake disc [°C]") == "brake disc fl [°C]"
    assert html.legend_name("gear", "gear") == "gear"


@pytest.mark.parametrize(
    "name", ["map", "comparison", "channels", "time_loss", "limits_map", "gain", "operating"]
)
def test_figures_are_valid_plotly_figures(report_figures: dict[str, Any], name: str) -> None:
    fig = report_figures[name]
    go.Figure(fig)  # plotly validates every property: a wrong name or value raises
    layout = fig["layout"]
    assert layout["template"]["layout"]  # the default template, as a go.Figure has it
    for trace in fig["data"]:
        for axis in ("xaxis", "yaxis"):
            ref = trace.get(axis, axis[0])
            assert axis + ref[1:] in layout, (name, trace["name"], ref)


def test_channel_traces_are_the_digests(report_figures: dict[str, Any]) -> None:
    digest = report_figures["digests"][0]
    fig = report_figures["channels"]
    by_name = {t["meta"]: t for t in fig["data"]}  # the column; the legend has the unit
    assert set(by_name) == set(digest.traces)
    for name, (x_km, y) in digest.traces.items():
        np.testing.assert_array_equal(_decode(by_name[name]["x"]), x_km.astype(np.float32))
        np.testing.assert_array_equal(_decode(by_name[name]["y"]), y.astype(np.float32))
    rows = len({t["yaxis"] for t in fig["data"]})
    bottom = "xaxis" + (str(rows) if rows > 1 else "")
    assert fig["layout"][bottom]["title"]["text"] == "distance [km]"


def test_warm_up_builds_the_channel_layout_the_report_uses(
    report_figures: dict[str, Any],
) -> None:
    digest = report_figures["digests"][0]
    figures._layout.cache_clear()
    html.warm_up(digest.columns)
    built = figures._layout.cache_info().currsize
    html._channels_figure(digest, "seed0")
    info = figures._layout.cache_info()
    assert info.currsize == built and info.hits >= 1
