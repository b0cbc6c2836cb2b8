"""Regression metrics against float64 NumPy formulas written here; weights, batches, R²."""
from __future__ import annotations

import warnings

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

rng = numpy.random.default_rng(5)
Y = rng.normal(size=(30, 3))
P = rng.normal(size=(30, 3))
W = rng.random(30)
EPS = 1e-7

PER_SAMPLE = {
    "MeanSquaredError": lambda y, p: ((y - p) ** 2).mean(axis=-1),
    "MeanAbsoluteError": lambda y, p: numpy.abs(y - p).mean(axis=-1),
    "MeanAbsolutePercentageError":
        lambda y, p: 100 * (numpy.abs(y - p) / numpy.maximum(numpy.abs(y), EPS)).mean(axis=-1),
    "MeanSquaredLogarithmicError":
        lambda y, p: ((numpy.log(numpy.maximum(p, EPS) + 1) - numpy.log(numpy.maximum(y, EPS) + 1)) ** 2
                      ).mean(axis=-1),
    "LogCoshError": lambda y, p: numpy.log(numpy.cosh(p - y)).mean(axis=-1),
    "CosineSimilarity":
        lambda y, p: (y * p).sum(-1) / (numpy.linalg.norm(y, axis=-1) * numpy.linalg.norm(p, axis=-1)),
}


def data_for(name):
    if name == "MeanSquaredLogarithmicError":
        y, p = numpy.abs(Y) * 2, numpy.abs(P) * 2
        y[0, 0], p[1, 1] = 0.0, -0.5  # clipped to eps
        return y, p
    if name == "MeanAbsolutePercentageError":
        y = Y.copy()
        y[0, 0] = 0.0  # divided by eps
        return y, P
    return Y, P


@pytest.mark.parametrize("name", sorted(PER_SAMPLE))
@pytest.mark.parametrize("weighted", [False, True])
def test_mean_of_per_sample_formula_in_batches(name, weighted):
    y, p = data_for(name)
    w = W if weighted else numpy.ones(len(y))
    metric = getattr(metrics, name)()
    for lo, hi in [(0, 7), (7, 8), (8, 30)]:
        metric.update_state(y[lo:hi], p[lo:hi], sample_weight=w[lo:hi] if weighted else None)
    expected = (w * PER_SAMPLE[name](y, p)).sum() / w.sum()
    assert_allclose(metric.result(), expected, rtol=1e-10)


def test_log_cosh_is_finite_for_large_errors():
    m = metrics.LogCoshError()
    m.update_state([[0.0]], [[1000.0]])
    assert_allclose(m.result(), 1000.0 - numpy.log(2.0), rtol=1e-12)


def test_flat_targets_match_one_column_predictions():
    m = metrics.MeanSquaredError()
    m.update_state(Y[:, 0], P[:, :1])
    assert_allclose(m.result(), ((Y[:, 0] - P[:, 0]) ** 2).mean(), rtol=1e-13)


@pytest.mark.parametrize("weighted", [False, True])
def test_rmse_is_root_of_weighted_mean_squared_error(weighted):
    w = W if weighted else numpy.ones(len(Y))
    m = metrics.RootMeanSquaredError()
    m.update_state(Y[:10], P[:10], sample_weight=w[:10] if weighted else None)
    m.update_state(Y[10:], P[10:], sample_weight=w[10:] if weighted else None)
    expected = numpy.sqrt((w[:, None] * (Y - P) ** 2).sum() / (3 * w.sum()))
    assert_allclose(m.result(), expected, rtol=1e-12)
    m.reset_state()
    assert m.result() == 0.0


def r2_reference(y, p, w):
    """Textbook weighted R² per column: 1 - sum w (y-p)² / sum w (y - ȳ_w)²."""
    w = w[:, None]
    mean = (w * y).sum(0) / w.sum()
    return 1 - (w * (y - p) ** 2).sum(0) / (w * (y - mean) ** 2).sum(0)


@pytest.mark.parametrize("weighted", [False, True])
def test_r2_score_aggregations(weighted):
    w = W if weighted else numpy.ones(len(Y))
    per_column = r2_reference(Y, P, w)
    totals = (w[:, None] * (Y - (w[:, None] * Y).sum(0) / w.sum()) ** 2).sum(0)
    expected = {None: per_column, "uniform_average": per_column.mean(),
                "variance_weighted_average": (totals * per_column).sum() / totals.sum()}
    for aggregation, value in expected.items():
        m = metrics.R2Score(class_aggregation=aggregation)
        m.update_state(Y[:12], P[:12], sample_weight=w[:12] if weighted else None)
        m.update_state(Y[12:], P[12:], sample_weight=w[12:] if weighted else None)
        assert_allclose(m.result(), value, rtol=1e-10)


def test_r2_adjusted_counts_every_entry_as_keras():
    m = metrics.R2Score(num_regressors=2)
    m.update_state(Y, P)
    r2 = r2_reference(Y, P, numpy.ones(len(Y))).mean()
    n = Y.size  # Keras's n: samples x columns
    assert_allclose(m.result(), 1 - (1 - r2) * (n - 1) / (n - 2 - 1), rtol=1e-12)
    few = metrics.R2Score(num_regressors=5)
    few.update_state(Y[:2, :1], P[:2, :1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_allclose(few.result(), r2_reference(Y[:2, :1], P[:2, :1], numpy.ones(2)).mean(), rtol=1e-12)
    assert caught


def test_r2_constant_target_column_scores_zero():
    m = metrics.R2Score(class_aggregation=None)
    y = numpy.stack([numpy.ones(5), numpy.arange(5.0)], axis=1)
    m.update_state(y, y + 0.1)
    assert m.result()[0] == 0.0


def test_r2_errors():
    with pytest.raises(ValueError, match="Received: class_aggregation='median'"):
        metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError, match="Received: num_regressors=-1"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(numpy.ones((2, 2, 2)), numpy.ones((2, 2, 2)))


@pytest.mark.parametrize("metric", [
    metrics.MeanSquaredError(), metrics.MeanAbsoluteError(name="mae"), metrics.RootMeanSquaredError(),
    metrics.MeanAbsolutePercentageError(), metrics.MeanSquaredLogarithmicError(), metrics.LogCoshError(),
    metrics.CosineSimilarity(axis=0), metrics.R2Score(class_aggregation=None, num_regressors=1),
], ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    assert type(metric).from_config(metric.get_config()).get_config() == metric.get_config()


def test_keras_default_names():
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.R2Score().name == "r2_score"
