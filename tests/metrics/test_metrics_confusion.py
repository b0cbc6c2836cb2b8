"""TruePositives .. FalseNegatives, Precision and Recall against explicit loop counts."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

rng = numpy.random.default_rng(17)
Y = (rng.random((25, 4)) > 0.5).astype(numpy.float32)
P = rng.random((25, 4)).astype(numpy.float32)
W = rng.random(25)
THRESHOLDS = [0.0, 0.2, 0.45, 0.9, 1.0]


def counts_reference(y, p, w, thresholds):
    """{'tp','fp','tn','fn'}: weight sums over every entry, p > t compared in float32."""
    out = {key: [] for key in ("tp", "fp", "tn", "fn")}
    w = numpy.broadcast_to(w.reshape(len(w), *[1] * (p.ndim - 1)), p.shape)
    for t in numpy.asarray(thresholds, dtype=numpy.float32):
        pred, true = p > t, y != 0
        out["tp"].append(w[pred & true].sum())
        out["fp"].append(w[pred & ~true].sum())
        out["tn"].append(w[~pred & ~true].sum())
        out["fn"].append(w[~pred & true].sum())
    return {key: numpy.array(value) for key, value in out.items()}


CLASSES = {"tp": metrics.TruePositives, "fp": metrics.FalsePositives,
           "tn": metrics.TrueNegatives, "fn": metrics.FalseNegatives}


@pytest.mark.parametrize("entry", sorted(CLASSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_counts_at_several_thresholds_in_batches(entry, weighted):
    w = W if weighted else numpy.ones(len(Y))
    metric = CLASSES[entry](thresholds=THRESHOLDS)
    for lo, hi in [(0, 10), (10, 11), (11, 25)]:
        metric.update_state(Y[lo:hi], P[lo:hi], sample_weight=w[lo:hi] if weighted else None)
    result = metric.result()
    assert isinstance(result, numpy.ndarray) and result.shape == (len(THRESHOLDS),)
    assert_allclose(result, counts_reference(Y, P, w, THRESHOLDS)[entry], rtol=1e-12)


def test_single_threshold_gives_a_float_and_default_is_half():
    metric = metrics.TruePositives()
    metric.update_state(Y, P)
    assert isinstance(metric.result(), float)
    assert metric.result() == counts_reference(Y, P, numpy.ones(len(Y)), [0.5])["tp"][0]


@pytest.mark.parametrize("weighted", [False, True])
def test_precision_and_recall_from_counts(weighted):
    w = W if weighted else numpy.ones(len(Y))
    ref = counts_reference(Y, P, w, THRESHOLDS)
    precision, recall = metrics.Precision(thresholds=THRESHOLDS), metrics.Recall(thresholds=THRESHOLDS)
    for metric in (precision, recall):
        metric.update_state(Y[:12], P[:12], sample_weight=w[:12] if weighted else None)
        metric.update_state(Y[12:], P[12:], sample_weight=w[12:] if weighted else None)
    with numpy.errstate(invalid="ignore"):
        expected_p = numpy.nan_to_num(ref["tp"] / (ref["tp"] + ref["fp"]))
        expected_r = ref["tp"] / (ref["tp"] + ref["fn"])
    assert_allclose(precision.result(), expected_p, rtol=1e-12)
    assert_allclose(recall.result(), expected_r, rtol=1e-12)
    assert precision.result()[-1] == 0.0  # nothing is above 1.0: 0, not NaN


def test_per_value_weights():
    w = rng.random(Y.shape)
    metric = metrics.Precision()
    metric.update_state(Y, P, sample_weight=w)
    pred, true = P > 0.5, Y != 0
    assert_allclose(metric.result(), w[pred & true].sum() / w[pred].sum(), rtol=1e-12)


def test_top_k_and_class_id_references():
    labels = rng.integers(0, 5, 30)
    y, p = numpy.eye(5)[labels], rng.random((30, 5))
    top2 = numpy.argsort(-p, axis=1)[:, :2]
    predicted = numpy.zeros_like(y, dtype=bool)
    numpy.put_along_axis(predicted, top2, True, axis=1)
    precision = metrics.Precision(top_k=2)
    precision.update_state(y, p)
    assert_allclose(precision.result(), (predicted & (y == 1)).sum() / predicted.sum(), rtol=1e-12)
    # top_k with a threshold: in the top 2 *and* above 0.6
    strict = metrics.Precision(top_k=2, thresholds=0.6)
    strict.update_state(y, p)
    both = predicted & (p > 0.6)
    assert_allclose(strict.result(), (both & (y == 1)).sum() / both.sum(), rtol=1e-12)
    recall = metrics.Recall(class_id=3)
    recall.update_state(y, p)
    assert_allclose(recall.result(), ((p[:, 3] > 0.5) & (labels == 3)).sum() / (labels == 3).sum(),
                    rtol=1e-12)
    recall_top = metrics.Recall(top_k=1, class_id=3)
    recall_top.update_state(y, p)
    assert_allclose(recall_top.result(), ((p.argmax(1) == 3) & (labels == 3)).sum() / (labels == 3).sum(),
                    rtol=1e-12)


def test_comparison_is_strict_and_in_float32():
    metric = metrics.TruePositives(thresholds=[0.3, 0.5])
    metric.update_state([1, 1, 1], numpy.array([0.3, 0.5, 0.50001], dtype=numpy.float32))
    assert metric.result().tolist() == [2.0, 1.0]
    metric = metrics.TruePositives(thresholds=[0.3])
    metric.update_state([1.0], [0.3])  # a float64 0.3 is rounded to float32 like the threshold
    assert metric.result() == 0.0


def test_nonzero_targets_are_positive_and_nan_scores_never_are():
    metric = metrics.TruePositives()
    metric.update_state([2.0, -1.0, 1.0], [0.9, 0.9, numpy.nan])
    assert metric.result() == 2.0
    negatives = metrics.FalseNegatives()
    negatives.update_state([1.0], [numpy.nan])
    assert negatives.result() == 1.0


def test_reset_clears():
    metric = metrics.Recall(thresholds=[0.1, 0.9])
    metric.update_state(Y, P)
    metric.reset_state()
    assert metric.result().tolist() == [0.0, 0.0]


def test_argument_errors():
    with pytest.raises(ValueError, match=r"Received: thresholds=\[0.5, 1.5\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="Received: top_k=0"):
        metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state([1, 0], [0.3, 0.7])
    with pytest.raises(ValueError, match=r"sample_weight of shape"):
        metrics.Precision().update_state(Y, P, sample_weight=numpy.ones(3))


@pytest.mark.parametrize("metric", [
    metrics.TruePositives(thresholds=[0.1, 0.7]), metrics.FalseNegatives(name="fn"),
    metrics.Precision(thresholds=0.3, class_id=2), metrics.Recall(top_k=3),
], ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    clone = type(metric).from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    clone.update_state(Y, P)
    metric.update_state(Y, P)
    assert_allclose(clone.result(), metric.result())


def test_keras_default_names_and_config():
    assert [m().name for m in CLASSES.values()] == ["true_positives", "false_positives",
                                                    "true_negatives", "false_negatives"]
    assert metrics.Precision().get_config() == {"name": "precision", "dtype": "float32", "thresholds": None,
                                                "top_k": None, "class_id": None}
