"""The README's promises about the repository stay true."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_ci_runs_exactly_the_readme_test_command():
    setup_and_open, setup_and_test = readme_commands()[:2]
    ci_lines = [
        line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert setup_and_test in ci_lines
    assert setup_and_test.endswith("python -m pytest")
    # Both commands make the virtual environment the same way; the learner's installs the learner's
    # requirements, the test command the development ones (which start from the learner's).
    open_steps, test_steps = setup_and_open.split(" && "), setup_and_test.split(" && ")
    assert open_steps[0] == test_steps[0] == "python3 -m venv .venv"
    # --no-compile: pip writes no bytecode for the whole stack; Python compiles what a learner uses.
    assert open_steps[1] == ".venv/bin/python -m pip install --no-compile -r requirements.txt"
    assert test_steps[1] == ".venv/bin/python -m pip install -r requirements-dev.txt"


def test_readme_open_command_points_at_something_that_exists():
    setup_and_open = readme_commands()[0]
    target = setup_and_open.split("jupyter lab")[1].strip()
    assert (ROOT / target).exists(), target


LEARNER_PACKAGES = ("numpy", "matplotlib", "jupyterlab", "ipykernel", "ipywidgets", "nbval", "tqdm")
# What only tests, teachers, contributors or the hub need: never in the learner's install.
DEV_ONLY = ("pytest", "hypothesis", "ruff", "playwright", "jupyterhub", "sphinx", "myst-nb", "jieba")


def requirement_names(path):
    """The package names a requirements file lists itself (not through ``-r``), lowercased."""
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower())
    return names


def test_learner_requirements_name_the_course_and_no_dev_tool():
    learner = requirement_names(ROOT / "requirements.txt")
    for pkg in LEARNER_PACKAGES:
        assert pkg in learner, pkg
    for pkg in DEV_ONLY:
        assert pkg not in learner, f"{pkg} belongs in requirements-dev.txt"
    assert re.search(r"^-e \.$", (ROOT / "requirements.txt").read_text(), re.M)


def test_dev_requirements_start_from_the_learner_ones_and_add_the_tools():
    dev_path = ROOT / "requirements-dev.txt"
    assert dev_path.read_text().splitlines()[0] == "-r requirements.txt"
    included = re.findall(r"^-r (\S+)$", dev_path.read_text(), re.M)
    dev = requirement_names(dev_path)
    for path in included[1:]:
        dev += requirement_names(ROOT / path)
    for pkg in DEV_ONLY:
        assert pkg in dev, pkg


def test_binder_pins_python_and_installs_the_learner_requirements():
    # repo2docker reads binder/ alone when it exists: `python-X.Y` from runtime.txt, then
    # `pip install -r binder/requirements.txt` run from the repository's root.
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    lines = [
        line
        for line in (ROOT / "binder/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-r ../requirements.txt"]
    assert re.search(r"^requires-python = \">=3\.11\"$", (ROOT / "pyproject.toml").read_text(), re.M)


def test_committed_data_matches_its_checksums():
    import hashlib

    sums = dict(
        reversed(line.split())
        for line in (ROOT / "data/mnist/SHA256SUMS").read_text().splitlines()
        if line.strip()
    )
    assert len(sums) == 4
    for name, digest in sums.items():
        assert hashlib.sha256((ROOT / "data/mnist" / name).read_bytes()).hexdigest() == digest


def test_public_api_is_importable_from_the_package():
    import course_utils

    for name in course_utils.__all__:
        assert hasattr(course_utils, name), name
    for name in (
        "softmax",
        "log_softmax",
        "softmax_jacobian",
        "softmax_vjp",
        "cross_entropy",
        "cross_entropy_grad",
        "binary_cross_entropy",
        "ACTIVATIONS",
        "numerical_gradient",
        "rel_error",
        "check_gradients",
        "TwoLayerNet",
        "load_mnist",
        "gradient_mismatch",
        "diagnose",
    ):
        assert name in course_utils.__all__, name


COLLECT_TIMEOUTS = """
import sys
import pytest

class Report:
    @pytest.hookimpl(trylast=True)  # after every other plugin's change to the items
    def pytest_collection_modifyitems(self, items):
        print("TIMEOUTS", sorted({getattr(item, "output_timeout", None) for item in items}))

# The test command's own options come from pyproject.toml; -n 0 collects in this process.
sys.exit(pytest.main(["-q", "--collect-only", "-n", "0", *sys.argv[1:]], plugins=[Report()]))
"""


def test_nbval_waits_for_a_slow_kernel_s_output(pytestconfig):
    """The plugin in tests/nbval_patience.py, loaded by the test command, reaches every cell nbval runs.

    nbval keeps its 5-second wait on each cell's item: a plugin that set it anywhere else (it once set
    it on the notebook) would leave every cell at 5 s, and a slow kernel would fail a correct notebook.
    """
    plugin = pytestconfig.pluginmanager.get_plugin("tests.nbval_patience")
    assert plugin is not None and plugin.OUTPUT_TIMEOUT == 60
    run = subprocess.run(
        [sys.executable, "-c", COLLECT_TIMEOUTS, "notebooks/solutions/01_softmax.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "TIMEOUTS [60]" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]


def test_every_way_to_host_the_course_installs_the_chinese_font():
    """The Chinese edition's figures need a CJK font wherever the course runs: CI, Binder, the hub."""
    assert "fonts-noto-cjk" in (ROOT / ".ci/run").read_text()
    assert (ROOT / "binder/apt.txt").read_text().split() == ["fonts-noto-cjk"]  # repo2docker's apt list
    assert "fonts-noto-cjk" in (ROOT / "hub/README.md").read_text()


def test_the_suite_runs_on_two_workers_a_file_at_a_time_with_the_machine_s_own_tests_apart(pytestconfig):
    """The test command's xdist settings (pyproject.toml) and the schedule of tests/xdist_schedule.py."""
    import tomllib

    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    joined = " ".join(addopts)
    assert "-n 2" in joined and "--dist loadfile" in joined and "-p tests.xdist_schedule" in joined
    schedule = pytestconfig.pluginmanager.get_plugin("tests.xdist_schedule")
    assert schedule is not None
    # A renamed file would silently leave the unit (and run beside the hub): every name must exist.
    for path in schedule.FIRST:
        assert (ROOT / path).is_file(), path
    units = {schedule.scope_of(f"{path}::test_a") for path in schedule.MACHINE}
    assert units == {schedule.MACHINE_UNIT}
    # The website's tests are long but need no accounts: a unit of their own, started early.
    assert schedule.scope_of("tests/test_site.py::test_a") == "tests/test_site.py"
    assert schedule.rank("tests/test_site.py::test_a") < schedule.rank("tests/test_softmax.py::test_a")
    cells = [f"notebooks/solutions/01_softmax.ipynb::Cell {i}" for i in range(3)]
    assert {schedule.scope_of(c) for c in cells} == {"notebooks/solutions/01_softmax.ipynb"}
    assert schedule.scope_of("tests/test_softmax.py::test_a") != schedule.scope_of(
        "tests/test_losses.py::test_a"
    )
    # The order in a worker: the machine's tests, then test_any_machine, then the rest as collected,
    # each file's tests (each notebook's cells) in their own order.
    collected = [
        *cells,
        "tests/test_sandbox.py::test_s",
        "tests/test_any_machine.py::test_m",
        "tests/test_hub.py::test_h",
    ]
    ordered = sorted(collected, key=schedule.rank)
    assert ordered == [
        "tests/test_hub.py::test_h",
        "tests/test_sandbox.py::test_s",
        "tests/test_any_machine.py::test_m",
        *cells,
    ]
