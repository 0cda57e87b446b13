"""The whole-rally Monte Carlo model: a base table built once, replicates drawn in numpy.

Two halves:

* :func:`build_base_table` (driver process, once per campaign): for every crew x stage the
  QSS special time, fuel over the longest refuel segment, brake energy and the landings'
  peak halfshaft torque (Flight Mode as the crew's setup has it), turned into expected
  punctures and mechanical hazard with the spec's constants. QSS results are cached per
  (vehicle x stage x ambient x settings x source digest), and each stage's km per surface
  per stage definition, in memory and on disk (:func:`raidsim.cachekey.cache_dir`
  ``("campaign")``); the source digest (:func:`raidsim.cachekey.source_digest`) covers
  every code and data file of the packages a result depends on (:data:`QSS_SOURCES`), so
  an edited physics constant or preset is never served from a stale entry. The table is
  small and is what the workers receive.
* :func:`simulate_replicates` (worker): replicates ``start..stop`` of the campaign. Each
  replicate draws from its own ``Generator(PCG64(SeedSequence([seed, index])))`` in a fixed
  order, so a replicate's numbers do not depend on the chunking or on the worker; the stage
  sequence (spares carried between stages, retirements) is then vectorised over replicates.

Per replicate, crew c and special s (all losses in seconds)::

    driving   = T_qss[c, s] x pace_c x exp(sigma_c Z)                 (median = pace x QSS)
    punctures ~ Poisson(sum_surf km x rate x (p_ref / p_c)^k)         spares used first:
    puncture  = used x change_time + (n - used) x long_stop           restock at service
    navigation= Gamma(hesitations, search_mean)                       (sum of exponentials)
    penalty   = sum_kind misses x penalty_kind + speeding x penalty   (binomial per WP kind)
    incidents ~ Poisson(km rate + sum_landings p_ref (T/T_ref)^m + E_brake rate
                        + derate hours rate)
    mechanical= Gamma(n shape, mean / shape);  retire with 1 - (1 - p_retire)^n
    fuel      = dry_stop if F_seg x exp(sigma_f Z_f) > tank - reserve

A service (spares back to full) comes before every special except the second day of a
marathon pair (this stage and the previous one both flagged ``marathon``). Liaisons are not
timed. The derate hours come from the QSS's thermal pass (``raidsim.sim.qss.heat``:
coolant/oil nodes and ECU derate along the QSS trace, at the spec's ambient).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim._version import __version__
from raidsim.cachekey import cache_dir, source_digest
from raidsim.campaign.spec import WAYPOINT_KINDS, CampaignSpec, CrewSpec
from raidsim.errors import ConfigError, RaidsimError
from raidsim.model.ambient import Conditions, HasConditions
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACES
from raidsim.physics import fpmath

F64 = NDArray[np.float64]

#: columns of a chunk file, in order, with their units/meaning (schema metadata)
COLUMNS: dict[str, str] = {
    "replicate": "replicate index in the campaign",
    "crew_index": "position in the spec's crews",
    "crew": "crew name",
    "entry_class": "class for rankings",
    "stage_index": "position in the campaign's stages",
    "stage": "stage name",
    "driving_time_s": "s, QSS x pace x variability",
    "puncture_loss_s": "s",
    "navigation_loss_s": "s, searching for waypoints",
    "mechanical_loss_s": "s, repairs",
    "fuel_loss_s": "s, running dry",
    "penalty_s": "s, missed waypoints and speeding",
    "stage_time_s": "s, special time; null once retired",
    "punctures": "count",
    "spares_left": "count, at the end of the special",
    "missed_waypoints": "count",
    "incidents": "count, mechanical",
    "ran_dry": "bool",
    "retired": "bool, out of the rally at or before this stage",
}


@dataclass(frozen=True)
class BaseTable:
    """Per crew x stage inputs of the replicates (lists so it serialises as JSON)."""

    crews: list[str]
    classes: list[str]
    stages: list[str]
    labels: list[str]
    service_before: list[bool]  # (S,)
    special_km: list[float]  # (S,)
    waypoints: list[list[int]]  # (S, K) count per WAYPOINT_KINDS
    speed_zones: list[int]  # (S,)
    landings: list[int]  # (S,)
    spares: list[int]  # (C,)
    usable_fuel_L: list[float]  # (C,)
    base_time_s: list[list[float]]  # (C, S) QSS special time
    fuel_segment_L: list[list[float]]  # (C, S) QSS fuel over the longest refuel segment
    brake_energy_MJ: list[list[float]]  # (C, S)
    landing_peak_torque_Nm: list[float]  # (C,) at the stages' jump geometry (max)
    derate_time_s: list[list[float]] | None  # (C, S) ECU derate time from the QSS heat
    puncture_rate: list[list[float]]  # (C, S) expected punctures per special
    mechanical_hazard: list[list[float]]  # (C, S) expected incidents per special
    #: per-day weather (spec.stage_ambient = "rally"): nominal temperature and altitude (S,)
    ambient_C: list[float] | None = None
    altitude_m: list[float] | None = None
    #: d/dT of base time (s/K), fuel (L/K) and hazard (1/K), (C, S): QSS at T and T + 5 K;
    #: None unless spec.ambient_spread_C > 0
    time_per_C: list[list[float]] | None = None
    fuel_per_C: list[list[float]] | None = None
    hazard_per_C: list[list[float]] | None = None

    def to_json(self) -> dict[str, Any]:
        # shallow: the fields are JSON-ready lists already (asdict would deep-copy them)
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BaseTable:
        return cls(**data)


# --------------------------------------------------------------------------- driver side


def _cache_dir() -> Path:
    return cache_dir("campaign")


_MEMO: dict[str, Any] = {}


#: ``src/raidsim``: the tree the cache keys' source digests read (a test points it at a copy)
_SOURCE_ROOT = Path(__file__).resolve().parents[1]
#: what a QSS base-table entry depends on: the QSS and every layer below it (sim, control,
#: route, model, physics: code, presets, stage files; the top-level modules, e.g. the unit
#: constants), the stage summary (``io/summary.py``) and this module, which turns a
#: ``QssResult`` into the entry (refuel segments)
QSS_SOURCES: tuple[str, ...] = (
    "*.py",
    "sim",
    "control",
    "io/summary.py",
    "route",
    "model",
    "physics",
    "campaign/model.py",
)
#: what a built stage's surface layout depends on: route and the layers below it
STAGE_SOURCES: tuple[str, ...] = ("*.py", "route", "model", "physics")


def _code_fingerprint() -> str:
    """Digest of every file a QSS entry depends on (:data:`QSS_SOURCES`), so a code or
    data change never reuses a stale disk cache entry within one version number."""
    return source_digest(QSS_SOURCES, root=_SOURCE_ROOT)[:16]


def _stage_fingerprint() -> str:
    """Digest of every file a built stage's surface layout depends on."""
    return source_digest(STAGE_SOURCES, root=_SOURCE_ROOT)[:16]


