"""Accuracy metrics against NumPy references written here: values, ties, weights, batches, config."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

rng = numpy.random.default_rng(11)
N, C = 40, 6
LABELS = rng.integers(0, C, N)
ONE_HOT = numpy.eye(C)[LABELS]
SCORES = rng.random((N, C))
WEIGHT = rng.random(N)


def weighted_mean(values, weight=None):
    weight = numpy.ones(len(values)) if weight is None else weight
    return (weight * values).sum() / weight.sum()


def top_k_reference(labels, scores, k):
    """Loop: the label is in the top k when fewer than k scores are strictly higher."""
    return numpy.array([sum(score > row[label] for score in row) < k
                        for label, row in zip(labels, scores)], dtype=float)


def run(metric, y, p, weight=None, splits=(0, 13, 29, None)):
    """Update in several batches; return the result."""
    bounds = list(splits[:-1]) + [len(y)]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        metric.update_state(y[lo:hi], p[lo:hi], None if weight is None else weight[lo:hi])
    return metric.result()


@pytest.mark.parametrize("weighted", [False, True])
def test_categorical_and_sparse_match_argmax_reference(weighted):
    w = WEIGHT if weighted else None
    expected = weighted_mean((SCORES.argmax(axis=1) == LABELS).astype(float), w)
    assert_allclose(run(metrics.CategoricalAccuracy(), ONE_HOT, SCORES, w), expected, rtol=1e-13)
    assert_allclose(run(metrics.SparseCategoricalAccuracy(), LABELS, SCORES, w), expected, rtol=1e-13)
    assert_allclose(run(metrics.SparseCategoricalAccuracy(), LABELS[:, None].astype(float), SCORES, w),
                    expected, rtol=1e-13)


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_top_k_variants_match_loop_reference(k, weighted):
    w = WEIGHT if weighted else None
    expected = weighted_mean(top_k_reference(LABELS, SCORES, k), w)
    assert_allclose(run(metrics.TopKCategoricalAccuracy(k=k), ONE_HOT, SCORES, w), expected, rtol=1e-13)
    assert_allclose(run(metrics.SparseTopKCategoricalAccuracy(k=k), LABELS, SCORES, w), expected,
                    rtol=1e-13)


def test_top_k_ties_at_the_boundary_count_as_in():
    scores = numpy.array([[0.2, 0.5, 0.5, 0.1], [0.3, 0.3, 0.3, 0.1]])
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state([2, 1], scores)  # both labels tie for first place
    assert m.result() == 1.0


def test_sparse_top_k_from_sorted_ids():
    ids = numpy.argsort(-SCORES, axis=1)[:, :3]
    m = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    m.update_state(LABELS, ids)
    assert_allclose(m.result(), top_k_reference(LABELS, SCORES, 2).mean(), rtol=1e-13)
    assert m.get_config()["from_sorted_ids"] is True


def test_top_k_default_is_five():
    assert metrics.TopKCategoricalAccuracy().k == 5 and metrics.SparseTopKCategoricalAccuracy().k == 5
    with pytest.raises(ValueError, match="Received: k=0"):
        metrics.TopKCategoricalAccuracy(k=0)


@pytest.mark.parametrize("threshold", [0.5, 0.2, 0.8])
def test_binary_accuracy_elementwise_with_per_value_weights(threshold):
    y = (rng.random((N, 3)) > 0.5).astype(float)
    p = rng.random((N, 3))
    w = rng.random((N, 3))
    m = metrics.BinaryAccuracy(threshold=threshold)
    m.update_state(y, p, sample_weight=w)
    hits = (y == (p > threshold)).astype(float)
    assert_allclose(m.result(), (w * hits).sum() / w.sum(), rtol=1e-13)


def test_binary_accuracy_soft_labels_never_match_as_in_keras():
    m = metrics.BinaryAccuracy()
    m.update_state([0.9, 1.0, 0.0, 0.2], [0.8, 0.8, 0.1, 0.1])
    assert m.result() == 0.5  # 0.9 and 0.2 are compared with 1 and 0 for equality


def test_accuracy_is_exact_equality():
    m = metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
    assert m.result() == 0.5


def test_reset_clears_every_accuracy():
    for metric in (metrics.CategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=2)):
        metric.update_state(ONE_HOT, SCORES)
        metric.reset_state()
        assert metric.result() == 0.0
        metric.update_state(ONE_HOT[:1], numpy.eye(C)[LABELS[:1]])
        assert metric.result() == 1.0


@pytest.mark.parametrize("metric", [
    metrics.Accuracy(name="a"), metrics.BinaryAccuracy(threshold=0.3), metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=3, name="top3"),
    metrics.SparseTopKCategoricalAccuracy(k=2),
], ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    clone = type(metric).from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    assert "fn" not in metric.get_config()
