"""Property-based test of the whole CLI: random argument lists and mutated input files.

Every command is called in-process (``typer.testing.CliRunner``) in a fresh sandbox holding
mutated copies of a stage TOML, GPX/GeoJSON/CSV routes, a vehicle TOML, a campaign spec, a
logged run, a channel map, a run directory and a campaign directory (truncation, byte
flips, binary junk, huge/negative/NaN numbers, missing or unknown keys, wrong types), plus
awkward paths (a regular file where a directory must be, ``file/sub``, a socket standing in
for ``/dev/null``, names with rich markup, an uncreatable ``/proc`` path). Whatever the
input, the contract of :mod:`raidsim.cli.errors` must hold:

* the exit code is 0, 2 (bad input) or 3 (the simulation stopped); ``check-regs`` may also
  exit 1 (a rule failed);
* no ``Traceback`` in the output, no exception escapes but ``SystemExit``;
* on exit 2 the sandbox holds no file it did not hold before (no partial output), and on
  any failure no hidden temporary directory is left behind.

The expensive calls (transient simulation, QSS estimate, optimizer study, jump runs, the
correlation fit, the campaign's QSS base table and Dask cluster, the HTML report) are
replaced by quick stand-ins, so most cases end at validation and the rest in milliseconds.
Three properties of ``max_examples`` 700 + 700 + 700 = 2,100 cases in all (derandomized
under the ``ci`` hypothesis profile, see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest
import typer.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import raidsim
import raidsim.atomic as atomic
import raidsim.campaign.model
import raidsim.campaign.runner
import raidsim.correlate.fit
import raidsim.report.html
import raidsim.route.terrain
import raidsim.sim.jump
import raidsim.sim.qss
from raidsim.campaign.model import WAYPOINT_KINDS, BaseTable
from raidsim.cli import app
from raidsim.cli import optimize as cli_optimize
from raidsim.errors import ConfigError, SimulationStopped
from raidsim.model.setup import SETUP_KEYS

pytestmark = pytest.mark.slow

runner = CliRunner()

# ------------------------------------------------------------------------ input templates
TINY_STAGE = """\
name = "tiny"
description = "2 km test special"
seed = 1
default_surface = "gravel"

[synthetic_route]
length_km = 2.0
min_radius_m = 80.0
max_radius_m = 400.0
straight_m = [100.0, 300.0]
elevation_amplitude_m = 5.0

[[speed_zones]]
start_km = 0.5
end_km = 0.8
limit_kmh = 50.0

[[jumps]]
km = 1.2
drop_m = 1.0

[[waypoints]]
km = 1.0
kind = "WPV"
"""


def _points(n: int = 12) -> list[tuple[float, float, float]]:
    return [(26.79 + 0.0009 * i, 37.95 + 0.0004 * (i % 3), 700.0 + i) for i in range(n)]


GPX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
    'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>t</name><trkseg>\n'
    + "".join(
        f'<trkpt lat="{a}" lon="{b}">' + (f"<ele>{e}</ele>" if i % 4 else "") + "</trkpt>\n"
        for i, (a, b, e) in enumerate(_points())
    )
    + "</trkseg></trk></gpx>\n"
)
GEOJSON = json.dumps(
    {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[b, a, e] for a, b, e in _points()]},
    }
)
CSV_ROUTE = "lat,lon,ele\n" + "".join(f"{a},{b},{e}\n" for a, b, e in _points())
VEHICLE = (resources.files("raidsim.model") / "presets" / "d7x-r.toml").read_text("utf-8")
CREWS = """\
stages = ["prologue"]
[[crews]]
name = "A [red]1"
vehicle = "d7x-r"
pace_factor = 1.10
variability_sigma = 0.05
[[crews]]
name = "B"
vehicle = "lc-gr-sport"
pace_factor = 1.12
variability_sigma = 0.05
setup = { tyre_pressure_front_bar = 1.2 }
"""
CHANNEL_MAP = '[channels]\nspeed_mps = "GPS Speed"\n'

#: sandbox file -> template text (each is written as-is or mutated per case)
TEMPLATES = {
    "stage.toml": TINY_STAGE,
    "route.gpx": GPX,
    "route.geojson": GEOJSON,
    "route.csv": CSV_ROUTE,
    "car.toml": VEHICLE,
    "crews.toml": CREWS,
    "map.toml": CHANNEL_MAP,
}

WEIRD_NUMBERS = [
    "nan",
    "inf",
    "-inf",
    "1e309",
    "-1",
    "-300",
    "0",
    "1e12",
    "99999999999999999999999999",
    '"x"',
    "[1, 2]",
    "true",
    "-0.0",
    "{ a = 1 }",
]
JUNK = [b"\x00\xff\xfe", b"\x80\x81\x82", b"[[[", b'"""', b"\n[crews]\n", b"= =", b"\xef\xbb\xbf"]
NUMBER = re.compile(rb"-?\d+(\.\d+)?(e-?\d+)?")


