"""A pytest plugin (``-p tests.nbval_patience`` in pyproject.toml): nbval waits longer for output.

nbval fails a cell when its kernel sends no message for 5 seconds after the cell has run (a constant
in nbval, not an option). On a loaded machine, a CI runner or a class server, a kernel that has just
trained a network can be that slow to send its last messages, and a correct notebook failed that
way once. Waiting up to 60 seconds changes no comparison: every output is still checked.
"""

OUTPUT_TIMEOUT = 60


def pytest_collection_modifyitems(items):
    # nbval keeps the wait on each cell's item (``IPyNbCell.output_timeout``), not on its notebook.
    for item in items:
        if getattr(item, "output_timeout", None) is not None:
            item.output_timeout = OUTPUT_TIMEOUT
