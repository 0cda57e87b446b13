"""Self-contained offline HTML reports of raidsim runs (see :mod:`raidsim.report.html`) and
of season campaigns (see :mod:`raidsim.report.season`)."""

from raidsim.report.html import build_report
from raidsim.report.season import build_season_report, write_report

__all__ = ["build_report", "build_season_report", "write_report"]
