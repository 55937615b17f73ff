"""Companion of notebook 09 · Bug hunt.

The bug gallery, the checkers of the bias exercise and the mysteries, and the committed prediction."""

import difflib

import numpy as np

from .. import bugs, svg
from ..i18n import _
from ..losses import cross_entropy_grad
from ..softmax import softmax
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._nb05_09_predictions import Prediction, double_softmax_choice  # noqa: F401 - the committed prediction
from ._nb09_mistakes import _columns_of_labels, _rows_of_labels, bias_gradient_mistakes
from ._partial_loops import part_of_the_batch
from ._view import LiveView
from ._when_raised import named_raise, raises_like


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


def _not_a_key(number, guess):
    """The line for an answer that is no key of ``bugs.BUGS``, with the nearest key if there is one."""
    shown = guess if isinstance(guess, (str, int, float)) else type(guess).__name__
    near = difflib.get_close_matches(guess, list(bugs.BUGS), n=1) if isinstance(guess, str) else []
    if near:
        return _("mystery {number}: {shown!r} is not a key of bugs.BUGS: did you mean {near!r}?").format(
            number=number, shown=shown, near=near[0]
        )
    return _("mystery {number}: {shown!r} is not a key of bugs.BUGS; the keys are {keys}").format(
        number=number, shown=shown, keys=", ".join(bugs.BUGS)
    )


def _wrong_guess(number, guess):
    """Why ``guess`` is not mystery ``number``'s bug, from running that bug on the mystery's own case."""
    title = bugs.BUGS[guess].title
    truth = bugs.mystery_report(number)
    failing = ", ".join(truth.failed)
    if bugs.BUGS[guess].square:
        return _(
            "mystery {number}: ✗ not {title}: that bug needs square shapes to run at all, and this "
            "network is 784-24-10, so it could not have printed this report (which fails {tensors})"
        ).format(number=number, title=title, tensors=failing)
    theirs = bugs.check_bug(guess, **bugs.MYSTERY_CASE)
    if not theirs.failed:
        line = _(
            "mystery {number}: ✗ not {title}: run on this case, with its {hidden} hidden layer, that bug "
            "fails no tensor at all, while the mystery fails {tensors}"
        ).format(number=number, title=title, hidden=bugs.MYSTERY_CASE["hidden"], tensors=failing)
        if guess == "derivative_at_activation" and bugs.MYSTERY_CASE["hidden"] == "relu":
            line += _(
                " (ReLU's derivative at the activation, [relu(z) > 0], is the same mask as at z, [z > 0])"
            )
        return line
    if set(theirs.failed) == set(truth.failed):
        return _(
            "mystery {number}: ✗ not {title}, though run on this case it fails the same tensors "
            "({tensors}): its ratios would be {theirs}, the mystery's are {ratios}; compare them, and "
            "whether the same gradients pass against the cross-entropy"
        ).format(
            number=number,
            title=title,
            tensors=failing,
            theirs=", ".join(f"{theirs.ratios[n]:.3g}" for n in theirs.failed),
            ratios=", ".join(f"{truth.ratios[n]:.3g}" for n in truth.failed),
        )
    return _(
        "mystery {number}: ✗ not {title}: run on this case it would fail {theirs}, but the mystery "
        "fails {tensors}: which bugs touch exactly those?"
    ).format(number=number, title=title, theirs=", ".join(theirs.failed), tensors=failing)


