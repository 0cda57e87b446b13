"""Calibrate a catalogue's ground on real stage times, then predict other cars on it
(docs/physics.md §13.4).

The procedure, one stage at a time, with a T1+ preset (``sandrider``) and the day's
catalogue conditions (altitude, ambient; 35 C at sea level where the catalogue gives none):

1. target: the winner's average speed over the reported km, applied to the catalogue's own
   special length (the reported km and the synthetic route's length differ by a few km);
2. the QSS estimate at the stage as shipped uncalibrated (every knob 1) decides the knob,
   each a property of the ground, the same for every car: slower than the target on a
   stage with dune fields -> ``dune_spacing_scale`` in [1, 20] (how often the line
   crosses a crest: the crew runs the corridors between the dune chains and crosses
   where they open; the dunes it does cross keep their own height and slopes, the slip
   face at the angle of repose); otherwise ``roughness_scale`` in [0.02, 50] (how rough
   the ground is: Gd(n0) of every section times the scale); a dune stage still too slow
   at the spacing bracket's end keeps that spacing and takes ``roughness_scale`` below 1
   as well. ``dune_slope_scale`` and ``dune_height_scale`` stay knobs of the stage file
   (a user's estimate of the ground), not fitted: flattening the faces below the angle
   of repose to explain a time made every dune alike for every car (docs/physics.md
   §13.4);
3. Brent's method (``scipy.optimize.brentq``) on log(scale) to a stage time within 0.1 %;
   when the bracket's end does not reach the target the scale stays at that end and the
   residual is reported.

``python -m raidsim.correlate.terrain dakar-2026 --write`` runs it and writes the knobs
into each stage TOML with a comment saying where they came from. Other cars are then
predicted on the calibrated ground (``raidsim estimate dakar-2026 --vehicle d7x-r``);
``--sensitivity`` prints how far each knob moves each preset's time.
"""

from __future__ import annotations

import argparse
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from scipy.optimize import brentq

import raidsim.atomic as atomic
from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient
from raidsim.model.loader import load_vehicle
from raidsim.model.vehicle import Vehicle
from raidsim.route.catalogue import RallyStage, load_rally
from raidsim.route.stage import Stage, StageDefinition, load_stage_definition
from raidsim.route.terrain import build_stage
from raidsim.sim.qss import estimate

#: knob brackets
ROUGHNESS_BRACKET = (0.02, 50.0)
SPACING_BRACKET = (1.0, 20.0)
#: relative tolerance on the stage time
TIME_RTOL = 1e-3
#: the ground's knobs (stage TOML keys), all 1 uncalibrated
KNOBS = ("roughness_scale", "dune_height_scale", "dune_slope_scale", "dune_spacing_scale")


@dataclass(frozen=True)
class StageTime:
    """One real result: the stage, the km reported with it, the time, who and where from."""

    stage: str
    km: float
    time_s: float
    winner: str
    source: str

    @property
    def avg_speed_mps(self) -> float:
        return self.km * 1000.0 / self.time_s


@dataclass(frozen=True)
class Calibration:
    stage: str
    knob: str
    value: float
    target_s: float
    model_s: float
    #: other knobs the procedure set (a dune stage's spacing at its bracket end)
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float]:
        """Every knob's value (1 where not set)."""
        return {k: 1.0 for k in KNOBS} | self.fixed | {self.knob: self.value}

    @property
    def residual(self) -> float:
        """(model - target) / target."""
        return self.model_s / self.target_s - 1.0


def parse_hms(text: str) -> float:
    h, m, s = (int(x) for x in text.split(":"))
    return 3600.0 * h + 60.0 * m + s


def load_results(rally: str = "dakar-2026", path: Path | None = None) -> list[StageTime]:
    """The shipped real results of ``rally`` (``correlate/data/<rally>-ultimate.toml``)."""
    if path is None:
        res = files("raidsim.correlate") / "data" / f"{rally}-ultimate.toml"
        text = res.read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return [
        StageTime(str(r["stage"]), float(r["km"]), parse_hms(r["time"]), r["winner"], r["source"])
        for r in data["stages"]
    ]


def _time_s(vehicle: Vehicle, stage: Stage, amb: Ambient) -> float:
    return float(estimate(vehicle, stage, ambient=amb).summary["stage_time_s"])


def _fit(
    vehicle: Vehicle,
    plain: StageDefinition,
    base: Path | None,
    amb: Ambient,
    target: float,
    knob: str,
    bracket: tuple[float, float],
) -> tuple[float, float, bool]:
    """Brent on log(knob) within ``bracket``: (value, model time, reached)."""
    times: dict[float, float] = {}  # stage time by log(scale): each built and estimated once

    def time_at(log_x: float) -> float:
        if log_x not in times:
            scaled = plain.model_copy(update={knob: math.exp(log_x)})
            times[log_x] = _time_s(vehicle, build_stage(scaled, base), amb)
        return times[log_x]

    def gap(log_x: float) -> float:
        return time_at(log_x) / target - 1.0

    a, b = math.log(bracket[0]), math.log(bracket[1])
    ga, gb = gap(a), gap(b)
    if ga * gb > 0.0:  # the bracket does not reach the target: stay at its nearer end
        x = a if abs(ga) < abs(gb) else b
        return math.exp(x), time_at(x), False
    x = brentq(gap, a, b, rtol=TIME_RTOL, xtol=1e-3)
    value = round(math.exp(x), 4)
    return value, time_at(math.log(value)), True


