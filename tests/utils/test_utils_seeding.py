"""Tests of axon.utils.set_random_seed: the same seed gives the same draws everywhere."""
from __future__ import annotations

import random

import numpy
import pytest
from numpy.testing import assert_array_equal

import axon
from axon import backend, initializers
from axon.utils import set_random_seed


@pytest.fixture(autouse=True)
def restore_random_state(monkeypatch):
    """Leave every generator as the test found it."""
    monkeypatch.setitem(backend._state, "rng", backend.rng())
    numpy_state, python_state = numpy.random.get_state(), random.getstate()
    yield
    numpy.random.set_state(numpy_state)
    random.setstate(python_state)


def draws():
    return (initializers.GlorotUniform()((6, 4)), initializers.RandomNormal()((3,)),
            backend.rng().random(5), backend.rng().integers(0, 1000, size=4),
            numpy.random.rand(3), random.random())


def test_same_seed_same_draws():
    set_random_seed(123)
    first = draws()
    set_random_seed(123)
    second = draws()
    for a, b in zip(first, second):
        assert_array_equal(a, b)


def test_other_seed_other_draws():
    set_random_seed(1)
    first = draws()
    set_random_seed(2)
    second = draws()
    for a, b in zip(first, second):
        assert not numpy.array_equal(a, b)


def test_seed_replaces_the_global_generator():
    set_random_seed(5)
    generator = backend.rng()
    set_random_seed(5)
    assert backend.rng() is not generator  # a fresh generator, not a shared one advanced further
    assert_array_equal(generator.random(3), backend.rng().random(3))


def test_seeded_initializers_ignore_the_global_seed():
    set_random_seed(1)
    a = initializers.HeNormal(seed=7)((4, 4))
    set_random_seed(2)
    assert_array_equal(a, initializers.HeNormal(seed=7)((4, 4)))


def test_large_seed():
    set_random_seed(2**40 + 3)
    first = backend.rng().random(2)
    set_random_seed(2**40 + 3)
    assert_array_equal(first, backend.rng().random(2))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", None])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="non-negative integer. Received: seed="):
        set_random_seed(seed)


def test_public_alias():
    assert axon.utils.set_random_seed is set_random_seed
