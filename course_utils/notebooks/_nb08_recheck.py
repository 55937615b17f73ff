"""Wrong answers to notebook 08's exercises that a second walk typed (issue 19, recheck b): the ReLU
mask taken without b1, a one-hot as wide as the batch, and μ read as a percentage.

Each catalogue entry is the wrong formula itself, run on the checker's own input; the raised rule
reads the exception a one-hot of N columns meets when it is taken from h, (N, C).
"""

from ..i18n import _


def recheck_backward_mistakes(backward, steps):
    """Exercise 1: the mask from X @ W1 alone, the bias left out of it (the forward pass has it)."""

    def mask_without_b1(X, y, W1, b1, W2, b2):
        dz2, dW2, db2, da1, _dz1, _dW1, _db1 = backward(X, y, W1, b1, W2, b2)
        dz1 = da1 * (X @ W1 > 0)
        return dz2, dW2, db2, da1, dz1, X.T @ dz1, dz1.sum(axis=0)

    return [
        (
            mask_without_b1,
            _(
                "your ReLU mask is X @ W1 > 0, without b1: the mask is where the forward pass's "
                "z1 = X W1 + b1 is positive, bias included; reuse that z1, dz1 = da1 ⊙ [z1 > 0]"
            ),
            steps,
        ),
    ]


def _eye_of_batch(exc, args):
    """Whether ``exc`` is h (N, C) meeting a one-hot of shape (N, N), np.eye(N)[y]."""
    N, C = len(args[1]), args[4].shape[1]
    shapes = (f"({N},{C}) ({N},{N})", f"({N},{N}) ({N},{C})")
    return N != C and isinstance(exc, ValueError) and any(s in str(exc) for s in shapes)


def recheck_backward_raised(steps):
    """Exercise 1: rules for ``named_raise``."""
    return [
        (
            _eye_of_batch,
            _(
                "your one-hot t is (N, N), as wide as the batch: np.eye(N)[y] gives each row one column "
                "per sample; it needs one column per class, np.eye(C)[y] with C = W2.shape[1]"
            ),
            steps,
        ),
    ]


def recheck_momentum_mistakes(section):
    """Exercise 3: μ divided by 100, as if it were given in percent."""
    return [
        (
            lambda w, dw, v, lr, mu: (w + (mu / 100 * v - lr * dw), mu / 100 * v - lr * dw),
            _(
                "μ was divided by 100, as if it were a percentage: μ = 0.9 is already the share of the "
                "velocity kept at each step, v = μv − η·dw"
            ),
            section,
        ),
    ]
