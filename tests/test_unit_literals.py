"""Unit conversions go through ``raidsim.units``: no bare ``3.6`` (km/h per m/s) in the
source outside the units module (read with :mod:`tokenize`: numbers, not comments)."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "raidsim"


def test_speed_conversions_use_kmh_per_mps() -> None:
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "units.py":
            continue
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        hits += [
            f"{path.relative_to(SRC)}:{t.start[0]}"
            for t in tokens
            if t.type == tokenize.NUMBER and t.string == "3.6"
        ]
    assert not hits, f"use raidsim.units.KMH_PER_MPS: {hits}"