@st.composite
def mutated(draw: st.DrawFn, template: str) -> bytes:
    """``template`` as bytes, possibly damaged: truncated, bytes flipped, junk inserted, a
    number replaced by a huge/negative/NaN value or a wrong type, a line dropped (missing
    key) or doubled (duplicate key), a key renamed, binary or UTF-16."""
    data = template.encode("utf-8")
    kind = draw(
        st.sampled_from(
            [
                "same",
                "truncate",
                "flip",
                "junk",
                "number",
                "number",
                "number",
                "drop_line",
                "dup_line",
                "rename_key",
                "binary",
                "utf16",
                "empty",
            ]
        )
    )
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(out) - 1))
            out[i] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "junk":
        i = draw(st.integers(0, len(data)))
        return data[:i] + draw(st.sampled_from(JUNK)) + data[i:]
    if kind == "number":
        spans = [m.span() for m in NUMBER.finditer(data)]
        if not spans:
            return data
        for _ in range(draw(st.integers(1, 3))):
            a, b = draw(st.sampled_from(spans))
            value = draw(st.sampled_from(WEIRD_NUMBERS)).encode()
            data = data[:a] + value + data[b:]
            spans = [m.span() for m in NUMBER.finditer(data)] or [(0, 0)]
        return data
    lines = data.split(b"\n")
    if kind == "drop_line":
        del lines[draw(st.integers(0, len(lines) - 1))]
        return b"\n".join(lines)
    if kind == "dup_line":
        i = draw(st.integers(0, len(lines) - 1))
        return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    if kind == "rename_key":
        keys = [i for i, line in enumerate(lines) if b"=" in line]
        if keys:
            i = draw(st.sampled_from(keys))
            lines[i] = b"wings_" + lines[i].lstrip()
        return b"\n".join(lines)
    if kind == "binary":
        return draw(st.binary(min_size=1, max_size=64))
    if kind == "utf16":
        return template.encode("utf-16")
    if kind == "empty":
        return b""
    return data


# ------------------------------------------------------------------------ stand-ins
SUMMARY = {
    "vehicle": "d7x-r",
    "stage": "tiny",
    "stage_time_s": 100.0,
    "distance_m": 2000.0,
    "avg_speed_kmh": 72.0,
    "max_speed_kmh": 120.0,
    "fuel_used_L": 1.0,
    "fuel_L_per_100km": 50.0,
    "max_coolant_C": 95.0,
    "max_oil_C": 100.0,
    "derate_time_s": 0.0,
    "max_brake_disc_C": 300.0,
    "max_halfshaft_torque_Nm": 3000.0,
    "ambient_C": 35.0,
    "real_time_factor": 100.0,
}


