"""Inputs of the Keras golden cases (pure NumPy, so the script that ran Keras used the same ones).

Each case: ``(class name, constructor kwargs, data name, weighted)``. The metric is updated with
two batches (the data split at ``SPLIT[data name]``) and, when ``weighted``, with the data's
sample weights.
"""
from __future__ import annotations

import numpy


def data() -> dict[str, tuple]:
    """``name -> (y_true, y_pred, sample_weight)``, float32 as a Keras user would pass them."""
    rng = numpy.random.default_rng(20240601)
    f32 = numpy.float32
    binary = ((rng.random((24, 1)) > 0.5).astype(f32), rng.random((24, 1)).astype(f32),
              rng.random(24).astype(f32))
    multi = ((rng.random((24, 3)) > 0.55).astype(f32), rng.random((24, 3)).astype(f32),
             rng.random(24).astype(f32))
    labels = rng.integers(0, 5, 16)
    scores = rng.random((16, 5)).astype(f32)
    weight16 = rng.random(16).astype(f32)
    regression = (rng.normal(size=(12, 2)).astype(f32), rng.normal(size=(12, 2)).astype(f32),
                  rng.random(12).astype(f32))
    positive = ((rng.random((12, 2)) * 4).astype(f32), (rng.random((12, 2)) * 4).astype(f32),
                regression[2])
    return {
        "binary": binary, "multi": multi,
        "sparse": (labels, scores, weight16),
        "onehot": (numpy.eye(5, dtype=f32)[labels], scores, weight16),
        "regression": regression, "positive": positive,
        "logits": (multi[0], (multi[1] - 0.5) * 6, multi[2]),
        "rounded": (numpy.round(regression[0]), numpy.round(regression[1]), regression[2]),
    }


SPLIT = {"binary": 10, "multi": 9, "sparse": 7, "onehot": 7, "regression": 5, "positive": 5, "logits": 9,
         "rounded": 5}

CASES = [
    ("Accuracy", {}, "rounded", False), ("Accuracy", {}, "rounded", True),
    ("BinaryAccuracy", {}, "binary", False), ("BinaryAccuracy", {"threshold": 0.3}, "multi", True),
    ("CategoricalAccuracy", {}, "onehot", False), ("CategoricalAccuracy", {}, "onehot", True),
    ("SparseCategoricalAccuracy", {}, "sparse", True),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", True),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse", True),
    ("MeanSquaredError", {}, "regression", True), ("MeanAbsoluteError", {}, "regression", True),
    ("RootMeanSquaredError", {}, "regression", True),
    ("MeanAbsolutePercentageError", {}, "regression", True),
    ("MeanSquaredLogarithmicError", {}, "positive", True),
    ("LogCoshError", {}, "regression", True), ("CosineSimilarity", {}, "regression", True),
    ("R2Score", {}, "regression", True), ("R2Score", {"class_aggregation": None}, "regression", False),
    ("TruePositives", {}, "binary", True), ("FalsePositives", {"thresholds": [0.25, 0.75]}, "multi", True),
    ("TrueNegatives", {}, "multi", False), ("FalseNegatives", {}, "binary", True),
    ("Precision", {}, "binary", True), ("Recall", {}, "binary", True),
    ("Precision", {"thresholds": [0.2, 0.4, 0.8]}, "multi", False),
    ("Precision", {"top_k": 2}, "onehot", True), ("Recall", {"class_id": 1}, "multi", True),
    ("AUC", {}, "binary", False), ("AUC", {}, "binary", True), ("AUC", {"curve": "PR"}, "binary", True),
    ("AUC", {"num_thresholds": 10, "summation_method": "majoring"}, "multi", True),
    ("AUC", {"multi_label": True, "curve": "PR"}, "multi", True),
    ("AUC", {"from_logits": True}, "logits", False),
    ("F1Score", {}, "onehot", False), ("F1Score", {"average": "macro", "threshold": 0.5}, "multi", True),
    ("F1Score", {"average": "weighted", "threshold": 0.5}, "multi", True),
    ("FBetaScore", {"average": "micro", "beta": 2.0, "threshold": 0.4}, "multi", True),
]
