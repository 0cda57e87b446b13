"""Where the time goes: per metre of a stage, when the car got there and which limit bound
its speed; per section, the time against a reference split by those limits
(docs/design.md "Where the time goes").

Per metre ``i`` of the 1 m grid the car spends ``dt_i = t(s_i+1) - t(s_i)``. The
reference is the stage flat out at the vehicle's limiter (the plan with every term but
the limiter removed): ``dt_ref = ds / v_limiter``. The loss ``dt_i - dt_ref`` is booked
to the limit that bound the speed at metre ``i``:

* the plan's binding term (:func:`raidsim.control.limits.binding_limits`: cornering grip,
  braking, speed zone, feature speed, dune crest, ride, shock, limiter), except
* where the car runs more than :data:`CAR_RTOL` below the plan's ceiling at full
  throttle: there the car itself is short, and the limit is traction when the tyres'
  (and soil's) traction limit on that surface is below the engine's full-load force at
  that speed (:func:`raidsim.sim.qss.tables.full_load_tables`,
  :func:`~raidsim.sim.qss.tables.surface_table`), heat derate when the ECU cuts torque
  (factor below :data:`DERATE_ON`), power otherwise;
* in the QSS estimate, a metre whose time holds a dune bog-down's retry or crawl:
  bog-down (:mod:`raidsim.sim.qss.estimate`).

So per section ``sum(dt_i) = reference + sum over limits of loss`` exactly, and the
sections of a stage sum to its time. Two runs (two setups, two vehicles) compare metre
by metre: ``dt_a - dt_b`` is booked to the limit of the slower car at that metre, so a
section's gain reads "B gains 12 s, 9 s of it where A is traction-limited".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.control.limits import LABELS, Limit
from raidsim.model.surfaces import SURFACES
from raidsim.units import KMH_PER_MPS

if TYPE_CHECKING:
    import polars as pl

F64 = NDArray[np.float64]

#: the car is short of its plan where it runs this far below the ceiling at full throttle
CAR_RTOL = 0.03
#: throttle from which the driver is flat out (transient)
FULL_THROTTLE = 0.9
#: a target this far below the plan is the driver's preview of a slower metre ahead
PREVIEW_RTOL = 1e-3
#: ECU torque factor below which the heat derate is cutting power
DERATE_ON = 0.99
#: length of the distance sections
SECTION_M = 10_000.0
#: file of the per-metre trace in a run directory
LIMITS_FILE = "limits.parquet"

SectionKind = Literal["10km", "waypoint", "surface"]


def limit_key(code: int) -> str:
    """Column/JSON key of a limit: its enum name in lower case (``corner``, ``power``)."""
    return Limit(code).name.lower()


@dataclass(frozen=True)
class LimitTrace:
    """Per metre of a stage (1 m grid): when the car got there, what bound its speed, and
    its fuel and heat. ``limit`` is a :class:`~raidsim.control.limits.Limit` code."""

    distance_m: F64
    time_s: F64
    speed_mps: F64
    limit: NDArray[np.int8]
    surface: NDArray[np.int8]
    fuel_used_kg: F64
    coolant_C: F64
    oil_C: F64
    disc_max_C: F64
    derate: F64
    #: the reference speed: the vehicle's limiter, m/s
    reference_speed_mps: float
    #: the route's position per metre in the stage frame (for the limits map), when known
    x_m: F64 | None = None
    y_m: F64 | None = None

    @property
    def metre_time_s(self) -> F64:
        """Time spent on each metre ``[s_i, s_i+1)`` (n - 1 values)."""
        return np.diff(self.time_s)

    @property
    def stage_time_s(self) -> float:
        return float(self.time_s[-1] - self.time_s[0])

    def to_frame(self) -> pl.DataFrame:
        import polars as pl

        return pl.DataFrame(
            {
                f.name: getattr(self, f.name)
                for f in fields(self)
                if f.name != "reference_speed_mps" and getattr(self, f.name) is not None
            }
        )

    def write_parquet(self, path: Path | str) -> Path:
        """The trace as Parquet (reference speed in the metadata), written atomically."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        columns = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "reference_speed_mps" and getattr(self, f.name) is not None
        }
        table = pa.table(
            columns,
            metadata={b"raidsim.reference_speed_mps": repr(self.reference_speed_mps).encode()},
        )
        with atomic.writing(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return path

    @classmethod
    def read_parquet(cls, path: Path | str) -> LimitTrace:
        import polars as pl
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        ref = float(meta.get(b"raidsim.reference_speed_mps", b"nan"))
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        cols = {f.name: frame[f.name].to_numpy() for f in fields(cls) if f.name in frame.columns}
        return cls(**cols, reference_speed_mps=ref)


# --- classification ------------------------------------------------------------------------
def car_limits(
    plan_code: NDArray[np.int8],
    speed_mps: F64,
    ceiling_mps: F64,
    full_throttle: NDArray[np.bool_],
    derate: F64,
    drive_N: F64,
    traction_N: F64,
) -> NDArray[np.int8]:
    """The plan's codes, replaced by power, traction or heat derate where the car runs
    more than :data:`CAR_RTOL` below ``ceiling_mps`` at full throttle."""
    code = np.asarray(plan_code, dtype=np.int8).copy()
    short = full_throttle & (speed_mps < ceiling_mps * (1.0 - CAR_RTOL))
    traction = drive_N * np.minimum(derate, 1.0) > traction_N
    code[short & traction] = Limit.TRACTION
    code[short & ~traction & (derate < DERATE_ON)] = Limit.DERATE
    code[short & ~traction & (derate >= DERATE_ON)] = Limit.POWER
    return code


# --- sections --------------------------------------------------------------------------------
def _groups(
    trace: LimitTrace, by: SectionKind, waypoints_m: Sequence[float]
) -> tuple[NDArray[np.int64], list[str]]:
    """Per metre the section it belongs to, and the sections' labels."""
    s = trace.distance_m[:-1]
    if by == "10km":
        gid = np.floor(s / SECTION_M).astype(np.int64)
        n = int(gid.max(initial=0)) + 1
        end_km = trace.distance_m[-1] / 1000.0
        labels = [
            f"{k * SECTION_M / 1000:g}-{min((k + 1) * SECTION_M / 1000, end_km):g} km"
            for k in range(n)
        ]
        return gid, labels
    if by == "waypoint":
        marks = sorted({float(w) for w in waypoints_m if 0.0 < w < trace.distance_m[-1]})
        gid = np.searchsorted(np.asarray(marks), s, side="right").astype(np.int64)
        edges = [0.0, *marks, float(trace.distance_m[-1])]
        labels = [
            f"{a / 1000:.1f}-{b / 1000:.1f} km" for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
        return gid, labels
    return trace.surface[:-1].astype(np.int64), list(SURFACES)


def _by_group(values: F64, gid: NDArray[np.int64], n: int) -> F64:
    return np.asarray(np.bincount(gid, weights=values, minlength=n)[:n], dtype=np.float64)


def _group_extreme(values: F64, gid: NDArray[np.int64], n: int, lowest: bool = False) -> F64:
    """Per group the largest (``lowest``: smallest) finite value, NaN where none."""
    sign = -1.0 if lowest else 1.0
    out = np.full(n, -np.inf)
    v = np.where(np.isfinite(values), sign * values, -np.inf)
    np.maximum.at(out, gid, v)
    return np.where(np.isfinite(out), sign * out, np.nan)


def _by_group_and_limit(
    values: F64, gid: NDArray[np.int64], code: NDArray[np.int64], n: int
) -> F64:
    """(n groups, limits) sums of ``values``."""
    nl = len(Limit)
    flat = np.bincount(gid * nl + code, weights=values, minlength=n * nl)[: n * nl]
    return np.asarray(flat.reshape(n, nl), dtype=np.float64)


def section_table(
    trace: LimitTrace, by: SectionKind = "10km", waypoints_m: Sequence[float] = ()
) -> pl.DataFrame:
    """Per section: time, reference time (flat out at the limiter), loss split by limit
    (``loss_<limit>_s``), time bound by each limit (``time_<limit>_s``), the main limit,
    fuel and heat. The sections of one kind sum to the stage time."""
    import polars as pl

    gid, labels = _groups(trace, by, waypoints_m)
    n = len(labels)
    dt = trace.metre_time_s
    ds = np.diff(trace.distance_m)
    ref = ds / trace.reference_speed_mps
    code = trace.limit[:-1].astype(np.int64)
    s = trace.distance_m[:-1]
    keep = np.flatnonzero(np.bincount(gid, minlength=n)[:n] > 0)
    loss = _by_group_and_limit(dt - ref, gid, code, n)[keep]
    time = _by_group_and_limit(dt, gid, code, n)[keep]
    limits = list(Limit)
    derating = np.where(trace.derate[:-1] < DERATE_ON, dt, 0.0)
    out: dict[str, object] = {
        "section": [labels[k] for k in keep],
        "start_km": _group_extreme(s, gid, n, lowest=True)[keep] / 1000.0,
        "end_km": (_group_extreme(s, gid, n)[keep] + 1.0) / 1000.0,
        "distance_km": _by_group(ds, gid, n)[keep] / 1000.0,
        "time_s": _by_group(dt, gid, n)[keep],
        "reference_s": _by_group(ref, gid, n)[keep],
        "loss_s": _by_group(dt - ref, gid, n)[keep],
        "main_limit": [LABELS[limits[int(j)]] for j in np.argmax(loss, axis=1)],
    }
    for j, lim in enumerate(limits):
        out[f"loss_{limit_key(lim)}_s"] = loss[:, j]
    for j, lim in enumerate(limits):
        out[f"time_{limit_key(lim)}_s"] = time[:, j]
    out["fuel_used_kg"] = _by_group(np.nan_to_num(np.diff(trace.fuel_used_kg)), gid, n)[keep]
    out["max_coolant_C"] = _group_extreme(trace.coolant_C[:-1], gid, n)[keep]
    out["max_oil_C"] = _group_extreme(trace.oil_C[:-1], gid, n)[keep]
    out["max_disc_C"] = _group_extreme(trace.disc_max_C[:-1], gid, n)[keep]
    out["derate_time_s"] = _by_group(derating, gid, n)[keep]
    return pl.DataFrame(out)


def limit_shares(trace: LimitTrace, by: SectionKind = "surface") -> dict[str, dict[str, float]]:
    """Per section, the share of its distance each limit bound (limits with none left out)."""
    gid, labels = _groups(trace, by, ())
    ds = np.diff(trace.distance_m)
    dist = _by_group_and_limit(ds, gid, trace.limit[:-1].astype(np.int64), len(labels))
    out: dict[str, dict[str, float]] = {}
    for k, label in enumerate(labels):
        total = float(dist[k].sum())
        if total > 0.0:
            out[label] = {
                limit_key(lim): float(dist[k, j]) / total
                for j, lim in enumerate(Limit)
                if dist[k, j] > 0.0
            }
    return out


def totals(trace: LimitTrace) -> dict[str, object]:
    """Whole-stage figures for ``summary.json``: reference and loss per limit (s), the
    distance share per limit and per limit and surface."""
    table = section_table(trace, "10km")
    loss = {
        limit_key(lim): float(table[f"loss_{limit_key(lim)}_s"].sum())
        for lim in Limit
        if table[f"time_{limit_key(lim)}_s"].sum() > 0
    }
    return {
        "reference": f"flat out at the limiter, {trace.reference_speed_mps * KMH_PER_MPS:.0f} km/h",
        "time_s": float(table["time_s"].sum()),
        "reference_s": float(table["reference_s"].sum()),
        "loss_s": loss,
        "share_by_surface": limit_shares(trace, "surface"),
    }


def compare_table(
    a: LimitTrace, b: LimitTrace, by: SectionKind = "10km", waypoints_m: Sequence[float] = ()
) -> pl.DataFrame:
    """Where B gains on A, per section: ``gain_s`` = time of A - time of B, split by the
    limit of the slower car at each metre (``gain_<limit>_s``: positive where A was the
    slower, bound by that limit; negative where B was). ``why`` names the largest share."""
    import polars as pl

    n = min(len(a.distance_m), len(b.distance_m))
    gid, labels = _groups(a if len(a.distance_m) <= len(b.distance_m) else b, by, waypoints_m)
    gid = gid[: n - 1]
    d = (a.metre_time_s[: n - 1]) - (b.metre_time_s[: n - 1])
    slower = np.where(d > 0.0, a.limit[: n - 1], b.limit[: n - 1]).astype(np.int64)
    ng = len(labels)
    split = {
        lim: np.bincount(gid[slower == lim], weights=d[slower == lim], minlength=ng)[:ng]
        for lim in Limit
    }
    keep = [k for k in range(ng) if (gid == k).any()]
    out: dict[str, list[object]] = {
        "section": [labels[k] for k in keep],
        "time_a_s": [float(a.metre_time_s[: n - 1][gid == k].sum()) for k in keep],
        "time_b_s": [float(b.metre_time_s[: n - 1][gid == k].sum()) for k in keep],
        "gain_s": [float(d[gid == k].sum()) for k in keep],
    }
    why: list[object] = []
    for k in keep:
        lim = max(Limit, key=lambda x: abs(split[x][k]))
        who = "A" if split[lim][k] > 0 else "B"
        why.append(f"{LABELS[lim]} ({who} slower)" if split[lim][k] != 0 else "")
    out["why"] = why
    for lim in Limit:
        out[f"gain_{limit_key(lim)}_s"] = [float(split[lim][k]) for k in keep]
    return pl.DataFrame(out)


def trace_from_columns(
    columns: Mapping[str, F64],
    plan_mps: F64,
    plan_code: NDArray[np.int8],
    surface: NDArray[np.int8],
    forces: tuple[F64, F64],
    reference_speed_mps: float,
    full_throttle: NDArray[np.bool_],
    xy_m: tuple[F64, F64] | None = None,
) -> LimitTrace:
    """A :class:`LimitTrace` from per-metre columns (``time_s``, ``speed_mps``,
    ``target_speed_mps``, ``derate``, ``fuel_used_kg``, ``coolant_C``, ``oil_C``,
    ``disc_max_C``) of either tier; metres the car did not reach are dropped. Where the
    driver's target lies below the plan (the preview of a slower metre ahead) the metre
    is booked to braking."""
    t = np.asarray(columns["time_s"], dtype=np.float64)
    n = int(np.isfinite(t).sum()) if np.isfinite(t).all() else int(np.argmin(np.isfinite(t)))
    n = max(n, 1)
    cut = {k: np.asarray(v, dtype=np.float64)[:n] for k, v in columns.items()}
    derate = np.nan_to_num(cut["derate"], nan=1.0)
    plan = np.asarray(plan_code[:n], dtype=np.int8).copy()
    plan[cut["target_speed_mps"] < np.asarray(plan_mps[:n]) * (1.0 - PREVIEW_RTOL)] = Limit.BRAKING
    code = car_limits(
        plan,
        cut["speed_mps"],
        cut["target_speed_mps"],
        full_throttle[:n],
        derate,
        forces[0][:n],
        forces[1][:n],
    )
    return LimitTrace(
        distance_m=np.arange(n, dtype=np.float64),
        time_s=cut["time_s"],
        speed_mps=cut["speed_mps"],
        limit=code,
        surface=np.asarray(surface[:n], dtype=np.int8),
        fuel_used_kg=cut["fuel_used_kg"],
        coolant_C=cut["coolant_C"],
        oil_C=cut["oil_C"],
        disc_max_C=cut["disc_max_C"],
        derate=derate,
        reference_speed_mps=reference_speed_mps,
        x_m=None if xy_m is None else np.asarray(xy_m[0][:n], dtype=np.float64),
        y_m=None if xy_m is None else np.asarray(xy_m[1][:n], dtype=np.float64),
    )
