"""What :func:`~course_utils.check_gradients` found: one :class:`TensorCheck` per tensor, and the report.

The printed report is deterministic: a passing tensor shows the tolerance it passed, not its
machine-dependent finite-difference noise.
"""

from dataclasses import dataclass, field

import numpy as np

from .i18n import _, display_width


class Note(str):
    """A tensor's note: English text (code compares it, e.g. ``startswith``) shown translated.

    ``Note(N_("shape mismatch: gradient {grad}, parameter {param}"), grad=..., param=...)`` equals
    the English sentence with its fields filled in; ``str()`` and f-strings show it in the current
    language.
    """

    def __new__(cls, template, **fields):
        note = super().__new__(cls, template.format(**fields))
        note.template, note.fields = template, fields
        return note

    def __str__(self):
        return _(self.template).format(**self.fields)

    def __format__(self, spec):
        return format(str(self), spec)


def _pad(text, width):
    """``text`` padded with spaces to ``width`` columns, a wide (CJK) character counting as two."""
    return text + " " * max(0, width - display_width(text))


@dataclass
class TensorCheck:
    """What :func:`check_gradients` found for one tensor."""

    name: str
    shape: tuple
    error: float
    ok: bool
    n_coords: int = 0
    n_directions: int = 0
    all_coords: bool = False
    ratio: float = float("nan")
    worst_index: tuple = ()
    note: str = ""
    kinks: int = 0  # checked entries whose step crosses a kink: not checkable
    kink_directions: int = 0

    @property
    def checked(self):
        """False when every entry and direction sampled sat at a kink: nothing could be compared."""
        return bool(self.note) or self.kinks < self.n_coords or self.kink_directions < self.n_directions

    def describe(self):
        if self.note:
            return str(self.note)
        if self.all_coords:
            text = _("{n} all entries + {d} directions")
        else:
            text = _("{n} sampled entries + {d} directions")
        text = text.format(n=self.n_coords, d=self.n_directions)
        if self.kinks or self.kink_directions:
            entries = (_("{n} entry") if self.kinks == 1 else _("{n} entries")).format(n=self.kinks)
            directions = (_("{d} direction") if self.kink_directions == 1 else _("{d} directions")).format(
                d=self.kink_directions
            )
            if self.kinks and self.kink_directions:
                at = _("{entries} and {directions}").format(entries=entries, directions=directions)
            else:
                at = entries if self.kinks else directions
            text += _("; {at} at a kink, not checkable").format(at=at)
        if not self.ok and np.isfinite(self.ratio):
            text += _("; numerical/analytic ~ {ratio:.4g}").format(ratio=self.ratio)
        if not self.ok and self.worst_index:
            text += _("; worst entry {index}").format(index=self.worst_index)
        return text


@dataclass
class GradCheckReport:
    """The result of :func:`~course_utils.check_gradients`.

    Attributes
    ----------
    verdict : str
        "failed" when some tensor's error exceeds ``tol``; else "inconclusive" when the check
        could not have seen a whole tensor wrong by the course's smallest factor (10/9): float32
        differences, or a tolerance above 1e-2 (``doubts`` says why); else "passed".
    ok : bool
        True only for a verdict of "passed".
    errors : dict name -> float
        Each tensor's largest relative error (inf for a missing or misshaped gradient).
    ratios : dict name -> float
        Least-squares ratio numerical / analytic over the checked entries: 1 when right; a bug
        that scales a whole tensor shows up as that scale (N for a missing 1/N, ...).
    tensors : dict name -> TensorCheck
    kinks : dict name -> int
        How many checked entries of each tensor sat at a kink (ReLU at exactly 0), where the
        derivative is not defined and any value between the two one-sided slopes is right: those
        are reported as not checkable rather than as failures.
    dtype : str
        The parameters' dtype ("float32" if any is float32).
    differences_in : str
        The dtype the finite differences were taken in: "float64" also for float32 parameters
        whenever the loss could be re-run on float64 copies of them.
    doubts : tuple of str
        Why a check that found nothing wrong is only inconclusive (empty when it is conclusive).
    """

    tol: float
    dtype: str
    n_loss_evals: int
    tensors: dict = field(default_factory=dict)
    differences_in: str = ""
    doubts: tuple = ()

    @property
    def verdict(self):
        if not all(t.ok for t in self.tensors.values()):
            return "failed"
        return "inconclusive" if self.doubts else "passed"

    @property
    def ok(self):
        return self.verdict == "passed"

    @property
    def errors(self):
        return {name: t.error for name, t in self.tensors.items()}

    @property
    def ratios(self):
        return {name: t.ratio for name, t in self.tensors.items()}

    @property
    def kinks(self):
        return {name: t.kinks for name, t in self.tensors.items() if t.kinks or t.kink_directions}

    @property
    def failed(self):
        return [name for name, t in self.tensors.items() if not t.ok]

    def _precision(self):
        if self.dtype == "float32" and self.differences_in == "float64":
            return _("float32, differences in float64")
        return self.dtype

    def __repr__(self):
        failed = ", ".join(self.failed)
        unchecked = ", ".join(name for name, t in self.tensors.items() if not t.checked)
        verdict = self.verdict
        if verdict == "passed" and not unchecked:
            head = _("Gradient check passed (tolerance {tol:.0e}, {dtype}, {n} loss evaluations)")
        elif verdict == "passed":
            head = _(
                "Gradient check passed; {unchecked} at a kink, not checkable "
                "(tolerance {tol:.0e}, {dtype}, {n} loss evaluations)"
            )
        elif verdict == "inconclusive":
            head = _(
                "Gradient check INCONCLUSIVE: nothing failed, but this check could not have seen a "
                "small wrong factor (tolerance {tol:.0e}, {dtype}, {n} loss evaluations)"
            )
        elif not unchecked:
            head = _(
                "Gradient check FAILED for {failed} (tolerance {tol:.0e}, {dtype}, {n} loss evaluations)"
            )
        else:
            head = _(
                "Gradient check FAILED for {failed}; {unchecked} at a kink, not checkable "
                "(tolerance {tol:.0e}, {dtype}, {n} loss evaluations)"
            )
        fields = {"failed": failed, "unchecked": unchecked, "tol": self.tol, "dtype": self._precision()}
        lines = [head.format(n=self.n_loss_evals, **fields)]
        for doubt in self.doubts:
            lines.append(_("  why not passed: {doubt}").format(doubt=doubt))
        width = max([len(n) for n in self.tensors] + [4])
        for t in self.tensors.values():
            # A passing error is finite-difference noise that differs between machines; show the
            # bound it passed, so that a printed report is the same wherever it runs.
            if not t.checked:
                error = _("not checkable")
            elif t.ok:
                error = _("error < {tol:.0e}").format(tol=self.tol)
            else:
                error = _("error {error:.1e}").format(error=t.error)
            if not t.ok:
                verdict = _("FAIL")
            elif not t.checked:
                verdict = _("n/a")
            else:
                verdict = "?" if self.doubts else _("ok")
            shape, verdict, error = f"{str(t.shape):<12}", _pad(verdict, 4), _pad(error, 14)
            lines.append(f"  {t.name:<{width}}  {shape} {verdict}  {error} {t.describe()}")
        return "\n".join(lines)

    __str__ = __repr__
