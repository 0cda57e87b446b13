"""The season section of the report: what it reads from a season directory equals the
championship's own summary, and the page is one self-contained offline file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from raidsim.campaign.championship import championship, round_dir, write_atomic
from raidsim.campaign.season import load_season_spec
from raidsim.campaign.spec import load_spec
from raidsim.errors import ConfigError
from raidsim.report.season import build_season_report, is_season_dir, read_season, write_report

SEASON = """
season = "test-season"
[points]
positions = [30, 25, 20]
beyond = 2
non_finisher = 1
stage_points = [5, 4]
manufacturer_scorers = 1
[manufacturers]
"d7x-r" = "Land Rover"
"lc-gr-sport" = "Toyota"
[[rounds]]
rally = "portugal-2026"
[[rounds]]
rally = "argentina-2026"
[[rounds]]
rally = "abu-dhabi-2026"
coefficient = 2.0
"""
CREWS = """
[[crews]]
name = "A"
vehicle = "d7x-r"
pace_factor = 1.1
variability_sigma = 0.04
[[crews]]
name = "B"
vehicle = "lc-gr-sport"
pace_factor = 1.1
variability_sigma = 0.04
[[crews]]
name = "C's"
vehicle = "d7x-r"
pace_factor = 1.1
variability_sigma = 0.04
[[crews]]
name = "U1"
vehicle = "d7x-r"
pace_factor = 1.1
variability_sigma = 0.04
entry_class = "Ultimate"
[[crews]]
name = "U2"
vehicle = "lc-gr-sport"
pace_factor = 1.1
variability_sigma = 0.04
entry_class = "Ultimate"
"""
REPLICATES = 200
STAGES = 3


@pytest.fixture(scope="module")
def season_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A season directory as ``raidsim campaign SEASON`` leaves it, from hand-made chunks
    (random special times, some retirements) instead of a simulated campaign."""
    base = tmp_path_factory.mktemp("season")
    (base / "season.toml").write_text(SEASON)
    (base / "crews.toml").write_text(CREWS)
    season, spec = load_season_spec(base / "season.toml"), load_spec(base / "crews.toml")
    out = base / "out"
    rng = np.random.default_rng(11)
    n_c = len(spec.crews)
    for r in season.rounds:
        d = round_dir(out, r.rally)
        d.mkdir(parents=True)
        rep, ci, si = (a.ravel() for a in np.indices((REPLICATES, n_c, STAGES)))
        t = rng.normal(3600.0, 120.0, size=rep.shape) + 40.0 * ci
        t[rng.random(rep.shape) < 0.02] = np.nan  # a retirement
        table = pa.table(
            {
                "replicate": pa.array(rep, pa.int64()),
                "crew_index": pa.array(ci, pa.int64()),
                "stage_index": pa.array(si, pa.int64()),
                "stage_time_s": pa.array(t, mask=np.isnan(t)),
            }
        )
        pq.write_table(table, d / "chunk-00000.parquet")
    table, summary = championship(season, spec, out, REPLICATES)
    write_atomic(out / "championship.parquet", table)
    summary.update(seed=3, replicates=REPLICATES, complete=True)
    (out / "season.json").write_text(json.dumps(summary))
    return out, summary


def test_read_season_equals_the_championship_summary(
    season_dir: tuple[Path, dict[str, object]],
) -> None:
    out, summary = season_dir
    data = read_season(out)
    crews = summary["crews"]
    assert isinstance(crews, list)
    assert [c["crew"] for c in data.crews] == [c["crew"] for c in crews]
    for got, want in zip(data.crews, crews, strict=True):
        for key in ("p_champion", "p_podium", "points_p10", "points_p50", "points_p90"):
            assert got[key] == pytest.approx(want[key], abs=1e-9), (got["crew"], key)
        leads = [r["p_lead"] for r in data.per_round if r["crew"] == got["crew"]]
        assert leads == pytest.approx(want["p_lead"], abs=1e-12)
    # each class has exactly one champion per season
    for cls in ("Stock", "Ultimate"):
        assert sum(c["p_champion"] for c in data.crews if c["entry_class"] == cls) == 1.0
    deciding = summary["deciding_round"]
    assert isinstance(deciding, dict)
    for row in data.deciding:
        want = deciding[row["entry_class"]][data.rounds[row["round_index"]]]
        assert row["p_decided"] == pytest.approx(want, abs=1e-12)
    # after the last round the leader is the champion; the histogram holds every season
    last = [r for r in data.deciding if r["round_index"] == len(data.rounds) - 1]
    assert all(r["p_leader_champion"] == 1.0 for r in last)
    for c in data.crews:
        assert sum(h["count"] for h in data.histogram if h["crew"] == c["crew"]) == REPLICATES


def test_season_report_is_one_offline_page(
    season_dir: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    out, _ = season_dir
    assert is_season_dir(out) and not is_season_dir(out / "portugal-2026")
    path = build_season_report(out, tmp_path / "season.html")
    page = path.read_text("utf-8")
    assert "<h2>Season: test-season</h2>" in page
    assert page.count('class="plotly-graph-div"') == 4
    assert not re.search(r"<script[^>]+src=", page) and "<link" not in page  # offline
    assert "cdn.plot.ly" not in page.split("</head>", 1)[1]
    for text in (
        "which rounds decide it",
        "<h3>Manufacturers</h3>",
        "C&#x27;s",
        "Ultimate",
    ):
        assert text in page, text
    # `raidsim report DIR` on a season directory: the season report, DIR/report.html
    assert write_report([out]) == out / "report.html"
    assert "Season: test-season" in (out / "report.html").read_text("utf-8")


def test_season_dir_among_runs_or_missing_is_a_config_error(
    season_dir: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    out, _ = season_dir
    with pytest.raises(ConfigError, match="reported on its own"):
        write_report([out, tmp_path])
    with pytest.raises(ConfigError, match="not a season campaign directory"):
        read_season(tmp_path)


def test_report_command_on_a_season_directory(
    season_dir: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    """``raidsim report DIR`` writes the season report."""
    from typer.testing import CliRunner

    from raidsim.cli import app

    out, _ = season_dir
    target = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", str(out), "--out", str(target)])
    assert res.exit_code == 0, res.output
    assert "Season: test-season" in target.read_text("utf-8")
