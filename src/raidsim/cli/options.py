"""Options shared by the commands, defined once, and the one load/validate path.

Commands declare ``vehicle: Vehicle = DEFAULT_VEHICLE``, ``ambient_C: StageAmbientC =
None`` ... and build their inputs with :func:`load_car`, :func:`resolve_stages` and
:func:`with_weather_flags` (the weather flags over each stage's own conditions: the one
rule of :mod:`raidsim.model.ambient`). Nothing here catches errors: a bad
value raises :class:`~raidsim.errors.ConfigError` (or ``RouteError``) naming the flag, the
value and the allowed range, and :func:`raidsim.cli.errors.handle_errors` turns it into one
line and exit code 2.

Output locations are checked here too, before any work: :func:`check_out_file` for a
``--out FILE`` and :class:`StagedDir` for a ``--out DIR`` that a command fills (``run``,
``correlate``). A StagedDir is written in a hidden temporary directory beside ``DIR`` and
moved into place only when the command succeeds, so a failed command leaves nothing
behind, and a directory that already holds files is refused (exit 2) unless
``--overwrite`` is given, in which case it is replaced as a whole: old and new files never
mix.
"""

from __future__ import annotations

import math
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

import raidsim.atomic as atomic
from raidsim.cli.errors import at_end, on_failure, writes_to
from raidsim.errors import ConfigError
from raidsim.model.ambient import Ambient
from raidsim.model.setup import field_bounds as field_bounds  # the one reader of a range

if TYPE_CHECKING:
    from raidsim.model.vehicle import Vehicle as VehicleSpec
    from raidsim.route.stage import Stage

DEFAULT_VEHICLE = "d7x-r"
DEFAULT_STAGE = "default"


#: Ambient field -> (flag, unit, default) of the three weather flags
AMBIENT_FLAGS: dict[str, tuple[str, str, float]] = {
    "temp_C": ("--ambient-C", "°C", 35.0),
    "altitude_m": ("--altitude-m", "m", 0.0),
    "headwind_mps": ("--headwind-mps", "m/s", 0.0),
}
DEFAULT_HEADWIND_MPS = AMBIENT_FLAGS["headwind_mps"][2]


def _range_help(field: str) -> str:
    low, high = field_bounds(Ambient, field)
    return f"{low:g} to {high:g} {AMBIENT_FLAGS[field][1]}"


# --------------------------------------------------------------------- shared options
StageArg = Annotated[str, typer.Argument(help="stage name, stage TOML or route file")]
TargetArg = Annotated[str, typer.Argument(help="rally name, stage name, stage TOML or route file")]
Vehicle = Annotated[str, typer.Option("--vehicle", help="vehicle preset or TOML path")]
Setup = Annotated[
    list[str] | None, typer.Option("--setup", help="setup change key=value (repeat the option)")
]
StageAmbientC = Annotated[
    float | None,
    typer.Option(
        "--ambient-C",
        help=f"ambient temperature ({_range_help('temp_C')}); default: the stage's "
        f"catalogue temperature (its rally.toml), else {AMBIENT_FLAGS['temp_C'][2]:g} °C",
        show_default=False,
    ),
]
StageAltitudeM = Annotated[
    float | None,
    typer.Option(
        "--altitude-m",
        help=f"altitude for the ISA air pressure ({_range_help('altitude_m')}); default: "
        "the stage's catalogue altitude (its rally.toml), else sea level",
        show_default=False,
    ),
]
HeadwindMps = Annotated[
    float,
    typer.Option(
        "--headwind-mps",
        help=f"headwind along the route, negative for a tailwind ({_range_help('headwind_mps')})",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet/--no-quiet", help="no progress bar")]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="replace an --out directory that already holds files (as a whole: the old "
        "files are removed when the new ones are complete); without it such a directory "
        "is refused",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="existing Dask scheduler, tcp://host:port, or tls://host:port with the TLS "
        "flags (whoever reaches a scheduler runs code on its workers: README, Security)",
    ),
]
TlsCaFile = Annotated[
    Path | None,
    typer.Option(
        "--tls-ca-file",
        help="with --scheduler tls://: the CA certificate (PEM) that signed the cluster's "
        "certificates (default: the CA file of the Dask configuration's TLS settings)",
        show_default=False,
    ),
]
TlsCert = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert",
        help="with --scheduler tls://: this client's certificate (PEM), signed by that CA "
        "(default: the client certificate of the Dask configuration's TLS settings)",
        show_default=False,
    ),
]
TlsKey = Annotated[
    Path | None,
    typer.Option(
        "--tls-key",
        help="with --scheduler tls://: the private key of --tls-cert (PEM, not encrypted; "
        "default: the client key of the Dask configuration's TLS settings, or the key in "
        "the certificate file)",
        show_default=False,
    ),
]


