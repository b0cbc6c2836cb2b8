"""Tests of axon.metrics: values against NumPy, sample weights, state across batches,
and the resolution of names (``'accuracy'`` as Keras resolves it)."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import losses, metrics

BIN_Y = numpy.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
BIN_P = numpy.array([[0.7], [0.6], [0.4], [0.1], [0.5]])
LABELS = numpy.array([2, 0, 1, 1])
PROBS = numpy.array([[0.1, 0.2, 0.7],   # argmax 2: right
                     [0.5, 0.3, 0.2],   # argmax 0: right
                     [0.6, 0.3, 0.1],   # argmax 0: wrong
                     [0.2, 0.1, 0.7]])  # argmax 2: wrong
ONE_HOT = numpy.eye(3)[LABELS]


# ---- accuracies ---------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0.5, 0.65, 0.3])
def test_binary_accuracy_threshold(threshold):
    metric = metrics.BinaryAccuracy(threshold=threshold)
    metric.update_state(BIN_Y, BIN_P)
    assert metric.result() == pytest.approx(numpy.mean((BIN_P > threshold) == (BIN_Y == 1)), abs=1e-15)


def test_binary_accuracy_default_threshold_value():
    metric = metrics.BinaryAccuracy()
    metric.update_state(BIN_Y, BIN_P)  # 0.5 is not > 0.5: predictions 1,1,0,0,0 -> right: 1,0,0,1,0
    assert metric.result() == pytest.approx(2 / 5, abs=1e-15)


def test_binary_accuracy_accepts_flat_targets_and_tensors():
    metric = metrics.BinaryAccuracy()
    metric.update_state(BIN_Y.ravel(), axon.Tensor(BIN_P))
    assert metric.result() == pytest.approx(2 / 5, abs=1e-15)


def test_binary_accuracy_multi_label_averages_over_last_axis():
    y = numpy.array([[1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 0.0]])
    p = numpy.array([[0.9, 0.2, 0.3, 0.8], [0.9, 0.1, 0.7, 0.2]])
    metric = metrics.BinaryAccuracy()
    metric.update_state(y, p)  # per sample 3/4 and 3/4
    assert metric.result() == pytest.approx(0.75, abs=1e-15)


def test_categorical_accuracy():
    metric = metrics.CategoricalAccuracy()
    metric.update_state(ONE_HOT, PROBS)
    assert metric.result() == pytest.approx(0.5, abs=1e-15)


@pytest.mark.parametrize("labels", [LABELS, LABELS[:, None], LABELS.astype(numpy.float32),
                                    LABELS.astype(numpy.float32)[:, None], list(LABELS)],
                         ids=["n", "n_by_1", "float_n", "float_n_by_1", "list"])
def test_sparse_categorical_accuracy_label_shapes(labels):
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(labels, PROBS)
    assert metric.result() == pytest.approx(0.5, abs=1e-15)


def test_sparse_categorical_accuracy_with_sample_weight():
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(LABELS, PROBS, sample_weight=[1.0, 3.0, 2.0, 0.0])
    assert metric.result() == pytest.approx((1.0 + 3.0) / 6.0, abs=1e-15)


# ---- regression metrics -------------------------------------------------------------------------
_rng = numpy.random.default_rng(7)
REG_Y = _rng.normal(size=(6, 3))
REG_P = _rng.normal(size=(6, 3))


@pytest.mark.parametrize(("cls", "ref"), [
    (metrics.MeanSquaredError, lambda y, p: ((y - p) ** 2).mean(axis=-1)),
    (metrics.MeanAbsoluteError, lambda y, p: numpy.abs(y - p).mean(axis=-1)),
])
def test_regression_metrics(cls, ref):
    metric = cls()
    metric.update_state(REG_Y, REG_P)
    assert_allclose(metric.result(), ref(REG_Y, REG_P).mean(), rtol=1e-13)
    weight = numpy.arange(1.0, 7.0)
    weighted = cls()
    weighted.update_state(REG_Y, axon.Tensor(REG_P), sample_weight=weight)
    assert_allclose(weighted.result(), (weight * ref(REG_Y, REG_P)).sum() / weight.sum(), rtol=1e-13)


# ---- Mean and state -----------------------------------------------------------------------------
def test_mean_with_sample_weights_accumulates():
    metric = metrics.Mean()
    assert metric.result() == 0.0  # nothing seen yet
    metric.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    assert metric.result() == pytest.approx(2.0, abs=1e-15)
    metric.update_state([10.0], sample_weight=[2.0])
    assert metric.result() == pytest.approx((1.0 + 3.0 + 20.0) / 4.0, abs=1e-15)
    # A row of values is one sample (its mean), as in Keras 3 (checked with Keras 3.15.1: 5.8).
    metric.update_state(numpy.array([[4.0, 6.0]]))
    assert metric.result() == pytest.approx((24.0 + 5.0) / 5.0, abs=1e-15)


def test_mean_sample_weight_broadcasts_over_trailing_axes():
    metric = metrics.Mean()
    metric.update_state(numpy.array([[1.0, 3.0], [5.0, 7.0]]), sample_weight=[3.0, 1.0])
    assert metric.result() == pytest.approx((3 * 4.0 + 1 * 12.0) / 8.0, abs=1e-15)


def test_state_accumulates_across_batches_and_reset_clears():
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(LABELS[:2], PROBS[:2])  # 2 of 2
    assert metric.result() == pytest.approx(1.0)
    metric.update_state(LABELS[2:], PROBS[2:])  # 0 of 2
    assert metric.result() == pytest.approx(0.5, abs=1e-15)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(LABELS[2:], PROBS[2:])
    assert metric.result() == 0.0
    metric.update_state(LABELS[:1], PROBS[:1])
    assert metric.result() == pytest.approx(1 / 3, abs=1e-15)


def test_update_state_with_tensors_records_no_graph():
    p = axon.Tensor(PROBS, requires_grad=True)
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(axon.Tensor(LABELS), p)
    assert isinstance(metric.result(), float)
    assert p.grad is None


# ---- lookup -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("loss", "expected"), [
    (losses.BinaryCrossentropy(), metrics.BinaryAccuracy),
    (losses.BinaryCrossentropy(from_logits=True), metrics.BinaryAccuracy),
    (losses.get("binary_crossentropy"), metrics.BinaryAccuracy),
    (losses.SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
    (losses.get("sparse_categorical_crossentropy"), metrics.SparseCategoricalAccuracy),
    (losses.CategoricalCrossentropy(), metrics.CategoricalAccuracy),
    (losses.get("categorical_crossentropy"), metrics.CategoricalAccuracy),
], ids=["bce", "bce_logits", "bce_by_name", "scce", "scce_by_name", "cce", "cce_by_name"])
@pytest.mark.parametrize("name", ["accuracy", "acc", "Accuracy"])
def test_accuracy_resolves_from_loss_and_keeps_name(loss, expected, name):
    metric = metrics.get(name, loss)
    assert type(metric) is expected
    assert metric.name == name


def test_accuracy_with_one_unit_output_is_binary():
    metric = metrics.get("accuracy", losses.MeanSquaredError(), output_shape=(None, 1))
    assert type(metric) is metrics.BinaryAccuracy
    assert type(metrics.get("accuracy", losses.MeanSquaredError(), output_shape=(None, 4))) \
        is metrics.CategoricalAccuracy


@pytest.mark.parametrize(("loss", "expected"), [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (losses.BinaryCrossentropy(name="bce"), metrics.BinaryAccuracy),
    (losses.SparseCategoricalCrossentropy(name="xent"), metrics.SparseCategoricalAccuracy),
], ids=["bce_string", "scce_string", "bce_renamed", "scce_renamed"])
def test_accuracy_resolution_does_not_depend_on_how_the_loss_is_named(loss, expected):
    # Keras decides by the loss function, not by the display name given to it.
    assert type(metrics.get("accuracy", loss, output_shape=(None, 3))) is expected


@pytest.mark.parametrize(("identifier", "cls"), [
    ("binary_accuracy", metrics.BinaryAccuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("mse", metrics.MeanSquaredError), ("mean_squared_error", metrics.MeanSquaredError),
    ("mae", metrics.MeanAbsoluteError), ("mean_absolute_error", metrics.MeanAbsoluteError),
    ("SparseCategoricalAccuracy", metrics.SparseCategoricalAccuracy),
])
def test_get_by_name(identifier, cls):
    metric = metrics.get(identifier)
    assert type(metric) is cls
    assert metric.name == identifier


def test_get_instance_class_and_function():
    metric = metrics.BinaryAccuracy(threshold=0.9)
    assert metrics.get(metric) is metric
    assert type(metrics.get(metrics.CategoricalAccuracy)) is metrics.CategoricalAccuracy

    def off_by_one(y_true, y_pred):
        return numpy.abs(y_true - y_pred).mean(axis=-1)

    custom = metrics.get(off_by_one)
    assert isinstance(custom, metrics.Mean)
    assert custom.name == "off_by_one"
    custom.update_state(REG_Y, REG_P)
    assert_allclose(custom.result(), numpy.abs(REG_Y - REG_P).mean(), rtol=1e-13)


def test_unknown_metric_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'") as info:
        metrics.get("acuracy")
    for name in ("accuracy", "binary_accuracy", "categorical_accuracy",
                 "sparse_categorical_accuracy", "mse", "mae"):
        assert name in str(info.value)


def test_uninterpretable_metric_identifier():
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 3"):
        metrics.get(3)
