"""Self-contained offline HTML reports of raidsim runs (see :mod:`raidsim.report.html`)."""

from raidsim.report.html import build_report

__all__ = ["build_report"]
