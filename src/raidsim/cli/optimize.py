"""``raidsim optimize``: optuna setup study on a stage or a rally, scored by the QSS.

Bad input (unknown vehicle, stage or parameter, a range outside the physical bounds,
unknown objective) prints one line naming it and exits with code 2 (see
:mod:`raidsim.cli.errors`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say
from raidsim.cli.options import (
    DEFAULT_ALTITUDE_M,
    DEFAULT_AMBIENT_C,
    DEFAULT_HEADWIND_MPS,
    DEFAULT_STAGE,
    DEFAULT_VEHICLE,
    AltitudeM,
    AmbientC,
    HeadwindMps,
    TargetArg,
    Vehicle,
    ambient_from_flags,
    json_option,
    load_car,
    resolve_stages,
    seed_option,
)
from raidsim.errors import ConfigError
from raidsim.optimize.params import DEFAULT_PARAMS, build_ranges, parse_ranges
from raidsim.optimize.study import Constraints, StudyResult, confirm, run_study

#: transient confirmation is on by default for a single stage shorter than this
CONFIRM_MAX_KM = 100.0


def _fmt(x: float, integer: bool) -> str:
    return f"{int(round(x))}" if integer else f"{x:.4g}"


def result_table(title: str, res: StudyResult) -> Table:
    """Best setup vs baseline, with the sensitivity of QSS time to each parameter."""
    table = Table(title=Text(title))
    for col in ("parameter", "range", "baseline", "best", "dT/dx (s/unit)", "dT per step", "note"):
        table.add_column(
            col,
            justify="left" if col in ("parameter", "note") else "right",
            no_wrap=col == "parameter",
        )
    sens = {s.name: s for s in res.sensitivity}
    for p in res.ranges:
        s = sens.get(p.name)
        note = ""
        slope = step = "-"
        if s is not None:
            if s.no_effect:
                note = "no effect in QSS"
                slope, step = "0", "0"
            else:
                slope = f"{s.dtime_per_unit_s:+.3g}"
                step = f"{s.dtime_per_step_s:+.3g} s / {_fmt(s.step, p.integer)}"
        table.add_row(
            p.name,
            f"{_fmt(p.low, p.integer)}-{_fmt(p.high, p.integer)}",
            _fmt(res.baseline_setup[p.name], p.integer),
            _fmt(res.best_setup[p.name], p.integer),
            slope,
            step,
            note,
        )
    table.add_section()
    b, o = res.baseline, res.best
    rows: list[tuple[str, str, str]] = [
        ("objective, s", f"{b.objective_s:.1f}", f"{o.objective_s:.1f}"),
        ("QSS time, s", f"{b.time_s:.1f}", f"{o.time_s:.1f}"),
        ("puncture risk, s", f"{b.risk_s:.1f}", f"{o.risk_s:.1f}"),
        ("fuel used, L (max stage)", f"{b.fuel_used_L:.1f}", f"{o.fuel_used_L:.1f}"),
        ("fuel reserve, L", f"{b.fuel_reserve_L:.1f}", f"{o.fuel_reserve_L:.1f}"),
        ("constraints met", "yes" if b.feasible else "NO", "yes" if o.feasible else "NO"),
    ]
    for name, bv, ov in rows:
        table.add_row(name, "", bv, ov, "", "", "")
    return table


def _as_json(res: StudyResult) -> dict[str, Any]:
    return {
        "objective": res.objective,
        "baseline_setup": res.baseline_setup,
        "best_setup": res.best_setup,
        "baseline": res.baseline.__dict__ | {"feasible": res.baseline.feasible},
        "best": res.best.__dict__ | {"feasible": res.best.feasible},
        "trials_completed": res.n_complete,
        "trials_run_now": res.n_new_trials,
        "sensitivity": [s.__dict__ for s in res.sensitivity],
        "notes": res.notes,
        "confirmation": None
        if res.confirmation is None
        else {k: v for k, v in res.confirmation.items() if k != "summary"},
    }


@handle_errors
def optimize_command(
    target: TargetArg = DEFAULT_STAGE,
    vehicle: Vehicle = DEFAULT_VEHICLE,
    params: Annotated[
        str, typer.Option(help="comma-separated setup parameters to optimise")
    ] = ",".join(DEFAULT_PARAMS),
    range_: Annotated[
        list[str] | None,
        typer.Option("--range", help="narrow a parameter's range: name=low:high"),
    ] = None,
    trials: Annotated[int, typer.Option(help="completed trials the study should hold")] = 50,
    objective: Annotated[str, typer.Option(help="time | time+risk")] = "time",
    storage: Annotated[
        str | None, typer.Option(help="optuna storage URL, e.g. sqlite:///study.db (resumable)")
    ] = None,
    study_name: Annotated[str | None, typer.Option(help="study name in the storage")] = None,
    seed: Annotated[int, seed_option("sampler seed")] = 0,
    fuel_reserve_pct: Annotated[
        float, typer.Option(help="fuel left at the finish, % of the tank, at least")
    ] = 10.0,
    max_derate_s: Annotated[
        float, typer.Option(help="ECU derate time limit per stage, s (QSS heat pass)")
    ] = 60.0,
    ambient_C: AmbientC = DEFAULT_AMBIENT_C,
    altitude_m: AltitudeM = DEFAULT_ALTITUDE_M,
    headwind_mps: HeadwindMps = DEFAULT_HEADWIND_MPS,
    setup: Annotated[
        list[str] | None, typer.Option("--setup", help="baseline change key=value (repeat)")
    ] = None,
    confirm_run: Annotated[
        bool | None,
        typer.Option(
            "--confirm/--no-confirm",
            help="transient run of the best setup (default: on for one stage < 100 km)",
        ),
    ] = None,
    n_jobs: Annotated[int, typer.Option(help="parallel trials (threads)")] = 1,
    as_json: Annotated[bool, json_option("print the result as JSON")] = False,
) -> None:
    """Optimise the setup for QSS stage (or rally) time, subject to fuel and derate limits."""
    if objective not in ("time", "time+risk"):
        raise ConfigError(f"unknown objective '{objective}' (choose time or time+risk)")
    if trials < 1:
        raise ConfigError(f"--trials must be >= 1, got {trials}")
    if not 0.0 <= fuel_reserve_pct < 100.0:
        raise ConfigError(f"--fuel-reserve-pct must lie in [0, 100), got {fuel_reserve_pct}")
    if max_derate_s < 0.0:
        raise ConfigError(f"--max-derate-s must be >= 0, got {max_derate_s}")
    if n_jobs < 1:
        raise ConfigError(f"--n-jobs must be >= 1, got {n_jobs}")
    car = load_car(vehicle, setup)
    names = [n.strip() for n in params.split(",") if n.strip()]
    ranges = build_ranges(car, names, parse_ranges(range_))
    ambient = ambient_from_flags(ambient_C, altitude_m, headwind_mps)
    title, labelled = resolve_stages(target)
    stages = [s for _, s in labelled]
    res = run_study(
        car,
        stages,
        ranges,
        n_trials=trials,
        objective=objective,
        constraints=Constraints(fuel_reserve_pct, max_derate_s),
        seed=seed,
        storage=storage,
        study_name=study_name,
        ambient=ambient,
        n_jobs=n_jobs,
    )
    length_km = sum(s.length_m for s in stages) / 1000.0
    do_confirm = (
        confirm_run
        if confirm_run is not None
        else (len(stages) == 1 and length_km < CONFIRM_MAX_KM)
    )
    if do_confirm:
        if len(stages) > 1:
            res.notes.append("confirmation skipped: a rally has several stages")
        else:
            from raidsim.optimize.study import apply_setup

            best_car = apply_setup(car, ranges, res.best_setup)
            res.confirmation = confirm(best_car, stages[0], res.best.time_s, ambient)
    if as_json:
        console.print_json(json.dumps(_as_json(res), default=float))
        return
    console.print(
        result_table(
            f"{car.name} on {title}: {objective}, {res.n_complete} trials "
            f"({res.n_new_trials} run now), seed {seed}",
            res,
        )
    )
    if res.confirmation is not None:
        c = res.confirmation
        console.print(
            f"transient confirmation: {c['transient_time_s']:.1f} s "
            f"(QSS {c['qss_time_s']:.1f} s, {c['difference_pct']:+.1f} %)"
        )
    for note in res.notes:
        say(f"note: {note}")
