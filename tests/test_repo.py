"""The README's promises about the repository stay true."""

import re
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
    # Both commands set up the same way.
    assert setup_and_open.split("&&")[:2] == setup_and_test.split("&&")[:2]


def test_readme_open_command_points_at_something_that_exists():
    setup_and_open = readme_commands()[0]
    target = setup_and_open.split("jupyter lab")[1].strip()
    assert (ROOT / target).exists(), target


def test_requirements_name_every_package_and_the_course_itself():
    req = (ROOT / "requirements.txt").read_text()
    for pkg in ("numpy", "matplotlib", "jupyterlab", "ipywidgets", "nbval", "pytest"):
        assert re.search(rf"^{pkg}\b", req, re.M), pkg
    assert re.search(r"^-e \.$", req, re.M)


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
