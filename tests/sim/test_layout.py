"""The layout registry: generated kernel indices, offsets, the kernel-source hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import raidsim.sim.layout as layout
from raidsim.sim import indices


def test_generated_indices_are_current() -> None:
    path = Path(indices.__file__)
    assert path.read_text(encoding="utf-8") == layout.render_indices(), (
        "src/raidsim/sim/indices.py is stale: run `python -m raidsim.sim.layout`"
    )


def test_indices_match_the_registry() -> None:
    assert layout.STATE["OMEGA"] == indices.S_OMEGA
    assert layout.PARAM["K_S"] == indices.P_K_S
    assert layout.CH["speed_mps"] == indices.C_SPEED_MPS
    assert layout.CH["halfshaft_torque_rr_Nm"] == indices.C_HALFSHAFT_TORQUE_FL_NM + 3
    assert layout.WHEEL_VAR["FX_USED"] == indices.W_FX_USED
    assert layout.ROUTE_ARRAYS.index("surface") == indices.R_SURFACE
    assert indices.STATUS_FINISHED == layout.STATUS_FINISHED
    assert indices.LAYOUT_HASH == layout.LAYOUT_HASH


def test_offsets_are_disjoint_and_dense() -> None:
    for spec, table, n in (
        (layout._STATE_SPEC, layout.STATE, layout.N_STATE),
        (layout._PARAM_SPEC, layout.PARAM, layout.N_PARAM),
    ):
        covered = sorted(i for name, size in spec for i in range(table[name], table[name] + size))
        assert covered == list(range(n))


def test_kernel_hash_follows_a_callee_source(tmp_path: Path) -> None:
    """Editing a physics law (compiled into the kernel) changes the kernel hash, so a
    Numba cache compiled from the old law is refused and recompiled."""
    pkg = Path(layout.__file__).resolve().parents[1]
    copy = tmp_path / "raidsim"
    for entry in layout.KERNEL_SOURCES:
        src = pkg / entry
        dst = copy / entry
        if not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    before = layout.kernel_source_digest(copy)
    assert before == layout.kernel_source_digest(pkg)
    tyre = copy / "physics" / "tyre.py"
    tyre.write_text(tyre.read_text(encoding="utf-8").replace("0.0095", "0.0096"), "utf-8")
    assert layout.kernel_source_digest(copy) != before
