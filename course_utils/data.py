"""MNIST from the files committed in ``data/mnist/``: checked by SHA-256, never downloaded.

Every load hashes and decodes the gzip IDX files afresh (about 0.2 to 0.6 s for the 60,000
training images here), so what the course sees is always what the checksums vouch for.
"""

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}


class DataError(ValueError):
    """A data file is missing, corrupted or not what its name says."""


def _advice(data_dir):
    """How to get the original files back into ``data_dir``."""
    if Path(data_dir).resolve() == DATA_DIR:
        return "restore it with `git checkout -- data/mnist/` from the course's repository"
    return f"copy the original files of the course's data/mnist/ folder ({DATA_DIR}) into {data_dir}"


def _expected_sums(data_dir):
    """``{file name: lowercase hex digest}`` from ``SHA256SUMS`` (sha256sum's format, # comments)."""
    sums_file = data_dir / "SHA256SUMS"
    if not sums_file.is_file():
        raise DataError(f"{sums_file} is missing; {_advice(data_dir)}")
    try:
        text = sums_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(
            f"{sums_file} is not UTF-8 text (byte {err.start} is {err.object[err.start]:#04x}); "
            f"{_advice(data_dir)}"
        ) from None
    sums = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=1)
        digest = parts[0].lower()
        if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DataError(
                f"{sums_file}, line {number}, is not '<64 hex digits>  <file name>': {line[:80]!r}; "
                f"{_advice(data_dir)}"
            )
        sums[parts[1].strip().lstrip("*")] = digest
    return sums


def _verified_bytes(path, expected):
    """The bytes of ``path`` after checking their SHA-256 against ``expected``."""
    if not path.is_file():
        raise DataError(f"MNIST file {path.name} is missing from {path.parent}; {_advice(path.parent)}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected:
        raise DataError(
            f"MNIST file {path.name} is corrupted: its SHA-256 is {digest[:16]}..., "
            f"expected {expected[:16]}...; {_advice(path.parent)}"
        )
    return raw


def _parse_idx(raw, path, expected_ndim):
    """Decode gzip-compressed IDX bytes into a uint8 array; every error names the file."""
    where = f"MNIST file {path.name} in {path.parent}"
    try:
        data = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{where} is not a readable gzip file ({err}); {_advice(path.parent)}") from None
    header = 4 + 4 * expected_ndim
    if len(data) < header:
        raise DataError(f"{where} is {len(data)} bytes long, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    dtype_code, ndim = magic >> 8, magic & 0xFF
    if dtype_code != 0x08 or ndim != expected_ndim:
        raise DataError(f"{where} is not an IDX file of unsigned bytes with {expected_ndim} dimensions")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=header)
    if arr.size != int(np.prod(dims)):
        raise DataError(f"{where} holds {arr.size} bytes of data, its header promises {dims}")
    return arr.reshape(dims)


def _load_raw(split, data_dir):
    images_name, labels_name, count = _FILES[split]
    sums = _expected_sums(data_dir)
    arrays = []
    for name, ndim in ((images_name, 3), (labels_name, 1)):
        if name not in sums:
            raise DataError(f"SHA256SUMS in {data_dir} has no line for {name}; {_advice(data_dir)}")
        raw = _verified_bytes(data_dir / name, sums[name])
        arrays.append(_parse_idx(raw, data_dir / name, ndim))
    images, labels = arrays
    if images.shape != (count, 28, 28):
        raise DataError(
            f"MNIST file {images_name} holds images of shape {images.shape}, expected {(count, 28, 28)}"
        )
    if labels.shape != (count,):
        raise DataError(f"MNIST file {labels_name} holds {labels.shape[0]} labels, expected {count}")
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise DataError(
            f"MNIST file {labels_name} holds the label {labels[bad]} at index {bad}: "
            f"MNIST labels are the digits 0 to 9; {_advice(data_dir)}"
        )
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
