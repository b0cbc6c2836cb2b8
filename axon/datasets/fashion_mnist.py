"""Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28 grey, 10 classes.

H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine
Learning Algorithms", arXiv:1708.07747, 2017. Zalando Research, MIT licence.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot (also in ``CLASS_NAMES``).
"""
from __future__ import annotations

import os

from axon.datasets import _files, _idx

CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

# Base URLs tried in order when the files are neither given nor cached.
_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
]

# SHA-256 of the decompressed files.
_SHA256 = {
    _idx.TRAIN_IMAGES: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    _idx.TRAIN_LABELS: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    _idx.TEST_IMAGES: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    _idx.TEST_LABELS: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def load_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[_idx.Split, _idx.Split]:
    """Load the Fashion-MNIST dataset of clothing images.

    The four IDX files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) are looked up, in order:

    1. in ``path``, when given (and only there);
    2. in ``$AXON_DATA_DIR/fashion-mnist/``;
    3. in the cache, ``$XDG_CACHE_HOME/axon/datasets/fashion-mnist/`` (default
       ``~/.cache/axon/datasets/fashion-mnist/``);
    4. otherwise they are downloaded into the cache from public mirrors, and kept only if the
       SHA-256 of their decompressed content matches the published files.

    Args:
        path: The folder that holds the four files, or None to search as above.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, all uint8: ``x_train`` of shape
        ``(60000, 28, 28)`` with pixel values 0..255, ``y_train`` of shape ``(60000,)`` with
        labels 0..9 (see ``CLASS_NAMES``), ``x_test`` of shape ``(10000, 28, 28)`` and
        ``y_test`` of shape ``(10000,)``.

    Raises:
        TypeError: If ``path`` is not a str, os.PathLike or None.
        DatasetNotFoundError: (a FileNotFoundError) If ``path`` is given and lacks a file, or if
            the files are found nowhere and the download fails; the message lists where it
            looked and how to provide the files.
        DatasetChecksumError: If every mirror delivered a file with the wrong content.
        IDXFormatError: If a file is corrupt or truncated; the message names the file.

    Example:
        >>> from axon.datasets import fashion_mnist
        >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, x_test.shape  # doctest: +SKIP
        ((60000, 28, 28), (10000, 28, 28))
        >>> [fashion_mnist.CLASS_NAMES[i] for i in y_train[:3]]  # doctest: +SKIP
        ['Ankle boot', 'T-shirt/top', 'T-shirt/top']
    """
    files = _files.locate(
        title="Fashion-MNIST",
        subdir="fashion-mnist",
        loader="axon.datasets.fashion_mnist.load_data",
        sha256=_SHA256,
        mirrors=_MIRRORS,
        path=path,
    )
    return _idx.load_splits(files)
