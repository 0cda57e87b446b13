"""``raidsim optimize``: optuna setup study on a stage or a rally, scored by the QSS.

Bad input (unknown vehicle, stage or parameter, a range outside the physical bounds,
unknown objective) prints one line naming it and exits with code 2 (see
:mod:`raidsim.cli.errors`). The transient twin then drives the best setup: one that stops
is a failed candidate, and the next towards the baseline is driven
(:func:`raidsim.optimize.study.confirm_best`); the setup printed as best is the best that
finishes, each failed candidate named in a note. When none does, not even the baseline,
the study's results are printed, then which run failed (setup values, stage, the stop
message), and the command exits with code 3, the trials kept (and in ``--storage``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say
from raidsim.cli.options import (
    DEFAULT_HEADWIND_MPS,
    DEFAULT_STAGE,
    DEFAULT_VEHICLE,
    HeadwindMps,
    StageAltitudeM,
    StageAmbientC,
    TargetArg,
    Vehicle,
    check_seed,
    cli_table,
    json_option,
    load_car,
    resolve_stages,
    seed_option,
    unit_of,
    weather_flags,
    with_weather_flags,
)
from raidsim.errors import ConfigError
from raidsim.optimize.params import DEFAULT_PARAMS, build_ranges, parse_ranges

if TYPE_CHECKING:  # optuna (raidsim.optimize.study) is imported when the command runs
    from raidsim.optimize.study import StudyResult


def run_study(*args: Any, **kwargs: Any) -> StudyResult:
    """:func:`raidsim.optimize.study.run_study`, imported on first use (optuna is heavy:
    ``raidsim run`` does not pay for it)."""
    from raidsim.optimize.study import run_study as _run_study

    return _run_study(*args, **kwargs)


def confirm(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`raidsim.optimize.study.confirm`, imported on first use."""
    from raidsim.optimize.study import confirm as _confirm

    return _confirm(*args, **kwargs)


#: transient confirmation is on by default for a single stage shorter than this
CONFIRM_MAX_KM = 100.0


