"""A pytest plugin (``-p tests.xdist_schedule`` in pyproject.toml): how pytest-xdist shares the suite.

The suite runs on two workers (``-n 2``), one per core of CI's machine, a file at a time, as
``--dist loadfile`` does: every cell of a notebook runs in order in one kernel on one worker, as
strict nbval needs. Two things differ from plain ``loadfile``:

- The tests that use the whole machine (real accounts and a hub, a browser, the grading sandbox)
  form one unit, so they run one after another on one worker and never beside each other; the
  other worker meanwhile runs the unit tests and the notebooks.
- The longest units start first (that unit, then ``tests/test_any_machine.py`` and the website's
  tests), so neither worker is left with a long file at the end while the other has finished.

Without xdist (``-n 0``, or ``-p no:xdist`` with the ``-n`` options removed) nothing changes: the
order below is applied only inside an xdist worker.
"""

import os

import pytest

# The files that use the whole machine, in the order they run in their unit: the longest first, so
# that the worker running them takes other work only when the short tests of the unit are left.
MACHINE = (
    "tests/test_hub.py",
    "tests/test_browser.py",
    "tests/test_sandbox.py",
)
MACHINE_UNIT = "the machine's own tests"
# Then the longest single files: strict nbval on every solution notebook once more, and the website
# (its build and its Chromium tests: a browser of its own and a local server on a free port, so it may
# run beside the machine's own tests).
FIRST = MACHINE + ("tests/test_any_machine.py", "tests/test_site.py")


def scope_of(nodeid):
    """The unit a test runs in: its file, or :data:`MACHINE_UNIT` for the files in :data:`MACHINE`.

    >>> scope_of("tests/test_hub.py::test_a")
    "the machine's own tests"
    >>> scope_of("notebooks/solutions/01_softmax.ipynb::Cell 3")
    'notebooks/solutions/01_softmax.ipynb'
    """
    path = nodeid.split("::", 1)[0]
    return MACHINE_UNIT if path in MACHINE else path


def rank(nodeid):
    """Where a test's file goes in the run: the files of :data:`FIRST` in their order, then the rest."""
    path = nodeid.split("::", 1)[0]
    return FIRST.index(path) if path in FIRST else len(FIRST)


def pytest_collection_modifyitems(items):
    # Inside a worker only: a stable sort, so each file's tests (each notebook's cells) keep their order.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: rank(item.nodeid))


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's: no error when it is not installed
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    # Units in the order the workers collected them (the order above), not by their number of tests.
    config.option.loadscopereorder = False

    class MachineAwareFileScheduling(LoadScopeScheduling):
        """``--dist loadfile``, but with the machine's own tests as one unit (see the module)."""

        def _split_scope(self, nodeid):
            return scope_of(nodeid)

    return MachineAwareFileScheduling(config, log)
