"""The 8x8 handwritten digits: 1,797 images, values 0..16, 10 classes; shipped with axon.

E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository, 1998, DOI 10.24432/C50P49, CC BY 4.0 (see ``data/DIGITS_LICENSE.txt``). The file is
the copy of the UCI test set that scikit-learn ships (``digits.csv.gz``: one row per image, 64
pixel counts in row-major order, then the label).

Each pixel counts the "on" pixels of a 4x4 block of a 32x32 bitmap, hence the range 0..16.
"""
from __future__ import annotations

import gzip
import numbers
from importlib import resources

import numpy as np

from axon.datasets._idx import Split

NUM_SAMPLES = 1797
_DATA_FILE = "digits.csv.gz"


def load_data(test_split: float = 0.2, seed: int = 113) -> tuple[Split, Split]:
    """Load the 8x8 handwritten digits, split into a stratified training and test set.

    The split is deterministic: a permutation drawn from ``numpy.random.default_rng(seed)``
    shuffles the 1,797 samples, and for each digit the first ``round(test_split * n_digit)`` of
    its samples in that order go to the test set (so both sets keep the class proportions). Both
    sets come in the shuffled order. The same arguments always give the same arrays.

    Args:
        test_split: Fraction of each class held out for the test set, in ``[0, 1)``; with 0.2 the
            test set has 359 samples and the training set 1,438.
        seed: Seed of the shuffle, a non-negative int.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, all uint8: images of shape ``(n, 8, 8)``
        with values 0..16, labels of shape ``(n,)`` with values 0..9.

    Raises:
        TypeError: If ``test_split`` is not a real number or ``seed`` not an int.
        ValueError: If ``test_split`` is outside ``[0, 1)`` or ``seed`` is negative.

    Example:
        >>> from axon.datasets import digits
        >>> (x_train, y_train), (x_test, y_test) = digits.load_data()
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
        ((1438, 8, 8), (1438,), (359, 8, 8), (359,))
        >>> int(x_train.max()), sorted(set(y_test.tolist())) == list(range(10))
        (16, True)
    """
    if isinstance(test_split, bool) or not isinstance(test_split, numbers.Real):
        raise TypeError(
            "Expected test_split to be a float in [0, 1). "
            f"Received: test_split={test_split!r} of type {type(test_split).__name__}"
        )
    if not 0 <= test_split < 1:
        raise ValueError(f"Expected test_split to be in [0, 1). Received: test_split={test_split}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            "Expected seed to be a non-negative int. "
            f"Received: seed={seed!r} of type {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"Expected seed to be a non-negative int. Received: seed={seed}")

    x, y = _read()
    order = np.random.default_rng(int(seed)).permutation(len(y))
    shuffled = y[order]
    is_test = np.zeros(len(y), dtype=bool)
    for label in range(10):
        positions = np.flatnonzero(shuffled == label)
        n_test = int(np.floor(test_split * len(positions) + 0.5))
        is_test[positions[:n_test]] = True
    train, test = order[~is_test], order[is_test]
    return (x[train], y[train]), (x[test], y[test])


def _read() -> tuple[np.ndarray, np.ndarray]:
    """Read the shipped CSV: images (1797, 8, 8) and labels (1797,), both uint8."""
    source = resources.files("axon.datasets") / "data" / _DATA_FILE
    with source.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    if table.shape != (NUM_SAMPLES, 65) or table.min() < 0 or table[:, :64].max() > 16:
        raise ValueError(
            f"axon/datasets/data/{_DATA_FILE} is corrupt: expected {NUM_SAMPLES} rows of 64 "
            f"pixels in 0..16 and a label; received shape {table.shape}. Reinstall axon."
        )
    images = table[:, :64].astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.uint8)
    return images, labels
