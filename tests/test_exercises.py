"""Every checker passes a right answer and names the mistake in hand-written wrong ones."""

import numpy as np
import pytest

from course_utils import exercises as ex


def hand_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def expect(feedback, status, *words):
    assert feedback.status == status, feedback
    for w in words:
        assert w in feedback.message, feedback
    return feedback


# --- the machinery --------------------------------------------------------------------------


def test_not_implemented_is_friendly():
    def stub(z):
        raise NotImplementedError

    fb = expect(ex.check_softmax(stub), "not implemented", "not implemented yet")
    assert not fb.passed
    assert repr(fb).startswith("… softmax:")


def test_a_crash_is_reported_not_raised():
    expect(ex.check_softmax(lambda z: z.nope), "error", "AttributeError")


def test_not_a_function():
    expect(ex.check_softmax(np.zeros(3)), "error", "pass your function itself")


def test_changing_the_input_in_place_is_named():
    def sneaky(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    expect(ex.check_softmax(sneaky), "wrong", "changed its input array in place", "copy()")


def test_unrecognised_wrong_answer_points_at_the_difference():
    fb = expect(ex.check_fused_grad(lambda z, y: np.zeros_like(z)), "wrong", "largest difference")
    assert "expected" in fb.message


def test_feedback_is_reproducible():
    wrong = lambda z, y: np.ones_like(z)  # noqa: E731
    assert repr(ex.check_fused_grad(wrong)) == repr(ex.check_fused_grad(wrong))


# --- 00 -------------------------------------------------------------------------------------


def test_one_hot():
    expect(ex.check_one_hot(lambda y, C: np.eye(C)[y]), "correct")
    expect(ex.check_one_hot(lambda y, C: np.eye(C)[y].T), "wrong", "swapped")
    expect(ex.check_one_hot(lambda y, C: np.eye(C)[(y + 1) % C]), "wrong", "Octave labels start at 1")
    expect(ex.check_one_hot(lambda y, C: y.reshape(-1, 1)), "wrong", "(N, 1)")


def test_theta_to_params():
    expect(ex.check_theta_to_params(lambda T: (T[:, 1:].T, T[:, 0])), "correct")
    expect(ex.check_theta_to_params(lambda T: (T[:, 1:], T[:, 0])), "wrong", "transpose")
    expect(ex.check_theta_to_params(lambda T: (T.T, T[:, 0])), "wrong", "bias column")
    expect(ex.check_theta_to_params(lambda T: (T[:, 1:].T, T[:, [0]])), "wrong", "(H, 1)")
    expect(ex.check_theta_to_params(lambda T: T[:, 1:].T), "error", "tuple of 2 arrays")


# --- 01 -------------------------------------------------------------------------------------


def test_softmax():
    expect(ex.check_softmax(hand_softmax), "correct")

    def naive(z):
        return np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        expect(ex.check_softmax(naive), "wrong", "overflow", "max")

    def global_max(z):
        e = np.exp(z - np.max(z))
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(invalid="ignore"):
        expect(ex.check_softmax(global_max), "wrong", "whole batch")
    expect(ex.check_softmax(lambda z: np.exp(z - z.max(axis=1, keepdims=True))), "wrong", "do not sum to 1")
    expect(ex.check_softmax(lambda z: hand_softmax(z.T).T), "wrong", "columns sum to 1")

    def forgot_keepdims(z):
        m = z.max(axis=1)
        e = np.exp(z - m)
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        expect(ex.check_softmax(forgot_keepdims), "error", "broadcast", "keepdims=True")


def test_log_softmax():
    def good(z):
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))

    expect(ex.check_log_softmax(good), "correct")
    with np.errstate(divide="ignore"):
        expect(ex.check_log_softmax(lambda z: np.log(hand_softmax(z))), "wrong", "-inf")

    def dropped_m(z):
        m = z.max(axis=1, keepdims=True)
        return z - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))

    expect(ex.check_log_softmax(dropped_m), "wrong", "unshifted")


# --- 02 -------------------------------------------------------------------------------------


def one_softmax(z):
    return hand_softmax(z[None, :])[0]


def test_jacobian():
    def good(z):
        h = one_softmax(z)
        C = len(h)
        return np.array([[h[i] * ((i == j) - h[j]) for j in range(C)] for i in range(C)])

    expect(ex.check_jacobian(good), "correct")

    def learner_003(z):  # dh_j/dz_j = h_j (1 - h_j), and nothing else
        h = one_softmax(z)
        return np.diag(h * (1 - h))

    expect(ex.check_jacobian(learner_003), "wrong", "off-diagonal entries are zero", "h_j(1 − h_j)")

    def everywhere(z):
        h = one_softmax(z)
        return np.array([[h[i] * (1 - h[j]) for j in range(len(h))] for i in range(len(h))])

    expect(ex.check_jacobian(everywhere), "wrong", "Kronecker delta")
    expect(ex.check_jacobian(lambda z: -good(z) + 2 * np.diag(np.diag(good(z)))), "wrong", "wrong sign")


