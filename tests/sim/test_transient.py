"""Determinism and divergence diagnostics of the transient driver; the streamed summary,
the chunk-invariant landing tracker and the per-channel telemetry rates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raidsim as rs
from raidsim.errors import ConfigError, SimulationDiverged
from raidsim.io.channels import round_mantissa
from raidsim.model.settings import Settings
from raidsim.model.vehicle import Vehicle
from raidsim.route.scenarios import straight_stage
from raidsim.sim.landings import WHEELS, LandingTracker, analyse_landings
from raidsim.sim.layout import CHANNEL_NAMES
from raidsim.sim.runner import planned_model


def test_same_seed_same_inputs_bit_identical(d7xr: Vehicle) -> None:
    stage = rs.load_stage("default", seed=3)
    runs = []
    for _ in range(2):
        m = planned_model(d7xr, rs.load_stage("default", seed=3))
        runs.append(m.run_for(90.0))
    for name in runs[0]:
        assert np.array_equal(runs[0][name], runs[1][name]), name
    # and another seed gives another terrain
    other = rs.load_stage("default", seed=4)
    assert not np.array_equal(stage.feature_height_m, other.feature_height_m)


def test_divergence_stops_with_diagnostic(d7xr: Vehicle) -> None:
    m = planned_model(d7xr, straight_stage(1000.0))
    # an absurd halfshaft stiffness makes the explicit driveline unstable at 1 ms
    m.set_param("K_HS", 5e9)
    with pytest.raises(SimulationDiverged) as info:
        m.run_for(5.0)
    err = info.value
    assert err.time_s < 5.0
    assert err.channel  # names the state that blew up
    assert "diverged at t=" in str(err)


# --------------------------------------------------------------------------- streaming
def _whole_frame_figures(frame: pl.DataFrame, radius_m: float, dt_s: float) -> dict[str, Any]:
    """The summary's whole-run figures computed as before streaming: from the full frame."""
    hs = np.abs(frame.select(f"halfshaft_torque_{w}_Nm" for w in WHEELS).to_numpy())
    landings = analyse_landings(frame, radius_m, dt_s=dt_s)
    return {
        "max_speed_kmh": float(frame["speed_mps"].to_numpy().max() * 3.6),
        "max_halfshaft_torque_Nm": float(hs.max()),
        "max_coolant_C": float(frame["coolant_C"].max()),  # type: ignore[arg-type]
        "max_oil_C": float(frame["oil_C"].max()),  # type: ignore[arg-type]
        "max_brake_disc_C": max(float(frame[f"brake_disc_C_{w}"].max()) for w in WHEELS),  # type: ignore[arg-type]
        "landings_detected": landings.events.height,
        "max_landing_halfshaft_torque_Nm": landings.max_peak_torque_Nm,
        "flight_mode_false_triggers": landings.false_triggers,
    }


