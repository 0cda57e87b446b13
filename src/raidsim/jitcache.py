"""Numba's on-disk cache, kept in step with raidsim's sources (run by ``import raidsim``).

Numba's cache (``@njit(cache=True)``) stamps each cached function with the content of
*its own* source file only. A function compiled with a callee from another file keeps
the callee's old machine code after that file changes (a ``git pull``, a merge, an
upgrade): the cache loads, nothing fails, the numbers are wrong. This module removes
raidsim's cached ``.nbi`` (index) and ``.nbc`` (data) files when anything they could
have been compiled from changed: the ``.py`` files of the package that jitted code can
reach (all but the CLI and the tools above ``sim``, :data:`NOT_JITTED`) and the numba,
llvmlite and numpy versions (a :func:`source_digest`).

Where Numba puts them (``numba.core.caching``; the first locator that can write wins):

1. ``$NUMBA_CACHE_DIR/<dir name>_<sha1 of the dir's absolute path>/`` when that is set;
2. ``<dir>/__pycache__/`` beside each source file (in-tree, an editable install);
3. the user cache, ``~/.cache/numba/`` (``$XDG_CACHE_HOME/numba/``; macOS
   ``~/Library/Caches/numba``, Windows ``%LOCALAPPDATA%\\numba\\Cache``), with the same
   sub-folders as 1 (a read-only install, e.g. site-packages owned by root).

Each of these that holds raidsim's caches (or is the one Numba will write) gets a marker,
``raidsim-sources.digest``, in the package root's cache folder: the digest the caches
there were compiled from, and a key over the sources' ``stat`` (size, mtime, ctime,
inode) so that an unchanged tree costs ~150 ``stat`` calls, not reading the sources.
When the key differs the digest is computed; when it differs too, the location's
``.nbi``/``.nbc`` files are removed and the marker is rewritten (atomically). A ``touch``
or a fresh checkout of the same sources changes the key but not the digest: nothing is
removed.

Safe under concurrency: Numba treats a missing index as an empty cache and a data file
that vanished after its index was read as a miss (it compiles again), and this module
never touches Numba's temporary files (``*.tmp.*``) that another process is writing. A
location it cannot read or write is skipped silently (Numba does not use it either).
Stdlib only and numba is not imported here: ``import raidsim`` stays cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import itertools
import os
import sys
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from raidsim.cachekey import digest_files

__all__ = [
    "CACHE_SUFFIXES",
    "DEP_VERSION_FILES",
    "MARKER_NAME",
    "NOT_JITTED",
    "Location",
    "Tree",
    "locations",
    "numba_subdir",
    "refresh",
    "remove_cache_files",
    "scan",
    "source_digest",
    "stat_key",
    "user_cache_dir",
]

#: the marker file in the package root's cache folder of each cache location
MARKER_NAME = "raidsim-sources.digest"
#: Numba's cache files: the index of a function and its compiled data
CACHE_SUFFIXES = (".nbi", ".nbc")
#: the dependencies whose version is part of the digest, and the file that holds it (read
#: as bytes, not imported)
DEP_VERSION_FILES: dict[str, str] = {
    "llvmlite": "_version.py",
    "numba": "_version.py",
    "numpy": "version.py",
}
#: the top-level packages and modules of raidsim that no jitted function can reach: they
#: define none and sit in the layers above every package that does (``sim`` and below), and
#: imports only go down (tests/test_jitcache.py holds both against tests/test_layers.py).
#: Left out of the digest so that an edit of the CLI or a tool does not recompile the kernel.
NOT_JITTED: tuple[str, ...] = (
    "__init__.py",
    "api.py",
    "batch",
    "campaign",
    "cli",
    "correlate",
    "optimize",
    "regs",
    "report",
)
#: bump to invalidate every marker (a change of what the digest covers)
_FORMAT = b"raidsim-jitcache-1"


class Tree(NamedTuple):
    """The package's source files and the dependency version files."""

    root: str  # absolute, as Numba spells it (``os.path.abspath``, links not resolved)
    dirs: tuple[str, ...]  # every folder of the package (absolute), root first
    sources: tuple[tuple[str, str], ...]  # (path relative to root, absolute path), sorted
    deps: tuple[tuple[str, str | None], ...]  # (dependency, its version file or None)


def scan(
    root: str | os.PathLike[str],
    deps: Mapping[str, str] = DEP_VERSION_FILES,
    exclude: tuple[str, ...] = NOT_JITTED,
) -> Tree:
    """The ``.py`` files under ``root``: ``__pycache__``, hidden folders and the top-level
    entries named in ``exclude`` left out."""
    top = os.path.abspath(root)
    dirs: list[str] = []
    sources: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(top):
        skip = exclude if dirpath == top else ()
        dirnames[:] = sorted(
            d for d in dirnames if d != "__pycache__" and d[0] != "." and d not in skip
        )
        dirs.append(dirpath)
        rel_dir = os.path.relpath(dirpath, top).replace(os.sep, "/")
        for name in sorted(filenames):
            if name.endswith(".py") and name not in skip:
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                sources.append((rel, os.path.join(dirpath, name)))
    return Tree(top, tuple(dirs), tuple(sorted(sources)), tuple(_dep_files(deps)))


def _dep_files(deps: Mapping[str, str]) -> Iterator[tuple[str, str | None]]:
    for name, version_file in sorted(deps.items()):
        try:
            spec = importlib.util.find_spec(name)  # locates, does not import
        except (ImportError, ValueError):
            spec = None
        locations = spec.submodule_search_locations if spec is not None else None
        path = os.path.join(next(iter(locations)), version_file) if locations else None
        yield name, path


