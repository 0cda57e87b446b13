"""``python -m raidsim.cli``."""

from raidsim.cli import main

main()
