"""Mean, Sum and MeanMetricWrapper: Keras 3's weighting rules, accumulation, reset, config."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import metrics

rng = numpy.random.default_rng(3)
VALUES = rng.normal(size=(10, 4))
ROW_W = rng.random(10)
FULL_W = rng.random((10, 4))


def test_mean_unweighted_and_row_weighted():
    m = metrics.Mean()
    m.update_state(VALUES[:, 0])
    assert_allclose(m.result(), VALUES[:, 0].mean(), rtol=1e-13)
    m = metrics.Mean()
    m.update_state(VALUES, sample_weight=ROW_W)  # rows reduced to their mean, then weighted
    assert_allclose(m.result(), (ROW_W * VALUES.mean(axis=1)).sum() / ROW_W.sum(), rtol=1e-13)


def test_mean_with_a_weight_per_value_is_the_weighted_mean_of_all_values():
    m = metrics.Mean()
    m.update_state(VALUES, sample_weight=FULL_W)
    assert_allclose(m.result(), (FULL_W * VALUES).sum() / FULL_W.sum(), rtol=1e-13)


def test_mean_counts_rows_not_values():
    m = metrics.Mean()
    m.update_state(numpy.array([[1.0, 3.0]]))  # one sample of value 2
    m.update_state(numpy.array([5.0]))          # one sample of value 5
    assert m.result() == pytest.approx(3.5, abs=1e-15)
    assert m.count == 2


def test_mean_scalar_weight_makes_the_batch_one_sample():
    m = metrics.Mean()  # Keras: values reduced to their mean (2), weighted by 2, count 2
    m.update_state([1.0, 2.0, 3.0], sample_weight=2.0)
    m.update_state([8.0])
    assert m.result() == pytest.approx((2 * 2.0 + 8.0) / 3.0, abs=1e-15)


def test_mean_weight_rank_is_matched():
    a, b = metrics.Mean(), metrics.Mean()
    a.update_state(VALUES[:, 0], sample_weight=ROW_W[:, None])  # (n,) values, (n, 1) weights
    b.update_state(VALUES[:, :1], sample_weight=ROW_W)           # (n, 1) values, (n,) weights
    expected = (ROW_W * VALUES[:, 0]).sum() / ROW_W.sum()
    assert_allclose([a.result(), b.result()], [expected, expected], rtol=1e-13)


def test_mean_incompatible_weight_is_a_clear_error():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) cannot be broadcast"):
        metrics.Mean().update_state(VALUES, sample_weight=[1.0, 2.0, 3.0])


def test_mean_batches_equal_one_shot_and_reset_clears():
    whole, parts = metrics.Mean(), metrics.Mean()
    whole.update_state(VALUES, sample_weight=ROW_W)
    for lo, hi in [(0, 3), (3, 4), (4, 10)]:
        parts.update_state(VALUES[lo:hi], sample_weight=ROW_W[lo:hi])
    assert_allclose(parts.result(), whole.result(), rtol=1e-13)
    parts.reset_state()
    assert parts.result() == 0.0
    parts.update_state([4.0])
    assert parts.result() == 4.0


def test_mean_zero_total_weight_reads_zero():
    m = metrics.Mean()
    m.update_state([1.0, 2.0], sample_weight=[0.0, 0.0])
    assert m.result() == 0.0


def test_sum_weighted_and_rows():
    s = metrics.Sum()
    s.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    assert s.result() == 4.0
    s.update_state(VALUES, sample_weight=ROW_W)  # rows summed, then weighted
    assert_allclose(s.result(), 4.0 + (ROW_W * VALUES.sum(axis=1)).sum(), rtol=1e-13)
    s.reset_state()
    assert s.result() == 0.0


def test_mean_accepts_tensors():
    m = metrics.Mean()
    m.update_state(axon.Tensor(numpy.array([1.0, 2.0])), sample_weight=axon.Tensor(numpy.array([1.0, 3.0])))
    assert m.result() == pytest.approx(7 / 4, abs=1e-15)


def _abs_error(y_true, y_pred, scale=1.0):
    return scale * numpy.abs(y_true - y_pred)  # per element: rows are averaged by Mean


def test_mean_metric_wrapper_with_kwargs_and_weights():
    y, p = VALUES, VALUES[::-1]
    m = metrics.MeanMetricWrapper(_abs_error, scale=2.0)
    assert m.name == "_abs_error"
    m.update_state(y, p, sample_weight=ROW_W)
    per_sample = 2.0 * numpy.abs(y - p).mean(axis=1)
    assert_allclose(m.result(), (ROW_W * per_sample).sum() / ROW_W.sum(), rtol=1e-13)
    assert m(y, p) == m.result()  # calling updates then reads


def test_mean_metric_wrapper_config_round_trip_for_a_builtin_function():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc90", threshold=0.9)
    config = m.get_config()
    assert config == {"name": "acc90", "dtype": "float32", "fn": "binary_accuracy", "threshold": 0.9}
    clone = metrics.MeanMetricWrapper.from_config(config)
    clone.update_state([[1.0], [1.0]], [[0.95], [0.85]])
    assert clone.result() == 0.5


def test_mean_metric_wrapper_from_config_with_unknown_function():
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        metrics.MeanMetricWrapper.from_config({"name": "x", "fn": "nope"})


def test_mean_metric_wrapper_rejects_non_callable():
    with pytest.raises(TypeError, match="Received: fn=3"):
        metrics.MeanMetricWrapper(3)


def test_metric_name_must_be_a_string_and_dtype_is_recorded():
    with pytest.raises(TypeError, match="Received: name=5"):
        metrics.Mean(name=5)
    assert metrics.Mean(dtype="float64").get_config() == {"name": "mean", "dtype": "float64"}