def _fmt(x: float, integer: bool) -> str:
    if integer:
        return f"{int(round(x))}"
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def result_tables(title: str, res: StudyResult) -> list[Table]:
    """Best setup vs baseline, the sensitivity of QSS time to each parameter, and the
    scores: three tables that stay readable in 80 columns (names fold, units in their own
    column in the CLI vocabulary: ``N m``, ``1`` for a ratio or a click count)."""
    setup = cli_table(title)
    setup.add_column("parameter", overflow="fold", max_width=26)
    setup.add_column("unit")
    for col in ("range", "baseline", "best"):
        setup.add_column(col, justify="right")
    sens_table = cli_table("sensitivity of QSS time T around the best setup: dT per step, dT/dx")
    width = min(26, max([len(p.name) for p in res.ranges] + [9]))
    sens_table.add_column("parameter", overflow="fold", min_width=width, max_width=26)
    for col in ("step", "s per step", "s per unit"):
        sens_table.add_column(col, justify="right")
    sens_table.add_column("note", overflow="fold")
    sens = {s.name: s for s in res.sensitivity}
    for p in res.ranges:
        setup.add_row(
            Text(p.name),
            unit_of(p.name),
            f"{_fmt(p.low, p.integer)} to {_fmt(p.high, p.integer)}",
            _fmt(res.baseline_setup[p.name], p.integer),
            _fmt(res.best_setup[p.name], p.integer),
        )
        s = sens.get(p.name)
        if s is None:
            sens_table.add_row(Text(p.name), "-", "-", "-", "")
        elif s.no_effect:
            sens_table.add_row(Text(p.name), _fmt(s.step, p.integer), "0", "0", "no effect in QSS")
        else:
            sens_table.add_row(
                Text(p.name),
                _fmt(s.step, p.integer),
                f"{s.dtime_per_step_s:+.3g}",
                f"{s.dtime_per_unit_s:+.3g}",
                "",
            )
    scores = cli_table("scores")
    scores.add_column("", overflow="fold")
    scores.add_column("baseline", justify="right")
    scores.add_column("best", justify="right")
    b, o = res.baseline, res.best
    for name, bv, ov in (
        ("objective, s", f"{b.objective_s:.1f}", f"{o.objective_s:.1f}"),
        ("QSS time, s", f"{b.time_s:.1f}", f"{o.time_s:.1f}"),
        ("puncture risk, s", f"{b.risk_s:.1f}", f"{o.risk_s:.1f}"),
        ("fuel used, L (max stage)", f"{b.fuel_used_L:.1f}", f"{o.fuel_used_L:.1f}"),
        ("fuel reserve, L", f"{b.fuel_reserve_L:.1f}", f"{o.fuel_reserve_L:.1f}"),
        ("constraints met", "yes" if b.feasible else "NO", "yes" if o.feasible else "NO"),
    ):
        scores.add_row(name, bv, ov)
    return [setup, sens_table, scores]


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
    ambient_C: StageAmbientC = None,
    altitude_m: StageAltitudeM = None,
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
    from raidsim.optimize.study import ConfirmationFailed, Constraints, confirm_best

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
    if study_name is not None and storage is None:
        raise ConfigError(
            f"--study-name {study_name}: a study is named inside a storage; add --storage "
            "(e.g. sqlite:///study.db) or drop --study-name"
        )
    check_seed(seed)
    car = load_car(vehicle, setup)
    names = [n.strip() for n in params.split(",") if n.strip()]
    ranges = build_ranges(car, names, parse_ranges(range_))
    weather_flags(ambient_C, altitude_m, headwind_mps)  # a bad flag fails before any work
    title, labelled = resolve_stages(target)
    # each stage at its own conditions (a rally stage: its rally.toml's) under the flags
    stages = [with_weather_flags(s, ambient_C, altitude_m, headwind_mps) for _, s in labelled]
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
        n_jobs=n_jobs,
    )
    length_km = sum(s.length_m for s in stages) / 1000.0
    do_confirm = (
        confirm_run
        if confirm_run is not None
        else (len(stages) == 1 and length_km < CONFIRM_MAX_KM)
    )
    if do_confirm and len(stages) > 1:
        res.notes.append("confirmation skipped: a rally has several stages")
        do_confirm = False
    failed: ConfirmationFailed | None = None
    if do_confirm:  # a candidate that stops is failed; the best that finishes is reported
        kept = f"the study's {res.n_complete} trials are kept" + (
            f" in {storage}" if storage else ""
        )
        try:
            confirm_best(
                car,
                stages[0],
                res,
                Constraints(fuel_reserve_pct, max_derate_s),
                None,  # the stage's own conditions (flags applied above)
                kept=kept,
                run=confirm,
            )
        except ConfirmationFailed as exc:  # report the study, then exit 3 (handle_errors)
            failed = exc
    if not as_json:  # the study's results first: a failed confirmation keeps them
        for table in result_tables(
            f"{car.name} on {title}: {objective}, {res.n_complete} trials "
            f"({res.n_new_trials} run now), seed {seed}",
            res,
        ):
            console.print(table)
    if as_json:
        doc = _as_json(res)
        if failed is not None:
            doc["confirmation"] = {
                "failed": True,
                "setup": failed.setup,
                "stage": failed.stage,
                "error": str(failed),
            }
        console.print_json(json.dumps(doc, default=float))
    else:
        if res.confirmation is not None:
            c = res.confirmation
            say(
                f"transient confirmation: {c['transient_time_s']:.1f} s "
                f"(QSS {c['qss_time_s']:.1f} s, {c['difference_pct']:+.1f} %)"
            )
        for note in res.notes:
            say(f"note: {note}")
    if failed is not None:
        raise failed