def _cached(key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` memoised in memory and as ``_cache_dir()/{key}.json`` (atomic write;
    a read-only or missing cache directory only costs the disk half)."""
    if key in _MEMO:
        return _MEMO[key]
    path = _cache_dir() / f"{key}.json"
    try:
        value = json.loads(path.read_text("utf-8"))
        _MEMO[key] = value
        return value
    except (OSError, ValueError):
        pass
    value = compute()
    _MEMO[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, json.dumps(value))
    except OSError:  # read-only home: the memory cache still works
        pass
    return value


def stage_surface_km(stage_name: str, definition: Any) -> list[float]:
    """Special-stage km on each of SURFACES, from the built stage (cached like the
    QSS, keyed by the stage definition and the route's code and data, since building the
    14 stages of a rally takes longer than the whole Monte Carlo)."""
    from raidsim.route.terrain import load_stage

    memo = _MEMO.get(f"stage-key:{id(definition)}")
    if memo is not None and memo[0] is definition and memo[1] == stage_name:
        key = memo[2]  # same (cached, immutable) definition object: skip re-encoding it
    else:
        key_src = json.dumps(
            [stage_name, definition.model_dump(mode="json"), __version__, _stage_fingerprint()],
            sort_keys=True,
            default=str,
        )
        key = "stage-" + hashlib.sha256(key_src.encode()).hexdigest()[:32]
        _MEMO[f"stage-key:{id(definition)}"] = (definition, stage_name, key)

    def compute() -> list[float]:
        st = load_stage(stage_name)
        mix = st.surface_mix()
        km = st.length_m / 1000.0
        return [km * mix.get(s, 0.0) for s in SURFACES]

    return [float(v) for v in _cached(key, compute)]


def vehicle_json(vehicle: Any) -> str:
    """The vehicle's part of a QSS cache key (encode once per crew, not once per stage)."""
    return json.dumps(vehicle.model_dump(mode="json"), sort_keys=True)


def settings_json(settings: Settings) -> str:
    """The settings' part of a QSS cache key (driver model and every solver setting)."""
    return json.dumps(settings.model_dump(mode="json"), sort_keys=True)


@functools.cache
def _default_settings() -> tuple[Settings, str]:
    """The settings a campaign's QSS runs with, and their key part (encoded once)."""
    settings = Settings()
    return settings, settings_json(settings)


def qss_key(
    vehicle_key: str,
    stage_name: str,
    ambient_C: float,
    settings_key: str | None = None,
    altitude_m: float = 0.0,
) -> str:
    """Disk-cache key of one QSS entry: vehicle spec, stage, ambient, settings, version and
    the digest of every source and data file the result depends on (:data:`QSS_SOURCES`).

    ``vehicle_key``: :func:`vehicle_json`; ``settings_key``: :func:`settings_json` (None:
    the default settings).
    """
    if settings_key is None:
        settings_key = _default_settings()[1]
    # == json.dumps([vehicle, settings, stage, ambient, version, code]) without decoding and
    # re-encoding the two pre-encoded parts
    # sea level keeps the key it always had; an altitude is one more item
    where: list[Any] = (
        [stage_name, ambient_C]
        if altitude_m == 0.0
        else [
            stage_name,
            ambient_C,
            altitude_m,
        ]
    )
    rest = json.dumps([*where, __version__, _code_fingerprint()])
    key_src = f"[{vehicle_key}, {settings_key}, {rest[1:]}"
    return "qss-" + hashlib.sha256(key_src.encode()).hexdigest()[:32]


def qss_entry(
    vehicle: Any,
    stage_name: str,
    ambient_C: float,
    vehicle_key: str | None = None,
    altitude_m: float = 0.0,
) -> dict[str, float]:
    """QSS of one car on one stage: time, longest refuel-segment fuel, brake energy,
    ECU derate time.

    Cached per (vehicle spec x stage x ambient x settings x code) in memory and as a small
    JSON on disk (:func:`qss_key`). ``vehicle_key``: ``vehicle_json(vehicle)`` when the
    caller has it already.
    """
    from raidsim.model.ambient import Ambient
    from raidsim.route.terrain import load_stage
    from raidsim.sim.qss import estimate

    settings, settings_key = _default_settings()
    key = qss_key(
        vehicle_key or vehicle_json(vehicle), stage_name, ambient_C, settings_key, altitude_m
    )

    def compute() -> dict[str, float]:
        stage = load_stage(stage_name)
        q = estimate(vehicle, stage, Ambient(temp_C=ambient_C, altitude_m=altitude_m), settings)
        fuel_kg = q.fuel_used_kg
        cuts = [0.0, *sorted(r.km * 1000.0 for r in stage.definition.refuels), float(q.s_m[-1])]
        at = np.interp(cuts, q.s_m, fuel_kg)
        seg_kg = float(np.max(np.diff(at))) if len(at) > 1 else float(fuel_kg[-1])
        return {
            "stage_time_s": float(q.summary["stage_time_s"]),
            "fuel_segment_L": seg_kg / vehicle.fuel.density_kg_per_L,
            "brake_energy_MJ": float(q.summary["brake_energy_MJ"]),
            "derate_time_s": float(q.summary["derate_time_s"]),
        }

    entry: dict[str, float] = _cached(key, compute)
    return entry


def landing_torque_Nm(
    spec: CampaignSpec,
    crew: CrewSpec,
    car: Any,
    drop_m: float,
    speed_kmh: float,
    points: list[Any] | None = None,
) -> float:
    """Peak landing halfshaft torque: nearest point of the spec's table for the crew's
    vehicle and Flight Mode setting, else :func:`raidsim.sim.jump.run_jump` (slow).
    ``points``: that part of the table when the caller has selected it already."""
    fm = bool(car.flight_mode.enabled)
    if points is None:
        points = landing_points(spec, crew, car)
    if points:
        best = min(
            points, key=lambda p: abs(p.drop_m - drop_m) + abs(p.speed_kmh - speed_kmh) / 20.0
        )
        return best.peak_torque_Nm
    from raidsim.sim.jump import run_jump

    return float(run_jump(car, drop_m, speed_kmh, fm).peak_halfshaft_torque_Nm)


def landing_points(spec: CampaignSpec, crew: CrewSpec, car: Any) -> list[Any]:
    """The spec's landing-table points for the crew's vehicle and Flight Mode setting."""
    fm = bool(car.flight_mode.enabled)
    return [p for p in spec.landing_table if p.vehicle == crew.vehicle and p.flight_mode == fm]


def load_rally_cached(rally_name: str) -> Any:
    """``raidsim.route.catalogue.load_rally``, memoised in this process per rally name and
    content of the rally's folder (its TOML files, hashed: much cheaper than parsing and
    validating the 15 stage definitions again, the larger part of a warm base table)."""
    from importlib import resources

    from raidsim.route.catalogue import load_rally, rally_names

    if rally_name not in rally_names():
        return load_rally(rally_name)  # the catalogue's own error
    folder = resources.files("raidsim.route") / "stages" / rally_name
    h = hashlib.sha256()
    for f in sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    key = f"rally:{rally_name}:{h.hexdigest()}"
    if key not in _MEMO:
        _MEMO[key] = load_rally(rally_name)
    return _MEMO[key]


def day_conditions(spec: CampaignSpec, day: HasConditions) -> Conditions:
    """The weather a campaign runs ``day`` at, by the one rule of
    :mod:`raidsim.model.ambient`: ``stage_ambient = "rally"`` (the default) the day's own
    (its rally.toml's), the spec's ``ambient_C`` where the day gives no temperature;
    ``"spec"`` every day at the spec's ``ambient_C`` and sea level."""
    if spec.stage_ambient == "rally":
        return day.conditions.fill_defaults("campaign spec ambient_C", temp_C=spec.ambient_C)
    return day.conditions.with_values(
        "campaign spec (stage_ambient = 'spec')", temp_C=spec.ambient_C, altitude_m=0.0
    )


def build_base_table(rally_name: str, spec: CampaignSpec) -> BaseTable:
    """Everything the replicates need, per crew x stage (see the module docstring)."""
    from raidsim.model.loader import load_vehicle

    rally = load_rally_cached(rally_name)
    days = list(rally.stages)
    if spec.stages is not None:
        known = {d.name.split("/", 1)[1]: d for d in days}
        unknown = [s for s in spec.stages if s not in known]
        if unknown:
            raise ConfigError(
                f"stages: {', '.join(unknown)} not in rally '{rally_name}' "
                f"(stages: {', '.join(known)})"
            )
        days = [d for d in days if d.name.split("/", 1)[1] in set(spec.stages)]
    service = [i == 0 or not (days[i - 1].marathon and d.marathon) for i, d in enumerate(days)]
    stage_defs = [d.definition for d in days]
    km_surface = [stage_surface_km(d.name, d.definition) for d in days]
    special_km = [float(sum(k)) for k in km_surface]
    waypoints = [
        [sum(1 for w in sd.waypoints if w.kind == kind) for kind in WAYPOINT_KINDS]
        for sd in stage_defs
    ]
    weather = [day_conditions(spec, d) for d in days]
    day_T = [c.ambient.temp_C for c in weather]
    day_h = [c.ambient.altitude_m for c in weather]
    spread = spec.ambient_spread_C > 0.0
    slope_t: list[list[float]] = []
    slope_f: list[list[float]] = []
    slope_h: list[list[float]] = []
    ps, ms = spec.punctures, spec.mechanical
    rate = np.array([ps.rate_per_1000km[s] for s in SURFACES]) / 1000.0
    expo = np.array([ps.pressure_exponent[s] for s in SURFACES])
    # per crew: rows over the stages (base time, fuel, brake, derate, punctures, hazard)
    base: list[list[float]] = []
    fuel_seg: list[list[float]] = []
    brake: list[list[float]] = []
    derate: list[list[float]] = []
    punct: list[list[float]] = []
    hazard: list[list[float]] = []
    torque_c: list[float] = []
    usable: list[float] = []
    spares: list[int] = []
    presets: dict[str, Any] = {}
    for i, crew in enumerate(spec.crews):
        try:
            if crew.vehicle not in presets:
                presets[crew.vehicle] = load_vehicle(crew.vehicle)
            car = presets[crew.vehicle]
            if crew.setup:
                car = car.with_changes(**crew.setup)
        except RaidsimError as exc:
            raise ConfigError(f"crews[{i}] ({crew.name}): vehicle '{crew.vehicle}': {exc}") from exc
        p_bar = 0.5 * (car.tyre_pressure_front_bar + car.tyre_pressure_rear_bar)
        per_km = rate * fpmath.power(ps.reference_pressure_bar / p_bar, expo)
        row_t, row_f, row_b, row_d, row_p, row_h, peaks = [], [], [], [], [], [], []
        sl_t, sl_f, sl_h = [], [], []
        car_key = vehicle_json(car)
        points = landing_points(spec, crew, car)
        for d, sd, kms, t_c, h_m in zip(days, stage_defs, km_surface, day_T, day_h, strict=True):
            q = qss_entry(car, d.name, t_c, car_key, h_m)
            land_p = 0.0
            for j in sd.jumps:
                t = landing_torque_Nm(spec, crew, car, j.drop_m, j.takeoff_speed_kmh, points)
                peaks.append(t)
                land_p += min(
                    1.0,
                    ms.landing_probability_at_reference
                    * (t / ms.landing_reference_torque_Nm) ** ms.landing_exponent,
                )
            row_t.append(q["stage_time_s"])
            row_f.append(q["fuel_segment_L"])
            row_b.append(q["brake_energy_MJ"])
            row_d.append(q["derate_time_s"])
            row_p.append(fpmath.dot(np.array(kms), per_km))
            row_h.append(
                float(sum(kms)) * ms.base_rate_per_1000km / 1000.0
                + land_p
                + q["brake_energy_MJ"] * ms.brake_rate_per_MJ
                + q["derate_time_s"] / 3600.0 * ms.derate_rate_per_h
            )
            if spread:  # finite difference over DT_SENSITIVITY_C (clipped to Ambient's range)
                t_hi = min(60.0, t_c + DT_SENSITIVITY_C)
                q_hi = qss_entry(car, d.name, t_hi, car_key, h_m)
                dt_k = t_hi - t_c
                sl_t.append((q_hi["stage_time_s"] - q["stage_time_s"]) / dt_k)
                sl_f.append((q_hi["fuel_segment_L"] - q["fuel_segment_L"]) / dt_k)
                sl_h.append(
                    (q_hi["derate_time_s"] - q["derate_time_s"])
                    / 3600.0
                    * ms.derate_rate_per_h
                    / dt_k
                )
        base.append(row_t)
        fuel_seg.append(row_f)
        brake.append(row_b)
        derate.append(row_d)
        punct.append(row_p)
        hazard.append(row_h)
        slope_t.append(sl_t)
        slope_f.append(sl_f)
        slope_h.append(sl_h)
        torque_c.append(max(peaks) if peaks else float("nan"))
        usable.append(max(0.0, car.fuel.fuel_load_L - spec.fuel.reserve_L))
        spares.append(spec.spares_of(crew))
    return BaseTable(
        crews=[c.name for c in spec.crews],
        classes=[c.entry_class for c in spec.crews],
        stages=[d.name for d in days],
        labels=[d.label for d in days],
        service_before=service,
        special_km=special_km,
        waypoints=waypoints,
        speed_zones=[len(sd.speed_zones) for sd in stage_defs],
        landings=[len(sd.jumps) for sd in stage_defs],
        spares=spares,
        usable_fuel_L=usable,
        base_time_s=base,
        fuel_segment_L=fuel_seg,
        brake_energy_MJ=brake,
        landing_peak_torque_Nm=torque_c,
        derate_time_s=derate,
        puncture_rate=punct,
        mechanical_hazard=hazard,
        ambient_C=day_T if spec.stage_ambient == "rally" else None,
        altitude_m=day_h if spec.stage_ambient == "rally" else None,
        time_per_C=slope_t if spread else None,
        fuel_per_C=slope_f if spread else None,
        hazard_per_C=slope_h if spread else None,
    )


# --------------------------------------------------------------------------- worker side


#: temperature step of the finite-difference sensitivity of a day's QSS, K
DT_SENSITIVITY_C = 5.0


def weather_rng(seed: int, index: int) -> np.random.Generator:
    """Replicate ``index``'s weather stream: separate from :func:`replicate_rng`, so a
    campaign without a day-to-day spread draws exactly what it always drew."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, 1])))


def replicate_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of replicate ``index``: independent of chunking and workers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index])))


@dataclass(frozen=True)
class Given:
    """Real results fixed in every replicate, and each crew's pace learned from them.

    ``fixed`` (C, S'): the crew's stage s is known (a time, a retirement, or out before);
    a crew still out on the last stage given is simulated there. ``time_s`` holds the
    special time with penalties (NaN where the crew has none). ``pace`` per crew: the
    normal-inverse-gamma posterior (m, k, a, b) of ln(pace factor), and the counts of
    stages used and left out
    (:mod:`raidsim.campaign.learn`), None for crews whose pace is not learned.
    """

    n_stages: int
    fixed: list[list[bool]]  # (C, n_stages)
    time_s: list[list[float]]  # (C, n_stages), NaN: no time
    penalty_s: list[list[float]]  # (C, n_stages)
    retire_on: list[list[bool]]  # (C, n_stages): retired on this stage
    pace: list[list[float]] | None  # (C, 6): m, k, a, b, stages used, stages left out

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["time_s"] = [[None if np.isnan(t) else t for t in row] for row in self.time_s]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Given:
        data = dict(data)
        data["time_s"] = [[np.nan if t is None else t for t in row] for row in data["time_s"]]
        return cls(**data)


def learn_rng(seed: int, index: int) -> np.random.Generator:
    """Replicate ``index``'s draw of the learned paces: its own stream, so the rest of a
    replicate draws what the campaign without results draws."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, 2])))


def risk_multipliers(spec: CampaignSpec, pace_scale: np.ndarray) -> tuple[F64, F64, F64]:
    """(punctures, mechanical, navigation) rate multipliers per crew at ``pace_scale``:
    ``exp(beta (1 / pace_scale - 1))`` (:class:`raidsim.campaign.spec.PaceRiskSpec`);
    ones where the spec has no ``pace_risk``."""
    rel = 1.0 / np.asarray(pace_scale, dtype=np.float64) - 1.0
    pr = spec.pace_risk
    if pr is None:
        one = np.ones_like(rel)
        return one, one, one
    return (
        fpmath.exp(pr.puncture_beta * rel),
        fpmath.exp(pr.mechanical_beta * rel),
        fpmath.exp(pr.navigation_beta * rel),
    )


def simulate_replicates(
    table: BaseTable,
    spec: CampaignSpec,
    seed: int,
    start: int,
    stop: int,
    given: Given | None = None,
) -> pa.Table:
    """Replicates ``start..stop-1``: one row per replicate x crew x stage (see COLUMNS);
    ``given``: real results fixed and the learned paces drawn (see :class:`Given`)."""
    sim = simulate_arrays(table, spec, seed, start, stop, given)
    return _as_table(table, start, stop, sim)


def simulate_arrays(
    table: BaseTable,
    spec: CampaignSpec,
    seed: int,
    start: int,
    stop: int,
    given: Given | None = None,
    pace_scale: np.ndarray | None = None,
    coupled: bool = False,
    events: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The replicates as (R, C, S) arrays named as COLUMNS (what simulate_replicates
    writes). ``pace_scale`` (C,): each crew's special time x it on the stages simulated,
    its hazards x :func:`risk_multipliers` (None: every crew at its usual pace).
    ``coupled``: draw the events by inversion of one uniform each (:func:`_draw_coupled`),
    so runs that differ only in their rates share their random numbers (the strategy
    curve); the campaign draws with numpy's samplers (:func:`_draw_stream`).
    ``events``: a dict that keeps the draws of this seed and range: filled by the first
    call, reused by the next ones with the same rates (what-ifs on other real results,
    the calibration test) instead of drawing again."""
    n_c, n_s, n_r = len(table.crews), len(table.stages), stop - start
    if n_r <= 0:
        raise ValueError(f"simulate_replicates: empty range {start}..{stop}")
    nav, pen, mech, fs = spec.navigation, spec.penalties, spec.mechanical, spec.fuel
    nav_f = np.array([c.navigation_factor for c in spec.crews])[:, None, None]
    lam_p = np.array(table.puncture_rate)
    lam_m = np.array(table.mechanical_hazard)
    if pace_scale is not None:
        m_p, m_m, m_n = risk_multipliers(spec, pace_scale)
        nav_f = nav_f * m_n[:, None, None]
        lam_p = lam_p * m_p[:, None]
        lam_m = lam_m * m_m[:, None]
    p_miss = np.clip(np.array([nav.miss_probability[k] for k in WAYPOINT_KINDS]) * nav_f, 0, 1)
    p_hes = np.clip(np.array([nav.hesitation_probability[k] for k in WAYPOINT_KINDS]) * nav_f, 0, 1)
    pen_kind = np.array([nav.miss_penalty_s[k] for k in WAYPOINT_KINDS])
    n_wp = np.broadcast_to(
        np.array(table.waypoints, dtype=np.int64)[None], (n_c, n_s, len(WAYPOINT_KINDS))
    )
    n_zones = np.broadcast_to(np.array(table.speed_zones, dtype=np.int64)[None], (n_c, n_s))
    # day-to-day weather: dT per replicate and day, shared by all crews; the day's QSS
    # time, fuel and hazard move linearly with it (slopes from the base table)
    d_temp: np.ndarray | None = None
    lam_m_r = lam_m[None]
    if spec.ambient_spread_C > 0.0 and table.time_per_C is not None:
        d_temp = np.stack(
            [
                spec.ambient_spread_C * weather_rng(seed, start + r).standard_normal(n_s)
                for r in range(n_r)
            ]
        )[:, None, :]
        lam_m_r = np.maximum(0.0, lam_m[None] + np.array(table.hazard_per_C)[None] * d_temp)

    hz = _Hazards(lam_p, lam_m if d_temp is None else lam_m_r, n_wp, p_miss, p_hes, n_zones)
    if events:
        d = events
    elif coupled:
        d = _draw_coupled(spec, hz, pen_kind, seed, start, n_r)
    else:
        d = _draw_stream(spec, hz, pen_kind, seed, start, n_r, per_replicate=d_temp is not None)
    if events is not None:
        events.update(d)
    z, punct, miss, miss_pen, search = d["z"], d["punct"], d["miss"], d["miss_pen"], d["search"]
    inc, repair, u_ret, z_fuel, speeding = (
        d["inc"],
        d["repair"],
        d["u_ret"],
        d["z_fuel"],
        d["speeding"],
    )

    base = np.array(table.base_time_s)[None]
    fuel_seg = np.array(table.fuel_segment_L)[None]
    if d_temp is not None:
        base = np.maximum(1.0, base + np.array(table.time_per_C)[None] * d_temp)
        fuel_seg = np.maximum(0.0, fuel_seg + np.array(table.fuel_per_C)[None] * d_temp)
    if given is not None and given.pace is not None:
        from raidsim.campaign.learn import PacePosterior, draw

        posts = [PacePosterior.from_row(p) for p in given.pace]
        mu_sd = [draw(learn_rng(seed, start + r), posts) for r in range(n_r)]
        mu = np.stack([m for m, _ in mu_sd])[:, :, None]
        sd = np.stack([s for _, s in mu_sd])[:, :, None]
        driving = base * fpmath.exp(mu + sd * z)
    else:
        pace = np.array([c.pace_factor for c in spec.crews])
        sigma = np.array([c.variability_sigma for c in spec.crews])
        driving = base * pace[None, :, None] * fpmath.exp(sigma[None, :, None] * z)
    if pace_scale is not None:
        driving = driving * np.asarray(pace_scale, dtype=np.float64)[None, :, None]
    fuel_need = fuel_seg * fpmath.exp(fs.consumption_sigma * z_fuel)
    ran_dry = fuel_need > np.array(table.usable_fuel_L)[None, :, None]
    p_retire = 1.0 - fpmath.power(1.0 - mech.retire_probability, inc)
    retire_now = u_ret < p_retire
    fix = np.zeros((n_c, n_s), dtype=bool)
    if given is not None:  # real stages: no simulated event, the real retirements
        k = given.n_stages
        fix[:, :k] = np.array(given.fixed, dtype=bool).reshape(n_c, k)
        real_out = np.zeros((n_c, n_s), dtype=bool)
        real_out[:, :k] = np.array(given.retire_on, dtype=bool).reshape(n_c, k)
        retire_now = np.where(fix[None], real_out[None], retire_now)
        punct = np.where(fix[None], 0, punct)
    sim = _stage_sequence(table, spec, punct, retire_now)
    active, retired = sim["active"], sim["retired"]
    free = active if given is None else active & ~fix[None]  # simulated and running

    def masked(x: np.ndarray) -> np.ndarray:
        return np.where(free, x, 0)

    drive = np.where(active, driving, 0.0)
    penalty = masked(miss_pen + speeding * pen.speeding_penalty_s)
    if given is not None:
        k = given.n_stages
        t_real = np.zeros((n_c, n_s))
        p_real = np.zeros((n_c, n_s))
        t_real[:, :k] = np.nan_to_num(np.array(given.time_s, dtype=np.float64).reshape(n_c, k))
        p_real[:, :k] = np.array(given.penalty_s, dtype=np.float64).reshape(n_c, k)
        drive = np.where(fix[None], np.where(active, t_real - p_real, 0.0), drive)
        penalty = np.where(fix[None], np.where(active, p_real, 0.0), penalty)
    puncture_loss = sim["puncture_loss"]
    nav_loss = masked(search)
    mech_loss = masked(repair)
    fuel_loss = masked(ran_dry * fs.dry_stop_s)
    stage_time = drive + puncture_loss + nav_loss + mech_loss + fuel_loss + penalty
    return {
        "driving_time_s": drive,
        "puncture_loss_s": puncture_loss,
        "navigation_loss_s": nav_loss,
        "mechanical_loss_s": mech_loss,
        "fuel_loss_s": fuel_loss.astype(np.float64),
        "penalty_s": penalty,
        "stage_time_s": np.where(retired, np.nan, stage_time),
        "punctures": np.where(active, punct, 0),
        "spares_left": sim["spares_left"],
        "missed_waypoints": masked(miss),
        "incidents": masked(inc),
        "ran_dry": masked(ran_dry).astype(bool),
        "retired": retired,
    }


@dataclass(frozen=True)
class _Hazards:
    """Per crew x stage event rates of one simulation (see simulate_arrays)."""

    lam_p: np.ndarray  # (C, S) expected punctures
    lam_m: np.ndarray  # (C, S) expected incidents, or (R, C, S) with a weather spread
    n_wp: np.ndarray  # (C, S, K) waypoints per kind
    p_miss: np.ndarray  # (C, 1, K)
    p_hes: np.ndarray  # (C, 1, K)
    n_zones: np.ndarray  # (C, S) speed zones


def _draw_stream(
    spec: CampaignSpec,
    hz: _Hazards,
    pen_kind: np.ndarray,
    seed: int,
    start: int,
    n_r: int,
    per_replicate: bool,
) -> dict[str, np.ndarray]:
    """The campaign's draws: each replicate's own stream (:func:`replicate_rng`), numpy's
    samplers in a fixed order (so a replicate's numbers never depend on the chunking)."""
    nav, mech, pen = spec.navigation, spec.mechanical, spec.penalties
    n_c, n_s = hz.lam_p.shape
    shape = (n_r, n_c, n_s)
    z = np.empty(shape)
    punct = np.empty(shape, dtype=np.int64)
    miss = np.empty(shape, dtype=np.int64)
    miss_pen = np.empty(shape)
    search = np.empty(shape)
    inc = np.empty(shape, dtype=np.int64)
    repair = np.empty(shape)
    u_ret = np.empty(shape)
    z_fuel = np.empty(shape)
    speeding = np.empty(shape, dtype=np.int64)
    for r in range(n_r):  # the only per-replicate loop: draws in a fixed order
        rng = replicate_rng(seed, start + r)
        z[r] = rng.standard_normal((n_c, n_s))
        punct[r] = rng.poisson(hz.lam_p)
        m = rng.binomial(hz.n_wp, hz.p_miss)
        miss[r] = m.sum(axis=2)
        miss_pen[r] = fpmath.matvec(m, pen_kind)
        h = rng.binomial(hz.n_wp, hz.p_hes).sum(axis=2)
        search[r] = rng.gamma(h.astype(np.float64), nav.search_time_mean_s)
        inc[r] = rng.poisson(hz.lam_m[r] if per_replicate else hz.lam_m)
        repair[r] = rng.gamma(
            inc[r] * mech.repair_time_shape, mech.repair_time_mean_s / mech.repair_time_shape
        )
        u_ret[r] = rng.random((n_c, n_s))
        z_fuel[r] = rng.standard_normal((n_c, n_s))
        speeding[r] = rng.binomial(hz.n_zones, pen.speeding_probability)
    return {
        "z": z,
        "punct": punct,
        "miss": miss,
        "miss_pen": miss_pen,
        "search": search,
        "inc": inc,
        "repair": repair,
        "u_ret": u_ret,
        "z_fuel": z_fuel,
        "speeding": speeding,
    }


def coupled_rng(seed: int, index: int) -> np.random.Generator:
    """Replicate ``index``'s uniforms for :func:`_draw_coupled`."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, 3])))


def _poisson_inv(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson quantile: the least k with F(k) >= u (pmf by recursion, vectorised)."""
    lam = np.broadcast_to(lam, u.shape)
    pmf = fpmath.exp(-lam)
    cdf = pmf.copy()
    k = np.zeros(u.shape, dtype=np.int64)
    for i in range(1, 1000):
        above = u > cdf
        if not above.any():
            break
        k += above
        pmf = pmf * lam / i
        cdf = cdf + pmf
    return k


def _binom_inv(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial quantile: the least k with F(k) >= u (pmf by recursion, vectorised)."""
    n = np.broadcast_to(n, u.shape)
    p = np.broadcast_to(np.clip(p, 0.0, 1.0 - 1e-12), u.shape)
    pmf = fpmath.power(1.0 - p, n)
    cdf = pmf.copy()
    k = np.zeros(u.shape, dtype=np.int64)
    odds = p / (1.0 - p)
    for i in range(int(n.max(initial=0))):
        above = (u > cdf) & (i < n)
        if not above.any():
            break
        k += above
        pmf = pmf * (n - i) / (i + 1) * odds
        cdf = cdf + pmf
    return k


def _draw_coupled(
    spec: CampaignSpec, hz: _Hazards, pen_kind: np.ndarray, seed: int, start: int, n_r: int
) -> dict[str, np.ndarray]:
    """The same events as :func:`_draw_stream`, each by inversion of its own uniform,
    vectorised over the replicates: a higher rate gives at least as many events from the
    same uniform (a monotone coupling), so two paces compare on the same luck, and a curve
    over paces is smooth."""
    from scipy import special

    nav, mech, pen = spec.navigation, spec.mechanical, spec.penalties
    n_c, n_s = hz.lam_p.shape
    n_k = hz.n_wp.shape[2]
    u = np.empty((n_r, 8, n_c, n_s))
    uk = np.empty((n_r, 2, n_c, n_s, n_k))
    for r in range(n_r):
        rng = coupled_rng(seed, start + r)
        u[r] = rng.random((8, n_c, n_s))
        uk[r] = rng.random((2, n_c, n_s, n_k))
    u = np.clip(u, 1e-12, 1.0 - 1e-12)
    uk = np.clip(uk, 1e-12, 1.0 - 1e-12)
    punct = _poisson_inv(u[:, 0], hz.lam_p)
    m = _binom_inv(uk[:, 0], hz.n_wp, hz.p_miss)
    hes = _binom_inv(uk[:, 1], hz.n_wp, hz.p_hes).sum(axis=3)
    inc = _poisson_inv(u[:, 1], hz.lam_m)

    def gamma_sum(n: np.ndarray, uu: np.ndarray, shape: float, mean: float) -> np.ndarray:
        a = n * shape
        x = special.gammaincinv(np.where(a > 0, a, 1.0), uu) * (mean / shape)
        return np.where(a > 0, x, 0.0)

    return {
        "z": special.ndtri(u[:, 2]),
        "punct": punct,
        "miss": m.sum(axis=3),
        "miss_pen": fpmath.matvec(m, pen_kind),
        "search": gamma_sum(hes, u[:, 3], 1.0, nav.search_time_mean_s),
        "inc": inc,
        "repair": gamma_sum(inc, u[:, 4], mech.repair_time_shape, mech.repair_time_mean_s),
        "u_ret": u[:, 5],
        "z_fuel": special.ndtri(u[:, 6]),
        "speeding": _binom_inv(u[:, 7], hz.n_zones, np.asarray(pen.speeding_probability)),
    }


def _stage_sequence(
    table: BaseTable, spec: CampaignSpec, punct: np.ndarray, retire_now: np.ndarray
) -> dict[str, np.ndarray]:
    """Stage by stage, vectorised over replicates x crews: spares carried between
    specials and restocked at a service, punctures beyond the spares, retirements."""
    n_r, n_c, n_s = punct.shape
    shape = punct.shape
    spares_full = np.array(table.spares, dtype=np.int64)[None, :]
    spares = np.broadcast_to(spares_full, (n_r, n_c)).copy()
    out_before = np.zeros((n_r, n_c), dtype=bool)
    spares_left = np.empty(shape, dtype=np.int64)
    puncture_loss = np.empty(shape)
    retired = np.empty(shape, dtype=bool)
    active = np.empty(shape, dtype=bool)
    ps = spec.punctures
    for s in range(n_s):
        if table.service_before[s]:
            spares = np.broadcast_to(spares_full, (n_r, n_c)).copy()
        live = ~out_before
        n = np.where(live, punct[:, :, s], 0)
        used = np.minimum(n, spares)
        spares = spares - used
        puncture_loss[:, :, s] = used * ps.change_time_s + (n - used) * ps.long_stop_s
        spares_left[:, :, s] = spares
        active[:, :, s] = live
        out_before = out_before | (live & retire_now[:, :, s])
        retired[:, :, s] = out_before
    return {
        "spares_left": spares_left,
        "puncture_loss": puncture_loss,
        "retired": retired,
        "active": active,
    }


def _as_table(table: BaseTable, start: int, stop: int, sim: dict[str, np.ndarray]) -> pa.Table:
    """The arrays of :func:`simulate_arrays` as a chunk table (COLUMNS, with units)."""
    n_c, n_s = len(table.crews), len(table.stages)
    shape = (stop - start, n_c, n_s)
    rep = np.broadcast_to(np.arange(start, stop)[:, None, None], shape).ravel()
    ci = np.broadcast_to(np.arange(n_c)[None, :, None], shape).ravel()
    si = np.broadcast_to(np.arange(n_s)[None, None, :], shape).ravel()
    times = sim["stage_time_s"].ravel()
    cols: dict[str, pa.Array] = {
        "replicate": pa.array(rep, pa.int64()),
        "crew_index": pa.array(ci, pa.int16()),
        "crew": pa.array(np.array(table.crews, dtype=object)[ci], pa.string()),
        "entry_class": pa.array(np.array(table.classes, dtype=object)[ci], pa.string()),
        "stage_index": pa.array(si, pa.int16()),
        "stage": pa.array(np.array(table.stages, dtype=object)[si], pa.string()),
    }
    for name in ("driving_time_s", "puncture_loss_s", "navigation_loss_s", "mechanical_loss_s"):
        cols[name] = pa.array(sim[name].ravel())
    cols["fuel_loss_s"] = pa.array(sim["fuel_loss_s"].ravel())
    cols["penalty_s"] = pa.array(sim["penalty_s"].ravel())
    cols["stage_time_s"] = pa.array(times, mask=np.isnan(times))
    for name in ("punctures", "spares_left", "missed_waypoints", "incidents"):
        cols[name] = pa.array(sim[name].ravel(), pa.int32())
    cols["ran_dry"] = pa.array(sim["ran_dry"].ravel())
    cols["retired"] = pa.array(sim["retired"].ravel())
    schema = pa.schema(
        [
            pa.field(k, v.type, metadata={b"description": COLUMNS[k].encode()})
            for k, v in cols.items()
        ]
    )
    return pa.Table.from_arrays(list(cols.values()), schema=schema)
