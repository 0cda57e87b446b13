"""The whole ``raidsim run`` process on the default stage against the kernel's own time.

``raidsim run`` is a process: Python starts, imports raidsim (Numba, polars, pydantic,
the model), builds the stage and the kernel's arrays, loads the Numba cache, drives the
kernel, streams telemetry.parquet, prints the summary, (by default) writes report.html
and shuts down. The kernel's own wall time is what the run itself records in
``summary.json``: ``kernel_time_s``, the sum of the ``TransientModel.advance`` calls
(``benchmarks/bench_transient.py`` times the same calls).

1. One warm-up run (compiles the kernel into the Numba cache if it is cold).
2. ``--repeat`` timed runs of each command line as a whole process (wall clock from
   spawn to exit), the kernel time read from each run's ``summary.json``; the fastest
   run of each is reported (the least disturbed by other load on the machine) with the
   median ratio beside it.
3. One instrumented run in a child process that times the phases from inside: import,
   setup (vehicle, stage, the kernel's arrays and the Numba registry and cache load on
   the first jitted call), kernel, write (telemetry writer, summary), report, and what
   is left (argument parsing, printing, interpreter start and shutdown).

Bytecode: an installed raidsim has its ``.pyc`` files (pip compiles them; an editable
install writes them on first import), so by default the children may write bytecode, to
a cache outside the source tree (``PYTHONPYCACHEPREFIX`` in the benchmark's temporary
directory, filled by the warm-up run) even where ``PYTHONDONTWRITEBYTECODE`` is set;
``--no-bytecode`` keeps this environment's setting (every raidsim module compiled from
source in every process, ~0.1 s more).

Run: python benchmarks/bench_startup.py [--repeat 3] [--report/--no-report, both by
default] [--no-bytecode]

Nothing here asserts a time: it prints the ratio and the breakdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: the child that times the phases of one ``raidsim run`` from inside the process; it
#: prints one JSON line (seconds per phase) on stderr, prefixed with PHASES
_PHASES = r"""
import json, sys, time
t_start = time.perf_counter()
from raidsim.cli import process
process.begin_startup()  # as the console script does
import raidsim.cli.group as cliapp
t_cli = time.perf_counter()
import raidsim.cli.run
from raidsim.sim import runner
from raidsim.sim.transient import pipeline
import raidsim, raidsim.api as api
t_cmd = time.perf_counter()
acc, marks = {}, {}
def timed(owner, name, key):
    f = getattr(owner, name)
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
            marks[key + "_end"] = time.perf_counter()
    setattr(owner, name, wrapper)
timed(runner, "planned_model", "model_setup")  # plan + assemble
timed(runner._Outputs, "__init__", "outputs_open")
timed(runner._Outputs, "consume", "consume")
def start_hook(on_start):
    def wrapper():
        t = time.perf_counter()
        on_start()
        acc["on_start"] = time.perf_counter() - t
        if "raidsim.report.html" in sys.modules:
            timed(sys.modules["raidsim.report.html"], "build_report", "report")
    return wrapper
simulate = runner.simulate
def simulate_wrapper(*a, **k):
    if k.get("on_start") is not None:
        k["on_start"] = start_hook(k["on_start"])
    return simulate(*a, **k)
runner.simulate = simulate_wrapper
timed(runner, "simulate", "simulate")
timed(api, "load_stage", "stage")
timed(raidsim.cli.run, "load_car", "vehicle")
produce = pipeline.KernelThread._produce
def kernel_thread(self):
    marks["kernel_start"] = time.perf_counter()
    try:
        produce(self)
    finally:
        marks["kernel_end"] = time.perf_counter()
