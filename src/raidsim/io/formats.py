"""The telemetry export formats (the CLI's choices) and the run directory's file names,
without the readers behind them."""

from __future__ import annotations

import enum

__all__ = ["PARTIAL_TELEMETRY_FILE", "STOPPED_FILE", "ExportFormat"]

#: written instead of the summary when a run stops before the finish (lost control, time
#: limit, stuck), beside the telemetry kept up to the stop (:data:`PARTIAL_TELEMETRY_FILE`)
STOPPED_FILE = "stopped.json"
#: the telemetry of a stopped run, up to the stop (a whole, readable Parquet file)
PARTIAL_TELEMETRY_FILE = "telemetry.parquet.partial"


class ExportFormat(enum.StrEnum):
    """Telemetry export formats of :func:`raidsim.io.runs.export_run` (values are the CLI
    spellings)."""

    parquet = "parquet"
    csv = "csv"
    ld = "ld"
