"""Golden values from real Keras 3 (keras 3.15.1, KERAS_BACKEND=jax; the NumPy backend agrees to
1e-7), one per case of ``metrics_golden_data.CASES``, each after two batches. Keras computes in
float32, so the comparison allows a relative 1e-5."""
from __future__ import annotations

import numpy
import pytest
from metrics_golden_data import CASES, SPLIT, data
from numpy.testing import assert_allclose

from axon import metrics

KERAS_3_15_1 = [
    0.25,
    0.2946187,
    0.4583333,
    0.5443054,
    0.3125,
    0.366439,
    0.366439,
    0.5413318,
    0.6982933,
    1.0413438,
    0.860648,
    1.0204625,
    450.6060791,
    0.2291017,
    0.3982988,
    0.1008631,
    -2.0704195,
    [-0.4500668, -3.8146191],
    2.8077512,
    [13.8051224, 4.2453299],
    19.0,
    4.8003764,
    0.4891556,
    0.3690463,
    [0.5789474, 0.6, 0.375],
    0.2706659,
    0.5391535,
    0.5384615,
    0.5696342,
    0.5572107,
    0.5704667,
    0.5241608,
    0.5277344,
    [0.4444444, 0.0, 0.0, 0.2857142, 0.4444444],
    0.544477,
    0.5574983,
    0.5720905,
]
DATA = data()


def test_one_golden_value_per_case():
    assert len(KERAS_3_15_1) == len(CASES)


@pytest.mark.parametrize(("case", "expected"), list(zip(CASES, KERAS_3_15_1)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras(case, expected):
    cls, kwargs, name, weighted = case
    y_true, y_pred, weight = DATA[name]
    at = SPLIT[name]
    metric = getattr(metrics, cls)(**kwargs)
    metric.update_state(y_true[:at], y_pred[:at], sample_weight=weight[:at] if weighted else None)
    metric.update_state(y_true[at:], y_pred[at:], sample_weight=weight[at:] if weighted else None)
    result = metric.result()
    assert numpy.shape(result) == numpy.shape(expected)
    assert_allclose(result, expected, rtol=1e-5, atol=2e-7)
