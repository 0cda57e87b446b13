"""Report figures as plain plotly figure dicts, rendered without plotly's validation.

A ``plotly.graph_objects.Figure`` validates every property as it is set (and again when
it is rendered): for the run report's two figures that is ~0.1 s of the 0.2 s the report
takes after a run (``benchmarks/bench_startup.py``), for properties this module writes
itself. So the run report's figures are figure dicts (``{"data": [...], "layout": {...}}``,
plotly's JSON figure schema) rendered with ``plotly.io.to_html(..., validate=False)``:

* the layouts come from plotly itself, once per set of panels: :func:`subplot_layout`
  is :func:`plotly.subplots.make_subplots`'s layout (axis domains, shared x axes, subplot
  titles) with the default template, kept in a small cache (``raidsim run`` builds the
  one its report needs while the kernel runs, :func:`raidsim.report.html.warm_up`);
* the data arrays are plotly.js typed arrays (``{"dtype": "f4", "bdata": ...}``, made
  by plotly's own ``to_typed_array_spec``), as a validated figure stores them;
* :func:`figure_html` renders a figure dict, or a ``go.Figure`` as it is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import to_typed_array_spec
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

__all__ = ["FigureDict", "figure", "figure_html", "scatter", "subplot_layout", "typed", "with_axis"]

FigureDict = dict[str, Any]


def typed(values: ArrayLike) -> Any:
    """``values`` as float32, in plotly.js's typed-array form (base64 of the bytes)."""
    return to_typed_array_spec(np.ascontiguousarray(values, dtype=np.float32))


def scatter(x: ArrayLike, y: ArrayLike, **props: Any) -> dict[str, Any]:
    """One ``scatter`` trace of float32 ``x``, ``y`` with plotly properties ``props``
    (``xaxis="x2"``, ``yaxis="y2"`` put it on a subplot)."""
    return {"type": "scatter", "x": typed(x), "y": typed(y), **props}


@functools.lru_cache(maxsize=16)
def _layout(
    titles: tuple[str, ...], vertical_spacing: float, row_heights: tuple[float, ...] | None
) -> FigureDict:
    if not titles:
        return dict(go.Figure().to_dict()["layout"])
    fig = make_subplots(
        rows=len(titles),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=vertical_spacing,
        subplot_titles=list(titles),
        row_heights=list(row_heights) if row_heights is not None else None,
    )
    return dict(fig.to_dict()["layout"])


def subplot_layout(
    titles: Sequence[str] = (),
    vertical_spacing: float = 0.03,
    row_heights: Sequence[float] | None = None,
) -> FigureDict:
    """The layout of a column of subplots sharing one x axis (row ``k`` has axes
    ``xaxis{k}``/``yaxis{k}``, traces ``xaxis="x{k}", yaxis="y{k}"``; the first has no
    number), titled ``titles``; no titles: one plot. The default template included.

    A new dict each call (its nested values are shared with the cache: replace them,
    e.g. with :func:`with_axis`, rather than change them in place)."""
    heights = tuple(row_heights) if row_heights is not None else None
    return dict(_layout(tuple(titles), float(vertical_spacing), heights))


def with_axis(layout: FigureDict, axis: str, **props: Any) -> None:
    """Set ``props`` on ``layout[axis]`` (``"xaxis3"``), copying the axis dict first."""
    layout[axis] = {**layout.get(axis, {}), **props}


def figure(data: Sequence[Mapping[str, Any]], layout: FigureDict) -> FigureDict:
    """A plotly figure dict."""
    return {"data": list(data), "layout": layout}


def figure_html(fig: FigureDict | go.Figure, config: Mapping[str, Any]) -> str:
    """The ``<div>`` fragment (no plotly.js) of a figure dict (unvalidated) or a
    ``go.Figure``."""
    if isinstance(fig, go.Figure):
        return str(fig.to_html(full_html=False, include_plotlyjs=False, config=dict(config)))
    return str(
        pio.to_html(
            fig, config=dict(config), full_html=False, include_plotlyjs=False, validate=False
        )
    )
