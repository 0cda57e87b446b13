"""Imports in raidsim only go down the declared layers, and nothing imports in a circle.

Every module under ``src/raidsim`` is read with :mod:`ast` (no import is executed):
module-level imports, imports inside functions and under ``if TYPE_CHECKING:``, relative
imports (resolved against the module's package) and ``importlib.import_module("raidsim...")``
with a literal name all count, so a function-level import cannot hide an upward edge or a
cycle. Importing ``raidsim.a.b`` is an edge to that module only (not to the parent
packages' ``__init__``, which Python also runs: that is true of every import).

``LAYERS`` is the one place the order is written. Each entry is a layer, top to bottom; a
layer holds one or more *units* (a subpackage of raidsim, or a top-level module). A module
may import from its own unit and from units in lower layers. Units in the same layer may
import one another, but not both ways (the package-cycle test).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "raidsim"
#: a module's unit in a layer list
UnitOf = Callable[[str], str]

#: Top to bottom. Why this order:
#: * cli: every command module (``cli.py``/``cli/``, ``*/commands.py``, ``sim/qss_cli.py``).
#: * api: ``raidsim/__init__.py`` and ``raidsim/api.py``, the notebook-facing facade.
#: * the tools do not use one another; ``report`` is the lowest so that any tool may embed
#:   its figures, ``optimize`` the highest (a study may drive the others, not the reverse).
#: * batch (transient runs over a grid on Dask) sits under campaign: the campaign reuses its
#:   Dask plumbing (``batch.cluster``).
#: * sim runs the models: control (speed profile), route (the stage), model, physics.
#: * control (driver / speed profile) reads model's DriverSpec and surface table.
#: * io (run directories, CSV/MoTeC writers) sits above route: a run's waypoints come from
#:   its shipped stage definition when its summary has none (``io.runs.waypoint_markers``),
#:   and nothing in route, model or physics reads or writes run files.
#: * route builds stages from model's surface classes (and its validation-error format).
#: * model (vehicle, settings, surfaces) is parameter data; it takes physics' material
#:   constants (fuel properties, Bekker soils), so physics sits *below* model: physics is
#:   pure functions and constants that import nothing else from raidsim.
#: * bottom: dependency-free helpers: exceptions, the version string, unit constants, atomic
#:   writes (``atomic``: the one place a file is renamed into place, stdlib only) and
#:   display decimation (numpy only), the Numba cache check ``import raidsim`` runs first
#:   (``jitcache``: stdlib only) and the cache protocol it shares with every disk cache
#:   (``cachekey``: cache folder and code digest, stdlib only). (The console/exit-code
#:   helpers, once ``terminal.py``, live in the cli package now: only the CLI prints.)
LAYERS: list[tuple[str, ...]] = [
    ("cli",),
    ("api",),
    ("optimize",),
    ("campaign",),
    ("batch",),
    ("correlate",),
    ("regs",),
    ("report",),
    ("sim",),
    ("control",),
    ("io",),
    ("route",),
    ("model",),
    ("physics",),
    ("errors", "units", "_version", "decimate", "atomic", "jitcache", "cachekey"),
]


#: Inside ``sim``, top to bottom, by its sub-packages and modules (``raidsim.sim.X...`` is
#: unit ``X``; ``raidsim.sim`` itself, a docstring, is ``__init__``). Why this order:
#: * jump, energy: scenarios and checks over a transient model (the jump sweep plans).
#: * runner (``simulate``: plan, model, outputs, summary) with its per-metre trace clock:
#:   above both tiers, since it plans with the speed table.
#: * qss: the fast tier; its estimate plans with the speed table too.
#: * ride: the speed table (sweeps that run the kernel through ``assemble``) and the plan
#:   over a stage's ground (``planned_route_arrays``).
#: * transient: the kernel and the model that takes its plan; it never plans, so it
#:   imports nothing of ride, qss or the runner.
#: * assemble: parameters + route + initial state of one run, the one place they meet.
#: * plan (the speed plan and route arrays) and pack (the parameter array, block by block).
#: * what every tier reads: the time-loss trace, landings, the summary context, the
#:   compile watch; the thermal step; the generated indices; the layout, which strings
#:   together the parameter blocks (each subsystem's slots beside its packer); the jit
#:   helper.
SIM_LAYERS: list[tuple[str, ...]] = [
    ("jump", "energy"),
    ("runner", "trace_clock", "stall"),
    ("qss",),
    ("ride",),
    ("plan_cache",),
    ("transient",),
    ("assemble",),
    ("plan", "pack"),
    ("time_loss", "landings", "context", "compile_watch", "fuel_range"),
    ("thermal",),
    ("indices",),
    ("layout",),
    ("blocks",),
    ("jit", "modes", "__init__"),
]


def sim_unit_of(module: str) -> str:
    """The unit of a module under ``raidsim.sim`` in :data:`SIM_LAYERS`."""
    parts = module.split(".")
    assert parts[:2] == [ROOT, "sim"], module
    return parts[2] if len(parts) > 2 else "__init__"


def sim_graph(graph: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The import graph between modules of ``raidsim.sim`` only."""

    def inside(m: str) -> bool:
        return m == f"{ROOT}.sim" or m.startswith(f"{ROOT}.sim.")

    return {
        m: {t: line for t, line in edges.items() if inside(t)}
        for m, edges in graph.items()
        if inside(m) and unit_of(m) == "sim"
    }


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name under raidsim."""
    parts = module.split(".")
    assert parts[0] == ROOT, module
    if len(parts) == 1 or parts[1] == "api":
        return "api"
    if parts[1] == "cli" or parts[-1] == "commands" or module == "raidsim.sim.qss_cli":
        return "cli"
    return parts[1]


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Source:
    text: str
    is_package: bool  # an __init__.py: relative imports resolve against itself


def read_sources(src: Path = SRC) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = Source(path.read_text("utf-8"), is_package)
    return out


def _resolve(name: str, known: set[str]) -> str | None:
    """Longest prefix of ``name`` that is a raidsim module (None: not raidsim)."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in known:
            return cand
        parts.pop()
    return None


