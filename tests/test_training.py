"""train, accuracy and confusion_matrix: right answers, and clear errors for the classic slips."""

import numpy as np
import pytest

from course_utils import TwoLayerNet, training


@pytest.fixture
def blobs():
    """Three well-separated Gaussian blobs in 4-D: a net learns them in a few epochs."""
    rng = np.random.default_rng(0)
    centres = 4 * rng.standard_normal((3, 4))
    y = rng.integers(0, 3, size=96)
    X = centres[y] + 0.3 * rng.standard_normal((96, 4))
    return X, y


def test_accuracy_counts_matching_rows(blobs):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    pred = net.predict(X)
    assert training.accuracy(net, X, pred) == 1.0
    wrong = (pred + 1) % 3
    assert training.accuracy(net, X, wrong) == 0.0
    half = np.where(np.arange(len(y)) % 2 == 0, pred, wrong)
    assert training.accuracy(net, X, half) == 0.5


def test_accuracy_refuses_a_column_of_labels(blobs):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    with pytest.raises(ValueError, match=r"shape \(N,\), got \(96, 1\).*y\.ravel\(\)"):
        training.accuracy(net, X, y[:, None])
    with pytest.raises(ValueError, match="one label per row, N = 96, got 95"):
        training.accuracy(net, X, y[:-1])
    with pytest.raises(TypeError, match="integer class labels, got dtype float64"):
        training.accuracy(net, X, y.astype(float))


def test_train_learns_and_measures_validation_accuracy(blobs):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    history = training.train(net, X, list(y), epochs=5, batch_size=16, X_val=X, y_val=y, progress=False)
    assert history.epochs == 5 and len(history.val_accuracy) == 5
    assert history.val_accuracy[-1] == training.accuracy(net, X, y)
    assert history.val_accuracy[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]


@pytest.mark.parametrize(
    "make_kwargs, error, message",
    [
        (
            lambda X, y: {"X_val": X, "y_val": y[:, None]},
            ValueError,
            r"y_val must have shape \(N,\), got \(96, 1\)",
        ),
        (lambda X, y: {"X_val": X}, ValueError, "X_val was given without y_val"),
        (lambda X, y: {"y_val": y}, ValueError, "y_val was given without X_val"),
        (lambda X, y: {"X_val": X[:, :3], "y_val": y}, ValueError, r"X_val must have shape \(N_val, 4\)"),
        (lambda X, y: {"epochs": -1}, ValueError, "epochs must be an integer >= 0, got -1"),
        (lambda X, y: {"epochs": 2.5}, TypeError, "epochs must be an integer"),
        (lambda X, y: {"batch_size": 0}, ValueError, "batch_size must be an integer from 1 to N = 96"),
    ],
)
def test_train_bad_arguments(blobs, make_kwargs, error, message):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    before = net.params["W1"].copy()
    kwargs = {"batch_size": 16, **make_kwargs(X, y)}
    with pytest.raises(error, match=message):
        training.train(net, X, y, progress=False, **kwargs)
    assert np.array_equal(net.params["W1"], before), "a refused call must not train"


def test_train_bad_labels(blobs):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    with pytest.raises(ValueError, match=r"got \(96, 1\).*y\.ravel\(\)"):
        training.train(net, X, y[:, None], batch_size=16, progress=False)
    with pytest.raises(TypeError, match="integer class labels"):
        training.train(net, X, y.astype(np.float32), progress=False)
    with pytest.raises(TypeError, match="array of integer labels"):
        training.train(net, X, None, progress=False)


def test_zero_epochs_is_an_empty_history(blobs):
    X, y = blobs
    history = training.train(TwoLayerNet(4, 8, 3), X, y, epochs=0, batch_size=16, progress=False)
    assert history.epochs == 0 and history.val_accuracy == []


def test_confusion_matrix_counts_every_pair_once():
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    M = training.confusion_matrix(y_true, y_pred, 4)
    assert M.shape == (4, 4) and M.sum() == 50
    for i in range(4):
        for j in range(4):
            assert M[i, j] == np.sum((y_true == i) & (y_pred == j))
    assert np.trace(training.confusion_matrix(y_true, y_true, 4)) == 50


@pytest.mark.parametrize(
    "y_true, y_pred, error, message",
    [
        (np.array([[0], [1]]), np.array([0, 1]), ValueError, r"y_true must have shape \(N,\), got \(2, 1\)"),
        (np.array([0, 1]), np.array([[0], [1]]), ValueError, r"y_pred.*\(2, 1\).*y_pred\.ravel\(\)"),
        (np.array([0, -1]), np.array([0, 1]), ValueError, "labels >= 0, got the label -1"),
        (np.array([0, 3]), np.array([0, 1]), ValueError, r"\[0, 3\) for C = 3 classes, got the label 3"),
        (np.array([0, 1]), np.array([0.0, 1.0]), TypeError, "y_pred must hold integer class labels"),
        (np.array([0, 1]), np.array([0, 1, 2]), ValueError, "one label per row, N = 2, got 3"),
    ],
)
def test_confusion_matrix_bad_labels(y_true, y_pred, error, message):
    with pytest.raises(error, match=message):
        training.confusion_matrix(y_true, y_pred, 3)


def test_confident_mistakes_are_wrong_and_sorted(blobs):
    X, y = blobs
    net = TwoLayerNet(4, 8, 3, seed=0)
    idx, pred, prob = training.confident_mistakes(net, X, y, k=5)
    assert np.all(pred != y[idx]) and np.all(np.diff(prob) <= 0)
    with pytest.raises(ValueError, match=r"\(96, 1\)"):
        training.confident_mistakes(net, X, y[:, None])
