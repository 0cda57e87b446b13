"""Surface classes: the one list of names, their codes, and their tyre/terrain parameters
(physics.md §5).

:data:`SurfaceName` is the only place the classes are written; everything else derives
from it: :data:`SURFACES` (names in code order), :data:`N_SURF`, :data:`SURFACE_CODE`
(the int8 code per name stored in ``Stage.surface_code``, also the index into every
per-surface parameter array of the kernel layout, ``raidsim.sim.layout``) and
:data:`SURFACE_TABLE`.

A stage may also name ``tarmac`` (asphalt): an alias of ``hard``, whose friction and
rolling-resistance scales (1.0, the tyre's hard-ground forces and the hard-road formula)
are already those of asphalt; it differs only in its default roughness class (A).
:data:`STAGE_SURFACE_CODE` maps every name a stage may use, aliases included, to its code.

:data:`ROUGHNESS_CLASS` is the ISO 8608 class a section with ``roughness = "default"``
gets (docs/physics.md §13.1; :mod:`raidsim.route.roughness`).

Per class: friction scale on the tyre's hard-ground forces (lambda_mu), rolling-
resistance scale on the hard-road formula, slip-at-peak scale and sliding/peak ratio
(sand: no traction peak, physics.md §5.2), and an optional Bekker soil for compaction
resistance and, through its cone index, the WES sand traction (physics.md §5.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from raidsim.physics.terramechanics import DRY_SAND, LETE_SAND, Soil

SurfaceName = Literal["hard", "gravel", "rocky", "sand_firm", "sand_soft", "dune", "whoops"]
SURFACES: tuple[str, ...] = get_args(SurfaceName)
N_SURF = len(SURFACES)
SURFACE_CODE: dict[str, int] = {name: i for i, name in enumerate(SURFACES)}


@dataclass(frozen=True)
class Surface:
    name: str
    mu_scale: float
    rolling_scale: float
    slip_peak_scale: float
    sliding_ratio: float  # FS/FM floor
    soil: Soil | None


SURFACE_TABLE: dict[str, Surface] = {
    # estimate: tyre set is for hard ground, mu ~0.85-0.9 (physics.md §5.2)
    "hard": Surface("hard", 1.0, 1.0, 1.0, 0.0, None),
    # estimate: loose gravel mu ~0.7; f 0.02-0.06 [S68][S70] -> ~2.5x hard-road formula
    "gravel": Surface("gravel", 0.78, 2.5, 1.3, 0.85, None),
    # estimate: rock ledges and stones; f ~0.04-0.06 [S68]
    "rocky": Surface("rocky", 0.85, 3.5, 1.2, 0.8, None),
    # reference: LETE sand [S65]; lambda_mu 0.6-0.75 on sand (physics.md §5.2)
    "sand_firm": Surface("sand_firm", 0.72, 1.5, 2.0, 0.95, LETE_SAND),
    # reference: Wong dry sand [S64]; sM 0.2-0.35, FS/FM 0.95-1 (physics.md §5.2)
    "sand_soft": Surface("sand_soft", 0.65, 1.5, 2.3, 0.97, DRY_SAND),
    "dune": Surface("dune", 0.65, 1.5, 2.3, 0.97, DRY_SAND),
    # estimate: whoops are gravel with a wave profile (geometry from the terrain)
    "whoops": Surface("whoops", 0.78, 2.5, 1.3, 0.85, None),
}

assert tuple(SURFACE_TABLE) == SURFACES

#: surface names a stage may use beyond SURFACES, and the class each stands for
SURFACE_ALIASES: dict[str, str] = {"tarmac": "hard"}
StageSurfaceName = Literal[SurfaceName, Literal["tarmac"]]
STAGE_SURFACE_CODE: dict[str, int] = {
    **SURFACE_CODE,
    **{alias: SURFACE_CODE[target] for alias, target in SURFACE_ALIASES.items()},
}
assert set(get_args(StageSurfaceName)) == set(STAGE_SURFACE_CODE)

#: ISO 8608 class of each surface for ``roughness = "default"`` (docs/physics.md §13.1).
#: Class bounds from ISO 8608 [S-N3]; the class of each surface is an estimate (asphalt
#: A-B and gravel C-D are the usual readings of ISO 8608; no sourced PSDs of desert tracks
#: were found), to calibrate against logged ride data.
ROUGHNESS_CLASS: dict[str, str] = {
    "tarmac": "A",  # estimate: good asphalt, ISO 8608 class A-B [S-N3]
    "hard": "C",  # estimate: hard-packed track, rougher than asphalt (B-C)
    "gravel": "D",  # estimate: unpaved roads C-D [S-N3]; D for used rally tracks
    "rocky": "E",  # estimate: rocky tracks E-F (stones, ledges; rocks add the rock field)
    "sand_firm": "C",  # estimate: firm sand ripples; the crests come from features
    "sand_soft": "C",  # estimate: as sand_firm
    "dune": "C",  # estimate: dune shape from the dune features; C for the small ripples
    "whoops": "C",  # estimate: whoops waves are features; C for what lies between them
}
assert set(ROUGHNESS_CLASS) == set(STAGE_SURFACE_CODE)
