"""Correlation with logged data: import logs, align by distance, fit named correction
factors with the QSS tier, report (docs/design.md "Correlation with logged data")."""
