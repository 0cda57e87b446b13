"""What bound the speed at each metre: the one list of limit names and their int8 codes.

The speed plan (:func:`raidsim.control.speed_profile.target_speed_profile`,
:func:`raidsim.sim.plan.build_route_arrays`) is the lowest of several terms; the term
that is lowest at a metre *binds* there. :func:`binding_limits` turns the terms and the
final plan into one int8 code per metre (a metre the backward pass lowered below every
term binds by :attr:`Limit.BRAKING`: the car brakes for something slower ahead). The
run adds the limits of the car itself where it falls short of the plan at full throttle
(power, traction, heat derate: :mod:`raidsim.sim.time_loss`).

To add a term: one member here (a new code at the end, never renumber: codes are stored
in ``limits.parquet``), its label and colour below, and its speed array in the plan's
``terms`` dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray


class Limit(IntEnum):
    """The term that set the speed at a metre (stored as int8)."""

    #: no term (a constant set speed: the ride sweeps)
    NONE = 0
    #: cornering grip: sqrt(usage mu g / |kappa|)
    CORNER = 1
    #: braking for a slower limit ahead (the plan's backward pass)
    BRAKING = 2
    #: a roadbook speed zone (DZ/FZ)
    ZONE = 3
    #: a roadbook feature speed (a jump take-off) at the crew's pace
    FEATURE = 4
    #: the ride limit: absorbed power at the seat reaches the crew's tolerance
    RIDE = 5
    #: the shock limit: peak seat acceleration over whoops or rocks
    SHOCK = 6
    #: the vehicle's own speed limiter
    LIMITER = 7
    #: full throttle below the plan, engine (restrictor-capped) power short
    POWER = 8
    #: full throttle below the plan, tyre/soil traction short of the engine's force
    TRACTION = 9
    #: full throttle below the plan with the ECU's heat derate cutting torque
    DERATE = 10
    #: a dune crest and the slip face behind it: the speed this car and crew take it at
    #: (peak seat shock at the crew's limit, docs/physics.md §14.2)
    CREST = 11
    #: a bog-down on a dune face: the retry and the crawl up the rest of the face (QSS,
    #: docs/physics.md §14.3)
    BOG_DOWN = 12


#: short labels for tables, legends and JSON keys
LABELS: dict[Limit, str] = {
    Limit.NONE: "none",
    Limit.CORNER: "cornering grip",
    Limit.BRAKING: "braking",
    Limit.ZONE: "speed zone",
    Limit.FEATURE: "feature speed",
    Limit.RIDE: "ride limit",
    Limit.SHOCK: "shock limit",
    Limit.LIMITER: "limiter",
    Limit.POWER: "power",
    Limit.TRACTION: "traction",
    Limit.DERATE: "heat derate",
    Limit.CREST: "dune crest",
    Limit.BOG_DOWN: "bog-down",
}

#: one colour per limit (maps, traces and bars use the same)
COLOURS: dict[Limit, str] = {
    Limit.NONE: "#9e9e9e",
    Limit.CORNER: "#1f77b4",
    Limit.BRAKING: "#d62728",
    Limit.ZONE: "#7f7f7f",
    Limit.FEATURE: "#bcbd22",
    Limit.RIDE: "#9467bd",
    Limit.SHOCK: "#8c564b",
    Limit.LIMITER: "#17becf",
    Limit.POWER: "#ff7f0e",
    Limit.TRACTION: "#2ca02c",
    Limit.DERATE: "#e377c2",
    Limit.CREST: "#dbb40c",
    Limit.BOG_DOWN: "#5c3a1e",
}

#: relative margin under every term below which a metre is set by braking
BRAKING_RTOL = 1e-6


def binding_limits(
    plan_mps: NDArray[np.float64], terms: Mapping[Limit, NDArray[np.float64] | float]
) -> NDArray[np.int8]:
    """The code of the lowest term at each metre (the first named wins a tie);
    :attr:`Limit.BRAKING` where the plan lies below every term."""
    plan = np.asarray(plan_mps, dtype=np.float64)
    if not terms:
        return np.full(len(plan), Limit.NONE, dtype=np.int8)
    names = np.array([int(k) for k in terms], dtype=np.int8)
    stack = np.vstack(
        [np.broadcast_to(np.asarray(v, dtype=np.float64), plan.shape) for v in terms.values()]
    )
    low = stack.argmin(axis=0)
    code = names[low]
    lowest = stack[low, np.arange(len(plan))]
    code[plan < lowest * (1.0 - BRAKING_RTOL)] = Limit.BRAKING
    return code.astype(np.int8)