def calibrate_stage(
    vehicle: Vehicle, stage: RallyStage, result: StageTime, base: Path | None
) -> Calibration:
    """One stage's knob and value (module docstring)."""
    amb = stage.conditions.ambient  # the day's rally.toml weather, as every command uses
    plain = stage.definition.model_copy(update={k: 1.0 for k in KNOBS})
    built = build_stage(plain, base)
    target = built.length_m / result.avg_speed_mps
    t1 = _time_s(vehicle, built, amb)
    fixed: dict[str, float] = {}
    if t1 > target and plain.dunes:
        value, model, reached = _fit(
            vehicle, plain, base, amb, target, "dune_spacing_scale", SPACING_BRACKET
        )
        if reached or model < target:
            return Calibration(stage.name, "dune_spacing_scale", value, target, model)
        fixed = {"dune_spacing_scale": value}
        plain = plain.model_copy(update=fixed)
        t1 = model
    lo, hi = ROUGHNESS_BRACKET
    bracket = (1.0, hi) if t1 < target else (lo, 1.0)
    value, model, _ = _fit(vehicle, plain, base, amb, target, "roughness_scale", bracket)
    return Calibration(stage.name, "roughness_scale", value, target, model, fixed)


def write_calibration(path: Path, cal: Calibration, vehicle: str, source: str) -> None:
    """Set the ground's knobs in the stage TOML (replacing earlier calibration lines,
    and the retired ``crest_speed_scale``), atomically."""
    lines = [
        ln
        for ln in path.read_text(encoding="utf-8").splitlines()
        if not re.match(rf"^({'|'.join((*KNOBS, 'crest_speed_scale'))})\s*=", ln)
        and not ln.startswith("# calibrated:")
    ]
    values = cal.values
    at = next(i for i, ln in enumerate(lines) if ln.startswith("default_surface"))
    also = "".join(f", {k} at its bracket end" for k in cal.fixed)
    note = (
        f"# calibrated: {cal.knob} fitted by raidsim.correlate.terrain with the {vehicle} "
        f"preset to the Ultimate winner's average speed ({source}){also}; residual "
        f"{100.0 * cal.residual:+.2f} %"
    )
    block = [note] + [f"{k} = {values[k]:.4g}" for k in KNOBS]
    text = "\n".join(lines[: at + 1] + block + lines[at + 1 :]) + "\n"
    atomic.write_text(path, text)


def calibrate_rally(rally: str, vehicle_name: str, write: bool) -> list[Calibration]:
    vehicle = load_vehicle(vehicle_name)
    by_name = {s.name.split("/")[-1]: s for s in load_rally(rally).stages}
    out = []
    for result in load_results(rally):
        if result.stage not in by_name:
            raise ConfigError(f"{rally}: results name stage '{result.stage}', not in the catalogue")
        stage = by_name[result.stage]
        _, base = load_stage_definition(stage.name)
        cal = calibrate_stage(vehicle, stage, result, base)
        out.append(cal)
        print(
            f"{stage.name:14s} {cal.knob:18s} {cal.value:7.4g}  target {cal.target_s / 3600:6.3f} h"
            f"  model {cal.model_s / 3600:6.3f} h  residual {100 * cal.residual:+6.2f} %",
            flush=True,
        )
        if write and base is not None:
            write_calibration(base / f"{result.stage}.toml", cal, vehicle_name, result.source)
    return out


#: the knob steps of :func:`sensitivity` (each a plausible error in the ground)
SENSITIVITY_STEPS = {
    "roughness_scale": 1.25,
    "dune_height_scale": 1.25,
    "dune_slope_scale": 0.8,
    "dune_spacing_scale": 1.25,
}
#: the knobs' upper bounds in the stage file
KNOB_MAX = {"dune_slope_scale": 1.0, "dune_spacing_scale": 20.0}


def sensitivity(
    rally: str, stages: list[str], presets: list[str]
) -> list[tuple[str, str, str, float]]:
    """(stage, knob, preset, relative change of the QSS time) for each knob of the
    calibrated ground times its :data:`SENSITIVITY_STEPS` step (capped at :data:`KNOB_MAX`)."""
    by_name = {s.name.split("/")[-1]: s for s in load_rally(rally).stages}
    rows = []
    for name in stages:
        day = by_name[name]
        definition, base = load_stage_definition(day.name)
        amb = day.conditions.ambient
        built = build_stage(definition, base)
        for preset in presets:
            car = load_vehicle(preset)
            t0 = _time_s(car, built, amb)
            for knob, step in SENSITIVITY_STEPS.items():
                value = min(getattr(definition, knob) * step, KNOB_MAX.get(knob, 100.0))
                moved = build_stage(definition.model_copy(update={knob: value}), base)
                rows.append((day.name, knob, preset, _time_s(car, moved, amb) / t0 - 1.0))
                print(
                    f"{day.name:14s} {knob:18s} x{step:<5g} {preset:12s} "
                    f"{100 * rows[-1][3]:+6.2f} %",
                    flush=True,
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m raidsim.correlate.terrain")
    ap.add_argument("rally", nargs="?", default="dakar-2026")
    ap.add_argument("--vehicle", default="sandrider")
    ap.add_argument("--write", action="store_true", help="write the scales into the stage files")
    ap.add_argument(
        "--sensitivity",
        metavar="STAGES",
        help="comma-separated stages: how far each knob moves each preset (no calibration)",
    )
    ap.add_argument("--presets", default="sandrider,d7x-r,lc-gr-sport,octa")
    args = ap.parse_args(argv)
    if args.sensitivity:
        sensitivity(args.rally, args.sensitivity.split(","), args.presets.split(","))
        return 0
    calibrate_rally(args.rally, args.vehicle, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
