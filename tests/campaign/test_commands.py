"""CLI: ``campaign`` and ``campaign-report`` on a local typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from raidsim.cli.campaign import campaign_command, campaign_report_command

app = typer.Typer()
app.command("campaign")(campaign_command)
app.command("campaign-report")(campaign_report_command)
runner = CliRunner()


def _campaign(out: Path, spec: Path, *extra: str) -> Result:
    return runner.invoke(
        app,
        [
            "campaign",
            "dakar-2026",
            "--out",
            str(out),
            "--crews",
            str(spec),
            "--workers",
            "0",
            "--quiet",
            *extra,
        ],
    )


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory, small_spec_file: Path) -> Path:
    out = tmp_path_factory.mktemp("camp") / "a"
    res = _campaign(out, small_spec_file, "--replicates", "200", "--seed", "3")
    assert res.exit_code == 0, res.output
    assert "1/1 chunks, complete" in res.output  # 200 x 15 rows: one default chunk
    return out


def test_small_campaign_report_is_sane(campaign_dir: Path) -> None:
    res = runner.invoke(app, ["campaign-report", str(campaign_dir), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["replicates"] == 200
    crews = rep["crews"]
    assert len(crews) == 5
    for cls in {c["entry_class"] for c in crews}:
        wins = sum(c["p_win"] for c in crews if c["entry_class"] == cls)
        assert wins + rep["p_no_finisher"][cls] == pytest.approx(1.0)
        assert sum(c["p_podium"] for c in crews if c["entry_class"] == cls) <= 3.0 + 1e-9
    for c in crews:
        assert 0.0 <= c["p_win"] <= c["p_podium"] <= 1.0
        assert c["total_p05_s"] <= c["total_median_s"] <= c["total_p95_s"]
        # three specials of 435 km: several hours, less than a day
        assert c["total_p05_s"] > 4 * 3600 and c["total_p95_s"] < 12 * 3600
    assert {r["stage"] for r in rep["stages"]} == {
        "dakar-2026/prologue",
        "dakar-2026/1",
        "dakar-2026/13",
    }
    for r in rep["lost_time"]:
        assert all(
            r[f"{k}_s"] >= 0 for k in ("puncture", "navigation", "mechanical", "fuel", "penalty")
        )
    text = runner.invoke(app, ["campaign-report", str(campaign_dir)])
    assert text.exit_code == 0 and "win" in text.output and "podium" in text.output


def test_what_if_comparison(campaign_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "fm_off.toml"
    spec.write_text(
        'stages = ["prologue", "1", "13"]\n'
        "[[crews]]\nname = 'D7X-R #1'\nvehicle = 'd7x-r'\npace_factor = 1.10  # estimate\n"
        "variability_sigma = 0.04  # estimate\nsetup = { tyre_pressure_front_bar = 1.2, "
        "tyre_pressure_rear_bar = 1.2 }\n"
        "[[crews]]\nname = 'LC GR Sport #1'\nvehicle = 'lc-gr-sport'\npace_factor = 1.10\n"
        "variability_sigma = 0.04\nspares = 2\n",
        "utf-8",
    )
    out = tmp_path / "b"
    assert _campaign(out, spec, "--replicates", "200", "--seed", "3").exit_code == 0
    res = runner.invoke(
        app, ["campaign-report", str(campaign_dir), "--compare", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = {r["crew"]: r for r in json.loads(res.output)["compare"]["rows"]}
    assert set(rows) == {"D7X-R #1", "LC GR Sport #1"}
    assert rows["D7X-R #1"]["d_p_win"] == pytest.approx(
        rows["D7X-R #1"]["p_win_b"] - rows["D7X-R #1"]["p_win_a"]
    )
    text = runner.invoke(app, ["campaign-report", str(campaign_dir), "--compare", str(out)])
    assert "what-if" in text.output


def test_rerun_resumes_and_refuses_other_options(campaign_dir: Path, small_spec_file: Path) -> None:
    res = _campaign(campaign_dir, small_spec_file, "--replicates", "200", "--seed", "3")
    assert res.exit_code == 0 and "0 computed" in res.output
    res = _campaign(campaign_dir, small_spec_file, "--replicates", "300", "--seed", "3")
    assert res.exit_code == 2
    assert "replicates is 200 there, 300 here" in res.output


@pytest.mark.parametrize(
    ("toml", "args", "needle"),
    [
        (
            "[[crews]]\nname='x'\nvehicle='no-such-car'\npace_factor=1.1\nvariability_sigma=0.1\n",
            [],
            "no-such-car",
        ),
        ("", ["--replicates", "-5"], "--replicates=-5"),
        (
            "[punctures]\nreference_pressure_bar=1.8\nspares=3\nchange_time_s=240\n"
            "long_stop_s=3600\npressure_exponent={hard=0,gravel=0,rocky=0,sand_firm=0,sand_soft=0,"
            "dune=0,whoops=0}\nrate_per_1000km={hard=-1,gravel=0,rocky=0,sand_firm=0,sand_soft=0,"
            "dune=0,whoops=0}\n",
            [],
            "rate_per_1000km.hard = -1",
        ),
        (
            "[[crews]]\nname='x'\nvehicle='d7x-r'\npace_factor=1.1\nvariability_sigma=0.1\n"
            "setup={no_such_key=1}\n",
            [],
            "no_such_key",
        ),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, toml: str, args: list[str], needle: str) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text('stages = ["prologue"]\n' + toml, "utf-8")
    res = _campaign(tmp_path / "out", spec, *args)
    assert res.exit_code == 2, res.output
    assert needle in res.output.replace("\n", "")


def test_unreachable_scheduler_exits_2_quickly(tmp_path: Path, small_spec_file: Path) -> None:
    res = runner.invoke(
        app,
        [
            "campaign",
            "--out",
            str(tmp_path / "o"),
            "--crews",
            str(small_spec_file),
            "--replicates",
            "10",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--quiet",
        ],
    )
    assert res.exit_code == 2, res.output
    assert "tcp://127.0.0.1:1" in res.output


def test_existing_scheduler_on_localhost(tmp_path: Path, small_spec_file: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        res = runner.invoke(
            app,
            [
                "campaign",
                "--out",
                str(tmp_path / "o"),
                "--crews",
                str(small_spec_file),
                "--replicates",
                "20",
                "--chunk-size",
                "10",
                "--scheduler",
                cluster.scheduler_address,
                "--quiet",
            ],
        )
    assert res.exit_code == 0, res.output
    assert "2/2 chunks, complete" in res.output
