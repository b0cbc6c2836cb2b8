"""metrics.get / serialize / deserialize: Keras 3's string names, class names, dicts, errors."""
from __future__ import annotations

import json

import numpy
import pytest
from numpy.testing import assert_allclose

from axon import metrics

# Keras 3.15.1: keras.metrics.get(name) for these names gives these classes ('rmse' is refused).
KERAS_NAMES = {
    "binary_accuracy": "BinaryAccuracy", "categorical_accuracy": "CategoricalAccuracy",
    "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
    "top_k_categorical_accuracy": "TopKCategoricalAccuracy",
    "sparse_top_k_categorical_accuracy": "SparseTopKCategoricalAccuracy",
    "mse": "MeanSquaredError", "mean_squared_error": "MeanSquaredError",
    "mae": "MeanAbsoluteError", "mean_absolute_error": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError", "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
    "root_mean_squared_error": "RootMeanSquaredError", "log_cosh_error": "LogCoshError",
    "cosine_similarity": "CosineSimilarity", "r2_score": "R2Score",
    "precision": "Precision", "recall": "Recall", "auc": "AUC", "f1_score": "F1Score",
    "f_beta_score": "FBetaScore", "true_positives": "TruePositives", "false_positives": "FalsePositives",
    "true_negatives": "TrueNegatives", "false_negatives": "FalseNegatives", "mean": "Mean", "sum": "Sum",
}


@pytest.mark.parametrize(("name", "class_name"), sorted(KERAS_NAMES.items()))
def test_keras_string_names(name, class_name):
    metric = metrics.get(name)
    assert type(metric).__name__ == class_name
    assert metric.name == name  # the name written in compile() is the logged name, as in Keras


@pytest.mark.parametrize("cls", metrics.CLASSES, ids=lambda c: c.__name__)
def test_class_names_and_classes(cls):
    if cls is not metrics.Accuracy:  # the string 'Accuracy' is resolved from the loss, see below
        assert type(metrics.get(cls.__name__)) is cls
    assert type(metrics.get(cls)) is cls


def test_the_string_accuracy_in_any_case_is_resolved_as_keras_compile_does():
    # Keras's compile() lower-cases the string: 'Accuracy' picks the accuracy that fits the task.
    assert type(metrics.get("Accuracy", "binary_crossentropy")) is metrics.BinaryAccuracy
    assert type(metrics.get(metrics.Accuracy)) is metrics.Accuracy


def test_rmse_is_not_a_keras_name_and_errors_list_known_names():
    with pytest.raises(ValueError, match="Unknown metric: 'rmse'") as info:
        metrics.get("rmse")
    for name in ("root_mean_squared_error", "auc", "f1_score", "precision", "accuracy", "mape"):
        assert name in str(info.value)


def test_custom_function_is_wrapped_and_gets_numpy_arrays():
    seen = []

    def within_tenth(y_true, y_pred):
        seen.append((type(y_true), type(y_pred)))
        return (numpy.abs(y_true - y_pred) < 0.1).astype(float).mean(axis=-1)

    metric = metrics.get(within_tenth)
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "within_tenth"
    metric.update_state([[1.0], [2.0], [3.0]], [[1.05], [2.5], [3.0]], sample_weight=[1, 1, 2])
    assert metric.result() == pytest.approx(3 / 4, abs=1e-15)
    assert seen == [(numpy.ndarray, numpy.ndarray)]


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="m"), metrics.Sum(), metrics.BinaryAccuracy(threshold=0.7),
    metrics.SparseTopKCategoricalAccuracy(k=2), metrics.RootMeanSquaredError(name="rmse"),
    metrics.R2Score(class_aggregation="variance_weighted_average"),
    metrics.Precision(thresholds=[0.2, 0.6], class_id=1), metrics.TrueNegatives(thresholds=0.3),
    metrics.AUC(curve="PR", num_thresholds=50), metrics.F1Score(average="macro"),
    metrics.FBetaScore(beta=0.5, threshold=0.2), metrics.MeanMetricWrapper(metrics.mean_absolute_error),
], ids=lambda m: type(m).__name__)
def test_serialize_is_json_and_round_trips(metric):
    text = json.dumps(metrics.serialize(metric))
    clone = metrics.get(json.loads(text))  # get() takes the dict, as Keras's does
    assert type(clone) is type(metric)
    assert clone.get_config() == metric.get_config()


def test_round_tripped_wrapper_computes_the_same():
    metric = metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, name="top2", k=2)
    clone = metrics.deserialize(metrics.serialize(metric))
    y, p = numpy.eye(4)[[0, 1, 2]], numpy.array([[0.1, 0.5, 0.3, 0.1]] * 3)
    metric.update_state(y, p)
    clone.update_state(y, p)
    assert_allclose(clone.result(), metric.result())
    assert metric.result() == pytest.approx(2 / 3)


def test_deserialize_errors():
    with pytest.raises(ValueError, match="Unknown metric class: 'Nope'"):
        metrics.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="class_name"):
        metrics.deserialize({"config": {}})


def test_deserialize_custom_objects():
    class Doubled(metrics.Mean):
        pass

    clone = metrics.deserialize({"class_name": "Doubled", "config": {"name": "d"}},
                                custom_objects={"Doubled": Doubled})
    assert type(clone) is Doubled and clone.name == "d"