def seed_option(help: str) -> Any:
    """``--seed N``; what it seeds differs (terrain, sampler, campaign)."""
    return typer.Option("--seed", help=help)


def out_option(help: str, *short: str) -> Any:
    """``--out PATH``; a directory or a file depending on the command."""
    return typer.Option("--out", *short, help=help)


def json_option(help: str = "print JSON") -> Any:
    return typer.Option("--json", help=help)


# --------------------------------------------------------------------- load / validate
def parse_setup(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs from the command line; values parsed as numbers when they can."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--setup expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        value: Any
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
        out[key.strip()] = value
    return out


def load_car(vehicle: str, setup: list[str] | None = None) -> VehicleSpec:
    """The vehicle preset or TOML ``vehicle`` with the ``--setup key=value`` changes."""
    import raidsim.api as rs

    car = rs.load_vehicle(vehicle)
    if setup:
        try:
            car = car.with_changes(**parse_setup(setup))
        except ConfigError as exc:  # name the flag the bad value came from
            raise ConfigError(f"--setup: {exc}") from None
    return car


def check_flag(flag: str, value: float, low: float, high: float, unit: str = "") -> float:
    """``value`` if finite and within [low, high], else a ConfigError naming the flag."""
    if not (math.isfinite(value) and low <= value <= high):
        units = f" {unit}" if unit else ""
        raise ConfigError(
            f"{flag}: value {value:g} is not allowed (must be between {low:g} and {high:g}{units})"
        )
    return value


#: the largest seed every seeded generator takes (optuna's sampler: a 32-bit seed)
MAX_SEED = 2**32 - 1


def check_seed(value: int | None, flag: str = "--seed") -> int | None:
    """``value`` (None passes) if 0 <= value <= :data:`MAX_SEED`, else a ConfigError."""
    if value is not None and not 0 <= value <= MAX_SEED:
        raise ConfigError(f"{flag}={value}: must lie between 0 and {MAX_SEED}")
    return value


def check_ambient_field(field: str, value: float) -> float:
    flag, unit, _ = AMBIENT_FLAGS[field]
    low, high = field_bounds(Ambient, field)
    return check_flag(flag, value, low, high, unit)


# --------------------------------------------------------------------- stage conditions
#: Ambient field -> the flag that sets it (a value's source in a summary)
FLAG_SOURCES: dict[str, str] = {key: flag for key, (flag, _, _) in AMBIENT_FLAGS.items()}


def weather_flags(
    ambient_C: float | None,
    altitude_m: float | None,
    headwind_mps: float = DEFAULT_HEADWIND_MPS,
) -> dict[str, float | None]:
    """The weather flags given (None: not given; a headwind left at 0 is not given), each
    checked against its range (ConfigError naming the flag), as Ambient fields."""
    given = {
        "temp_C": ambient_C,
        "altitude_m": altitude_m,
        "headwind_mps": None if headwind_mps == DEFAULT_HEADWIND_MPS else headwind_mps,
    }
    for key, value in given.items():
        if value is not None:
            check_ambient_field(key, value)
    return given


def with_weather_flags(
    stage: Stage,
    ambient_C: float | None,
    altitude_m: float | None,
    headwind_mps: float = DEFAULT_HEADWIND_MPS,
) -> Stage:
    """``stage`` with the weather flags given over its own conditions (a shipped rally
    stage: its rally.toml temperature and altitude; else 35 °C at sea level): the one rule
    of :mod:`raidsim.model.ambient`, with the flags' names as the sources."""
    return stage.with_conditions(FLAG_SOURCES, **weather_flags(ambient_C, altitude_m, headwind_mps))


@dataclass(frozen=True)
class StageTarget:
    """One stage a command runs: its row label and the built stage (which carries its
    conditions: ``stage.conditions``)."""

    label: str
    stage: Stage


def resolve_targets(target: str) -> tuple[str, list[StageTarget]]:
    """(title, stages): every stage of a rally (or season) from ``raidsim.route.catalogue``
    when ``target`` names one, else a single stage (shipped name, stage TOML or route
    file). A shipped rally stage carries its ``rally.toml`` conditions."""
    import raidsim.api as rs
    from raidsim.route.catalogue import load_rally, rally_names

    if target in rally_names():
        rally = load_rally(target)
        return rally.name, [StageTarget(day.label, rs.load_stage(day.name)) for day in rally.stages]
    stage = rs.load_stage(target)
    return stage.name, [StageTarget(stage.name, stage)]


def resolve_stages(target: str) -> tuple[str, list[tuple[str, Stage]]]:
    """(title, [(row label, stage)]): every stage of a rally from
    ``raidsim.route.catalogue`` when ``target`` names one, else a single stage (shipped
    name, stage TOML or route file)."""
    title, targets = resolve_targets(target)
    return title, [(t.label, t.stage) for t in targets]


# --------------------------------------------------------------------- output locations
def check_out_file(flag: str, path: Path, *, allow_dir: bool = False) -> Path:
    """``path`` if a file can be written there: not a directory (unless ``allow_dir``) or a
    device (``/dev/null``: a file moved into place would replace it), no file where a
    parent directory must be; else a ConfigError naming ``flag``."""
    writes_to(f"{flag} {path}")
    atomic.clean_stale(path)  # what a killed command left in that directory
    if path.exists() or path.is_symlink():
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"{flag} {path}: cannot use this path ({exc.strerror})") from None
        if stat.S_ISDIR(mode):
            if allow_dir:
                return path
            raise ConfigError(f"{flag} {path}: is a directory; give a file name")
        if not stat.S_ISREG(mode):
            raise ConfigError(
                f"{flag} {path}: exists and is not a regular file (a device or pipe); "
                "give a file name"
            )
    _check_parents(flag, path, path.parents)
    if path.parent.is_dir() and not path.is_dir():
        try:  # a file that cannot be written there fails now, not after the work
            atomic.probe(path)
        except OSError as exc:
            raise ConfigError(
                f"{flag} {path}: cannot write there ({exc.strerror}); give a path you can write to"
            ) from None
    return path


