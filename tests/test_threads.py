"""The thread policy (course_utils/threads.py): fixed BLAS threads, row loops that change no bit."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

import course_utils as cu
from course_utils import losses, threads, training


def test_importing_the_course_sets_blas_to_the_policys_thread_count():
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas, "NumPy's BLAS was not found by threadpoolctl"
    assert all(lib["num_threads"] == threads.BLAS_THREADS for lib in blas), blas


TRAIN = """
import hashlib, numpy as np, course_utils as cu
from course_utils import training
X, y = cu.load_mnist("train", n=2048)
net = cu.TwoLayerNet(784, 64, 10, hidden="relu", seed=0, dtype=np.float32)
training.train(net, X, y, epochs=1, batch_size=512, progress=False)
print(hashlib.sha256(b"".join(v.tobytes() for v in net.params.values())).hexdigest())
"""


def trained_weights_digest(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "OPENBLAS_", "OMP_"))}
    run = subprocess.run(
        [sys.executable, "-c", TRAIN], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def test_training_gives_the_same_weights_whatever_the_blas_thread_count():
    # Without the policy (COURSE_BLAS_THREADS=default) OpenBLAS splits these products differently on
    # one and two threads, and the weights differ in their last bits on a machine with 2 cores.
    digests = {n: trained_weights_digest(OPENBLAS_NUM_THREADS=str(n)) for n in (1, 2, 4)}
    assert len(set(digests.values())) == 1, digests


def test_train_holds_the_policy_even_after_a_learner_changed_the_limits():
    X, y = cu.load_mnist("train", n=256)
    seen = []
    net = cu.TwoLayerNet(784, 16, 10, seed=0, dtype=np.float32)
    original = net.loss_and_gradients

    def spy(*args, **kwargs):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return original(*args, **kwargs)

    net.loss_and_gradients = spy
    with threadpool_limits(limits=2, user_api="blas"):
        training.train(net, X, y, epochs=1, batch_size=128, progress=False)
    assert seen and all(s == {threads.BLAS_THREADS} for s in seen), seen


@pytest.mark.parametrize("n_rows, min_rows", [(0, 1), (1, 1), (7, 1), (100, 30), (1000, 1)])
@pytest.mark.parametrize("n_workers", ["1", "2", "3"])
def test_map_rows_covers_every_row_exactly_once(monkeypatch, n_rows, min_rows, n_workers):
    monkeypatch.setenv("COURSE_WORKERS", n_workers)
    hits = np.zeros(n_rows, dtype=int)
    lock = threading.Lock()

    def fn(a, b):
        assert b - a >= min(min_rows, n_rows)
        with lock:
            hits[a:b] += 1

    threads.map_rows(fn, n_rows, min_rows=min_rows)
    assert np.all(hits == 1)


def test_map_rows_raises_what_a_range_raised(monkeypatch):
    monkeypatch.setenv("COURSE_WORKERS", "3")

    def fn(a, b):
        if a > 0:
            raise ArithmeticError(f"rows {a}:{b}")

    with pytest.raises(ArithmeticError, match="rows"):
        threads.map_rows(fn, 90)


@pytest.mark.parametrize(
    "name, bad", [("COURSE_WORKERS", "0"), ("COURSE_WORKERS", "two"), ("COURSE_BLAS_THREADS", "-1")]
)
def test_a_bad_setting_in_the_environment_is_named(monkeypatch, name, bad):
    monkeypatch.setenv(name, bad)
    with pytest.raises(ValueError, match=name):
        threads.workers() if name == "COURSE_WORKERS" else threads.blas_threads()


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_BLAS_THREADS", "default")
    assert threads.blas_threads() is None
    monkeypatch.setenv("COURSE_BLAS_THREADS", "3")
    assert threads.blas_threads() == 3
    monkeypatch.delenv("COURSE_BLAS_THREADS")
    assert threads.blas_threads() == threads.BLAS_THREADS
    monkeypatch.delenv("COURSE_WORKERS", raising=False)
    assert 1 <= threads.workers() <= threads.MAX_WORKERS


@given(
    n=st.integers(1, 300),
    c=st.integers(1, 40),
    workers=st.integers(2, 4),
    block=st.integers(1, 200),
    spread=st.sampled_from([3.0, 30.0, 300.0]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_fused_loss_is_bit_for_bit_the_same_with_any_thread_count(n, c, workers, block, spread, dtype, seed):
    """The blocks are cut by C alone; threads take whole blocks: the thread count cannot move a bit.

    ``spread`` = 300 puts rows hundreds below their block's maximum, so the per-row fallback runs too.
    """
    rng = np.random.default_rng(seed)
    z = (3 * rng.standard_normal((n, c)) + spread * rng.standard_normal((n, 1))).astype(dtype)
    y = rng.integers(0, c, size=n)
    old = (losses._BLOCK, losses._PARALLEL_ROWS, os.environ.get("COURSE_WORKERS"))
    try:
        losses._BLOCK, losses._PARALLEL_ROWS = block, 1  # small blocks, every worker busy
        os.environ["COURSE_WORKERS"] = "1"
        one = cu.cross_entropy_and_grad(z, y)
        os.environ["COURSE_WORKERS"] = str(workers)
        many = cu.cross_entropy_and_grad(z, y)
    finally:
        losses._BLOCK, losses._PARALLEL_ROWS = old[0], old[1]
        if old[2] is None:
            os.environ.pop("COURSE_WORKERS", None)
        else:
            os.environ["COURSE_WORKERS"] = old[2]
    assert one[0].dtype == many[0].dtype == dtype and one[1].dtype == many[1].dtype == dtype
    assert one[0] == many[0]
    assert np.array_equal(one[1], many[1])


@given(
    n=st.integers(1, 300),
    c=st.integers(1, 40),
    block=st.integers(1, 200),
    spread=st.sampled_from([0.0, 3.0, 30.0, 300.0, 3e4]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_the_blocked_loss_agrees_with_the_float64_reference(n, c, block, spread, dtype, seed):
    """Shifting a block by its largest logit (or a far row by its own) keeps full float precision."""
    rng = np.random.default_rng(seed)
    z = (3 * rng.standard_normal((n, c)) + spread * rng.standard_normal((n, 1))).astype(dtype)
    y = rng.integers(0, c, size=n)
    old = losses._BLOCK, losses._PARALLEL_ROWS
    try:
        losses._BLOCK, losses._PARALLEL_ROWS = block, 1
        loss, dz = cu.cross_entropy_and_grad(z, y)
    finally:
        losses._BLOCK, losses._PARALLEL_ROWS = old
    z64 = z.astype(np.float64)
    shifted = z64 - z64.max(axis=1, keepdims=True)
    log_h = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ref_loss = -log_h[np.arange(n), y].mean()
    ref_dz = np.exp(log_h)
    ref_dz[np.arange(n), y] -= 1
    ref_dz /= n
    # A row within the floor of its block's maximum (at most about 21 + log C below it) rounds its
    # log-sum against a shift up to that far away: a few tens of eps on that row's loss, no more.
    tol = 4 * (24 + c) * np.finfo(dtype).eps
    assert abs(loss - ref_loss) <= tol * max(1.0, abs(ref_loss))
    assert np.allclose(dz, ref_dz, rtol=tol, atol=tol / n)


def test_a_nan_in_any_block_is_still_named(monkeypatch):
    monkeypatch.setattr(losses, "_BLOCK", 20)
    monkeypatch.setattr(losses, "_PARALLEL_ROWS", 1)
    monkeypatch.setenv("COURSE_WORKERS", "3")
    z = np.zeros((50, 10), dtype=np.float32)
    z[37, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cu.cross_entropy_and_grad(z, np.zeros(50, dtype=int))


def test_the_chinese_progress_bar_shows_no_unknown_rate(capsys):
    X, y = cu.load_mnist("train", n=256)
    net = cu.TwoLayerNet(784, 8, 10, seed=0, dtype=np.float32)
    cu.set_language("zh")
    try:
        training.train(net, X, y, epochs=1, batch_size=128, progress=True)
    finally:
        cu.set_language("en")
    bar = capsys.readouterr().err
    assert "训练" in bar and "2/2" in bar
    assert "?步/s" not in bar and "/s" not in bar, bar
