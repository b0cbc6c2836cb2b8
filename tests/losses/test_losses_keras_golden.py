"""Golden values from real Keras: keras_golden_losses.json holds inputs and the outputs of
Keras 3.15.1 (KERAS_BACKEND=numpy, floatx float64; generated once by hand in a separate venv) for
each loss class, several configurations, every reduction, with and without sample_weight.
Keras computes some per-sample values in float32 internally, hence rtol 1e-6."""
from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import losses

GOLDEN = json.loads((Path(__file__).parent / "keras_golden_losses.json").read_text())
INPUTS = {k: numpy.array(v, dtype=numpy.int64 if "labels" in k else numpy.float64)
          for k, v in GOLDEN["inputs"].items()}
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


def test_golden_file_is_from_keras_3():
    assert GOLDEN["keras"].startswith("3.")
    assert len(GOLDEN["cases"]) >= 25


@pytest.mark.parametrize("case", GOLDEN["cases"],
                         ids=[f"{c['class']}-{i}" for i, c in enumerate(GOLDEN["cases"])])
def test_matches_keras(case):
    y, p, w = INPUTS[case["y"]], INPUTS[case["p"]], INPUTS[case["w"]]
    for reduction in REDUCTIONS:
        loss = getattr(losses, case["class"])(reduction=reduction, **case["kwargs"])
        for weight, key in ((None, reduction), (w, reduction + "+w")):
            got = loss(y, axon.Tensor(p), sample_weight=weight).numpy()
            expected = numpy.array(case[key])
            assert got.shape == expected.shape, key
            assert_allclose(got, expected, rtol=1e-6, atol=1e-9, err_msg=key)
