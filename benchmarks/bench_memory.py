"""Peak memory of the telemetry commands, telemetry size per driven hour, before and after.

For the default 50 km stage and a synthetic 800 km special (the 800 km stage of
``bench_qss.py`` written as a stage TOML), each command runs in its own process and its peak
resident set size is read from ``os.wait4`` (the kernel's ``ru_maxrss`` of that child):

* ``raidsim run STAGE --no-report``: the transient run, streaming ``telemetry.parquet``;
* ``raidsim export RUN --format csv`` and ``--format ld``;
* ``raidsim report RUN``.

"after" is this checkout; "before" is another source tree (``--base``, default /tmp/base/src,
run with ``PYTHONPATH``). Each tree first makes a short warm-up run so its Numba cache is warm.
A "before" command that needs more memory than ``--limit-gb`` (address-space limit) or time
than ``--timeout-s`` is reported as failed with the last line it printed.

Checks printed at the end: peak RSS <= 1 GB on the 800 km special and within 1.5x of the
50 km stage's, telemetry <= 60 MB per driven hour. (The whole-process time of ``raidsim
run`` against the kernel's own time is ``bench_startup.py``'s.)

Run: python benchmarks/bench_memory.py [--km 800] [--no-base] [--skip-long] [--keep DIR]
The 800 km run takes ~1 min of kernel per tree (and "before" needs ~7 GB); the CSV of the
800 km special is ~2.5 GB on disk (deleted after it is measured unless --keep).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "from raidsim.cli import main; main()"  # as the console script

LONG_STAGE = """\
name = "synthetic-{km}km"
description = "synthetic {km} km special (benchmarks/bench_memory.py)"
seed = 3
default_surface = "gravel"

[synthetic_route]
length_km = {km}

[[sections]]
start_km = {s1a}
end_km = {s1b}
surface = "sand_firm"

[[sections]]
start_km = {s2a}
end_km = {s2b}
surface = "rocky"

[[sections]]
start_km = {s3a}
end_km = {s3b}
surface = "whoops"

[[dunes]]
start_km = {d1a}
end_km = {d1b}
crest_spacing_m = 120.0
height_m = 4.0
"""
WARM_STAGE = """\
name = "warm-up"
seed = 0
[synthetic_route]
length_km = 0.5
"""


def long_stage_toml(km: float) -> str:
    """bench_qss's 800 km stage without its 60 km hard section (at 170 km/h there the
    driver of ea34948 leaves the route at km 757.8: a run that stops writes no telemetry),
    sections scaled with the length."""
    f = km / 800.0
    marks = {
        "s1a": 100, "s1b": 180, "s2a": 300, "s2b": 360, "s3a": 500, "s3b": 520,
        "d1a": 200, "d1b": 280,
    }  # fmt: skip
    return LONG_STAGE.format(km=km, **{k: round(v * f, 3) for k, v in marks.items()})


@dataclass
class Measured:
    rc: int
    wall_s: float
    peak_mb: float
    tail: str

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def cell(self) -> str:
        if not self.ok:
            return f"failed ({self.tail[:60]})"
        return f"{self.peak_mb:7.0f} MB {self.wall_s:6.1f} s"


def measure(
    args: list[str], pythonpath: str | None, timeout_s: float, limit_gb: float | None
) -> Measured:
    """Run ``raidsim ARGS`` in a child process; its wall time and peak RSS (os.wait4)."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)

    def limit() -> None:  # in the child, before exec
        if limit_gb:
            cap = int(limit_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,
            cwd=ROOT,
        )
        deadline = t0 + timeout_s
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        proc.returncode = 0  # reaped by wait4 above
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tail = lines[-1].strip() if lines else ""
    if timed_out:
        tail = f"timeout after {timeout_s:.0f} s; {tail}"
    rc = -1 if timed_out else os.waitstatus_to_exitcode(status)
    return Measured(rc, wall, usage.ru_maxrss / 1024.0, tail)


def driven_hours(run_dir: Path) -> float:
    summary = json.loads((run_dir / "summary.json").read_text("utf-8"))
    return float(summary["stage_time_s"]) / 3600.0


