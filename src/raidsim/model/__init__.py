"""Validated specs (pydantic, frozen): vehicles, stages, ambient, settings."""
