"""Setup optimisation: an optuna study over setup parameters, scored by the QSS estimator.

Objective (minimised, seconds):

* ``time``: QSS stage time, summed over the stages of a rally;
* ``time+risk``: stage time plus the expected puncture/rim-damage time loss of
  :func:`puncture_penalty_s`.

Constraints (optuna ``Trial.set_constraint``, optuna >= 5; a trial is feasible when every
value <= 0):

* fuel reserve: ``fuel_load_L - fuel_used_L >= reserve_pct/100 x tank_capacity_L`` on
  every stage (refuel between stages);
* derate time: ``derate_time_s <= max_derate_s`` when the QSS summary reports a derate
  time; the QSS estimator of this build has no thermal model, so the constraint is then
  ignored and the result says so in its notes.

Determinism: ``TPESampler(seed=seed + trials already in storage)``, so one seed gives the
same study, and a study resumed from its storage draws new points instead of re-drawing
the ones it already has. Completed trials are never re-run: a resumed study runs only
``n_trials - completed`` more. With ``n_jobs > 1`` trials run in threads and the order
(hence the result) is no longer bit-for-bit reproducible.

Puncture/rim-risk model (all constants are **estimates**, placeholders to calibrate
against team data; none is published):

    lambda(p, surface) = LAMBDA_REF x f_surface x (P_REF / p)^N x (1 + max(0, (P_RIM - p)/DP_RIM)^2)
    Lambda = sum over the four tyres and the stage's km per surface of lambda   (expected punctures)
    penalty = T_CHANGE x Lambda + T_STRANDED x E[max(0, K - spares)],  K ~ Poisson(Lambda)

Lower pressure raises the tyre's deflection and the chance of a pinch cut or a rim hit
(power law N); below P_RIM the rim itself starts to hit (quadratic term); each puncture
costs a wheel change, and punctures beyond the spare wheels aboard strand the crew.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from raidsim.errors import ConfigError, RaidsimError
from raidsim.errors import ConfirmationFailed as ConfirmationFailed  # re-exported: raised here
from raidsim.model.ambient import Ambient
from raidsim.model.settings import Settings
from raidsim.model.surfaces import SURFACES
from raidsim.model.vehicle import Vehicle
from raidsim.optimize.params import ParamRange, baseline_value
from raidsim.route.stage import Stage
from raidsim.sim.qss import estimate

OBJECTIVES = ("time", "time+risk")

# --- puncture / rim-risk model: ESTIMATES (see the module docstring) ----------------
#: punctures per tyre per km at P_REF on gravel (estimate: ~1.6 per 800 km car-stage)
LAMBDA_REF_PER_KM = 1.0 / 2000.0
#: reference pressure of LAMBDA_REF, bar (estimate: the D7X-R preset's rear pressure)
P_REF_BAR = 1.8
#: exponent of the pressure law (estimate: deflection ~ 1/p, pinch energy margin ~ 1/p^2)
PRESSURE_EXPONENT = 2.0
#: rim hits start below this pressure, bar, and grow over DP_RIM_BAR (estimates)
P_RIM_BAR = 1.0
DP_RIM_BAR = 0.2
#: time lost per puncture: the crew changes the wheel (estimate: 2-4 min)
T_CHANGE_S = 240.0
#: time lost per puncture beyond the spares aboard (estimate: wait for assistance)
T_STRANDED_S = 3600.0
#: relative puncture exposure per surface class (estimates: sharp stones >> sand)
SURFACE_RISK: dict[str, float] = {
    "hard": 0.5,
    "gravel": 1.0,
    "rocky": 4.0,
    "sand_firm": 0.3,
    "sand_soft": 0.2,
    "dune": 0.2,
    "whoops": 1.5,
}


def puncture_rate_per_km(pressure_bar: float, surface: str) -> float:
    """Expected punctures per tyre per km (the model in the module docstring)."""
    rim = max(0.0, (P_RIM_BAR - pressure_bar) / DP_RIM_BAR)
    return (
        LAMBDA_REF_PER_KM
        * SURFACE_RISK[surface]
        * (P_REF_BAR / pressure_bar) ** PRESSURE_EXPONENT
        * (1.0 + rim * rim)
    )


def surface_km(stage: Stage) -> dict[str, float]:
    """Kilometres of each surface class along the stage's 1 m grid."""
    counts = np.bincount(np.asarray(stage.surface_code, dtype=np.int64), minlength=len(SURFACES))
    step_km = float(stage.centreline.step_m) / 1000.0
    return {name: float(counts[i]) * step_km for i, name in enumerate(SURFACES)}


