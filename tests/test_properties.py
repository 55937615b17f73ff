"""The core's invariants, stated as properties over random shapes, dtypes and values (hypothesis).

The budget of examples is set once in ``conftest.py`` (bounded, derandomized under CI).
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import course_utils as cu
from course_utils import training

FLOATS = st.sampled_from([np.float32, np.float64])


def logits(max_abs=None, min_rows=1, max_rows=6, max_classes=9):
    """(N, C) arrays of finite logits of either float dtype, bounded by ``max_abs`` when given."""

    @st.composite
    def build(draw):
        dtype = draw(FLOATS)
        shape = (draw(st.integers(min_rows, max_rows)), draw(st.integers(1, max_classes)))
        bound = max_abs if max_abs is not None else float(np.finfo(dtype).max)
        elements = st.floats(
            -bound, bound, allow_nan=False, allow_infinity=False, width=8 * np.dtype(dtype).itemsize
        )
        return draw(hnp.arrays(dtype, shape, elements=elements))

    return build()


@given(logits())
def test_softmax_rows_are_finite_non_negative_and_sum_to_one(z):
    h = cu.softmax(z)
    assert h.dtype == z.dtype and h.shape == z.shape
    assert np.all(np.isfinite(h)) and np.all(h >= 0)
    np.testing.assert_allclose(h.sum(axis=1), 1.0, rtol=50 * np.finfo(z.dtype).eps * z.shape[1])


@given(logits(max_abs=100.0), st.data())
def test_softmax_is_shift_invariant(z, data):
    c = data.draw(hnp.arrays(np.float64, (z.shape[0], 1), elements=st.floats(-100, 100))).astype(z.dtype)
    # z + c rounds to the spacing of numbers near 200: the outputs agree to that, not better.
    atol = 4 * 200 * np.finfo(z.dtype).eps
    np.testing.assert_allclose(cu.softmax(z + c), cu.softmax(z), atol=atol)


@given(logits(max_abs=1e4))
def test_log_softmax_is_finite_and_non_positive_up_to_1e4(z):
    log_h = cu.log_softmax(z)
    assert np.all(np.isfinite(log_h)) and np.all(log_h <= 0)
    assert np.all(np.max(log_h, axis=1) >= -np.log(z.shape[1]) * (1 + 1e-3) - 1e-3)


def log_softmax_vjp(z, g):
    """g J for J the Jacobian of log-softmax, built in full: J[n, i, j] = delta_ij - h[n, j]."""
    h = cu.softmax(z.astype(np.float64))
    J = np.eye(z.shape[1])[None] - h[:, None, :]
    return np.einsum("ni,nij->nj", g, J)


@given(logits(max_abs=30.0), st.data())
def test_cross_entropy_grad_is_the_vjp_of_log_softmax(z, data):
    N, C = z.shape
    if data.draw(st.booleans(), label="labels"):
        y = data.draw(hnp.arrays(np.int64, (N,), elements=st.integers(0, C - 1)))
        t = np.eye(C)[y]
        target = y
    else:
        t = data.draw(hnp.arrays(np.float64, (N, C), elements=st.floats(0, 2)))
        target = t
    # L = -(1/N) sum t * log_softmax(z): the upstream gradient of log_softmax is -t / N.
    expected = log_softmax_vjp(z, -t / N)
    tol = 1e-12 if z.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(cu.cross_entropy_grad(z, target), expected, atol=tol * max(1, t.sum() / N))


NETS = st.fixed_dictionaries(
    {
        "hidden": st.sampled_from(sorted(cu.ACTIVATIONS)),
        "D": st.integers(1, 6),
        "H": st.integers(1, 8),
        "C": st.integers(2, 5),
        "N": st.integers(1, 8),
        "reg": st.sampled_from([0.0, 0.1, 1.0]),
        "seed": st.integers(0, 2**16),
    }
)


def make_net(spec):
    rng = np.random.default_rng(spec["seed"])
    net = cu.TwoLayerNet(spec["D"], spec["H"], spec["C"], hidden=spec["hidden"], seed=spec["seed"])
    for v in net.params.values():
        v += 0.1 * rng.standard_normal(v.shape)  # biases off 0: no unit sits exactly at a kink
    X = rng.standard_normal((spec["N"], spec["D"]))
    y = rng.integers(0, spec["C"], size=spec["N"])
    return net, X, y


@given(NETS)
def test_check_gradients_passes_every_correct_network(spec):
    net, X, y = make_net(spec)
    reg = spec["reg"]
    report = cu.check_gradients(lambda: net.loss(X, y, reg), net.params, net.gradients(X, y, reg))
    assert report.ok, report


@given(NETS, st.sampled_from(["W1", "b1", "W2", "b2"]), st.sampled_from([-1.0, 0.5, 1.5, 3.0]))
def test_check_gradients_flags_a_scaled_tensor_and_only_it(spec, name, scale):
    net, X, y = make_net(spec)
    reg = spec["reg"]
    grads = net.gradients(X, y, reg)
    # A tensor whose gradient is (nearly) 0 is unchanged by scaling: nothing to flag.
    assume(np.abs(grads[name]).max() > 1e-6)
    grads[name] = grads[name] * scale
    report = cu.check_gradients(lambda: net.loss(X, y, reg), net.params, grads)
    assert report.failed == [name], report


# --- every public function refuses a wrong shape, dtype or label, saying what it expected --------


def z_and_y(N=4, C=3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((N, C)), rng.integers(0, C, size=N)


def call_with(func_name, z=None, y=None):
    z0, y0 = z_and_y()
    z = z0 if z is None else z
    y = y0 if y is None else y
    net = cu.TwoLayerNet(3, 4, 3, seed=0)
    calls = {
        "softmax": lambda: cu.softmax(z),
        "log_softmax": lambda: cu.log_softmax(z),
        "softmax_jacobian": lambda: cu.softmax_jacobian(z),
        "softmax_vjp": lambda: cu.softmax_vjp(z, np.ones(np.shape(z))),
        "cross_entropy": lambda: cu.cross_entropy(z, y),
        "cross_entropy_grad": lambda: cu.cross_entropy_grad(z, y),
        "cross_entropy_and_grad": lambda: cu.cross_entropy_and_grad(z, y),
        "binary_cross_entropy": lambda: cu.binary_cross_entropy(cu.softmax(z0) if z is z0 else z, y),
        "TwoLayerNet.loss": lambda: net.loss(z, y),
        "accuracy": lambda: training.accuracy(net, z, y),
        "confusion_matrix": lambda: training.confusion_matrix(y, y0, 3),
        "rel_error": lambda: cu.rel_error(z, z0),
    }
    return calls[func_name]()


LOGIT_FUNCS = ["softmax", "log_softmax", "softmax_jacobian", "softmax_vjp", "cross_entropy"]
LOGIT_FUNCS += ["cross_entropy_grad", "cross_entropy_and_grad", "TwoLayerNet.loss", "accuracy"]
LABEL_FUNCS = ["cross_entropy", "cross_entropy_grad", "cross_entropy_and_grad", "binary_cross_entropy"]
LABEL_FUNCS += ["TwoLayerNet.loss", "accuracy", "confusion_matrix"]


def assert_refused(func_name, **bad):
    with pytest.raises((ValueError, TypeError)) as caught:
        call_with(func_name, **bad)
    message = str(caught.value)
    assert "must" in message and "got" in message, f"{func_name}: {message}"


@given(
    st.sampled_from(LOGIT_FUNCS),
    st.sampled_from(["complex", "object", "string", "3-D", "nan", "inf", "empty"]),
)
def test_bad_logits_are_refused_by_name(func_name, kind):
    z, _ = z_and_y()
    bad = {
        "complex": z + 1j,
        "object": z.astype(object),
        "string": z.astype(str),
        "3-D": z[None],
        "nan": np.where(np.eye(4, 3) > 0, np.nan, z),
        "inf": np.where(np.eye(4, 3) > 0, -np.inf, z),
        "empty": z[:0],
    }[kind]
    assert_refused(func_name, z=bad)


@given(
    st.sampled_from(LABEL_FUNCS),
    st.sampled_from(["column", "float", "too large", "negative", "too many", "2-D"]),
    st.integers(0, 3),
)
def test_bad_labels_are_refused_by_name(func_name, kind, where):
    _, y = z_and_y()
    y = y.copy()
    if kind == "too large":
        y[where] = 3
    elif kind == "negative":
        y[where] = -1
    bad = {
        "column": y[:, None],
        "float": y.astype(float),
        "too large": y,
        "negative": y,
        "too many": np.r_[y, y],
        "2-D": np.stack([y, y]),
    }[kind]
    assert_refused(func_name, y=bad)
