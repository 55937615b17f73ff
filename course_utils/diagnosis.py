"""Read a :class:`~course_utils.GradCheckReport` and name the likely bug: :func:`diagnose`.

The table it applies (which tensors fail, with which numerical/analytic ratio) is the one notebook 09
derives from the bug catalogue in :mod:`course_utils.bugs`. A cost mismatch has no ratio of its own
(K/(K−1) at uniform outputs; elsewhere it differs from tensor to tensor), so it is read from a second
report: the same gradients checked against the softmax cross-entropy.
"""

import numpy as np

from . import _checks
from .gradcheck_report import GradCheckReport
from .i18n import _


def _same(values, target, rel=0.02):
    return all(abs(v - target) <= rel * abs(target) for v in values)


def diagnose(report, *, classes=10, cross_entropy_report=None):
    """Name the likely bugs behind a :class:`~course_utils.GradCheckReport`.

    Reads which tensors fail, the notes (shapes, missing gradients), the numerical/analytic
    ratios and the entries at a kink. Returns a list of sentences, most specific first; an empty
    failure list says what a gradient check cannot see.

    Parameters
    ----------
    report : GradCheckReport
        What :func:`~course_utils.check_gradients` returned.
    classes : int
        ``C``, the number of classes, for the K/(K−1) ratio of a cost mismatch at uniform outputs
        (``C >= 2``).
    cross_entropy_report : GradCheckReport, optional
        The same gradients checked against the softmax cross-entropy. If it passes while
        ``report`` fails, the backward is the cross-entropy's and the loss checked is another
        cost: a cost mismatch, whatever the ratios.

    Returns
    -------
    list of str
    """
    if not isinstance(report, GradCheckReport):
        raise _checks.DTypeError(
            "diagnose needs the report that check_gradients returns, "
            f"report = check_gradients(loss, params, grads); got {type(report).__name__} {report!r:.60}"
        )
    classes = _checks.count(classes, "classes", minimum=2)
    if cross_entropy_report is not None and not isinstance(cross_entropy_report, GradCheckReport):
        raise _checks.DTypeError(
            "cross_entropy_report must be a report of check_gradients too (the same gradients "
            f"checked against the cross-entropy), got {type(cross_entropy_report).__name__}"
        )
    if not report.tensors:
        raise ValueError("the report holds no tensor: check_gradients was given nothing to check")
    failed = set(report.failed)
    kinks = _kink_findings(report)
    if not failed and report.verdict == "inconclusive":
        why = "; ".join(str(d) for d in report.doubts)
        return kinks + [
            _("no tensor fails, but this check could not have seen a small wrong factor: {why}").format(
                why=why
            )
        ]
    if not failed:
        if kinks:
            verdict = _(
                "the other tensors pass: the gradient matches the loss. A check cannot see bugs that "
                "change both together (no max-subtraction, log of softmax, shifted labels, sum "
                "instead of mean): test those directly"
            )
        else:
            verdict = _(
                "every tensor passes: the gradient matches the loss. A check cannot see bugs that "
                "change both together (no max-subtraction, log of softmax, shifted labels, sum "
                "instead of mean): test those directly"
            )
        return kinks + [verdict]
    if cross_entropy_report is not None and cross_entropy_report.ok:
        uniform = classes / (classes - 1)
        return [
            _(
                "a cost mismatch: the same gradients pass against the softmax cross-entropy, so the "
                "backward is the cross-entropy's (h − t) and the loss you checked is another cost, "
                "typically a binary (sigmoid) cost on a softmax output. Its ratio is no fingerprint: "
                "K/(K−1) = {uniform:.2f} at uniform outputs, and elsewhere it differs from tensor to "
                "tensor, mostly larger as the outputs sharpen"
            ).format(uniform=uniform)
        ] + kinks
    findings = []
    notes = {name: t.note for name, t in report.tensors.items() if t.note}
    for name, note in notes.items():
        if note.startswith("shape mismatch"):
            findings.append(
                _("{name}: {note} — a missing keepdims=True, or labels shaped (N, 1)").format(
                    name=name, note=note
                )
            )
        elif note:
            findings.append(f"{name}: {note}")
    ratios = {n: report.ratios[n] for n in failed if np.isfinite(report.ratios.get(n, np.nan))}
    values = list(ratios.values())
    if failed == set(report.tensors) and values and len(values) == len(failed):
        r = values[0]
        if _same(values, -1.0):
            findings.append(
                _(
                    "every tensor is off by a factor of −1: a sign error, most likely a "
                    "dropped minus sign in dL/dh = −t/h (or t − h instead of h − t)"
                )
            )
        elif _same(values, r) and r < 0.5:
            findings.append(
                _(
                    "every tensor is {factor:.0f} times too large, the same factor everywhere: "
                    "missing 1/N (batch size N = {factor:.0f})"
                ).format(factor=1 / r)
            )
        else:
            findings.append(
                _(
                    "every tensor fails with different ratios: the output delta dz is wrong "
                    "(diagonal-only softmax derivative, an elementwise product where the "
                    "chain rule needs a sum, softmax over the batch axis, labels shaped "
                    "(N, 1), a missing keepdims)"
                )
            )
            if cross_entropy_report is None:
                findings.append(
                    _(
                        "or the loss checked is not the one the backward differentiates (a binary "
                        "cost on a softmax output fails every tensor too, by ratios that differ from "
                        "tensor to tensor): check the same gradients against the cross-entropy and pass "
                        "that report as cross_entropy_report to tell the two apart"
                    )
                )
    elif failed == {"W1", "b1"}:
        findings.append(
            _(
                "only the first layer fails: the hidden derivative is wrong (a hard-coded "
                "sigmoid derivative, the derivative taken at the activation instead of the "
                "pre-activation, tanh' written as 1 − z²) or W2 was used instead of W2.T"
            )
        )
    elif failed == {"W2"}:
        findings.append(
            _(
                "only W2 fails: its gradient used the wrong hidden activations, typically "
                "aliasing (da1 = a1; da1[a1 > 0] = 1 overwrote a1 in place)"
            )
        )
    elif failed == {"W1", "W2"}:
        findings.append(
            _(
                "the weights fail, the biases pass: the regulariser's gradient does not match its "
                "term in the loss (reg·ΣW² has gradient 2·reg·W; ½·reg·ΣW² has reg·W)"
            )
        )
    elif failed <= {"b1", "b2"}:
        if failed == {"b1", "b2"}:
            findings.append(
                _("both biases fail, the weights pass: a regularised bias (biases are not regularised)")
            )
        else:
            findings.append(
                _(
                    "only {names} fails: a bias bug, such as a "
                    "fancy-index -= with repeated labels (np.subtract.at adds each one), "
                    "or one wrong entry"
                ).format(names=", ".join(sorted(failed)))
            )
    if not findings:
        findings.append(
            _("{names} fail: compare their ratios and worst entries").format(names=", ".join(sorted(failed)))
        )
    return findings + kinks


def _kink_findings(report):
    """One sentence per tensor with entries at a kink: not a failure, and not checked either."""
    out = []
    for name, t in report.tensors.items():
        if not (t.kinks or t.kink_directions):
            continue
        fields = dict(
            name=name, kinks=t.kinks, n=t.n_coords, directions=t.kink_directions, n_directions=t.n_directions
        )
        if not t.checked:
            sentence = _(
                "{name}: {kinks} of {n} entries (and {directions} of {n_directions} directions) sit at a "
                "kink, such as a ReLU unit whose pre-activation is exactly 0, where 'pre > 0' and "
                "'pre >= 0' are both right, so none of its entries could be checked. To check them, move "
                "off the kink: biases not exactly 0 (b1 += 0.01) or inputs that are not all zero"
            )
        else:
            sentence = _(
                "{name}: {kinks} of {n} entries (and {directions} of {n_directions} directions) sit at a "
                "kink, such as a ReLU unit whose pre-activation is exactly 0, where 'pre > 0' and "
                "'pre >= 0' are both right, so the rest were checked. To check them, move off the "
                "kink: biases not exactly 0 (b1 += 0.01) or inputs that are not all zero"
            )
        out.append(sentence.format(**fields))
    return out