def puncture_penalty_s(vehicle: Vehicle, km_by_surface: dict[str, float]) -> float:
    """Expected time lost to punctures on one stage, s (module docstring)."""
    lam = 0.0
    for p in (vehicle.tyre_pressure_front_bar, vehicle.tyre_pressure_rear_bar):
        lam += 2.0 * sum(km * puncture_rate_per_km(p, s) for s, km in km_by_surface.items())
    k = vehicle.chassis.spare_wheels
    # E[max(0, K - k)] = Lambda - k + sum_{n<k} (k - n) P(K = n)
    beyond = lam - k + sum((k - n) * math.exp(-lam) * lam**n / math.factorial(n) for n in range(k))
    return T_CHANGE_S * lam + T_STRANDED_S * max(0.0, beyond)


@dataclass(frozen=True)
class Constraints:
    fuel_reserve_pct: float = 10.0
    max_derate_s: float = 60.0


@dataclass(frozen=True)
class Evaluation:
    """One setup scored over the stages."""

    objective_s: float
    time_s: float
    risk_s: float
    fuel_used_L: float  # the most any one stage uses
    fuel_reserve_L: float  # fuel_load - fuel_used on that stage
    derate_s: float | None
    violations: tuple[float, ...]  # <= 0 feasible: (fuel, derate)
    per_stage_time_s: tuple[float, ...] = ()

    @property
    def feasible(self) -> bool:
        return all(v <= 0.0 for v in self.violations)


def evaluate(
    vehicle: Vehicle,
    stages: Sequence[Stage],
    objective: str = "time",
    constraints: Constraints | None = None,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    km_by_surface: Sequence[dict[str, float]] | None = None,
) -> Evaluation:
    """QSS-score one vehicle setup over ``stages`` (objective and constraints above)."""
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective '{objective}' (choose from {', '.join(OBJECTIVES)})")
    constraints = constraints or Constraints()
    km = km_by_surface or [surface_km(s) for s in stages]
    times, fuels, derates = [], [], []
    risk = 0.0
    for stage, km_s in zip(stages, km, strict=True):
        summary = estimate(vehicle, stage, ambient, settings).summary
        times.append(float(summary["stage_time_s"]))
        fuels.append(float(summary["fuel_used_L"]))
        if "derate_time_s" in summary:
            derates.append(float(summary["derate_time_s"]))
        if objective == "time+risk":
            risk += puncture_penalty_s(vehicle, km_s)
    fuel_used = max(fuels)
    reserve = vehicle.fuel.fuel_load_L - fuel_used
    need = constraints.fuel_reserve_pct / 100.0 * vehicle.fuel.tank_capacity_L
    derate = max(derates) if derates else None
    violations = (
        need - reserve,
        (derate - constraints.max_derate_s) if derate is not None else 0.0,
    )
    total = float(sum(times))
    return Evaluation(
        total + risk, total, risk, fuel_used, reserve, derate, violations, tuple(times)
    )


def apply_setup(
    vehicle: Vehicle, ranges: Sequence[ParamRange], values: dict[str, float]
) -> Vehicle:
    """The vehicle with the optimised parameters set (integers rounded)."""
    changes: dict[str, Any] = {
        p.name: int(round(values[p.name])) if p.integer else float(values[p.name])
        for p in ranges
        if p.name in values
    }
    return vehicle.with_changes(**changes)


@dataclass(frozen=True)
class Sensitivity:
    """Finite difference of QSS time around the optimum for one parameter."""

    name: str
    step: float
    dtime_per_unit_s: float  # central (or one-sided at a bound) difference
    dtime_per_step_s: float
    no_effect: bool


