"""Run a whole stage with the transient model: plan, drive the kernel chunk by chunk,
progress, telemetry streaming, diagnostics.

:func:`planned_model` plans the stage (the speed table's ride, shock and crest limits:
this may run the speed-table sweeps, :mod:`raidsim.sim.ride`) and builds the
:class:`~raidsim.sim.transient.model.TransientModel` that holds the flat arrays (state,
parameters, route) and advances them; ``simulate`` runs a whole stage: each chunk's rows
feed the summary (maxima and landings, accumulated from the full-rate rows) and either the
compact ``telemetry.parquet`` writer (:mod:`raidsim.io.telemetry`; memory does not grow
with the stage) or, without an output directory, the in-memory float64 frame. It returns a
:class:`Run`.
"""

from __future__ import annotations

import fnmatch
import json
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.errors import ConfigError, OutOfFuel, RaidsimError
from raidsim.errors import LostControl as LostControl  # re-exported: raised here
from raidsim.errors import SimulationStopped as SimulationStopped  # re-exported: raised here
from raidsim.io import formats
from raidsim.io.channels import ChannelFormat, channel_stride
from raidsim.io.summary import StageSummary
from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings, divides_step
from raidsim.model.vehicle import Vehicle
from raidsim.route.stage import Stage
from raidsim.sim.compile_watch import CompileWatch
from raidsim.sim.context import context_fields
from raidsim.sim.fuel_range import fuel_watch
from raidsim.sim.layout import (
    CH,
    CHANNEL_NAMES,
    CHANNELS,
    LOST_CONTROL_CAUSES,
    N_CH,
    STATUS_FINISHED,
    STATUS_LOST_CONTROL,
    STATUS_RUNNING,
    STATUS_STUCK,
    STATUS_TIMEOUT,
)
from raidsim.sim.ride.limits import planned_route_arrays
from raidsim.sim.stall import stall_diagnostic
from raidsim.sim.time_loss import LIMITS_FILE, LimitTrace, totals
from raidsim.sim.trace_clock import TraceClock
from raidsim.sim.transient.model import TransientModel
from raidsim.sim.transient.pipeline import KernelThread
from raidsim.sim.transient.watch import NO_PROGRESS
from raidsim.units import KMH_PER_MPS

if TYPE_CHECKING:
    import polars as pl

    from raidsim.io.telemetry import TelemetrySource
    from raidsim.sim.landings import LandingReport


def lost_control_diagnostic(model: TransientModel) -> str:
    """What the supervisor saw when it stopped the run: time, km, cause, offset, speed,
    yaw rate."""
    cause = LOST_CONTROL_CAUSES.get(int(model["LOST_CONTROL"]), "unknown")
    speed_kmh = math.hypot(model["VX"], model["VY"]) * KMH_PER_MPS
    if int(model["LOST_CONTROL"]) == NO_PROGRESS:  # a stall: what it had against it
        cause += "; " + stall_diagnostic(
            model.vehicle, model.stage, model.settings, model["S_ROUTE"]
        )
    return (
        f"lost control at t={model.time_s:.1f} s, km {model['S_ROUTE'] / 1000.0:.3f}: "
        f"{cause} (lateral offset {model['N_ROUTE']:+.1f} m, speed {speed_kmh:.0f} km/h, "
        f"yaw rate {model['R']:+.2f} rad/s, crew pace {model['CREW_PACE']:.2f})"
    )


def planned_model(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    initial_speed_mps: float = 0.0,
) -> TransientModel:
    """A :class:`TransientModel` of ``vehicle`` on ``stage`` driving the crew's plan over
    this ground (:func:`~raidsim.sim.ride.limits.planned_route_arrays`: planning may run
    the speed-table sweeps on a first use of a car), at ``ambient`` if given, else at the
    stage's own conditions."""
    settings = settings or Settings()
    plan = planned_route_arrays(vehicle, settings, stage)
    return TransientModel(vehicle, stage, ambient, settings, initial_speed_mps, plan=plan)