def bench_tree(
    label: str,
    pythonpath: str | None,
    stages: list[tuple[str, str]],
    work: Path,
    timeout_s: float,
    limit_gb: float | None,
    keep: bool,
) -> dict[tuple[str, str], Measured | float]:
    """Every command on every stage with one source tree; also MB per driven hour."""
    out: dict[tuple[str, str], Measured | float] = {}
    warm = work / "warm-up.toml"
    warm.write_text(WARM_STAGE, "utf-8")
    m = measure(
        ["run", str(warm), "--out", str(work / f"{label}-warm"), "--quiet", "--no-report"],
        pythonpath,
        900.0,
        None,
    )
    print(f"[{label}] warm-up run (Numba cache): {m.wall_s:.1f} s, rc {m.rc}", flush=True)
    for name, stage in stages:
        run_dir = work / f"{label}-{name}"
        m = measure(
            ["run", stage, "--out", str(run_dir), "--quiet", "--no-report"],
            pythonpath,
            timeout_s,
            None,
        )
        out[(name, "run")] = m
        print(f"[{label}] {name}: run {m.cell()}", flush=True)
        if not m.ok:
            continue
        size_mb = (run_dir / "telemetry.parquet").stat().st_size / 1e6
        out[(name, "MB/h")] = size_mb / driven_hours(run_dir)
        for fmt in ("csv", "ld"):
            target = work / f"{label}-{name}.{fmt}"
            m = measure(
                ["export", str(run_dir), "--format", fmt, "--out", str(target)],
                pythonpath,
                timeout_s,
                limit_gb,
            )
            out[(name, f"export {fmt}")] = m
            print(f"[{label}] {name}: export {fmt} {m.cell()}", flush=True)
            if not keep:
                target.unlink(missing_ok=True)
                target.with_suffix(".ldx").unlink(missing_ok=True)
        m = measure(
            ["report", str(run_dir), "--out", str(work / f"{label}-{name}.html")],
            pythonpath,
            timeout_s,
            limit_gb,
        )
        out[(name, "report")] = m
        print(f"[{label}] {name}: report {m.cell()}", flush=True)
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="/tmp/base/src", help="'before' source tree (src dir)")
    ap.add_argument("--no-base", action="store_true", help="measure this checkout only")
    ap.add_argument("--km", type=float, default=800.0, help="length of the long special")
    ap.add_argument("--skip-long", action="store_true", help="the default stage only")
    ap.add_argument("--timeout-s", type=float, default=900.0)
    ap.add_argument("--limit-gb", type=float, default=12.0, help="'before' exports/report cap")
    ap.add_argument("--keep", type=Path, default=None, help="keep the files in this directory")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="raidsim-bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    stages: list[tuple[str, str]] = [("50 km", "default")]
    if not args.skip_long:
        long_path = work / f"synthetic-{args.km:g}km.toml"
        long_path.write_text(long_stage_toml(args.km), "utf-8")
        stages.append((f"{args.km:g} km", str(long_path)))
    # "after" is the tree this script is in (PYTHONPATH, not whatever raidsim is installed)
    trees: list[tuple[str, str | None, float | None]] = [("after", str(ROOT / "src"), None)]
    if not args.no_base and Path(args.base).is_dir():
        trees.insert(0, ("before", args.base, args.limit_gb))
    results = {
        label: bench_tree(label, pp, stages, work, args.timeout_s, lim, args.keep is not None)
        for label, pp, lim in trees
    }

    print("\npeak resident memory and wall time per command (one process each)")
    labels = [t[0] for t in trees]
    print(f"  {'stage':8s} {'command':12s} " + " ".join(f"{lab:>36s}" for lab in labels))
    for name, _ in stages:
        for cmd in ("run", "export csv", "export ld", "report"):
            cells = []
            for lab in labels:
                m = results[lab].get((name, cmd))
                cells.append(f"{m.cell() if isinstance(m, Measured) else '-':>36s}")
            print(f"  {name:8s} {cmd:12s} " + " ".join(cells))
        cells = []
        for lab in labels:
            v = results[lab].get((name, "MB/h"))
            text = f"{v:.1f} MB per driven hour" if isinstance(v, float) else "-"
            cells.append(f"{text:>36s}")
        print(f"  {name:8s} {'telemetry':12s} " + " ".join(cells))

    after = results["after"]
    print("\nchecks (after):")
    mbh = [v for (_, k), v in after.items() if k == "MB/h" and isinstance(v, float)]
    verdict = "ok" if max(mbh) <= 60 else "FAIL"
    print(f"  telemetry <= 60 MB per driven hour: {max(mbh):.1f} -> {verdict}")
    if len(stages) > 1:
        short, long = stages[0][0], stages[1][0]
        for cmd in ("run", "export csv", "export ld", "report"):
            a, b = after.get((short, cmd)), after.get((long, cmd))
            if isinstance(a, Measured) and isinstance(b, Measured) and a.ok and b.ok:
                ratio = b.peak_mb / a.peak_mb
                ok = b.peak_mb <= 1024 and ratio <= 1.5
                print(
                    f"  {cmd:10s}: {long} peak {b.peak_mb:.0f} MB (<= 1024), "
                    f"{ratio:.2f}x the {short} stage's (<= 1.5) -> {'ok' if ok else 'FAIL'}"
                )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
