"""load_mnist reads the committed files, verifies them, and refuses damaged ones loudly."""

import shutil

import numpy as np
import pytest

from course_utils import load_mnist
from course_utils.data import DATA_DIR, DataError

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize("split, counts", [("train", TRAIN_COUNTS), ("test", TEST_COUNTS)])
def test_full_splits(split, counts):
    X, y = load_mnist(split)
    assert X.shape == (sum(counts), 784) and X.dtype == np.float32
    assert y.shape == (sum(counts),) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == counts
    # Grey levels are multiples of 1/255.
    np.testing.assert_allclose(X[:100] * 255, np.round(X[:100] * 255), atol=1e-4)


def test_first_digits_and_prefix():
    X, y = load_mnist("train", n=5)
    assert y.tolist() == [5, 0, 4, 1, 9]
    Xall, _ = load_mnist("train")
    np.testing.assert_array_equal(X, Xall[:5])
    assert load_mnist("test", n=3)[1].tolist() == [7, 2, 1]
    # The border of every image is blank, the centre is not.
    img = Xall[:1000].reshape(-1, 28, 28)
    assert img[:, 0, :].max() == 0 and img[:, 14, 14].max() > 0


@pytest.fixture
def data_copy(tmp_path):
    for f in DATA_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def test_copy_loads(data_copy):
    X, y = load_mnist("test", data_dir=data_copy)
    assert X.shape == (10000, 784)


def test_corrupted_file_is_refused(data_copy):
    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(
        DataError, match="t10k-labels-idx1-ubyte.gz is corrupted.*git checkout -- data/mnist/"
    ):
        load_mnist("test", data_dir=data_copy)


def test_missing_file_is_refused(data_copy):
    (data_copy / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz is missing.*git checkout"):
        load_mnist("train", data_dir=data_copy)


def test_missing_checksums_are_refused(data_copy):
    (data_copy / "SHA256SUMS").unlink()
    with pytest.raises(DataError, match="SHA256SUMS is missing"):
        load_mnist("test", data_dir=data_copy)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'valid'"):
        load_mnist("valid")
    with pytest.raises(ValueError, match="n must be an integer from 1 to 10000"):
        load_mnist("test", n=10001)
    with pytest.raises(ValueError, match="n must be an integer"):
        load_mnist("test", n=2.5)