class Run:
    """Result of a transient stage run.

    ``telemetry``: the polars frame of every channel. A run made without ``out_dir`` holds it
    in memory (every channel float64 at the sample rate, as the kernel produced it); a run
    written to ``out_dir`` reads it from ``telemetry.parquet`` on first access (the compact
    file: per-channel rates and dtypes, slow channels null between their samples).
    Streaming readers (report, exports) use :attr:`source` and never load the whole frame.
    """

    def __init__(
        self,
        summary: StageSummary,
        telemetry: pl.DataFrame | None = None,
        out_dir: Path | None = None,
        units: dict[str, str] | None = None,
        rates_hz: dict[str, float] | None = None,
        landings: LandingReport | None = None,
        limits: LimitTrace | None = None,
    ) -> None:
        self._frame = telemetry
        #: whole-stage figures (:class:`raidsim.io.summary.StageSummary`)
        self.summary = summary
        self.out_dir = out_dir
        self.units: dict[str, str] = units if units is not None else {}
        self.rates_hz: dict[str, float] = rates_hz if rates_hz is not None else {}
        self.landings = landings
        #: per metre, what bound the speed, with fuel and heat (:mod:`raidsim.sim.time_loss`)
        self.limits = limits

    @property
    def telemetry_path(self) -> Path | None:
        """``out_dir/telemetry.parquet`` when the run wrote one."""
        if self.out_dir is None:
            return None
        path = self.out_dir / TELEMETRY_FILE
        return path if path.is_file() else None

    @property
    def telemetry(self) -> pl.DataFrame:
        if self._frame is None:
            path = self.telemetry_path
            if path is None:
                raise RaidsimError("this run kept no telemetry (no out_dir and no frame)")
            from raidsim.io.telemetry import TelemetryFile

            self._frame = TelemetryFile(path).frame()
        return self._frame

    @property
    def source(self) -> TelemetrySource:
        """The telemetry as a streaming source: the file when there is one."""
        from raidsim.io.telemetry import FrameTelemetry, TelemetryFile

        path = self.telemetry_path
        if path is not None and self._frame is None:
            return TelemetryFile(path)
        return FrameTelemetry(self.telemetry, self.units, self.rates_hz or None)


TELEMETRY_FILE = "telemetry.parquet"
SUMMARY_FILE = "summary.json"
STOPPED_FILE = formats.STOPPED_FILE  # a stopped run's diagnostic, instead of the summary
#: channels whose sample rate is the grid itself (readers pair every sample with them)
GRID_CHANNELS = ("time_s", "distance_m")
#: the fastest channel rate a run may store (the 1 ms step)
MAX_RATE_HZ = 1000.0


def channel_formats(
    sample_rate_hz: float, channel_rates: Mapping[str, float] | None = None
) -> tuple[float, list[ChannelFormat]]:
    """The sample grid (Hz) and the stored format of every layout channel.

    A channel's rate is its ``Channel.rate_hz`` (``None``: ``sample_rate_hz``), capped at
    ``sample_rate_hz``, unless ``channel_rates`` names it (``fnmatch`` patterns such as
    ``brake_disc_C_*``, later entries win). The grid is the fastest rate asked for; every
    rate must divide it, and ``time_s``/``distance_m`` are always on the grid. Raises
    :class:`ConfigError` naming the channel or pattern.
    """
    rates: dict[str, float] = {
        c.name: min(c.rate_hz, sample_rate_hz) if c.rate_hz is not None else sample_rate_hz
        for c in CHANNELS
    }
    for pattern, rate in (channel_rates or {}).items():
        names = [n for n in CHANNEL_NAMES if fnmatch.fnmatchcase(n, pattern)]
        if not names:
            raise ConfigError(
                f"--channel-rate {pattern}={rate:g}: no channel matches '{pattern}' "
                f"(channels: {', '.join(CHANNEL_NAMES[:6])} ...; see telemetry.parquet)"
            )
        if not (math.isfinite(rate) and 0 < rate <= MAX_RATE_HZ):
            raise ConfigError(
                f"--channel-rate {pattern}={rate:g}: the rate must be between 0 and "
                f"{MAX_RATE_HZ:g} Hz"
            )
        for n in names:
            rates[n] = float(rate)
    grid = max(sample_rate_hz, *rates.values())
    for n in GRID_CHANNELS:
        if rates[n] != sample_rate_hz and rates[n] != grid:
            raise ConfigError(
                f"--channel-rate {n}={rates[n]:g}: {n} is the sample grid; it is stored at "
                f"the fastest rate ({grid:g} Hz)"
            )
        rates[n] = grid
    formats = []
    for c in CHANNELS:
        try:
            channel_stride(c.name, rates[c.name], grid)
        except ValueError as exc:
            raise ConfigError(f"--channel-rate {c.name}={rates[c.name]:g}: {exc}") from None
        formats.append(ChannelFormat(c.name, c.unit, c.description, rates[c.name], c.dtype))
    return grid, formats


