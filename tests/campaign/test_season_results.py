"""The season with real round results: one file with a ``rally`` column, rounds fixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from raidsim.campaign.championship import round_dir
from raidsim.campaign.model import build_base_table, simulate_arrays
from raidsim.campaign.results import replicate_csv
from raidsim.campaign.season import load_season_spec, run_season
from raidsim.campaign.spec import load_spec
from raidsim.errors import ConfigError

SEASON = """
season = "test"
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


def _season_results(tmp_path: Path) -> tuple[Path, object, object, int]:
    (tmp_path / "season.toml").write_text(SEASON)
    (tmp_path / "crews.toml").write_text(CREWS)
    season = load_season_spec(tmp_path / "season.toml")
    spec = load_spec(tmp_path / "crews.toml")
    lines = ["# synthetic: replicate 0 of each round, portugal whole, abu-dhabi 2 stages"]
    header = ""
    n_portugal = 0
    for k, (r, n) in enumerate(zip(season.rounds, (None, 2), strict=True)):
        round_spec = season.round_spec(spec, k)
        table = build_base_table(r.rally, round_spec)
        sim = simulate_arrays(table, round_spec, 11, 0, 1)
        stages = len(table.stages) if n is None else n
        if n is None:
            n_portugal = stages
        rows = replicate_csv(sim, 0, stages, table.crews, table.stages).splitlines()
        header = "rally," + rows[0]
        lines += [f"{r.rally},{row}" for row in rows[1:]]
    path = tmp_path / "season_results.csv"
    path.write_text("\n".join([lines[0], header, *lines[1:]]) + "\n", "utf-8")
    return path, season, spec, n_portugal


def test_season_with_real_rounds(tmp_path: Path) -> None:
    path, season, spec, n_portugal = _season_results(tmp_path)
    out = tmp_path / "season"
    summary = run_season(season, spec, replicates=30, seed=3, out_dir=out, results=path)  # type: ignore[arg-type]
    assert summary["complete"]
    # the round run whole is the same in every replicate: positions and points fixed
    champ = pq.read_table(out / "championship.parquet")
    first = champ["round_index"].to_numpy() == 0
    crew = np.array(champ["crew"].to_pylist())[first]
    pts = champ["round_points"].to_numpy()[first]
    for name in ("A", "B"):
        assert len(set(pts[crew == name])) == 1
    assert (round_dir(out, "portugal-2026") / "results.csv").is_file()
    t = pq.read_table(sorted(round_dir(out, "abu-dhabi-2026").glob("chunk-*.parquet")))
    times = t["stage_time_s"].to_numpy(zero_copy_only=False).reshape(30, 2, -1)
    assert np.nanstd(times[:, :, :2], axis=0).max() < 1e-9  # the two real stages
    assert np.nanstd(times[:, :, 2:], axis=0).max() > 0  # the rest simulated
    assert n_portugal > 2


def _drop_rally_column(text: str) -> str:
    lines = text.splitlines()
    return "\n".join([lines[0], *(ln.split(",", 1)[1] for ln in lines[1:])]) + "\n"


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda text: text.replace("abu-dhabi-2026,", "monaco-2026,", 1), r":\d+: field 'rally'"),
        (_drop_rally_column, r":2: header lacks column rally"),
        (lambda text: text.replace(",A,", ",Z,", 1), r":\d+: field 'crew' = 'Z'"),
    ],
    ids=["unknown rally", "no rally column", "unknown crew"],
)
def test_bad_season_results_write_nothing(tmp_path: Path, edit, match) -> None:  # type: ignore[no-untyped-def]
    path, season, spec, _ = _season_results(tmp_path)
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    out = tmp_path / "season"
    with pytest.raises(ConfigError, match=match):
        run_season(season, spec, replicates=10, seed=3, out_dir=out, results=path)  # type: ignore[arg-type]
    assert not out.exists()