@dataclass
class StudyResult:
    study: optuna.Study
    ranges: list[ParamRange]
    objective: str
    baseline_setup: dict[str, float]
    best_setup: dict[str, float]
    baseline: Evaluation
    best: Evaluation
    n_new_trials: int
    n_complete: int
    sensitivity: list[Sensitivity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confirmation: dict[str, Any] | None = None


def _constraints_of(trial: optuna.trial.FrozenTrial) -> Sequence[float]:
    """The values set with ``Trial.set_constraint`` (optuna >= 5); <= 0 is feasible."""
    return list(trial.constraints.values()) or [0.0]


def sensitivities(
    vehicle: Vehicle,
    stages: Sequence[Stage],
    ranges: Sequence[ParamRange],
    best_setup: dict[str, float],
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    rel_step: float = 0.02,
) -> list[Sensitivity]:
    """d(stage time)/d(parameter) at the optimum by finite differences of the QSS.

    Step: ``rel_step`` of the range (one click for integers); central where both sides fit
    in the range, one-sided at a bound. A parameter whose steps leave the QSS time
    unchanged to 1e-9 s is reported as having no effect in the QSS.
    """
    out = []
    t0 = evaluate(apply_setup(vehicle, ranges, best_setup), stages, "time", None, ambient, settings)
    for p in ranges:
        h = 1.0 if p.integer else rel_step * (p.high - p.low)
        x = best_setup[p.name]
        xs = [v for v in (p.clip(x - h), p.clip(x + h)) if abs(v - x) > 1e-12]
        ts = {}
        for xv in xs:
            car = apply_setup(vehicle, ranges, {**best_setup, p.name: xv})
            ts[xv] = evaluate(car, stages, "time", None, ambient, settings).time_s
        ts[x] = t0.time_s
        lo, hi = min(ts), max(ts)
        slope = (ts[hi] - ts[lo]) / (hi - lo) if hi > lo else 0.0
        no_effect = all(abs(t - t0.time_s) < 1e-9 for t in ts.values())
        out.append(Sensitivity(p.name, h, slope, slope * h, no_effect))
    return out


def open_storage(url: str | None) -> optuna.storages.BaseStorage | None:
    """The optuna storage at ``url`` (None: in memory), opened and checked before any
    trial runs; a malformed URL, a missing database driver or an unwritable database file
    raises ConfigError naming ``--storage``, the URL and what to do."""
    if url is None:
        return None
    import sqlalchemy.exc

    if url.startswith("sqlite:///"):  # sqlite would take over a short non-database file
        path = Path(url[len("sqlite:///") :])
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size > 0:
                with path.open("rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise ConfigError(
                            f"--storage {url}: {path} exists and is not an SQLite database; "
                            "give a new file name or an existing study database"
                        )

    try:
        return optuna.storages.get_storage(url)
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError, OSError) as exc:
        reason = " ".join(str(exc).split("(Background on this error")[0].split())
        raise ConfigError(
            f"--storage {url}: cannot open the optuna storage ({type(exc).__name__}: "
            f"{reason}); give a database URL such as sqlite:///study.db in a directory "
            "that exists and that you can write to"
        ) from None


