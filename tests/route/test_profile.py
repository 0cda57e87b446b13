"""Stage profile plot and ``raidsim stage-info`` (writes the profile)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import raidsim as rs
from raidsim.cli import app
from raidsim.route.profile import ProfileWarning, default_profile_path, write_profile

runner = CliRunner()


def test_stage_info_catalogue_stage_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = runner.invoke(app, ["stage-info", "dakar-2026/6", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 100_000
    text = out.read_text(encoding="utf-8")
    assert "dakar-2026" in text and "Riyadh" in text and "dune" in text
    assert "Ha'il" in result.output and "331.00 km" in result.output


def test_stage_info_json_writes_no_profile_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["stage-info", "dakar-2026/prologue", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["length_km"] == pytest.approx(25.0)
    assert info["liaison_km"] == 67.0
    assert info["date"] == "2026-01-03"
    assert info["jumps"] == 2
    assert not any(tmp_path.iterdir())  # no profile unless --out is given
    assert info["profile"] is None
    result = runner.invoke(app, ["stage-info", "dakar-2026/prologue", "--json", "--out", "p"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["profile"] == "p/dakar-2026-prologue-profile.html"
    assert (tmp_path / "p" / "dakar-2026-prologue-profile.html").is_file()


def test_stage_info_bad_stage_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stage-info", "dakar-2026/99", "--out", str(tmp_path / "y.html")])
    assert result.exit_code == 2
    assert not (tmp_path / "y.html").exists()


def test_png_without_kaleido_falls_back_to_html(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    try:
        import kaleido  # noqa: F401
    except ImportError:
        with pytest.warns(ProfileWarning, match="kaleido"):
            path = write_profile(rs.load_stage("default"), tmp_path / "p.png")
        assert path == tmp_path / "p.html" and path.is_file()
    else:
        path = write_profile(rs.load_stage("default"), tmp_path / "p.png")
        assert path.suffix == ".png" and path.is_file()


def test_default_profile_path_has_no_slash() -> None:
    assert default_profile_path(rs.load_stage("dakar-2026/13")) == Path(
        "dakar-2026-13-profile.html"
    )
