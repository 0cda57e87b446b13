"""The run report's digest, made while ``raidsim run`` writes the telemetry.

``raidsim run`` writes report.html after the run. Reading telemetry.parquet back for it
(:func:`raidsim.report.stream.digest_run`) would take ~0.1 s after the kernel has finished
(``benchmarks/bench_startup.py``); instead :class:`LiveDigest` is handed to
:func:`raidsim.sim.runner.simulate` as ``on_table`` and digests each row group
of the file on the writer's thread as it is written, beside the kernel. The row groups
are the values as stored, and the digest does not depend on how the rows are batched, so
it is the digest the file gives (``tests/report/test_live.py``).

The split markers depend on how far the run got (every 10 km up to its last distance),
so the live digest times every marker up to 20 km past the stage's length, and
:func:`raidsim.report.html.digested_run` keeps those of the run. Should anything not
fit (another stage's waypoints in the summary, an error while digesting), the report
streams the file as before: the live digest only saves time.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from raidsim.decimate import MAX_POINTS
from raidsim.io.runs import waypoint_markers
from raidsim.io.telemetry import schema_sample_rate_hz
from raidsim.report.analysis import SPLIT_EVERY_M, split_marks
from raidsim.report.html import PATH_COLUMNS, trace_scales
from raidsim.report.stream import RunDigest, RunDigester

__all__ = ["LiveDigest"]


class LiveDigest:
    """``on_table`` for :func:`~raidsim.sim.runner.simulate`: the report digest
    of the run of stage ``stage_name`` (``stage_length_m`` long) as it is written.

    Called on the writer's thread; read :meth:`digest` once the run has returned."""

    def __init__(self, stage_name: str, stage_length_m: float, max_points: int = MAX_POINTS):
        waypoints = waypoint_markers({"stage": stage_name})
        self.waypoints_m = [w.distance_m for w in waypoints]
        marks = split_marks(waypoints, stage_length_m + 2 * SPLIT_EVERY_M)
        self.split_marks_m = [m[0] for m in marks]
        self.max_points = max_points
        self.error: BaseException | None = None
        self._digester: RunDigester | None = None

    def __call__(self, table: pa.Table) -> None:
        """Digest the next row group; an error stops the live digest (and is kept)."""
        if self.error is not None:
            return
        try:
            if self._digester is None:
                self._digester = self._start(table.schema)
            self._digester.update(pl.from_arrow(table))  # type: ignore[arg-type]
        except Exception as exc:  # the report streams the file instead
            self.error = exc

    def _start(self, schema: pa.Schema) -> RunDigester:
        columns = list(schema.names)
        return RunDigester(
            columns,
            schema_sample_rate_hz(schema),
            trace_scales(columns),
            self.max_points,
            split_marks_m=self.split_marks_m,
            waypoints_m=self.waypoints_m,
            path_columns=PATH_COLUMNS,
        )

    def digest(self) -> RunDigest | None:
        """The digest of every row group written, or None (nothing written, or an error)."""
        if self.error is not None or self._digester is None:
            return None
        return self._digester.result()
