"""``raidsim estimate dakar-2026`` as a whole process, this tree against another.

Issue 24 asks that the whole process with warm caches take at most half the time of the
main it was filed on. Give that tree (a ``git worktree`` of the baseline commit) as
``--base``: each tree runs the command once to warm its caches (Numba, stages, speed
tables, plans), then ``--repeat`` times each, alternating (base, this, base, this ...), so
that both see the same load. Wall clock from spawn to exit and the children's CPU time
(user + sys) are printed per run, with the medians and the ratio this / base. Without
``--base`` only this tree is timed.

Run: python benchmarks/bench_estimate.py --base /path/to/baseline/worktree [--repeat 3]
[--target dakar-2026] [--vehicle d7x-r]

Nothing here asserts a time: it prints the ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def run_once(tree: Path, argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of ``raidsim <argv>`` from ``tree``'s sources, as a process."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from raidsim.cli import main; main()", *argv],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(
            f"{tree}: raidsim {' '.join(argv)} exited {done.returncode}\n{done.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, default=None, help="the baseline tree (a worktree)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", default="dakar-2026")
    ap.add_argument("--vehicle", default="d7x-r")
    args = ap.parse_args(argv)
    command = ["estimate", args.target, "--vehicle", args.vehicle]
    trees = {"this": HERE} if args.base is None else {"base": args.base.resolve(), "this": HERE}
    for name, tree in trees.items():
        run_once(tree, command)  # warm its caches
        print(f"{name}: {tree} warmed", flush=True)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for i in range(args.repeat):
        for name, tree in trees.items():
            wall, cpu = run_once(tree, command)
            times[name].append((wall, cpu))
            print(f"run {i + 1} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    median = {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }
    for name, (wall, cpu) in median.items():
        print(f"{name}: median {wall:.2f} s wall, {cpu:.2f} s CPU over {args.repeat} runs")
    if "base" in median:
        (bw, bc), (tw, tc) = median["base"], median["this"]
        print(f"ratio this / base: {tw / bw:.2f} wall, {tc / bc:.2f} CPU")


if __name__ == "__main__":
    main()