class _Summary:
    """Whole-run figures accumulated chunk by chunk from the full-rate rows."""

    def __init__(self, wheel_radius_m: float, dt_s: float) -> None:
        self.max_speed = -math.inf
        self.max_hs = -math.inf
        self.max = {name: -math.inf for name in _PEAK_CHANNELS}
        from raidsim.sim.landings import LANDING_CHANNELS, LandingTracker

        self.rows = 0
        self.landings = LandingTracker(wheel_radius_m, dt_s)
        self.landing_columns = [(name, CH[name]) for name in LANDING_CHANNELS]

    def update(self, rows: NDArray[np.float64]) -> None:
        if len(rows) == 0:
            return
        self.rows += len(rows)
        self.max_speed = max(self.max_speed, float(rows[:, CH["speed_mps"]].max()))
        self.max_hs = max(self.max_hs, float(np.abs(rows[:, _HS]).max()))
        for name in _PEAK_CHANNELS:
            self.max[name] = max(self.max[name], float(rows[:, CH[name]].max()))
        self.landings.update({name: rows[:, j] for name, j in self.landing_columns})

    def peak(self, name: str) -> float:
        return self.max[name] if self.rows else 0.0


_HS = [CH[f"halfshaft_torque_{w}_Nm"] for w in ("fl", "fr", "rl", "rr")]
_PEAK_CHANNELS = ("coolant_C", "oil_C", *(f"brake_disc_C_{w}" for w in ("fl", "fr", "rl", "rr")))


def _summary(
    acc: _Summary, landings: LandingReport, model: TransientModel, wall_s: float, kernel_s: float
) -> StageSummary:
    sim_t = model.time_s
    fuel_kg = model["FUEL_USED"]
    dist = model["S_ROUTE"]
    fuel_L = fuel_kg / model.vehicle.fuel.density_kg_per_L
    return StageSummary(
        tier="transient",
        vehicle=model.vehicle.name,
        stage=model.stage.name,
        seed=int(model.stage.definition.seed),
        **model.conditions.summary_fields(),
        stage_time_s=sim_t,
        distance_m=dist,
        odometer_m=model["ODOMETER"],
        avg_speed_kmh=dist / sim_t * KMH_PER_MPS if sim_t > 0 else 0.0,
        max_speed_kmh=float((acc.max_speed if acc.rows else 0.0) * KMH_PER_MPS),
        fuel_used_kg=fuel_kg,
        fuel_used_L=fuel_L,
        fuel_L_per_100km=fuel_L / (max(dist, 1.0) / 1000.0) * 100.0,
        jumps=len(model.stage.jump_lip_s_m),
        max_halfshaft_torque_Nm=float(acc.max_hs if acc.rows else 0.0),
        sim_time_s=sim_t,
        wall_time_s=wall_s,
        kernel_time_s=kernel_s,
        real_time_factor=sim_t / wall_s if wall_s > 0 else math.inf,
        steps=int(round(sim_t / model.settings.dt_s)),
        landings_detected=landings.events.height,
        max_landing_halfshaft_torque_Nm=landings.max_peak_torque_Nm,
        flight_mode_false_triggers=landings.false_triggers,
        max_coolant_C=acc.peak("coolant_C"),
        max_oil_C=acc.peak("oil_C"),
        derate_time_s=model["DERATE_TIME"],
        max_brake_disc_C=max(acc.peak(f"brake_disc_C_{w}") for w in ("fl", "fr", "rl", "rr")),
        final_filter_loading=model["FILTER_LOAD"],
        **context_fields(model.vehicle, model.ambient),
    )


