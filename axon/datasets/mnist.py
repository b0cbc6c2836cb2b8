"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey, 10 classes.

Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database of handwritten digits".
"""
from __future__ import annotations

import os

from axon.datasets import _files, _idx

# Base URLs tried in order when the files are neither given nor cached.
_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

# SHA-256 of the decompressed files (the canonical IDX files; their MD5s are the published ones).
_SHA256 = {
    _idx.TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    _idx.TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    _idx.TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    _idx.TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def load_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[_idx.Split, _idx.Split]:
    """Load the MNIST dataset of handwritten digits.

    The four IDX files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) are looked up, in order:

    1. in ``path``, when given (and only there);
    2. in ``$AXON_DATA_DIR/mnist/``;
    3. in the cache, ``$XDG_CACHE_HOME/axon/datasets/mnist/`` (default
       ``~/.cache/axon/datasets/mnist/``);
    4. otherwise they are downloaded into the cache from public mirrors, and kept only if the
       SHA-256 of their decompressed content matches the canonical files.

    Args:
        path: The folder that holds the four files, or None to search as above.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, all uint8: ``x_train`` of shape
        ``(60000, 28, 28)`` with pixel values 0..255, ``y_train`` of shape ``(60000,)`` with
        labels 0..9, ``x_test`` of shape ``(10000, 28, 28)`` and ``y_test`` of shape ``(10000,)``.

    Raises:
        TypeError: If ``path`` is not a str, os.PathLike or None.
        DatasetNotFoundError: (a FileNotFoundError) If ``path`` is given and lacks a file, or if
            the files are found nowhere and the download fails; the message lists where it
            looked and how to provide the files.
        DatasetChecksumError: If every mirror delivered a file with the wrong content.
        IDXFormatError: If a file is corrupt or truncated; the message names the file.

    Example:
        >>> from axon.datasets import mnist
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape  # doctest: +SKIP
        ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
        >>> y_train[:5]  # doctest: +SKIP
        array([5, 0, 4, 1, 9], dtype=uint8)
    """
    files = _files.locate(
        title="MNIST",
        subdir="mnist",
        loader="axon.datasets.mnist.load_data",
        sha256=_SHA256,
        mirrors=_MIRRORS,
        path=path,
    )
    return _idx.load_splits(files)
