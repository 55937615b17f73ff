"""MNIST from the files committed in ``data/mnist/``: checked by SHA-256, never downloaded.

Every load hashes and decodes the gzip IDX files afresh (about 0.2 to 0.6 s for the 60,000
training images here), so what the course sees is always what the checksums vouch for.
"""

import gzip
import hashlib
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}
_RESTORE = "restore it with `git checkout -- data/mnist/` from the course's repository"


class DataError(ValueError):
    """A data file is missing, corrupted or not what its name says."""


def _expected_sums(data_dir):
    sums_file = data_dir / "SHA256SUMS"
    if not sums_file.is_file():
        raise DataError(f"{sums_file} is missing; {_RESTORE}")
    sums = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


def _verified_bytes(path, expected):
    """The bytes of ``path`` after checking their SHA-256 against ``expected``."""
    if not path.is_file():
        raise DataError(f"MNIST file {path.name} is missing from {path.parent}; {_RESTORE}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected:
        raise DataError(
            f"MNIST file {path.name} is corrupted: its SHA-256 is {digest[:16]}..., "
            f"expected {expected[:16]}...; {_RESTORE}"
        )
    return raw


def _parse_idx(raw, name, expected_ndim):
    """Decode gzip-compressed IDX bytes into a uint8 array."""
    data = gzip.decompress(raw)
    magic = int.from_bytes(data[:4], "big")
    dtype_code, ndim = magic >> 8, magic & 0xFF
    if dtype_code != 0x08 or ndim != expected_ndim:
        raise DataError(f"{name} is not an IDX file of unsigned bytes with {expected_ndim} dimensions")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.uint8, offset=offset)
    if arr.size != int(np.prod(dims)):
        raise DataError(f"{name} holds {arr.size} bytes of data, its header promises {dims}")
    return arr.reshape(dims)


def _load_raw(split, data_dir):
    images_name, labels_name, count = _FILES[split]
    sums = _expected_sums(data_dir)
    arrays = []
    for name, ndim in ((images_name, 3), (labels_name, 1)):
        if name not in sums:
            raise DataError(f"SHA256SUMS in {data_dir} has no line for {name}; {_RESTORE}")
        raw = _verified_bytes(data_dir / name, sums[name])
        arr = _parse_idx(raw, name, ndim)
        arrays.append(arr)
    images, labels = arrays
    if images.shape != (count, 28, 28) or labels.shape != (count,):
        raise DataError(f"MNIST {split} split has shapes {images.shape} and {labels.shape}")
    return images, labels


def load_mnist(split="train", n=None, *, data_dir=None):
    """Load MNIST images as rows of pixels in [0, 1] and their labels.

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test images.
    n : int, optional
        Only the first ``n`` samples of the split (in the files' order).
    data_dir : path, optional
        Folder holding the four ``.gz`` files and ``SHA256SUMS``; the course's ``data/mnist``.

    Returns
    -------
    X : ndarray, shape (n, 784), float32
        Pixel ``28 * row + column`` of each image, grey level / 255.
    y : ndarray, shape (n,), int64
        Digits 0 to 9.
    """
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    count = _FILES[split][2]
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= count:
            raise ValueError(f"n must be an integer from 1 to {count} for the {split} split, got {n!r}")
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    images, labels = _load_raw(split, data_dir)
    stop = count if n is None else int(n)
    X = images[:stop].reshape(stop, 784).astype(np.float32)
    X /= 255.0
    return X, labels[:stop].astype(np.int64)