def check_mysteries(answers):
    """Exercise: ``answers`` maps mystery number (1-5) to a key of ``bugs.BUGS``; one line each."""
    if not isinstance(answers, dict):
        return Feedback(
            "mysteries",
            "error",
            _("answers must be a dict number -> bug key, got {kind}").format(kind=type(answers).__name__),
        )
    answers = {_number(k): _key(v) for k, v in answers.items()}
    numbers = range(1, len(bugs.MYSTERIES) + 1)
    lines, right = [], 0
    for stray in [k for k in answers if k not in numbers]:
        lines.append(
            "  "
            + _("{shown!r} is not a mystery number: the keys of answers are the numbers 1 to {last}").format(
                shown=stray, last=len(bugs.MYSTERIES)
            )
        )
    for number, truth in enumerate(bugs.MYSTERIES, start=1):
        guess = answers.get(number)
        if guess is None or guess is ...:
            lines.append("  " + _("mystery {number}: no answer yet").format(number=number))
        elif not isinstance(guess, str) or guess not in bugs.BUGS:
            lines.append("  " + _not_a_key(number, guess))
        elif guess == truth:
            right += 1
            lines.append(
                "  " + _("mystery {number}: ✓ {title}").format(number=number, title=bugs.BUGS[truth].title)
            )
        else:
            lines.append("  " + _wrong_guess(number, guess))
    status = "correct" if right == len(bugs.MYSTERIES) else "wrong"
    if all(answers.get(n) in (None, ...) for n in numbers) and all(k in numbers for k in answers):
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

    onehot = lambda h, y: np.eye(h.shape[1])[y]  # noqa: E731
    mistakes = [
        (
            fancy,
            _(
                "d[y] -= 1/N subtracts once per distinct label, not once per sample: use "
                "np.subtract.at(d, y, 1/N) or np.bincount(y, minlength=C)"
            ),
        ),
        (lambda h, y: _db2(h, y) * h.shape[0], _("N times too large: where did the 1/N of the mean go?")),
        (
            lambda h, y: (h - onehot(h, y)) / len(y),
            _("one row per sample, shape (N, C): the bias gradient sums them over the samples, axis=0"),
        ),
        (
            lambda h, y: (h - onehot(h, y)).sum(axis=1) / len(y),
            _("one number per sample, shape (N,): that sums over the classes; sum over the samples, axis=0"),
        ),
        (
            lambda h, y: (h - onehot(h, y)).sum(axis=0, keepdims=True) / len(y),
            _("shape (1, C): keepdims=True keeps a row; the bias gradient has the bias's shape, (C,)"),
        ),
        (
            lambda h, y: h.sum(axis=0) / len(y) - onehot(h, y).sum(axis=0),
            _("the label counts were not divided by N: the whole sum Σ (h_n − t_n) is divided, not only h"),
        ),
        (
            lambda h, y: (h - np.eye(h.shape[1])[y - 1]).sum(axis=0) / len(y),
            _(
                "the one-hot is shifted by one class: labels here count from 0, so t = np.eye(C)[y], "
                "not [y − 1]"
            ),
        ),
        (
            lambda h, y: (h - np.eye(h.shape[1])[(y + 1) % h.shape[1]]).sum(axis=0) / len(y),
            _(
                "the one-hot marks the next class, (y + 1) % C: labels here count from 0 and name the "
                "class itself, so t = np.eye(C)[y]"
            ),
        ),
        (
            lambda h, y: (h + onehot(h, y)).sum(axis=0) / len(y),
            _(
                "the labels were added, not subtracted: db2 = Σ (h_n − t_n) / N (np.subtract.at, "
                "not np.add.at)"
            ),
        ),
        (
            lambda h, y: -onehot(h, y).sum(axis=0) / len(y),
            _("h is missing: db2 = Σ (h_n − t_n) / N, the outputs minus the targets"),
        ),
        (
            lambda h, y: h.sum(axis=0) / len(y),
            _("the targets are missing: db2 = Σ (h_n − t_n) / N subtracts one at each sample's label"),
        ),
        (
            lambda h, y: np.mean(h - onehot(h, y)),
            _("one number: np.mean averages over the classes too; db2 has one entry per class, shape (C,)"),
        ),
        *_more_bias_mistakes(onehot),
        *bias_gradient_mistakes(),
        *part_of_the_batch(lambda h, y, rows: (h[rows] - onehot(h, y)[rows]).sum(axis=0) / len(y)),
        (
            lambda h, y: (h - onehot(h, y)).sum(axis=0) / (len(y) - 1),
            _("divided by N − 1: the cost is a plain mean over the N samples, so db2 = Σ (h_n − t_n) / N"),
        ),
        (
            lambda h, y: np.median(h - onehot(h, y), axis=0),
            _("np.median is not the mean: db2 = Σ (h_n − t_n) / N, the mean of the rows h_n − t_n"),
        ),
        (
            lambda h, y: (h - onehot(h, y)).max(axis=0),
            _("the largest row, not the mean of the rows: db2 = Σ (h_n − t_n) / N"),
        ),
    ]

    def bincount_short(exc, args):
        h, y = args
        C, k = h.shape[1], int(np.max(y)) + 1
        text = str(exc)
        return k < C and "broadcast" in text and (f"({C},) ({k},)" in text or f"({k},) ({C},)" in text)

    def unique_short(exc, args):
        h, y = args
        C, k = h.shape[1], len(np.unique(y))
        text = str(exc)
        return k < C and "broadcast" in text and (f"({C},) ({k},)" in text or f"({k},) ({C},)" in text)

    raised = [
        (
            bincount_short,
            _(
                "np.bincount(y) has max(y) + 1 entries, fewer than C when the last classes have no "
                "sample (one case here has the labels 0 and 1 only, of C = 4): give it minlength=C, "
                "np.bincount(y, minlength=h.shape[1])"
            ),
        ),
        (
            unique_short,
            _(
                "np.unique(y, return_counts=True) counts only the classes that occur, so a class with no "
                "sample has no entry: count every class, np.bincount(y, minlength=h.shape[1])"
            ),
        ),
        (
            raises_like(lambda h, y: h - np.eye(h.shape[1])[y].T),
            _("np.eye(C)[y] is already (N, C), one row per sample like h: no transpose"),
        ),
        (
            raises_like(lambda h, y: h - np.eye(len(y))[y]),
            _("np.eye(N)[y] has N columns: the one-hot needs one column per class, np.eye(h.shape[1])[y]"),
        ),
    ]
    feedback = run_checks(
        "bias_gradient",
        fn,
        cases,
        _db2,
        mistakes,
        section=see("09_bug_hunt", "The gallery"),
        success=_("Σ_n (h_n − t_n) / N, every repeated label counted"),
        own=(cross_entropy_grad,),
    )
    return named_raise(feedback, fn, cases, raised)


