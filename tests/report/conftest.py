"""Runs for the report tests: two real short runs and one synthetic 800 km run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import raidsim as rs
from raidsim.io.runs import RunData, load_run, save_run
from raidsim.sim.layout import CHANNELS

STAGE_TOML = """
name = "report-test"
seed = 0
[synthetic_route]
length_km = 12.0
[[jumps]]
km = 2.0
ramp_length_m = 12.0
ramp_height_m = 1.0
drop_m = 1.0
takeoff_speed_kmh = 80.0
"""
WAYPOINTS = [{"km": 0.0, "kind": "DSS"}, {"km": 6.0, "kind": "WPM"}, {"km": 12.0, "kind": "ASS"}]

# optional channels other subsystems will add; the report must draw them when present
OPTIONAL = ["coolant_C", "oil_C", *(f"brake_disc_C_{w}" for w in ("fl", "fr", "rl", "rr"))]
OPTIONAL += ["fuel_L", "flight_mode_state"]


@pytest.fixture(scope="session")
def report_stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 12 km stage with a jump of the report tests (a stage file)."""
    path = tmp_path_factory.mktemp("report_stage") / "report-test.toml"
    path.write_text(STAGE_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def short_runs(tmp_path_factory: pytest.TempPathFactory, report_stage: Path) -> list[Path]:
    """Two real runs (seeds 0 and 1) of a 12 km stage with a jump; waypoints in the summary."""
    base = tmp_path_factory.mktemp("report_runs")
    car = rs.load_vehicle("d7x-r")
    dirs = []
    for seed in (0, 1):
        out = base / f"seed{seed}"
        rs.simulate(car, rs.load_stage(report_stage, seed=seed), out_dir=out)
        run = load_run(out)
        save_run(out, run.telemetry, {**run.summary, "waypoints": WAYPOINTS}, run.units)
        dirs.append(out)
    return dirs


def synthetic_run(out: Path, hours: float = 8.0, rate_hz: float = 10.0, seed: int = 0) -> RunData:
    """All layout channels plus the optional ones, ``hours`` long at ``rate_hz`` (800 km at
    the default 8 h and 100 km/h mean): random-walk speed and heading, periodic flights."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * rate_hz)
    dt = 1.0 / rate_hz
    t = (np.arange(n) + 1) * dt
    speed = np.clip(27.8 + np.cumsum(rng.normal(0, 0.05, n)), 2.0, 50.0)
    heading = np.cumsum(rng.normal(0, 0.01, n))
    cols: dict[str, np.ndarray] = {c.name: rng.normal(0, 1, n) for c in CHANNELS}
    cols.update(
        time_s=t,
        distance_m=np.cumsum(speed) * dt,
        odometer_m=np.cumsum(speed) * dt,
        x_m=np.cumsum(speed * np.cos(heading)) * dt,
        y_m=np.cumsum(speed * np.sin(heading)) * dt,
        speed_mps=speed,
        target_speed_mps=speed + 1,
        gear=np.clip(np.round(speed / 6), 1, 8),
        wheels_in_contact=np.where((np.arange(n) % 6000) < 6, 0.0, 4.0),
    )
    for name in OPTIONAL:
        cols[name] = 90 + np.cumsum(rng.normal(0, 0.01, n))
    units = {c.name: c.unit for c in CHANNELS} | {n: "C" for n in OPTIONAL[:6]}
    units |= {"fuel_L": "L", "flight_mode_state": "1"}
    summary = {"vehicle": "synthetic", "stage": "800 km", "stage_time_s": float(t[-1])}
    return load_run(save_run(out, pl.DataFrame(cols), summary, units))


@pytest.fixture(scope="session")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> RunData:
    return synthetic_run(tmp_path_factory.mktemp("big") / "run800")