def _import_names(module: str, src: Source, tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every imported dotted name (with its line), relative ones made absolute."""
    package = module if src.is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: -(node.level - 1)]
                base = ".".join(base_parts)
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                # ``from pkg import mod`` imports the submodule when there is one
                yield f"{base}.{alias.name}", node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.lineno


def import_graph(sources: Mapping[str, Source]) -> dict[str, dict[str, int]]:
    """module -> {imported raidsim module: first line}; self-imports dropped."""
    known = set(sources)
    # folders without an __init__.py are (namespace) packages too: ``from raidsim import io``
    known |= {m.rsplit(".", k)[0] for m in sources for k in range(1, m.count(".") + 1)}
    graph: dict[str, dict[str, int]] = {}
    for module, src in sources.items():
        edges: dict[str, int] = {}
        for name, line in _import_names(module, src, ast.parse(src.text)):
            target = _resolve(name, known)
            if target is not None and target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


# ----------------------------------------------------------------------------- checks


def layer_index(layers: list[tuple[str, ...]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, layer in enumerate(layers):
        for unit in layer:
            assert unit not in index, f"unit {unit!r} is in LAYERS twice"
            index[unit] = i
    return index


def unplaced(
    modules: Iterable[str], layers: list[tuple[str, ...]], unit: UnitOf = unit_of
) -> list[str]:
    """Modules whose unit has no layer (a new package must be placed in LAYERS)."""
    index = layer_index(layers)
    return sorted(m for m in modules if unit(m) not in index)


def upward_imports(
    graph: Mapping[str, Mapping[str, int]], layers: list[tuple[str, ...]], unit: UnitOf = unit_of
) -> list[str]:
    index = layer_index(layers)
    out = []
    for module, edges in sorted(graph.items()):
        a = unit(module)
        for target, line in sorted(edges.items()):
            b = unit(target)
            if a != b and a in index and b in index and index[a] > index[b]:
                out.append(
                    f"{module}:{line} -> {target} "
                    f"(layer {index[b] + 1} '{b}' is above layer {index[a] + 1} '{a}')"
                )
    return out


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's SCCs (iterative) with more than one node, each sorted."""
    nodes = set(graph) | {t for ts in graph.values() for t in ts}
    succ = {n: sorted(graph.get(n, ())) for n in sorted(nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for j in range(i, len(succ[node])):
                nxt = succ[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(out)


def _describe(comp: list[str], graph: Mapping[str, Iterable[str]]) -> str:
    members = set(comp)
    edges = [f"{a} -> {b}" for a in comp for b in sorted(graph.get(a, ())) if b in members]
    return "cycle {" + ", ".join(comp) + "}: " + "; ".join(edges)


def module_cycles(graph: Mapping[str, Mapping[str, int]]) -> list[str]:
    return [_describe(c, graph) for c in strongly_connected(graph)]


def unit_graph(
    graph: Mapping[str, Mapping[str, int]], unit: UnitOf = unit_of
) -> dict[str, set[str]]:
    units: dict[str, set[str]] = {}
    for module, edges in graph.items():
        a = unit(module)
        units.setdefault(a, set())
        for target in edges:
            b = unit(target)
            if a != b:
                units[a].add(b)
    return units


def package_cycles(graph: Mapping[str, Mapping[str, int]], unit: UnitOf = unit_of) -> list[str]:
    """Cycles between units, each edge named with (up to three of) its module imports."""
    out = []
    for comp in strongly_connected(unit_graph(graph, unit)):
        members = set(comp)
        via: dict[tuple[str, str], list[str]] = {}
        for m, edges in sorted(graph.items()):
            for t in sorted(edges):
                a, b = unit(m), unit(t)
                if a != b and a in members and b in members:
                    via.setdefault((a, b), []).append(f"{m} -> {t}")
        why = [
            f"{a} -> {b} ({', '.join(ex[:3])}{f', +{len(ex) - 3} more' if len(ex) > 3 else ''})"
            for (a, b), ex in sorted(via.items())
        ]
        out.append("packages {" + ", ".join(comp) + "} import each other: " + "; ".join(why))
    return out


# ----------------------------------------------------------------------------- the tree


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    found = read_sources()
    assert len(found) > 50, "src/raidsim not found or nearly empty"
    return found


@pytest.fixture(scope="module")
def graph(sources: dict[str, Source]) -> dict[str, dict[str, int]]:
    return import_graph(sources)


def test_every_package_has_a_layer(sources: dict[str, Source]) -> None:
    missing = unplaced(sources, LAYERS)
    assert not missing, "place these in LAYERS (tests/test_layers.py): " + ", ".join(missing)
    # and no layer names a unit that no longer exists
    units = {unit_of(m) for m in sources}
    stale = sorted(u for layer in LAYERS for u in layer if u not in units)
    assert not stale, f"LAYERS names units with no module: {stale}"


def test_tests_mirror_the_packages(sources: dict[str, Source]) -> None:
    """Every subpackage of raidsim has its tests/<package>/ folder with a test in it."""
    tests = Path(__file__).resolve().parent
    packages = {m.split(".")[1] for m in sources if m.count(".") >= 2}
    missing = sorted(p for p in packages if not any((tests / p).glob("test_*.py")))
    assert not missing, f"no tests/<package>/test_*.py for: {missing}"


def test_imports_only_go_down(graph: dict[str, dict[str, int]]) -> None:
    bad = upward_imports(graph, LAYERS)
    assert not bad, f"{len(bad)} upward import(s):\n" + "\n".join(bad)


def test_no_module_import_cycles(graph: dict[str, dict[str, int]]) -> None:
    bad = module_cycles(graph)
    assert not bad, f"{len(bad)} module import cycle(s):\n" + "\n".join(bad)


def test_no_package_import_cycles(graph: dict[str, dict[str, int]]) -> None:
    bad = package_cycles(graph)
    assert not bad, f"{len(bad)} package cycle(s):\n" + "\n".join(bad)


def test_every_sim_module_has_a_sim_layer(sources: dict[str, Source]) -> None:
    sim = [m for m in sources if unit_of(m) == "sim"]
    missing = unplaced(sim, SIM_LAYERS, sim_unit_of)
    assert not missing, "place these in SIM_LAYERS (tests/test_layers.py): " + ", ".join(missing)
    units = {sim_unit_of(m) for m in sim}
    stale = sorted(u for layer in SIM_LAYERS for u in layer if u not in units)
    assert not stale, f"SIM_LAYERS names units with no module: {stale}"


def test_sim_imports_only_go_down(graph: dict[str, dict[str, int]]) -> None:
    """Inside sim: the kernel never imports the speed table, the plan or the runner."""
    bad = upward_imports(sim_graph(graph), SIM_LAYERS, sim_unit_of)
    assert not bad, f"{len(bad)} upward import(s) inside sim:\n" + "\n".join(bad)


def test_no_import_cycles_between_sim_subpackages(graph: dict[str, dict[str, int]]) -> None:
    bad = package_cycles(sim_graph(graph), sim_unit_of)
    assert not bad, f"{len(bad)} cycle(s) between sim sub-packages:\n" + "\n".join(bad)


# ----------------------------------------------------------------------------- self-test


def _fake(**modules: str) -> dict[str, Source]:
    """``raidsim__model__a="..."`` -> module raidsim.model.a (``__init__`` suffix: package)."""
    out = {}
    for key, text in modules.items():
        name = key.replace("__", ".")
        is_package = name.endswith(".init")
        out[name.removesuffix(".init")] = Source(text, is_package)
    return out


def test_checker_catches_an_upward_import() -> None:
    fake = _fake(
        raidsim__sim__layout="X = 1\n",
        raidsim__model__surfaces="def f():\n    from raidsim.sim.layout import X\n",
        raidsim__model__ok="from raidsim.physics.fuel import F\n",
        raidsim__physics__fuel="F = 1\n",
        raidsim__route__typed=(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..sim import layout\n"
        ),
    )
    graph = import_graph(fake)
    assert graph["raidsim.route.typed"] == {"raidsim.sim.layout": 3}  # relative, resolved
    # a namespace package (no __init__.py) is a module of its own unit, not the root
    assert import_graph(_fake(raidsim__io__runs="", raidsim__report__a="from raidsim import io"))[
        "raidsim.report.a"
    ] == {"raidsim.io": 1}
    bad = upward_imports(graph, LAYERS)
    assert len(bad) == 2, bad
    assert bad[0].startswith("raidsim.model.surfaces:2 -> raidsim.sim.layout")
    assert bad[1].startswith("raidsim.route.typed:3 -> raidsim.sim.layout")
    assert not module_cycles(graph) and not package_cycles(graph)


def test_checker_catches_cycles() -> None:
    fake = _fake(
        raidsim__model__setup="def g():\n    from raidsim.model import vehicle\n",
        raidsim__model__vehicle="from . import loader\n",
        raidsim__model__loader="import raidsim.model.setup as s\n",
        raidsim__model__init="from .loader import x\n",
        raidsim__errors="import raidsim.units\n",
        raidsim__units="def f():\n    import importlib\n"
        "    importlib.import_module('raidsim.errors')\n",
    )
    graph = import_graph(fake)
    assert graph["raidsim.model"] == {"raidsim.model.loader": 1}  # package-relative
    cycles = module_cycles(graph)
    assert len(cycles) == 2, cycles
    assert cycles[0].startswith("cycle {raidsim.errors, raidsim.units}")
    assert cycles[1].startswith(
        "cycle {raidsim.model.loader, raidsim.model.setup, raidsim.model.vehicle}"
    )
    # errors and units share the bottom layer: not upward, but a package cycle
    assert not upward_imports(graph, LAYERS)
    (pc,) = package_cycles(graph)
    assert pc.startswith("packages {errors, units} import each other")


def test_checker_wants_new_packages_placed() -> None:
    fake = _fake(raidsim__newpkg__init="", raidsim__newpkg__thing="", raidsim__model__a="")
    assert unplaced(fake, LAYERS) == ["raidsim.newpkg", "raidsim.newpkg.thing"]


def test_checker_catches_an_upward_import_inside_sim() -> None:
    """A function-level import of the speed table from the kernel is upward; two sim
    sub-packages importing each other are a cycle."""
    fake = _fake(
        raidsim__sim__transient__model="def f():\n    from raidsim.sim.ride import limits\n",
        raidsim__sim__ride__limits="from raidsim.sim.transient.chunk import X\n",
        raidsim__sim__transient__chunk="X = 1\n",
        raidsim__model__derived="",
        raidsim__sim__plan="import raidsim.model.derived\n",
    )
    graph = sim_graph(import_graph(fake))
    assert "raidsim.model.derived" not in graph["raidsim.sim.plan"]  # outside sim: dropped
    (bad,) = upward_imports(graph, SIM_LAYERS, sim_unit_of)
    assert bad.startswith("raidsim.sim.transient.model:2 -> raidsim.sim.ride.limits")
    (cycle,) = package_cycles(graph, sim_unit_of)
    assert cycle.startswith("packages {ride, transient} import each other")
    assert sim_unit_of("raidsim.sim") == "__init__"
    assert sim_unit_of("raidsim.sim.qss.forward") == "qss"


def test_unit_mapping() -> None:
    assert unit_of("raidsim") == unit_of("raidsim.api") == "api"
    assert unit_of("raidsim.cli") == unit_of("raidsim.cli.qss") == "cli"
    assert unit_of("raidsim.campaign.commands") == unit_of("raidsim.sim.qss_cli") == "cli"
    assert unit_of("raidsim.campaign.model") == "campaign"
    assert unit_of("raidsim.errors") == "errors"