def run_study(
    vehicle: Vehicle,
    stages: Sequence[Stage],
    ranges: Sequence[ParamRange],
    *,
    n_trials: int = 50,
    objective: str = "time",
    constraints: Constraints | None = None,
    seed: int = 0,
    storage: str | None = None,
    study_name: str | None = None,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    n_jobs: int = 1,
    with_sensitivity: bool = True,
    on_trial: Callable[[int], None] | None = None,
) -> StudyResult:
    """Run (or resume) the study until it holds ``n_trials`` completed trials.

    ``on_trial(n)`` is called before the n-th evaluation of this call (tests use it to
    interrupt a study). Returns the best feasible setup, the baseline, sensitivities and
    notes (ignored constraints, no feasible trial ...).
    """
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective '{objective}' (choose from {', '.join(OBJECTIVES)})")
    if n_trials < 1:
        raise ConfigError(f"--trials must be >= 1, got {n_trials}")
    constraints = constraints or Constraints()
    ranges = list(ranges)
    km = [surface_km(s) for s in stages]
    notes: list[str] = []
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    name = study_name or f"raidsim-{vehicle.name}-{objective}"
    signature = {
        "vehicle": vehicle.name,
        "stages": [s.name for s in stages],
        "params": [p.name for p in ranges],
        "objective": objective,
    }
    # peek at what the storage already holds, to seed the sampler past it
    n_existing = 0
    db = open_storage(storage)
    if db is not None:
        try:
            existing = optuna.load_study(study_name=name, storage=db)
        except KeyError:
            existing = None
        if existing is not None:
            n_existing = len(existing.trials)
            held = existing.user_attrs.get("signature")
            if held is not None and held != signature:
                raise ConfigError(
                    f"storage {storage} holds study '{name}' for {held}, not {signature}; "
                    "use another --study-name or storage"
                )
    sampler = optuna.samplers.TPESampler(seed=seed + n_existing, multivariate=True)
    study = optuna.create_study(
        study_name=name,
        storage=db,
        sampler=sampler,
        direction="minimize",
        load_if_exists=True,
    )
    study.set_user_attr("signature", signature)
    base_setup = {p.name: baseline_value(vehicle, p) for p in ranges}
    if not study.trials:
        study.enqueue_trial({p.name: p.clip(base_setup[p.name]) for p in ranges})

    counter = {"n": 0}

    def objective_fn(trial: optuna.Trial) -> float:
        counter["n"] += 1
        if on_trial is not None:
            on_trial(counter["n"])
        values: dict[str, float] = {}
        for p in ranges:
            if p.integer:
                values[p.name] = float(trial.suggest_int(p.name, int(p.low), int(p.high)))
            else:
                values[p.name] = trial.suggest_float(p.name, p.low, p.high)
        try:
            car = apply_setup(vehicle, ranges, values)
        except ConfigError as exc:  # a cross-field rule of the spec (none known today)
            trial.set_user_attr("error", str(exc))
            raise optuna.TrialPruned(str(exc)) from exc
        ev = evaluate(car, stages, objective, constraints, ambient, settings, km)
        trial.set_user_attr("time_s", ev.time_s)
        trial.set_user_attr("risk_s", ev.risk_s)
        trial.set_user_attr("fuel_used_L", ev.fuel_used_L)
        trial.set_constraint("fuel_reserve_L", ev.violations[0])
        trial.set_constraint("derate_s", ev.violations[1])
        return ev.objective_s

    complete = optuna.trial.TrialState.COMPLETE
    n_done = sum(1 for t in study.trials if t.state == complete)
    n_new = max(0, n_trials - n_done)
    if n_new:
        study.optimize(objective_fn, n_trials=n_new, n_jobs=n_jobs, gc_after_trial=False)
    done = [t for t in study.trials if t.state == complete and t.value is not None]
    if not done:
        raise ConfigError("the study holds no completed trial")
    feasible = [t for t in done if all(c <= 0.0 for c in _constraints_of(t))]
    if feasible:
        best_trial = min(feasible, key=lambda t: float(t.value or 0.0))
    else:
        best_trial = min(done, key=lambda t: max(_constraints_of(t)))
        notes.append(
            "no trial met the constraints (fuel reserve / derate); showing the least "
            "infeasible setup"
        )
    best_setup = {p.name: float(best_trial.params[p.name]) for p in ranges}
    baseline = evaluate(vehicle, stages, objective, constraints, ambient, settings, km)
    best = evaluate(
        apply_setup(vehicle, ranges, best_setup),
        stages,
        objective,
        constraints,
        ambient,
        settings,
        km,
    )
    if best.derate_s is None:
        notes.append(
            "derate-time constraint ignored: the QSS summary has no derate time "
            "(no thermal model in the QSS tier)"
        )
    sens = (
        sensitivities(vehicle, stages, ranges, best_setup, ambient, settings)
        if with_sensitivity
        else []
    )
    n_complete = sum(1 for t in study.trials if t.state == complete)
    return StudyResult(
        study,
        ranges,
        objective,
        base_setup,
        best_setup,
        baseline,
        best,
        n_new,
        n_complete,
        sens,
        notes,
    )


