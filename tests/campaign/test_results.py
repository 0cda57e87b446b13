"""Real results of the stages run: the CSV reader, its errors, and the conditioned campaign."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from raidsim.campaign.results import format_hms, parse_time, read_results
from raidsim.campaign.runner import dask_client, run_campaign
from raidsim.campaign.spec import CampaignSpec
from raidsim.cli.campaign import campaign_command, campaign_report_command
from raidsim.errors import ConfigError

RALLY = "dakar-2026"
app = typer.Typer()
app.command("campaign")(campaign_command)
app.command("campaign-report")(campaign_report_command)
runner = CliRunner()

CREWS = ["D7X-R #1", "D7X-R #2", "D7X-R #3", "LC GR Sport #1", "LC GR Sport #2"]
#: two real stages of the small spec (prologue, 1, 13); #3 is out on stage 1
GOOD = """# synthetic results for the tests
crew,stage,time,penalty,retired
D7X-R #1,prologue,0:15:05,,no
D7X-R #2,prologue,0:15:07,0:02:00,no
D7X-R #3,prologue,915.5,,no
LC GR Sport #1,prologue,0:15:40,,no
LC GR Sport #2,prologue,0:14:54,,no
D7X-R #1,1,3:46:13,,no
D7X-R #2,1,3:22:40,,no
D7X-R #3,1,,,yes
LC GR Sport #1,1,3:42:51,,no
LC GR Sport #2,1,3:44:09.5,,no
"""


def _lines() -> list[str]:
    return GOOD.splitlines()


def _swap(line_no: int, new: str) -> str:
    """GOOD with its line ``line_no`` (1-based) replaced."""
    lines = _lines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


def _drop(line_no: int) -> str:
    lines = _lines()
    del lines[line_no - 1]
    return "\n".join(lines) + "\n"


# (kind, file text or bytes, line named, field named or None, value named or None)
BAD: list[tuple[str, str | bytes, int | None, str | None, str | None]] = [
    ("empty file", "", None, None, None),
    ("only comments", "# nothing\n", None, None, None),
    ("header only", "crew,stage,time\n", None, None, None),
    ("missing column", "crew,stage\nD7X-R #1,prologue\n", 1, None, "time"),
    ("unknown column", GOOD.replace("retired\n", "retired,speed\n", 1), 2, "speed", None),
    ("duplicate column", GOOD.replace("penalty,retired", "time,retired", 1), 2, "time", None),
    ("too few fields", _swap(3, "D7X-R #1,prologue,0:15:05"), 3, None, None),
    ("unknown crew", _swap(3, "D7X-R #9,prologue,0:15:05,,no"), 3, "crew", "D7X-R #9"),
    ("empty crew", _swap(3, ",prologue,0:15:05,,no"), 3, "crew", "''"),
    ("unknown stage", _swap(3, "D7X-R #1,stage-99,0:15:05,,no"), 3, "stage", "stage-99"),
    ("stage not in the spec's subset", _swap(3, "D7X-R #1,5,0:15:05,,no"), 3, "stage", "'5'"),
    ("not a time", _swap(3, "D7X-R #1,prologue,fast,,no"), 3, "time", "fast"),
    ("minutes over 59", _swap(3, "D7X-R #1,prologue,0:75:05,,no"), 3, "time", "0:75:05"),
    ("mm:ss only", _swap(3, "D7X-R #1,prologue,15:05,,no"), 3, "time", "15:05"),
    ("negative time", _swap(3, "D7X-R #1,prologue,-905,,no"), 3, "time", "-905"),
    ("zero time", _swap(3, "D7X-R #1,prologue,0:00:00,,no"), 3, "time", "0:00:00"),
    ("nan time", _swap(3, "D7X-R #1,prologue,nan,,no"), 3, "time", "nan"),
    ("absurd time", _swap(3, "D7X-R #1,prologue,99:00:00,,no"), 3, "time", "99:00:00"),
    ("bad penalty", _swap(4, "D7X-R #2,prologue,0:15:07,two min,no"), 4, "penalty", "two min"),
    ("negative penalty", _swap(4, "D7X-R #2,prologue,0:15:07,-120,no"), 4, "penalty", "-120"),
    ("bad retired flag", _swap(3, "D7X-R #1,prologue,0:15:05,,maybe"), 3, "retired", "maybe"),
    ("empty time, not out", _swap(3, "D7X-R #1,prologue,,,no"), 3, "time", "''"),
    ("time for a retired crew", _swap(10, "D7X-R #3,1,3:50:00,,yes"), 10, "time", "3:50:00"),
    ("duplicate row", GOOD + "D7X-R #1,1,3:46:14,,no\n", 13, "stage", "'1'"),
    ("row missing for a crew", _drop(11), 8, "stage", "dakar-2026/1"),
    ("crew missing on the prologue", _drop(7), 3, "stage", "dakar-2026/prologue"),
    ("row after retirement", _swap(5, "D7X-R #3,prologue,,,yes"), 10, "crew", "D7X-R #3"),
    (
        "stage gap",
        "\n".join(ln for ln in _lines() if ",prologue," not in ln) + "\n",
        None,
        "stage",
        "dakar-2026/1",
    ),
    (
        "not UTF-8",
        GOOD.encode("utf-8").replace(b"#1,prologue", b"#1\xff,prologue"),
        None,
        None,
        None,
    ),
]


BAD_STILL_OUT = [
    (
        "still out with a time",
        GOOD.replace("retired\n", "retired,still_out\n", 1)
        .replace(",no\n", ",no,\n")
        .replace(",yes\n", ",yes,\n")
        .replace("LC GR Sport #2,1,3:44:09.5,,no,", "LC GR Sport #2,1,3:44:09.5,,no,yes"),
        "still_out",
        "time",
    ),
    (
        "still out on an earlier stage",
        GOOD.replace("retired\n", "retired,still_out\n", 1)
        .replace(",no\n", ",no,\n")
        .replace(",yes\n", ",yes,\n")
        .replace("LC GR Sport #2,prologue,0:14:54,,no,", "LC GR Sport #2,prologue,,,no,yes"),
        "still_out",
        "still_out",
    ),
    (
        "bad still_out flag",
        GOOD.replace("retired\n", "retired,still_out\n", 1)
        .replace(",no\n", ",no,\n")
        .replace(",yes\n", ",yes,\n")
        .replace("LC GR Sport #2,1,3:44:09.5,,no,", "LC GR Sport #2,1,3:44:09.5,,no,perhaps"),
        "still_out",
        "still_out",
    ),
    (
        "retired and still out",
        GOOD.replace("retired\n", "retired,still_out\n", 1)
        .replace(",no\n", ",no,\n")
        .replace(",yes\n", ",yes,yes\n"),
        "still_out",
        "still_out",
    ),
]


def _invoke(out: Path, spec_file: Path, results: Path) -> object:
    return runner.invoke(
        app,
        [
            "campaign",
            RALLY,
            "--out",
            str(out),
            "--crews",
            str(spec_file),
            "--workers",
            "0",
            "--quiet",
            "--replicates",
            "20",
            "--results",
            str(results),
        ],
    )


def test_time_formats() -> None:
    assert parse_time("3:46:13") == 3 * 3600 + 46 * 60 + 13
    assert parse_time("0:15:05.5") == 905.5
    assert parse_time(" 905.5 ") == 905.5
    assert parse_time(format_hms(13573.26)) == pytest.approx(13573.3)
    for bad in ("15:05", "1:60:00", "-3", "1e3", "inf", "3h46", ""):
        with pytest.raises(ValueError, match="h:mm:ss"):
            parse_time(bad)


def test_good_file_reads(small_table, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path / "r.csv"
    tmp.write_text(GOOD, "utf-8")
    res = read_results(tmp, CREWS, small_table.stages)
    assert res.n_stages == 2
    assert res.time_s[1][0] == 907.0 + 120.0  # penalty added to the stage time
    assert res.penalty_s[1] == [120.0, 0.0]
    assert res.time_s[2] == [915.5, None]
    assert res.retired_at == [None, None, 1, None, None]
    assert res.still_out == [False] * 5
    assert res.time_s[4][1] == 3 * 3600 + 44 * 60 + 9.5


@pytest.mark.parametrize(("kind", "text", "line", "field", "value"), BAD, ids=[b[0] for b in BAD])
def test_bad_results_file_exits_2_naming_it(  # type: ignore[no-untyped-def]
    kind, text, line, field, value, small_spec_file, tmp_path
) -> None:
    path = tmp_path / "results.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    out = tmp_path / "camp"
    res = _invoke(out, small_spec_file, path)
    msg = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert res.exit_code == 2, (kind, res.output)  # type: ignore[attr-defined]
    assert str(path) in msg, (kind, msg)
    if line is not None:
        assert f"{path}:{line}:" in msg, (kind, msg)
    if field is not None:
        assert field in msg, (kind, msg)
    if value is not None:
        assert value in msg, (kind, msg)
    assert "Traceback" not in msg
    assert not out.exists(), f"{kind}: something was written"


@pytest.mark.parametrize(
    ("kind", "text", "field", "named"), BAD_STILL_OUT, ids=[b[0] for b in BAD_STILL_OUT]
)
def test_bad_still_out_rows(kind, text, field, named, small_table, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "results.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=rf"{path}:\d+: field '{named}'"):
        read_results(path, CREWS, small_table.stages)


def test_missing_file_and_directory(small_spec_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for path in (tmp_path / "nope.csv", tmp_path):
        res = _invoke(tmp_path / "camp", small_spec_file, path)
        assert res.exit_code == 2, res.output  # type: ignore[attr-defined]
        assert "--results" in res.output  # type: ignore[attr-defined]
        assert not (tmp_path / "camp").exists()


def test_kinds_of_bad_file_tried() -> None:
    assert len(BAD) + len(BAD_STILL_OUT) + 2 >= 20


def _chunks(out: Path) -> dict[str, np.ndarray]:
    t = pq.read_table(sorted(out.glob("chunk-*.parquet"))).sort_by(
        [("replicate", "ascending"), ("crew_index", "ascending"), ("stage_index", "ascending")]
    )
    n_r = len(set(t["replicate"].to_pylist()))
    return {
        k: t[k].to_numpy(zero_copy_only=False).reshape(n_r, 5, 3)
        for k in ("stage_time_s", "penalty_s", "retired", "punctures")
    }


def test_conditioned_campaign_fixes_the_real_stages(small_spec_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "results.csv"
    path.write_text(GOOD, "utf-8")
    out = tmp_path / "camp"
    res = _invoke(out, small_spec_file, path)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    text = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "standings after dakar-2026/1 (2 stages given" in text
    assert "pace learned" in text
    a = _chunks(out)
    real = read_results(path, CREWS, ["dakar-2026/prologue", "dakar-2026/1", "dakar-2026/13"])
    for c in range(5):
        for s in range(2):
            t = real.time_s[c][s]
            got = a["stage_time_s"][:, c, s]
            if t is None:
                assert np.isnan(got.astype(float)).all()
            else:
                assert np.all(got == t)
    assert a["retired"][:, 2, 1:].all() and not a["retired"][:, 2, 0].any()
    assert (a["punctures"][:, :, :2] == 0).all()
    assert np.all(a["penalty_s"][:, 1, 0] == 120.0)
    # the last stage is simulated: it varies between replicates
    assert np.std(a["stage_time_s"][:, 0, 2]) > 0
    # a resume with another results file is refused, naming the key
    other = tmp_path / "other.csv"
    other.write_text(GOOD.replace("3:46:13", "3:46:14"), "utf-8")
    again = _invoke(out, small_spec_file, other)
    assert again.exit_code == 2 and "results" in again.output  # type: ignore[attr-defined]


def test_conditioned_same_on_any_chunking_and_workers(  # type: ignore[no-untyped-def]
    small_spec: CampaignSpec, tmp_path
) -> None:
    path = tmp_path / "results.csv"
    path.write_text(GOOD, "utf-8")
    kw = {"replicates": 40, "seed": 3, "results": path}
    run_campaign(RALLY, small_spec, out_dir=tmp_path / "a", chunk_size=40, **kw)  # type: ignore[arg-type]
    with dask_client(2, None) as client:
        run_campaign(RALLY, small_spec, out_dir=tmp_path / "b", chunk_size=7, client=client, **kw)  # type: ignore[arg-type]
    a, b = _chunks(tmp_path / "a"), _chunks(tmp_path / "b")
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert not math.isnan(float(np.nanmean(a["stage_time_s"][:, 0, 2])))


def test_report_shows_standings_and_the_strategy(small_spec_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    path = tmp_path / "results.csv"
    path.write_text(GOOD, "utf-8")
    out = tmp_path / "camp"
    assert _invoke(out, small_spec_file, path).exit_code == 0  # type: ignore[attr-defined]
    res = runner.invoke(app, ["campaign-report", str(out), "--strategy", "D7X-R #2"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "standings after dakar-2026/1" in text
    assert "D7X-R #2: class win against pace over the 1 stages left" in text
    assert "best pace: x" in text
    res = runner.invoke(
        app, ["campaign-report", str(out), "--strategy", "D7X-R #2", "--goal", "podium", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    plan = data["strategy"]
    assert plan["goal"] == "podium" and plan["stages_left"] == 1
    assert 0.95 <= plan["best_pace_scale"] <= 1.10
    assert data["status"]["standings"][0]["crew"] == "D7X-R #2"  # 3:39:47 with its 2:00 penalty
    for bad in (["--strategy", "nobody"], ["--strategy", "D7X-R #2", "--keep", "2"]):
        res = runner.invoke(app, ["campaign-report", str(out), *bad])
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output


def test_partial_day_is_simulated_for_the_crew_still_out(small_spec_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (
        GOOD.replace("retired\n", "retired,still_out\n", 1)
        .replace(",no\n", ",no,no\n")
        .replace(",yes\n", ",yes,no\n")
        .replace("LC GR Sport #2,1,3:44:09.5,,no,no", "LC GR Sport #2,1,,,no,yes")
    )
    path = tmp_path / "results.csv"
    path.write_text(text, "utf-8")
    out = tmp_path / "camp"
    res = _invoke(out, small_spec_file, path)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "partial day: LC GR Sport #2 still out on dakar-2026/1" in said
    a = _chunks(out)
    assert np.std(a["stage_time_s"][:, 4, 1].astype(float)) > 0  # simulated for it
    assert np.all(a["stage_time_s"][:, 3, 1] == 3 * 3600 + 42 * 60 + 51)  # fixed for others


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.sampled_from(list("crewstagimpnly,:.#0123456789 -\nD7XR#1/")), max_size=300)
)
def test_any_text_gives_results_or_a_clear_error(tmp_path, text) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fuzz.csv"
    path.write_text("crew,stage,time,penalty,retired\n" + text, "utf-8")
    stages = ["dakar-2026/prologue", "dakar-2026/1", "dakar-2026/13"]
    try:
        res = read_results(path, CREWS, stages)
    except ConfigError as exc:
        assert str(path) in str(exc)
        return
    assert all(t is None or (math.isfinite(t) and t > 0) for row in res.time_s for t in row)


def test_conditioned_campaign_resumes_to_the_same_numbers(
    small_spec: CampaignSpec, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "results.csv"
    path.write_text(GOOD, "utf-8")
    kw = {"replicates": 30, "seed": 5, "results": path, "chunk_size": 10}
    run_campaign(RALLY, small_spec, out_dir=tmp_path / "full", **kw)  # type: ignore[arg-type]
    first = run_campaign(RALLY, small_spec, out_dir=tmp_path / "part", max_chunks=1, **kw)  # type: ignore[arg-type]
    assert (first.chunks_done, first.chunks_total) == (1, 3)
    again = run_campaign(RALLY, small_spec, out_dir=tmp_path / "part", **kw)  # type: ignore[arg-type]
    assert (again.chunks_run, again.chunks_done) == (2, 3)
    a, b = _chunks(tmp_path / "full"), _chunks(tmp_path / "part")
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k
