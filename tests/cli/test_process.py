"""What the console process does once: how it ends (exit status, threads, ``atexit``,
flushed output) and Numba's start without the BLAS probe (nothing raidsim compiles
depends on it; SciPy and BLAS work as usual afterwards)."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import raidsim
from raidsim.cli import process


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (3, 3), ("bad", 1)])
def test_exit_status_is_the_interpreters(
    code: object, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert process.exit_status(code) == status
    assert capsys.readouterr().err == ("bad\n" if code == "bad" else "")


def test_end_process_waits_for_threads_runs_atexit_and_flushes(tmp_path: Path) -> None:
    """The process ends with the command's status after its non-daemon threads (an idle
    thread pool left open does not hang it), with the ``atexit`` handlers run and
    buffered output written."""
    marker = tmp_path / "thread-done"
    code = (
        "import atexit, sys, threading, time\n"
        "from raidsim.cli.process import end_process\n"
        f"def work():\n    time.sleep(0.3)\n    open({str(marker)!r}, 'w').write('x')\n"
        "threading.Thread(target=work).start()\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "pool = ThreadPoolExecutor(2); pool.submit(time.sleep, 0.01).result()  # left open\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "sys.stdout.write('buffered ' * 1000)\n"
        "end_process(3)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 3
    assert marker.read_text() == "x"
    assert out.stdout.count("buffered") == 1000 and out.stdout.endswith("atexit ran\n")


def test_console_script_exit_codes_and_output() -> None:
    """The console entry's fast exit keeps each status and all of the output."""
    entry = "import sys; sys.argv[0] = 'raidsim'; from raidsim.cli import main; main()"
    ok = subprocess.run([sys.executable, "-c", entry, "presets"], capture_output=True, text=True)
    assert ok.returncode == 0 and "d7x-r" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-c", entry, "run", "no-such-stage.gpx", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "no-such-stage" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_numba_loads_without_scipy_and_blas_works_afterwards() -> None:
    code = (
        "import json, sys\n"
        "import numpy as np\n"
        "from numba import njit\n"
        "from raidsim.cli.process import load_numba_without_blas_probe\n"
        "skipped = load_numba_without_blas_probe()\n"
        "from raidsim.physics.tyre import load_linear\n"
        "jitted = njit(lambda a, b: a + b)(1.0, 2.0)\n"
        "loaded = 'scipy.linalg' in sys.modules\n"
        "dot = njit(lambda a, b: np.dot(a, b))(np.ones(3), np.ones(3))\n"
        "import scipy.linalg\n"
        "print(json.dumps([skipped, loaded, jitted, dot, "
        "'scipy.linalg.cython_blas' in sys.modules, load_numba_without_blas_probe()]))\n"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    # skipped, SciPy not loaded by Numba's start, jitted code runs, a jitted np.dot finds
    # BLAS, SciPy imports, and a second call does nothing
    assert json.loads(out.stdout) == [True, False, 3.0, 3.0, True, False]


def test_no_jitted_function_calls_what_the_blas_probe_decides() -> None:
    """Numba's probe only picks BLAS or a loop for ``np.correlate``/``np.convolve``:
    none of raidsim's jitted functions may call them (their results would then depend on
    how the process started)."""
    from numba.core.registry import CPUDispatcher

    jitted = []
    for info in pkgutil.walk_packages(raidsim.__path__, "raidsim."):
        if info.name.endswith(".__main__"):  # runs the command line
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == info.name:
                jitted.append(value.py_func)
    assert len(jitted) > 50  # the kernels' parts, loops and entries
    for fn in jitted:
        source = inspect.getsource(fn)
        for name in ("correlate", "convolve"):
            assert f"np.{name}(" not in source, f"{fn.__module__}.{fn.__qualname__}"
