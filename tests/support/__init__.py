"""Helpers only the tests use (laws that derive a preset value, not run by a tier)."""
