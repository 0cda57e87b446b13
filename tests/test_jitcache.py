"""raidsim.jitcache: stale Numba cache files go when a source changes, fresh ones stay.

A tiny package in a temporary folder stands in for raidsim (``refresh(root=...)``); the
cache files are fakes except in :func:`test_numba_reuses_a_stale_callee_until_refresh`,
which compiles two one-line functions in child processes to show the bug and the fix.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from raidsim import jitcache

CALLER = textwrap.dedent(
    """
    from numba import njit
    from pkg.sub.callee import g

    @njit(cache=True)
    def f(x):
        return g(x) + 1.0
    """
)
CALLEE = "from numba import njit\n\n@njit(cache=True)\ndef g(x):\n    return 2.0 * x\n"


def make_package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "caller.py").write_text(CALLER)
    (root / "sub" / "__init__.py").write_text("")
    (root / "sub" / "callee.py").write_text(CALLEE)
    return root


def fake_cache(folder: Path) -> list[Path]:
    """An index and a data file of Numba's, a .pyc and a Numba temporary being written."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["f-5.py311.nbi", "f-5.py311.1.nbc", "caller.cpython-311.pyc", "f-5.py311.nbi.tmp.0a"]
    for name in names:
        (folder / name).write_bytes(b"x")
    return [folder / n for n in names]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No NUMBA_CACHE_DIR; the user-wide cache in the temporary folder."""
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "LOCALAPPDATA": str(tmp_path / "xdg")}


def names(paths: list[str] | list[Path]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def test_in_tree_stale_removed_fresh_kept(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    top = fake_cache(root / "__pycache__")
    sub = fake_cache(root / "sub" / "__pycache__")
    # no marker: the caches' sources are unknown, so the index and data files go
    removed = jitcache.refresh(root, env, deps={})
    assert names(removed) == ["f-5.py311.1.nbc"] * 2 + ["f-5.py311.nbi"] * 2
    assert [p.exists() for p in top + sub] == [False, False, True, True] * 2
    assert (root / "__pycache__" / jitcache.MARKER_NAME).is_file()
    assert not (tmp_path / "xdg").exists()  # the in-tree location is Numba's: user untouched
    # compiled again from these sources: kept, also after a touch (mtime only)
    sub = fake_cache(root / "sub" / "__pycache__")
    assert jitcache.refresh(root, env, deps={}) == []
    os.utime(root / "sub" / "callee.py", ns=(1, 10**18))
    assert jitcache.refresh(root, env, deps={}) == []
    assert all(p.exists() for p in sub)
    # the callee changes: the caller's cache in the other folder goes too
    (root / "sub" / "callee.py").write_text(CALLEE.replace("2.0", "3.0"))
    fake_cache(root / "__pycache__")
    assert len(jitcache.refresh(root, env, deps={})) == 4
    assert jitcache.refresh(root, env, deps={}) == []


def test_numba_cache_dir_mirrors_the_source_folders(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "nc")
    mirrored = tmp_path / "nc" / jitcache.numba_subdir(str(root / "sub"))
    assert mirrored.name.startswith("sub_") and len(mirrored.name) == 4 + 40
    files = fake_cache(mirrored)
    in_tree = fake_cache(root / "sub" / "__pycache__")  # left from before NUMBA_CACHE_DIR
    removed = jitcache.refresh(root, env, deps={})
    assert len(removed) == 4 and not files[0].exists() and not in_tree[0].exists()
    marker = tmp_path / "nc" / jitcache.numba_subdir(str(root)) / jitcache.MARKER_NAME
    assert marker.is_file() and (root / "__pycache__" / jitcache.MARKER_NAME).is_file()
    fake_cache(mirrored)
    assert jitcache.refresh(root, env, deps={}) == []


def test_read_only_location_is_skipped(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_package(tmp_path)
    files = fake_cache(root / "__pycache__")
    real_access = os.access  # the tests may run as root, whom chmod does not stop

    def access(path: str, mode: int) -> bool:
        return not str(path).startswith(str(root)) and real_access(path, mode)

    monkeypatch.setattr(os, "access", access)
    assert jitcache.refresh(root, env, deps={}) == []  # no error, nothing removed
    assert all(p.exists() for p in files)
    assert not (root / "__pycache__" / jitcache.MARKER_NAME).exists()
    # the user-wide location took over (as Numba's would): it got the marker
    user = Path(env["XDG_CACHE_HOME"]) / "numba" / jitcache.numba_subdir(str(root))
    assert (user / jitcache.MARKER_NAME).is_file()


def test_failing_removals_and_marker_writes_do_not_raise(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_package(tmp_path)
    files = fake_cache(root / "__pycache__")
    (root / "__pycache__" / jitcache.MARKER_NAME).mkdir()  # neither readable nor replaceable

    def unlink(path: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "unlink", unlink)
    assert jitcache.refresh(root, env, deps={}) == []
    assert all(p.exists() for p in files)
    monkeypatch.undo()  # removals work again, the marker still cannot be written
    for left in (root / "__pycache__").glob("*.raidsim-tmp"):  # the patch kept it too
        left.unlink()
    assert len(jitcache.refresh(root, env, deps={})) == 2
    assert [p.name for p in (root / "__pycache__").iterdir() if "raidsim-tmp" in p.name] == []


def test_a_garbled_marker_counts_as_unknown(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    jitcache.refresh(root, env, deps={})
    marker = root / "__pycache__" / jitcache.MARKER_NAME
    marker.write_bytes(b"\xff\xfe garbage")
    fake_cache(root / "__pycache__")
    assert len(jitcache.refresh(root, env, deps={})) == 2


def test_disabled_jit_does_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    fake_cache(root / "__pycache__")
    assert jitcache.refresh(root, {**env, "NUMBA_DISABLE_JIT": "1"}, deps={}) == []
    assert not (root / "__pycache__" / jitcache.MARKER_NAME).exists()


def test_digest_follows_content_not_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_package(tmp_path)
    dep = tmp_path / "site" / "fakedep"
    dep.mkdir(parents=True)
    (dep / "__init__.py").write_text("")
    (dep / "version.py").write_text('version = "1.0"\n')
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    deps = {"fakedep": "version.py"}
    tree = jitcache.scan(root, deps)
    assert [rel for rel, _ in tree.sources] == [
        "__init__.py",
        "caller.py",
        "sub/__init__.py",
        "sub/callee.py",
    ]
    assert tree.deps == (("fakedep", str(dep / "version.py")),)
    digest, key = jitcache.source_digest(tree), jitcache.stat_key(tree)
    for path in [p for _, p in tree.sources] + [str(dep / "version.py")]:
        os.utime(path, ns=(5, 5 * 10**17))
    assert jitcache.source_digest(tree) == digest and jitcache.stat_key(tree) != key
    seen = {digest}
    for path in [p for _, p in tree.sources] + [str(dep / "version.py")]:
        before = Path(path).read_bytes()
        Path(path).write_bytes(before + b"# changed\n")
        seen.add(jitcache.source_digest(jitcache.scan(root, deps)))
        Path(path).write_bytes(before)
    assert len(seen) == 6  # each of the five files moves the digest its own way
    assert jitcache.source_digest(jitcache.scan(root, deps)) == digest
    # a new source file counts as well
    (root / "sub" / "extra.py").write_text("")
    assert jitcache.source_digest(jitcache.scan(root, deps)) not in seen


def test_locations_match_numba() -> None:
    """The folder names are Numba's own (its locators, read here, not reimplemented)."""
    from numba.core.caching import _CacheLocator
    from numba.misc.appdirs import AppDirs

    folder = os.path.abspath(os.path.dirname(jitcache.__file__))
    expected = _CacheLocator.get_suitable_cache_subpath(os.path.join(folder, "x.py"))
    assert jitcache.numba_subdir(folder) == expected
    numba_user = AppDirs(appname="numba", appauthor=False).user_cache_dir
    assert jitcache.user_cache_dir(dict(os.environ)) == numba_user