class Stubs:
    """Quick stand-ins for the expensive calls; each is cheap and can stop (exit 3)."""

    def __init__(self, mini_run: Path, campaign_template: Path) -> None:
        self.mini_run = mini_run
        self.campaign_template = campaign_template

    @staticmethod
    def simulate(vehicle: Any, stage: Any, ambient: Any = None, *a: Any, **k: Any) -> Any:
        out_dir = k.get("out_dir")
        if ambient is not None and ambient.temp_C > 50.0:
            raise SimulationStopped("car stuck (stand-in: too hot)")
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy(STUBS.mini_run / "telemetry.parquet", out / "telemetry.parquet")
            (out / "summary.json").write_text(json.dumps(SUMMARY), "utf-8")
        return SimpleNamespace(summary=dict(SUMMARY), out_dir=out_dir)

    @staticmethod
    def build_report(runs: Any, out: Any, *a: Any, **k: Any) -> Path:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(path, b"<html></html>")
        return path

    @staticmethod
    def estimate(vehicle: Any, stage: Any, ambient: Any = None, *a: Any, **k: Any) -> Any:
        if vehicle.fuel.fuel_load_L < 100.0:
            raise SimulationStopped("ran out of fuel (stand-in)")

        def to_parquet(path: Any) -> Path:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(p, b"PAR1 stand-in")
            return p

        summary = {**SUMMARY, "stage": stage.name, "distance_m": stage.length_m}
        return SimpleNamespace(summary=summary, to_parquet=to_parquet)

    @staticmethod
    def run_study(vehicle: Any, stages: Any, ranges: Any, **kwargs: Any) -> Any:
        from raidsim.optimize.study import Evaluation, Sensitivity, StudyResult, open_storage

        open_storage(kwargs.get("storage"))
        if kwargs.get("n_trials", 1) > 40:
            raise SimulationStopped("study stopped (stand-in)")
        base = {p.name: (p.low + p.high) / 2 for p in ranges}
        ev = Evaluation(2000.0, 2000.0, 0.0, 20.0, 100.0, 0.0, (-1.0, -1.0))
        return StudyResult(
            study=None,  # type: ignore[arg-type]
            ranges=list(ranges),
            objective=kwargs.get("objective", "time"),
            baseline_setup=base,
            best_setup=base,
            baseline=ev,
            best=ev,
            n_new_trials=1,
            n_complete=1,
            sensitivity=[Sensitivity(p.name, 1.0, 0.1, 0.1, False) for p in ranges],
        )

    @staticmethod
    def confirm(*a: Any, **k: Any) -> dict[str, float]:
        return {"transient_time_s": 2001.0, "qss_time_s": 2000.0, "difference_pct": 0.05}

    @staticmethod
    def run_jump(vehicle: Any, drop_m: float, speed_kmh: float, mode: bool, *a: Any) -> Any:
        raidsim.sim.jump.validate_jump(vehicle, drop_m, speed_kmh)
        return SimpleNamespace(
            air_time_s=0.5,
            peak_halfshaft_torque_Nm=3000.0,
            max_abs_wheel_speed_error=0.1,
            detection_latency_s=0.05 if mode else float("nan"),
        )

    @staticmethod
    def sweep(vehicle: Any, **_: Any) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "drop_m": [0.5, 1.0],
                "speed_kmh": [40.0, 60.0],
                "air_time_s": [0.2, 0.4],
                "peak_torque_off_Nm": [2000.0, 2500.0],
                "peak_torque_on_Nm": [1800.0, 2000.0],
                "wheel_speed_error_off": [0.1, 0.3],
                "wheel_speed_error_on": [0.05, 0.06],
                "detection_latency_s": [0.05, float("nan")],
            }
        )

    @staticmethod
    def fit_factors(*a: Any, **k: Any) -> Any:
        raise SimulationStopped("fit stopped (stand-in)")

    @staticmethod
    def base_table(rally: str, spec: Any) -> BaseTable:
        """A one-stage base table of the spec's crews (each crew's vehicle is loaded, so
        vehicle errors surface as the real table would raise them)."""
        from raidsim.route.catalogue import load_rally

        load_rally(rally)
        for crew in spec.crews:
            raidsim.load_vehicle(crew.vehicle).with_changes(**crew.setup)
        n = len(spec.crews)
        return BaseTable(
            crews=[c.name for c in spec.crews],
            classes=[c.entry_class for c in spec.crews],
            stages=[f"{rally}/1"],
            labels=["Stage 1"],
            service_before=[False],
            special_km=[100.0],
            waypoints=[[1] * len(WAYPOINT_KINDS)],
            speed_zones=[1],
            landings=[2],
            spares=[spec.spares_of(c) for c in spec.crews],
            usable_fuel_L=[300.0] * n,
            base_time_s=[[3600.0]] * n,
            fuel_segment_L=[[60.0]] * n,
            brake_energy_MJ=[[20.0]] * n,
            landing_peak_torque_Nm=[3000.0] * n,
            derate_time_s=None,
            puncture_rate=[[0.3]] * n,
            mechanical_hazard=[[0.05]] * n,
        )

    @staticmethod
    @contextlib.contextmanager
    def dask_client(workers: int, scheduler: str | None, *a: Any) -> Iterator[None]:
        if scheduler:
            raise ConfigError(f"--scheduler {scheduler}: cannot connect (stand-in)")
        yield None  # the chunks run in this process

    @staticmethod
    def run_campaign(rally: str, spec: Any, **kwargs: Any) -> Any:
        limit = kwargs.get("max_chunks")
        kwargs["max_chunks"] = 2 if limit is None else min(limit, 2)  # a few chunks at most
        return REAL_RUN_CAMPAIGN(rally, spec, **kwargs)


