"""The telemetry export formats (the CLI's choices), without the readers behind them."""

from __future__ import annotations

import enum

__all__ = ["ExportFormat"]


class ExportFormat(enum.StrEnum):
    """Telemetry export formats of :func:`raidsim.io.runs.export_run` (values are the CLI
    spellings)."""

    parquet = "parquet"
    csv = "csv"
    ld = "ld"
