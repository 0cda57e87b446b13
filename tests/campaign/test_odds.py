"""The odds over the days and the time to find, on a conditioned small campaign."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from raidsim.campaign.odds import class_lead, odds_over_days, time_to_find
from raidsim.campaign.report import campaign_report
from raidsim.campaign.runner import run_campaign
from raidsim.cli.campaign import campaign_report_command

app = typer.Typer()
app.command("campaign-report")(campaign_report_command)
app.command("noop")(lambda: None)
runner = CliRunner()

RESULTS = """crew,stage,time,penalty,retired
D7X-R #1,prologue,0:15:05,,no
D7X-R #2,prologue,0:15:07,,no
D7X-R #3,prologue,0:15:30,,no
LC GR Sport #1,prologue,0:15:40,,no
LC GR Sport #2,prologue,0:14:54,,no
D7X-R #1,1,3:46:13,,no
D7X-R #2,1,3:22:40,,no
D7X-R #3,1,3:50:00,,no
LC GR Sport #1,1,3:42:51,,no
LC GR Sport #2,1,3:44:09,,no
"""


def test_time_to_find_is_the_median_gap_per_stage() -> None:
    """Crew 0 totals 10, 30, 40, 50 s against crew 1's 25 s over 2 stages: gaps per stage
    -7.5, 2.5, 7.5, 12.5; a gain of just over 2.5 s a stage wins two replicates of four."""
    totals0 = np.array([10.0, 30.0, 40.0, 50.0])
    times = np.zeros((4, 2, 2))
    times[:, 0, :] = totals0[:, None] / 2
    times[:, 1, :] = 12.5
    g = time_to_find(times, ["A", "A"], 0)
    assert g[0] == pytest.approx(2.5)
    assert g[1] == pytest.approx(-7.5)  # crew 1 can give away 7.5 s a stage
    for crew, gain in enumerate(g):
        assert gain is not None
        d = np.array([-7.5, 2.5, 7.5, 12.5]) * (1 if crew == 0 else -1)
        assert np.mean(d < gain + 1e-9) == 0.5 and np.mean(d < gain - 1e-9) < 0.5
    times[2:, 0, 1] = np.nan  # crew 0 retires in half the replicates
    assert time_to_find(times, ["A", "A"], 0)[0] == pytest.approx(2.5)
    times[1:, 0, 1] = np.nan
    assert time_to_find(times, ["A", "A"], 0)[0] is None
    assert time_to_find(times, ["A", "A"], 2) == [None, None]  # nothing left


def test_class_lead_per_class() -> None:
    total = np.array([[3.0, 2.0, np.nan, 5.0], [np.nan, np.nan, 1.0, 2.0]])
    lead = class_lead(total, ["A", "A", "B", "B"])
    assert lead.tolist() == [[False, True, False, True], [False, False, True, False]]


def test_odds_over_the_days(small_spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "results.csv"
    path.write_text(RESULTS, "utf-8")
    out = tmp_path / "camp"
    run_campaign("dakar-2026", small_spec, replicates=200, seed=2, out_dir=out, results=path)
    odds = odds_over_days(out)
    assert [d["after"] for d in odds["days"]] == [0, 1, 2, 3]
    assert [d["real"] for d in odds["days"]] == [True, True, True, False]
    p_win = [c["p_win"] for c in campaign_report(out)["crews"]]
    assert odds["days"][2]["p"] == pytest.approx(p_win)  # tonight's odds are the campaign's
    assert odds["days"][3]["p"] == pytest.approx(p_win)  # leading after the last = winning
    for d in odds["days"]:
        assert sum(d["p"]) <= 1.0 + 1e-9
    # D7X-R #2 leads by ~19 min after stage 1: odds up from the start, time to spare
    assert odds["days"][2]["p"][1] > odds["days"][0]["p"][1]
    assert odds["time_to_find_s"][1] < 0 < odds["time_to_find_s"][0]
    assert odds["stages_left"] == 1
    chart = tmp_path / "odds.html"
    res = runner.invoke(app, ["campaign-report", str(out), "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    assert "class-win odds after every stage" in res.output
    page = chart.read_text("utf-8")
    assert "<!DOCTYPE html>" in page and "time to find per stage left" in page
    res = runner.invoke(app, ["campaign-report", str(out), "--json"])
    assert json.loads(res.output)["odds"]["n_given"] == 2


def test_odds_without_results(small_spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plain"
    run_campaign("dakar-2026", small_spec, replicates=100, seed=2, out_dir=out)
    odds = odds_over_days(out)
    assert [d["after"] for d in odds["days"]] == [1, 2, 3]
    assert not any(d["real"] for d in odds["days"])
    assert odds["days"][-1]["p"] == pytest.approx(
        [c["p_win"] for c in campaign_report(out)["crews"]]
    )
    assert odds["stages_left"] == 3


def test_odds_read_a_bounded_share_of_a_large_campaign(
    small_spec, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import raidsim.campaign.odds as odds_mod

    out = tmp_path / "big"
    run_campaign("dakar-2026", small_spec, replicates=120, seed=2, out_dir=out, chunk_size=20)
    monkeypatch.setattr(odds_mod, "MAX_REPLICATES", 50)
    times = odds_mod.chunk_times(out, json.loads((out / "campaign.json").read_text()))
    assert times.shape == (60, 5, 3)  # three chunks of 20 cover the first 50
    assert not np.isnan(times[:, :, 0]).all()