REAL_RUN_CAMPAIGN = raidsim.campaign.runner.run_campaign
REAL_BUILD_STAGE = raidsim.route.terrain.build_stage
STUBS: Stubs


@functools.lru_cache(maxsize=64)
def _built(key: str, base: str | None) -> Any:
    from raidsim.route.stage import StageDefinition

    return REAL_BUILD_STAGE(StageDefinition.model_validate_json(key), Path(base) if base else None)


def memo_build_stage(definition: Any, base_dir: Path | None = None, **_: Any) -> Any:
    """build_stage, memoised: the shipped 50 km default stage is built once."""
    return _built(definition.model_dump_json(), None if base_dir is None else str(base_dir))


def _install(monkeypatch: pytest.MonkeyPatch, stubs: Stubs) -> None:
    global STUBS
    STUBS = stubs
    patches: list[tuple[Any, str, Callable[..., Any]]] = [
        (raidsim, "simulate", Stubs.simulate),
        (raidsim.report.html, "build_report", Stubs.build_report),
        (raidsim.sim.qss, "estimate", Stubs.estimate),
        (cli_optimize, "run_study", Stubs.run_study),
        (cli_optimize, "confirm", Stubs.confirm),
        (raidsim.sim.jump, "run_jump", Stubs.run_jump),
        (raidsim.sim.jump, "sweep", Stubs.sweep),
        (raidsim.correlate.fit, "fit_factors", Stubs.fit_factors),
        (raidsim.campaign.model, "build_base_table", Stubs.base_table),
        (raidsim.campaign.runner, "build_base_table", Stubs.base_table),
        (raidsim.campaign.runner, "dask_client", Stubs.dask_client),
        (raidsim.campaign.runner, "run_campaign", Stubs.run_campaign),
        (raidsim.route.terrain, "build_stage", memo_build_stage),
    ]
    for module, name, value in patches:
        monkeypatch.setattr(module, name, value)
    # the typer -> click conversion once, not per call (it dominates a failing call)
    monkeypatch.setattr(
        typer.testing, "_get_command", functools.lru_cache(maxsize=4)(typer.testing._get_command)
    )
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("RAIDSIM_TRACEBACK", raising=False)


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def mini_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small run directory: summary.json and a 50-row telemetry.parquet (time, distance,
    speed; not every channel a real run has, so a command may refuse it: exit 2)."""
    run = tmp_path_factory.mktemp("mini") / "run"
    run.mkdir()
    t = [i * 0.01 for i in range(50)]
    pl.DataFrame(
        {"time_s": t, "distance_m": [x * 20.0 for x in t], "speed_mps": [20.0] * 50}
    ).write_parquet(run / "telemetry.parquet")
    (run / "summary.json").write_text(json.dumps(SUMMARY), "utf-8")
    return run


@pytest.fixture(scope="module")
def campaign_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-chunk campaign of the stand-in base table."""
    from raidsim.campaign.spec import load_spec

    d = tmp_path_factory.mktemp("camp")
    (d / "crews.toml").write_text(CREWS, "utf-8")
    spec = load_spec(d / "crews.toml")
    mp = pytest.MonkeyPatch()
    mp.setattr(raidsim.campaign.runner, "build_base_table", Stubs.base_table)
    try:
        REAL_RUN_CAMPAIGN("dakar-2026", spec, replicates=20, seed=1, out_dir=d / "c", chunk_size=5)
    finally:
        mp.undo()
    return d / "c"


