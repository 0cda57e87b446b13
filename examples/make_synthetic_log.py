"""Write the synthetic "logged" run of the `raidsim correlate` example.

The twin (QSS tier) drives a 12 km twisty synthetic special with hidden factors
grip x0.90 and power x0.95; the log gets 1 km/h speed noise, +-5 m GPS jitter, a 10 s
standing start and a clock that starts at 09:00 (32400 s), at 10 Hz, as an AiM CSV.

    python examples/make_synthetic_log.py            # rewrites the three files below
    python examples/make_synthetic_log.py --out DIR  # writes them to DIR instead
    raidsim correlate examples/synthetic_log.csv --stage examples/synthetic_stage.toml \
        --vehicle d7x-r --fit grip --fit power --out runs/correlate

Writes ``synthetic_stage.csv`` (the route), ``synthetic_stage.toml`` (the roadbook) and
``synthetic_log.csv`` (the log). The committed copies in examples/ are what this script
writes: ``tests/test_readme_examples.py`` regenerates them and compares byte for byte, so
a change to the QSS tier that moves the log fails CI until they are regenerated (and the
README's correlation numbers with them).
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from pathlib import Path

import raidsim as rs
from raidsim.correlate.align import stage_origin
from raidsim.correlate.synthetic import synthetic_channels, write_aim_csv, write_example_stage

HIDDEN = {"grip": 0.90, "power": 0.95}
HERE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory (default: examples/)")
    out: Path = parser.parse_args(argv).out
    toml = write_example_stage(out, "synthetic_stage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stage = rs.load_stage(toml)
    origin = stage_origin(toml)
    assert origin is not None
    channels = synthetic_channels(
        stage,
        rs.load_vehicle("d7x-r"),
        HIDDEN,
        (origin.lat_deg, origin.lon_deg),
        seed=1,
        clock_start_s=32400.0,
    )
    header = {
        "Venue": "synthetic_stage (illustrative)",
        "Vehicle": "D7X-R twin, hidden grip x0.90 power x0.95",
        "Racer": "synthetic",
        "Date": "2026-01-10",
        "Time": "09:00:00",
        "Comment": "made by examples/make_synthetic_log.py",
    }
    path = write_aim_csv(out / "synthetic_log.csv", channels, header)
    print(f"wrote {toml} and {path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
