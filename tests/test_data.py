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
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz is corrupted") as caught:
        load_mnist("test", data_dir=data_copy)
    # The advice names the folder that was read, not the course's own.
    assert f"into {data_copy}" in str(caught.value) and "git checkout" not in str(caught.value)


def test_missing_file_is_refused(data_copy):
    (data_copy / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match=f"train-images-idx3-ubyte.gz is missing.*into {data_copy}"):
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


def test_advice_for_the_course_folder_is_git_checkout():
    from course_utils.data import _advice

    assert "git checkout -- data/mnist/" in _advice(DATA_DIR)
    assert "git checkout" not in _advice(DATA_DIR / "elsewhere")


def rewrite_sums(folder, transform):
    path = folder / "SHA256SUMS"
    path.write_text(transform(path.read_text()))


def test_checksums_may_carry_comments_blank_lines_and_uppercase_hex(data_copy):
    def upper_digests(text):
        lines = [f"{line[:64].upper()}{line[64:]}" for line in text.splitlines()]
        return "# SHA-256 of the MNIST files\n\n" + "\n".join(lines) + "\n"

    rewrite_sums(data_copy, upper_digests)
    assert "1A1A05EAB" in (data_copy / "SHA256SUMS").read_text()
    X, y = load_mnist("test", n=3, data_dir=data_copy)
    assert y.tolist() == [7, 2, 1]


def test_malformed_or_non_utf8_checksums_are_refused_by_name(data_copy):
    rewrite_sums(data_copy, lambda text: text + "not a checksum line\n")
    with pytest.raises(DataError, match="SHA256SUMS, line 5, is not '<64 hex digits>  <file name>'"):
        load_mnist("test", data_dir=data_copy)
    (data_copy / "SHA256SUMS").write_bytes(b"\xff\xfe" + "abc".encode("utf-16-le"))
    with pytest.raises(DataError, match="SHA256SUMS is not UTF-8 text"):
        load_mnist("test", data_dir=data_copy)


def replace_file_and_sum(folder, name, raw):
    """Swap a data file for ``raw`` and update its checksum, so that the hash check passes."""
    import hashlib

    (folder / name).write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    lines = [
        f"{digest}  {name}" if line.endswith(name) else line
        for line in (folder / "SHA256SUMS").read_text().splitlines()
    ]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def test_a_replaced_file_that_is_not_gzip_is_named(data_copy):
    replace_file_and_sum(data_copy, "t10k-labels-idx1-ubyte.gz", b"plain text, not gzip")
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz in .* is not a readable gzip file"):
        load_mnist("test", data_dir=data_copy)


def test_a_replaced_file_with_a_wrong_header_is_named(data_copy):
    import gzip

    replace_file_and_sum(data_copy, "t10k-labels-idx1-ubyte.gz", gzip.compress(b"\x00\x00"))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz in .* too short for an IDX header"):
        load_mnist("test", data_dir=data_copy)
    replace_file_and_sum(
        data_copy, "t10k-labels-idx1-ubyte.gz", gzip.compress(b"\x00\x00\x08\x03" + bytes(12))
    )
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz .* unsigned bytes with 1 dimensions"):
        load_mnist("test", data_dir=data_copy)


def test_label_bytes_outside_0_to_9_are_refused(data_copy):
    import gzip

    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress(path.read_bytes()))
    data[8 + 17] = 10  # label 17 becomes "10"
    replace_file_and_sum(data_copy, path.name, gzip.compress(bytes(data)))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz holds the label 10 at index 17"):
        load_mnist("test", data_dir=data_copy)