pipeline.KernelThread._produce = kernel_thread
raidsim.simulate, raidsim.load_stage = runner.simulate, api.load_stage
code = 0
try:
    cliapp.app(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
t_end = time.perf_counter()
acc["import_cli"] = t_cli - t_start
acc["import_command"] = t_cmd - t_cli
acc["before_kernel"] = marks["kernel_start"] - t_start
acc["kernel_span"] = marks["kernel_end"] - marks["kernel_start"]
acc["after_kernel"] = marks["simulate_end"] - marks["kernel_end"]
acc["in_process"] = t_end - t_start
sys.stderr.write("PHASES " + json.dumps(acc) + "\n")
process.end_process(code)  # as the console script ends
"""


def raidsim_cmd() -> list[str]:
    """The ``raidsim`` console script of this interpreter's environment, or ``python -m
    raidsim.cli`` where there is none."""
    script = Path(sys.executable).with_name("raidsim")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "raidsim.cli"]


def run_once(cmd: list[str], out: Path) -> tuple[float, dict[str, Any]]:
    """Wall time of one whole process writing to ``out`` and its summary.json."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return wall, summary


def phases(args: list[str], out: Path) -> dict[str, float]:
    """The phases of one instrumented ``raidsim run`` (seconds), timed from inside."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PHASES, *args, "--out", str(out)], capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("PHASES ")), None)
    if proc.returncode != 0 or line is None:
        sys.exit(f"instrumented run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    acc: dict[str, float] = json.loads(line[len("PHASES ") :])
    acc["process"] = wall
    return acc


def print_breakdown(p: dict[str, float], kernel_s: float) -> None:
    """The phases of :func:`phases` as a table, in process order: what runs before the
    kernel thread starts, the kernel, what follows it; the main thread's work while the
    kernel runs is shown apart (it overlaps the kernel on the second core)."""
    before = p["before_kernel"]
    named_before = p["import_cli"] + p["import_command"]
    named_before += p.get("vehicle", 0.0) + p.get("stage", 0.0) + p.get("model_setup", 0.0)
    after_sim = p["in_process"] - before - p["kernel_span"] - p["after_kernel"]
    rows = [
        ("import the CLI (typer, rich)", p["import_cli"]),
        ("import run: model, numba, kernel", p["import_command"]),
        ("setup: vehicle", p.get("vehicle", 0.0)),
        ("setup: stage (terrain)", p.get("stage", 0.0)),
        ("setup: kernel arrays + Numba init", p.get("model_setup", 0.0)),
        ("parse, checks, run directory", before - named_before),
        ("kernel thread (start to end)", p["kernel_span"]),
        ("after the kernel: close file, json", p["after_kernel"]),
        ("report.html", p.get("report", 0.0)),
        ("summary table, commit, rest", after_sim - p.get("report", 0.0)),
        ("interpreter start + shutdown", p["process"] - p["in_process"]),
    ]
    for name, value in rows:
        print(f"    {name:36s} {value:6.3f} s  {value / p['process']:5.1%}")
    print(f"    {'whole process':36s} {p['process']:6.3f} s")
    overlapped = p.get("outputs_open", 0.0) + p.get("on_start", 0.0) + p.get("consume", 0.0)
    print(
        f"    (beside the kernel, on the main thread: open the outputs (pyarrow, polars) "
        f"{p.get('outputs_open', 0.0):.3f} s, load the report's modules (plotly) "
        f"{p.get('on_start', 0.0):.3f} s, stream chunks {p.get('consume', 0.0):.3f} s; "
        f"the kernel's own calls {kernel_s:.3f} s of its thread's "
        f"{p['kernel_span']:.3f} s; overlapped {overlapped:.3f} s)"
    )


def bench(args: list[str], repeat: int, work: Path) -> None:
    """Time ``raidsim run ARGS`` as a whole process and print the ratio and breakdown."""
    cmd = [*raidsim_cmd(), "run", *args]
    runs = [run_once(cmd, work / f"run{i}") for i in range(repeat)]
    ratios = [wall / s["kernel_time_s"] for wall, s in runs]
    best = min(range(repeat), key=lambda i: runs[i][0])  # the least disturbed run
    wall, summary = runs[best]
    print(f"\n$ raidsim run {' '.join(args)} --out DIR   ({repeat} runs, best shown)")
    median_wall = statistics.median(w for w, _ in runs)
    print(f"  whole process      : {wall:.2f} s (median {median_wall:.2f})")
    print(
        f"  kernel (summary)   : {summary['kernel_time_s']:.2f} s "
        f"(kernel loop with writer {summary['wall_time_s']:.2f} s)"
    )
    print(f"  process / kernel   : {ratios[best]:.2f} x (median {statistics.median(ratios):.2f})")
    print("  where the time goes (one instrumented run):")
    out = work / "phases"
    p = phases(["run", *args], out)
    kernel_s = json.loads((out / "summary.json").read_text(encoding="utf-8"))["kernel_time_s"]
    print_breakdown(p, kernel_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command line")
    parser.add_argument(
        "--bytecode",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="let the children cache bytecode (outside the source tree), as an install does",
    )
    parser.add_argument(
        "--report",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only with (--report) or without (--no-report) report.html; default both",
    )
    opts = parser.parse_args()
    variants = {None: [["--quiet"], ["--quiet", "--no-report"]], True: [["--quiet"]]}
    variants[False] = [["--quiet", "--no-report"]]
    with tempfile.TemporaryDirectory(prefix="bench_startup.") as tmp:
        work = Path(tmp)
        if opts.bytecode:
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        bytecode = "on" if opts.bytecode or not sys.flags.dont_write_bytecode else "off"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs (load {load:.1f}), "
            f"bytecode cache {bytecode}"
        )
        run_once([*raidsim_cmd(), "run", "--quiet", "--no-report"], work / "warm")  # warm-up
        for args in variants[opts.report]:
            bench(args, max(1, opts.repeat), work)


if __name__ == "__main__":
    main()
