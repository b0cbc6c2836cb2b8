"""Splitting data into training and test sets, with scikit-learn's ``train_test_split`` semantics."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy

from axon import backend

_DEFAULT_TEST_SIZE = 0.25


def train_test_split(*arrays: Any, test_size: float | int | None = None,
                     train_size: float | int | None = None, random_state: Any = None,
                     shuffle: bool = True, stratify: Any = None) -> list:
    """Split arrays into random train and test subsets, as ``sklearn.model_selection``'s.

    Sizes: a float in (0, 1) is a fraction of the ``n`` samples, an int a count. The test set
    gets ``ceil(test_size * n)`` samples, the train set ``floor(train_size * n)``; when only one
    is given the other takes the rest, and when neither is, ``test_size=0.25``.

    Shuffling: without ``stratify``, a permutation ``p`` of the samples gives
    ``test = p[:n_test]`` and ``train = p[n_test:n_test + n_train]``. With ``stratify=y``, each
    class keeps its proportion in both sets: the train (then the test) size is shared among the
    classes in proportion to their counts, rounding down and handing the samples still missing
    to the classes with the largest remainders (ties broken at random). An int ``random_state``
    seeds a ``numpy.random.RandomState``, so the split is the one scikit-learn makes with the
    same arguments; None draws from axon's global generator (see ``set_random_seed``).

    Args:
        *arrays: sequences of the same length: NumPy arrays, lists, or pandas objects.
        test_size: float in (0, 1), int in [1, n), or None.
        train_size: float in (0, 1), int in [1, n), or None.
        random_state: None, an int, a ``numpy.random.RandomState`` or ``Generator``.
        shuffle: whether to shuffle before splitting; ``False`` keeps the order (train first)
            and does not allow ``stratify``.
        stratify: class labels of length ``n`` (2-D rows count as one label each), or None.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``: NumPy arrays, except that pandas objects
        stay pandas objects (rows taken with ``.iloc``, index kept).

    Raises:
        ValueError: for no arrays, arrays of different lengths, sizes out of range or adding up
            to more than ``n``, an empty train set, or a class too small to stratify.

    Example:
        >>> import numpy
        >>> x, y = numpy.arange(20).reshape(10, 2), numpy.arange(10)
        >>> x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0)
        >>> x_train.shape, x_test.shape, y_test.tolist()
        ((8, 2), (2, 2), [2, 8])
    """
    if not arrays:
        raise ValueError("train_test_split expects at least one array. Received none.")
    arrays = tuple(a if _is_pandas(a) else _as_array(a, f"arrays[{i}]") for i, a in enumerate(arrays))
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError("train_test_split expects arrays with the same number of samples. "
                         f"Received lengths: {lengths}")
    n = lengths[0]
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split cannot stratify without shuffling. "
                             "Received: shuffle=False with stratify given.")
        train, test = numpy.arange(n_train), numpy.arange(n_train, n_train + n_test)
    else:
        rng = _random_state(random_state)
        if stratify is None:
            order = rng.permutation(n)
            test, train = order[:n_test], order[n_test:n_test + n_train]
        else:
            train, test = _stratified(stratify, n, n_train, n_test, rng)
    split = []
    for array in arrays:
        split.extend((_take(array, train), _take(array, test)))
    return split


def _is_pandas(value: Any) -> bool:
    """A pandas DataFrame or Series, recognised by ``.iloc`` (pandas need not be installed)."""
    return hasattr(value, "iloc") and hasattr(value, "shape")


def _as_array(value: Any, name: str) -> numpy.ndarray:
    array = numpy.asarray(value)
    if array.ndim == 0:
        raise ValueError(f"train_test_split expects sequences of samples. Received a scalar as "
                         f"{name}: {value!r}")
    return array


def _take(array: Any, indices: numpy.ndarray) -> Any:
    return array.iloc[indices] if _is_pandas(array) else array[indices]


def _check_size(value: Any, name: str, n: int) -> None:
    if value is None:
        return
    expected = (f"train_test_split expects {name} to be a float in (0, 1), an int in [1, {n}) "
                f"(n_samples={n}) or None. Received: {name}={value!r}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(expected)
    if isinstance(value, numbers.Integral):
        if not 0 < value < n:
            raise ValueError(expected)
    elif not 0 < value < 1:
        raise ValueError(expected)


def _split_sizes(n: int, test_size: Any, train_size: Any) -> tuple[int, int]:
    """``(n_train, n_test)`` for ``n`` samples, with scikit-learn's rounding."""
    if test_size is None and train_size is None:
        test_size = _DEFAULT_TEST_SIZE
    _check_size(test_size, "test_size", n)
    _check_size(train_size, "train_size", n)
    fractions = [s for s in (test_size, train_size) if isinstance(s, float)]
    if len(fractions) == 2 and sum(fractions) > 1:
        raise ValueError("train_test_split expects test_size + train_size <= 1. "
                         f"Received: test_size={test_size}, train_size={train_size}")
    n_test = None if test_size is None else (
        math.ceil(test_size * n) if isinstance(test_size, float) else int(test_size))
    n_train = None if train_size is None else (
        math.floor(train_size * n) if isinstance(train_size, float) else int(train_size))
    n_train = n - n_test if n_train is None else n_train
    n_test = n - n_train if n_test is None else n_test
    if n_train + n_test > n:
        raise ValueError(f"train_test_split: the train ({n_train}) and test ({n_test}) sets need "
                         f"more than the {n} samples. Reduce test_size and/or train_size. "
                         f"Received: test_size={test_size}, train_size={train_size}")
    if n_train == 0:
        raise ValueError(f"train_test_split: with n_samples={n}, test_size={test_size} and "
                         f"train_size={train_size}, the train set would be empty.")
    return n_train, n_test