def _more_bias_mistakes(onehot):
    """More wrong bias gradients: labels indexing the wrong axis, labels as numbers, another derivative."""
    return [
        (
            _columns_of_labels,
            _(
                "g[:, y] -= 1 takes 1 from every row in each column some label names (once per distinct "
                "label), so every sample loses 1 at every label of the batch: pair each row with its own "
                "label, g[np.arange(N), y] -= 1"
            ),
        ),
        (
            _rows_of_labels,
            _(
                "g[y] -= 1 (or t[y] = 1) picks rows by the labels' values: row n is sample n, and its label "
                "picks the column, g[np.arange(N), y] -= 1 (t[np.arange(N), y] = 1)"
            ),
        ),
        (
            lambda h, y: (h - y[:, None]).sum(axis=0) / len(y),
            _(
                "h − y[:, None] subtracts the label's value from every class: subtract the one-hot, a 1 at "
                "column y[n] of row n"
            ),
        ),
        (
            lambda h, y: h.sum(axis=0) / len(y) - 1 / len(y),
            _("1/N was taken from every class: each sample takes 1/N from its own label's entry only"),
        ),
        (
            lambda h, y: (np.log(h) - onehot(h, y)).sum(axis=0) / len(y),
            _(
                "log h − t: the cross-entropy's gradient with respect to the logits, and so to b2, is "
                "h − t, without the log"
            ),
        ),
        (
            lambda h, y: (h * (1 - h) - onehot(h, y)).sum(axis=0) / len(y),
            _(
                "h(1 − h) is the sigmoid's derivative: with the softmax and the cross-entropy together, "
                "the gradient with respect to the logits is h − t"
            ),
        ),
        (
            lambda h, y: cross_entropy_grad(h, y).sum(axis=0),
            _(
                "a second softmax: h is already the softmax's output, and cu.softmax(h), or "
                "cu.cross_entropy_grad(h, y), which takes logits, applies one again; write Σ (h − t)/N from h"
            ),
            see("09_bug_hunt", "The double softmax"),
        ),
    ]


GRADED = [
    Exercise(
        "bias_gradient",
        "db2",
        check_bias_gradient,
        _db2,
        lambda: (softmax(hidden_rng(24).normal(size=(8, 3))), np.array([0, 0, 0, 2, 2, 1, 0, 2])),
        course_functions=("course_utils.losses.cross_entropy_grad",),
    ),
]
"""The exercise of notebook 09 that a function answers, as the teacher's grader scores it (the
mysteries are scored one point each by the grader itself)."""
