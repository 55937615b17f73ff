"""The committed predictions of notebooks 05, 06, 07 and 09: which choice a computed result picks out.

Each notebook lists its choices in a markdown cell and in ``Prediction([...])``, in the order the
docstrings below give; its reveal cell passes the computed result through one of these functions, so
the revealed answer follows the computation and would change if the result did.
"""

import math

from ._prediction import Prediction  # noqa: F401 - the companions import both from here


def overflow_choice(gap):
    """Notebook 05: the float32 logit gap at which the −t/h route first breaks, as a choice.

    Parameters
    ----------
    gap : float or None
        The first gap of the searched grid at which the route gives inf or NaN; None when no gap
        of the grid broke it.

    Returns
    -------
    int
        0 below 30 (of order 10), 1 from 30 to below 300 (of order 100), 2 from 300 up (of order
        1000 or more), 3 when it never broke (the −t/h route as safe as h − t).
    """
    if gap is None:
        return 3
    if isinstance(gap, bool) or not isinstance(gap, (int, float)) or not math.isfinite(gap) or gap < 0:
        raise ValueError(f"the gap must be a finite number >= 0, or None when nothing broke, got {gap!r}")
    return 0 if gap < 30 else 1 if gap < 300 else 2


def _failed(report):
    verdict = getattr(report, "verdict", None)
    if verdict not in ("passed", "failed"):
        raise ValueError(
            f"expected the report of a gradient check that passed or failed, got the verdict {verdict!r}"
        )
    return set(report.failed)


def zero_init_choice(report):
    """Notebook 06: what the check at all-zero weights says of a planted wrong hidden derivative.

    Parameters
    ----------
    report : GradCheckReport
        The report of ``check_gradients`` on the network ``W1, b1, W2, b2``; an inconclusive
        report picks no choice (ValueError).

    Returns
    -------
    int
        0 when only first-layer tensors (``W1``, ``b1``) fail, 1 when a second-layer one fails
        too, 2 when the check passes.
    """
    failed = _failed(report)
    if not failed:
        return 2
    return 0 if failed <= {"W1", "b1"} else 1


def mismatch_ratio_choice(ratios):
    """Notebook 07: the ratio numerical/analytic of the binary cost on a 10-class softmax, as a choice.

    Parameters
    ----------
    ratios : sequence of float
        One least-squares ratio per tensor (``report.ratios.values()``).

    Returns
    -------
    int
        3 when the tensors disagree (ratios more than 5 % apart, or one not above 0); otherwise the
        value nearest their geometric mean, on a log scale: 0 for 3/2, 1 for 10/9, 2 for 1.
    """
    ratios = [float(r) for r in ratios]
    if not ratios or not all(math.isfinite(r) for r in ratios):
        raise ValueError(f"expected one finite ratio per tensor, got {ratios!r}")
    if min(ratios) <= 0 or max(ratios) / min(ratios) > 1.05:
        return 3
    middle = sum(math.log(r) for r in ratios) / len(ratios)
    targets = (1.5, 10 / 9, 1.0)
    return min(range(3), key=lambda k: abs(middle - math.log(targets[k])))


def double_softmax_choice(report):
    """Notebook 09: what the check says of a network whose loss applies a second softmax.

    Parameters
    ----------
    report : GradCheckReport
        The report of ``check_gradients`` on ``W1, b1, W2, b2``; an inconclusive report picks no
        choice (ValueError).

    Returns
    -------
    int
        0 when a first-layer tensor (``W1``, ``b1``) fails, 1 when only the output layer's
        (``W2``, ``b2``) fail, 2 when the check passes.
    """
    failed = _failed(report)
    if not failed:
        return 2
    return 1 if failed <= {"W2", "b2"} else 0
