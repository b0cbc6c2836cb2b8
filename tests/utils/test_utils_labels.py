"""Tests of axon.utils.to_categorical (as keras.utils.to_categorical)."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_array_equal

from axon.utils import to_categorical


def test_one_hot_rows_and_default_num_classes():
    out = to_categorical([0, 2, 1, 2])
    assert out.dtype == numpy.float32
    assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])


def test_num_classes_widens():
    out = to_categorical(numpy.array([1, 0]), num_classes=5)
    assert out.shape == (2, 5)
    assert_array_equal(out, numpy.eye(5)[[1, 0]])


def test_trailing_axis_of_one_is_dropped():
    assert to_categorical(numpy.array([[2], [0], [1]]), num_classes=3).shape == (3, 3)
    assert_array_equal(to_categorical([[2], [0]], num_classes=3), [[0, 0, 1], [1, 0, 0]])


def test_higher_rank_labels():
    labels = numpy.array([[0, 1, 2], [2, 2, 0]])
    out = to_categorical(labels, num_classes=4)
    assert out.shape == (2, 3, 4)
    assert_array_equal(out.argmax(axis=-1), labels)
    assert_array_equal(out.sum(axis=-1), numpy.ones((2, 3)))


@pytest.mark.parametrize("labels", [numpy.array([0.0, 2.0, 1.0]), numpy.array([0, 2, 1], dtype=numpy.uint8),
                                    numpy.array([0, 2, 1], dtype=numpy.int64)],
                         ids=["integral_floats", "uint8", "int64"])
def test_integer_valued_inputs(labels):
    assert_array_equal(to_categorical(labels), numpy.eye(3)[[0, 2, 1]])


def test_empty_labels():
    assert to_categorical(numpy.array([], dtype=int), num_classes=3).shape == (0, 3)


@pytest.mark.parametrize(("labels", "num_classes", "message"), [
    ([0, 3], 3, r"labels in \[0, 3\)\. Received labels from 0 to 3"),
    ([-1, 0, 1], None, r"Received labels from -1 to 1"),
    ([0.5, 1.0], None, "integer class labels. Received non-integer values"),
    ([numpy.nan, 1.0], None, "integer class labels"),
    (["a", "b"], None, "integer class labels. Received: dtype="),
])
def test_bad_labels(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels, num_classes=num_classes)


def test_matches_keras_shapes_for_trailing_axis_of_one_and_num_classes():
    # Shapes keras.utils.to_categorical (Keras 3.15) returns for these inputs.
    cases = [([[1], [0], [2]], None, (3, 3)), ([[1], [0]], 4, (2, 4)), ([1], None, (1, 2)),
             (numpy.array([[[1]], [[0]]]), 2, (2, 1, 2)), (2, 4, (4,)), ([[1]], None, (1, 2)),
             ([0, 1], 0, (2, 2))]  # num_classes=0 is inferred, as in Keras
    for x, num_classes, shape in cases:
        out = to_categorical(x, num_classes)
        assert out.shape == shape
        assert_array_equal(out.argmax(-1), numpy.asarray(x).reshape(shape[:-1]))


@pytest.mark.parametrize("num_classes", [-1, 2.5, "3", True])
def test_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match="Received: num_classes="):
        to_categorical([0, 1], num_classes=num_classes)
