"""What :func:`~course_utils.check_gradients` found: one :class:`TensorCheck` per tensor, and the report.

The printed report is deterministic: a passing tensor shows the tolerance it passed, not its
machine-dependent finite-difference noise.
"""

from dataclasses import dataclass, field

import numpy as np


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
            return self.note
        what = "all" if self.all_coords else "sampled"
        text = f"{self.n_coords} {what} entries + {self.n_directions} directions"
        if self.kinks or self.kink_directions:
            at = [f"{self.kinks} {'entry' if self.kinks == 1 else 'entries'}"] if self.kinks else []
            if self.kink_directions:
                at.append(f"{self.kink_directions} direction{'s' if self.kink_directions > 1 else ''}")
            text += f"; {' and '.join(at)} at a kink, not checkable"
        if not self.ok and np.isfinite(self.ratio):
            text += f"; numerical/analytic ~ {self.ratio:.4g}"
        if not self.ok and self.worst_index:
            text += f"; worst entry {self.worst_index}"
        return text


@dataclass
class GradCheckReport:
    """The result of :func:`~course_utils.check_gradients`.

    Attributes
    ----------
    ok : bool
        True when every tensor's error is within ``tol``.
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
    """

    tol: float
    dtype: str
    n_loss_evals: int
    tensors: dict = field(default_factory=dict)

    @property
    def ok(self):
        return all(t.ok for t in self.tensors.values())

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

    def __repr__(self):
        head = "passed" if self.ok else f"FAILED for {', '.join(self.failed)}"
        unchecked = [name for name, t in self.tensors.items() if not t.checked]
        if unchecked:
            head += f"; {', '.join(unchecked)} at a kink, not checkable"
        lines = [
            f"Gradient check {head} (tolerance {self.tol:.0e}, {self.dtype}, "
            f"{self.n_loss_evals} loss evaluations)"
        ]
        if self.dtype == "float32":
            lines.append(
                "  (float32 finite differences are only good to a few percent: "
                "check in float64 for a reliable verdict)"
            )
        width = max([len(n) for n in self.tensors] + [4])
        for t in self.tensors.values():
            # A passing error is finite-difference noise that differs between machines; show the
            # bound it passed, so that a printed report is the same wherever it runs.
            error = f"error < {self.tol:.0e}" if t.ok else f"error {t.error:.1e}"
            verdict = "FAIL" if not t.ok else "ok  " if t.checked else "n/a "
            if not t.checked:
                error = "not checkable"
            lines.append(f"  {t.name:<{width}}  {str(t.shape):<12} {verdict}  {error:<14} {t.describe()}")
        return "\n".join(lines)

    __str__ = __repr__
