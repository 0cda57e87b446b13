"""Whole-rally Monte Carlo campaigns: spec, model, Dask runner, DuckDB report."""