def test_numerical_jacobian():
    def good(f, z, eps):
        cols = []
        for j in range(len(z)):
            e = np.zeros(len(z))
            e[j] = eps
            cols.append((f(z + e) - f(z - e)) / (2 * eps))
        return np.stack(cols, axis=1)

    expect(ex.check_numerical_jacobian(good), "correct")
    expect(ex.check_numerical_jacobian(lambda f, z, eps: good(f, z, eps).T), "wrong", "swapped")

    def forward(f, z, eps):
        cols = []
        for j in range(len(z)):
            e = np.zeros(len(z))
            e[j] = eps
            cols.append((f(z + e) - f(z)) / eps)
        return np.stack(cols, axis=1)

    expect(ex.check_numerical_jacobian(forward), "wrong", "forward difference")
    expect(ex.check_numerical_jacobian(lambda f, z, eps: 2 * good(f, z, eps)), "wrong", "2ε")


# --- 03 -------------------------------------------------------------------------------------


def test_batched_jacobian():
    def good(z):
        h = hand_softmax(z)
        return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])

    expect(ex.check_batched_jacobian(good), "correct")
    expect(ex.check_batched_jacobian(lambda z: good(z)[0]), "wrong", "first row only")
    expect(ex.check_batched_jacobian(lambda z: good(z) * np.eye(z.shape[1])), "wrong", "only the diagonals")


def test_lse_hvp():
    expect(ex.check_lse_hvp(lambda z, v: one_softmax(z) * (v - one_softmax(z) @ v)), "correct")
    expect(
        ex.check_lse_hvp(lambda z, v: one_softmax(z) * (1 - one_softmax(z)) * v),
        "wrong",
        "diagonal of the Hessian",
    )
    expect(ex.check_lse_hvp(lambda z, v: one_softmax(z) * (v - v.sum())), "wrong", "not Σ v_i")


# --- 04 -------------------------------------------------------------------------------------


def test_vjp():
    def good(z, g):
        h = hand_softmax(z)
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    expect(ex.check_vjp(good), "correct")

    def per_sample_jacobians(z, g):  # the home-made library's route: right, just O(C^2)
        h = hand_softmax(z)
        return np.stack([g[n] @ (np.diag(h[n]) - np.outer(h[n], h[n])) for n in range(len(z))])

    expect(ex.check_vjp(per_sample_jacobians), "correct")
    expect(ex.check_vjp(lambda z, g: g * hand_softmax(z) * (1 - hand_softmax(z))), "wrong", "diagonal")

    def batch_axis(z, g):
        h = hand_softmax(z)
        return h * (g - (g * h).sum(axis=0, keepdims=True))

    expect(ex.check_vjp(batch_axis), "wrong", "per sample")


def test_delta2():
    def good(a2, y):
        t = np.zeros_like(a2)
        t[np.arange(len(y)), y] = 1
        return (a2 - t) / len(y)

    expect(ex.check_delta2(good), "correct")

    def learner_004(a2, y):  # eq. 1 as posted (with the mask line repaired)
        N = len(y)
        da2 = -a2.copy()
        da2[np.arange(N), y] += 1
        da2 *= (a2[np.arange(N), y])[:, None]
        mask = np.zeros(a2.shape)
        mask[np.arange(N), y] = 1
        return ((1 / a2) * mask) * da2 / N

    expect(ex.check_delta2(learner_004), "wrong", "elementwise product", "sum over i")

    def commented_line(a2, y):  # the learner's commented alternative: right
        N = len(y)
        da2 = -a2.copy()
        da2[np.arange(N), y] += 1
        da2 *= (a2[np.arange(N), y])[:, None]
        return -(1 / a2[np.arange(N), y])[:, None] * da2 / N

    expect(ex.check_delta2(commented_line), "correct")
    expect(ex.check_delta2(lambda a2, y: -good(a2, y)), "wrong", "sign")
    expect(ex.check_delta2(lambda a2, y: good(a2, y) * len(y)), "wrong", "1/N")


# --- 05 -------------------------------------------------------------------------------------


def test_fused_grad():
    def good(z, y):
        d = hand_softmax(z)
        d[np.arange(len(y)), y] -= 1
        return d / len(y)

    expect(ex.check_fused_grad(good), "correct")
    expect(ex.check_fused_grad(lambda z, y: good(z, y) * len(y)), "wrong", "factor of N")
    expect(ex.check_fused_grad(lambda z, y: hand_softmax(z) / len(y)), "wrong", "subtract 1")
    expect(ex.check_fused_grad(lambda z, y: -good(z, y)), "wrong", "sign")


def test_soft_target_grad():
    def good(z, t):
        return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)

    expect(ex.check_soft_target_grad(good), "correct")
    expect(ex.check_soft_target_grad(lambda z, t: (hand_softmax(z) - t) / len(z)), "wrong", "sums to 1")
    expect(ex.check_soft_target_grad(lambda z, t: good(z, t) * len(z)), "wrong", "factor of N")