#: summary fields that measure this machine, not the run (they differ run to run)
TIMING_FIELDS = ("wall_time_s", "kernel_time_s", "real_time_factor", "compile_time_s")
#: a run's compile time is shown from this many seconds (a load from the cache is less)
COMPILE_NOTICE_S = 1.0


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    atomic.write_text(path, json.dumps(data, indent=2, sort_keys=True))


def drive(
    model: TransientModel,
    chunks: KernelThread,
    consume: Callable[[NDArray[np.float64]], None],
    on_progress: Callable[[float, float], None] | None = None,
) -> float:
    """Consume a running :class:`KernelThread` of ``model`` to the finish, handing every
    chunk's rows to ``consume`` and the distance to ``on_progress``; returns the kernel's
    wall time (s, the sum of its calls). A run that ends otherwise raises
    :class:`SimulationStopped` (time limit, stuck) or :class:`LostControl` after its last
    rows were consumed; a car that burns its fuel load before a refuel point or the finish
    stops where it ran dry (:class:`OutOfFuel`, :mod:`raidsim.sim.fuel_range`)."""
    kernel_s = 0.0
    length_m = model.stage.length_m
    fuel = model.vehicle.fuel
    watch = fuel_watch(
        fuel.fuel_load_L, fuel.density_kg_per_L, [r.km for r in model.stage.definition.refuels]
    )
    for chunk in chunks:
        kernel_s += chunk.kernel_s
        rows = chunk.rows
        dry = watch.update(rows[:, CH["distance_m"]], rows[:, CH["fuel_used_kg"]])
        if dry is not None:  # the rows up to the sample that ran dry, then the stop
            consume(rows[: dry + 1])
            s_m = float(rows[dry, CH["distance_m"]])
            raise OutOfFuel(
                watch.message(s_m, fuel.density_kg_per_L),
                float(rows[dry, CH["time_s"]]),
                s_m,
            )
        if len(rows):
            consume(rows)
        if on_progress is not None:
            on_progress(chunk.distance_m, length_m)
        raise_if_stopped(model, chunk.status)
    return kernel_s


def raise_if_stopped(model: TransientModel, status: int) -> None:
    """The run's stop as an error, for a chunk status that is neither running nor finished."""
    if status == STATUS_TIMEOUT:
        raise SimulationStopped(
            f"time limit {model.param('MAX_TIME'):.0f} s reached at "
            f"s={model['S_ROUTE']:.0f} m of {model.stage.length_m:.0f} m"
        )
    if status == STATUS_STUCK:
        raise SimulationStopped(
            f"car stuck (below 1 m/s for 120 s) at t={model.time_s:.1f} s, "
            f"s={model['S_ROUTE']:.0f} m, gear {model['GEAR']:.0f}, "
            + stall_diagnostic(model.vehicle, model.stage, model.settings, model["S_ROUTE"])
        )
    if status == STATUS_LOST_CONTROL:
        raise LostControl(lost_control_diagnostic(model))
    if status not in (STATUS_RUNNING, STATUS_FINISHED):
        raise RaidsimError(f"the kernel returned an unknown status {status}")


