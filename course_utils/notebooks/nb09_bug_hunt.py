"""Companion of notebook 09 · Bug hunt.

The bug gallery and the checkers of the bias exercise and the mysteries.
"""

import numpy as np

from .. import bugs, svg
from ..i18n import _
from ..softmax import softmax
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._view import LiveView


def bug_state(key):
    """The gradient-check report of one catalogued bug and what ``diagnose`` makes of it, given
    also the same gradients checked against the cross-entropy."""
    if key not in bugs.BUGS:
        raise ValueError(f"unknown bug {key!r}; choose one of {', '.join(bugs.BUGS)}")
    report = bugs.check_bug(key)
    recheck = bugs.check_bug(key, against="cross_entropy")
    return {
        "bug": bugs.BUGS[key],
        "report": report,
        "diagnosis": bugs.diagnose(report, cross_entropy_report=recheck),
        "errors": report.errors,
    }


def describe_bug(state):
    b = state["bug"]
    return _("{title}. Wrong: {wrong}. Fix: {fix}. Diagnosis: {diagnosis}").format(
        title=b.title, wrong=b.wrong, fix=b.fix, diagnosis=state["diagnosis"][0]
    )


@svg.picture
def draw_bug(state):
    """The bug's gradient-check report as a table: each tensor, its shape, ok or FAIL, the ratio."""
    r = state["report"]
    rows = [
        [
            n,
            str(t.shape),
            _("FAIL") if not t.ok else _("ok"),
            f"{r.ratios[n]:.3g}" if not t.ok and np.isfinite(r.ratios[n]) else "",
        ]
        for n, t in r.tensors.items()
    ]
    return svg.table([_("tensor"), _("shape"), _("check"), _("numerical/analytic")], rows)


def bug_widget():
    import ipywidgets as w

    options = [(str(b.title), k) for k, b in bugs.BUGS.items()]
    controls = {
        "key": w.Dropdown(
            options=options, value=options[0][1], description=_("bug"), layout=w.Layout(width="480px")
        )
    }
    return LiveView(
        controls,
        compute=bug_state,
        draw=lambda s, **_: draw_bug(s),
        describe=lambda s, **_: describe_bug(s),
    )


def _number(key):
    """A mystery's number, written 1 or "1"."""
    return int(key) if isinstance(key, str) and key.strip().isdigit() else key


def _key(answer):
    """A bug named by its key, by its title (English, or as shown), or by the catalogue entry itself."""
    for key, bug in bugs.BUGS.items():
        text = answer.strip().lower() if isinstance(answer, str) else None
        if answer is bug or text in (key.lower(), bug.title.lower(), str(bug.title).lower()):
            return key
    return answer


def check_mysteries(answers):
    """Exercise: ``answers`` maps mystery number (1-5) to a key of ``bugs.BUGS``; one line each."""
    if not isinstance(answers, dict):
        return Feedback(
            "mysteries",
            "error",
            _("answers must be a dict number -> bug key, got {kind}").format(kind=type(answers).__name__),
        )
    answers = {_number(k): _key(v) for k, v in answers.items()}
    lines, right = [], 0
    for number, truth in enumerate(bugs.MYSTERIES, start=1):
        guess = answers.get(number)
        if guess is None or guess is ...:
            lines.append("  " + _("mystery {number}: no answer yet").format(number=number))
        elif guess not in bugs.BUGS:
            shown = guess if isinstance(guess, str) else type(guess).__name__
            lines.append(
                "  "
                + _("mystery {number}: {shown!r} is not a key of bugs.BUGS; the keys are {keys}").format(
                    number=number, shown=shown, keys=", ".join(bugs.BUGS)
                )
            )
        elif guess == truth:
            right += 1
            lines.append(
                "  " + _("mystery {number}: ✓ {title}").format(number=number, title=bugs.BUGS[truth].title)
            )
        else:
            hint = sorted(bugs.BUGS[truth].flags)
            if bugs.BUGS[guess].flags == bugs.BUGS[truth].flags:
                lines.append(
                    "  "
                    + _(
                        "mystery {number}: ✗ not {title}, though it fails the same "
                        "tensors ({tensors}): tell them apart by the ratios, and by whether the "
                        "same gradients pass against the cross-entropy"
                    ).format(number=number, title=bugs.BUGS[guess].title, tensors=", ".join(hint))
                )
            else:
                lines.append(
                    "  "
                    + _(
                        "mystery {number}: ✗ not {title}; the tensors that fail "
                        "are {tensors}: which bugs touch exactly those?"
                    ).format(number=number, title=bugs.BUGS[guess].title, tensors=", ".join(hint))
                )
    status = "correct" if right == len(bugs.MYSTERIES) else "wrong"
    if all(answers.get(n) in (None, ...) for n in range(1, len(bugs.MYSTERIES) + 1)):
        status = "not implemented"
    solved = _("{right} of {total} solved").format(right=right, total=len(bugs.MYSTERIES))
    return Feedback("mysteries", status, solved + "\n" + "\n".join(lines))


def _db2(h, y):
    d = h.sum(axis=0)
    np.subtract.at(d, y, 1)
    return d / h.shape[0]


def check_bias_gradient(fn):
    """Exercise: ``db2(h, y)``, the bias gradient of the mean cross-entropy, with repeated labels."""
    cases = [
        (softmax(normal(43, (6, 4))), np.array([1, 1, 3, 0, 1, 3])),
        (softmax(normal(44, (5, 3))), np.array([2, 2, 2, 2, 2])),
        (softmax(normal(47, (4, 4))), np.array([0, 1, 1, 0])),  # classes 2 and 3 have no sample
    ]

    def fancy(h, y):
        d = h.sum(axis=0) / h.shape[0]
        d[y] -= 1 / h.shape[0]
        return d

    mistakes = [
        (
            fancy,
            _(
                "d[y] -= 1/N subtracts once per distinct label, not once per sample: use "
                "np.subtract.at(d, y, 1/N) or np.bincount(y, minlength=C)"
            ),
        ),
        (lambda h, y: _db2(h, y) * h.shape[0], _("N times too large: where did the 1/N of the mean go?")),
    ]
    return run_checks(
        "bias_gradient",
        fn,
        cases,
        _db2,
        mistakes,
        section=see("09_bug_hunt", "The gallery"),
        success=_("Σ_n (h_n − t_n) / N, every repeated label counted"),
    )


GRADED = [
    Exercise(
        "bias_gradient",
        "db2",
        check_bias_gradient,
        _db2,
        lambda: (softmax(hidden_rng(24).normal(size=(8, 3))), np.array([0, 0, 0, 2, 2, 1, 0, 2])),
    ),
]
"""The exercise of notebook 09 that a function answers, as the teacher's grader scores it (the
mysteries are scored one point each by the grader itself)."""
