"""Season campaign: points by the scale, worker-count independence, resume after SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from raidsim.campaign.championship import standings
from raidsim.campaign.runner import dask_client
from raidsim.campaign.season import load_season_spec, run_season
from raidsim.campaign.spec import load_spec

SEASON = """
season = "test"
ambient_spread_C = 3.0
[points]
positions = [30, 25]
beyond = 2
non_finisher = 1
stage_points = [5, 4]
manufacturer_scorers = 2
[manufacturers]
"d7x-r" = "Land Rover"
"lc-gr-sport" = "Toyota"
[[rounds]]
rally = "portugal-2026"
[[rounds]]
rally = "abu-dhabi-2026"
coefficient = 2.0
"""
CREWS = """
[[crews]]
name = "A"
vehicle = "d7x-r"
pace_factor = 1.10
variability_sigma = 0.04
[[crews]]
name = "B"
vehicle = "lc-gr-sport"
pace_factor = 1.10
variability_sigma = 0.04
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "season.toml").write_text(SEASON)
    (tmp_path / "crews.toml").write_text(CREWS)
    return tmp_path / "season.toml", tmp_path / "crews.toml"


def test_points_by_hand(files: tuple[Path, Path]) -> None:
    season, spec = load_season_spec(files[0]), load_spec(files[1])
    nan = np.nan
    r1 = np.array([[[100.0, 200.0], [110.0, 150.0]]])  # totals A 300 s, B 260 s
    r2 = np.array([[[100.0, 100.0], [nan, nan]]])  # B retires in round 2
    s = standings(season, spec, [r1, r2], ["Stock", "Stock"])
    # round 1: B 260 s < A 300 s -> B 30, A 25; stages: A 5 + B 5 (s2), B 4 + A 4
    assert s["position_points"][0, :, 0].tolist() == [25.0, 30.0]
    assert s["stage_points"][0, :, 0].tolist() == [9.0, 9.0]
    # round 2 (coefficient 2): A 2 x 30 + 5 + 5; B non-finisher 2 x 1
    assert s["points"][0, :, 1].tolist() == [70.0, 2.0]
    assert s["cumulative"][0, :, 1].tolist() == [104.0, 41.0]
    assert s["champion"]["Stock"][0] == 0 and s["deciding_round"]["Stock"][0] == 1
    assert s["manufacturer_total"]["Stock"][0].tolist() == [104.0, 41.0]
    # B led after round 1 (55 vs 34), A after round 2
    assert s["standing"][0].tolist() == [[2, 1], [1, 2]]


def test_classes_score_separately(files: tuple[Path, Path], tmp_path: Path) -> None:
    """W2RC scores Ultimate and Stock apart: each class's fastest crew gets 1st place's
    points, stage points and the title of its own class, whatever the other class did."""
    (tmp_path / "four.toml").write_text(
        CREWS.replace('name = "A"', 'name = "A"\nentry_class = "Ultimate"').replace(
            'name = "B"', 'name = "B"\nentry_class = "Ultimate"'
        )
        + CREWS.replace('"A"', '"C"').replace('"B"', '"D"')
    )
    season, spec = load_season_spec(files[0]), load_spec(tmp_path / "four.toml")
    classes = [c.entry_class for c in spec.crews]
    assert classes == ["Ultimate", "Ultimate", "Stock", "Stock"]
    # the Stock crews C, D are far slower than A, B on every special
    r1 = np.array([[[100.0, 200.0], [110.0, 150.0], [500.0, 500.0], [400.0, 700.0]]])
    r2 = np.array([[[100.0, 100.0], [np.nan, np.nan], [300.0, 300.0], [310.0, 290.0]]])
    s = standings(season, spec, [r1, r2], classes)
    assert s["position"][0, :, 0].tolist() == [2, 1, 1, 2]
    assert s["position_points"][0, :, 0].tolist() == [25.0, 30.0, 30.0, 25.0]
    # stage points within Stock: special 1 D 5, C 4; special 2 C 5, D 4
    assert s["stage_points"][0, 2:, 0].tolist() == [4.0 + 5.0, 5.0 + 4.0]
    # round 2 (x2): C 600 s vs D 600 s tie -> crew order: C 1st
    assert s["position_points"][0, 2:, 1].tolist() == [60.0, 50.0]
    assert s["cumulative"][0].tolist() == [[34.0, 104.0], [39.0, 41.0], [39.0, 108.0], [34.0, 93.0]]
    assert s["champion"]["Ultimate"][0] == 0 and s["champion"]["Stock"][0] == 2
    assert s["standing"][0, :, -1].tolist() == [1, 2, 1, 2]
    assert s["manufacturers"] == {
        "Stock": ["Land Rover", "Toyota"],
        "Ultimate": ["Land Rover", "Toyota"],
    }
    assert s["manufacturer_total"]["Ultimate"][0].tolist() == [104.0, 41.0]


def test_one_and_two_workers_identical(files: tuple[Path, Path], tmp_path: Path) -> None:
    season, spec = load_season_spec(files[0]), load_spec(files[1])
    a = run_season(season, spec, replicates=8, seed=5, out_dir=tmp_path / "a", chunk_size=2)
    with dask_client(2, None) as client:
        b = run_season(
            season, spec, replicates=8, seed=5, out_dir=tmp_path / "b", chunk_size=2, client=client
        )
    assert a == b
    ta = pq.read_table(tmp_path / "a" / "championship.parquet")
    assert ta.equals(pq.read_table(tmp_path / "b" / "championship.parquet"))
    assert {r["crew"] for r in a["crews"]} == {"A", "B"}
    assert sum(a["deciding_round"]["Stock"].values()) == pytest.approx(1.0)
    assert sum(c["p_champion"] for c in a["crews"]) == pytest.approx(1.0)
    cols = ta.column_names
    assert "entry_class" in cols and "standing" in cols and "round_index" in cols


def test_resume_after_sigkill(files: tuple[Path, Path], tmp_path: Path) -> None:
    def cli(out: Path) -> list[str]:
        return [
            sys.executable, "-c", "from raidsim.cli import app; app()", "campaign",
            str(files[0]), "--out", str(out), "--crews", str(files[1]), "--replicates", "40",
            "--chunk-size", "1", "--seed", "9", "--workers", "0", "--quiet",
        ]  # fmt: skip

    ref = tmp_path / "ref"
    subprocess.run(cli(ref), check=True, capture_output=True)
    out = tmp_path / "killed"
    proc = subprocess.Popen(cli(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*/chunk-*.parquet"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "championship.parquet").exists()
    subprocess.run(cli(out), check=True, capture_output=True)
    assert json.loads((out / "season.json").read_text()) == json.loads(
        (ref / "season.json").read_text()
    )
    assert pq.read_table(out / "championship.parquet").equals(
        pq.read_table(ref / "championship.parquet")
    )