class _Outputs:
    """Where a run's chunks go: the summary and either ``telemetry.parquet`` (``out_dir``)
    or the in-memory pieces. Made once the kernel thread runs, so the Parquet writer and
    polars load while the first chunks are computed (:mod:`raidsim.sim.transient.pipeline`).
    """

    def __init__(
        self,
        model: TransientModel,
        out_path: Path | None,
        formats: list[ChannelFormat],
        grid_hz: float,
        on_rows: Callable[[NDArray[np.float64]], None] | None,
        on_table: Callable[[Any], None] | None = None,
    ) -> None:
        from raidsim.io.telemetry import TelemetryWriter

        self.model = model
        self.out_path = out_path
        self.on_rows = on_rows
        self.writer = (
            TelemetryWriter(out_path / TELEMETRY_FILE, formats, grid_hz, on_table=on_table)
            if out_path is not None
            else None
        )
        dt_s = model.sample_every * model.settings.dt_s
        self.acc = _Summary(model.vehicle.tyre.unloaded_radius_m, dt_s)
        self.clock = TraceClock(model.stage.length_m)
        self.pieces: list[NDArray[np.float64]] = []

    def consume(self, rows: NDArray[np.float64]) -> None:
        self.acc.update(rows)
        self.clock.update(rows)
        if self.on_rows is not None:
            self.on_rows(rows)
        if self.writer is not None:
            self.writer.append(rows)
        else:
            self.pieces.append(rows)

    def stream(
        self, chunks: KernelThread, on_progress: Callable[[float, float], None] | None
    ) -> float:
        """Consume the run (:func:`drive`) and close the file; returns the kernel's time (s).
        A stopped run keeps its telemetry up to the stop as ``telemetry.parquet.partial``
        beside ``stopped.json`` (never as a finish); any other error removes the file."""
        writer, model = self.writer, self.model
        try:
            kernel_s = drive(model, chunks, self.consume, on_progress)
            if writer is not None:
                writer.close()
        except SimulationStopped as stop:
            if writer is not None and self.out_path is not None:
                kept = writer.close_incomplete()
                _atomic_json(
                    self.out_path / STOPPED_FILE,
                    {
                        "stopped": str(stop),
                        "vehicle": model.vehicle.name,
                        "stage": model.stage.name,
                        "seed": int(model.stage.definition.seed),
                        "ambient_C": model.ambient.temp_C,
                        # a dry tank stops the run at its own sample (the kernel ran on)
                        "time_s": getattr(stop, "time_s", model.time_s),
                        "distance_m": getattr(stop, "distance_m", model["S_ROUTE"]),
                        "telemetry": kept.name,
                        "complete": False,
                    },
                )
            raise
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        return kernel_s

    def frame(self) -> pl.DataFrame | None:
        """The in-memory telemetry (float64, every channel) of a run without ``out_dir``."""
        if self.out_path is not None:
            return None
        import polars as pl

        tel = np.concatenate(self.pieces) if self.pieces else np.empty((0, N_CH))
        self.pieces.clear()
        return pl.DataFrame({name: tel[:, i] for i, name in enumerate(CHANNEL_NAMES)})


