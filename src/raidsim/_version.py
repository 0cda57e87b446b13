"""The package version, in the bottom layer so any module can read it without importing
the root package (``raidsim/__init__.py`` re-exports it as ``raidsim.__version__``)."""

__version__ = "0.1.0"
