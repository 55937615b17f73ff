"""Notebook 04's listing of the learner's backward pass: its source as the notebook shows it, with the
docstring and comments in the reader's language.
"""

import inspect

from ..i18n import N_, _

# The docstring and comments of bugs.learner_backward, for the Chinese edition's listing (the tests
# check that these are the function's own words).
_LISTING = (
    N_(
        "The learner's FC → ReLU → FC → softmax backward pass, transcribed (the mask line repaired).\n\n"
        '``eq1="posted"`` multiplies elementwise by ``(1/a2) * mask``; ``eq1="commented"`` uses the\n'
        "commented line ``-(1/a2[range(N), y])[:, None] * da2 / N``. ``aliasing=True`` keeps\n"
        "``da1 = a1``, which overwrites the activations with the ReLU mask."
    ),
    N_('"derivative of softmax": row y_n of each sample\'s Jacobian, h_y (delta_yj - h_j)'),
    N_('"derivative of ReLU"'),
)


def _indented(text):
    """A docstring as it sits in a function body: every line after the first indented by 4."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [("    " + line).rstrip() for line in rest])


def listing(fn):
    """The source of ``fn`` as the notebook shows it: its docstring and comments in the reader's language."""
    source = inspect.getsource(fn)
    doc = inspect.getdoc(fn)
    if doc:
        source = source.replace(_indented(doc), _indented(_(doc)), 1)
    lines = []
    for line in source.split("\n"):
        code, sep, comment = line.partition("# ")
        if sep and not code.strip():
            line = code + sep + _(comment)
        lines.append(line)
    return "\n".join(lines)
