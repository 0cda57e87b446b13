"""Campaign benchmark: 1,000 replicates x the full dakar-2026 rally x 3 crews.

The QSS cache is warmed first (one ``build_base_table``). For in-process, 1 and 2 Dask
workers it prints the one-off set-up (LocalCluster start), then ``--repeat`` runs (after
one warm-up run per cluster), each into a fresh directory, with the machine load
(``os.getloadavg``) just before it. Each run is split as ``run_campaign`` reports it:

* set-up: manifest + base table (serial, main process; QSS cache warm);
* replicate phase: ship the inputs, run the chunks, write every chunk file.

Prints the best whole-run and best replicate-phase time of each mode, the 1 -> 2 worker
speed-up of both, and checks that every Dask run computed all its chunks (no result
reused from an earlier run) and that all runs give identical tables.
Targets (issue 7): <= 60 s on the 2-core machine; speed-up 1 -> 2 workers >= 1.8x.
Run: python benchmarks/bench_campaign.py [--replicates 1000] [--chunk-size N] [--repeat 7]
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
from raidsim.campaign.runner import CampaignResult, dask_client, run_campaign
from raidsim.campaign.spec import load_spec

RALLY = "dakar-2026"


def read(out: Path) -> pa.Table:
    table = pq.read_table(sorted(out.glob("chunk-*.parquet")))
    return table.sort_by(
        [("replicate", "ascending"), ("crew_index", "ascending"), ("stage_index", "ascending")]
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--chunk-size", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    spec = load_spec()
    spec = spec.model_copy(update={"crews": spec.crews[:3]})
    print(f"cpus={os.cpu_count()}, {load()}")
    t0 = time.perf_counter()
    table = build_base_table(RALLY, spec)
    print(
        f"base table (cold-ish) : {time.perf_counter() - t0:.3f} s "
        f"({len(table.crews)} crews x {len(table.stages)} stages; QSS cache warm after this)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-campaign-"))
    runs: dict[str, list[CampaignResult]] = {}
    cluster_s: dict[str, float] = {}
    tables: dict[str, pa.Table] = {}
    n = 0

    def once(label: str, client: object, record: bool = True) -> None:
        nonlocal n
        n += 1
        out = tmp / f"{label}-{n}"
        before = load()
        kw = {} if args.chunk_size is None else {"chunk_size": args.chunk_size}
        if client is None:
            res = run_campaign(RALLY, spec, replicates=args.replicates, seed=0, out_dir=out, **kw)
            computed = res.chunks_total
        else:
            from distributed import get_task_stream

            with get_task_stream(client) as ts:  # type: ignore[arg-type]
                res = run_campaign(
                    RALLY,
                    spec,
                    replicates=args.replicates,
                    seed=0,
                    out_dir=out,
                    client=client,
                    **kw,
                )
            computed = len(ts.data)
        assert res.chunks_done == res.chunks_total == res.chunks_run
        assert computed == res.chunks_total, f"{label}: {computed} of {res.chunks_total} computed"
        print(
            f"  {label:10s} {'run' if record else 'warm-up'} {n:2d}: {before} -> "
            f"whole {res.elapsed_s:.3f} s = set-up {res.setup_s:.3f} + replicates "
            f"{res.replicate_s:.3f} ({res.chunks_total} chunks)"
        )
        if record:
            runs.setdefault(label, []).append(res)
        tables.setdefault(label, read(out))

    for _ in range(args.repeat):
        once("in-process", None)
    for workers in (1, 2):
        label = f"{workers} worker{'s' * (workers > 1)}"
        print(f"{label}: starting a LocalCluster ({load()})")
        t0 = time.perf_counter()
        with dask_client(workers, None) as client:
            client.wait_for_workers(workers)
            cluster_s[label] = time.perf_counter() - t0
            once(label, client, record=False)
            for _ in range(args.repeat):
                once(label, client)

    print(f"\nbest of {args.repeat} ({args.replicates} replicates):")
    best: dict[str, tuple[float, float, float]] = {}
    for label, results in runs.items():
        whole = min(r.elapsed_s for r in results)
        setup = min(r.setup_s for r in results)
        rep = min(r.replicate_s for r in results)
        best[label] = (whole, setup, rep)
        start = f", cluster start {cluster_s[label]:.2f} s (once)" if label in cluster_s else ""
        print(
            f"  {label:10s}: whole run {whole:.3f} s, set-up {setup:.3f} s, "
            f"replicate phase {rep:.3f} s{start}"
        )
    (w1, _, r1), (w2, s2, r2) = best["1 worker"], best["2 workers"]
    print(f"speed-up 1 -> 2 workers, whole run      : {w1 / w2:.2f}x (target >= 1.8x)")
    print(f"speed-up 1 -> 2 workers, replicate phase: {r1 / r2:.2f}x (target >= 1.8x)")
    print(
        f"serial set-up share of the 2-worker run : {s2 / w2:.0%} "
        f"(Amdahl bound on the whole-run speed-up {w1 / (s2 + r1 / 2):.2f}x)"
    )
    total_2 = cluster_s["2 workers"] + w2
    print(f"2 workers incl. cluster start           : {total_2:.2f} s (target <= 60 s)")
    ref = tables["in-process"]
    assert all(t.equals(ref) for t in tables.values()), "results differ between runs"
    print(f"identical results: yes ({ref.num_rows} rows); {load()}")


if __name__ == "__main__":
    main()
