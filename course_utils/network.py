r"""A two-layer classifier: affine -> hidden activation -> affine -> softmax, with its backward.

The forward pass and the backward pass sit side by side in :meth:`TwoLayerNet.loss_and_gradients`,
so every line of the chain rule can be read against the line of the forward pass it undoes.
"""

import numpy as np

from . import _checks
from .activations import get_activation
from .losses import cross_entropy_and_grad

# He initialisation keeps the variance of ReLU-like layers steady; the others use 1/n_in.
_RELU_LIKE = {"relu", "leaky_relu", "elu"}


class TwoLayerNet:
    r"""``X -> a1 = f(X W1 + b1) -> z = a1 W2 + b2 -> h = softmax(z)``, trained on cross-entropy.

    .. math:: L = -\frac{1}{N}\sum_n \log h_{n, y_n}
              + \frac{\lambda}{2}\bigl(\lVert W_1\rVert^2 + \lVert W_2\rVert^2\bigr)

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        ``D``, ``H`` and ``C``.
    hidden : str
        A name from :data:`course_utils.ACTIVATIONS`.
    seed : int
        Seeds the initial weights (``np.random.default_rng``).
    dtype : numpy float dtype
        float64 for gradient checks, float32 for fast training.

    Attributes
    ----------
    params : dict
        ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``. Biases start at zero, weights at
        Gaussian noise of variance ``2/n_in`` (ReLU-like hidden layers) or ``1/n_in``.
    """

    def __init__(self, n_in, n_hidden, n_out, hidden="relu", *, seed=0, dtype=np.float64):
        for label, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{label} must be a positive integer, got {n!r}")
        self.activation = get_activation(hidden)
        self.hidden = self.activation.name
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.hidden in _RELU_LIKE else 1.0
        self.params = {
            "W1": (rng.standard_normal((n_in, n_hidden)) * np.sqrt(gain / n_in)).astype(self.dtype),
            "b1": np.zeros(n_hidden, dtype=self.dtype),
            "W2": (rng.standard_normal((n_hidden, n_out)) * np.sqrt(gain / n_hidden)).astype(self.dtype),
            "b2": np.zeros(n_out, dtype=self.dtype),
        }

    def __repr__(self):
        D, H = self.params["W1"].shape
        C = self.params["W2"].shape[1]
        return f"TwoLayerNet({D}-{H}-{C}, hidden={self.hidden!r}, dtype={self.dtype.name})"

    def _inputs(self, X):
        X = _checks.as_float_array(X, "X")
        D = self.params["W1"].shape[0]
        if X.ndim == 2 and X.shape[0] == 0:
            raise ValueError(f"X must hold at least one sample (N >= 1), got shape {X.shape}")
        if X.ndim != 2 or X.shape[1] != D:
            raise ValueError(f"X must have shape (N, {D}), one sample per row, got {X.shape}")
        return X.astype(self.dtype, copy=False)

    def forward(self, X):
        """Return the logits ``z``, shape (N, C), and the cache the backward pass needs."""
        p = self.params
        X = self._inputs(X)
        # A NaN or inf in X or the weights is reported below, from the logits, not as a warning here.
        with np.errstate(invalid="ignore", over="ignore"):
            pre = X @ p["W1"] + p["b1"]  # (N, H) pre-activation
            a1 = self.activation.f(pre)  # (N, H)
            z = a1 @ p["W2"] + p["b2"]  # (N, C) logits
        if not np.all(np.isfinite(z)):
            # Checked here, on the small (N, C) logits, rather than on every pixel of X.
            raise ValueError(
                "the logits are not all finite: X or the weights hold NaN or inf, "
                "or the weights have blown up (try a smaller learning rate); "
                "they must be finite, got NaN or inf"
            )
        return z, (X, pre, a1)

    def _reg_term(self, reg):
        if not (np.isscalar(reg) and np.isfinite(reg) and reg >= 0):
            raise ValueError(f"reg must be a number >= 0, got {reg!r}")
        if reg == 0:
            return 0.0
        W1, W2 = self.params["W1"], self.params["W2"]
        return 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    def loss(self, X, y, reg=0.0):
        """Mean cross-entropy plus ``reg/2 * (||W1||^2 + ||W2||^2)``; ``y`` int labels ``(N,)``."""
        return self.loss_and_gradients(X, y, reg, backward=False)[0]

    def loss_and_gradients(self, X, y, reg=0.0, *, backward=True):
        """The loss and a dict of gradients with the keys and shapes of ``params``."""
        p = self.params
        z, (X, pre, a1) = self.forward(X)
        data_loss, dz = cross_entropy_and_grad(z, y)  # dz (N, C) = (h - t)/N, the fused shortcut
        loss = data_loss + self._reg_term(reg)
        if not backward:
            return loss, None
        dW2 = a1.T @ dz  # (H, C)
        db2 = dz.sum(axis=0)  # (C,)
        da1 = dz @ p["W2"].T  # (N, H)
        dpre = da1 * self.activation.df(pre)  # (N, H): derivative at the pre-activation
        dW1 = X.T @ dpre  # (D, H)
        db1 = dpre.sum(axis=0)  # (H,)
        if reg:
            dW1 += reg * p["W1"]
            dW2 += reg * p["W2"]
        return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def gradients(self, X, y, reg=0.0):
        """Gradients of :meth:`loss`: dict ``W1, b1, W2, b2`` with the shapes of ``params``."""
        return self.loss_and_gradients(X, y, reg)[1]

    def predict(self, X):
        """Predicted class per row: int64 array of shape (N,)."""
        z, _ = self.forward(X)
        return np.argmax(z, axis=1)
