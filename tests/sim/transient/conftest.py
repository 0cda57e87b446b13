"""The ``at_rest`` fixture of the subsystem tests (:mod:`kernel_support`)."""

from __future__ import annotations

import pytest
from kernel_support import Kernel, kernel_at_rest

from raidsim.model.vehicle import Vehicle


@pytest.fixture
def at_rest(d7xr: Vehicle) -> Kernel:
    """The D7X-R at rest at its static ride height on a flat hard straight."""
    return kernel_at_rest(d7xr)
