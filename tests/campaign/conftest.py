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
