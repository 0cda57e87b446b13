"""Campaign benchmark: 1,000 replicates x the full dakar-2026 rally x 3 crews.

The QSS cache is warmed first (one ``build_base_table``), each LocalCluster is started
before its clock starts, and every run writes a fresh directory. Prints the in-process
time, the 1-worker and 2-worker Dask times (best of ``--repeat``) and the speed-up, and
checks that all runs give identical tables.
Targets (issue 7): <= 60 s on the 2-core machine; speed-up 1 -> 2 workers >= 1.8x.
Run: python benchmarks/bench_campaign.py [--replicates 1000] [--chunk-size N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from raidsim.campaign.model import build_base_table
from raidsim.campaign.runner import dask_client, run_campaign
from raidsim.campaign.spec import load_spec

RALLY = "dakar-2026"


def read(out: Path) -> pa.Table:
    table = pq.read_table(sorted(out.glob("chunk-*.parquet")))
    return table.sort_by(
        [("replicate", "ascending"), ("crew_index", "ascending"), ("stage_index", "ascending")]
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--chunk-size", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    spec = load_spec()
    spec = spec.model_copy(update={"crews": spec.crews[:3]})
    t0 = time.perf_counter()
    table = build_base_table(RALLY, spec)
    print(
        f"base table       : {time.perf_counter() - t0:.2f} s "
        f"({len(table.crews)} crews x {len(table.stages)} stages; QSS cache warm after this)"
    )
    kw = {} if args.chunk_size is None else {"chunk_size": args.chunk_size}
    tmp = Path(tempfile.mkdtemp(prefix="bench-campaign-"))
    results: dict[str, list[float]] = {}
    tables: dict[str, pa.Table] = {}
    n = 0

    def once(label: str, client: object) -> None:
        nonlocal n
        n += 1
        out = tmp / f"{label}-{n}"
        t0 = time.perf_counter()
        res = run_campaign(
            RALLY, spec, replicates=args.replicates, seed=0, out_dir=out, client=client, **kw
        )
        results.setdefault(label, []).append(time.perf_counter() - t0)
        assert res.chunks_done == res.chunks_total
        tables.setdefault(label, read(out))

    for _ in range(args.repeat):
        once("in-process", None)
    for workers in (1, 2):
        with dask_client(workers, None) as client:
            client.wait_for_workers(workers)
            once(f"{workers} worker(s) warm-up", client)
            for _ in range(args.repeat):
                once(f"{workers} worker(s)", client)
    for label, walls in results.items():
        print(
            f"{label:17s}: {min(walls):.3f} s best of {len(walls)} "
            f"({', '.join(f'{w:.3f}' for w in walls)})"
        )
    t1 = min(results["1 worker(s)"])
    t2 = min(results["2 worker(s)"])
    print(f"speed-up 1 -> 2  : {t1 / t2:.2f}x (target >= 1.8x), cpus={os.cpu_count()}")
    ref = tables["in-process"]
    assert all(t.equals(ref) for t in tables.values()), "results differ between runs"
    print(f"identical results: yes ({ref.num_rows} rows)")


if __name__ == "__main__":
    main()
