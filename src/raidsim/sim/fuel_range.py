"""Running dry: the fuel a car carries against what the stage takes between refuels
(docs/physics.md §9.4).

A car starts the special with ``fuel.fuel_load_L`` aboard and may take on fuel at the
stage's ``[[refuels]]`` points. Between two of them (the start, the refuels, the finish) it
cannot burn more than its fuel load, however much the tank would hold: the first metre at
which the fuel burnt since the last refuel point exceeds the load is where it runs dry, and
the run stops there (the transient tier, :func:`raidsim.sim.runner.drive`) or is reported
as running dry there, never as a finish (the QSS tier, ``summary["runs_dry_km"]``).

Both tiers feed the same :class:`FuelWatch` with the distance along the route and the
cumulative fuel burnt, the transient chunk by chunk and the QSS in one piece, so both
find the same point on the same fuel trace. The car's mass keeps following the fuel burnt
since the start (a refuel tops the tank up to what the next segment needs, which the
campaign's fuel plan sizes; the stage run does not add it back).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


class FuelWatch:
    """The first sample at which the fuel burnt since the last refuel point exceeds the
    fuel load, over samples given in order and in chunks of any size."""

    def __init__(self, fuel_load_kg: float, refuel_m: Sequence[float]) -> None:
        self.fuel_load_kg = float(fuel_load_kg)
        self.refuel_m = tuple(sorted(float(r) for r in refuel_m))
        self._next = 0  # index of the next refuel point ahead
        self._segment_start_kg = 0.0  # fuel burnt when the car passed the last one

    def update(self, distance_m: F64, fuel_used_kg: F64) -> int | None:
        """Index (into this chunk) of the first sample that has run dry, or None."""
        d = np.asarray(distance_m, dtype=np.float64)
        f = np.asarray(fuel_used_kg, dtype=np.float64)
        start, n = 0, len(d)
        while start < n:
            end = n
            if self._next < len(self.refuel_m):
                reached = np.flatnonzero(d[start:] >= self.refuel_m[self._next])
                if reached.size:
                    end = start + int(reached[0])
            over = np.flatnonzero(f[start:end] - self._segment_start_kg > self.fuel_load_kg)
            if over.size:
                return start + int(over[0])
            if end >= n:
                return None
            self._segment_start_kg = float(f[end])  # refuelled at sample ``end``
            self._next += 1
            start = end
        return None

    def message(self, distance_m: float, fuel_density_kg_per_L: float) -> str:
        """What to tell the crew: where it ran dry and on what load."""
        load_L = self.fuel_load_kg / fuel_density_kg_per_L
        where = (
            "the start"
            if self._next == 0
            else f"the refuel at km {self.refuel_m[self._next - 1] / 1000.0:.1f}"
        )
        return (
            f"ran out of fuel at km {distance_m / 1000.0:.1f}: the {load_L:.0f} L fuel load "
            f"(fuel.fuel_load_L) is burnt {distance_m / 1000.0 - self._last_km():.1f} km after "
            f"{where}"
        )

    def _last_km(self) -> float:
        return 0.0 if self._next == 0 else self.refuel_m[self._next - 1] / 1000.0


def fuel_watch(
    fuel_load_L: float, density_kg_per_L: float, refuel_km: Sequence[float]
) -> FuelWatch:
    """The watch of a car carrying ``fuel_load_L`` on a stage with refuel points at
    ``refuel_km``."""
    return FuelWatch(fuel_load_L * density_kg_per_L, [km * 1000.0 for km in refuel_km])
