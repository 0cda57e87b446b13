"""Real results of the stages already run: an organiser's CSV, read and checked.

``raidsim campaign RALLY --results FILE`` fixes the stages given here in every replicate
and simulates the rest (:class:`raidsim.campaign.model.Given`). The file is a CSV with a
header line; lines starting with ``#`` are comments (an example file says there that it is
synthetic). Columns (any order, names as here):

``crew``      the crew's name as in the campaign spec (required)
``stage``     the stage's name in the rally (``1``, ``prologue``) or ``RALLY/1`` (required)
``time``      the special time without penalties, ``h:mm:ss[.f]`` or seconds (required;
              empty for a crew that retired on the stage or is still out on it)
``penalty``   time added by the stewards, same formats (optional, default 0)
``retired``   ``yes``/``no`` (also true/false, 1/0; optional, default no): the crew is out of
              the rally on this stage; it has no time here and no row on later stages
``still_out`` ``yes``/``no`` (optional, default no): the crew has not reached the finish of
              the last stage given (a partial day); that stage is simulated for it
``rally``     the rally of the row (optional for a rally campaign, where it must be the
              campaign's; required for a season, ``raidsim campaign w2rc-2026 --results``,
              where each round's rows are that round's results)

The stages given must be the first stages of the campaign, in order, and every crew still
in the rally has a row on each of them. Any violation is a :class:`ConfigError` naming the
file, line, field and value, raised before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from raidsim.campaign.learn import PacePosterior, prior, update
from raidsim.campaign.model import BaseTable, Given
from raidsim.campaign.spec import CampaignSpec
from raidsim.errors import ConfigError

REQUIRED = ("crew", "stage", "time")
OPTIONAL = ("penalty", "retired", "still_out", "rally")
#: longest special time or penalty accepted, s (a Dakar special is under 12 h)
MAX_TIME_S = 48 * 3600.0
_HMS = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d(?:\.\d+)?)$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")
_YES = frozenset({"yes", "true", "1", "y"})
_NO = frozenset({"no", "false", "0", "n", ""})


@dataclass(frozen=True)
class StageResult:
    """One crew on one stage as the organiser gives it (times in s)."""

    line: int
    crew_index: int
    stage_index: int
    time_s: float | None
    penalty_s: float
    retired: bool
    still_out: bool


@dataclass(frozen=True)
class RealResults:
    """The checked results: the first ``n_stages`` stages of the campaign, per crew."""

    source: str
    digest: str  # sha256 of the file's bytes (the campaign's resume key)
    n_stages: int
    #: (C, n) stage time with penalties, s; None: retired there, still out, or out before
    time_s: list[list[float | None]]
    penalty_s: list[list[float]]
    retired_at: list[int | None]  # (C,) index of the stage the crew retired on
    still_out: list[bool]  # (C,) not yet at the finish of the last stage given


def parse_time(text: str) -> float:
    """``h:mm:ss[.f]`` or seconds -> s (ValueError saying what is accepted)."""
    text = text.strip()
    m = _HMS.match(text)
    if m:
        return int(m.group(1)) * 3600.0 + int(m.group(2)) * 60.0 + float(m.group(3))
    if _SECONDS.match(text):
        return float(text)
    raise ValueError("not a time: give h:mm:ss (minutes and seconds 00-59) or seconds >= 0")


def _flag(text: str) -> bool:
    t = text.strip().lower()
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise ValueError("not a flag: give yes or no (true/false, 1/0)")


def _stage_lookup(stages: list[str]) -> dict[str, int]:
    """``RALLY/1`` and ``1`` -> index."""
    look: dict[str, int] = {}
    for i, s in enumerate(stages):
        look[s] = i
        look[s.split("/", 1)[-1]] = i
    return look


def _raw_rows(path: Path) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header line number, header and (line number, fields) of every non-comment,
    non-blank line, with the header and field counts checked."""
    where = f"--results {path}"
    if not path.is_file():
        raise ConfigError(f"{where}: file not found (give the organiser's results as CSV)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{where}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    lines = [
        (i, line)
        for i, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ConfigError(f"{where}: empty; give a header line ({', '.join(REQUIRED)}, ...)")
    parsed = list(csv.reader([line for _, line in lines], skipinitialspace=True))
    rows = [(i, [f.strip() for f in fields]) for (i, _), fields in zip(lines, parsed, strict=True)]
    (hline, header), body = rows[0], rows[1:]
    header = [h.lower() for h in header]
    for name in header:
        if name not in REQUIRED + OPTIONAL:
            raise ConfigError(
                f"{path}:{hline}: column '{name}' unknown; allowed: "
                f"{', '.join(REQUIRED + OPTIONAL)}"
            )
        if header.count(name) > 1:
            raise ConfigError(f"{path}:{hline}: column '{name}' appears twice in the header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(f"{path}:{hline}: header lacks column(s) {', '.join(missing)}")
    if not body:
        raise ConfigError(f"{path}: no result rows after the header (line {hline})")
    for line, fields in body:
        if len(fields) != len(header):
            raise ConfigError(
                f"{path}:{line}: {len(fields)} fields, the header has {len(header)} "
                f"({', '.join(header)})"
            )
    if "rally" in header:
        col = header.index("rally")
        for line, fields in body:
            if not fields[col]:
                raise ConfigError(f"{path}:{line}: field 'rally' = '': name the rally")
    return hline, header, body


def _read_rows(
    path: Path, rally: str, rallies: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of ``rally``: with a ``rally`` column, its rows only (every row
    naming one of ``rallies``), that column dropped; without, every row."""
    _, header, body = _raw_rows(path)
    if "rally" not in header:
        return header, body
    col = header.index("rally")
    for line, fields in body:
        if fields[col] not in rallies:
            raise ConfigError(
                f"{path}:{line}: field 'rally' = {fields[col]!r}: not a rally of this "
                f"campaign ({', '.join(rallies)})"
            )
    keep = [(line, f[:col] + f[col + 1 :]) for line, f in body if f[col] == rally]
    if not keep:
        raise ConfigError(f"{path}: no result rows of {rally} (column 'rally')")
    return header[:col] + header[col + 1 :], keep


def season_rounds_given(path: Path | str, rallies: list[str]) -> list[str]:
    """The rounds (of ``rallies``, in season order) a season results file has rows for;
    a ConfigError for a file without a ``rally`` column or a row naming another rally."""
    path = Path(path)
    hline, header, body = _raw_rows(path)
    if "rally" not in header:
        raise ConfigError(
            f"{path}:{hline}: header lacks column rally (a season's results name the round "
            "of each row)"
        )
    _read_rows(path, rallies[0], tuple(rallies))  # every row names a round
    col = header.index("rally")
    named = {f[col] for _, f in body}
    return [r for r in rallies if r in named]


def round_results_csv(path: Path | str, rally: str, rallies: list[str]) -> str:
    """The rows of one round of a season results file, as a rally results file (the
    ``rally`` column dropped): what the season writes into the round's directory."""
    header, body = _read_rows(Path(path), rally, tuple(rallies))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(fields for _, fields in body)
    return f"# the rows of {rally} in the season's results file\n" + buf.getvalue()


def _parse_row(
    path: Path,
    line: int,
    row: dict[str, str],
    crews: dict[str, int],
    stages: dict[str, int],
) -> StageResult:
    def bad(field: str, why: str) -> ConfigError:
        return ConfigError(f"{path}:{line}: field '{field}' = {row.get(field, '')!r}: {why}")

    if row["crew"] not in crews:
        raise bad("crew", f"not a crew of the campaign spec ({', '.join(crews)})")
    if row["stage"] not in stages:
        names = sorted({k for k in stages if "/" not in k}, key=lambda k: stages[k])
        raise bad("stage", f"not a stage of this campaign ({', '.join(names)})")
    times: dict[str, float | None] = {}
    for field in ("time", "penalty"):
        text = row.get(field, "")
        if not text:
            times[field] = None
            continue
        try:
            value = parse_time(text)
        except ValueError as exc:
            raise bad(field, str(exc)) from None
        if not math.isfinite(value) or value > MAX_TIME_S:
            raise bad(field, f"allowed 0 <= value <= {MAX_TIME_S:.0f} s (48:00:00)")
        if field == "time" and value <= 0.0:
            raise bad(field, "a special time must be > 0")
        times[field] = value
    flags: dict[str, bool] = {}
    for field in ("retired", "still_out"):
        try:
            flags[field] = _flag(row.get(field, ""))
        except ValueError as exc:
            raise bad(field, str(exc)) from None
    if flags["retired"] and flags["still_out"]:
        raise bad("still_out", "a crew cannot be both retired and still out on a stage")
    if (flags["retired"] or flags["still_out"]) and times["time"] is not None:
        what = "retired" if flags["retired"] else "still out"
        raise bad("time", f"a crew {what} on the stage has no time there; leave it empty")
    if not (flags["retired"] or flags["still_out"]) and times["time"] is None:
        raise bad("time", "empty: give the special time, or retired = yes / still_out = yes")
    return StageResult(
        line=line,
        crew_index=crews[row["crew"]],
        stage_index=stages[row["stage"]],
        time_s=times["time"],
        penalty_s=times["penalty"] or 0.0,
        retired=flags["retired"],
        still_out=flags["still_out"],
    )


def read_results(
    path: Path | str,
    crews: list[str],
    stages: list[str],
    rallies: tuple[str, ...] | None = None,
) -> RealResults:
    """Read and check ``path`` against the campaign's crews and stages (full names
    ``RALLY/stage`` in campaign order); see the module docstring for the format. With a
    ``rally`` column, the rows of the stages' rally; every row must name one of
    ``rallies`` (None: that rally alone)."""
    path = Path(path)
    rally = stages[0].split("/", 1)[0]
    header, body = _read_rows(path, rally, rallies or (rally,))
    crew_look = {c: i for i, c in enumerate(crews)}
    stage_look = _stage_lookup(stages)
    seen: dict[tuple[int, int], int] = {}
    results: list[StageResult] = []
    for line, fields in body:
        r = _parse_row(path, line, dict(zip(header, fields, strict=True)), crew_look, stage_look)
        key = (r.crew_index, r.stage_index)
        if key in seen:
            raise ConfigError(
                f"{path}:{line}: field 'stage' = {fields[header.index('stage')]!r}: crew "
                f"{crews[r.crew_index]!r} already has a row for this stage (line {seen[key]})"
            )
        seen[key] = line
        results.append(r)
    given = sorted({r.stage_index for r in results})
    n = given[-1] + 1
    for s in range(n):
        if s not in given:
            later = min((r for r in results if r.stage_index > s), key=lambda r: r.line)
            raise ConfigError(
                f"{path}:{later.line}: field 'stage' = {stages[later.stage_index]!r}: given, "
                f"but the earlier stage {stages[s]!r} is not (give the stages in order from "
                "the first)"
            )
    return _assemble(path, results, crews, stages, n)


def _assemble(
    path: Path, results: list[StageResult], crews: list[str], stages: list[str], n: int
) -> RealResults:
    """Per-crew tables; checks retirements, partial days and missing rows."""
    by_key = {(r.crew_index, r.stage_index): r for r in results}
    time_s: list[list[float | None]] = []
    penalty_s: list[list[float]] = []
    retired_at: list[int | None] = []
    still_out: list[bool] = []
    for c, crew in enumerate(crews):
        t_row: list[float | None] = []
        p_row: list[float] = []
        out_at: int | None = None
        out_now = False
        for s in range(n):
            r = by_key.get((c, s))
            if out_at is not None:
                if r is not None:
                    raise ConfigError(
                        f"{path}:{r.line}: field 'crew' = {crew!r}: retired on "
                        f"{stages[out_at]!r}, so no row on a later stage"
                    )
                t_row.append(None)
                p_row.append(0.0)
                continue
            if r is None:
                anyone = next(x for x in results if x.stage_index == s)
                raise ConfigError(
                    f"{path}:{anyone.line}: field 'stage' = {stages[s]!r}: given for "
                    f"{crews[anyone.crew_index]!r} but no row for crew {crew!r} (give its time, "
                    "retired = yes, or still_out = yes on the last stage given)"
                )
            if r.still_out and s != n - 1:
                raise ConfigError(
                    f"{path}:{r.line}: field 'still_out' = 'yes': only a crew on the last stage "
                    f"given ({stages[n - 1]!r}) can be still out"
                )
            out_now = r.still_out
            if r.retired:
                out_at = s
            t_row.append(None if r.time_s is None else r.time_s + r.penalty_s)
            p_row.append(r.penalty_s)
        time_s.append(t_row)
        penalty_s.append(p_row)
        retired_at.append(out_at)
        still_out.append(out_now)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return RealResults(str(path), digest, n, time_s, penalty_s, retired_at, still_out)


def condition(res: RealResults, table: BaseTable, spec: CampaignSpec) -> Given:
    """The campaign's :class:`Given`: the real stages fixed, and each crew's pace learned
    from its times on them against the base table's QSS times
    (:mod:`raidsim.campaign.learn`; no update when the spec has no ``learning``)."""
    n_c, n = len(table.crews), res.n_stages
    fixed = [[not (res.still_out[c] and s == n - 1) for s in range(n)] for c in range(n_c)]
    time_s = [[math.nan if t is None else float(t) for t in row] for row in res.time_s]
    retire_on = [[res.retired_at[c] == s for s in range(n)] for c in range(n_c)]
    pace: list[list[float]] | None = None
    if spec.learning is not None:
        pace = [learn_posterior(res, table, spec, c).to_row() for c in range(n_c)]
    return Given(n, fixed, time_s, [list(r) for r in res.penalty_s], retire_on, pace)


def learn_posterior(
    res: RealResults, table: BaseTable, spec: CampaignSpec, crew_index: int
) -> PacePosterior:
    """Crew ``crew_index``'s pace posterior from its real special times (penalties
    removed) against the QSS times of the same stages."""
    assert spec.learning is not None
    lrn, crew = spec.learning, spec.crews[crew_index]
    p0 = prior(
        crew.pace_factor, crew.variability_sigma, lrn.pace_prior_sigma, lrn.spread_prior_stages
    )
    ratios = [
        math.log((t - res.penalty_s[crew_index][s]) / table.base_time_s[crew_index][s])
        for s, t in enumerate(res.time_s[crew_index])
        if t is not None and t - res.penalty_s[crew_index][s] > 0.0
    ]
    return update(p0, ratios, lrn.outlier_sd)


def replicate_csv(
    rows: dict[str, np.ndarray], replicate: int, n_stages: int, crews: list[str], stages: list[str]
) -> str:
    """Replicate ``replicate`` of a campaign's (R, C, S) arrays (:func:`simulate_arrays`,
    or a chunk's columns reshaped) as an organiser's results file of its first
    ``n_stages`` stages: what a synthetic "real rally" looks like (tests, examples)."""
    lines = ["crew,stage,time,penalty,retired"]
    out = np.zeros(len(crews), dtype=bool)
    for s in range(n_stages):
        for c, crew in enumerate(crews):
            if out[c]:
                continue
            name = stages[s].split("/", 1)[-1]
            if rows["retired"][replicate, c, s]:
                lines.append(f"{crew},{name},,,yes")
                out[c] = True
                continue
            pen = float(rows["penalty_s"][replicate, c, s])
            t = float(rows["stage_time_s"][replicate, c, s]) - pen
            lines.append(f"{crew},{name},{format_hms(t)},{format_hms(pen)},no")
    return "\n".join(lines) + "\n"


def format_hms(seconds: float) -> str:
    """``h:mm:ss.s`` (tenths, as organisers give them)."""
    tenths = int(round(seconds * 10.0))
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    return f"{h}:{m:02d}:{rest // 10:02d}.{rest % 10}"
