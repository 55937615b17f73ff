"""The stored outputs hold on another machine: strict nbval with one BLAS thread and another CPU kernel.

The main run compares every notebook with NumPy's default threads and the kernel OpenBLAS picks
for this CPU. A learner's laptop, a class server (``OPENBLAS_NUM_THREADS=1`` for every learner) or
another CI runner differs in both. This test runs strict nbval once more, in a subprocess, on the
solution notebooks of both editions, with ``OPENBLAS_NUM_THREADS=1`` and
``OPENBLAS_CORETYPE`` set to a kernel this CPU can run other than the one it picks by itself.
A stored output that encodes the machine (round-off printed digit for digit, weights trained on
one thread split) fails here. ``tests/test_threads.py`` checks the policy that keeps the thread
count out of the results.
"""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "notebooks" / "zh" / "solutions").glob("[0-9][0-9]_*.ipynb")
)

# OpenBLAS kernels (OPENBLAS_CORETYPE names) with the CPU features each needs, newest first.
X86_KERNELS = (
    ("SkylakeX", ("AVX512F", "AVX512BW", "AVX512DQ", "AVX512VL")),
    ("Haswell", ("AVX2", "FMA3")),
    ("Sandybridge", ("AVX",)),
    ("Nehalem", ("SSE42",)),
)
ARM_KERNELS = (("NeoverseN1", ("ASIMD",)), ("ARMV8", ()))


def openblas_kernel():
    """The kernel NumPy's OpenBLAS picked for this CPU (threadpoolctl's ``architecture``)."""
    for lib in threadpool_info():
        if lib.get("internal_api") == "openblas":
            return lib.get("architecture")
    return None


PROBE = "import numpy, threadpoolctl; print([lib['architecture'] for lib in threadpoolctl.threadpool_info()])"


def other_kernel(current, machine=None, features=None):
    """A kernel this CPU can run that is not ``current``, or None when there is none.

    >>> other_kernel("Haswell", "x86_64", {"AVX2": True, "FMA3": True, "AVX": True, "SSE42": True})
    'Sandybridge'
    """
    machine = machine or platform.machine()
    if features is None:
        features = np._core._multiarray_umath.__cpu_features__
    table = X86_KERNELS if machine in ("x86_64", "AMD64") else ARM_KERNELS if machine == "aarch64" else ()
    # The first kernel below the current one that the CPU supports: an older kernel always runs.
    names = [name for name, _ in table]
    below = names.index(current) + 1 if current in names else 0
    for name, needs in table[below:]:
        if all(features.get(f, False) for f in needs):
            return name
    for name, needs in table:  # the current kernel is the oldest: take a newer one the CPU has
        if name != current and all(features.get(f, False) for f in needs):
            return name
    return None


def test_other_kernel_is_never_the_current_one_and_always_runs_here():
    features = {"AVX2": True, "FMA3": True, "AVX": True, "SSE42": True}
    assert other_kernel("Haswell", "x86_64", features) == "Sandybridge"
    assert other_kernel("SkylakeX", "x86_64", features) == "Haswell"
    assert other_kernel("Nehalem", "x86_64", features) == "Haswell"
    assert other_kernel("Zen", "x86_64", features) == "Haswell"
    assert other_kernel("Nehalem", "x86_64", {"SSE42": True}) is None
    assert other_kernel("NeoverseN1", "aarch64", {"ASIMD": True}) == "ARMV8"
    assert other_kernel("ARMV8", "aarch64", {"ASIMD": True}) == "NeoverseN1"


def test_solution_notebooks_pass_strict_nbval_on_one_thread_and_another_cpu_kernel():
    current = openblas_kernel()
    kernel = other_kernel(current) if current else None
    if kernel is None:
        pytest.skip(f"no second OpenBLAS kernel to try on this CPU ({platform.machine()}, {current})")
    # Nothing of the course's settings, nor of the xdist worker this test may run in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "PYTEST_XDIST_"))}
    env.update(OPENBLAS_NUM_THREADS="1", OPENBLAS_CORETYPE=kernel)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert kernel.lower() in probe.stdout.lower(), (
        f"OpenBLAS ignored OPENBLAS_CORETYPE={kernel}: {probe.stdout}"
    )
    # Under pytest-xdist (the test command's own -n 2) the other worker has the second core: the
    # notebooks run one after another in one process. Run alone, this test takes both cores, in two
    # halves at once. Either way each run is plain pytest (-n 0): no workers of its own.
    halves = [NOTEBOOKS] if os.environ.get("PYTEST_XDIST_WORKER") else [NOTEBOOKS[0::2], NOTEBOOKS[1::2]]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-n", "0", *map(str, half)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for half in halves
    ]
    outputs = [run.communicate()[0] for run in runs]
    for run, out in zip(runs, outputs):
        summary = "\n".join(out.splitlines()[-40:])
        assert run.returncode == 0, (
            f"strict nbval failed with OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE={kernel} "
            f"(this CPU's own kernel is {current}):\n{summary}"
        )
    english = [path for path in NOTEBOOKS if "zh" not in path.parts]
    assert sum(len(h) for h in halves) == len(NOTEBOOKS) == 2 * len(english) == 24  # 00-11, both editions