def test_streamed_summary_equals_the_in_memory_one_on_the_default_stage(
    d7xr: Vehicle, tmp_path: Path
) -> None:
    """With an output directory nothing but the summary accumulators sees the rows; its
    figures equal the ones computed from the whole in-memory frame, landings included."""
    rows: list[np.ndarray] = []
    run = rs.simulate(
        d7xr, rs.load_stage("default"), out_dir=tmp_path / "r", on_rows=lambda r: rows.append(r)
    )
    frame = pl.DataFrame(dict(zip(CHANNEL_NAMES, np.concatenate(rows).T, strict=True)))
    assert frame.height > 200_000  # ~37 min at 100 Hz
    dt = Settings().dt_s * round(1.0 / (Settings().sample_rate_hz * Settings().dt_s))
    whole = _whole_frame_figures(frame, d7xr.tyre.unloaded_radius_m, dt)
    assert {k: run.summary[k] for k in whole} == whole
    assert whole["landings_detected"] > 10
    assert run.landings is not None
    assert run.landings.events.equals(
        analyse_landings(frame, d7xr.tyre.unloaded_radius_m, dt_s=dt).events
    )
    assert json.loads((tmp_path / "r" / "summary.json").read_text()) == run.summary
    # Run.telemetry reads the compact file only when asked
    assert run._frame is None
    tel = run.telemetry
    assert tel.height == frame.height and tel["speed_mps"].dtype == pl.Float32
    np.testing.assert_array_equal(tel["time_s"].to_numpy(), frame["time_s"].to_numpy())
    np.testing.assert_array_equal(  # float32 with 16 significant mantissa bits
        tel["coolant_C"].drop_nulls().to_numpy(),
        round_mantissa(frame["coolant_C"][::10].to_numpy().astype(np.float32)),
    )


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 400),
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(1, 399), max_size=12),
)
def test_landing_tracker_is_chunk_invariant(n: int, seed: int, cuts: list[int]) -> None:
    """Any chunking of the samples gives the events and false triggers of one frame."""
    rng = np.random.default_rng(seed)
    block = rng.integers(1, 15)
    air = np.repeat((rng.random(n // block + 1) < 0.4).astype(float), block)[:n]
    fm = np.repeat(rng.integers(0, 3, n // 7 + 1), 7)[:n].astype(float)
    cols = {
        "time_s": (np.arange(n) + 1) * 0.01,
        "distance_m": np.arange(n) * 0.3,
        "speed_mps": rng.random(n) * 30,
        "airborne_truth": air,
        "flight_mode_state": fm,
        **{f"halfshaft_torque_peak_{w}_Nm": rng.random(n) * 1000 for w in WHEELS},
        **{f"wheel_speed_{w}_radps": rng.random(n) * 50 for w in WHEELS},
    }
    whole = analyse_landings(pl.DataFrame(cols), 0.44, dt_s=0.01)
    tracker = LandingTracker(0.44, 0.01)
    edges = [0, *sorted({c for c in cuts if c < n}), n]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        tracker.update({k: v[a:b] for k, v in cols.items()})
    streamed = tracker.finish()
    assert streamed.events.equals(whole.events)
    assert streamed.false_triggers == whole.false_triggers


def test_channel_rates_and_sample_rate(d7xr: Vehicle, tmp_path: Path) -> None:
    """--sample-rate-hz and the channel-rate table: the grid is the fastest rate asked for,
    slow channels stay at 10 Hz, a rate that does not divide the grid is refused."""
    stage = straight_stage(300.0, limit_kmh=60.0)
    run = rs.simulate(
        d7xr,
        stage,
        settings=Settings(sample_rate_hz=50.0),
        out_dir=tmp_path / "r",
        channel_rates={"tyre_load_*": 200.0, "brake_disc_C_*": 1.0},
    )
    tel = run.telemetry
    assert run.rates_hz["time_s"] == 200.0 and run.rates_hz["speed_mps"] == 50.0
    assert run.rates_hz["tyre_load_fl_N"] == 200.0 and run.rates_hz["coolant_C"] == 10.0
    assert run.rates_hz["brake_disc_C_rr"] == 1.0
    np.testing.assert_allclose(np.diff(tel["time_s"].to_numpy()), 0.005, atol=1e-9)
    assert tel["tyre_load_fl_N"].null_count() == 0
    assert tel["speed_mps"].drop_nulls().len() == -(-tel.height // 4)
    assert tel["coolant_C"].drop_nulls().len() == -(-tel.height // 20)
    for bad, needle in (
        ({"coolant_C": 30.0}, "does not divide"),
        ({"no_such_*": 10.0}, "no channel matches"),
        ({"time_s": 10.0}, "time_s is the sample grid"),
        ({"speed_mps": 0.0}, "between 0 and 1000"),
    ):
        with pytest.raises(ConfigError, match=needle):
            rs.simulate(d7xr, stage, out_dir=tmp_path / "bad", channel_rates=bad)
    with pytest.raises(ConfigError, match="no whole number of steps"):
        rs.simulate(d7xr, stage, settings=Settings(sample_rate_hz=300.0))
    assert not (tmp_path / "bad").exists()
