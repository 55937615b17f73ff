"""One companion module per notebook: its widgets, its static figures and its exercise checkers.

``notebooks/solutions/05_fused_cross_entropy.ipynb`` imports
``course_utils.notebooks.nb05_fused_cross_entropy`` and nothing else of this package, so a maintainer
who changes notebook 05 opens one file. The shared mathematics lives in the topic modules of
``course_utils`` (``softmax``, ``losses``, ...), which import nothing from here; what the companions
share is in ``_view`` (the live view) and ``_checking`` (the checker runner).
"""

import importlib

NOTEBOOKS = (
    "00_start_here",
    "01_softmax",
    "02_softmax_jacobian",
    "03_kronecker_delta",
    "04_chain_rule_reduction",
    "05_fused_cross_entropy",
    "06_gradient_checking",
    "07_mismatch_lab",
    "08_mnist_two_layer_net",
    "09_bug_hunt",
    "10_computational_graph",
    "11_choosing_the_cost",
)


def companion(notebook):
    """The companion module of a notebook, by the notebook's name (``"02_softmax_jacobian"``)."""
    if notebook not in NOTEBOOKS:
        raise ValueError(f"unknown notebook {notebook!r}; choose one of {', '.join(NOTEBOOKS)}")
    return importlib.import_module(f"{__name__}.nb{notebook}")