@pytest.fixture(scope="module")
def log_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A synthetic AiM CSV log (2 Hz) of the D7X-R on route.csv, made by the real QSS."""
    from raidsim.correlate.align import stage_origin
    from raidsim.correlate.synthetic import synthetic_channels, write_aim_csv

    global LOG_TEMPLATE
    d = tmp_path_factory.mktemp("log")
    (d / "route.csv").write_text(CSV_ROUTE, "utf-8")
    stage = raidsim.load_stage(d / "route.csv")
    origin = stage_origin(d / "route.csv")
    assert origin is not None
    ch = synthetic_channels(
        stage, raidsim.load_vehicle("d7x-r"), {}, (origin.lat_deg, origin.lon_deg), rate_hz=2.0
    )
    LOG_TEMPLATE = write_aim_csv(d / "log.csv", ch, {"Date": "2026-01-10"}).read_text("utf-8")
    return LOG_TEMPLATE


@pytest.fixture
def stubs(
    monkeypatch: pytest.MonkeyPatch, mini_run: Path, campaign_template: Path, log_template: str
) -> Iterator[Stubs]:
    s = Stubs(mini_run, campaign_template)
    _install(monkeypatch, s)
    yield s


# ------------------------------------------------------------------------ the sandbox
@dataclass
class Case:
    """One generated case: file contents, campaign damage and the argument list."""

    files: dict[str, bytes]
    damage: str
    argv: list[str]

    def __repr__(self) -> str:  # the argv and only the files that differ from the templates
        changed = {
            name: data[:300]
            for name, data in self.files.items()
            if data != (LOG_TEMPLATE if name == "log.csv" else TEMPLATES[name]).encode()
        }
        return f"Case(argv={self.argv!r}, damage={self.damage!r}, changed_files={changed!r})"


def _make_sandbox(root: Path, case: Case, stubs: Stubs) -> None:
    for name, data in case.files.items():
        (root / name).write_bytes(data)
    (root / "st[").mkdir()  # "st[/b]x.toml": rich markup across a directory name
    (root / "st[" / "b]x.toml").write_bytes(case.files["stage.toml"])
    (root / "log.csv").write_bytes(case.files["log.csv"])
    (root / "file").write_text("not a directory", "utf-8")
    (root / "dir").mkdir()
    (root / "full").mkdir()
    (root / "full" / "notes.txt").write_text("mine", "utf-8")
    (root / "a[red]b").mkdir()
    shutil.copytree(stubs.mini_run, root / "run")
    shutil.copytree(stubs.campaign_template, root / "camp")
    _damage(root / "camp", case.damage)
    sock = socket.socket(socket.AF_UNIX)  # a special file, as /dev/null is
    try:
        sock.bind(str(root / "sock"))
    finally:
        sock.close()


def _damage(camp: Path, damage: str) -> None:
    chunk = camp / "chunk-00001.parquet"
    if damage == "truncate":
        chunk.write_bytes(chunk.read_bytes()[:100])
    elif damage == "flip":
        data = bytearray(chunk.read_bytes())
        data[len(data) // 2] ^= 0xFF
        chunk.write_bytes(bytes(data))
    elif damage == "no_ledger":
        (camp / "chunks.jsonl").unlink()
    elif damage == "torn_ledger":
        text = (camp / "chunks.jsonl").read_text("utf-8")
        (camp / "chunks.jsonl").write_text(text[: len(text) // 2], "utf-8")
    elif damage == "manifest":
        (camp / "campaign.json").write_bytes(b'{"rally": "dakar-2026", "seed"')
    elif damage == "missing_chunk":
        chunk.unlink()
    elif damage == "junk_chunk":
        chunk.write_bytes(b"\xff" * 64)


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


#: sandboxes on a RAM disk where there is one (a case makes and removes ~30 files)
SANDBOX_ROOT = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def check_case(case: Case, stubs: Stubs) -> None:
    """Run one case in a fresh sandbox and check the exit-code contract."""
    with tempfile.TemporaryDirectory(prefix="raidsim-prop-", dir=SANDBOX_ROOT) as tmp:
        root = Path(tmp)
        _make_sandbox(root, case, stubs)
        before = _snapshot(root)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = runner.invoke(app, case.argv)
        finally:
            os.chdir(cwd)
        after = _snapshot(root)
    CALLS.append(f"{case.argv[0] if case.argv else ''} -> {result.exit_code}")
    allowed = {0, 1, 2} if case.argv[:1] == ["check-regs"] else {0, 2, 3}
    context = f"argv={case.argv!r}\noutput:\n{result.output}"
    assert result.exit_code in allowed, context
    assert "Traceback" not in result.output, context
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{result.exception!r}\n{context}"
    )
    if result.exit_code == 2:
        assert after <= before, f"new files on exit 2: {sorted(after - before)}\n{context}"
    if result.exit_code != 0:
        leftovers = [p for p in after - before if p.rsplit("/", 1)[-1].startswith(".")]
        assert not leftovers, f"temporary files left: {leftovers}\n{context}"


CALLS: list[str] = []

# ------------------------------------------------------------------------ argument strategies
PATHS = [
    "stage.toml",
    "route.gpx",
    "route.geojson",
    "route.csv",
    "car.toml",
    "crews.toml",
    "map.toml",
    "log.csv",
    "st[/b]x.toml",
    "missing.toml",
    "missing.gpx",
    "file",
    "file/sub",
    "file/sub/x.html",
    "dir",
    "dir/new",
    "full",
    "a[red]b",
    "a[red]b/x.html",
    "sock",
    "run",
    "camp",
    "runs/new",
    "new.csv",
    "new.parquet",
    "new.html",
    "/proc/raidsim-nope/out",
]
paths = st.sampled_from(PATHS)
numbers = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e309", "1e12", "-300", "99", "x", ""]),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
values = st.one_of(numbers, paths, texts, st.sampled_from(["[red]x", "[/b]", "a=b", "--x"]))
vehicles = st.one_of(
    st.sampled_from(["d7x-r", "octa", "lc-gr-sport", "car.toml", "missing.toml", "x[red]y"]),
    paths,
)
stages = st.sampled_from(
    ["stage.toml", "route.gpx", "route.geojson", "route.csv", "st[/b]x.toml", "default"]
    + ["missing.toml", "nope", "file", "dir", "car.toml", "dakar-2026/99"]
)
setups = st.one_of(
    st.builds(
        lambda k, v: f"{k}={v}",
        st.sampled_from([*SETUP_KEYS, "wings", "chassis.cg_height_m", "", "fuel.x"]),
        numbers,
    ),
    texts,
)

#: flag -> value strategy (None: a flag without a value)
COMMON: dict[str, Any] = {
    "--vehicle": vehicles,
    "--setup": setups,
    "--ambient-C": numbers,
    "--altitude-m": numbers,
    "--headwind-mps": numbers,
}
FLAGS: dict[str, dict[str, Any]] = {
    "run": {
        **COMMON,
        "--out": paths,
        "--seed": numbers,
        "--quiet": None,
        "--no-report": None,
        "--overwrite": None,
        "--sample-rate-hz": numbers,
    },
    "estimate": {**COMMON, "--profile": paths, "--json": None},
    "stage-info": {"--seed": numbers, "--json": None, "--out": paths},
    "jump": {
        **COMMON,
        "--height-m": numbers,
        "--speed-kmh": numbers,
        "--flight-mode": st.sampled_from(["on", "off", "both", "maybe"]),
        "--sweep": None,
        "--out": paths,
    },
    "optimize": {
        **COMMON,
        "--params": st.sampled_from(["final_drive", "fuel_load_L,damper_clicks_front", "x", ""]),
        "--range": st.sampled_from(["final_drive=4:5", "final_drive=9:1", "x=1:2", "bad"]),
        "--trials": st.sampled_from(["1", "2", "0", "-3", "50", "x"]),
        "--objective": st.sampled_from(["time", "time+risk", "speed"]),
        "--storage": st.sampled_from(
            ["notaurl", "sqlite:///study.db", "sqlite:///file/x.db", "sqlite:///file", "foo://x"]
        ),
        "--seed": numbers,
        "--fuel-reserve-pct": numbers,
        "--max-derate-s": numbers,
        "--n-jobs": numbers,
        "--confirm": None,
        "--no-confirm": None,
        "--json": None,
    },
    "check-regs": {"--setup": setups, "--rules": st.sampled_from(["w2rc_stock", "t1", "../x"])},
    "campaign": {
        "--out": paths,
        "--replicates": st.one_of(st.integers(-2, 30).map(str), numbers),
        "--crews": st.sampled_from(["crews.toml", "missing.toml", "car.toml", "file", "sock"]),
        "--seed": numbers,
        "--ambient-C": numbers,
        "--workers": st.sampled_from(["0", "1", "2", "-1", "100000", "x"]),
        "--scheduler": st.sampled_from(["tcp://127.0.0.1:1", "tls://127.0.0.1:1", "x"]),
        "--tls-ca-file": st.sampled_from(["car.toml", "missing.pem", "file", "dir", "sock"]),
        "--chunk-size": st.sampled_from(["1", "5", "0", "-1", "100000000000", "x"]),
        "--max-chunks": st.sampled_from(["0", "1", "-1", "x"]),
        "--quiet": None,
    },
    "campaign-report": {"--compare": st.sampled_from(["camp", "run", "missing"]), "--json": None},
    "correlate": {
        **COMMON,
        "--stage": stages,
        "--fit": st.sampled_from(["grip", "power", "grip_sand", "wings", ""]),
        "--out": paths,
        "--channel-map": st.sampled_from(["map.toml", "missing.toml", "car.toml", "sock"]),
        "--transient": None,
        "--overwrite": None,
    },
    "export": {"--format": st.sampled_from(["csv", "ld", "parquet", "xls"]), "--out": paths},
    "report": {"--out": paths},
    "presets": {},
}
#: command -> strategy of its positional arguments
POSITIONAL: dict[str, Any] = {
    "run": st.lists(stages, max_size=1),
    "estimate": st.lists(stages, max_size=1),
    "stage-info": st.lists(stages, max_size=1),
    "jump": st.just([]),
    "optimize": st.lists(stages, max_size=1),
    "check-regs": st.lists(vehicles, max_size=1),
    "campaign": st.lists(st.sampled_from(["dakar-2026", "nope", "[red]"]), max_size=1),
    "campaign-report": st.lists(
        st.sampled_from(["camp", "run", "missing", "file"]), min_size=1, max_size=1
    ),
    "correlate": st.lists(
        st.sampled_from(["log.csv", "missing.csv", "route.csv", "car.toml", "file"]),
        min_size=1,
        max_size=1,
    ),
    "export": st.lists(st.sampled_from(["run", "camp", "missing", "file"]), min_size=1, max_size=1),
    "report": st.lists(st.sampled_from(["run", "camp", "missing", "file"]), min_size=1, max_size=2),
    "presets": st.just([]),
}


@st.composite
def argv_for(draw: st.DrawFn, command: str, *, n_flags: int = 4) -> list[str]:
    argv = [command, *draw(POSITIONAL[command])]
    if command == "campaign" and draw(st.integers(0, 4)):  # mostly a small campaign
        argv += ["--replicates", str(draw(st.integers(1, 30)))]
    flags = FLAGS[command]
    if flags:
        for flag in draw(st.lists(st.sampled_from(sorted(flags)), max_size=n_flags)):
            strategy = flags[flag]
            argv += [flag] if strategy is None else [flag, draw(strategy)]
    if command in ("run", "campaign") and draw(st.booleans()):
        argv.append("--quiet")
    return argv


@st.composite
def file_set(draw: st.DrawFn, *, damage: bool) -> dict[str, bytes]:
    files = {
        name: draw(mutated(text)) if damage else text.encode() for name, text in TEMPLATES.items()
    }
    files["log.csv"] = draw(mutated(LOG_TEMPLATE)) if damage else LOG_TEMPLATE.encode()
    return files


#: a short logged run (AiM CSV) on route.csv; written by the ``log_template`` fixture
LOG_TEMPLATE = ""
COMMANDS = sorted(FLAGS)
DAMAGE = ["none", "none", "truncate", "flip", "no_ledger", "torn_ledger", "manifest"]
DAMAGE += ["missing_chunk", "junk_chunk"]

ROUTES = ["stage.toml", "route.gpx", "route.geojson", "route.csv", "st[/b]x.toml"]
#: (command, its arguments that read a mutated sandbox file)
READERS: list[tuple[str, Any]] = [
    (c, st.sampled_from(ROUTES).map(lambda r: [r]))
    for c in ("run", "estimate", "stage-info", "optimize")
]
READERS += [
    (c, st.just(["--vehicle", "car.toml"])) for c in ("run", "estimate", "jump", "optimize")
]
READERS += [
    ("check-regs", st.just(["car.toml"])),
    ("campaign", st.just(["--crews", "crews.toml", "--replicates", "7", "--workers", "0"])),
    ("campaign-report", st.sampled_from([["camp"], ["camp", "--compare", "camp"]])),
    ("correlate", st.sampled_from(ROUTES).map(lambda r: ["log.csv", "--stage", r])),
    ("correlate", st.just(["log.csv", "--channel-map", "map.toml"])),
    ("correlate", st.just(["route.csv"])),
]


@st.composite
def reader_argv(draw: st.DrawFn) -> list[str]:
    """A command that reads one of the mutated files, plus up to two random flags."""
    command, reads = draw(st.sampled_from(READERS))
    argv = draw(argv_for(command, n_flags=2))
    return [argv[0], *draw(reads), *argv[1:]]


cases_inputs = st.builds(
    Case, files=file_set(damage=True), damage=st.sampled_from(DAMAGE), argv=reader_argv()
)
cases_flags = st.builds(
    Case,
    files=file_set(damage=False),
    damage=st.just("none"),
    argv=st.sampled_from(COMMANDS).flatmap(lambda c: argv_for(c, n_flags=6)),
)
OUT_FLAG = {"estimate": "--profile"}


@st.composite
def out_argv(draw: st.DrawFn) -> list[str]:
    """A writing command with its output flag on an awkward path (an existing file, a
    directory that holds files, ``file/sub``, a socket, an uncreatable path), maybe
    --overwrite, and a few other flags."""
    command = draw(st.sampled_from(sorted(WRITERS)))
    argv = draw(argv_for(command, n_flags=2))
    argv += [OUT_FLAG.get(command, "--out"), draw(paths)]
    if command in ("run", "correlate") and draw(st.booleans()):
        argv.append("--overwrite")
    return argv


WRITERS = {"run", "correlate", "report", "export", "jump", "estimate", "stage-info", "campaign"}
cases_outputs = st.builds(
    Case, files=file_set(damage=False), damage=st.sampled_from(DAMAGE), argv=out_argv()
)

PROPERTY_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}


def _run_property(strategy: Any, n: int, stubs: Stubs) -> None:
    CALLS.clear()

    @settings(max_examples=n, **PROPERTY_SETTINGS)
    @given(case=strategy)
    def prop(case: Case) -> None:
        check_case(case, stubs)

    prop()
    if os.environ.get("RAIDSIM_PROPERTY_STATS"):  # which commands ended how
        import collections

        print(collections.Counter(CALLS).most_common())
    assert len(CALLS) >= n  # the case count the module docstring promises


def test_cli_contract_on_mutated_input_files(stubs: Stubs) -> None:
    _run_property(cases_inputs, 700, stubs)


def test_cli_contract_on_random_flags(stubs: Stubs) -> None:
    _run_property(cases_flags, 700, stubs)


def test_cli_contract_on_output_paths(stubs: Stubs) -> None:
    _run_property(cases_outputs, 700, stubs)
