"""docs/physics.md: the calibrated Dakar 2026 ground (§13.4) and the crest speeds (§14.2).

Three tables, each between a ``<!-- ground-table: NAME -->`` marker and the next blank
line:

* ``knobs``: the ground knobs of every special as the catalogue holds them (written by
  ``python -m raidsim.correlate.terrain dakar-2026 --write``);
* ``sensitivity``: how far each knob moves each preset's QSS time on stages 5, 6 and 10
  (:func:`raidsim.correlate.terrain.sensitivity`);
* ``crest``: the crest speed of each preset on five crest courses of the speed table
  (:func:`raidsim.sim.ride.limits.speed_curve`: the crew's 2.5 g or the car's bottoming,
  whichever comes first).

``tests/test_ground_tables.py`` checks the ``knobs`` table against the catalogue (the
others take minutes of sweeps). After a physics change or a recalibration run
``python examples/make_ground_tables.py --write`` and commit docs/physics.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "physics.md"
PRESETS = ("sandrider", "d7x-r", "lc-gr-sport", "t3-challenger", "t4-ssv", "octa")
SENSITIVITY_STAGES = ("5", "6", "10")
#: (slip-face angle deg, dune height m) of the crest table's courses
CREST_COURSES = ((14.0, 8.0), (22.0, 8.0), (30.0, 8.0), (30.0, 4.0), (34.0, 16.0))
KNOBS = ("roughness_scale", "dune_spacing_scale", "dune_slope_scale", "dune_height_scale")


def knobs_table(rally: str = "dakar-2026") -> str:
    """The ground knobs of every special of ``rally``, as the catalogue holds them."""
    from raidsim.route.catalogue import load_rally
    from raidsim.route.stage import load_stage_definition

    lines = ["| Special | " + " | ".join(f"`{k}`" for k in KNOBS) + " |"]
    lines.append("|---|" + "---:|" * len(KNOBS))
    for day in load_rally(rally).stages:
        definition, _ = load_stage_definition(day.name)
        cells = [f"{getattr(definition, k):.4g}" for k in KNOBS]
        lines.append(f"| `{day.name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sensitivity_table(rally: str = "dakar-2026") -> str:
    from raidsim.correlate.terrain import SENSITIVITY_STEPS, sensitivity

    rows = sensitivity(rally, list(SENSITIVITY_STAGES), list(PRESETS))
    got = {(s, k, p): x for s, k, p, x in rows}
    lines = ["| Stage | Knob step | " + " | ".join(PRESETS) + " |"]
    lines.append("|---|---|" + "---:|" * len(PRESETS))
    for stage in sorted({s for s, _, _, _ in rows}, key=lambda n: int(n.split("/")[-1])):
        for knob, step in SENSITIVITY_STEPS.items():
            cells = [f"{100 * got[(stage, knob, p)]:+.1f} %" for p in PRESETS]
            lines.append(f"| {stage} | {knob} x{step:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def crest_table() -> str:
    from raidsim.model.loader import load_vehicle
    from raidsim.model.settings import Settings
    from raidsim.sim.ride.limits import speed_curve
    from raidsim.sim.ride.table import shock_limited_mps

    settings = Settings()
    limit_g = settings.driver.shock_limit_g
    head = " | ".join(f"{a:g} deg, {h:g} m" for a, h in CREST_COURSES)
    lines = [f"| Preset | {head} |", "|---|" + "---:|" * len(CREST_COURSES)]
    for name in PRESETS:
        car = load_vehicle(name)
        cells = []
        for angle, height in CREST_COURSES:
            curve = speed_curve(car, settings, "crest", angle, height)
            v = shock_limited_mps(curve, limit_g, settings.driver.travel_use_limit)
            v = min(v, float(curve.speed_mps[-1]))
            cells.append(f"{3.6 * v:.1f} km/h")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_table(text: str, name: str, table: str) -> str:
    """``text`` with the table after the ``name`` marker replaced by ``table``."""
    marker = f"<!-- ground-table: {name} -->"
    pattern = re.compile(re.escape(marker) + r"\n(?:\|[^\n]*\n)+")
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: no '{marker}' followed by a table")
    return pattern.sub(lambda _: f"{marker}\n{table}\n", text, count=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python examples/make_ground_tables.py")
    ap.add_argument("--write", action="store_true", help="rewrite docs/physics.md")
    ap.add_argument("--only", choices=("knobs", "sensitivity", "crest"), action="append")
    args = ap.parse_args(argv)
    makers = {"knobs": knobs_table, "sensitivity": sensitivity_table, "crest": crest_table}
    text = DOC.read_text(encoding="utf-8")
    for name in args.only or makers:
        table = makers[name]()
        print(table, flush=True)
        text = replace_table(text, name, table)
    if args.write:
        DOC.write_text(text, encoding="utf-8")
        print(f"{DOC}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
