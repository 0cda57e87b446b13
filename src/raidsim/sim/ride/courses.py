"""Canonical courses of the speed table (docs/physics.md §13.3): straight, level, smooth
except for the one thing they measure.

* ride course: ``RIDE_RUNUP_M`` of run-up, then ``RIDE_MEASURE_M`` of ISO 8608 random
  profile at one level Gd(n0) (both tracks, the stage generator's coherence), on ``hard``
  ground so the soil does not change the input;
* whoops course: whoops of one wavelength and amplitude over the measured length;
* rocks course: a rock field of one amplitude (the kernel's seeded rock noise);
* crest course: one dune met straight on, the windward face, the brink and a slip face of
  one angle and height (docs/physics.md §14.2), then flat ground to land on.

All share the seed ``COURSE_SEED``: the same random ground at every level and speed
(common random numbers, so the table is smooth in speed and level).
"""

from __future__ import annotations

import math

from raidsim.model.surfaces import StageSurfaceName
from raidsim.route.stage import (
    DuneField,
    Rocks,
    Roughness,
    StageDefinition,
    SurfaceSection,
    SyntheticRoute,
    Whoops,
)

#: run-up before the measured part, m (the car settles at the set speed)
RIDE_RUNUP_M = 60.0
#: measured length, m
RIDE_MEASURE_M = 240.0
COURSE_SEED = 8608
#: the version of the course definitions (part of the cache key)
COURSES_VERSION = 2


def _straight(
    name: str,
    surface: StageSurfaceName,
    roughness: Roughness,
    whoops: list[Whoops] | None = None,
    rocks: list[Rocks] | None = None,
    dunes: list[DuneField] | None = None,
    runup_roughness: Roughness | None = None,
) -> StageDefinition:
    """A straight, level course: the run-up (``runup_roughness``, else the course's own)
    and the measured part on ``surface`` of ``roughness``."""
    length_m = RIDE_RUNUP_M + RIDE_MEASURE_M
    route = SyntheticRoute(
        length_km=length_m / 1000.0,
        straight_m=(length_m + 10.0, length_m + 20.0),
        elevation_amplitude_m=0.0,
    )
    split = RIDE_RUNUP_M / 1000.0
    sections = [
        SurfaceSection(
            start_km=0.0,
            end_km=split,
            surface=surface,
            roughness=roughness if runup_roughness is None else runup_roughness,
        ),
        SurfaceSection(
            start_km=split, end_km=length_m / 1000.0, surface=surface, roughness=roughness
        ),
    ]
    return StageDefinition(
        name=name,
        seed=COURSE_SEED,
        synthetic_route=route,
        default_surface="hard",
        sections=sections,
        whoops=whoops or [],
        rocks=rocks or [],
        dunes=dunes or [],
    )


def _km(m: float) -> float:
    return m / 1000.0


def ride_course(gd_n0_m3: float) -> StageDefinition:
    """Random ground of level Gd(n0) (m^3) after a smooth (class A) run-up."""
    return _straight("ride course", "hard", gd_n0_m3, runup_roughness="A")


def whoops_course(wavelength_m: float, amplitude_m: float) -> StageDefinition:
    """Whoops of one wavelength and crest-to-trough amplitude on smooth hard ground."""
    end = RIDE_RUNUP_M + RIDE_MEASURE_M
    whoops = Whoops(
        start_km=_km(RIDE_RUNUP_M),
        end_km=_km(end),
        wavelength_m=wavelength_m,
        amplitude_m=amplitude_m,
    )
    return _straight("whoops course", "hard", "A", whoops=[whoops])


def rocks_course(amplitude_m: float) -> StageDefinition:
    """A rock field of one amplitude on otherwise smooth ground."""
    end = RIDE_RUNUP_M + RIDE_MEASURE_M
    rocks = Rocks(start_km=_km(RIDE_RUNUP_M), end_km=_km(end), amplitude_m=amplitude_m)
    return _straight("rocks course", "rocky", "A", rocks=[rocks])


#: the crest course's windward face as a share of its slip face (12 deg under 32 deg, the
#: stage default: Huggett gives about 15 deg for barchans; docs/physics.md §14.1)
CREST_COURSE_WINDWARD_RATIO = 12.0 / 32.0
#: the crest course's version (part of its cache name: a changed course is re-swept)
CREST_COURSE_VERSION = 6


def crest_course(slip_face_deg: float, height_m: float) -> StageDefinition:
    """One dune on smooth hard ground: flat run-up, the windward face (``slip_face_deg`` x
    :data:`CREST_COURSE_WINDWARD_RATIO`), the brink at ``height_m`` (lowered where so
    gentle a dune would not fit the course) and a slip face of ``slip_face_deg``, then at
    least 40 m of flat."""
    spacing = RIDE_MEASURE_M - 40.0
    windward = slip_face_deg * CREST_COURSE_WINDWARD_RATIO
    per_m = 1.0 / math.tan(math.radians(windward)) + 1.0 / math.tan(math.radians(slip_face_deg))
    dune = DuneField(
        start_km=_km(RIDE_RUNUP_M),
        end_km=_km(RIDE_RUNUP_M + spacing),
        kind="linear",
        spread=0.0,
        crest_spacing_m=spacing,
        height_m=min(height_m, 0.85 * spacing / per_m),
        windward_deg=windward,
        slip_face_deg=slip_face_deg,
        lee_soft_m=0.0,
    )
    return _straight("crest course", "hard", "A", dunes=[dune])