def _random_state(random_state: Any) -> Any:
    """A ``RandomState``/``Generator``: ints as scikit-learn seeds them, None from axon's."""
    if random_state is None:
        return numpy.random.RandomState(int(backend.rng().integers(2**32)))
    if isinstance(random_state, numpy.random.RandomState | numpy.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if 0 <= random_state < 2**32:
            return numpy.random.RandomState(int(random_state))
    raise ValueError("train_test_split expects random_state to be None, an int in [0, 2**32), "
                     f"or a numpy RandomState or Generator. Received: random_state={random_state!r}")


def _stratified(stratify: Any, n: int, n_train: int, n_test: int, rng: Any):
    labels = numpy.asarray(stratify)
    if labels.ndim == 2:  # multi-label rows: each distinct row is one class, as scikit-learn
        labels = numpy.array([" ".join(row.astype(str)) for row in labels])
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"train_test_split expects stratify to hold one label per sample ({n}). "
                         f"Received: stratify of shape {labels.shape}")
    _, label_index = numpy.unique(labels, return_inverse=True)
    label_index = label_index.reshape(-1)
    counts = numpy.bincount(label_index)
    if counts.min() < 2:
        raise ValueError("train_test_split cannot stratify a class with a single sample; each "
                         f"class needs at least 2. Received class counts: {counts.tolist()}")
    for name, size in (("train", n_train), ("test", n_test)):
        if size < len(counts):
            raise ValueError(f"train_test_split: the {name} set ({size} samples) must hold at "
                             f"least one sample of each of the {len(counts)} classes to stratify.")
    members = numpy.split(numpy.argsort(label_index, kind="mergesort"), numpy.cumsum(counts)[:-1])
    train_share = _share(counts, n_train, rng)
    test_share = _share(counts - train_share, n_test, rng)
    train, test = [], []
    for indices, k_train, k_test in zip(members, train_share, test_share):
        shuffled = indices[rng.permutation(len(indices))]
        train.extend(shuffled[:k_train])
        test.extend(shuffled[k_train:k_train + k_test])
    return rng.permutation(numpy.asarray(train)), rng.permutation(numpy.asarray(test))


def _share(counts: numpy.ndarray, total: int, rng: Any) -> numpy.ndarray:
    """Split ``total`` draws among classes in proportion to ``counts`` (largest remainders).

    Each class first gets ``floor(total * count / sum(counts))``; the draws still missing go one
    each to the classes with the largest fractional parts, ties chosen at random.
    """
    exact = counts / counts.sum() * total
    share = numpy.floor(exact)
    missing = int(total - share.sum())
    remainder = exact - share
    for value in numpy.sort(numpy.unique(remainder))[::-1]:
        if missing <= 0:
            break
        (tied,) = numpy.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        share[chosen] += 1
        missing -= len(chosen)
    return share.astype(int)