def _check_parents(flag: str, path: Path, parents: Any) -> None:
    """No file (or device) where one of ``parents`` (nearest first) must be a directory."""
    for parent in parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"{flag} {path}: {parent} is a file, not a directory; give another path"
                )
            return


def _holds_files(path: Path) -> bool:
    try:
        with os.scandir(path) as it:
            return any(True for _ in it)
    except OSError:
        return True


def lock_out(flag: str, out: Path) -> None:
    """Hold ``out`` for the running command: a second command writing there fails at once
    (ConfigError naming ``flag``), and what a killed command left beside it is removed."""
    writes_to(f"{flag} {out}")
    lock = atomic.OutLock(out, f"{flag} {out}")
    at_end(lock.release)
    atomic.clean_stale(out)


class StagedDir:
    """A ``--out DIR`` filled in a hidden temporary directory (:attr:`path`) beside ``DIR``
    and moved into place by :meth:`commit`; if the command fails first (see
    :func:`raidsim.cli.errors.on_failure`), or the ``with`` block raises, it is removed.

    Checked on construction, before any work (ConfigError naming ``flag``): ``DIR`` must
    not be a file or a device, a file must not stand where a parent directory goes, and a
    directory that holds files is refused unless ``overwrite`` (and even then if it is the
    working directory or one above it). ``marker`` names a file that shows a directory
    holds this command's output: with ``overwrite``, a directory without it is refused
    too, so ``--overwrite`` never replaces a directory raidsim did not write.
    """

    def __init__(self, flag: str, out: Path, *, overwrite: bool, markers: tuple[str, ...]) -> None:
        self.flag, self.out = flag, out
        writes_to(f"{flag} {out}")
        if out.exists() and not out.is_dir():
            raise ConfigError(
                f"{flag} {out}: exists and is not a directory; give a new or existing directory"
            )
        _check_parents(flag, out, out.parents)
        self.replace = out.is_dir() and _holds_files(out)
        if self.replace:
            if not overwrite:
                raise ConfigError(
                    f"{flag} {out}: the directory already holds files; pass --overwrite to "
                    "replace it, or give a new directory"
                )
            if not any((out / m).is_file() for m in markers):
                raise ConfigError(
                    f"{flag} {out}: holds files that raidsim did not write (no "
                    f"{' or '.join(markers)}); --overwrite replaces only a directory raidsim "
                    "wrote; give a new directory"
                )
            here = Path.cwd().resolve()
            if out.resolve() == here or out.resolve() in here.parents:
                raise ConfigError(
                    f"{flag} {out}: is the working directory or above it; give another directory"
                )
        parent = out.parent
        self._made: list[Path] = []  # parents created here, removed again on discard
        for p in (*reversed(parent.parents), parent):
            if not p.exists():
                try:
                    p.mkdir()
                except OSError as exc:
                    self._remove_made()
                    raise ConfigError(
                        f"{flag} {out}: cannot create {p} ({exc.strerror}); give a path "
                        "you can write to"
                    ) from None
                self._made.append(p)
        try:
            # one writer per DIR (a second fails here, before any work); what a killed
            # run left beside DIR is removed
            self.lock = atomic.OutLock(out, f"{flag} {out}")
        except ConfigError:
            self._remove_made()
            raise
        at_end(self.lock.release)
        atomic.clean_stale(out)
        try:
            self.path = atomic.make_temp_dir(out)
        except OSError as exc:
            self.lock.release()
            self._remove_made()
            raise ConfigError(
                f"{flag} {out}: cannot write in {parent} ({exc.strerror}); give a path you "
                "can write to"
            ) from None
        self.done = False
        on_failure(self.discard)  # a failing command leaves nothing behind

    def _remove_made(self) -> None:
        for p in reversed(self._made):
            try:
                p.rmdir()
            except OSError:
                break
        self._made = []

    def commit(self) -> Path:
        """Move the finished directory to ``DIR`` (replacing the old one); returns ``DIR``."""
        if self.done:
            return self.out
        old: Path | None = None
        if self.replace and self.out.is_dir():
            old = atomic.make_temp_dir(self.out)
            atomic.replace(self.out, old / "d")
        # an empty DIR (or none) is replaced by the one rename: readers see all or nothing
        try:
            atomic.replace(self.path, self.out)
        except OSError:
            if old is not None:  # put the old directory back
                atomic.replace(old / "d", self.out)
                old.rmdir()
            raise
        self.done = True
        self.lock.release()
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def discard(self) -> None:
        """Remove the temporary directory (and the parents created for it)."""
        if not self.done:
            shutil.rmtree(self.path, ignore_errors=True)
            self.lock.release()
            self._remove_made()
            self.done = True

    def __enter__(self) -> Path:
        return self.path

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


