"""Campaign fixtures: a 3-stage spec, a private QSS cache, the base table (per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from raidsim.campaign.model import BaseTable, build_base_table
from raidsim.campaign.spec import CampaignSpec, load_spec

RALLY = "dakar-2026"
SMALL = 'stages = ["prologue", "1", "13"]\n'


@pytest.fixture(scope="session", autouse=True)
def qss_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("qss-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("RAIDSIM_CACHE_DIR", str(path))
    yield path
    mp.undo()


@pytest.fixture(scope="session")
def small_spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "small.toml"
    path.write_text(SMALL, "utf-8")
    return path


@pytest.fixture(scope="session")
def small_spec(small_spec_file: Path) -> CampaignSpec:
    return load_spec(small_spec_file)


@pytest.fixture(scope="session")
def small_table(small_spec: CampaignSpec) -> BaseTable:
    return build_base_table(RALLY, small_spec)


def synthetic_table(n_crews: int, n_stages: int, stage_s: float = 4 * 3600.0) -> BaseTable:
    """A rally of ``n_stages`` alike specials (400 km, the shipped spec's typical hazards:
    ~0.4 punctures and ~0.07 mechanical incidents a special) for ``n_crews`` alike cars,
    with no QSS run: for tests of the Monte Carlo layer alone."""
    waypoints = [10, 3, 2, 1, 1, 1, 1]  # WPV WPM WPS WPE WPC WPN WPP
    return BaseTable(
        crews=[f"crew {c + 1}" for c in range(n_crews)],
        classes=["Stock"] * n_crews,
        stages=[f"synthetic/{s + 1}" for s in range(n_stages)],
        labels=[f"Stage {s + 1}" for s in range(n_stages)],
        service_before=[True] * n_stages,
        special_km=[400.0] * n_stages,
        waypoints=[waypoints] * n_stages,
        speed_zones=[3] * n_stages,
        landings=[0] * n_stages,
        spares=[3] * n_crews,
        usable_fuel_L=[500.0] * n_crews,
        base_time_s=[[stage_s] * n_stages for _ in range(n_crews)],
        fuel_segment_L=[[100.0] * n_stages for _ in range(n_crews)],
        brake_energy_MJ=[[50.0] * n_stages for _ in range(n_crews)],
        landing_peak_torque_Nm=[float("nan")] * n_crews,
        derate_time_s=[[0.0] * n_stages for _ in range(n_crews)],
        puncture_rate=[[0.4] * n_stages for _ in range(n_crews)],
        mechanical_hazard=[[0.07] * n_stages for _ in range(n_crews)],
    )


def synthetic_spec(
    n_crews: int, pace: float | list[float] = 1.10, sigma: float = 0.04
) -> CampaignSpec:
    """The shipped spec with ``n_crews`` crews (names as :func:`synthetic_table`), all at
    ``pace`` or each at its own."""
    spec = load_spec()
    crew = spec.crews[0]
    paces = pace if isinstance(pace, list) else [pace] * n_crews
    crews = [
        crew.model_copy(
            update={"name": f"crew {c + 1}", "pace_factor": paces[c], "variability_sigma": sigma}
        )
        for c in range(n_crews)
    ]
    return spec.model_copy(update={"crews": crews})