def confirm(
    vehicle: Vehicle,
    stage: Stage,
    qss_time_s: float,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    *,
    setup: dict[str, float] | None = None,
    kept: str = "",
) -> dict[str, Any]:
    """One transient run of ``vehicle`` on ``stage``; its time against the QSS figure.

    A run that stops or diverges (any :class:`~raidsim.errors.RaidsimError` from the
    transient tier) raises :class:`ConfirmationFailed` naming ``setup`` (the optimised
    values), the stage and the stop message, plus ``kept`` (what of the study survives).
    """
    from raidsim.sim.runner import simulate

    try:
        run = simulate(vehicle, stage, ambient, settings)
    except RaidsimError as exc:
        raise ConfirmationFailed(setup or {}, stage.name, exc, kept) from exc
    t = float(run.summary["stage_time_s"])
    return {
        "transient_time_s": t,
        "qss_time_s": qss_time_s,
        "difference_pct": (qss_time_s - t) / t * 100.0 if t > 0 else float("nan"),
        "summary": dict(run.summary),  # the JSON form
    }


#: the setups the confirmation drives, in order: the QSS best, then setups on the line
#: from the baseline to it at these fractions of the way (then the baseline itself). A
#: setup that stops is a failed candidate; the first that finishes is the result.
CONFIRM_FRACTIONS = (1.0, 0.5, 0.25)


def confirmation_candidates(
    ranges: Sequence[ParamRange], baseline: dict[str, float], best: dict[str, float]
) -> list[dict[str, float]]:
    """The distinct setups :func:`confirm_best` tries, best first, the baseline last."""
    out: list[dict[str, float]] = []
    for f in (*CONFIRM_FRACTIONS, 0.0):
        setup = {
            p.name: p.clip(baseline[p.name] + f * (best[p.name] - baseline[p.name])) for p in ranges
        }
        if f == 1.0:
            setup = dict(best)
        if setup not in out:
            out.append(setup)
    return out


def confirm_best(
    vehicle: Vehicle,
    stage: Stage,
    res: StudyResult,
    constraints: Constraints | None = None,
    ambient: Ambient | None = None,
    settings: Settings | None = None,
    *,
    kept: str = "",
    run: Callable[..., dict[str, Any]] = confirm,
) -> None:
    """Drive the study's best setup with the transient twin; a run that stops makes it a
    failed candidate, and the next of :func:`confirmation_candidates` (towards the
    baseline) is tried. The first that finishes becomes ``res.best_setup`` (with its QSS
    evaluation and sensitivities) and ``res.confirmation``; each failed candidate is named
    in ``res.notes``. Raises :class:`ConfirmationFailed` for the best setup when no
    candidate, the baseline included, finishes.

    ``run`` is the confirmation of one setup (:func:`confirm`'s signature)."""
    stages = [stage]
    failures: list[ConfirmationFailed] = []
    candidates = confirmation_candidates(res.ranges, res.baseline_setup, res.best_setup)
    for i, setup in enumerate(candidates):
        car = apply_setup(vehicle, res.ranges, setup)
        if setup == res.best_setup:
            ev = res.best
        else:
            ev = evaluate(car, stages, res.objective, constraints, ambient, settings)
            if not ev.feasible and i < len(candidates) - 1:
                continue  # the baseline is driven even when it misses a constraint
        try:
            confirmation = run(car, stage, ev.time_s, ambient, settings, setup=setup, kept=kept)
        except ConfirmationFailed as exc:
            failures.append(exc)
            continue
        for failed in failures:
            values = ", ".join(f"{k}={v:.4g}" for k, v in failed.setup.items())
            reason = " ".join(str(failed.cause).split()) or type(failed.cause).__name__
            res.notes.append(
                f"setup {values} stopped in its transient confirmation ({reason}): "
                "a failed candidate; the next one towards the baseline was driven"
            )
        if setup != res.best_setup:
            res.best_setup = setup
            res.best = ev
            if res.sensitivity:
                res.sensitivity = sensitivities(
                    vehicle, stages, res.ranges, setup, ambient, settings
                )
        res.confirmation = confirmation
        return
    first = failures[0]
    more = (
        f"{len(failures) - 1} more candidate(s) towards the baseline stopped too"
        if len(failures) > 1
        else ""
    )
    raise ConfirmationFailed(
        first.setup, first.stage, first.cause, "; ".join(t for t in (more, kept) if t)
    )
