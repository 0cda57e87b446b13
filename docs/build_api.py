"""Build the API reference from the docstrings with pdoc: ``python docs/build_api.py [OUT]``
(default ``docs/api``; open ``OUT/index.html``). ``tests/test_api_docs.py`` builds it and
fails on any pdoc warning.

Every module and subpackage of ``raidsim`` is documented. The package and a few
subpackages import their public names on first use (a module ``__getattr__``:
``raidsim``, ``raidsim.cli``); they are resolved into the
module's namespace first, so pdoc finds every name in their ``__all__``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings
from pathlib import Path

LAZY_MODULES = ("raidsim", "raidsim.cli")


def module_names() -> list[str]:
    """``raidsim`` and every module and subpackage under it."""
    import raidsim

    return ["raidsim"] + [
        m.name
        for m in pkgutil.walk_packages(raidsim.__path__, "raidsim.")
        if not m.name.endswith("__main__")
    ]


def build(out: Path) -> list[str]:
    """Write the HTML reference to ``out``; returns pdoc's warnings (as text).

    ``pdoc.pdoc`` walks the names it is given and skips a package's submodules that its
    ``__all__`` does not name (``raidsim.report`` names its functions, not its modules),
    so the modules are listed here and rendered with pdoc's own steps."""
    import pdoc.doc
    import pdoc.render

    for name in LAZY_MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            setattr(module, attr, getattr(module, attr))  # into the namespace pdoc reads
    pdoc.render.configure(docformat="restructuredtext", footer_text="raidsim API reference")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        modules = {name: pdoc.doc.Module.from_name(name) for name in module_names()}
        for module in modules.values():
            page = out / f"{module.fullname.replace('.', '/')}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(pdoc.render.html_module(module, modules), encoding="utf-8")
        (out / "index.html").write_text(pdoc.render.html_index(modules), encoding="utf-8")
        (out / "search.js").write_text(pdoc.render.search_index(modules), encoding="utf-8")
    return [f"{w.category.__name__}: {w.message}" for w in caught]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "api"
    problems = build(target)
    print("\n".join(problems) or f"API reference written to {target / 'index.html'}")
    sys.exit(1 if problems else 0)
