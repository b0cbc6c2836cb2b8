"""AUC against references written here: counts at Keras's thresholds, the trapezoid rule, a
numerically integrated PR curve, and the exact Mann-Whitney area."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

EPS = 1e-7
rng = numpy.random.default_rng(23)
Y = (rng.random(60) > 0.6).astype(numpy.float32)
P = numpy.clip(rng.random(60) * 0.7 + 0.3 * Y, 0, 1).astype(numpy.float32)
W = rng.random(60)


def keras_thresholds(n):
    return numpy.array([-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS])


def counts(y, p, w, thresholds):
    p = numpy.clip(p, 0, 1).astype(numpy.float32)
    t = numpy.asarray(thresholds, dtype=numpy.float32)[:, None]
    pred, true = p[None, :] > t, (y != 0)[None, :]
    return [(w * (pred & a)).sum(axis=1) for a in (true, ~true)] + \
           [(w * (~pred & a)).sum(axis=1) for a in (true, ~true)]  # tp, fp, fn, tn


def ratio(a, b):
    return numpy.divide(a, b, out=numpy.zeros_like(a), where=b != 0)


def roc_reference(y, p, w, n, heights="trapezoid"):
    tp, fp, fn, tn = counts(y, p, w, keras_thresholds(n))
    tpr, fpr = ratio(tp, tp + fn), ratio(fp, fp + tn)
    h = {"trapezoid": (tpr[:-1] + tpr[1:]) / 2, "minoring": numpy.minimum(tpr[:-1], tpr[1:]),
         "majoring": numpy.maximum(tpr[:-1], tpr[1:])}[heights]
    return float(numpy.sum((fpr[:-1] - fpr[1:]) * h))


def pr_interpolated_reference(y, p, w, n, steps=4000):
    """Integrate precision d(recall) numerically, TP and P = TP + FP linear between thresholds."""
    tp, fp, fn, _ = counts(y, p, w, keras_thresholds(n))
    pos, total = tp + fp, tp[0] + fn[0]
    s = (numpy.arange(steps) + 0.5) / steps
    area = 0.0
    for i in range(n - 1):
        dtp, dp = tp[i] - tp[i + 1], pos[i] - pos[i + 1]
        if dtp == 0:
            continue
        precision = (tp[i + 1] + s * dtp) / (pos[i + 1] + s * dp)
        area += numpy.mean(precision) * dtp / total
    return area


def mann_whitney(y, p, w):
    """P(score of a positive > score of a negative), ties counting one half, weighted."""
    pos, neg = y != 0, y == 0
    greater = (p[pos][:, None] > p[neg][None, :]) + 0.5 * (p[pos][:, None] == p[neg][None, :])
    pair_w = w[pos][:, None] * w[neg][None, :]
    return float((greater * pair_w).sum() / pair_w.sum())


@pytest.mark.parametrize("n", [3, 11, 200])
@pytest.mark.parametrize("weighted", [False, True])
def test_roc_trapezoid_over_keras_thresholds_in_batches(n, weighted):
    w = W if weighted else numpy.ones(len(Y))
    metric = metrics.AUC(num_thresholds=n)
    for lo, hi in [(0, 20), (20, 21), (21, 60)]:
        metric.update_state(Y[lo:hi], P[lo:hi], sample_weight=w[lo:hi] if weighted else None)
    assert_allclose(metric.result(), roc_reference(Y, P, w, n), rtol=1e-12)


@pytest.mark.parametrize("method", ["minoring", "majoring"])
def test_roc_riemann_sums(method):
    metric = metrics.AUC(num_thresholds=9, summation_method=method)
    metric.update_state(Y, P, sample_weight=W)
    assert_allclose(metric.result(), roc_reference(Y, P, W, 9, method), rtol=1e-12)


def test_roc_with_separating_thresholds_is_the_mann_whitney_area():
    scores = (rng.integers(0, 1000, 80) / 1000 + 0.00025).astype(numpy.float64)  # between thresholds
    labels = (rng.random(80) < 0.3 + 0.5 * scores).astype(float)
    weights = rng.random(80)
    metric = metrics.AUC(num_thresholds=2001, dtype="float64")
    metric.update_state(labels, scores, sample_weight=weights)
    assert_allclose(metric.result(), mann_whitney(labels, scores, weights), rtol=1e-10)


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize("weighted", [False, True])
def test_pr_interpolation_is_the_integral_of_the_interpolated_curve(n, weighted):
    w = W if weighted else numpy.ones(len(Y))
    metric = metrics.AUC(num_thresholds=n, curve="PR")
    metric.update_state(Y, P, sample_weight=w if weighted else None)
    assert_allclose(metric.result(), pr_interpolated_reference(Y, P, w, n), rtol=1e-6)


def test_pr_minoring_uses_precision_heights_over_recall():
    metric = metrics.AUC(num_thresholds=7, curve="PR", summation_method="minoring")
    metric.update_state(Y, P)
    tp, fp, fn, _ = counts(Y, P, numpy.ones(len(Y)), keras_thresholds(7))
    recall, precision = ratio(tp, tp + fn), ratio(tp, tp + fp)
    expected = numpy.sum((recall[:-1] - recall[1:]) * numpy.minimum(precision[:-1], precision[1:]))
    assert_allclose(metric.result(), expected, rtol=1e-12)


def test_explicit_thresholds_are_sorted_and_framed():
    metric = metrics.AUC(thresholds=[0.7, 0.2, 0.5])
    assert metric.thresholds == pytest.approx([-EPS, 0.2, 0.5, 0.7, 1 + EPS])
    assert metric.num_thresholds == 5
    metric.update_state(Y, P)
    tp, fp, fn, tn = counts(Y, P, numpy.ones(len(Y)), metric.thresholds)
    tpr, fpr = ratio(tp, tp + fn), ratio(fp, fp + tn)
    assert_allclose(metric.result(), numpy.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2), rtol=1e-12)


def test_multi_label_is_the_mean_of_per_label_areas():
    y = (rng.random((50, 3)) > 0.5).astype(float)
    p = rng.random((50, 3))
    single = []
    for j in range(3):
        m = metrics.AUC()
        m.update_state(y[:, j], p[:, j])
        single.append(m.result())
    multi = metrics.AUC(multi_label=True)
    multi.update_state(y[:20], p[:20])
    multi.update_state(y[20:], p[20:])
    assert_allclose(multi.result(), numpy.mean(single), rtol=1e-12)
    weighted = metrics.AUC(multi_label=True, num_labels=3, label_weights=[1.0, 0.0, 3.0])
    weighted.update_state(y, p)
    assert_allclose(weighted.result(), (single[0] + 3 * single[2]) / 4, rtol=1e-12)
    with pytest.raises(ValueError, match="built for 3 labels"):
        multi.update_state(y[:, :2], p[:, :2])


def test_pooled_labels_with_label_weights_weight_each_entry():
    y = (rng.random((40, 2)) > 0.5).astype(float)
    p = rng.random((40, 2))
    metric = metrics.AUC(num_thresholds=13, label_weights=[0.5, 2.0])
    metric.update_state(y, p)
    entry_w = numpy.broadcast_to([0.5, 2.0], y.shape).ravel()
    assert_allclose(metric.result(), roc_reference(y.ravel(), p.ravel(), entry_w, 13), rtol=1e-12)


def test_from_logits_applies_the_sigmoid():
    logits = rng.normal(scale=3.0, size=60)
    a, b = metrics.AUC(from_logits=True, curve="PR"), metrics.AUC(curve="PR")
    a.update_state(Y, logits)
    b.update_state(Y, 1 / (1 + numpy.exp(-logits)))
    assert_allclose(a.result(), b.result(), rtol=1e-12)


def test_perfect_and_reversed_scores_and_reset():
    metric = metrics.AUC()
    metric.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert metric.result() == pytest.approx(1.0, abs=1e-12)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])
    assert metric.result() == pytest.approx(0.0, abs=1e-12)


def test_argument_errors():
    with pytest.raises(ValueError, match="Received: num_thresholds=1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Received: curve='XY'"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="Received: summation_method='trapz'"):
        metrics.AUC(summation_method="trapz")
    with pytest.raises(ValueError, match="num_labels is needed only when multi_label=True"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(numpy.ones(3), numpy.ones(3))


def test_config_round_trip_and_defaults():
    assert metrics.AUC().get_config() == {
        "name": "auc", "dtype": "float32", "num_thresholds": 200, "curve": "ROC",
        "summation_method": "interpolation", "multi_label": False, "num_labels": None,
        "label_weights": None, "from_logits": False}
    metric = metrics.AUC(curve="pr", thresholds=[0.3, 0.6], multi_label=True, label_weights=[1, 2],
                         from_logits=True, name="pr_auc")
    config = metric.get_config()
    assert config["curve"] == "PR" and config["thresholds"] == pytest.approx([0.3, 0.6])
    assert metrics.AUC.from_config(config).get_config() == config
