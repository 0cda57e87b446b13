"""The one stale-cache protocol (raidsim.cachekey): folders, code digests, and every disk
cache on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from raidsim import cachekey, jitcache
from raidsim.route import stage_cache
from raidsim.sim import layout
from raidsim.sim.ride import cache as ride_cache


def test_every_cache_lives_under_one_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAIDSIM_CACHE_DIR", str(tmp_path))
    assert stage_cache.cache_dir() == tmp_path / "stages"
    assert ride_cache.cache_root() == tmp_path / "speed-tables"
    monkeypatch.delenv("RAIDSIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachekey.cache_dir("campaign") == tmp_path / "xdg" / "raidsim" / "campaign"


def test_the_digest_follows_content_and_names_a_missing_source(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.py").write_text("X = 1\n", "utf-8")
    (root / "b.py").write_text("B = 1\n", "utf-8")
    before = cachekey.source_digest(("a", "b.py"), root=root)
    assert before == cachekey.source_digest(("b.py", "a"), root=root)  # order-free
    assert before != cachekey.source_digest(("a", "b.py"), ("numpy 0",), root=root)
    (root / "a" / "x.py").write_text("X = 2\n", "utf-8")
    cachekey.source_digest.cache_clear()
    assert before != cachekey.source_digest(("a", "b.py"), root=root)
    with pytest.raises(FileNotFoundError, match="gone.py"):
        cachekey.source_digest(("gone.py",), root=root)


def test_the_numba_marker_and_the_kernel_hash_use_the_same_digest(tmp_path: Path) -> None:
    """jitcache's digest is :func:`cachekey.digest_files` over its tree (the bytes the
    protocol hashes: name NUL payload NUL), and the kernel hash is its source_digest."""
    root = tmp_path / "raidsim"
    shutil.copytree(cachekey.PACKAGE_ROOT / "physics", root / "physics")
    tree = jitcache.scan(root, deps={})
    files = [(rel, Path(path).read_bytes()) for rel, path in tree.sources]
    assert jitcache.source_digest(tree) == cachekey.digest_files(
        files, prefix=b"raidsim-jitcache-1"
    )
    assert layout.kernel_source_digest() == cachekey.source_digest(layout.KERNEL_SOURCES)