# check_mysteries takes a dict of answers, not a function; its "not yet" case is tested above.
@pytest.mark.parametrize("name", [n for n in dir(ex) if n.startswith("check_") and n != "check_mysteries"])
def test_every_checker_reports_a_stub_as_not_implemented(name):
    def stub(*args):
        raise NotImplementedError

    assert getattr(ex, name)(stub).status == "not implemented"


# --- 07 -------------------------------------------------------------------------------------


def test_softmax_cost():
    expect(ex.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum() / len(h)), "correct")
    expect(ex.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum()), "wrong", "1/m")
    binary = lambda h, Y: (-Y * np.log(h) - (1 - Y) * np.log(1 - h)).sum() / len(h)  # noqa: E731
    expect(ex.check_softmax_cost(binary), "wrong", "binary")


def test_sigma2():
    from course_utils import ACTIVATIONS

    def good(s3, T2, z2, hidden):
        return (s3 @ T2)[:, 1:] * ACTIVATIONS[hidden].df(z2)

    expect(ex.check_sigma2(good), "correct")
    expect(ex.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, z2, "sigmoid")), "wrong", "hard-coded")
    expect(ex.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:]), "wrong", "derivative is missing")
    expect(
        ex.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, ACTIVATIONS[hidden].f(z2), hidden)),
        "wrong",
        "pre-activation",
    )


# --- 08 -------------------------------------------------------------------------------------


def test_relu_backward():
    expect(ex.check_relu_backward(lambda d, a1: d * (a1 > 0)), "correct")

    def aliased(d, a1):
        mask = a1
        mask[a1 > 0] = 1
        return d * mask

    expect(ex.check_relu_backward(aliased), "wrong", "changed its input array in place")
    expect(ex.check_relu_backward(lambda d, a1: d * (a1 >= 0)), "wrong", "a1 > 0")


def test_momentum_update():
    def good(w, dw, v, lr, mu):
        v = mu * v - lr * dw
        return w + v, v

    expect(ex.check_momentum_update(good), "correct")
    expect(ex.check_momentum_update(lambda w, dw, v, lr, mu: (w - lr * dw, -lr * dw)), "wrong", "plain SGD")
    expect(
        ex.check_momentum_update(lambda w, dw, v, lr, mu: (w + mu * v + lr * dw, mu * v + lr * dw)),
        "wrong",
        "ascent",
    )


# --- 09 -------------------------------------------------------------------------------------


def test_mysteries():
    from course_utils import bugs

    right = dict(enumerate(bugs.MYSTERIES, start=1))
    expect(ex.check_mysteries(right), "correct", "5 of 5")
    wrong = {**right, 2: "missing_1_over_N"}
    fb = expect(ex.check_mysteries(wrong), "wrong", "4 of 5", "mystery 2: ✗")
    assert "W2" in fb.message  # the hint names the tensors that fail
    expect(ex.check_mysteries({n: ... for n in range(1, 6)}), "not implemented")
    expect(ex.check_mysteries({1: "nope"}), "wrong", "not a key")


def test_bias_gradient():
    def good(h, y):
        t = np.eye(h.shape[1])[y]
        return (h - t).sum(axis=0) / len(y)

    expect(ex.check_bias_gradient(good), "correct")

    def fancy(h, y):
        d = h.sum(axis=0) / len(y)
        d[y] -= 1 / len(y)
        return d

    expect(ex.check_bias_gradient(fancy), "wrong", "np.subtract.at")


# --- 06 -------------------------------------------------------------------------------------


def test_central_difference():
    def good(f, x, eps):
        g = np.zeros_like(x)
        for k in range(x.size):
            old = x.flat[k]
            x.flat[k] = old + eps
            up = f(x)
            x.flat[k] = old - eps
            down = f(x)
            x.flat[k] = old
            g.flat[k] = (up - down) / (2 * eps)
        return g

    expect(ex.check_central_difference(good), "correct")

    def not_restored(f, x, eps):
        g = np.zeros_like(x)
        for k in range(x.size):
            x.flat[k] += eps
            up = f(x)
            x.flat[k] -= 2 * eps
            g.flat[k] = (up - f(x)) / (2 * eps)
        return g

    expect(ex.check_central_difference(not_restored), "wrong", "in place")


def test_relative_error():
    def good(a, b):
        d = np.linalg.norm(a) + np.linalg.norm(b)
        return 0.0 if d == 0 else np.linalg.norm(a - b) / d

    expect(ex.check_relative_error(good), "correct")
    with np.errstate(invalid="ignore"):
        expect(
            ex.check_relative_error(
                lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
            ),
            "wrong",
            "0 by 0",
        )
    expect(ex.check_relative_error(lambda a, b: np.linalg.norm(a - b)), "wrong", "absolute error")
    expect(
        ex.check_relative_error(lambda a, b: np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-300))),
        "wrong",
        "entry-by-entry",
    )
