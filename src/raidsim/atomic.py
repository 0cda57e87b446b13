"""Atomic writes, the one place raidsim renames a file or directory into place.

Every file raidsim writes is first written under a temporary name in the target's own
directory and then renamed over the target (``os.replace``: on POSIX readers see the old
file or the whole new one, never a part). Every temporary name has one shape::

    .<target name>.<host>-<pid>-<random>.raidsim-tmp

so that what a killed process (``kill -9``, power loss) left behind can be recognised and
removed by the next write to the same target (:func:`clean_stale`): only entries of this
host whose process is gone are removed, never another running writer's.

:class:`OutLock` keeps two processes from writing one output at the same time: an
advisory ``flock`` on ``.<target name>.raidsim-lock`` beside the target, held for the
whole command and released by the kernel when the process dies (so a killed run leaves no
lock behind). Where ``fcntl`` is missing (Windows) the lock is not taken.

Stdlib only: this module sits in the bottom layer so every layer may use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from raidsim.errors import ConfigError

__all__ = [
    "LOCK_SUFFIX",
    "TMP_SUFFIX",
    "OutLock",
    "clean_stale",
    "make_temp_dir",
    "open_atomic",
    "probe",
    "replace",
    "target_of",
    "visible",
    "temp_path",
    "write_bytes",
    "write_text",
    "writing",
]

#: the suffix of every temporary file or directory raidsim writes
TMP_SUFFIX = ".raidsim-tmp"
#: the suffix of the lock file beside an output (:class:`OutLock`)
LOCK_SUFFIX = ".raidsim-lock"
_TOKEN = re.compile(r"^(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)-[0-9a-f]{8}$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:40] or "host"


def temp_path(target: str | os.PathLike[str]) -> Path:
    """A fresh temporary name beside ``target`` (see the module docstring for its shape)."""
    t = Path(target)
    return t.with_name(f".{t.name}.{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def target_of(path: str | os.PathLike[str]) -> Path | None:
    """The target a temporary name (:func:`temp_path`) stands for; None for other names."""
    p = Path(path)
    name = p.name
    if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
        return None
    stem, _, token = name[1 : -len(TMP_SUFFIX)].rpartition(".")
    return p.with_name(stem) if stem and _TOKEN.match(token) else None


def visible(path: str | os.PathLike[str]) -> Path:
    """``path`` with every temporary component named as the file or directory it becomes
    (``runs/.s6.host-1-ab12cd34.raidsim-tmp/telemetry.parquet`` ->
    ``runs/s6/telemetry.parquet``): what a message shows the user."""
    parts = Path(path).parts
    out = Path(parts[0]) if parts else Path()
    for part in parts[1:]:
        target = target_of(part)
        out = out / (target.name if target is not None else part)
    return out


def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    """Rename ``src`` over ``dst`` in one step (``os.replace``; same file system)."""
    os.replace(src, dst)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) is a Ctrl-C there, not a probe: keep everything
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours (EPERM), or cannot tell: keep its files
        return True
    return True


def clean_stale(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files and directories in ``target``'s directory that a process
    of this host left when it was killed (its pid no longer runs), whatever output they
    were for (``runs/<timestamp>`` differs run to run); returns what was removed. Another
    running writer's temporaries, other hosts' and foreign files are kept."""
    t = Path(target)
    host = _host()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(t.parent if str(t.parent) else "."))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if name.startswith(".") and name.endswith(LOCK_SUFFIX):
            if _remove_unheld_lock(t.parent / name):
                removed.append(t.parent / name)
            continue
        if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
            continue
        m = _TOKEN.match(name[: -len(TMP_SUFFIX)].rpartition(".")[2])
        if m is None or m["host"] != host or _alive(int(m["pid"])):
            continue
        path = t.parent / name
        _remove(path)
        removed.append(path)
    return removed