def stat_key(tree: Tree) -> str:
    """A key over the ``stat`` of every file of :func:`source_digest`: equal keys mean the
    files were not touched (an edit, a checkout or a reinstall changes ctime or inode)."""
    h = hashlib.sha256(_FORMAT)
    paths = [p for _, p in tree.sources] + [p or "-" for _, p in tree.deps]
    for path in paths:
        try:
            st = os.stat(path)
            stamp = f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
        except OSError:
            stamp = "missing"
        h.update(os.fsencode(path) + f"\0{stamp}\0".encode())
    return h.hexdigest()


def source_digest(tree: Tree) -> str:
    """SHA-256 over the relative path and bytes of every source and the dependencies'
    version files: what a cached kernel could have been compiled from (times left out).
    The digest of the one cache protocol (:func:`raidsim.cachekey.digest_files`)."""

    def payload(version_path: str | None) -> bytes:
        try:
            return _read(version_path) if version_path else b"-"
        except OSError:
            return b"-"

    sources = ((rel, _read(path)) for rel, path in tree.sources)
    deps = ((name, payload(version_path)) for name, version_path in tree.deps)
    return digest_files(itertools.chain(sources, deps), prefix=_FORMAT)


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


# ----------------------------------------------------------------------------- locations


class Location(NamedTuple):
    """One place Numba may keep raidsim's caches: a cache folder per package folder."""

    name: str  # "NUMBA_CACHE_DIR", "in-tree" or "user"
    dirs: tuple[str, ...]  # the cache folder of each package folder, the root's first


def numba_subdir(package_dir: str) -> str:
    """The sub-folder Numba's ``NUMBA_CACHE_DIR`` and user-wide locators give the sources
    of ``package_dir`` (``_CacheLocator.get_suitable_cache_subpath``)."""
    digest = hashlib.sha1(package_dir.encode()).hexdigest()  # noqa: S324 - Numba's naming
    return f"{os.path.basename(package_dir)}_{digest}"


def user_cache_dir(env: Mapping[str, str] = os.environ) -> str:
    """Numba's user-wide cache folder (``AppDirs("numba").user_cache_dir``)."""
    if sys.platform == "win32":
        return os.path.join(env.get("LOCALAPPDATA", os.path.expanduser("~")), "numba", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/numba")
    return os.path.join(env.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "numba")


def locations(tree: Tree, env: Mapping[str, str] = os.environ) -> list[Location]:
    """The locations in Numba's order of preference."""
    out: list[Location] = []
    numba_dir = env.get("NUMBA_CACHE_DIR", "")
    if numba_dir:
        out.append(Location("NUMBA_CACHE_DIR", _mirrored(numba_dir, tree)))
    out.append(Location("in-tree", tuple(os.path.join(d, "__pycache__") for d in tree.dirs)))
    out.append(Location("user", _mirrored(user_cache_dir(env), tree)))
    return out


def _mirrored(base: str, tree: Tree) -> tuple[str, ...]:
    return tuple(os.path.join(base, numba_subdir(d)) for d in tree.dirs)


def _writable(path: str) -> bool:
    """Whether ``path`` could be written (it or its nearest existing parent folder)."""
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


# ----------------------------------------------------------------------------- refresh


def _read_marker(path: str) -> tuple[str, str]:
    """(stat key, digest) of a marker; empty strings where it is missing or garbled."""
    try:
        text = _read(path).decode("ascii")
        fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    except (OSError, ValueError):
        return "", ""
    return fields.get("key", ""), fields.get("digest", "")


def _write_marker(path: str, key: str, digest: str) -> None:
    from raidsim.atomic import write_text  # only when a marker changes: keeps import cheap

    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_text(path, f"key {key}\ndigest {digest}\n")


def remove_cache_files(dirs: tuple[str, ...]) -> list[str]:
    """Remove the ``.nbi``/``.nbc`` files in ``dirs`` (Numba's temporaries are kept: a
    running process may be about to rename one into place); returns what went."""
    removed: list[str] = []
    for folder in dirs:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(CACHE_SUFFIXES):
                try:
                    os.unlink(entry.path)
                except OSError:  # gone already (another process), or read-only
                    continue
                removed.append(entry.path)
    return removed


def refresh(
    root: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] = os.environ,
    deps: Mapping[str, str] = DEP_VERSION_FILES,
    exclude: tuple[str, ...] = NOT_JITTED,
) -> list[str]:
    """Remove raidsim's Numba cache files compiled from other sources than the package's
    now (see the module docstring); returns the removed paths. Never raises on a file
    system error or an odd path: a location it cannot use is skipped."""
    if env.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return []
    top = root if root is not None else os.path.dirname(os.path.abspath(__file__))
    removed: list[str] = []
    # ValueError: a file name that is not text (Numba could not name its cache either)
    with contextlib.suppress(OSError, ValueError):
        _refresh(scan(top, deps, exclude), env, removed)
    return removed


def _refresh(tree: Tree, env: Mapping[str, str], removed: list[str]) -> None:
    """:func:`refresh` of a scanned tree, appending what it removes to ``removed``."""
    key = stat_key(tree)
    digest: str | None = None
    # Numba writes to the first location it can write to, and never reads one it cannot
    usable = [loc for loc in locations(tree, env) if _writable(loc.dirs[0])]
    for i, loc in enumerate(usable):
        if i > 0 and not any(os.path.isdir(d) for d in loc.dirs):
            continue  # not Numba's choice now, and nothing of raidsim's was cached there
        marker = os.path.join(loc.dirs[0], MARKER_NAME)
        old_key, old_digest = _read_marker(marker)
        if old_key == key:
            continue
        digest = digest or source_digest(tree)  # OSError: leave everything as it is
        if old_digest != digest:
            removed += remove_cache_files(loc.dirs)
        try:
            _write_marker(marker, key, digest)
        except OSError:
            continue
