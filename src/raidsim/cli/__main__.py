"""``python -m raidsim.cli``."""

from raidsim.cli import app

app()