def _named(exc: OSError, target: Path, tmp: Path) -> OSError:
    """``exc`` naming ``target`` where it names the temporary file or nothing (a full
    disk), so that a message shows the path the user gave, never a hidden temporary."""
    if exc.errno is None or exc.filename not in (None, str(tmp), tmp, os.fsencode(tmp)):
        return exc
    reason = exc.strerror or ""
    if not reason or tmp.name in reason:  # pyarrow's text names the temporary
        reason = os.strerror(exc.errno)
    return OSError(exc.errno, reason, str(target))


def _remove_unheld_lock(path: Path) -> bool:
    """Remove a lock file no process holds (its holder was killed); True if removed. Taken
    first, so a live holder's is never removed, and a process that opened it meanwhile
    sees another inode and retries (:class:`OutLock`)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no locks taken
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    try:
        path.unlink()
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


@contextlib.contextmanager
def writing(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path for a writer that takes a path (``pq.write_table``, plotly): it is
    renamed over ``target`` when the block completes, removed if it raises. A file-system
    error names ``target``, not the temporary."""
    t = Path(target)
    tmp = temp_path(t)
    try:
        yield tmp
        replace(tmp, t)
    except OSError as exc:
        _remove(tmp)
        raise _named(exc, t, tmp) from exc
    except BaseException:
        _remove(tmp)
        raise


@contextlib.contextmanager
def open_atomic(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file handle (read-write) whose contents replace ``target`` only when the
    block completes (flushed and fsync'ed first); removed on any error. Created with mode
    0666 minus the umask, like a plain ``open``. A file-system error names ``target``."""
    t = Path(target)
    tmp = temp_path(t)
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _named(exc, t, tmp) from exc
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        replace(tmp, t)
    except OSError as exc:
        _remove(tmp)
        raise _named(exc, t, tmp) from exc
    except BaseException:
        _remove(tmp)
        raise


def probe(target: str | os.PathLike[str]) -> None:
    """Raise the OSError (naming ``target``) that writing ``target`` would raise, by creating
    and removing a temporary beside it: a command checks its output before the work."""
    try:
        with open_atomic(target):
            raise _Probed
    except _Probed:
        pass


class _Probed(Exception):
    """Ends :func:`probe`'s block: the temporary is removed, the target left alone."""


def write_bytes(target: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``target``: readers see the old file or the whole new one."""
    with open_atomic(target) as fh:
        fh.write(payload)


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """:func:`write_bytes` of ``text`` as UTF-8."""
    write_bytes(target, text.encode("utf-8"))


def make_temp_dir(target: str | os.PathLike[str]) -> Path:
    """A new empty temporary directory beside ``target`` (mode 0777 minus the umask, as a
    plain ``mkdir``), to fill and then :func:`replace` over ``target``."""
    while True:
        path = temp_path(target)
        try:
            path.mkdir(mode=0o777)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _named(exc, Path(target).parent, path) from exc
        return path


class OutLock:
    """An exclusive advisory lock on writing ``target`` (a file or directory, existing or
    not): ``.<name>.raidsim-lock`` beside it, locked with ``flock``. A second process that
    asks for the same target gets a :class:`~raidsim.errors.ConfigError` at once naming
    ``label`` (``--out runs/s6``). No lock is taken where the parent directory is
    missing or read-only (the write that follows reports it). Release with
    :meth:`release` (or the ``with`` block); the kernel releases it too when the process
    ends, however it ends."""

    def __init__(self, target: str | os.PathLike[str], label: str) -> None:
        t = Path(target)
        self.path = t.with_name(f".{t.name}{LOCK_SUFFIX}")
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM, errno.ENOENT):
                    return  # a read-only or missing parent: the write itself says so
                raise ConfigError(
                    f"{label}: cannot lock {self.path} ({exc.strerror}); give a path you can "
                    "write to"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (pid {holder})" if holder else ""
                raise ConfigError(
                    f"{label}: another raidsim process{who} is writing there now; wait for "
                    "it to finish or give another path"
                ) from None
            # the holder before us may have removed the file after we opened it: retry
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same and stat.S_ISREG(os.fstat(fd).st_mode):
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Remove the lock file and unlock (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None
