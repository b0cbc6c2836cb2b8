"""Tests of axon.utils.train_test_split: sizes and rounding as scikit-learn, the exact splits
scikit-learn makes for the same random_state, stratification, pandas objects and errors."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_array_equal

from axon import backend
from axon.utils import set_random_seed, train_test_split

Y_STRAT = numpy.array([0] * 6 + [1] * 9 + [2] * 5)
Y_MULTI = numpy.array([[0, 1], [1, 0], [0, 1], [1, 1], [1, 0], [0, 1], [1, 1], [1, 0], [0, 1],
                       [1, 1]])

# (n, kwargs, train indices, test indices): train_test_split(numpy.arange(n), **kwargs) as
# scikit-learn 1.9.1 returns it.
SKLEARN_SPLITS = [
    (10, {"test_size": 0.2, "random_state": 0}, [4, 9, 1, 6, 7, 3, 0, 5], [2, 8]),
    (10, {"random_state": 42}, [0, 7, 2, 9, 4, 3, 6], [8, 1, 5]),
    (13, {"test_size": 4, "train_size": 6, "random_state": 3}, [12, 5, 7, 0, 11, 3], [6, 4, 1, 2]),
    (13, {"train_size": 0.5, "random_state": 7}, [7, 11, 3, 6, 9, 4], [8, 10, 2, 5, 0, 1, 12]),
    (12, {"shuffle": False, "test_size": 0.3}, list(range(8)), [8, 9, 10, 11]),
    (20, {"test_size": 0.25, "random_state": 1, "stratify": Y_STRAT},
     [7, 0, 17, 12, 5, 10, 2, 14, 18, 15, 6, 19, 8, 1, 9], [13, 4, 16, 11, 3]),
    (20, {"test_size": 7, "random_state": 5, "stratify": Y_STRAT},
     [5, 1, 6, 11, 14, 17, 4, 7, 10, 8, 2, 18, 15], [19, 13, 0, 12, 9, 3, 16]),
    (20, {"train_size": 0.6, "test_size": 0.3, "random_state": 11, "stratify": Y_STRAT},
     [4, 10, 14, 2, 1, 15, 12, 11, 18, 9, 17, 5], [0, 3, 13, 6, 16, 8]),
    (10, {"test_size": 0.3, "random_state": 2, "stratify": Y_MULTI}, [6, 3, 4, 1, 8, 2, 5], [7, 0, 9]),
]


@pytest.mark.parametrize(("n", "kwargs", "train", "test"), SKLEARN_SPLITS)
def test_same_split_as_scikit_learn(n, kwargs, train, test):
    a_train, a_test = train_test_split(numpy.arange(n), **kwargs)
    assert a_train.tolist() == train
    assert a_test.tolist() == test


@pytest.mark.parametrize(("n", "kwargs", "sizes"), [
    (10, {}, (7, 3)),                                   # default test_size 0.25, ceil(2.5) = 3
    (11, {"test_size": 0.1}, (9, 2)),                   # ceil(1.1) = 2
    (11, {"train_size": 0.1}, (1, 10)),                 # floor(1.1) = 1
    (10, {"test_size": 3}, (7, 3)),
    (10, {"train_size": 4}, (4, 6)),
    (10, {"train_size": 0.5, "test_size": 0.2}, (5, 2)),  # both given: the rest is dropped
    (10, {"train_size": 2, "test_size": 0.5}, (2, 5)),
])
def test_sizes(n, kwargs, sizes):
    train, test = train_test_split(numpy.arange(n), **kwargs)
    assert (len(train), len(test)) == sizes
    assert len(set(train.tolist()) | set(test.tolist())) == sum(sizes)  # disjoint


def test_several_arrays_stay_aligned_and_lists_become_arrays():
    x = numpy.arange(30).reshape(10, 3)
    y = list(range(10))
    names = [f"s{i}" for i in range(10)]
    x_tr, x_te, y_tr, y_te, n_tr, n_te = train_test_split(x, y, names, random_state=4)
    assert isinstance(y_tr, numpy.ndarray) and isinstance(n_te, numpy.ndarray)
    assert_array_equal(x_tr[:, 0] // 3, y_tr)
    assert_array_equal(x_te[:, 0] // 3, y_te)
    assert [f"s{i}" for i in y_te] == n_te.tolist()


def test_stratify_keeps_class_proportions():
    y = numpy.array([0] * 60 + [1] * 30 + [2] * 10)
    x = numpy.arange(100)
    _, _, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    assert numpy.bincount(y_te).tolist() == [12, 6, 2]
    assert numpy.bincount(y_tr).tolist() == [48, 24, 8]


def test_random_state_none_follows_the_global_seed(monkeypatch):
    monkeypatch.setitem(backend._state, "rng", backend.rng())
    set_random_seed(5)
    first = train_test_split(numpy.arange(50))
    set_random_seed(5)
    second = train_test_split(numpy.arange(50))
    assert all(numpy.array_equal(a, b) for a, b in zip(first, second))
    third = train_test_split(numpy.arange(50))
    assert not numpy.array_equal(first[0], third[0])


def test_random_state_generator_and_randomstate_instances():
    a = train_test_split(numpy.arange(20), random_state=numpy.random.RandomState(0))
    b = train_test_split(numpy.arange(20), random_state=0)
    assert_array_equal(a[0], b[0])
    c = train_test_split(numpy.arange(20), random_state=numpy.random.default_rng(0))
    assert sorted(c[0].tolist() + c[1].tolist()) == list(range(20))


# ---- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((), {}, "at least one array"),
    ((numpy.arange(4), numpy.arange(5)), {}, r"same number of samples. Received lengths: \[4, 5\]"),
    ((3,), {}, "Received a scalar"),
    ((numpy.arange(10),), {"test_size": 1.0}, "Received: test_size=1.0"),
    ((numpy.arange(10),), {"test_size": 10}, "Received: test_size=10"),
    ((numpy.arange(10),), {"test_size": 0}, "Received: test_size=0"),
    ((numpy.arange(10),), {"train_size": -0.5}, "Received: train_size=-0.5"),
    ((numpy.arange(10),), {"test_size": "half"}, "Received: test_size='half'"),
    ((numpy.arange(10),), {"test_size": True}, "Received: test_size=True"),
    ((numpy.arange(10),), {"test_size": 0.6, "train_size": 0.6}, "test_size \\+ train_size <= 1"),
    ((numpy.arange(10),), {"test_size": 6, "train_size": 5}, "more than the 10 samples"),
    ((numpy.arange(3),), {"test_size": 0.9}, "train set would be empty"),
    ((numpy.arange(10),), {"shuffle": False, "stratify": numpy.zeros(10)}, "without shuffling"),
    ((numpy.arange(10),), {"random_state": -1}, "Received: random_state=-1"),
    ((numpy.arange(10),), {"stratify": numpy.arange(9) % 2}, r"one label per sample \(10\)"),
    ((numpy.arange(10),), {"stratify": numpy.array([0] * 9 + [1])}, "at least 2"),
    ((numpy.arange(10),), {"stratify": numpy.arange(10) % 5, "test_size": 3},
     "test set \\(3 samples\\) must hold at least one sample of each of the 5 classes"),
])
def test_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(*args, **kwargs)


# ---- pandas -------------------------------------------------------------------------------------
def test_pandas_objects_stay_pandas():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": range(8), "b": list("abcdefgh")}, index=list("pqrstuvw"))
    s = pd.Series(range(8), index=df.index, name="target")
    x_tr, x_te, y_tr, y_te = train_test_split(df, s, random_state=0, stratify=s % 2)
    assert isinstance(x_tr, pd.DataFrame) and isinstance(x_te, pd.DataFrame)
    assert isinstance(y_tr, pd.Series) and isinstance(y_te, pd.Series)
    assert list(x_tr.columns) == ["a", "b"] and y_te.name == "target"
    assert list(x_tr.index) == list(y_tr.index)  # rows stay aligned, labels kept
    assert (x_te["a"].to_numpy() == y_te.to_numpy()).all()
    assert sorted(list(x_tr.index) + list(x_te.index)) == list(df.index)
    numpy_train, _ = train_test_split(numpy.arange(8), random_state=0, stratify=s.to_numpy() % 2)
    assert_array_equal(x_tr["a"].to_numpy(), numpy_train)  # same rows as for NumPy input