# --------------------------------------------------------------------- tables and units
#: The one unit vocabulary of the CLI's tables and summaries: a name's suffix -> its unit
#: as printed (SI spellings with a space for products: ``N m``; ``1`` for a dimensionless
#: ratio or count). Longest suffixes first.
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_N_per_m", "N/m"),
    ("_W_per_kg", "W/kg"),
    ("_Nm", "N m"),
    ("_radps", "rad/s"),
    ("_rpm", "rpm"),
    ("_kmh", "km/h"),
    ("_mps", "m/s"),
    ("_bar", "bar"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_mm", "mm"),
    ("_ms", "ms"),
    ("_m", "m"),
    ("_s", "s"),
    ("_L", "L"),
    ("_C", "°C"),
    ("_pct", "%"),
)
DIMENSIONLESS = "1"


def unit_of(name: str) -> str:
    """The unit of a quantity named ``name`` (``centre_lock_torque_Nm`` -> ``N m``,
    ``final_drive`` -> ``1``) in the CLI's one vocabulary (:data:`UNIT_SUFFIXES`)."""
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return DIMENSIONLESS


def cli_table(title: str, *, show_header: bool = True) -> Any:
    """A rich table that stays readable in 80 columns: no side borders or outer padding (a
    rule under the header), the title printed literally. Add text columns with
    ``overflow="fold"`` (long names wrap, never ``…``) and keep numbers single words."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    return Table(
        title=Text(title),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_header=show_header,
        show_edge=False,
    )


def count_progress(unit: str, quiet: bool) -> Any:
    """A progress bar that counts ``unit`` (runs, chunks) with the elapsed time, off with
    ``--quiet``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from raidsim.cli.errors import console

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
