"""F1Score and FBetaScore against per-class counts computed here (with Keras's eps terms)."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

EPS = 1e-7
rng = numpy.random.default_rng(29)
Y = (rng.random((30, 4)) > 0.6).astype(float)
P = rng.random((30, 4))
W = rng.random(30)


def f_reference(y, p, w, beta, threshold, average):
    pred = (p > threshold) if threshold is not None else (p >= p.max(axis=1, keepdims=True))
    pred = pred.astype(float)
    w = w[:, None]
    axis = None if average == "micro" else 0
    tp, fp = (w * pred * y).sum(axis), (w * pred * (1 - y)).sum(axis)
    fn, support = (w * (1 - pred) * y).sum(axis), (w * y).sum(axis)
    precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    score = (1 + beta**2) * precision * recall / (beta**2 * precision + recall + EPS)
    if average == "weighted":
        return (score * support / (support.sum() + EPS)).sum()
    return score if average is None else numpy.mean(score)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("threshold", [None, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_f1_in_batches(average, threshold, weighted):
    w = W if weighted else numpy.ones(len(Y))
    metric = metrics.F1Score(average=average, threshold=threshold)
    for lo, hi in [(0, 9), (9, 30)]:
        metric.update_state(Y[lo:hi], P[lo:hi], sample_weight=w[lo:hi] if weighted else None)
    expected = f_reference(Y, P, w, 1.0, threshold, average)
    assert_allclose(metric.result(), expected, rtol=1e-10)
    assert isinstance(metric.result(), numpy.ndarray if average is None else float)


@pytest.mark.parametrize("beta", [0.5, 2.0, 3])
def test_f_beta(beta):
    metric = metrics.FBetaScore(average="macro", beta=beta, threshold=0.35)
    metric.update_state(Y, P, sample_weight=W)
    assert_allclose(metric.result(), f_reference(Y, P, W, beta, 0.35, "macro"), rtol=1e-10)


def test_argmax_rule_marks_every_tied_maximum_and_skips_all_zero_rows():
    metric = metrics.F1Score(average=None)
    metric.update_state([[1, 0, 0], [0, 1, 0], [0, 0, 1]],
                        [[0.4, 0.4, 0.2], [0.0, 0.0, 0.0], [0.1, 0.2, 0.7]])
    # class 0: tp 1; class 1: fp 1 (tie in row 0), fn 1 (row 1: nothing predicted); class 2: tp 1
    assert_allclose(metric.result(), [1.0, 0.0, 1.0], atol=1e-6)


def test_reset_and_shape_errors():
    metric = metrics.F1Score(average="micro")
    metric.update_state(Y, P)
    metric.reset_state()
    assert metric.result() == 0.0
    with pytest.raises(ValueError, match="same 2D shape"):
        metric.update_state(Y[:, 0], P[:, 0])
    fresh = metrics.F1Score()
    fresh.update_state(Y, P)
    with pytest.raises(ValueError, match="built for 4 classes"):
        fresh.update_state(Y[:, :2], P[:, :2])


def test_argument_errors():
    with pytest.raises(ValueError, match="Received: average='samples'"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="Received: beta=0"):
        metrics.FBetaScore(beta=0)
    with pytest.raises(ValueError, match="Received: threshold=1.5"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="one value per sample"):
        metrics.F1Score().update_state(Y, P, sample_weight=numpy.ones(3))


def test_names_and_config():
    assert metrics.F1Score().name == "f1_score" and metrics.FBetaScore().name == "fbeta_score"
    f1 = metrics.F1Score(average="weighted", threshold=0.4)
    assert f1.get_config() == {"name": "f1_score", "dtype": "float32", "average": "weighted",
                               "threshold": 0.4}
    assert metrics.F1Score.from_config(f1.get_config()).get_config() == f1.get_config()
    fb = metrics.FBetaScore(beta=2.0)
    assert metrics.FBetaScore.from_config(fb.get_config()).beta == 2.0