def test_numba_tolerates_a_file_removed_between_index_and_data(tmp_path: Path) -> None:
    """A second process may remove the files while Numba loads: it sees a miss."""
    from numba.core.caching import IndexDataCacheFile

    cache = IndexDataCacheFile(str(tmp_path), "f-5.py311", source_stamp="s")
    cache.save("key", ("payload",))
    assert cache.load("key") == ("payload",)
    (tmp_path / "f-5.py311.1.nbc").unlink()  # the data gone, the index still names it
    assert cache.load("key") is None
    (tmp_path / "f-5.py311.nbi").unlink()
    assert cache.load("key") is None


def _run(root: Path, tmp_path: Path, refresh: bool) -> float:
    code = (
        f"from raidsim import jitcache; jitcache.refresh({str(root)!r}, deps={{}})\n"
        if refresh
        else ""
    ) + "from pkg.caller import f; print(f(1.0))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def test_numba_reuses_a_stale_callee_until_refresh(tmp_path: Path) -> None:
    """The bug: Numba's cache of ``f`` keeps the old ``g`` from another file. The fix:
    :func:`jitcache.refresh` first removes it and ``f`` is compiled again."""
    root = make_package(tmp_path)
    assert _run(root, tmp_path, refresh=True) == 3.0  # 2 * 1 + 1, cached
    (root / "sub" / "callee.py").write_text(CALLEE.replace("2.0", "5.0"))
    assert _run(root, tmp_path, refresh=False) == 3.0  # stale: Numba alone misses it
    assert _run(root, tmp_path, refresh=True) == 6.0  # 5 * 1 + 1