def simulate(
    vehicle: Vehicle,
    stage: Stage,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    out_dir: Path | str | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    channel_rates: Mapping[str, float] | None = None,
    on_rows: Callable[[NDArray[np.float64]], None] | None = None,
    on_start: Callable[[], None] | None = None,
    on_table: Callable[[Any], None] | None = None,
    on_compiling: Callable[[], None] | None = None,
) -> Run:
    """Drive the whole stage with the transient model, at ``ambient`` if given, else at
    the stage's own conditions (``stage.conditions``: a shipped rally stage's rally.toml
    temperature and altitude; change one field with ``stage.with_conditions(...)``). The
    summary records the weather and where each value came from (``conditions_source``).

    Without ``out_dir`` the run keeps its telemetry in memory (``Run.telemetry``: every
    channel float64 at ``settings.sample_rate_hz``). With ``out_dir`` each chunk is streamed
    to ``out_dir/telemetry.parquet`` in the compact layout (per-channel rates and dtypes,
    :func:`channel_formats`, ``channel_rates`` overriding the layout's; written under a
    temporary name and renamed when complete) and to nothing else, so memory does not grow
    with the stage; ``Run.telemetry`` then reads the file when asked. Either way the summary
    (and ``Run.landings``) is accumulated chunk by chunk from the full-rate rows, so both give
    the same figures; it is also written to ``out_dir/summary.json``.

    ``on_progress`` is called with (distance_m, stage_length_m) after every chunk, ``on_rows``
    with every chunk's full-rate rows (``(n, N_CH)`` float64, channel order of the layout),
    ``on_start`` once on the caller's thread when the kernel runs and the outputs are open
    (a caller loads there what it needs after the run: it overlaps the kernel), and
    ``on_table`` with every row group of ``out_dir/telemetry.parquet`` once it is written
    (a ``pyarrow.Table`` of the values as stored, on the writer's thread; the run report
    digests it there, :class:`raidsim.report.live.LiveDigest`). The compiled kernel is
    loaded before the run's clock starts; Numba compiling it (a first run after an install
    or an update) calls ``on_compiling`` once as it starts, and its time is
    ``summary["compile_time_s"]``, left out of the wall time and the real-time factor
    (:class:`raidsim.sim.compile_watch.CompileWatch`).
    """
    settings = settings or Settings()
    grid_hz, formats = channel_formats(settings.sample_rate_hz, channel_rates)
    if grid_hz != settings.sample_rate_hz:
        settings = settings.model_copy(update={"sample_rate_hz": grid_hz})
    if not divides_step(grid_hz, settings.dt_s):
        raise ConfigError(
            f"sample rate {grid_hz:g} Hz: the {settings.dt_s * 1000:g} ms step gives no whole "
            f"number of steps per sample (use a divisor of {1 / settings.dt_s:g} Hz)"
        )
    with CompileWatch(on_compiling) as compiling:
        model = planned_model(vehicle, stage, ambient, settings)
        model.load_kernel()  # compiled here on a first run, before the run's clock starts
        settings = model.settings
        chunk_steps = max(1, int(round(settings.chunk_s / settings.dt_s)))
        out_path = Path(out_dir) if out_dir is not None else None
        before_s = compiling.seconds
        t0 = time.perf_counter()
        with KernelThread(model, chunk_steps) as chunks:  # the kernel runs from here on
            outputs = _Outputs(model, out_path, formats, grid_hz, on_rows, on_table)
            if on_start is not None:
                on_start()
            kernel_s = outputs.stream(chunks, on_progress)
        wall = time.perf_counter() - t0 - (compiling.seconds - before_s)
    landings = outputs.acc.landings.finish()
    summary = _summary(outputs.acc, landings, model, wall, kernel_s)
    route = model.route
    assert route.limit_code is not None
    limits = outputs.clock.trace(
        model.vehicle,
        model.ambient,
        model.settings,
        route.target_speed,
        route.limit_code,
        np.asarray(model.stage.surface_code, dtype=np.int8),
        (model.stage.centreline.x_m, model.stage.centreline.y_m),
    )
    summary = summary.with_values(time_loss=totals(limits), compile_time_s=compiling.seconds)
    units = {c.name: c.unit for c in CHANNELS}
    frame = outputs.frame()
    if out_path is not None:
        limits.write_parquet(out_path / LIMITS_FILE)
        _atomic_json(out_path / SUMMARY_FILE, summary.to_json())
    return Run(
        telemetry=frame,
        summary=summary,
        out_dir=out_path,
        units=units,
        rates_hz={f.name: f.rate_hz for f in formats} if out_path is not None else None,
        landings=landings,
        limits=limits,
    )
