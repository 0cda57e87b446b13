"""The one stale-cache protocol: where raidsim's disk caches live and the code digest
that keys them.

Every cache raidsim keeps between processes (built stages, speed tables, campaign QSS
entries; the Numba cache has its own marker, :mod:`raidsim.jitcache`, on the same digest)
follows the same three rules:

1. **Folder**: :func:`cache_dir` ``(kind)`` = ``$RAIDSIM_CACHE_DIR/<kind>`` when that is
   set, else ``$XDG_CACHE_HOME/raidsim/<kind>`` (``~/.cache/raidsim/<kind>``).
2. **Key** = sha256 over (the inputs' canonical bytes, :func:`source_digest` of the code
   the entry was computed by). The sources are named relative to the package root as
   folders (searched recursively), files or glob patterns; a source listed that does not
   exist raises (a renamed module must not silently drop out of the key). Dependency
   versions that change results (numpy's seeded streams) go in ``extra``.
3. **Entries** are written atomically (:mod:`raidsim.atomic`); an unreadable, partial or
   foreign entry is a miss and is recomputed; a read-only or full disk only costs the
   cache, never the run.

A new cache (a plan cache, ...) picks a ``kind``, lists its sources and calls these two
functions; docs/design.md ("Caches") says the same. Stdlib only.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

#: environment variable naming the root of every raidsim cache
CACHE_ENV = "RAIDSIM_CACHE_DIR"
#: the package root (``src/raidsim``) the sources are named relative to
PACKAGE_ROOT = Path(__file__).resolve().parent
#: the file kinds a source folder contributes (code and the data shipped beside it)
SOURCE_SUFFIXES = frozenset({".py", ".toml", ".gpx"})


def cache_dir(kind: str) -> Path:
    """The folder of one cache (``"stages"``, ``"speed-tables"``, ``"campaign"``)."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / kind
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "raidsim" / kind


def source_files(root: Path, sources: Iterable[str]) -> list[tuple[str, Path]]:
    """(path relative to ``root``, path) of every file the ``sources`` name, sorted:
    folders recursively (files of :data:`SOURCE_SUFFIXES`, ``__pycache__`` left out),
    files and glob patterns as they match. Raises FileNotFoundError for a source that
    names nothing."""
    files: set[Path] = set()
    for src in sources:
        path = root / src
        if path.is_dir():
            files.update(
                p
                for p in path.rglob("*")
                if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts and p.is_file()
            )
            continue
        matched = [p for p in root.glob(src) if p.is_file()]
        if not matched:
            raise FileNotFoundError(f"cache-key source {path} does not exist")
        files.update(matched)
    return sorted((p.relative_to(root).as_posix(), p) for p in files)


def digest_files(
    files: Iterable[tuple[str, bytes]], extra: Iterable[str] = (), prefix: bytes = b""
) -> str:
    """sha256 (hex) over ``prefix``, then each (name, bytes) as ``name NUL bytes NUL`` in
    the order given, then each ``extra`` string NUL-terminated."""
    h = hashlib.sha256(prefix)
    for name, payload in files:
        h.update(os.fsencode(name) + b"\0" + payload + b"\0")
    for item in extra:
        h.update(item.encode() + b"\0")
    return h.hexdigest()


def compute_source_digest(
    sources: tuple[str, ...], extra: tuple[str, ...] = (), root: Path = PACKAGE_ROOT
) -> str:
    """The code digest of a cache: :func:`digest_files` over the relative path and bytes
    of every file :func:`source_files` finds, and ``extra`` (read now; see
    :func:`source_digest` for the memoised form)."""
    files = ((rel, path.read_bytes()) for rel, path in source_files(root, sources))
    return digest_files(files, extra)


#: :func:`compute_source_digest` memoised per arguments: the tree is read once per process
#: (the imported code cannot change under it anyway)
source_digest = functools.cache(compute_source_digest)
