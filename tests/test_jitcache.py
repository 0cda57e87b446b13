"""raidsim.jitcache: stale Numba cache files go when a source changes, fresh ones stay.

A tiny package in a temporary folder stands in for raidsim (``refresh(root=...)``); the
cache files are fakes except in the last test (a changed callee in another file),
which compiles two one-line functions in child processes: the bug and its fix.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from raidsim import jitcache


def _load_layers() -> ModuleType:
    """tests/test_layers.py, the one statement of the layer order (loaded by path)."""
    path = Path(__file__).resolve().parent / "test_layers.py"
    spec = importlib.util.spec_from_file_location("_raidsim_layers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


LAYERS = _load_layers()

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


def refresh(root: Path, env: dict[str, str]) -> list[str]:
    """:func:`jitcache.refresh` of the temporary package (every file counts, no dependency)."""
    return jitcache.refresh(root, env, deps={}, exclude=())


def names(paths: list[str] | list[Path]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def test_in_tree_stale_removed_fresh_kept(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    top = fake_cache(root / "__pycache__")
    sub = fake_cache(root / "sub" / "__pycache__")
    # no marker: the caches' sources are unknown, so the index and data files go
    removed = refresh(root, env)
    assert names(removed) == ["f-5.py311.1.nbc"] * 2 + ["f-5.py311.nbi"] * 2
    assert [p.exists() for p in top + sub] == [False, False, True, True] * 2
    assert (root / "__pycache__" / jitcache.MARKER_NAME).is_file()
    assert not (tmp_path / "xdg").exists()  # the in-tree location is Numba's: user untouched
    # compiled again from these sources: kept, also after a touch (mtime only)
    sub = fake_cache(root / "sub" / "__pycache__")
    assert refresh(root, env) == []
    os.utime(root / "sub" / "callee.py", ns=(1, 10**18))
    assert refresh(root, env) == []
    assert all(p.exists() for p in sub)
    # the callee changes: the caller's cache in the other folder goes too
    (root / "sub" / "callee.py").write_text(CALLEE.replace("2.0", "3.0"))
    fake_cache(root / "__pycache__")
    assert len(refresh(root, env)) == 4
    assert refresh(root, env) == []


def test_numba_cache_dir_mirrors_the_source_folders(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "nc")
    mirrored = tmp_path / "nc" / jitcache.numba_subdir(str(root / "sub"))
    assert mirrored.name.startswith("sub_") and len(mirrored.name) == 4 + 40
    files = fake_cache(mirrored)
    in_tree = fake_cache(root / "sub" / "__pycache__")  # left from before NUMBA_CACHE_DIR
    removed = refresh(root, env)
    assert len(removed) == 4 and not files[0].exists() and not in_tree[0].exists()
    marker = tmp_path / "nc" / jitcache.numba_subdir(str(root)) / jitcache.MARKER_NAME
    assert marker.is_file() and (root / "__pycache__" / jitcache.MARKER_NAME).is_file()
    fake_cache(mirrored)
    assert refresh(root, env) == []


def test_read_only_location_is_skipped(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_package(tmp_path)
    files = fake_cache(root / "__pycache__")
    real_access = os.access  # the tests may run as root, whom chmod does not stop

    def access(path: str, mode: int) -> bool:
        return not str(path).startswith(str(root)) and real_access(path, mode)

    monkeypatch.setattr(os, "access", access)
    assert refresh(root, env) == []  # no error, nothing removed
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
    assert refresh(root, env) == []
    assert all(p.exists() for p in files)
    monkeypatch.undo()  # removals work again, the marker still cannot be written
    for left in (root / "__pycache__").glob("*.raidsim-tmp"):  # the patch kept it too
        left.unlink()
    assert len(refresh(root, env)) == 2
    assert [p.name for p in (root / "__pycache__").iterdir() if "raidsim-tmp" in p.name] == []


def test_an_unreadable_source_leaves_everything(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    files = fake_cache(root / "__pycache__")
    (root / "sub" / "gone.py").symlink_to(tmp_path / "nowhere.py")
    assert refresh(root, env) == []
    assert all(p.exists() for p in files)
    assert not (root / "__pycache__" / jitcache.MARKER_NAME).exists()


def test_a_garbled_marker_counts_as_unknown(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    refresh(root, env)
    marker = root / "__pycache__" / jitcache.MARKER_NAME
    marker.write_bytes(b"\xff\xfe garbage")
    fake_cache(root / "__pycache__")
    assert len(refresh(root, env)) == 2


def test_disabled_jit_does_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_package(tmp_path)
    fake_cache(root / "__pycache__")
    assert refresh(root, {**env, "NUMBA_DISABLE_JIT": "1"}) == []
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
    tree = jitcache.scan(root, deps, exclude=())
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
        seen.add(jitcache.source_digest(jitcache.scan(root, deps, exclude=())))
        Path(path).write_bytes(before)
    assert len(seen) == 6  # each of the five files moves the digest its own way
    assert jitcache.source_digest(jitcache.scan(root, deps, exclude=())) == digest
    # a new source file counts as well
    (root / "sub" / "extra.py").write_text("")
    assert jitcache.source_digest(jitcache.scan(root, deps, exclude=())) not in seen


def test_excluded_entries_do_not_move_the_digest(tmp_path: Path) -> None:
    root = make_package(tmp_path)
    (root / "tool").mkdir()
    (root / "tool" / "cmd.py").write_text("x = 1\n")
    (root / "api.py").write_text("y = 1\n")
    tree = jitcache.scan(root, {}, exclude=("tool", "api.py"))
    assert [rel for rel, _ in tree.sources] == [
        "__init__.py",
        "caller.py",
        "sub/__init__.py",
        "sub/callee.py",
    ]
    assert str(root / "tool") not in tree.dirs
    digest = jitcache.source_digest(tree)
    (root / "tool" / "cmd.py").write_text("x = 2\n")
    (root / "api.py").write_text("y = 2\n")
    assert jitcache.source_digest(jitcache.scan(root, {}, exclude=("tool", "api.py"))) == digest
    assert jitcache.source_digest(jitcache.scan(root, {}, exclude=())) != digest


#: names that compile a function with Numba (decorators and calls), raidsim's own included
JIT_NAMES = {
    "cfunc",
    "generated_jit",
    "guvectorize",
    "jit",
    "jitclass",
    "kernel_entry",
    "kernel_loop",
    "kernel_part",
    "njit",
    "stencil",
    "vectorize",
}
SRC = Path(__file__).resolve().parents[1] / "src" / "raidsim"


def _jitting_units() -> dict[str, list[str]]:
    """Layer unit (tests/test_layers.py) -> the modules of it that compile with Numba."""
    out: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "jitcache.py":
            continue  # names Numba in its docstring and comments only
        tree = ast.parse(path.read_text("utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        if names & JIT_NAMES:
            module = ".".join(("raidsim", *path.relative_to(SRC).with_suffix("").parts))
            out.setdefault(LAYERS.unit_of(module.removesuffix(".__init__")), []).append(module)
    return out


def test_no_jitted_function_can_reach_what_the_digest_leaves_out() -> None:
    """The entries left out define no jitted function, and each sits in a layer above
    every unit that does: jitted code imports only downwards, so it cannot see them."""
    jitting = _jitting_units()
    assert {"physics", "control", "sim"} <= set(jitting), jitting  # the scan finds them
    index = LAYERS.layer_index(LAYERS.LAYERS)
    highest_jitting_layer = min(index[u] for u in jitting)  # 0 is the top layer
    for entry in jitcache.NOT_JITTED:
        assert (SRC / entry).exists(), f"NOT_JITTED names {entry}, which is not in raidsim"
        module = "raidsim" if entry == "__init__.py" else "raidsim." + entry.removesuffix(".py")
        unit = LAYERS.unit_of(module)
        assert unit not in jitting, f"{entry} compiles with Numba: {jitting[unit]}"
        assert index[unit] < highest_jitting_layer, (
            f"{entry} (unit {unit}) is not above every unit with jitted code {sorted(jitting)}"
        )


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
        f"from raidsim import jitcache; jitcache.refresh({str(root)!r}, deps={{}}, exclude=())\n"
        if refresh
        else ""
    ) + "from pkg.caller import f; print(f(1.0))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def test_a_changed_callee_in_another_file_is_compiled_again(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The bug: Numba's cache of ``f`` (caller.py) keeps ``g`` (sub/callee.py) as it was
    when ``f`` was compiled, since Numba checks caller.py only. :func:`jitcache.refresh`
    before the import removes it, and ``f`` is compiled again with the new ``g``."""
    root = make_package(tmp_path)
    refresh(root, env)  # the marker: these sources
    assert _run(root, tmp_path, refresh=False) == 3.0  # 2 * 1 + 1, compiled and cached
    assert len(list((root / "__pycache__").glob("caller.f-*.nbi"))) == 1
    (root / "sub" / "callee.py").write_text(CALLEE.replace("2.0", "5.0"))
    assert _run(root, tmp_path, refresh=True) == 6.0  # 5 * 1 + 1 (stale: 3.0)
