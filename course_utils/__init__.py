"""course_utils: the helpers behind the course "Backprop Through Softmax".

Batches are rows: logits ``z`` and softmax outputs ``h`` have shape ``(N, C)``.
"""

from .activations import ACTIVATIONS, Activation
from .bugs import diagnose
from .data import load_mnist
from .gradcheck import GradCheckReport, check_gradients, numerical_gradient, rel_error
from .i18n import set_language
from .losses import binary_cross_entropy, cross_entropy, cross_entropy_and_grad, cross_entropy_grad
from .mismatch import gradient_mismatch
from .network import TwoLayerNet
from .softmax import log_softmax, softmax, softmax_jacobian, softmax_vjp
from .threads import apply_policy as _apply_thread_policy

_apply_thread_policy()  # one BLAS thread: the same results on any machine (course_utils/threads.py)

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "GradCheckReport",
    "TwoLayerNet",
    "binary_cross_entropy",
    "check_gradients",
    "cross_entropy",
    "cross_entropy_and_grad",
    "cross_entropy_grad",
    "diagnose",
    "gradient_mismatch",
    "load_mnist",
    "log_softmax",
    "numerical_gradient",
    "rel_error",
    "set_language",
    "softmax",
    "softmax_jacobian",
    "softmax_vjp",
]
